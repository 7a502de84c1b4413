//! `spikeforge infer`: classify test samples on the chip (one inference phase each) and print
//! the accuracy and the confusion matrix.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use spikeforge_host::chip_model::ChipModel;
use spikeforge_host::weights::initial_network;
use spikeforge_sim::data::DatasetSpec;
use spikeforge_sim::report::check_outputs;
use spikeforge_sim::train::{evaluate, parse_count};

use super::{dataset, report_link, write_file, LinkArgs, NetworkArgs};

/// Classify test samples on the chip.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    link: LinkArgs,
    #[command(flatten)]
    network: NetworkArgs,
    /// `digits:FILE.csv[.gz]` or `mnist:DIR`.
    #[arg(long)]
    dataset: DatasetSpec,
    /// Weights file (`train --save-weights`, weights alone, or a dump); the network's seeded
    /// initial weights when left out.
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Use only the first N test samples.
    #[arg(long, value_parser = parse_count::<NonZeroUsize>)]
    test_samples: Option<NonZeroUsize>,
    /// Write the evaluation (accuracy, rates, confusion) as JSON here.
    #[arg(long)]
    report: Option<PathBuf>,
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        check_outputs(&[("--report", self.report.as_deref())])?;
        let cfg = self.network.load()?;
        let data = dataset(&self.dataset, &cfg)?;
        let net = initial_network(&cfg, self.weights.as_deref())?;
        let client = self.link.connect(&cfg)?;
        let port = client.link().describe();
        let mut chip = ChipModel::load(client, &cfg, &net)?;
        let n = self
            .test_samples
            .map_or(usize::MAX, NonZeroUsize::get)
            .min(data.test.len());
        let result = evaluate(&mut chip, &data.test[..n]);
        if let Some(err) = chip.take_failure() {
            return Err(err).context(format!("inference on {port} stopped"));
        }
        report_link(&mut chip.client())?;
        if let Some(path) = &self.report {
            write_file(path, &(serde_json::to_string_pretty(&result)? + "\n"))?;
        }
        println!("samples: {n} test samples of {}", self.dataset);
        println!(
            "rates per layer (spikes per neuron per step): {:?}",
            result.per_layer_rate
        );
        println!("confusion (rows: true class, columns: predicted):");
        let classes = result.confusion.len();
        let header: Vec<String> = (0..classes).map(|k| format!("{k:>5}")).collect();
        println!("     {}", header.join(""));
        for (truth, row) in result.confusion.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|c| format!("{c:>5}")).collect();
            println!("{truth:>4} {}", cells.join(""));
        }
        println!("test accuracy: {:.2}%", result.accuracy * 100.0);
        Ok(())
    }
}
