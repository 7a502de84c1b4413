//! `spikeforge verify`: the training loop drives the chip and the golden model together
//! ([`Lockstep`]); every phase's prediction and spike counts are compared, then everything
//! both hold. Zero differences, or the first ones and an error.

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use spikeforge_host::chip_model::ChipModel;
use spikeforge_host::lockstep::Lockstep;
use spikeforge_host::weights::initial_network;
use spikeforge_sim::data::DatasetSpec;
use spikeforge_sim::train::{parse_count, train, TrainOptions};

use super::{dataset, report_link, LinkArgs, NetworkArgs};

/// Compare the chip with the golden model.
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
    #[arg(long, default_value = "1", value_parser = parse_count::<NonZeroU32>)]
    epochs: NonZeroU32,
    /// Training samples (the first N).
    #[arg(long, default_value = "20", value_parser = parse_count::<NonZeroUsize>)]
    train_samples: NonZeroUsize,
    /// Test samples (the first N).
    #[arg(long, default_value = "20", value_parser = parse_count::<NonZeroUsize>)]
    test_samples: NonZeroUsize,
    /// Start both from these weights instead of the network's seeded initial weights.
    #[arg(long)]
    weights: Option<PathBuf>,
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        let cfg = self.network.load()?;
        let data = dataset(&self.dataset, &cfg)?;
        let net = initial_network(&cfg, self.weights.as_deref())?;
        let client = self.link.connect(&cfg)?;
        let port = client.link().describe();
        let chip = ChipModel::load(client, &cfg, &net)?;
        let mut both = Lockstep::new(chip, net);
        let opts = TrainOptions {
            epochs: self.epochs.get(),
            train_samples: Some(self.train_samples.get()),
            test_samples: Some(self.test_samples.get()),
        };
        let outcome = train(&mut both, &data, &opts, &mut |_| {});
        if let Some(err) = both.chip.take_failure() {
            return Err(err).context(format!("verify on {port} stopped"));
        }
        let chip_state = both.chip.snapshot()?;
        let state = chip_state.diff(&both.golden_snapshot());
        report_link(&mut both.chip.client())?;
        let phases = both.diffs();
        println!(
            "phases: {} on {port} and the golden model ({} training and {} test samples, {} \
             epochs), {} differ in prediction or spike counts",
            phases.phases, outcome.train_samples, outcome.test_samples, self.epochs, phases.total
        );
        println!(
            "state: {} of {} values differ (pixels, W, C, neuron state, offsets, goodness, \
             generators)",
            state.total, state.compared
        );
        println!(
            "test accuracy: {:.2}% (train {:.2}%)",
            outcome.test.accuracy * 100.0,
            outcome.train.accuracy * 100.0
        );
        if phases.total > 0 || state.total > 0 {
            let first: Vec<&str> = phases
                .first
                .iter()
                .chain(&state.first)
                .map(String::as_str)
                .take(5)
                .collect();
            anyhow::bail!(
                "the chip on {port} and the golden model differ in {} phases and {} values; \
                 first: {}",
                phases.total,
                state.total,
                first.join("; ")
            );
        }
        println!("verify: 0 differences");
        Ok(())
    }
}
