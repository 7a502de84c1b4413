//! `spikeforge plot`: SVG figures. `raster` runs one inference phase of a test sample on the
//! chip step by step and draws when each neuron spiked; `weights` draws the hidden layer's
//! incoming pixel weights as images; `accuracy` draws the test accuracy per epoch of a
//! training report.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use spikeforge_host::chip_model;
use spikeforge_host::client::Client;
use spikeforge_host::plot::{accuracy_curve, raster, weight_images, LayerRaster};
use spikeforge_host::weights::{initial_network, read_weights};
use spikeforge_sim::core_interface::{CoreShape, LayerId, StateField, StepCommand};
use spikeforge_sim::data::DatasetSpec;
use spikeforge_sim::model::Learn;
use spikeforge_sim::report::check_output;
use spikeforge_sim::rules::weight_max;
use spikeforge_sim::wire::Space;

use super::{dataset, report_link, write_file, LinkArgs, NetworkArgs};

/// Draw an SVG figure.
#[derive(Debug, Args)]
pub struct Cmd {
    #[command(subcommand)]
    figure: Figure,
}

#[derive(Debug, Subcommand)]
enum Figure {
    /// Spike raster of one test sample's inference phase on the chip.
    Raster(Raster),
    /// The hidden layer's learned weights, one image per neuron.
    Weights(Weights),
    /// Test accuracy per epoch from a training report.
    Accuracy(Accuracy),
}

#[derive(Debug, Args)]
struct Raster {
    #[command(flatten)]
    link: LinkArgs,
    #[command(flatten)]
    network: NetworkArgs,
    /// `digits:FILE.csv[.gz]` or `mnist:DIR`.
    #[arg(long)]
    dataset: DatasetSpec,
    /// Weights to load; the network's seeded initial weights when left out.
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Index of the test sample.
    #[arg(long, default_value_t = 0)]
    sample: usize,
    /// The SVG file to write.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct Weights {
    #[command(flatten)]
    network: NetworkArgs,
    /// Weights file (`train --save-weights`, weights alone, or a dump).
    #[arg(long)]
    from: PathBuf,
    /// Image width in pixels; the square root of the network's inputs when left out.
    #[arg(long)]
    image_width: Option<usize>,
    /// Images per row (at least 1).
    #[arg(long, default_value = "16")]
    columns: std::num::NonZeroUsize,
    /// The SVG file to write.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct Accuracy {
    /// A training report (`spikeforge train --report` or `spikeforge-sim train --report`).
    #[arg(long)]
    report: PathBuf,
    /// The SVG file to write.
    #[arg(long)]
    out: PathBuf,
}

impl Cmd {
    pub fn run(self) -> anyhow::Result<()> {
        let out = match &self.figure {
            Figure::Raster(args) => &args.out,
            Figure::Weights(args) => &args.out,
            Figure::Accuracy(args) => &args.out,
        };
        check_output("--out", out)?;
        let (out, svg) = match self.figure {
            Figure::Raster(args) => (args.out.clone(), args.draw()?),
            Figure::Weights(args) => (args.out.clone(), args.draw()?),
            Figure::Accuracy(args) => (args.out.clone(), args.draw()?),
        };
        write_file(&out, &svg)?;
        println!("wrote {}", out.display());
        Ok(())
    }
}

/// One layer's spike counts.
fn counts(client: &mut Client, shape: &CoreShape, layer: LayerId) -> anyhow::Result<Vec<u32>> {
    let start = usize::from(shape.state_address(layer, StateField::Count, 0));
    Ok(client.read(Space::State, start, shape.size(layer))?)
}

