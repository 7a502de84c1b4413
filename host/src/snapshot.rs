//! [`Snapshot`]: everything a chip holds that the host can read (pixels, W, C, every neuron
//! state field of both layers, the status registers), read from a chip or taken from the
//! golden model, and compared value by value.

use serde::{Deserialize, Serialize};
use spikeforge_sim::core_interface::{state_address, Register, StateField};
use spikeforge_sim::network::{Layer, Network};
use spikeforge_sim::wire::{Identity, Space};

use crate::client::{Client, ClientError};

/// One layer's neuron state and status registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerState {
    /// Membrane `v` per neuron.
    pub membrane: Vec<i16>,
    /// Refractory counter `r`.
    pub refractory: Vec<u8>,
    /// Trace `tr` (Q0.8).
    pub trace: Vec<u8>,
    /// Homeostatic threshold `h`.
    pub homeostasis: Vec<u16>,
    /// Spike count of the phase.
    pub count: Vec<u16>,
    /// Adaptive threshold offset `theta_a`.
    pub theta_offset: i16,
    /// Goodness of the last step (Q16.16).
    pub goodness: u32,
}

/// The chip's three generator states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generators {
    /// Encoder (xorshift32 state).
    pub encoder: u32,
    /// Hidden layer's learning generator.
    pub learn: u32,
    /// Classifier's learning generator.
    pub classifier: u32,
}

/// Everything readable of a chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Pixel intensities.
    pub pixels: Vec<u8>,
    /// Hidden weights W, `row * N_h + n`.
    pub hidden_weights: Vec<i16>,
    /// Classifier weights C, `row * K + k`.
    pub classifier_weights: Vec<i16>,
    /// Hidden layer.
    pub hidden: LayerState,
    /// Classifier layer.
    pub classifier: LayerState,
    /// Generator states.
    pub generators: Generators,
}

/// The low 16 bits of a value as two's complement.
pub fn signed16(word: u32) -> i16 {
    i16::from_le_bytes([word.to_le_bytes()[0], word.to_le_bytes()[1]])
}

/// Low bits of a value read from a space no wider than the target type.
fn low8(word: u32) -> u8 {
    word.to_le_bytes()[0]
}

fn low16(word: u32) -> u16 {
    u16::from_le_bytes([word.to_le_bytes()[0], word.to_le_bytes()[1]])
}

impl LayerState {
    fn read(client: &mut Client, classifier: bool, size: usize) -> Result<Self, ClientError> {
        let mut field = |f: StateField| -> Result<Vec<u32>, ClientError> {
            client.read(
                Space::State,
                usize::from(state_address(classifier, f, 0)),
                size,
            )
        };
        let membrane = field(StateField::Membrane)?
            .into_iter()
            .map(signed16)
            .collect();
        let refractory = field(StateField::Refractory)?
            .into_iter()
            .map(low8)
            .collect();
        let trace = field(StateField::Trace)?.into_iter().map(low8).collect();
        let homeostasis = field(StateField::Homeostasis)?
            .into_iter()
            .map(low16)
            .collect();
        let count = field(StateField::Count)?.into_iter().map(low16).collect();
        // The status registers are read all at once by `Snapshot::read`.
        Ok(Self {
            membrane,
            refractory,
            trace,
            homeostasis,
            count,
            theta_offset: 0,
            goodness: 0,
        })
    }

    fn of(layer: &Layer) -> Self {
        Self {
            membrane: layer.neurons.iter().map(|n| n.v).collect(),
            refractory: layer.neurons.iter().map(|n| n.refractory).collect(),
            trace: layer.trace.clone(),
            homeostasis: layer.homeostasis.clone(),
            count: layer.counts.clone(),
            theta_offset: layer.theta_offset,
            goodness: layer.goodness,
        }
    }
}

