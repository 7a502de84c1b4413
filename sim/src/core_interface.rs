//! The host interface of the learning core (`spikeforge_hdl::top::LearningCore`): operation
//! codes, register ids, the neuron-state address, the `STEP` control word and the register
//! writes that load a network configuration.
//!
//! These are the numbers on the core's command port (`docs/spec.md` §6), defined once here for
//! the RTL (`spikeforge_hdl::top::host_interface` re-exports this module), the golden model of
//! the core ([`crate::core_model::CoreModel`]), the wire protocol ([`crate::wire`]) and the host.
use crate::config::{LayerConfig, NetworkConfig};
use crate::model::{Learn, Polarity};
use crate::network::Network;
use crate::rules::weight_max;

/// Words a memory of the core may hold: `cmd_addr` is 16 bits.
pub const MAX_MEMORY_WORDS: usize = 1 << 16;
/// Neurons a layer may have: a state address holds the neuron in 12 bits.
pub const MAX_LAYER_SIZE: usize = 1 << 12;
/// Classes the core supports: labels are 6 bits.
pub const MAX_CLASSES: usize = 64;

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
    /// Every operation, in code order.
    pub const ALL: [Op; 14] = [
        Op::Nop,
        Op::WritePixel,
        Op::ReadPixel,
        Op::WriteHiddenWeight,
        Op::ReadHiddenWeight,
        Op::WriteClassifierWeight,
        Op::ReadClassifierWeight,
        Op::WriteState,
        Op::ReadState,
        Op::WriteRegister,
        Op::ReadRegister,
        Op::PhaseReset,
        Op::Step,
        Op::ReadPrediction,
    ];

    /// The 4-bit code on `cmd_op`.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The operation with code `code`; codes 14 and 15 (and above) are none (the core ignores
    /// them).
    pub fn from_code(code: u8) -> Option<Op> {
        Op::ALL.get(usize::from(code)).copied()
    }

    /// Whether the core answers the operation with `rsp_valid` (two cycles later).
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Op::ReadPixel
                | Op::ReadHiddenWeight
                | Op::ReadClassifierWeight
                | Op::ReadState
                | Op::ReadRegister
                | Op::ReadPrediction
        )
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

impl StateField {
    /// Every field, in code order.
    pub const ALL: [StateField; 5] = [
        StateField::Membrane,
        StateField::Refractory,
        StateField::Trace,
        StateField::Homeostasis,
        StateField::Count,
    ];

    /// The field with code `code` (bits 14..12 of a state address); codes 5..=7 are none (the
    /// core reads them as 0 and ignores writes to them).
    pub fn from_code(code: u8) -> Option<StateField> {
        StateField::ALL.get(usize::from(code)).copied()
    }

    /// Bits the core stores.
    pub fn width(self) -> u32 {
        match self {
            StateField::Refractory | StateField::Trace => 8,
            StateField::Membrane | StateField::Homeostasis | StateField::Count => 16,
        }
    }

    /// Whether reads sign-extend the field (only the membrane is signed).
    pub fn signed(self) -> bool {
        self == StateField::Membrane
    }
}

/// Bit 15 of a state address: the classifier (else the hidden layer).
pub const STATE_CLASSIFIER_BIT: u16 = 1 << 15;
/// Bits 11..0 of a state address: the neuron.
pub const STATE_NEURON_MASK: u16 = 0xFFF;

/// Address of [`Op::WriteState`] / [`Op::ReadState`] for `field` of neuron `neuron` of the
/// hidden layer or, with `classifier`, of the classifier.
pub fn state_address(classifier: bool, field: StateField, neuron: usize) -> u16 {
    let layer = if classifier { 8 } else { 0 };
    let neuron = u16::try_from(neuron & 0xFFF).unwrap_or(0);
    ((layer | field as u16) << 12) | neuron
}

