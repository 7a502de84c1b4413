//! `spikeforge train`: the training loop of `spikeforge_sim::train` with the chip as its
//! model; the JSON report of `spikeforge-sim train` with the link's counters added.

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use spikeforge_host::chip_model::ChipModel;
use spikeforge_host::client::LinkStats;
use spikeforge_host::weights::{initial_network, write_learned};
use spikeforge_sim::data::DatasetSpec;
use spikeforge_sim::model::{digest_weights, Model};
use spikeforge_sim::report::{check_outputs, ModelKind, ProgressBar, TrainReport};
use spikeforge_sim::train::{parse_count, train, TrainOptions};

use super::dump::dump_json;
use super::{dataset, report_link, write_file, LinkArgs, NetworkArgs};

/// Train on the chip.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    link: LinkArgs,
    #[command(flatten)]
    network: NetworkArgs,
    /// `digits:FILE.csv[.gz]` or `mnist:DIR`.
    #[arg(long)]
    dataset: DatasetSpec,
    /// Passes over the training samples.
    #[arg(long, value_parser = parse_count::<NonZeroU32>)]
    epochs: NonZeroU32,
    /// Use only the first N training samples.
    #[arg(long, value_parser = parse_count::<NonZeroUsize>)]
    train_samples: Option<NonZeroUsize>,
    /// Use only the first N test samples.
    #[arg(long, value_parser = parse_count::<NonZeroUsize>)]
    test_samples: Option<NonZeroUsize>,
    /// Start from these weights instead of the network's seeded initial weights.
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Write the JSON report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write what the chip learned here: `{"weights": [[W0...], ..., [C...]], "homeostasis":
    /// [[h0...], ..., [hC...]]}`, one matrix and one vector of homeostatic thresholds per layer.
    #[arg(long)]
    save_weights: Option<PathBuf>,
    /// Write a dump of everything the chip holds after training here.
    #[arg(long)]
    dump: Option<PathBuf>,
}

/// The report: `spikeforge-sim train`'s fields, the link and its counters.
#[derive(Debug, Serialize)]
pub struct HostTrainReport {
    #[serde(flatten)]
    train: TrainReport,
    /// The link, as named by the transport.
    port: String,
    /// The session's link counters.
    link: LinkStats,
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        let start = Instant::now();
        check_outputs(&[
            ("--report", self.report.as_deref()),
            ("--save-weights", self.save_weights.as_deref()),
            ("--dump", self.dump.as_deref()),
        ])?;
        let cfg = self.network.load()?;
        let data = dataset(&self.dataset, &cfg)?;
        let net = initial_network(&cfg, self.weights.as_deref())?;
        let client = self.link.connect(&cfg)?;
        let port = client.link().describe();
        eprintln!("training on {port}");
        let mut chip = ChipModel::load(client, &cfg, &net)?;
        let opts = TrainOptions {
            epochs: self.epochs.get(),
            train_samples: self.train_samples.map(NonZeroUsize::get),
            test_samples: self.test_samples.map(NonZeroUsize::get),
        };
        let mut bar = ProgressBar::new(opts.epochs);
        let outcome = train(&mut chip, &data, &opts, &mut |p| {
            bar.show(p);
        });
        // One read of the weights gives the digest and, when asked for, the weights file
        // (MNIST's W is 301,056 words: seconds over a UART).
        let learned = match &self.save_weights {
            Some(_) if !chip.failed() => Some(chip.learned()?),
            _ => None,
        };
        let digest = match &learned {
            Some(learned) => digest_weights(learned.weights.iter().map(Vec::as_slice)),
            None => chip.weights_digest(),
        };
        if let Some(err) = chip.take_failure() {
            return Err(err).context(format!("training on {port} stopped"));
        }
        if let (Some(path), Some(learned)) = (&self.save_weights, &learned) {
            write_learned(path, learned)?;
        }
        if let Some(path) = &self.dump {
            let snapshot = chip.snapshot()?;
            write_file(path, &dump_json(port.clone(), &snapshot)?)?;
        }
        let link = report_link(&mut chip.client())?;
        let report = TrainReport::new(
            &outcome,
            opts.epochs,
            ModelKind::Fixed,
            self.dataset.to_string(),
            &cfg,
            digest,
            start.elapsed().as_secs_f64(),
        );
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
        eprintln!(
            "train accuracy: {:.2}%, rates per layer: {:?}, weights digest {}, {:.1}s",
            report.train_accuracy * 100.0,
            report.per_layer_rate,
            report.weights_digest,
            report.seconds
        );
        let test_accuracy = report.test_accuracy;
        if let Some(path) = &self.report {
            let full = HostTrainReport {
                train: report,
                port,
                link,
            };
            write_file(path, &(serde_json::to_string_pretty(&full)? + "\n"))?;
        }
        println!("test accuracy: {:.2}%", test_accuracy * 100.0);
        Ok(())
    }
}
