//! [`Lockstep`]: a chip and the golden model behind one [`Model`], so that the training loop
//! drives both with the same calls; every phase's prediction and per-neuron spike counts are
//! compared. The caller compares the whole state at the end ([`Snapshot::diff`]).

use serde::Serialize;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::LayerId;
use spikeforge_sim::model::{Learn, Model, PhaseResult, Polarity};
use spikeforge_sim::network::Network;

use crate::chip_model::ChipModel;
use crate::snapshot::Snapshot;

/// Differences found phase by phase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PhaseDiffs {
    /// Phases run on both.
    pub phases: u64,
    /// Phases whose prediction or spike counts differ.
    pub total: u64,
    /// The first of them, described.
    pub first: Vec<String>,
}

/// A chip and the golden model driven together.
#[derive(Debug)]
pub struct Lockstep {
    /// The chip.
    pub chip: ChipModel,
    /// The golden model.
    pub golden: Network,
    pixels: Vec<u8>,
    diffs: PhaseDiffs,
}

/// Differences listed at most.
const SHOWN: usize = 10;

fn phase_name(label_input: Option<usize>, learn: Learn) -> String {
    let kind = match (learn.csdp, learn.classifier) {
        (Some(Polarity::Positive), _) => "positive",
        (Some(Polarity::Negative), _) => "negative",
        (None, Some(_)) => "classify",
        (None, None) => "inference",
    };
    match label_input {
        Some(k) => format!("{kind} phase, label input {k}"),
        None => format!("{kind} phase"),
    }
}

impl Lockstep {
    /// `chip` and `golden` loaded with the same state (the chip with zero pixels).
    pub fn new(chip: ChipModel, golden: Network) -> Self {
        let pixels = chip.pixels().to_vec();
        Self {
            chip,
            golden,
            pixels,
            diffs: PhaseDiffs::default(),
        }
    }

    /// Differences found so far.
    pub fn diffs(&self) -> &PhaseDiffs {
        &self.diffs
    }

    /// The golden model's whole state with the pixels it was last shown.
    pub fn golden_snapshot(&self) -> Snapshot {
        Snapshot::of(&self.golden, &self.pixels)
    }

    fn record(&mut self, what: String) {
        self.diffs.total += 1;
        if self.diffs.first.len() < SHOWN {
            self.diffs.first.push(what);
        }
    }
}

/// The first index where two count vectors differ, described.
fn first_count_difference(layer: &str, chip: &[u16], golden: &[u16]) -> Option<String> {
    if chip.len() != golden.len() {
        return Some(format!(
            "{layer} has {} neurons on the chip, {} in the golden model",
            chip.len(),
            golden.len()
        ));
    }
    let i = chip.iter().zip(golden).position(|(a, b)| a != b)?;
    let differ = chip.iter().zip(golden).filter(|(a, b)| a != b).count();
    Some(format!(
        "{layer}.count[{i}]: chip {}, golden {} ({differ} neurons differ)",
        chip[i], golden[i]
    ))
}

impl Model for Lockstep {
    fn config(&self) -> &NetworkConfig {
        self.chip.config()
    }

    fn run_phase(
        &mut self,
        pixels: &[u8],
        label_input: Option<usize>,
        learn: Learn,
    ) -> PhaseResult {
        let chip = self.chip.run_phase(pixels, label_input, learn);
        let golden = self.golden.run_phase(pixels, label_input, learn);
        self.pixels = pixels.to_vec();
        if self.chip.failed() {
            return chip;
        }
        self.diffs.phases += 1;
        let phase = self.diffs.phases;
        let name = phase_name(label_input, learn);
        let mut found = Vec::new();
        if chip.prediction != golden.prediction {
            found.push(format!(
                "prediction: chip {}, golden {}",
                chip.prediction, golden.prediction
            ));
        }
        let golden_layers = self.golden.hidden.iter().chain([&self.golden.classifier]);
        let layers = LayerId::all(self.golden.hidden.len());
        for ((layer, chip), golden) in layers.zip(self.chip.counts()).zip(golden_layers) {
            found.extend(first_count_difference(layer.name(), chip, &golden.counts));
        }
        if !found.is_empty() {
            self.record(format!("phase {phase} ({name}): {}", found.join("; ")));
        }
        chip
    }

    fn weights_digest(&self) -> u64 {
        self.chip.weights_digest()
    }

    fn layer_sizes(&self) -> Vec<usize> {
        self.chip.layer_sizes()
    }

    fn set_anneal(&mut self, halvings: u8) {
        self.chip.set_anneal(halvings);
        self.golden.set_anneal(halvings);
    }
}
