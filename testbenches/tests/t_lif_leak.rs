//! LIF leak in co-simulation: for every `leak_shift` (0..=15, both layers), the small core's
//! neurons start at random membranes and leak for a few inference steps with no input (all
//! pixels 0) and with nearly every pixel spiking (all 255); thresholds are at the top of the
//! range, so nothing spikes and the membrane only moves toward the input current. All state is
//! compared with the golden model after every step, and each hidden membrane is checked
//! against the rule of docs/spec.md §2: `v' = v + ((j - v) >> leak_shift)`, `j` the
//! saturated sum of the weights of the spiking rows.

use spikeforge_sim::network::Network;
use spikeforge_sim::rng::Xorshift32;
use spikeforge_sim::rules::sat_i16;
use spikeforge_testbenches::golden::{draw, Bench, Phase};
use spikeforge_testbenches::model::SMALL;

/// Inference steps per run.
const STEPS: u32 = 4;

/// Run the small core with `leak_shift` in both layers and every pixel at `pixel`; returns
/// how many hidden membranes moved.
fn leak(leak_shift: u8, pixel: u8, seed: u32) -> usize {
    let mut cfg = SMALL
        .config()
        .unwrap_or_else(|e| panic!("network of core small: {e}"));
    for layer in [&mut cfg.hidden[0], &mut cfg.classifier] {
        layer.leak_shift = leak_shift;
        layer.threshold = i16::MAX;
        layer.adapt_step = 0;
    }
    let mut net = Network::new(&cfg);
    let mut rng = Xorshift32::new(seed);
    for layer in [&mut net.hidden[0], &mut net.classifier] {
        for neuron in &mut layer.neurons {
            neuron.v = draw(&mut rng, i16::MIN.into(), i16::MAX.into());
            neuron.refractory = 0;
        }
    }
    let pixels = vec![pixel; cfg.inputs];
    let mut bench = Bench::with_state(&SMALL, cfg, net, pixels, rng)
        .unwrap_or_else(|m| panic!("leak_shift {leak_shift}: {m}"));
    let size = bench.cfg.hidden[0].size;
    let mut moved = 0;
    for step in 0..STEPS {
        let before: Vec<i16> = bench.net.hidden[0].neurons.iter().map(|n| n.v).collect();
        bench
            .run_steps(&Phase::inference(), 1)
            .unwrap_or_else(|m| panic!("leak_shift {leak_shift}, pixels {pixel}: {m}"));
        let layer = &bench.net.hidden[0];
        assert_eq!(layer.spike_total(), 0, "a hidden neuron spiked");
        for (n, &v) in before.iter().enumerate() {
            let sum: i64 = layer
                .events
                .iter()
                .map(|&row| i64::from(layer.weights[row * size + n]))
                .sum();
            let j = i32::from(sat_i16(sum));
            let want = i32::from(v) + ((j - i32::from(v)) >> leak_shift);
            let got = layer.neurons[n].v;
            assert_eq!(
                i32::from(got),
                want,
                "leak_shift {leak_shift}, pixels {pixel}, step {step}: hidden.v[{n}] from {v} \
                 with j = {j}"
            );
            moved += usize::from(got != v);
        }
    }
    moved
}

#[test]
fn t_lif_leak() {
    for leak_shift in 0..=15u8 {
        let seed = 0x01EA_C000 + u32::from(leak_shift);
        let silent = leak(leak_shift, 0, seed);
        let driven = leak(leak_shift, 255, seed ^ 0xFFFF);
        // Random 16-bit membranes are far from 0 and from the input: a shift below 15 must
        // move some of them.
        if leak_shift < 15 {
            assert!(
                silent > 0 && driven > 0,
                "leak_shift {leak_shift}: {silent} membranes moved without input, {driven} with"
            );
        }
    }
}
