//! `quantdiag`: per-layer firing rates of the fixed-point model beside the float reference, on
//! the same data from the same initial weights, with warnings for silent or saturated layers.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use spikeforge_sim::data::DatasetSpec;
use spikeforge_sim::diag::{compare_rates, rate_warnings};
use spikeforge_sim::float::FloatNetwork;
use spikeforge_sim::network::Network;
use spikeforge_sim::train::{load_run, parse_count, train, TrainOptions};

/// Compare the firing rates of the fixed-point and float models layer by layer.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Network TOML; the embedded default when left out.
    #[arg(long)]
    network: Option<PathBuf>,
    /// `digits:FILE.csv[.gz]` or `mnist:DIR`.
    #[arg(long)]
    dataset: DatasetSpec,
    /// Training samples to learn before measuring (0: the untrained network).
    #[arg(long, default_value_t = 200)]
    train_samples: usize,
    /// Test samples to measure the rates on.
    #[arg(long, default_value = "100", value_parser = parse_count::<NonZeroUsize>)]
    test_samples: NonZeroUsize,
    /// Run seed (replaces the network's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Write the comparison as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(path) = &args.json {
        spikeforge_sim::report::check_output("--json", path)?;
    }
    let (network, dataset) = load_run(args.network.as_deref(), args.seed, &args.dataset)?;
    let opts = TrainOptions {
        epochs: u32::from(args.train_samples > 0),
        train_samples: Some(args.train_samples),
        test_samples: Some(args.test_samples.get()),
    };
    let mut fixed = Network::new(&network);
    let mut float = FloatNetwork::new(&network);
    let a = train(&mut fixed, &dataset, &opts, &mut |_| {});
    let b = train(&mut float, &dataset, &opts, &mut |_| {});
    let rows = compare_rates(&a.test.per_layer_rate, &b.test.per_layer_rate);
    println!(
        "after {} training samples, on {} test samples:",
        a.train_samples, a.test_samples
    );
    println!(
        "{:<12} {:>12} {:>12} {:>8}",
        "layer", "fixed", "float", "ratio"
    );
    for row in &rows {
        let ratio = if row.float > 0.0 {
            format!("{:.3}", row.fixed / row.float)
        } else {
            "-".to_string()
        };
        println!(
            "{:<12} {:>12.5} {:>12.5} {:>8}",
            row.layer, row.fixed, row.float, ratio
        );
    }
    println!(
        "test accuracy: fixed {:.2}%, float {:.2}%",
        a.test.accuracy * 100.0,
        b.test.accuracy * 100.0
    );
    for (model, rates) in [
        ("fixed", &a.test.per_layer_rate),
        ("float", &b.test.per_layer_rate),
    ] {
        for warning in rate_warnings(rates) {
            eprintln!("warning: {model} model: {warning}");
        }
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&rows)? + "\n")
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
