//! Network configuration: parsed raw from TOML, then validated into [`NetworkConfig`].
//!
//! Every integer is read as `i64` first so that a value of the wrong sign or size reaches the
//! validator, whose error names the file, the field, the value and the allowed range.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::rules::{weight_max, LearnParams, LifParams};

/// The network used when none is given (`networks/digits.toml`).
pub const DEFAULT_NETWORK_TOML: &str = include_str!("../../networks/digits.toml");
/// Name shown for the embedded default network in messages.
pub const DEFAULT_NETWORK_NAME: &str = "<embedded networks/digits.toml>";

/// The default network's supervised variant (`networks/digits-supervised.toml`): label rows
/// and 8-bit weights, the shape the unit tests of the core interface were written for.
#[cfg(test)]
pub(crate) fn supervised_digits() -> NetworkConfig {
    NetworkConfig::from_toml_str(
        include_str!("../../networks/digits-supervised.toml"),
        "networks/digits-supervised.toml",
    )
    .expect("networks/digits-supervised.toml is valid")
}

/// A configuration error: one line naming the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read network file: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// TOML syntax or a field of the wrong type, or an unknown field.
    #[error("{path}: line {line}, column {column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A field outside its allowed range.
    #[error("{path}: {field} = {value} is out of range {range}")]
    Range {
        path: String,
        field: String,
        value: String,
        range: String,
    },
    /// Fields that are each valid but do not fit together.
    #[error("{path}: {field}: {message}")]
    Invalid {
        path: String,
        field: String,
        message: String,
    },
}

/// How negative samples are made (a config field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NegativeMode {
    /// The image with a wrong label, the label fed as input spikes.
    #[serde(rename = "supervised")]
    Supervised,
    /// The pixel-wise mean of the image and another training image; no label input.
    #[serde(rename = "self-supervised")]
    SelfSupervised,
}

impl fmt::Display for NegativeMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NegativeMode::Supervised => "supervised",
            NegativeMode::SelfSupervised => "self-supervised",
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    name: String,
    inputs: i64,
    classes: i64,
    steps: i64,
    negatives: String,
    seed: i64,
    weight_bits: i64,
    #[serde(default)]
    classifier_sees_input: bool,
    #[serde(default)]
    anneal_every: i64,
    #[serde(default)]
    csdp_epochs: i64,
    hidden: Vec<RawLayer>,
    classifier: RawLayer,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    size: Option<i64>,
    init_range: i64,
    leak_shift: i64,
    threshold: i64,
    #[serde(default)]
    refractory: i64,

    #[serde(default)]
    adapt_step: i64,
    #[serde(default)]
    adapt_target: i64,
    #[serde(default)]
    adapt_min: i64,
    #[serde(default)]
    adapt_max: i64,
    #[serde(default)]
    homeostasis_step: i64,
    #[serde(default)]
    homeostasis_decay_shift: i64,
    #[serde(default)]
    homeostasis_max: i64,
    trace_shift: i64,
    goodness_threshold: Option<i64>,
    learn_shift: i64,
    #[serde(default)]
    decay_shift: i64,
}

/// One LIF population with its plastic input weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerConfig {
    /// Neurons in the layer.
    pub size: usize,
    /// Initial weights are uniform integers in `-init_range..=init_range`.
    pub init_range: i16,
    /// Leak shift: `dt/tau_m = 2^-leak_shift`.
    pub leak_shift: u8,
    /// Base threshold in weight LSB.
    pub threshold: i16,
    /// Refractory steps after a spike.
    pub refractory: u8,

    /// Adaptive threshold gain per spike above `adapt_target` (weight LSB); 0 disables.
    pub adapt_step: i16,
    /// Spikes per step the adaptive threshold steers the layer toward.
    pub adapt_target: u16,
    /// Lower bound of the adaptive threshold offset.
    pub adapt_min: i16,
    /// Upper bound of the adaptive threshold offset.
    pub adapt_max: i16,
    /// Per-neuron homeostatic threshold: added on each spike of a learning step; 0 disables.
    pub homeostasis_step: u16,
    /// The homeostatic threshold decays by `ceil(h / 2^homeostasis_decay_shift)` per learning
    /// step; 0 disables the decay.
    pub homeostasis_decay_shift: u8,
    /// Upper bound of the homeostatic threshold.
    pub homeostasis_max: u16,
    /// Trace decay shift: `tr -= ceil(tr / 2^trace_shift)` per step.
    pub trace_shift: u8,
    /// Goodness threshold `theta_G` in Q16.16 (hidden layers only).
    pub goodness_threshold: u32,
    /// Learning rate `2^-learn_shift`.
    pub learn_shift: u8,
    /// Weight decay `2^-decay_shift` per update; 0 disables.
    pub decay_shift: u8,
}

