//! The fixed-point network: state of every layer and the order of operations in one time step.
//!
//! This is the golden model the RTL is compared with, state for state and step for step.

use crate::config::{LayerConfig, NetworkConfig};
use crate::model::{Learn, Model, PhaseResult, Polarity};
use crate::rng::{Stream, Xorshift32};
use crate::rules::{
    adapt_step, bernoulli_spike, classifier_delta, contrastive_error, csdp_delta, goodness_term,
    homeostasis_step, lif_step, sat_i16, trace_step, weight_max, LearnParams, NeuronState,
};

/// One LIF population and its input weight matrix (row-major: presynaptic row, neuron column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Weights, `presynaptic * size` entries, row `i` holds the synapses of input `i`.
    pub weights: Vec<i16>,
    /// Membrane and refractory state of each neuron.
    pub neurons: Vec<NeuronState>,
    /// Trace of each neuron.
    pub trace: Vec<u8>,
    /// Spikes of the current step.
    pub spikes: Vec<bool>,
    /// Spikes of each neuron since the phase began (saturating 16-bit).
    pub counts: Vec<u16>,
    /// Adaptive threshold offset of the layer.
    pub theta_offset: i16,
    /// Per-neuron homeostatic threshold; kept across phases like the weights.
    pub homeostasis: Vec<u16>,
    /// Goodness `sum(tr^2)` after the current step.
    pub goodness: u32,
    /// Presynaptic rows that spiked in the current step, ascending.
    pub events: Vec<usize>,
    current: Vec<i32>,
    cfg: LayerConfig,
    presynaptic: usize,
}

impl Layer {
    fn new(cfg: &LayerConfig, presynaptic: usize, size: usize, rng: &mut Xorshift32) -> Self {
        let span = 2 * u32::from(cfg.init_range.unsigned_abs()) + 1;
        let weights = (0..presynaptic * size)
            .map(|_| {
                let draw = i64::from(rng.below(span));
                sat_i16(draw - i64::from(cfg.init_range))
            })
            .collect();
        Self {
            weights,
            neurons: vec![NeuronState::default(); size],
            trace: vec![0; size],
            spikes: vec![false; size],
            counts: vec![0; size],
            theta_offset: 0,
            homeostasis: vec![0; size],
            goodness: 0,
            events: Vec::new(),
            current: vec![0; size],
            cfg: cfg.clone(),
            presynaptic,
        }
    }

    /// Neurons in the layer.
    pub fn size(&self) -> usize {
        self.neurons.len()
    }

    /// Presynaptic rows of the weight matrix.
    pub fn presynaptic(&self) -> usize {
        self.presynaptic
    }

    /// The run-time parameters the layer steps with (its config at first).
    pub fn params(&self) -> &LayerConfig {
        &self.cfg
    }

    /// Step with `params` from now on (as when the host rewrites the core's parameter
    /// registers). Every field is taken but `size`: the layer keeps its neurons.
    pub fn set_params(&mut self, params: &LayerConfig) {
        let size = self.cfg.size;
        self.cfg = params.clone();
        self.cfg.size = size;
    }

    /// Clear all neuron state at the start of a phase (weights are kept).
    pub fn reset(&mut self) {
        self.neurons.fill(NeuronState::default());
        self.trace.fill(0);
        self.spikes.fill(false);
        self.counts.fill(0);
        self.theta_offset = 0;
        self.goodness = 0;
        self.events.clear();
    }

