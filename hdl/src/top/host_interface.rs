//! The host interface of [`crate::top::LearningCore`]: operation codes, register ids, the
//! `STEP` control word and the register writes that load a network configuration.
//!
//! These are the wire-format numbers of the core; the hardware decodes exactly these values
//! (the operation test in `learning_core.rs` drives the core through them).
use spikeforge_sim::config::{LayerConfig, NetworkConfig};
use spikeforge_sim::rules::weight_max;

/// Operation codes of `cmd_op` (4 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    /// No operation.
    Nop = 0,
    /// `pixel[addr] = data[7:0]`.
    WritePixel = 1,
    /// Read `pixel[addr]` (zero-extended).
    ReadPixel = 2,
    /// `W[addr] = data[15:0]`, `addr = row * hidden_size + neuron`.
    WriteHiddenWeight = 3,
    /// Read `W[addr]` (sign-extended).
    ReadHiddenWeight = 4,
    /// `C[addr] = data[15:0]`, `addr = row * classes + class`.
    WriteClassifierWeight = 5,
    /// Read `C[addr]` (sign-extended).
    ReadClassifierWeight = 6,
    /// Write one neuron-state field, `addr = field << 12 | neuron` (see [`StateField`]).
    WriteState = 7,
    /// Read one neuron-state field (`v` sign-extended, the others zero-extended).
    ReadState = 8,
    /// Write register `addr` (see [`Register`] and [`parameter_id`]).
    WriteRegister = 9,
    /// Read register `addr` (status registers only; other ids read 0).
    ReadRegister = 10,
    /// Start a phase: clear `v`, `r`, `tr`, counts, spikes, goodness and threshold offsets.
    PhaseReset = 11,
    /// Run one time step; `data` is a [`StepCommand`] word.
    Step = 12,
    /// Read the classifier's prediction of the phase so far.
    ReadPrediction = 13,
}

impl Op {
    /// The 4-bit code on `cmd_op`.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Neuron-state fields: bits 15..12 of the address of [`Op::WriteState`] / [`Op::ReadState`];
/// bit 15 selects the classifier, bits 11..0 are the neuron.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum StateField {
    /// Membrane `v`, 16-bit signed.
    Membrane = 0,
    /// Refractory counter `r`, 8-bit unsigned.
    Refractory = 1,
    /// Trace `tr`, 8-bit unsigned Q0.8.
    Trace = 2,
    /// Homeostatic threshold `h`, 16-bit unsigned.
    Homeostasis = 3,
    /// Spike count of the phase, 16-bit unsigned.
    Count = 4,
}

/// Address of [`Op::WriteState`] / [`Op::ReadState`] for `field` of neuron `neuron` of the
/// hidden layer or, with `classifier`, of the classifier.
pub fn state_address(classifier: bool, field: StateField, neuron: usize) -> u16 {
    let layer = if classifier { 8 } else { 0 };
    let neuron = u16::try_from(neuron & 0xFFF).unwrap_or(0);
    ((layer | field as u16) << 12) | neuron
}

/// Status registers: readable and writable with [`Op::ReadRegister`] / [`Op::WriteRegister`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum Register {
    /// Adaptive threshold offset `theta_a` of the hidden layer, 16-bit signed.
    HiddenThetaOffset = 0,
    /// Goodness `G` of the hidden layer after the last step, 32-bit Q16.16.
    HiddenGoodness = 1,
    /// Adaptive threshold offset of the classifier, 16-bit signed.
    ClassifierThetaOffset = 2,
    /// Goodness of the classifier layer after the last step, 32-bit Q16.16.
    ClassifierGoodness = 3,
    /// Encoder generator state (xorshift32), 32 bits; write a seed here.
    EncoderState = 4,
    /// Hidden layer's learning generator state, 32 bits.
    LearnState = 5,
    /// Classifier's learning generator state, 32 bits.
    ClassifierState = 6,
    /// Weight bound `w_max` (write-only), 15 bits.
    WeightMax = 8,
    /// Learning-rate halvings added to every `learn_shift`, capped at 24 (write-only), 8 bits.
    Anneal = 9,
}

/// First parameter id of the hidden layer's [`LayerField`]s.
pub const HIDDEN_PARAMETERS: u16 = 16;
/// First parameter id of the classifier's [`LayerField`]s.
pub const CLASSIFIER_PARAMETERS: u16 = 32;