impl LayerConfig {
    /// The LIF parameters of the layer.
    pub fn lif(&self) -> LifParams {
        LifParams {
            leak_shift: self.leak_shift,
            refractory: self.refractory,
        }
    }

    /// The learning parameters of the layer's input weights, with the learning rate lowered
    /// by `anneal` halvings (the shift saturates at 24).
    pub fn learn(&self, weight_bits: u8, anneal: u8) -> LearnParams {
        LearnParams {
            learn_shift: self.learn_shift.saturating_add(anneal).min(MAX_LEARN_SHIFT),
            decay_shift: self.decay_shift,
            w_max: weight_max(weight_bits),
        }
    }
}

/// The largest learning (and decay) shift: configs stay at or below it, and annealing stops
/// lowering a learning rate there.
pub const MAX_LEARN_SHIFT: u8 = 24;

/// A validated network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkConfig {
    /// Name of the network.
    pub name: String,
    /// Input neurons (pixels).
    pub inputs: usize,
    /// Classes (classifier neurons and label input neurons).
    pub classes: usize,
    /// Time steps per phase of a sample.
    pub steps: u32,
    /// How negative samples are made.
    pub negatives: NegativeMode,
    /// Run seed; every random stream is derived from it.
    pub seed: u64,
    /// Width of every weight.
    pub weight_bits: u8,
    /// Every `anneal_every` epochs the host halves every learning rate (adds 1 to every
    /// `learn_shift`, up to 24); 0 keeps them fixed.
    pub anneal_every: u32,
    /// Epochs in which the hidden layers learn (CSDP); every later epoch of a run teaches the
    /// classifier alone, on the hidden layers as they stand. 0: every epoch learns CSDP.
    pub csdp_epochs: u32,
    /// The classifier also receives the input (pixel) spikes, ahead of the hidden spikes.
    pub classifier_sees_input: bool,
    /// Hidden (CSDP) layers, input side first.
    pub hidden: Vec<LayerConfig>,
    /// The classifier (delta rule) layer; its `size` equals `classes`.
    pub classifier: LayerConfig,
}

impl NetworkConfig {
    /// The embedded default network.
    pub fn default_network() -> Result<Self, ConfigError> {
        Self::from_toml_str(DEFAULT_NETWORK_TOML, DEFAULT_NETWORK_NAME)
    }

    /// Load and validate a network file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// Parse and validate TOML text; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let raw: RawNetwork = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((0, 0), |span| line_column(text, span.start));
            ConfigError::Parse {
                path: origin.to_string(),
                line,
                column,
                message: e.message().replace('\n', " "),
            }
        })?;
        Validator { origin }.network(raw)
    }

    /// Presynaptic rows of hidden layer `index`: the previous layer plus label inputs.
    pub fn hidden_inputs(&self, index: usize) -> usize {
        let prev = if index == 0 {
            self.inputs
        } else {
            self.hidden[index - 1].size
        };
        prev + self.label_inputs()
    }

    /// Label input neurons (supervised negatives only).
    pub fn label_inputs(&self) -> usize {
        match self.negatives {
            NegativeMode::Supervised => self.classes,
            NegativeMode::SelfSupervised => 0,
        }
    }

    /// Presynaptic rows of the classifier: the pixels (if it sees the input), then all hidden
    /// neurons.
    pub fn classifier_inputs(&self) -> usize {
        self.classifier_input_offset() + self.hidden.iter().map(|l| l.size).sum::<usize>()
    }

    /// Row of the classifier's weight matrix where the first hidden layer's neurons begin.
    pub fn classifier_input_offset(&self) -> usize {
        if self.classifier_sees_input {
            self.inputs
        } else {
            0
        }
    }

    /// Total synapses (weights) of the network.
    pub fn synapses(&self) -> usize {
        let hidden: usize = (0..self.hidden.len())
            .map(|i| self.hidden_inputs(i) * self.hidden[i].size)
            .sum();
        hidden + self.classifier_inputs() * self.classes
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

struct Validator<'a> {
    origin: &'a str,
}

