//! `spikeforge load`: put a network (and weights) on the chip, read everything back and
//! compare it with what was written.

use std::path::PathBuf;

use clap::Args;
use spikeforge_host::chip_model;
use spikeforge_host::snapshot::Snapshot;
use spikeforge_host::weights::initial_network;

use super::{report_link, LinkArgs, NetworkArgs};

/// Load a network onto the chip.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    link: LinkArgs,
    #[command(flatten)]
    network: NetworkArgs,
    /// Weights file (`train --save-weights`: weights and homeostatic thresholds; weights alone;
    /// or a dump); the network's seeded initial weights when left out.
    #[arg(long)]
    weights: Option<PathBuf>,
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        let cfg = self.network.load()?;
        let net = initial_network(&cfg, self.weights.as_deref())?;
        let mut client = self.link.connect(&cfg)?;
        let pixels = vec![0u8; cfg.inputs];
        chip_model::load(&mut client, &cfg, &net, &pixels)?;
        let read = Snapshot::read(&mut client)?;
        let diff = read.diff(&Snapshot::of(&net, &pixels));
        report_link(&mut client)?;
        anyhow::ensure!(
            diff.total == 0,
            "read back {} values, {} differ from what was written; first: {}",
            diff.compared,
            diff.total,
            diff.first.join("; ")
        );
        println!(
            "loaded network {:?} ({} weights, {}) on {}: read back {} values, all as written",
            cfg.name,
            read.weight_matrices()
                .iter()
                .map(|m| m.len().to_string())
                .collect::<Vec<_>>()
                .join(" + "),
            match &self.weights {
                Some(path) => format!("from {}", path.display()),
                None => format!("initial, seed {}", cfg.seed),
            },
            client.link().describe(),
            diff.compared
        );
        Ok(())
    }
}