    /// Integrate the events in `self.events`, update every neuron, trace, goodness and the
    /// adaptive threshold; in a learning step also the homeostatic thresholds. Weights are
    /// those before this step's learning.
    fn advance(&mut self, learning: bool) {
        let size = self.size();
        self.current.fill(0);
        for &row in &self.events {
            let w = &self.weights[row * size..(row + 1) * size];
            for (acc, &wi) in self.current.iter_mut().zip(w) {
                *acc += i32::from(wi);
            }
        }
        let threshold = i32::from(self.cfg.threshold) + i32::from(self.theta_offset);
        let lif = self.cfg.lif();
        let mut fired = 0u32;
        let mut goodness = 0u32;
        for n in 0..size {
            let j = sat_i16(i64::from(self.current[n]));
            let own = threshold + i32::from(self.homeostasis[n]);
            let (state, spike) = lif_step(self.neurons[n], j, own, lif);
            if learning {
                self.homeostasis[n] = homeostasis_step(
                    self.homeostasis[n],
                    spike,
                    self.cfg.homeostasis_step,
                    self.cfg.homeostasis_decay_shift,
                    self.cfg.homeostasis_max,
                );
            }
            self.neurons[n] = state;
            self.spikes[n] = spike;
            self.trace[n] = trace_step(self.trace[n], spike, self.cfg.trace_shift);
            goodness = goodness.saturating_add(goodness_term(self.trace[n]));
            if spike {
                fired += 1;
                self.counts[n] = self.counts[n].saturating_add(1);
            }
        }
        self.goodness = goodness;
        self.theta_offset = adapt_step(
            self.theta_offset,
            fired,
            self.cfg.adapt_step,
            self.cfg.adapt_target,
            self.cfg.adapt_min,
            self.cfg.adapt_max,
        );
    }

    fn spiking(&self) -> impl Iterator<Item = usize> + '_ {
        self.spikes
            .iter()
            .enumerate()
            .filter_map(|(i, &s)| s.then_some(i))
    }

    /// Spikes in the current step.
    pub fn spike_total(&self) -> u32 {
        self.spikes.iter().map(|&s| u32::from(s)).sum()
    }
}

/// The whole chip state of the fixed-point model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    cfg: NetworkConfig,
    /// Input spikes of the current step (pixels, then label inputs).
    pub input_spikes: Vec<bool>,
    /// Hidden (CSDP) layers.
    pub hidden: Vec<Layer>,
    /// The classifier layer.
    pub classifier: Layer,
    /// Bernoulli input encoder generator.
    pub encoder: Xorshift32,
    /// Stochastic-rounding generator of each hidden layer's CSDP engine.
    pub learn_rng: Vec<Xorshift32>,
    /// Stochastic-rounding generator of the classifier's engine.
    pub classifier_rng: Xorshift32,
    /// Time step within the current phase.
    pub step_index: u32,
    /// Learning-rate halvings applied on top of the config (set by the host between epochs).
    pub anneal: u8,
    w_max: i16,
}

impl Network {
    /// A network with weights drawn from the config's seed.
    pub fn new(cfg: &NetworkConfig) -> Self {
        let mut init = Xorshift32::for_stream(cfg.seed, Stream::WeightInit);
        let hidden = cfg
            .hidden
            .iter()
            .enumerate()
            .map(|(i, l)| Layer::new(l, cfg.hidden_inputs(i), l.size, &mut init))
            .collect();
        let classifier = Layer::new(
            &cfg.classifier,
            cfg.classifier_inputs(),
            cfg.classes,
            &mut init,
        );
        let learn_rng = (0..cfg.hidden.len())
            .map(|i| {
                let layer = u8::try_from(i).unwrap_or(u8::MAX);
                Xorshift32::for_stream(cfg.seed, Stream::Learn(layer))
            })
            .collect();
        Self {
            input_spikes: vec![false; cfg.inputs + cfg.label_inputs()],
            hidden,
            classifier,
            encoder: Xorshift32::for_stream(cfg.seed, Stream::Encoder),
            learn_rng,
            classifier_rng: Xorshift32::for_stream(cfg.seed, Stream::Classifier),
            step_index: 0,
            anneal: 0,
            w_max: weight_max(cfg.weight_bits),
            cfg: cfg.clone(),
        }
    }

    /// Start a phase: all neuron state, traces, counts and threshold offsets return to zero.
    pub fn reset_phase(&mut self) {
        for layer in &mut self.hidden {
            layer.reset();
        }
        self.classifier.reset();
        self.input_spikes.fill(false);
        self.step_index = 0;
    }

    /// Encode `pixels` into this step's input spikes (one generator step per pixel, in order),
    /// then set the label inputs.
    pub fn encode(&mut self, pixels: &[u8], label_input: Option<usize>) {
        for (spike, &p) in self.input_spikes.iter_mut().zip(pixels) {
            *spike = bernoulli_spike(p, self.encoder.next());
        }
        self.set_label_inputs(label_input);
    }

