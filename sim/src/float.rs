//! The `f32` reference of the same network: the arithmetic of the fixed-point model without
//! rounding, in the same units (weight LSB for weights, currents, membranes and thresholds;
//! traces in 0..=1; goodness in units of trace squared). It starts from the same integer
//! weights and sees the same input spikes (same encoder stream), so any difference between the
//! two is quantisation.

use crate::config::{LayerConfig, NetworkConfig, MAX_LEARN_SHIFT};
use crate::model::{Fnv1a, Learn, Model, PhaseResult, Polarity};
use crate::network::{argmax_by_key, Network};
use crate::rng::Xorshift32;
use crate::rules::{bernoulli_spike, weight_max};

#[derive(Debug, Clone)]
struct FloatLayer {
    weights: Vec<f32>,
    v: Vec<f32>,
    refractory: Vec<u8>,
    trace: Vec<f32>,
    spikes: Vec<bool>,
    counts: Vec<u32>,
    theta_offset: f32,
    homeostasis: Vec<f32>,
    goodness: f32,
    events: Vec<usize>,
    current: Vec<f32>,
    cfg: LayerConfig,
}

impl FloatLayer {
    fn from_fixed(weights: &[i16], cfg: &LayerConfig, size: usize) -> Self {
        Self {
            weights: weights.iter().map(|&w| f32::from(w)).collect(),
            v: vec![0.0; size],
            refractory: vec![0; size],
            trace: vec![0.0; size],
            spikes: vec![false; size],
            counts: vec![0; size],
            theta_offset: 0.0,
            homeostasis: vec![0.0; size],
            goodness: 0.0,
            events: Vec::new(),
            current: vec![0.0; size],
            cfg: cfg.clone(),
        }
    }

    fn reset(&mut self) {
        self.v.fill(0.0);
        self.refractory.fill(0);
        self.trace.fill(0.0);
        self.spikes.fill(false);
        self.counts.fill(0);
        self.theta_offset = 0.0;
        self.goodness = 0.0;
        self.events.clear();
    }

    fn size(&self) -> usize {
        self.v.len()
    }

    fn advance(&mut self, learning: bool) {
        let size = self.size();
        self.current.fill(0.0);
        for &row in &self.events {
            for (acc, &w) in self
                .current
                .iter_mut()
                .zip(&self.weights[row * size..(row + 1) * size])
            {
                *acc += w;
            }
        }
        let leak = (-f32::from(self.cfg.leak_shift)).exp2();
        let decay = 1.0 - (-f32::from(self.cfg.trace_shift)).exp2();
        let threshold = f32::from(self.cfg.threshold) + self.theta_offset;
        let mut fired = 0u32;
        let mut goodness = 0.0;
        for n in 0..size {
            let mut spike = false;
            if self.refractory[n] > 0 {
                self.refractory[n] -= 1;
                self.v[n] = 0.0;
            } else {
                let j = self.current[n].clamp(f32::from(i16::MIN), f32::from(i16::MAX));
                self.v[n] += (j - self.v[n]) * leak;
                let own = threshold + self.homeostasis[n];
                if self.v[n] > own {
                    spike = true;
                    self.v[n] = 0.0;
                    self.refractory[n] = self.cfg.refractory;
                }
            }
            self.spikes[n] = spike;
            if learning {
                let h = &mut self.homeostasis[n];
                if self.cfg.homeostasis_decay_shift > 0 {
                    *h -= *h * (-f32::from(self.cfg.homeostasis_decay_shift)).exp2();
                }
                if spike {
                    *h += f32::from(self.cfg.homeostasis_step);
                }
                *h = h.min(f32::from(self.cfg.homeostasis_max));
            }
            self.trace[n] = if spike { 1.0 } else { self.trace[n] * decay };
            goodness += self.trace[n] * self.trace[n];
            if spike {
                fired += 1;
                self.counts[n] += 1;
            }
        }
        self.goodness = goodness;
        let change = f32::from(self.cfg.adapt_step)
            * (f64::from(fired) - f64::from(self.cfg.adapt_target)) as f32;
        self.theta_offset = (self.theta_offset + change)
            .clamp(f32::from(self.cfg.adapt_min), f32::from(self.cfg.adapt_max));
    }

    /// Apply `delta(n)` (weight LSB, before decay) to every row that spiked, then decay and clip.
    fn update_rows(&mut self, w_max: f32, anneal: u8, drive: impl Fn(usize, f32) -> f32) {
        let size = self.size();
        let shift = self
            .cfg
            .learn_shift
            .saturating_add(anneal)
            .min(MAX_LEARN_SHIFT);
        let eta = (-f32::from(shift)).exp2() * 65536.0;
        let decay = if self.cfg.decay_shift > 0 {
            (-f32::from(self.cfg.decay_shift)).exp2()
        } else {
            0.0
        };
        for &row in &self.events {
            let w = &mut self.weights[row * size..(row + 1) * size];
            for (n, (wi, &tr)) in w.iter_mut().zip(&self.trace).enumerate() {
                let delta = eta * drive(n, tr) - decay * *wi;
                *wi = (*wi + delta).clamp(-w_max, w_max);
            }
        }
    }
}

