//! Benchmarks of the golden model (`cargo bench -p spikeforge-sim`):
//! one CSDP update of a 64x128 weight matrix with every presynaptic neuron spiking, and the
//! training and inference samples per second of the default and the MNIST network on real
//! digits.

use std::hint::black_box;
use std::time::{Duration, Instant};

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::{load, DatasetSpec};
use spikeforge_sim::model::{Learn, Model};
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

/// `report`, and the samples per second the mean time makes.
fn report_rate(name: &str, times: (Duration, Duration)) {
    report(name, times);
    println!(
        "{:<48} {:>10.1} samples/s",
        "",
        1.0 / times.0.as_secs_f64().max(1e-12)
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

    // Training and inference samples per second on real digits, one CPU core, for the
    // default network and the 28x28 network (on the MNIST development set beside the
    // repository, as in the workspace layout).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let networks = [
        (
            NetworkConfig::default_network()?,
            DatasetSpec::Digits(root.join("data/digits.csv.gz")),
        ),
        (
            NetworkConfig::from_file(&root.join("networks/mnist.toml"))?,
            DatasetSpec::Mnist(root.join("../shared/datasets/mnist-dev")),
        ),
    ];
    for (cfg, spec) in networks {
        let data = load(&spec)?;
        let train = &data.train;
        let mut net = Network::new(&cfg);
        let mut negative = Xorshift32::new(3);
        let mut i = 0;
        let learn = measure(budget, || {
            learn_sample(&mut net, &train[i % train.len()], train, &mut negative);
            i += 1;
        });
        report_rate(&format!("{}: training sample (3 phases)", cfg.name), learn);
        let infer = measure(budget, || {
            net.run_phase(&train[i % train.len()].pixels, None, Learn::OFF);
            i += 1;
        });
        report_rate(&format!("{}: inference sample", cfg.name), infer);
    }
    Ok(())
}