    /// Set explicit input spikes for this step (pixels part), then the label inputs.
    pub fn set_input_spikes(&mut self, spikes: &[bool], label_input: Option<usize>) {
        let n = self.cfg.inputs;
        self.input_spikes[..n].copy_from_slice(&spikes[..n]);
        self.set_label_inputs(label_input);
    }

    fn set_label_inputs(&mut self, label_input: Option<usize>) {
        let n = self.cfg.inputs;
        for (k, s) in self.input_spikes[n..].iter_mut().enumerate() {
            *s = Some(k) == label_input;
        }
    }

    /// One time step after the input spikes are set: every layer in order, then learning.
    pub fn step(&mut self, learn: Learn) {
        let label_base = self.cfg.inputs;
        let labels: Vec<usize> = self.input_spikes[label_base..]
            .iter()
            .enumerate()
            .filter_map(|(k, &s)| s.then_some(k))
            .collect();
        for l in 0..self.hidden.len() {
            let (before, rest) = self.hidden.split_at_mut(l);
            let layer = &mut rest[0];
            layer.events.clear();
            let prev_size = if l == 0 {
                layer.events.extend(
                    self.input_spikes[..label_base]
                        .iter()
                        .enumerate()
                        .filter_map(|(i, &s)| s.then_some(i)),
                );
                label_base
            } else {
                let prev = &before[l - 1];
                layer.events.extend(prev.spiking());
                prev.size()
            };
            layer.events.extend(labels.iter().map(|k| prev_size + k));
            layer.advance(learn.csdp.is_some());
        }
        self.classifier.events.clear();
        let mut offset = self.cfg.classifier_input_offset();
        self.classifier.events.extend(
            self.input_spikes[..offset]
                .iter()
                .enumerate()
                .filter_map(|(i, &s)| s.then_some(i)),
        );
        for layer in &self.hidden {
            self.classifier
                .events
                .extend(layer.spiking().map(|i| offset + i));
            offset += layer.size();
        }
        self.classifier.advance(learn.csdp.is_some());
        self.learn(learn);
        self.step_index += 1;
    }

    fn learn(&mut self, learn: Learn) {
        let bits = self.cfg.weight_bits;
        let w_max = self.w_max;
        if let Some(polarity) = learn.csdp {
            let positive = polarity == Polarity::Positive;
            for (layer, rng) in self.hidden.iter_mut().zip(&mut self.learn_rng) {
                let params = LearnParams {
                    w_max,
                    ..layer.cfg.learn(bits, self.anneal)
                };
                let e = contrastive_error(layer.goodness, layer.cfg.goodness_threshold, positive);
                csdp_rows(
                    &mut layer.weights,
                    &layer.events,
                    e,
                    &layer.trace,
                    rng,
                    params,
                );
            }
        }
        if let Some(label) = learn.classifier {
            let cls = &mut self.classifier;
            let params = LearnParams {
                w_max,
                ..cls.cfg.learn(bits, self.anneal)
            };
            let size = cls.size();
            for &row in &cls.events {
                let w = &mut cls.weights[row * size..(row + 1) * size];
                for (k, (wi, &tr)) in w.iter_mut().zip(&cls.trace).enumerate() {
                    *wi = classifier_delta(*wi, k == label, tr, self.classifier_rng.next(), params);
                }
            }
        }
    }

    /// Prediction of the phase so far: the classifier neuron with the most spikes; ties go to
    /// the higher membrane potential, then to the lower index.
    pub fn prediction(&self) -> usize {
        argmax_by_key(
            self.classifier
                .counts
                .iter()
                .zip(&self.classifier.neurons)
                .map(|(&c, n)| (c, n.v)),
        )
    }

    /// Largest weight magnitude learning produces: `2^(weight_bits - 1) - 1` unless set.
    pub fn w_max(&self) -> i16 {
        self.w_max
    }

    /// Saturate learned weights to `-w_max..=w_max` from now on (as when the host writes the
    /// core's `w_max` register; a negative value acts as its magnitude).
    pub fn set_w_max(&mut self, w_max: i16) {
        self.w_max = w_max.saturating_abs();
    }
}

