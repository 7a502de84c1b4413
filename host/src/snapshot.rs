//! [`Snapshot`]: everything a chip holds that the host can read (pixels, the weights and
//! every neuron state field of every layer, the status registers), read from a chip or taken
//! from the golden model, and compared value by value.

use serde::{Deserialize, Serialize};
use spikeforge_sim::core_interface::{CoreShape, LayerId, Register, StateField};
use spikeforge_sim::network::{Layer, Network};
use spikeforge_sim::wire::Space;

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

/// The generator states of the first hidden layer, the classifier and the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generators {
    /// Encoder (xorshift32 state).
    pub encoder: u32,
    /// The first hidden layer's learning generator.
    pub learn: u32,
    /// Classifier's learning generator.
    pub classifier: u32,
}

/// A hidden layer after the first: its weights, state and learning generator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenLayer {
    /// Weights, `row * size + n`, rows the previous layer's neurons then the label inputs.
    pub weights: Vec<i16>,
    /// Neuron state and status registers.
    #[serde(flatten)]
    pub state: LayerState,
    /// Learning generator.
    pub learn_generator: u32,
}

/// Everything readable of a chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Pixel intensities.
    pub pixels: Vec<u8>,
    /// The first hidden layer's weights W, `row * N_h + n`.
    pub hidden_weights: Vec<i16>,
    /// Classifier weights C, `row * K + k`.
    pub classifier_weights: Vec<i16>,
    /// The first hidden layer.
    pub hidden: LayerState,
    /// Classifier layer.
    pub classifier: LayerState,
    /// Generator states.
    pub generators: Generators,
    /// Hidden layers 1, 2, ... (none in a network with one hidden layer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_hidden: Vec<HiddenLayer>,
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
    /// Read the neuron state and status registers of `layer` of a core of `shape`.
    fn read(client: &mut Client, shape: &CoreShape, layer: LayerId) -> Result<Self, ClientError> {
        let size = shape.size(layer);
        let mut field = |f: StateField| -> Result<Vec<u32>, ClientError> {
            let start = shape.state_address(layer, f, 0);
            client.read(Space::State, usize::from(start), size)
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
        // The status registers are read in runs by `Snapshot::read`.
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

/// The weights of `layer`, read from the chip.
fn read_weights(
    client: &mut Client,
    shape: &CoreShape,
    layer: LayerId,
) -> Result<Vec<i16>, ClientError> {
    let words = client.read(Space::Weight(layer), 0, shape.weight_words(layer))?;
    Ok(words.into_iter().map(signed16).collect())
}

impl Snapshot {
    /// Read everything from the chip `client` talks to (sizes from its identity).
    pub fn read(client: &mut Client) -> Result<Self, ClientError> {
        let shape = client.identity().shape();
        let pixels = client
            .read(Space::Pixel, 0, shape.inputs)?
            .into_iter()
            .map(low8)
            .collect();
        let first = LayerId::hidden(0);
        let hidden_weights = read_weights(client, &shape, first)?;
        let classifier_weights = read_weights(client, &shape, LayerId::CLASSIFIER)?;
        let mut hidden = LayerState::read(client, &shape, first)?;
        let mut classifier = LayerState::read(client, &shape, LayerId::CLASSIFIER)?;
        // The status registers of the first hidden layer, the classifier and the encoder are
        // ids 0..=6; each further hidden layer's are three consecutive ids.
        let registers = shape.registers();
        let base: Vec<&Register> = registers.iter().filter(|r| r.id() <= 6).collect();
        let words = client.read(Space::Register, 0, base.len())?;
        let value = |wanted: Register| -> u32 {
            base.iter()
                .zip(&words)
                .find(|(r, _)| ***r == wanted)
                .map_or(0, |(_, &w)| w)
        };
        hidden.theta_offset = signed16(value(Register::ThetaOffset(first)));
        hidden.goodness = value(Register::Goodness(first));
        classifier.theta_offset = signed16(value(Register::ThetaOffset(LayerId::CLASSIFIER)));
        classifier.goodness = value(Register::Goodness(LayerId::CLASSIFIER));
        let generators = Generators {
            encoder: value(Register::EncoderState),
            learn: value(Register::LearnState(first)),
            classifier: value(Register::LearnState(LayerId::CLASSIFIER)),
        };
        let mut more_hidden = Vec::new();
        for l in 1..shape.hidden_layers() {
            let layer = LayerId::hidden(l);
            let weights = read_weights(client, &shape, layer)?;
            let mut state = LayerState::read(client, &shape, layer)?;
            let start = Register::ThetaOffset(layer).id();
            let words = client.read(Space::Register, usize::from(start), 3)?;
            let at = |r: Register| {
                let offset = usize::from(r.id() - start);
                words.get(offset).copied().unwrap_or(0)
            };
            state.theta_offset = signed16(at(Register::ThetaOffset(layer)));
            state.goodness = at(Register::Goodness(layer));
            more_hidden.push(HiddenLayer {
                weights,
                state,
                learn_generator: at(Register::LearnState(layer)),
            });
        }
        Ok(Self {
            pixels,
            hidden_weights,
            classifier_weights,
            hidden,
            classifier,
            generators,
            more_hidden,
        })
    }

    /// The golden model's state `net` with the chip's pixels `pixels`.
    pub fn of(net: &Network, pixels: &[u8]) -> Self {
        let more_hidden = net
            .hidden
            .iter()
            .zip(&net.learn_rng)
            .skip(1)
            .map(|(layer, rng)| HiddenLayer {
                weights: layer.weights.clone(),
                state: LayerState::of(layer),
                learn_generator: rng.state(),
            })
            .collect();
        let first = &net.hidden[0];
        Self {
            pixels: pixels.to_vec(),
            hidden_weights: first.weights.clone(),
            classifier_weights: net.classifier.weights.clone(),
            hidden: LayerState::of(first),
            classifier: LayerState::of(&net.classifier),
            generators: Generators {
                encoder: net.encoder.state(),
                learn: net.learn_rng.first().map_or(0, |rng| rng.state()),
                classifier: net.classifier_rng.state(),
            },
            more_hidden,
        }
    }

    /// The weights of every layer in step order (hidden layers, then the classifier), as a
    /// weights file holds them.
    pub fn weight_matrices(&self) -> Vec<&[i16]> {
        std::iter::once(self.hidden_weights.as_slice())
            .chain(self.more_hidden.iter().map(|l| l.weights.as_slice()))
            .chain(std::iter::once(self.classifier_weights.as_slice()))
            .collect()
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
        for (l, layer) in (1..).zip(&self.more_hidden) {
            push(&mut out, &format!("W{l}"), &layer.weights);
        }
        push(&mut out, "C", &self.classifier_weights);
        let layers = std::iter::once(("hidden".to_string(), &self.hidden))
            .chain(
                (1..)
                    .zip(&self.more_hidden)
                    .map(|(l, layer)| (format!("hidden[{l}]"), &layer.state)),
            )
            .chain(std::iter::once((
                "classifier".to_string(),
                &self.classifier,
            )));
        for (name, layer) in layers {
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
        for (l, layer) in (1..).zip(&self.more_hidden) {
            out.push((
                format!("hidden[{l}] learn generator"),
                layer.learn_generator.into(),
            ));
        }
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