impl Validator<'_> {
    fn range(&self, field: &str, value: i64, lo: i64, hi: i64) -> Result<i64, ConfigError> {
        if (lo..=hi).contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError::Range {
                path: self.origin.to_string(),
                field: field.to_string(),
                value: value.to_string(),
                range: format!("{lo}..={hi}"),
            })
        }
    }

    fn invalid(&self, field: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.origin.to_string(),
            field: field.to_string(),
            message,
        }
    }

    fn network(&self, raw: RawNetwork) -> Result<NetworkConfig, ConfigError> {
        if raw.name.trim().is_empty() {
            return Err(self.invalid("name", "must not be empty".into()));
        }
        let inputs = self.range("inputs", raw.inputs, 1, 4096)?;
        let classes = self.range("classes", raw.classes, 2, 64)?;
        let steps = self.range("steps", raw.steps, 1, 1024)?;
        let negatives = match raw.negatives.as_str() {
            "supervised" => NegativeMode::Supervised,
            "self-supervised" => NegativeMode::SelfSupervised,
            other => {
                return Err(ConfigError::Range {
                    path: self.origin.to_string(),
                    field: "negatives".into(),
                    value: format!("{other:?}"),
                    range: "\"supervised\" | \"self-supervised\"".into(),
                })
            }
        };
        let seed = self.range("seed", raw.seed, 0, i64::MAX)?;
        let anneal_every = self.range("anneal_every", raw.anneal_every, 0, 1000)?;
        let csdp_epochs = self.range("csdp_epochs", raw.csdp_epochs, 0, 1000)?;
        let weight_bits = self.range("weight_bits", raw.weight_bits, 2, 16)?;
        // Ranges above make these conversions lossless.
        let weight_bits = weight_bits as u8;
        let w_max = weight_max(weight_bits);
        if raw.hidden.is_empty() || raw.hidden.len() > 4 {
            return Err(ConfigError::Range {
                path: self.origin.to_string(),
                field: "hidden".into(),
                value: format!("{} layers", raw.hidden.len()),
                range: "1..=4 layers".into(),
            });
        }
        let hidden = raw
            .hidden
            .iter()
            .enumerate()
            .map(|(i, l)| self.layer(&format!("hidden[{i}]"), l, w_max, true))
            .collect::<Result<Vec<_>, _>>()?;
        let mut classifier = self.layer("classifier", &raw.classifier, w_max, false)?;
        if let Some(size) = raw.classifier.size {
            if size != classes {
                return Err(self.invalid(
                    "classifier.size",
                    format!("{size} must equal classes = {classes} (or be left out)"),
                ));
            }
        }
        classifier.size = classes as usize;
        Ok(NetworkConfig {
            name: raw.name,
            inputs: inputs as usize,
            classes: classes as usize,
            steps: steps as u32,
            negatives,
            seed: seed as u64,
            weight_bits,
            classifier_sees_input: raw.classifier_sees_input,
            anneal_every: anneal_every as u32,
            csdp_epochs: csdp_epochs as u32,
            hidden,
            classifier,
        })
    }

    fn layer(
        &self,
        at: &str,
        raw: &RawLayer,
        w_max: i16,
        hidden: bool,
    ) -> Result<LayerConfig, ConfigError> {
        let f = |name: &str| format!("{at}.{name}");
        let size = match (hidden, raw.size) {
            (true, Some(size)) => self.range(&f("size"), size, 1, 4096)?,
            (true, None) => return Err(self.invalid(&f("size"), "missing".into())),
            (false, _) => 0,
        };
        let init_range = self.range(&f("init_range"), raw.init_range, 0, i64::from(w_max))?;
        let leak_shift = self.range(&f("leak_shift"), raw.leak_shift, 0, 15)?;
        let threshold = self.range(&f("threshold"), raw.threshold, 0, 32767)?;
        let refractory = self.range(&f("refractory"), raw.refractory, 0, 255)?;
        let adapt_step = self.range(&f("adapt_step"), raw.adapt_step, 0, 1024)?;
        let target_max = if hidden { size } else { 64 };
        let adapt_target = self.range(&f("adapt_target"), raw.adapt_target, 0, target_max)?;
        let adapt_min = self.range(&f("adapt_min"), raw.adapt_min, -32768, 0)?;
        let adapt_max = self.range(&f("adapt_max"), raw.adapt_max, 0, 32767)?;
        let homeostasis_step = self.range(&f("homeostasis_step"), raw.homeostasis_step, 0, 4096)?;
        let homeostasis_decay_shift = self.range(
            &f("homeostasis_decay_shift"),
            raw.homeostasis_decay_shift,
            0,
            15,
        )?;
        let homeostasis_max = self.range(&f("homeostasis_max"), raw.homeostasis_max, 0, 32767)?;
        let trace_shift = self.range(&f("trace_shift"), raw.trace_shift, 0, 7)?;
        let goodness_threshold = match (hidden, raw.goodness_threshold) {
            (true, Some(g)) => self.range(&f("goodness_threshold"), g, 0, 1 << 30)?,
            (true, None) => return Err(self.invalid(&f("goodness_threshold"), "missing".into())),
            (false, Some(_)) => {
                return Err(self.invalid(
                    &f("goodness_threshold"),
                    "the classifier has no goodness; remove the field".into(),
                ))
            }
            (false, None) => 0,
        };
        let learn_shift = self.range(
            &f("learn_shift"),
            raw.learn_shift,
            1,
            MAX_LEARN_SHIFT.into(),
        )?;
        let decay_shift = self.range(
            &f("decay_shift"),
            raw.decay_shift,
            0,
            MAX_LEARN_SHIFT.into(),
        )?;
        // Every conversion below is lossless after its range check.
        Ok(LayerConfig {
            size: size as usize,
            init_range: init_range as i16,
            leak_shift: leak_shift as u8,
            threshold: threshold as i16,
            refractory: refractory as u8,
            adapt_step: adapt_step as i16,
            adapt_target: adapt_target as u16,
            adapt_min: adapt_min as i16,
            adapt_max: adapt_max as i16,
            homeostasis_step: homeostasis_step as u16,
            homeostasis_decay_shift: homeostasis_decay_shift as u8,
            homeostasis_max: homeostasis_max as u16,
            trace_shift: trace_shift as u8,
            goodness_threshold: goodness_threshold as u32,
            learn_shift: learn_shift as u8,
            decay_shift: decay_shift as u8,
        })
    }
}

