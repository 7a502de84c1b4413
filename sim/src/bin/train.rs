//! `train`: train the default or a given network on a dataset and write a JSON report.

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use spikeforge_sim::data::DatasetSpec;
use spikeforge_sim::model::Model;
use spikeforge_sim::network::Network;
use spikeforge_sim::report::{check_outputs, ModelKind, ProgressBar, TrainReport};
use spikeforge_sim::train::{load_run, parse_count, train, TrainOptions};

/// Train a spiking CSDP network on chip arithmetic (or the float reference).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Network TOML; the embedded default (networks/digits.toml) when left out.
    #[arg(long)]
    network: Option<PathBuf>,
    /// `digits:FILE.csv[.gz]` or `mnist:DIR`.
    #[arg(long)]
    dataset: DatasetSpec,
    /// Use only the first N training samples.
    #[arg(long, value_parser = parse_count::<NonZeroUsize>)]
    train_samples: Option<NonZeroUsize>,
    /// Use only the first N test samples.
    #[arg(long, value_parser = parse_count::<NonZeroUsize>)]
    test_samples: Option<NonZeroUsize>,
    /// Passes over the training samples.
    #[arg(long, value_parser = parse_count::<NonZeroU32>)]
    epochs: NonZeroU32,
    /// Run seed (replaces the network's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Write the JSON report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Run the f32 reference instead of the fixed-point golden model.
    #[arg(long)]
    float: bool,
    /// Write what the network learned here: JSON `{"weights": [[W0...], ..., [C...]],
    /// "homeostasis": [[h0...], ..., [hC...]]}` (row-major matrices and the homeostatic
    /// thresholds, one per layer); with --float, the float weights `[[W0...], ..., [C...]]`.
    #[arg(long)]
    save_weights: Option<PathBuf>,
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
    let start = Instant::now();
    check_outputs(&[
        ("--report", args.report.as_deref()),
        ("--save-weights", args.save_weights.as_deref()),
    ])?;
    let (network, dataset) = load_run(args.network.as_deref(), args.seed, &args.dataset)?;
    let opts = TrainOptions {
        epochs: args.epochs.get(),
        train_samples: args.train_samples.map(NonZeroUsize::get),
        test_samples: args.test_samples.map(NonZeroUsize::get),
    };
    let mut bar = ProgressBar::new(opts.epochs);
    let (kind, outcome, digest, weights) = if args.float {
        let mut model = spikeforge_sim::float::FloatNetwork::new(&network);
        let outcome = train(&mut model, &dataset, &opts, &mut |p| bar.show(p));
        let weights = serde_json::to_string(&model.weight_matrices())?;
        (ModelKind::Float, outcome, model.weights_digest(), weights)
    } else {
        let mut model = Network::new(&network);
        let outcome = train(&mut model, &dataset, &opts, &mut |p| bar.show(p));
        let weights = model.learned().to_json();
        (ModelKind::Fixed, outcome, model.weights_digest(), weights)
    };
    let report = TrainReport::new(
        &outcome,
        opts.epochs,
        kind,
        args.dataset.to_string(),
        &network,
        digest,
        start.elapsed().as_secs_f64(),
    );
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(path) = &args.save_weights {
        std::fs::write(path, weights)
            .with_context(|| format!("cannot write weights to {}", path.display()))?;
    }
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write report to {}", path.display()))?;
    }
    eprintln!(
        "train accuracy: {:.2}%, rates per layer: {:?}, {:.1}s",
        report.train_accuracy * 100.0,
        report.per_layer_rate,
        report.seconds
    );
    println!("test accuracy: {:.2}%", report.test_accuracy * 100.0);
    Ok(())
}