impl Raster {
    fn draw(&self) -> anyhow::Result<String> {
        let cfg = self.network.load()?;
        let data = dataset(&self.dataset, &cfg)?;
        let sample = data.test.get(self.sample).with_context(|| {
            format!(
                "--sample {}: dataset {} has {} test samples",
                self.sample,
                self.dataset,
                data.test.len()
            )
        })?;
        let net = initial_network(&cfg, self.weights.as_deref())?;
        let mut client = self.link.connect(&cfg)?;
        chip_model::load(&mut client, &cfg, &net, &sample.pixels)?;
        let shape = CoreShape::of(&cfg);
        let word = StepCommand::of(Learn::OFF, None).word();
        client.phase_reset()?;
        let mut last: Vec<Vec<u32>> = shape
            .layers()
            .map(|layer| vec![0u32; shape.size(layer)])
            .collect();
        let mut layers: Vec<LayerRaster> = shape
            .layers()
            .map(|layer| LayerRaster {
                name: match layer {
                    LayerId::Hidden(0) if shape.hidden_layers() == 1 => "hidden layer".to_string(),
                    LayerId::Hidden(l) => format!("hidden layer {l}"),
                    LayerId::Classifier => "classifier".to_string(),
                },
                spikes: Vec::new(),
            })
            .collect();
        for _ in 0..cfg.steps {
            client.step(word)?;
            let now = shape
                .layers()
                .map(|layer| counts(&mut client, &shape, layer))
                .collect::<anyhow::Result<Vec<Vec<u32>>>>()?;
            for (layer, (now, before)) in layers.iter_mut().zip(now.iter().zip(&last)) {
                layer
                    .spikes
                    .push(now.iter().zip(before).map(|(a, b)| a > b).collect());
            }
            last = now;
        }
        let prediction = client.read_prediction()?;
        report_link(&mut client)?;
        Ok(raster(
            &format!(
                "test sample {} (label {}), predicted {prediction}, on {}",
                self.sample,
                sample.label,
                client.link().describe()
            ),
            &layers,
        ))
    }
}

impl Weights {
    fn draw(&self) -> anyhow::Result<String> {
        let cfg = self.network.load()?;
        // The first hidden layer's rows are the pixels.
        let matrices = read_weights(&self.from, &cfg)?;
        let w = matrices.first().map(Vec::as_slice).unwrap_or_default();
        let width = match self.image_width {
            Some(width) => width,
            None => {
                let side = (1..=cfg.inputs).find(|s| s * s >= cfg.inputs).unwrap_or(1);
                anyhow::ensure!(
                    side * side == cfg.inputs,
                    "network {:?} has {} inputs, not a square image: give --image-width",
                    cfg.name,
                    cfg.inputs
                );
                side
            }
        };
        anyhow::ensure!(
            width > 0 && cfg.inputs % width == 0,
            "--image-width {width} does not divide the {} inputs of network {:?}",
            cfg.inputs,
            cfg.name
        );
        let hidden = cfg.hidden[0].size;
        Ok(weight_images(
            &format!(
                "incoming pixel weights of the {hidden} hidden neurons, {}",
                self.from.display()
            ),
            w,
            hidden,
            width,
            cfg.inputs / width,
            weight_max(cfg.weight_bits),
            self.columns,
        ))
    }
}

impl Accuracy {
    fn draw(&self) -> anyhow::Result<String> {
        let text = std::fs::read_to_string(&self.report)
            .with_context(|| format!("cannot read {}", self.report.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not JSON", self.report.display()))?;
        let curve = json
            .get("epoch_test_accuracy")
            .and_then(|v| v.as_array())
            .with_context(|| {
                format!(
                    "{}: no \"epoch_test_accuracy\" array (not a training report)",
                    self.report.display()
                )
            })?;
        let accuracy = curve
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_f64().with_context(|| {
                    format!(
                        "{}: epoch_test_accuracy[{i}] = {v} is not a number",
                        self.report.display()
                    )
                })
            })
            .collect::<anyhow::Result<Vec<f64>>>()?;
        Ok(accuracy_curve(
            &format!("test accuracy per epoch, {}", self.report.display()),
            &accuracy,
        ))
    }
}