impl NetworkConfig {
    /// The network as TOML text that [`NetworkConfig::from_toml_str`] reads back to an equal
    /// config: every field written, layers in order, no comments.
    pub fn to_toml(&self) -> String {
        let mut text = format!(
            "name = {name}\ninputs = {}\nclasses = {}\nsteps = {}\nnegatives = \"{}\"\n\
             seed = {}\nweight_bits = {}\nclassifier_sees_input = {}\nanneal_every = {}\n\
             csdp_epochs = {}\n",
            self.inputs,
            self.classes,
            self.steps,
            self.negatives,
            self.seed,
            self.weight_bits,
            self.classifier_sees_input,
            self.anneal_every,
            self.csdp_epochs,
            name = toml::Value::String(self.name.clone()),
        );
        for layer in &self.hidden {
            text.push_str("\n[[hidden]]\n");
            text.push_str(&format!("size = {}\n", layer.size));
            layer.push_toml(&mut text);
            text.push_str(&format!(
                "goodness_threshold = {}\n",
                layer.goodness_threshold
            ));
        }
        text.push_str("\n[classifier]\n");
        self.classifier.push_toml(&mut text);
        text
    }
}

impl LayerConfig {
    /// The fields a hidden layer and the classifier share, one `key = value` line each.
    fn push_toml(&self, text: &mut String) {
        let fields: [(&str, i64); 14] = [
            ("init_range", self.init_range.into()),
            ("leak_shift", self.leak_shift.into()),
            ("threshold", self.threshold.into()),
            ("refractory", self.refractory.into()),
            ("adapt_step", self.adapt_step.into()),
            ("adapt_target", self.adapt_target.into()),
            ("adapt_min", self.adapt_min.into()),
            ("adapt_max", self.adapt_max.into()),
            ("homeostasis_step", self.homeostasis_step.into()),
            (
                "homeostasis_decay_shift",
                self.homeostasis_decay_shift.into(),
            ),
            ("homeostasis_max", self.homeostasis_max.into()),
            ("trace_shift", self.trace_shift.into()),
            ("learn_shift", self.learn_shift.into()),
            ("decay_shift", self.decay_shift.into()),
        ];
        for (key, value) in fields {
            text.push_str(&format!("{key} = {value}\n"));
        }
    }
}

#[cfg(test)]
mod to_toml_tests {
    use super::*;

    /// Every network file of the project, and a supervised one with more hidden layers, read
    /// back equal from `to_toml`.
    #[test]
    fn to_toml_reads_back_equal() {
        let files = [
            include_str!("../../networks/digits.toml"),
            include_str!("../../networks/digits-supervised.toml"),
            include_str!("../../networks/mnist.toml"),
            include_str!("../../networks/up5k.toml"),
            include_str!("../../networks/hx8k.toml"),
        ];
        for (i, text) in files.iter().enumerate() {
            let mut cfg = NetworkConfig::from_toml_str(text, "network").expect("valid");
            cfg.name = format!("net \"{i}\"\\ \u{e9}\u{1b}");
            cfg.hidden.push(LayerConfig {
                size: 7,
                adapt_min: -3,
                adapt_max: 9,
                ..cfg.hidden[0].clone()
            });
            let back = NetworkConfig::from_toml_str(&cfg.to_toml(), "to_toml").expect("valid");
            assert_eq!(back, cfg, "{}", cfg.to_toml());
        }
    }
}
