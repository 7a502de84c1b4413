//! `spikeforge dump`: everything the chip holds (pixels, W, C, neuron state of both layers,
//! threshold offsets, goodness, generator states) into a JSON file.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use spikeforge_host::chip_model;
use spikeforge_host::snapshot::Snapshot;
use spikeforge_host::weights::initial_network;
use spikeforge_sim::report::check_output;

use super::{report_link, write_file, LinkArgs, NetworkArgs};

/// Read the chip into a JSON file.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(flatten)]
    link: LinkArgs,
    #[command(flatten)]
    network: NetworkArgs,
    /// The JSON file to write.
    #[arg(long)]
    out: PathBuf,
    /// Load the network (and --weights) first; without it the chip is read as it is (with
    /// `--port sim`: at power-up).
    #[arg(long)]
    load: bool,
    /// Weights to load with --load.
    #[arg(long, requires = "load")]
    weights: Option<PathBuf>,
}

/// A dump file: the link and the snapshot's fields.
#[derive(Debug, Serialize)]
pub struct Dump<'a> {
    /// The link it was read from.
    pub port: String,
    /// Everything read.
    #[serde(flatten)]
    pub snapshot: &'a Snapshot,
}

/// The JSON text of a dump.
pub fn dump_json(port: String, snapshot: &Snapshot) -> anyhow::Result<String> {
    Ok(serde_json::to_string(&Dump { port, snapshot })? + "\n")
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        check_output("--out", &self.out)?;
        let cfg = self.network.load()?;
        let mut client = self.link.connect(&cfg)?;
        if self.load {
            let net = initial_network(&cfg, self.weights.as_deref())?;
            chip_model::load(&mut client, &cfg, &net, &vec![0u8; cfg.inputs])?;
        }
        let snapshot = Snapshot::read(&mut client)?;
        let port = client.link().describe();
        write_file(&self.out, &dump_json(port.clone(), &snapshot)?)?;
        report_link(&mut client)?;
        println!(
            "dumped {} values from {port} to {}",
            snapshot.values().len(),
            self.out.display()
        );
        Ok(())
    }
}
