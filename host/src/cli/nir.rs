//! `spikeforge nir export|import`: a trained network out to a NIR graph, and a NIR graph in to
//! a network file and weights the chip loads and trains further (`docs/nir.md`).

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use spikeforge_host::nir::import::{import, ImportOptions};
use spikeforge_host::nir::{export::export, simulate, Graph, NirError, DEFAULT_DT};
use spikeforge_host::weights::{initial_network, write_learned};
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::data::DatasetSpec;
use spikeforge_sim::report::check_outputs;
use spikeforge_sim::train::parse_count;

use super::{dataset, write_file, NetworkArgs};

/// NIR graphs in and out.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Write a network and its weights as a NIR graph (HDF5).
    Export(Export),
    /// Turn a NIR graph into a network file and weights for the chip, with a quantisation
    /// report.
    Import(Import),
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            Cmd::Export(cmd) => cmd.run(),
            Cmd::Import(cmd) => cmd.run(),
        }
    }
}

/// Seconds per time step: a float greater than 0.
fn parse_dt(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(dt) if dt.is_finite() && dt > 0.0 => Ok(dt),
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

/// Write a network and its weights as a NIR graph.
#[derive(Debug, Args)]
pub struct Export {
    #[command(flatten)]
    network: NetworkArgs,
    /// Weights file (`train --save-weights`, weights alone, or a dump); the network's seeded
    /// initial weights when left out.
    #[arg(long)]
    weights: Option<PathBuf>,
    /// The NIR file to write.
    #[arg(long)]
    out: PathBuf,
    /// Seconds per chip time step: each LIF's tau is dt * 2^leak_shift.
    #[arg(long, default_value_t = DEFAULT_DT, value_parser = parse_dt)]
    dt: f64,
}

impl Export {
    fn run(self) -> anyhow::Result<()> {
        check_outputs(&[("--out", Some(&self.out))])?;
        let cfg = self.network.load()?;
        let net = initial_network(&cfg, self.weights.as_deref())?;
        let exported = export(&cfg, &net.learned(), self.dt)?;
        write_graph(&self.out, &exported.graph)?;
        for note in &exported.notes {
            eprintln!("note: {note}");
        }
        println!(
            "exported network {:?} ({} weights, {}) to {}: {} nodes, {} edges, dt = {} s",
            cfg.name,
            cfg.synapses(),
            match &self.weights {
                Some(path) => format!("from {}", path.display()),
                None => format!("initial, seed {}", cfg.seed),
            },
            self.out.display(),
            exported.graph.nodes.len(),
            exported.graph.edges.len(),
            self.dt
        );
        Ok(())
    }
}

/// Turn a NIR graph into a network file and weights.
#[derive(Debug, Args)]
pub struct Import {
    /// The NIR file to read.
    file: PathBuf,
    /// The network TOML to write.
    #[arg(long)]
    out_network: PathBuf,
    /// The weights JSON to write.
    #[arg(long)]
    out_weights: PathBuf,
    /// Network whose settings NIR does not hold (steps, negatives, seed, learning
    /// parameters) the new network takes; the embedded default (networks/digits.toml) when
    /// left out.
    #[arg(long)]
    template: Option<PathBuf>,
    /// Weight width in bits (2..=16); the template's when left out.
    #[arg(long, value_parser = clap::value_parser!(u8).range(2..=16))]
    weight_bits: Option<u8>,
    /// Keep the template's thresholds: the graph's unit is a layer's threshold in the template
    /// (weights beyond the range clip), instead of scaling each layer to use the weight range.
    #[arg(long)]
    keep_thresholds: bool,
    /// Seconds per chip time step: leak shifts are the nearest log2(tau / dt).
    #[arg(long, default_value_t = DEFAULT_DT, value_parser = parse_dt)]
    dt: f64,
    /// Name of the new network; the template's with --template, else the file's stem.
    #[arg(long)]
    name: Option<String>,
    /// Compare the float graph and the quantised network on this dataset's test samples
    /// (`digits:FILE.csv[.gz]` or `mnist:DIR`).
    #[arg(long)]
    dataset: Option<DatasetSpec>,
    /// Test samples of --dataset to compare on.
    #[arg(long, default_value = "100", value_parser = parse_count::<NonZeroUsize>, requires = "dataset")]
    samples: NonZeroUsize,
    /// Write the quantisation report as JSON here.
    #[arg(long)]
    report: Option<PathBuf>,
}

impl Import {
    fn run(self) -> anyhow::Result<()> {
        check_outputs(&[
            ("--out-network", Some(&self.out_network)),
            ("--out-weights", Some(&self.out_weights)),
            ("--report", self.report.as_deref()),
        ])?;
        let template = match &self.template {
            Some(path) => NetworkConfig::from_file(path)?,
            None => NetworkConfig::default_network()?,
        };
        let name = match (&self.name, &self.template) {
            (Some(name), _) => name.clone(),
            (None, Some(_)) => template.name.clone(),
            (None, None) => self
                .file
                .file_stem()
                .map_or_else(|| "imported".to_string(), |s| s.to_string_lossy().into()),
        };
        let graph = read_graph(&self.file)?;
        let imported = import(
            &graph,
            &ImportOptions {
                name,
                template,
                weight_bits: self.weight_bits,
                keep_thresholds: self.keep_thresholds,
                dt: self.dt,
            },
        )?;
        let cfg = &imported.cfg;
        let agreement = match &self.dataset {
            Some(spec) => {
                let data = dataset(spec, cfg)?;
                let n = self.samples.get().min(data.test.len());
                eprintln!("comparing the float graph and the chip on {n} test samples of {spec}");
                Some(simulate::compare(
                    &imported.float,
                    cfg,
                    &imported.learned,
                    self.dt,
                    &data.test[..n],
                ))
            }
            None => None,
        };
        write_file(&self.out_network, &cfg.to_toml())?;
        write_learned(&self.out_weights, &imported.learned)?;

        println!(
            "imported {} as network {:?}: {} inputs, hidden {}, {} classes, {}-bit weights",
            self.file.display(),
            cfg.name,
            cfg.inputs,
            cfg.hidden
                .iter()
                .map(|l| l.size.to_string())
                .collect::<Vec<_>>()
                .join("-"),
            cfg.classes,
            cfg.weight_bits
        );
        for l in &imported.layers {
            println!(
                "  {:<12} scale {:>10.3} LSB/unit  threshold {:>5} ({:.2})  leak_shift {:>2} (tau error \
                 {:.2} %)  weights {:>7}: {} clipped, rounding error rms {:.3} max {:.3} LSB, homeostasis up \
                 to {}",
                l.node,
                l.scale,
                l.threshold,
                l.threshold_exact,
                l.leak_shift,
                100.0 * l.tau_error,
                l.weights,
                l.clipped,
                l.rms_error,
                l.max_error,
                l.homeostasis_max
            );
        }
        for note in &imported.notes {
            println!("  note: {note}");
        }
        if let Some(a) = &agreement {
            let rates = |r: &[f64]| {
                r.iter()
                    .map(|x| format!("{x:.4}"))
                    .collect::<Vec<_>>()
                    .join(" / ")
            };
            println!(
                "  float graph vs chip on {} samples: same prediction {:.2} %, accuracy {:.2} % \
                 float, {:.2} % chip; output rate error {:.4} spikes/step; layer rates {} \
                 float, {} chip",
                a.samples,
                a.same_prediction,
                a.float_accuracy,
                a.chip_accuracy,
                a.output_rate_error,
                rates(&a.float_rates),
                rates(&a.chip_rates)
            );
        }
        if let Some(path) = &self.report {
            let report = serde_json::json!({
                "network": cfg.name,
                "layers": imported.layers,
                "notes": imported.notes,
                "agreement": agreement,
            });
            write_file(path, &(serde_json::to_string_pretty(&report)? + "\n"))?;
        }
        println!(
            "wrote {} and {}",
            self.out_network.display(),
            self.out_weights.display()
        );
        Ok(())
    }
}

#[cfg(feature = "nir")]
fn read_graph(path: &Path) -> Result<Graph, NirError> {
    spikeforge_host::nir::file::read(path)
}

#[cfg(feature = "nir")]
fn write_graph(path: &Path, graph: &Graph) -> Result<(), NirError> {
    spikeforge_host::nir::file::write(path, graph)
}

#[cfg(not(feature = "nir"))]
const NO_FEATURE: &str = "this spikeforge was built without the `nir` feature (HDF5 files, \
                          through libhdf5-dev): rebuild with `--features nir`";

#[cfg(not(feature = "nir"))]
fn read_graph(path: &Path) -> Result<Graph, NirError> {
    Err(NirError::File {
        path: path.display().to_string(),
        reason: NO_FEATURE.to_string(),
    })
}

#[cfg(not(feature = "nir"))]
fn write_graph(path: &Path, _graph: &Graph) -> Result<(), NirError> {
    Err(NirError::File {
        path: path.display().to_string(),
        reason: NO_FEATURE.to_string(),
    })
}