/// The run-time fields of a [`LayerConfig`], each a write-only parameter register at
/// `HIDDEN_PARAMETERS + field` or `CLASSIFIER_PARAMETERS + field`. `size` is fixed when the
/// core is generated and `init_range` is used by the host only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum LayerField {
    /// `leak_shift`, 4 bits.
    LeakShift = 0,
    /// `threshold`, 16-bit signed.
    Threshold = 1,
    /// `refractory`, 8 bits.
    Refractory = 2,
    /// `adapt_step`, 16-bit signed.
    AdaptStep = 3,
    /// `adapt_target`, 16 bits.
    AdaptTarget = 4,
    /// `adapt_min`, 16-bit signed.
    AdaptMin = 5,
    /// `adapt_max`, 16-bit signed.
    AdaptMax = 6,
    /// `homeostasis_step`, 16 bits.
    HomeostasisStep = 7,
    /// `homeostasis_decay_shift`, 4 bits.
    HomeostasisDecayShift = 8,
    /// `homeostasis_max`, 16 bits.
    HomeostasisMax = 9,
    /// `trace_shift`, 3 bits.
    TraceShift = 10,
    /// `goodness_threshold`, 32 bits (hidden layer only).
    GoodnessThreshold = 11,
    /// `learn_shift`, 5 bits (before the anneal is added).
    LearnShift = 12,
    /// `decay_shift`, 5 bits.
    DecayShift = 13,
}

impl LayerField {
    /// Every field, in id order.
    pub const ALL: [LayerField; 14] = [
        LayerField::LeakShift,
        LayerField::Threshold,
        LayerField::Refractory,
        LayerField::AdaptStep,
        LayerField::AdaptTarget,
        LayerField::AdaptMin,
        LayerField::AdaptMax,
        LayerField::HomeostasisStep,
        LayerField::HomeostasisDecayShift,
        LayerField::HomeostasisMax,
        LayerField::TraceShift,
        LayerField::GoodnessThreshold,
        LayerField::LearnShift,
        LayerField::DecayShift,
    ];

    /// The field's name in the network TOML.
    pub fn name(self) -> &'static str {
        match self {
            LayerField::LeakShift => "leak_shift",
            LayerField::Threshold => "threshold",
            LayerField::Refractory => "refractory",
            LayerField::AdaptStep => "adapt_step",
            LayerField::AdaptTarget => "adapt_target",
            LayerField::AdaptMin => "adapt_min",
            LayerField::AdaptMax => "adapt_max",
            LayerField::HomeostasisStep => "homeostasis_step",
            LayerField::HomeostasisDecayShift => "homeostasis_decay_shift",
            LayerField::HomeostasisMax => "homeostasis_max",
            LayerField::TraceShift => "trace_shift",
            LayerField::GoodnessThreshold => "goodness_threshold",
            LayerField::LearnShift => "learn_shift",
            LayerField::DecayShift => "decay_shift",
        }
    }

    /// Width of the register in bits.
    pub fn width(self) -> usize {
        match self {
            LayerField::LeakShift | LayerField::HomeostasisDecayShift => 4,
            LayerField::TraceShift => 3,
            LayerField::Refractory => 8,
            LayerField::LearnShift | LayerField::DecayShift => 5,
            LayerField::GoodnessThreshold => 32,
            _ => 16,
        }
    }

    /// The field's value in `layer` as the 32-bit register word (two's complement).
    pub fn value(self, layer: &LayerConfig) -> u32 {
        let signed = |x: i16| u32::from(x as u16);
        match self {
            LayerField::LeakShift => layer.leak_shift.into(),
            LayerField::Threshold => signed(layer.threshold),
            LayerField::Refractory => layer.refractory.into(),
            LayerField::AdaptStep => signed(layer.adapt_step),
            LayerField::AdaptTarget => layer.adapt_target.into(),
            LayerField::AdaptMin => signed(layer.adapt_min),
            LayerField::AdaptMax => signed(layer.adapt_max),
            LayerField::HomeostasisStep => layer.homeostasis_step.into(),
            LayerField::HomeostasisDecayShift => layer.homeostasis_decay_shift.into(),
            LayerField::HomeostasisMax => layer.homeostasis_max.into(),
            LayerField::TraceShift => layer.trace_shift.into(),
            LayerField::GoodnessThreshold => layer.goodness_threshold,
            LayerField::LearnShift => layer.learn_shift.into(),
            LayerField::DecayShift => layer.decay_shift.into(),
        }
    }
}