/// A state address split into its fields: (classifier, field code 0..=7, neuron 0..=4095).
pub fn split_state_address(addr: u16) -> (bool, u8, u16) {
    let classifier = addr & STATE_CLASSIFIER_BIT != 0;
    // Bits 14..12: three bits, so the conversion is lossless.
    let field = ((addr >> 12) & 0x7) as u8;
    (classifier, field, addr & STATE_NEURON_MASK)
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

impl Register {
    /// Every register with a name, in id order.
    pub const ALL: [Register; 9] = [
        Register::HiddenThetaOffset,
        Register::HiddenGoodness,
        Register::ClassifierThetaOffset,
        Register::ClassifierGoodness,
        Register::EncoderState,
        Register::LearnState,
        Register::ClassifierState,
        Register::WeightMax,
        Register::Anneal,
    ];

    /// The register with id `id`, if it is one of [`Register::ALL`].
    pub fn from_id(id: u16) -> Option<Register> {
        Register::ALL.into_iter().find(|&r| r as u16 == id)
    }

    /// Bits the core stores.
    pub fn width(self) -> u32 {
        match self {
            Register::HiddenThetaOffset | Register::ClassifierThetaOffset => 16,
            Register::WeightMax => 15,
            Register::Anneal => 8,
            _ => 32,
        }
    }

    /// Whether reads sign-extend the register (the threshold offsets).
    pub fn signed(self) -> bool {
        matches!(
            self,
            Register::HiddenThetaOffset | Register::ClassifierThetaOffset
        )
    }

    /// Whether `READ_REG` returns the register (the status registers, ids 0..=6); the others
    /// are write-only and read 0.
    pub fn readable(self) -> bool {
        (self as u16) <= Register::ClassifierState as u16
    }
}

/// The layer and field of parameter register `id`: `16 + f` is field `f` of the hidden layer,
/// `32 + f` of the classifier (which has no `goodness_threshold`, id 43).
pub fn parameter_field(id: u16) -> Option<(bool, LayerField)> {
    let (classifier, index) = match id {
        HIDDEN_PARAMETERS..=31 => (false, id - HIDDEN_PARAMETERS),
        CLASSIFIER_PARAMETERS..=47 => (true, id - CLASSIFIER_PARAMETERS),
        _ => return None,
    };
    let field = LayerField::ALL.get(usize::from(index)).copied()?;
    if classifier && field == LayerField::GoodnessThreshold {
        return None;
    }
    Some((classifier, field))
}

/// Whether `READ_REG` of `id` returns a register (the status registers); every other id reads 0.
pub fn register_readable(id: u16) -> bool {
    Register::from_id(id).is_some_and(Register::readable)
}

/// Whether `WRITE_REG` of `id` stores something (a [`Register`] or a parameter); writes to every
/// other id are ignored.
pub fn register_writable(id: u16) -> bool {
    Register::from_id(id).is_some() || parameter_field(id).is_some()
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

    /// Whether the field is a two's complement number.
    pub fn signed(self) -> bool {
        matches!(
            self,
            LayerField::Threshold
                | LayerField::AdaptStep
                | LayerField::AdaptMin
                | LayerField::AdaptMax
        )
    }

    /// Store the register word `word` into the field of `layer` as the core does: the low
    /// [`LayerField::width`] bits, read as two's complement for signed fields. The inverse of
    /// [`LayerField::value`] for every value that fits the field.
    pub fn set(self, layer: &mut LayerConfig, word: u32) {
        // Every conversion keeps the low bits: the width of each field fits its type.
        let bits8 = |width: u32| (word & ((1 << width) - 1)) as u8;
        let half = word as u16;
        let signed = i16::from_ne_bytes(half.to_ne_bytes());
        match self {
            LayerField::LeakShift => layer.leak_shift = bits8(4),
            LayerField::Threshold => layer.threshold = signed,
            LayerField::Refractory => layer.refractory = bits8(8),
            LayerField::AdaptStep => layer.adapt_step = signed,
            LayerField::AdaptTarget => layer.adapt_target = half,
            LayerField::AdaptMin => layer.adapt_min = signed,
            LayerField::AdaptMax => layer.adapt_max = signed,
            LayerField::HomeostasisStep => layer.homeostasis_step = half,
            LayerField::HomeostasisDecayShift => layer.homeostasis_decay_shift = bits8(4),
            LayerField::HomeostasisMax => layer.homeostasis_max = half,
            LayerField::TraceShift => layer.trace_shift = bits8(3),
            LayerField::GoodnessThreshold => layer.goodness_threshold = word,
            LayerField::LearnShift => layer.learn_shift = bits8(5),
            LayerField::DecayShift => layer.decay_shift = bits8(5),
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
    /// The step of a phase with the golden model's learning switches `learn` and label input
    /// `label_input` (classes above 255 become 255; the core keeps 6 bits of each label).
    pub fn of(learn: Learn, label_input: Option<usize>) -> Self {
        let label = |k: usize| u8::try_from(k).unwrap_or(u8::MAX);
        Self {
            csdp: learn.csdp.map(|p| p == Polarity::Positive),
            classifier_label: learn.classifier.map(label),
            label_input: label_input.map(label),
        }
    }

    /// The golden model's learning switches for this step.
    pub fn learn(&self) -> Learn {
        Learn {
            csdp: self.csdp.map(|positive| {
                if positive {
                    Polarity::Positive
                } else {
                    Polarity::Negative
                }
            }),
            classifier: self.classifier_label.map(usize::from),
        }
    }

    /// The command a `cmd_data` word stands for, as the core decodes it (bits 7..4, 15..14 and
    /// 31..22 are ignored).
    pub fn from_word(word: u32) -> Self {
        let bit = |n: u32| (word >> n) & 1 == 1;
        // Six-bit fields: the masks make the conversions lossless.
        let field = |shift: u32| ((word >> shift) & 0x3F) as u8;
        Self {
            csdp: bit(0).then_some(bit(1)),
            classifier_label: bit(2).then_some(field(8)),
            label_input: bit(3).then_some(field(16)),
        }
    }

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

/// A word address of a core memory as the 16-bit `cmd_addr`; the core refuses larger
/// memories ([`MAX_MEMORY_WORDS`]), so a larger `x` is a caller's bug and panics.
pub fn memory_address(x: usize) -> u16 {
    u16::try_from(x).unwrap_or_else(|_| panic!("address {x} exceeds 16 bits"))
}

/// The names of the neuron-state fields of each layer in probes, in [`StateField`] order.
const FIELD_NAMES: [[&str; 5]; 2] = [
    [
        "hidden.v",
        "hidden.r",
        "hidden.tr",
        "hidden.h",
        "hidden.count",
    ],
    [
        "classifier.v",
        "classifier.r",
        "classifier.tr",
        "classifier.h",
        "classifier.count",
    ],
];

/// The neuron-state fields of neuron `n` of `layer`: field, whether it is signed, its value
/// as a two's-complement word of the field's width.
fn neuron_fields(layer: &crate::network::Layer, n: usize) -> [(StateField, bool, i64); 5] {
    [
        (StateField::Membrane, true, i64::from(layer.neurons[n].v)),
        (
            StateField::Refractory,
            false,
            i64::from(layer.neurons[n].refractory),
        ),
        (StateField::Trace, false, i64::from(layer.trace[n])),
        (
            StateField::Homeostasis,
            false,
            i64::from(layer.homeostasis[n]),
        ),
        (StateField::Count, false, i64::from(layer.counts[n])),
    ]
}

/// The status registers a host can write and read back: register, signed, value.
fn status_registers(net: &Network) -> [(&'static str, Register, bool, i64); 7] {
    [
        (
            "hidden.theta_offset",
            Register::HiddenThetaOffset,
            true,
            i64::from(net.hidden[0].theta_offset),
        ),
        (
            "hidden.goodness",
            Register::HiddenGoodness,
            false,
            i64::from(net.hidden[0].goodness),
        ),
        (
            "classifier.theta_offset",
            Register::ClassifierThetaOffset,
            true,
            i64::from(net.classifier.theta_offset),
        ),
        (
            "classifier.goodness",
            Register::ClassifierGoodness,
            false,
            i64::from(net.classifier.goodness),
        ),
        (
            "encoder_state",
            Register::EncoderState,
            false,
            i64::from(net.encoder.state()),
        ),
        (
            "learn_state",
            Register::LearnState,
            false,
            i64::from(net.learn_rng[0].state()),
        ),
        (
            "classifier_state",
            Register::ClassifierState,
            false,
            i64::from(net.classifier_rng.state()),
        ),
    ]
}

/// One value of the core's state, where the host reads it and what the golden model holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateProbe {
    /// The variable, e.g. `W`, `hidden.tr`, `classifier.goodness`, `prediction`.
    pub variable: &'static str,
    /// Neuron or word index (0 for registers).
    pub index: usize,
    /// The read operation.
    pub op: Op,
    /// Its address.
    pub addr: u16,
    /// Whether the value is signed (it is read sign-extended to 32 bits).
    pub signed: bool,
    /// The golden model's value.
    pub want: i64,
}

impl StateProbe {
    /// The value a 32-bit read answer stands for: signed values arrive sign-extended.
    pub fn value(&self, word: u32) -> i64 {
        if self.signed {
            i64::from(i32::from_ne_bytes(word.to_ne_bytes()))
        } else {
            i64::from(word)
        }
    }
}

/// Every piece of state the golden model holds that the core keeps: all neuron-state fields
/// of both layers, the status registers, every W and C word and, with `prediction`, the
/// prediction (only meaningful after a step: it does not follow host writes).
pub fn state_probes(net: &Network, prediction: bool) -> Vec<StateProbe> {
    let mut probes = Vec::new();
    let mut add = |variable, index, op, addr, signed, want: i64| {
        probes.push(StateProbe {
            variable,
            index,
            op,
            addr,
            signed,
            want,
        });
    };
    for (classifier, layer) in [(false, &net.hidden[0]), (true, &net.classifier)] {
        let names = FIELD_NAMES[usize::from(classifier)];
        for n in 0..layer.size() {
            for (name, (field, signed, want)) in names.into_iter().zip(neuron_fields(layer, n)) {
                let addr = state_address(classifier, field, n);
                add(name, n, Op::ReadState, addr, signed, want);
            }
        }
    }
    for (name, register, signed, want) in status_registers(net) {
        add(name, 0, Op::ReadRegister, register as u16, signed, want);
    }
    for (i, &w) in net.hidden[0].weights.iter().enumerate() {
        add(
            "W",
            i,
            Op::ReadHiddenWeight,
            memory_address(i),
            true,
            i64::from(w),
        );
    }
    for (i, &w) in net.classifier.weights.iter().enumerate() {
        add(
            "C",
            i,
            Op::ReadClassifierWeight,
            memory_address(i),
            true,
            i64::from(w),
        );
    }
    if prediction {
        let class = i64::try_from(net.prediction()).unwrap_or(i64::MAX);
        add("prediction", 0, Op::ReadPrediction, 0, false, class);
    }
    probes
}

/// The writes that load `net` with `pixels` into a core built for `cfg`: pixels, W, C, all
/// neuron state, the status registers (offsets, goodness, generator seeds) and every
/// parameter, as (operation, address, data).
pub fn state_writes(cfg: &NetworkConfig, net: &Network, pixels: &[u8]) -> Vec<(Op, u16, u32)> {
    // A value as the data word of its write: the low bits of its two's complement.
    let word = |x: i64| x as u32;
    let mut writes: Vec<(Op, u16, u32)> = Vec::new();
    for (i, &p) in pixels.iter().enumerate() {
        writes.push((Op::WritePixel, memory_address(i), p.into()));
    }
    for (i, &w) in net.hidden[0].weights.iter().enumerate() {
        writes.push((
            Op::WriteHiddenWeight,
            memory_address(i),
            u32::from(w as u16),
        ));
    }
    for (i, &w) in net.classifier.weights.iter().enumerate() {
        writes.push((
            Op::WriteClassifierWeight,
            memory_address(i),
            u32::from(w as u16),
        ));
    }
    for (classifier, layer) in [(false, &net.hidden[0]), (true, &net.classifier)] {
        for n in 0..layer.size() {
            for (field, signed, value) in neuron_fields(layer, n) {
                // Signed fields are 16 bits wide in the core.
                let data = if signed {
                    u32::from(value as u16)
                } else {
                    word(value)
                };
                writes.push((Op::WriteState, state_address(classifier, field, n), data));
            }
        }
    }
    for (_, register, signed, value) in status_registers(net) {
        let data = if signed {
            u32::from(value as u16)
        } else {
            word(value)
        };
        writes.push((Op::WriteRegister, register as u16, data));
    }
    for (id, value) in parameter_writes(cfg, net.anneal) {
        writes.push((Op::WriteRegister, id, value));
    }
    writes
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
    fn step_commands_map_to_learning_switches() {
        let learn = Learn {
            csdp: Some(Polarity::Negative),
            classifier: Some(3),
        };
        let command = StepCommand::of(learn, Some(7));
        assert_eq!(
            command,
            StepCommand {
                csdp: Some(false),
                classifier_label: Some(3),
                label_input: Some(7),
            }
        );
        assert_eq!(command.learn(), learn);
        assert_eq!(StepCommand::of(Learn::OFF, None).word(), 0);
    }

    #[test]
    fn step_word_decodes_as_the_core_does() {
        let commands = [
            StepCommand::default(),
            StepCommand {
                csdp: Some(false),
                classifier_label: Some(0),
                label_input: None,
            },
            StepCommand {
                csdp: Some(true),
                classifier_label: Some(63),
                label_input: Some(9),
            },
        ];
        for command in commands {
            assert_eq!(StepCommand::from_word(command.word()), command);
        }
        // Ignored bits and a label above 6 bits.
        assert_eq!(
            StepCommand::from_word(0xFFC0_C0F2),
            StepCommand::default(),
            "only bits 0..=3, 13..8 and 21..16 mean something"
        );
        assert_eq!(
            StepCommand::from_word(0b0110 | (0x7F << 8)),
            StepCommand {
                csdp: None,
                classifier_label: Some(0x3F),
                label_input: None,
            }
        );
    }

    #[test]
    fn state_addresses() {
        assert_eq!(state_address(false, StateField::Membrane, 7), 7);
        assert_eq!(state_address(true, StateField::Count, 4095), 0xCFFF);
        assert_eq!(split_state_address(0xCFFF), (true, 4, 4095));
        assert_eq!(split_state_address(0x7001), (false, 7, 1));
        for field in StateField::ALL {
            assert_eq!(StateField::from_code(field as u8), Some(field));
        }
        assert_eq!(StateField::from_code(5), None);
    }

    #[test]
    fn op_codes_round_trip() {
        for op in Op::ALL {
            assert_eq!(Op::from_code(op.code()), Some(op));
        }
        assert_eq!(Op::from_code(14), None);
        let reads = Op::ALL.iter().filter(|op| op.is_read()).count();
        assert_eq!(reads, 6);
    }

    #[test]
    fn register_ids_are_those_the_core_decodes() {
        let readable: Vec<u16> = (0..=u16::MAX).filter(|&id| register_readable(id)).collect();
        assert_eq!(readable, (0..=6).collect::<Vec<u16>>());
        let writable: Vec<u16> = (0..=u16::MAX).filter(|&id| register_writable(id)).collect();
        let mut want: Vec<u16> = (0..=6).chain([8, 9]).chain(16..=29).collect();
        want.extend((32..=42).chain([44, 45]));
        assert_eq!(writable, want);
        assert_eq!(
            parameter_field(43),
            None,
            "the classifier has no goodness threshold"
        );
        assert_eq!(parameter_field(45), Some((true, LayerField::DecayShift)));
        assert_eq!(parameter_field(16), Some((false, LayerField::LeakShift)));
    }

    #[test]
    fn layer_field_set_inverts_value_and_truncates() {
        let cfg = NetworkConfig::default_network().expect("embedded default network");
        let mut tweaked = cfg.hidden[0].clone();
        tweaked.adapt_step = 3;
        tweaked.adapt_min = -30;
        tweaked.adapt_max = 30;
        tweaked.refractory = 2;
        for layer in [&cfg.hidden[0], &cfg.classifier, &tweaked] {
            let mut copy = layer.clone();
            copy.adapt_min = 0;
            copy.threshold = -1;
            for field in LayerField::ALL {
                field.set(&mut copy, field.value(layer));
            }
            assert_eq!(&copy, layer);
        }
        let mut layer = cfg.hidden[0].clone();
        LayerField::LeakShift.set(&mut layer, 0x13);
        LayerField::Threshold.set(&mut layer, 0x0001_8000);
        LayerField::TraceShift.set(&mut layer, 0xF);
        LayerField::LearnShift.set(&mut layer, 0x3F);
        assert_eq!(
            (
                layer.leak_shift,
                layer.threshold,
                layer.trace_shift,
                layer.learn_shift
            ),
            (3, i16::MIN, 7, 31)
        );
    }

    /// A network with every state value distinct from the defaults, loaded into the golden
    /// core through `state_writes`, reads back through `state_probes` as itself.
    #[test]
    fn state_writes_load_what_state_probes_read() {
        use crate::core_model::CoreModel;
        use crate::rng::Xorshift32;
        let cfg = NetworkConfig::default_network().expect("embedded default network");
        let mut net = Network::new(&cfg);
        let mut rng = Xorshift32::new(0x57A7_E001);
        let mut small = |m: u32| rng.next() % m;
        for layer in [&mut net.hidden[0], &mut net.classifier] {
            for n in 0..layer.size() {
                layer.neurons[n].v = small(400) as i16 - 200;
                layer.neurons[n].refractory = small(3) as u8;
                layer.trace[n] = small(256) as u8;
                layer.homeostasis[n] = small(1000) as u16;
                layer.counts[n] = small(65536) as u16;
            }
            layer.theta_offset = small(21) as i16 - 10;
            layer.goodness = small(u32::MAX);
        }
        for w in net.hidden[0]
            .weights
            .iter_mut()
            .chain(&mut net.classifier.weights)
        {
            *w = small(255) as i16 - 127;
        }
        let pixels: Vec<u8> = (0..cfg.inputs).map(|i| (i * 37 % 256) as u8).collect();
        let mut core = CoreModel::new(&cfg).expect("the default network fits the core");
        for (op, addr, data) in state_writes(&cfg, &net, &pixels) {
            core.command(op, addr, data);
        }
        assert_eq!(core.pixels(), &pixels[..]);
        let probes = state_probes(&net, false);
        assert!(probes.iter().any(|p| p.signed && p.want < 0));
        for probe in probes {
            let word = core
                .command(probe.op, probe.addr, 0)
                .unwrap_or_else(|| panic!("{} is not readable", probe.variable));
            assert_eq!(
                probe.value(word),
                probe.want,
                "{}[{}]",
                probe.variable,
                probe.index
            );
        }
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
