//! The imported graph in floating point beside the quantised network in the golden model, on
//! the same input spikes: how far quantisation moved the network's behaviour.
//!
//! The float simulation is NIR's LIF by Euler steps of `dt`:
//! `v += dt / tau * (r * I - v)`, a spike where `v > v_threshold`, then `v = 0`; `I` sums the
//! projections of this step's spikes, layer after layer in one step as on the chip. Both take
//! the chip's Bernoulli spikes of the pixels (the network's encoder stream), and inference
//! phases (no learning).

use serde::Serialize;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::Sample;
use spikeforge_sim::model::Learn;
use spikeforge_sim::network::{argmax_by_key, Learned, Network};
use spikeforge_sim::rng::{Stream, Xorshift32};
use spikeforge_sim::rules::bernoulli_spike;

use super::import::{FloatLayer, FloatNet, Source};

/// How the quantised network agrees with the float graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Samples run.
    pub samples: usize,
    /// Samples where both predict the same class, in percent.
    pub same_prediction: f64,
    /// Accuracy of the float graph, in percent.
    pub float_accuracy: f64,
    /// Accuracy of the quantised network, in percent.
    pub chip_accuracy: f64,
    /// Mean over samples and output neurons of `|rate_float - rate_chip|`, spikes per step.
    pub output_rate_error: f64,
    /// Mean firing rate of each layer (hidden, then classifier), float graph, spikes per
    /// neuron per step.
    pub float_rates: Vec<f64>,
    /// The same on the quantised network.
    pub chip_rates: Vec<f64>,
}

struct FloatState {
    v: Vec<f64>,
    spikes: Vec<bool>,
    counts: Vec<u32>,
}

impl FloatState {
    fn new(size: usize) -> Self {
        Self {
            v: vec![0.0; size],
            spikes: vec![false; size],
            counts: vec![0; size],
        }
    }
}

/// One Euler step of a layer, its input spikes given by source.
fn float_step(
    layer: &FloatLayer,
    state: &mut FloatState,
    dt: f64,
    spikes_of: &dyn Fn(Source) -> Vec<bool>,
) {
    let mut current = vec![0.0; layer.size];
    for p in &layer.projections {
        let x = spikes_of(p.source);
        for (i, _) in x.iter().enumerate().filter(|(_, &s)| s) {
            for (n, c) in current.iter_mut().enumerate() {
                *c += p.weight[n * p.inputs + i];
            }
        }
    }
    for (n, &j) in current.iter().enumerate() {
        let v = state.v[n] + dt / layer.tau[n] * (layer.r[n] * j - state.v[n]);
        let spike = v > layer.v_threshold[n];
        state.v[n] = if spike { 0.0 } else { v };
        state.spikes[n] = spike;
        state.counts[n] += u32::from(spike);
    }
}

/// Run `samples` through the float graph `float` (time step `dt`) and the quantised network
/// `cfg` with what it `learned`, one inference phase each.
pub fn compare(
    float: &FloatNet,
    cfg: &NetworkConfig,
    learned: &Learned,
    dt: f64,
    samples: &[Sample],
) -> Agreement {
    let mut net = Network::new(cfg);
    net.set_learned(learned);
    let mut encoder = Xorshift32::for_stream(cfg.seed, Stream::Encoder);
    let layers = float.hidden.len() + 1;
    let steps = cfg.steps as usize;
    let (mut same, mut float_right, mut chip_right, mut rate_error) = (0usize, 0, 0, 0.0);
    let mut float_spikes = vec![0u64; layers];
    let mut chip_spikes = vec![0u64; layers];
    for sample in samples {
        net.reset_phase();
        let mut state: Vec<FloatState> = float
            .hidden
            .iter()
            .chain([&float.classifier])
            .map(|l| FloatState::new(l.size))
            .collect();
        for _ in 0..steps {
            let pixels: Vec<bool> = sample
                .pixels
                .iter()
                .map(|&p| bernoulli_spike(p, encoder.next()))
                .collect();
            net.set_input_spikes(&pixels, None);
            net.step(Learn::OFF);
            for l in 0..layers {
                let (before, rest) = state.split_at_mut(l);
                let layer = if l < float.hidden.len() {
                    &float.hidden[l]
                } else {
                    &float.classifier
                };
                let spikes_of = |source: Source| match source {
                    Source::Pixels => pixels.clone(),
                    Source::Labels => vec![false; float.label_inputs],
                    Source::Hidden(h) => before[h].spikes.clone(),
                };
                float_step(layer, &mut rest[0], dt, &spikes_of);
            }
        }
        let float_out = &state[layers - 1];
        let float_prediction = argmax_by_key(
            float_out
                .counts
                .iter()
                .zip(&float_out.v)
                .map(|(&c, &v)| (c, v)),
        );
        let chip_prediction = net.prediction();
        same += usize::from(float_prediction == chip_prediction);
        float_right += usize::from(float_prediction == usize::from(sample.label));
        chip_right += usize::from(chip_prediction == usize::from(sample.label));
        rate_error += float_out
            .counts
            .iter()
            .zip(&net.classifier.counts)
            .map(|(&f, &c)| (f64::from(f) - f64::from(c)).abs())
            .sum::<f64>()
            / (steps * float_out.counts.len()) as f64;
        let chip_layers = net.hidden.iter().chain([&net.classifier]);
        for (l, (f, c)) in state.iter().zip(chip_layers).enumerate() {
            float_spikes[l] += f.counts.iter().map(|&x| u64::from(x)).sum::<u64>();
            chip_spikes[l] += c.counts.iter().map(|&x| u64::from(x)).sum::<u64>();
        }
    }
    let n = samples.len().max(1) as f64;
    let percent = |x: usize| 100.0 * x as f64 / n;
    let sizes: Vec<usize> = float
        .hidden
        .iter()
        .chain([&float.classifier])
        .map(|l| l.size)
        .collect();
    let rates = |spikes: &[u64]| -> Vec<f64> {
        spikes
            .iter()
            .zip(&sizes)
            .map(|(&s, &size)| s as f64 / (n * steps as f64 * size as f64))
            .collect()
    };
    Agreement {
        samples: samples.len(),
        same_prediction: percent(same),
        float_accuracy: percent(float_right),
        chip_accuracy: percent(chip_right),
        output_rate_error: rate_error / n,
        float_rates: rates(&float_spikes),
        chip_rates: rates(&chip_spikes),
    }
}