/// Parameter id of `field` of the hidden layer or, with `classifier`, of the classifier.
pub fn parameter_id(classifier: bool, field: LayerField) -> u16 {
    let base = if classifier {
        CLASSIFIER_PARAMETERS
    } else {
        HIDDEN_PARAMETERS
    };
    base + field as u16
}

/// Register writes `(id, value)` that load every run-time parameter of `cfg` (its first hidden
/// layer and its classifier), `w_max` and the anneal; generator seeds are written separately.
pub fn parameter_writes(cfg: &NetworkConfig, anneal: u8) -> Vec<(u16, u32)> {
    let mut writes = vec![
        (
            Register::WeightMax as u16,
            u32::from(weight_max(cfg.weight_bits).unsigned_abs()),
        ),
        (Register::Anneal as u16, u32::from(anneal)),
    ];
    for (classifier, layer) in [(false, &cfg.hidden[0]), (true, &cfg.classifier)] {
        for field in LayerField::ALL {
            if classifier && field == LayerField::GoodnessThreshold {
                continue;
            }
            writes.push((parameter_id(classifier, field), field.value(layer)));
        }
    }
    writes
}

/// The control word of [`Op::Step`] (`cmd_data`).
///
/// | bits | field |
/// |---|---|
/// | 0 | `csdp_learn`: CSDP in the hidden layer (and homeostasis in both layers) |
/// | 1 | `positive`: CSDP toward label 1 (else 0) |
/// | 2 | `classifier_learn`: delta rule in the classifier |
/// | 3 | `label_input_enable` |
/// | 13..8 | `classifier_label`: the class the classifier learns (6 bits) |
/// | 21..16 | `label_input`: the label input unit that spikes (6 bits) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StepCommand {
    /// CSDP learning in the hidden layer, toward label 1 (`Some(true)`) or 0 (`Some(false)`).
    pub csdp: Option<bool>,
    /// The classifier's delta rule toward this class.
    pub classifier_label: Option<u8>,
    /// The label input unit that spikes in this step (supervised networks).
    pub label_input: Option<u8>,
}

impl StepCommand {
    /// The 32-bit `cmd_data` word.
    pub fn word(&self) -> u32 {
        let mut word = 0;
        if let Some(positive) = self.csdp {
            word |= 1 | (u32::from(positive) << 1);
        }
        if let Some(label) = self.classifier_label {
            word |= (1 << 2) | (u32::from(label & 0x3F) << 8);
        }
        if let Some(label) = self.label_input {
            word |= (1 << 3) | (u32::from(label & 0x3F) << 16);
        }
        word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_word_layout() {
        let command = StepCommand {
            csdp: Some(true),
            classifier_label: Some(5),
            label_input: Some(63),
        };
        assert_eq!(command.word(), 0b1111 | (5 << 8) | (63 << 16));
        assert_eq!(StepCommand::default().word(), 0);
        let negative = StepCommand {
            csdp: Some(false),
            ..StepCommand::default()
        };
        assert_eq!(negative.word(), 1);
    }

    #[test]
    fn state_addresses() {
        assert_eq!(state_address(false, StateField::Membrane, 7), 7);
        assert_eq!(state_address(true, StateField::Count, 4095), 0xCFFF);
    }

    #[test]
    fn parameter_writes_cover_both_layers() {
        let cfg = NetworkConfig::default_network().expect("embedded default network");
        let writes = parameter_writes(&cfg, 2);
        // w_max and anneal, 14 hidden fields, 13 classifier fields.
        assert_eq!(writes.len(), 2 + 14 + 13);
        assert!(writes.contains(&(Register::WeightMax as u16, 127)));
        assert!(writes.contains(&(Register::Anneal as u16, 2)));
        assert!(writes.contains(&(HIDDEN_PARAMETERS + 11, 655_360)));
        assert!(writes.contains(&(CLASSIFIER_PARAMETERS + 1, 32)));
    }
}