/// The CSDP engine on one weight matrix: for each event row ascending, for each neuron
/// ascending, one generator draw and one `csdp_delta`. `trace.len()` is the row length.
pub fn csdp_rows(
    weights: &mut [i16],
    events: &[usize],
    e: i16,
    trace: &[u8],
    rng: &mut Xorshift32,
    params: LearnParams,
) {
    let size = trace.len();
    for &row in events {
        let w = &mut weights[row * size..(row + 1) * size];
        for (wi, &tr) in w.iter_mut().zip(trace) {
            *wi = csdp_delta(*wi, e, tr, rng.next(), params);
        }
    }
}

/// Index of the first maximum (0 for no keys): the prediction is this over the classifier's
/// (count, membrane) pairs.
pub fn argmax_by_key<K: PartialOrd>(keys: impl Iterator<Item = K>) -> usize {
    let mut best: Option<(usize, K)> = None;
    for (i, k) in keys.enumerate() {
        match &best {
            Some((_, b)) if k.partial_cmp(b) != Some(std::cmp::Ordering::Greater) => {}
            _ => best = Some((i, k)),
        }
    }
    best.map_or(0, |(i, _)| i)
}

impl Model for Network {
    fn config(&self) -> &NetworkConfig {
        &self.cfg
    }

    fn run_phase(
        &mut self,
        pixels: &[u8],
        label_input: Option<usize>,
        learn: Learn,
    ) -> PhaseResult {
        self.reset_phase();
        let mut spikes = vec![0u64; self.hidden.len() + 1];
        for _ in 0..self.cfg.steps {
            self.encode(pixels, label_input);
            self.step(learn);
            for (total, layer) in spikes.iter_mut().zip(self.hidden.iter()) {
                *total += u64::from(layer.spike_total());
            }
            if let Some(last) = spikes.last_mut() {
                *last += u64::from(self.classifier.spike_total());
            }
        }
        PhaseResult {
            prediction: self.prediction(),
            layer_spikes: spikes,
        }
    }

    fn weights_digest(&self) -> u64 {
        let layers = self.hidden.iter().chain(std::iter::once(&self.classifier));
        crate::model::digest_weights(layers.map(|layer| layer.weights.as_slice()))
    }

    fn set_anneal(&mut self, halvings: u8) {
        self.anneal = halvings;
    }

    fn layer_sizes(&self) -> Vec<usize> {
        self.hidden
            .iter()
            .map(Layer::size)
            .chain(std::iter::once(self.classifier.size()))
            .collect()
    }
}

/// What a network has learned and keeps across samples: the weights and each neuron's
/// homeostatic threshold. A weights file (`train --save-weights`) holds it as JSON,
/// `{"weights": [[W0...], ..., [C...]], "homeostasis": [[h0...], ..., [hC...]]}`: one
/// row-major matrix and one vector per layer, hidden layers first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Learned {
    /// Every weight matrix, hidden layers first, row-major.
    pub weights: Vec<Vec<i16>>,
    /// Every layer's homeostatic thresholds `h`, hidden layers first.
    pub homeostasis: Vec<Vec<u16>>,
}

impl Learned {
    /// The JSON text of a weights file.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .expect("Learned holds vectors of integers only, which serde_json always serialises")
            + "\n"
    }
}

impl Network {
    /// The weights and homeostatic thresholds.
    pub fn learned(&self) -> Learned {
        Learned {
            weights: self.weight_matrices(),
            homeostasis: self.layers().map(|l| l.homeostasis.clone()).collect(),
        }
    }

    /// Set the weights and homeostatic thresholds (sizes as the network's, checked by the
    /// reader of the file).
    pub fn set_learned(&mut self, learned: &Learned) {
        let layers = self
            .hidden
            .iter_mut()
            .chain(std::iter::once(&mut self.classifier));
        for ((layer, w), h) in layers.zip(&learned.weights).zip(&learned.homeostasis) {
            layer.weights.clone_from(w);
            layer.homeostasis.clone_from(h);
        }
    }

    /// The hidden layers, then the classifier.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.hidden.iter().chain(std::iter::once(&self.classifier))
    }

    /// Every weight matrix, hidden layers first, row-major.
    pub fn weight_matrices(&self) -> Vec<Vec<i16>> {
        self.hidden
            .iter()
            .chain(std::iter::once(&self.classifier))
            .map(|l| l.weights.clone())
            .collect()
    }
}