/// The float reference network.
#[derive(Debug, Clone)]
pub struct FloatNetwork {
    cfg: NetworkConfig,
    input_spikes: Vec<bool>,
    hidden: Vec<FloatLayer>,
    classifier: FloatLayer,
    encoder: Xorshift32,
    anneal: u8,
}

impl FloatNetwork {
    /// The float twin of `Network::new(cfg)`: same initial weights, same encoder stream.
    pub fn new(cfg: &NetworkConfig) -> Self {
        let fixed = Network::new(cfg);
        let hidden = fixed
            .hidden
            .iter()
            .zip(&cfg.hidden)
            .map(|(l, c)| FloatLayer::from_fixed(&l.weights, c, c.size))
            .collect();
        Self {
            input_spikes: vec![false; cfg.inputs + cfg.label_inputs()],
            hidden,
            classifier: FloatLayer::from_fixed(
                &fixed.classifier.weights,
                &cfg.classifier,
                cfg.classes,
            ),
            encoder: fixed.encoder.clone(),
            anneal: 0,
            cfg: cfg.clone(),
        }
    }

    /// Every weight matrix, hidden layers first, row-major.
    pub fn weight_matrices(&self) -> Vec<Vec<f32>> {
        self.hidden
            .iter()
            .chain(std::iter::once(&self.classifier))
            .map(|l| l.weights.clone())
            .collect()
    }

    fn step(&mut self, learn: Learn) {
        let base = self.cfg.inputs;
        let labels: Vec<usize> = (0..self.cfg.label_inputs())
            .filter(|&k| self.input_spikes[base + k])
            .collect();
        for l in 0..self.hidden.len() {
            let (before, rest) = self.hidden.split_at_mut(l);
            let layer = &mut rest[0];
            layer.events.clear();
            let prev_size = if l == 0 {
                layer
                    .events
                    .extend((0..base).filter(|&i| self.input_spikes[i]));
                base
            } else {
                let prev = &before[l - 1];
                layer
                    .events
                    .extend((0..prev.size()).filter(|&i| prev.spikes[i]));
                prev.size()
            };
            layer.events.extend(labels.iter().map(|k| prev_size + k));
            layer.advance(learn.csdp.is_some());
        }
        self.classifier.events.clear();
        let mut offset = self.cfg.classifier_input_offset();
        self.classifier
            .events
            .extend((0..offset).filter(|&i| self.input_spikes[i]));
        for layer in &self.hidden {
            self.classifier.events.extend(
                (0..layer.size())
                    .filter(|&i| layer.spikes[i])
                    .map(|i| offset + i),
            );
            offset += layer.size();
        }
        self.classifier.advance(learn.csdp.is_some());
        let w_max = f32::from(weight_max(self.cfg.weight_bits));
        if let Some(polarity) = learn.csdp {
            let label = if polarity == Polarity::Positive {
                1.0
            } else {
                0.0
            };
            for layer in &mut self.hidden {
                let theta = layer.cfg.goodness_threshold as f32 / 65536.0;
                let p = 1.0 / (1.0 + (theta - layer.goodness).exp());
                let e = p - label;
                layer.update_rows(w_max, self.anneal, |_, tr| -e * tr);
            }
        }
        if let Some(label) = learn.classifier {
            self.classifier.update_rows(
                w_max,
                self.anneal,
                |k, tr| if k == label { 1.0 } else { 0.0 } - tr,
            );
        }
    }
}

impl Model for FloatNetwork {
    fn config(&self) -> &NetworkConfig {
        &self.cfg
    }

    fn run_phase(
        &mut self,
        pixels: &[u8],
        label_input: Option<usize>,
        learn: Learn,
    ) -> PhaseResult {
        for layer in &mut self.hidden {
            layer.reset();
        }
        self.classifier.reset();
        let mut spikes = vec![0u64; self.hidden.len() + 1];
        let base = self.cfg.inputs;
        for _ in 0..self.cfg.steps {
            for (s, &p) in self.input_spikes.iter_mut().zip(pixels) {
                *s = bernoulli_spike(p, self.encoder.next());
            }
            for (k, s) in self.input_spikes[base..].iter_mut().enumerate() {
                *s = Some(k) == label_input;
            }
            self.step(learn);
            for (total, layer) in spikes.iter_mut().zip(&self.hidden) {
                *total += layer.spikes.iter().filter(|&&s| s).count() as u64;
            }
            if let Some(last) = spikes.last_mut() {
                *last += self.classifier.spikes.iter().filter(|&&s| s).count() as u64;
            }
        }
        let prediction = argmax_by_key(
            self.classifier
                .counts
                .iter()
                .zip(&self.classifier.v)
                .map(|(&c, &v)| (c, v)),
        );
        PhaseResult {
            prediction,
            layer_spikes: spikes,
        }
    }

    fn weights_digest(&self) -> u64 {
        let mut hash = Fnv1a::new();
        for layer in self.hidden.iter().chain(std::iter::once(&self.classifier)) {
            for &w in &layer.weights {
                hash.write(&w.to_le_bytes());
            }
        }
        hash.finish()
    }

    fn set_anneal(&mut self, halvings: u8) {
        self.anneal = halvings;
    }

    fn layer_sizes(&self) -> Vec<usize> {
        self.hidden
            .iter()
            .map(FloatLayer::size)
            .chain(std::iter::once(self.classifier.size()))
            .collect()
    }
}