impl Snapshot {
    /// Read everything from the chip `client` talks to (sizes from its identity).
    pub fn read(client: &mut Client) -> Result<Self, ClientError> {
        let id: Identity = client.identity().clone();
        let hidden = usize::from(id.hidden);
        let classes = usize::from(id.classes);
        let rows = usize::from(id.inputs) + usize::from(id.label_inputs);
        let pixels = client
            .read(Space::Pixel, 0, usize::from(id.inputs))?
            .into_iter()
            .map(low8)
            .collect();
        let hidden_weights = client
            .read(Space::HiddenWeight, 0, rows * hidden)?
            .into_iter()
            .map(signed16)
            .collect();
        let classifier_weights = client
            .read(
                Space::ClassifierWeight,
                0,
                usize::from(id.classifier_rows) * classes,
            )?
            .into_iter()
            .map(signed16)
            .collect();
        let mut hidden_state = LayerState::read(client, false, hidden)?;
        let mut classifier_state = LayerState::read(client, true, classes)?;
        let registers = client.read(
            Space::Register,
            Register::HiddenThetaOffset as usize,
            Register::ClassifierState as usize + 1,
        )?;
        let reg = |r: Register| registers[r as usize];
        hidden_state.theta_offset = signed16(reg(Register::HiddenThetaOffset));
        hidden_state.goodness = reg(Register::HiddenGoodness);
        classifier_state.theta_offset = signed16(reg(Register::ClassifierThetaOffset));
        classifier_state.goodness = reg(Register::ClassifierGoodness);
        Ok(Self {
            pixels,
            hidden_weights,
            classifier_weights,
            hidden: hidden_state,
            classifier: classifier_state,
            generators: Generators {
                encoder: reg(Register::EncoderState),
                learn: reg(Register::LearnState),
                classifier: reg(Register::ClassifierState),
            },
        })
    }

    /// The golden model's state `net` with the chip's pixels `pixels`.
    pub fn of(net: &Network, pixels: &[u8]) -> Self {
        Self {
            pixels: pixels.to_vec(),
            hidden_weights: net.hidden[0].weights.clone(),
            classifier_weights: net.classifier.weights.clone(),
            hidden: LayerState::of(&net.hidden[0]),
            classifier: LayerState::of(&net.classifier),
            generators: Generators {
                encoder: net.encoder.state(),
                learn: net.learn_rng[0].state(),
                classifier: net.classifier_rng.state(),
            },
        }
    }

    /// Every value of the snapshot with its name, in a fixed order.
    pub fn values(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        fn push<T: Copy + Into<i64>>(out: &mut Vec<(String, i64)>, name: &str, xs: &[T]) {
            out.extend(
                xs.iter()
                    .enumerate()
                    .map(|(i, &x)| (format!("{name}[{i}]"), x.into())),
            );
        }
        push(&mut out, "pixel", &self.pixels);
        push(&mut out, "W", &self.hidden_weights);
        push(&mut out, "C", &self.classifier_weights);
        for (name, layer) in [("hidden", &self.hidden), ("classifier", &self.classifier)] {
            push(&mut out, &format!("{name}.v"), &layer.membrane);
            push(&mut out, &format!("{name}.r"), &layer.refractory);
            push(&mut out, &format!("{name}.tr"), &layer.trace);
            push(&mut out, &format!("{name}.h"), &layer.homeostasis);
            push(&mut out, &format!("{name}.count"), &layer.count);
            out.push((format!("{name}.theta_a"), layer.theta_offset.into()));
            out.push((format!("{name}.goodness"), layer.goodness.into()));
        }
        out.push(("encoder".to_string(), self.generators.encoder.into()));
        out.push(("learn generator".to_string(), self.generators.learn.into()));
        out.push((
            "classifier generator".to_string(),
            self.generators.classifier.into(),
        ));
        out
    }

    /// Compare with `golden`, value by value.
    pub fn diff(&self, golden: &Snapshot) -> Diff {
        let (ours, theirs) = (self.values(), golden.values());
        let mut diff = Diff {
            compared: ours.len().max(theirs.len()),
            ..Diff::default()
        };
        if ours.len() != theirs.len() {
            diff.total += 1;
            diff.first.push(format!(
                "the chip has {} values, the golden model {}",
                ours.len(),
                theirs.len()
            ));
        }
        for ((name, chip), (_, gold)) in ours.iter().zip(&theirs) {
            if chip != gold {
                diff.total += 1;
                if diff.first.len() < Diff::SHOWN {
                    diff.first
                        .push(format!("{name}: chip {chip}, golden {gold}"));
                }
            }
        }
        diff
    }
}

/// The outcome of [`Snapshot::diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Values compared.
    pub compared: usize,
    /// Values that differ.
    pub total: usize,
    /// The first differences, named.
    pub first: Vec<String>,
}

impl Diff {
    /// Differences listed at most.
    pub const SHOWN: usize = 10;
}
