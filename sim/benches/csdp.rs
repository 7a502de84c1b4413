//! Benchmarks of the golden model (`cargo bench -p spikeforge-sim`):
//! one CSDP update of a 64x128 weight matrix with every presynaptic neuron spiking, and one
//! full training sample (all phases) of the default network.

use std::hint::black_box;
use std::time::{Duration, Instant};

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::Sample;
use spikeforge_sim::network::{csdp_rows, Network};
use spikeforge_sim::rng::Xorshift32;
use spikeforge_sim::rules::LearnParams;
use spikeforge_sim::train::learn_sample;

/// Run `f` repeatedly for about `budget` after a warm-up; return (mean, best) per call.
fn measure(budget: Duration, mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..10 {
        f();
    }
    let start = Instant::now();
    let mut best = Duration::MAX;
    let mut calls = 0u32;
    while start.elapsed() < budget {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
        calls += 1;
    }
    (start.elapsed() / calls.max(1), best)
}

fn report(name: &str, (mean, best): (Duration, Duration)) {
    println!(
        "{name:<48} mean {:>10.2} us   best {:>10.2} us",
        mean.as_secs_f64() * 1e6,
        best.as_secs_f64() * 1e6
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let budget = Duration::from_secs(2);

    let (rows, cols) = (64usize, 128usize);
    let mut rng = Xorshift32::new(1);
    let mut weights: Vec<i16> = (0..rows * cols)
        .map(|_| (rng.next() % 255) as i16 - 127)
        .collect();
    let trace: Vec<u8> = (0..cols).map(|_| (rng.next() & 0xFF) as u8).collect();
    let events: Vec<usize> = (0..rows).collect();
    let params = LearnParams {
        learn_shift: 16,
        decay_shift: 0,
        w_max: 127,
    };
    report(
        "csdp update 64x128, all presynaptic spiking",
        measure(budget, || {
            csdp_rows(
                black_box(&mut weights),
                black_box(&events),
                black_box(-200),
                black_box(&trace),
                &mut rng,
                params,
            );
        }),
    );

    let cfg = NetworkConfig::default_network()?;
    let mut net = Network::new(&cfg);
    let mut pixel_rng = Xorshift32::new(2);
    let train: Vec<Sample> = (0..16u8)
        .map(|k| Sample {
            pixels: (0..cfg.inputs)
                .map(|_| (pixel_rng.next() & 0xFF) as u8)
                .collect(),
            label: k % 10,
        })
        .collect();
    let mut negative = Xorshift32::new(3);
    let mut i = 0;
    report(
        &format!(
            "training sample, default network ({} steps/phase)",
            cfg.steps
        ),
        measure(budget, || {
            learn_sample(&mut net, &train[i % train.len()], &train, &mut negative);
            i += 1;
        }),
    );
    Ok(())
}
