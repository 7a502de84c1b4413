//! The host interface of the learning core (`spikeforge_hdl::top::LearningCore`): the core's
//! shape ([`CoreShape`], its layers named by [`LayerId`]), operation codes, register ids,
//! neuron-state addresses, the `STEP` control word and the register writes that load a
//! network configuration.
//!
//! These are the numbers on the core's command port (`docs/spec.md` §6), defined once here for
//! the RTL (`spikeforge_hdl::top::host_interface` re-exports this module), the golden model of
//! the core ([`crate::core_model::CoreModel`]), the wire protocol ([`crate::wire`]) and the host.
use crate::config::{LayerConfig, NetworkConfig};
use crate::model::{Learn, Model, Polarity};
use crate::network::{Layer, Network};
use crate::rng::Xorshift32;
use crate::rules::weight_max;

/// Bits of the core's `cmd_addr`: a weight memory's word address. State and register
/// operations read only its bits 15..0.
pub const ADDRESS_BITS: usize = 20;
/// Words a weight memory of the core may hold (W, the hidden layers' weights one after the
/// other, and C): `cmd_addr` is [`ADDRESS_BITS`] bits.
pub const MAX_MEMORY_WORDS: usize = 1 << ADDRESS_BITS;
/// Pixels a core may have: the sequencer counts them, and the event lists their rows, in 16
/// bits.
pub const MAX_INPUTS: usize = 1 << 16;
/// Neurons a layer may have: a state address holds the neuron in 12 bits.
pub const MAX_LAYER_SIZE: usize = 1 << 12;
/// Neurons each hidden layer of a core with more than one hidden layer may have: its state
/// addresses hold the hidden layer in bits 11..10 and the neuron in 10 bits.
pub const MAX_STACKED_LAYER_SIZE: usize = 1 << 10;
/// Hidden layers a core may have: two bits of layer index in a state address.
pub const MAX_HIDDEN_LAYERS: usize = 4;
/// Classes the core supports: labels are 6 bits.
pub const MAX_CLASSES: usize = 64;

/// One layer of the core: hidden layer `l` (0 is the first, fed by the pixels) or the
/// classifier. Layers step in the order of [`LayerId::all`]: hidden 0, 1, ..., classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LayerId {
    /// Hidden (CSDP) layer `l`.
    Hidden(u8),
    /// The classifier.
    Classifier,
}

impl LayerId {
    /// The classifier.
    pub const CLASSIFIER: LayerId = LayerId::Classifier;

    /// Hidden layer `l` (indices above 255 become 255, which no core has).
    pub fn hidden(l: usize) -> LayerId {
        LayerId::Hidden(u8::try_from(l).unwrap_or(u8::MAX))
    }

    /// The layers of a core with `hidden_layers` hidden layers, in step order: every hidden
    /// layer, then the classifier.
    pub fn all(hidden_layers: usize) -> impl Iterator<Item = LayerId> + Clone {
        (0..hidden_layers)
            .map(LayerId::hidden)
            .chain(std::iter::once(LayerId::Classifier))
    }

    /// The index of a hidden layer; `None` for the classifier.
    pub fn hidden_index(self) -> Option<usize> {
        match self {
            LayerId::Hidden(l) => Some(usize::from(l)),
            LayerId::Classifier => None,
        }
    }

    /// Whether this is the classifier.
    pub fn is_classifier(self) -> bool {
        self == LayerId::Classifier
    }

    /// The layer's name in probes and reports: `hidden` (the first hidden layer), `hidden[l]`,
    /// `classifier`.
    pub fn name(self) -> &'static str {
        match self {
            LayerId::Hidden(0) => "hidden",
            LayerId::Hidden(1) => "hidden[1]",
            LayerId::Hidden(2) => "hidden[2]",
            LayerId::Hidden(3) => "hidden[3]",
            LayerId::Hidden(_) => "hidden[?]",
            LayerId::Classifier => "classifier",
        }
    }

    /// The layer of `net` (`None` for a hidden layer the network does not have).
    pub fn of(self, net: &Network) -> Option<&Layer> {
        match self {
            LayerId::Hidden(l) => net.hidden.get(usize::from(l)),
            LayerId::Classifier => Some(&net.classifier),
        }
    }

    /// The layer of `net`, mutable.
    pub fn of_mut(self, net: &mut Network) -> Option<&mut Layer> {
        match self {
            LayerId::Hidden(l) => net.hidden.get_mut(usize::from(l)),
            LayerId::Classifier => Some(&mut net.classifier),
        }
    }

    /// The layer's configuration in `cfg`.
    pub fn config(self, cfg: &NetworkConfig) -> Option<&LayerConfig> {
        match self {
            LayerId::Hidden(l) => cfg.hidden.get(usize::from(l)),
            LayerId::Classifier => Some(&cfg.classifier),
        }
    }

    /// The learning generator of the layer in `net` (each hidden layer's CSDP engine, the
    /// classifier's delta-rule engine).
    pub fn generator(self, net: &Network) -> Option<&Xorshift32> {
        match self {
            LayerId::Hidden(l) => net.learn_rng.get(usize::from(l)),
            LayerId::Classifier => Some(&net.classifier_rng),
        }
    }

    /// The learning generator of the layer in `net`, mutable.
    pub fn generator_mut(self, net: &mut Network) -> Option<&mut Xorshift32> {
        match self {
            LayerId::Hidden(l) => net.learn_rng.get_mut(usize::from(l)),
            LayerId::Classifier => Some(&mut net.classifier_rng),
        }
    }

    /// The register block of the layer's status registers and parameters beyond the first
    /// hidden layer and the classifier: hidden layer `l >= 1` owns ids `32 (l + 1) ..
    /// 32 (l + 2)`.
    fn extra_block(self) -> Option<u16> {
        match self {
            LayerId::Hidden(l) if l >= 1 => Some(32 * (u16::from(l) + 1)),
            _ => None,
        }
    }
}

impl std::fmt::Display for LayerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayerId::Hidden(l) => write!(f, "hidden[{l}]"),
            LayerId::Classifier => f.write_str("classifier"),
        }
    }
}

/// Why a network has no learning core of this interface.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// No hidden layer, or more than [`MAX_HIDDEN_LAYERS`].
    #[error(
        "the network has {count} hidden layers; the learning core's interface addresses 1 to \
         {MAX_HIDDEN_LAYERS}"
    )]
    HiddenLayers {
        /// Hidden layers of the network.
        count: usize,
    },
    /// A size above what the core's addresses or label fields hold.
    #[error("{what} = {value} is above the learning core's limit of {max}{why}")]
    SizeTooLarge {
        /// What is too large.
        what: String,
        /// Its value.
        value: usize,
        /// The largest value the core supports.
        max: usize,
        /// Why the limit is what it is, if it depends on the shape (with a leading `: `).
        why: &'static str,
    },
}

/// How a core's datapath is built, as far as its cycle count goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datapath {
    /// Synapses per clock in integration and learning: 1, 2, 4, 8 or 16.
    pub lanes: usize,
    /// The weights (the hidden layers' and the classifier's) are in single-port memory (iCE40
    /// SPRAM): learning reads a group's weights and writes them back in separate cycles, two
    /// cycles per group.
    pub single_port_weights: bool,
    /// With single-port weights: each lane's weights are split over two banks (word `a` of W
    /// or C in bank `a mod 2P`), so that learning reads a group's banks while it writes back the
    /// group three cycles before it to the others: one cycle per group. A row of a layer
    /// of `n` neurons with `n mod 2P != 0` takes one more cycle (its last write-back could
    /// meet the next row's first read).
    pub paired_banks: bool,
    /// The neuron update registers the neuron's words and has two data stages, and the
    /// threshold adaptation takes two cycles: three more cycles per layer.
    pub split_neuron: bool,
    /// Learning's write-back takes a stage of its own after the rounding (the route of the
    /// lanes' next weights to their banks): one more cycle after learning.
    pub late_write: bool,
}

impl Datapath {
    /// `lanes` lanes, every weight in dual-port block RAM.
    pub fn lanes(lanes: usize) -> Self {
        Self {
            lanes,
            single_port_weights: false,
            paired_banks: false,
            split_neuron: false,
            late_write: false,
        }
    }

    /// A datapath at least as slow as any core's: one lane, weights in single-port
    /// memory, two neuron data stages and a late write-back (no core has both of the last:
    /// the late write-back needs dual-port weights).
    pub fn slowest() -> Self {
        Self {
            lanes: 1,
            single_port_weights: true,
            paired_banks: false,
            split_neuron: true,
            late_write: true,
        }
    }

    /// Cycles learning takes per group of synapses: 2 from single-port weights, unless they
    /// are in paired banks; else 1.
    pub fn learn_cycles_per_group(&self) -> u64 {
        if self.single_port_weights && !self.paired_banks {
            2
        } else {
            1
        }
    }

    /// Learning takes one cycle between two rows of a layer of `size` neurons beyond the two
    /// of the event fetch: with paired banks when `size` is not a multiple of twice the lanes
    /// (the last group's write-back would meet the next row's first read in one bank).
    pub fn learn_row_gap(&self, size: usize) -> bool {
        self.single_port_weights && self.paired_banks && size % (2 * self.lanes.max(1)) != 0
    }
}

/// The shape of a learning core: layer count and sizes, memory sizes, and the addresses of
/// its state and registers (`docs/spec.md` §6). Built from a [`NetworkConfig`] by
/// [`CoreShape::new`], which refuses a network whose sizes the core's addresses cannot hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreShape {
    /// Pixels `N_in`.
    pub inputs: usize,
    /// Label inputs `L` (`classes` with supervised negatives, else 0).
    pub label_inputs: usize,
    /// Neurons of each hidden layer, in step order.
    pub hidden: Vec<usize>,
    /// Classes `K` (classifier neurons).
    pub classes: usize,
    /// Classifier rows `R_c`: the pixels if the classifier sees them, then every hidden neuron.
    pub classifier_rows: usize,
    /// The classifier sees the pixels.
    pub classifier_sees_input: bool,
    /// The layers' parameters are fixed when the core is generated (the network's values,
    /// constants in the logic): no parameter id is writable, and a reset keeps them.
    pub fixed_parameters: bool,
}

/// A state address split into its fields (the layer may be one the core does not have).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateAddress {
    /// The layer.
    pub layer: LayerId,
    /// The field code, 0..=7 ([`StateField::from_code`]).
    pub field: u8,
    /// The neuron.
    pub neuron: u16,
}

/// Bit 15 of a state address: the classifier (else a hidden layer).
pub const STATE_CLASSIFIER_BIT: u16 = 1 << 15;
/// Bits 11..0 of a state address: the neuron (of the classifier, or of the hidden layer of a
/// core with one hidden layer).
pub const STATE_NEURON_MASK: u16 = 0xFFF;
/// Bits 9..0 of a hidden layer's state address in a core with more than one hidden layer:
/// the neuron; bits 11..10 are the hidden layer.
pub const STATE_STACKED_NEURON_MASK: u16 = 0x3FF;

impl CoreShape {
    /// The shape of the core for `cfg`, or the first size its addresses cannot hold: 1 to
    /// [`MAX_HIDDEN_LAYERS`] hidden layers of at most [`MAX_LAYER_SIZE`] neurons
    /// ([`MAX_STACKED_LAYER_SIZE`] with more than one), at most [`MAX_CLASSES`] classes, every
    /// memory at most [`MAX_MEMORY_WORDS`] words.
    pub fn new(cfg: &NetworkConfig) -> Result<Self, ShapeError> {
        let count = cfg.hidden.len();
        if count == 0 || count > MAX_HIDDEN_LAYERS {
            return Err(ShapeError::HiddenLayers { count });
        }
        let shape = Self::of(cfg);
        let too_large = |what: String, value: usize, max: usize, why: &'static str| {
            if value > max {
                Err(ShapeError::SizeTooLarge {
                    what,
                    value,
                    max,
                    why,
                })
            } else {
                Ok(())
            }
        };
        for (l, &size) in shape.hidden.iter().enumerate() {
            let what = if count == 1 {
                "hidden layer size".to_string()
            } else {
                format!("hidden[{l}].size")
            };
            if count == 1 {
                too_large(what, size, MAX_LAYER_SIZE, "")?;
            } else {
                too_large(
                    what,
                    size,
                    MAX_STACKED_LAYER_SIZE,
                    ": with more than one hidden layer a state address holds the neuron in 10 \
                     bits",
                )?;
            }
        }
        too_large("classes".into(), shape.classes, MAX_CLASSES, "")?;
        too_large("inputs".into(), shape.inputs, MAX_INPUTS, "")?;
        for layer in shape.layers() {
            let what = match layer {
                LayerId::Hidden(0) if count == 1 => "hidden_weights words".to_string(),
                LayerId::Hidden(l) => format!("hidden[{l}] weight words"),
                LayerId::Classifier => "classifier_weights words".to_string(),
            };
            too_large(what, shape.weight_words(layer), MAX_MEMORY_WORDS, "")?;
        }
        Ok(shape)
    }

    /// The shape of `cfg` without the checks of [`CoreShape::new`]: addresses of sizes past
    /// the limits keep their low bits.
    pub fn of(cfg: &NetworkConfig) -> Self {
        Self {
            inputs: cfg.inputs,
            label_inputs: cfg.label_inputs(),
            hidden: cfg.hidden.iter().map(|l| l.size).collect(),
            classes: cfg.classes,
            classifier_rows: cfg.classifier_inputs(),
            classifier_sees_input: cfg.classifier_sees_input,
            fixed_parameters: false,
        }
    }

    /// This shape with the layers' parameters fixed at generation (`fixed`) or writable.
    pub fn with_fixed_parameters(self, fixed: bool) -> Self {
        Self {
            fixed_parameters: fixed,
            ..self
        }
    }

    /// Hidden layers.
    pub fn hidden_layers(&self) -> usize {
        self.hidden.len()
    }

    /// Every layer in step order.
    pub fn layers(&self) -> impl Iterator<Item = LayerId> + Clone {
        LayerId::all(self.hidden_layers())
    }

    /// Whether the core has `layer`.
    pub fn has(&self, layer: LayerId) -> bool {
        match layer {
            LayerId::Hidden(l) => usize::from(l) < self.hidden_layers(),
            LayerId::Classifier => true,
        }
    }

    /// Neurons of `layer` (0 for a layer the core does not have).
    pub fn size(&self, layer: LayerId) -> usize {
        match layer {
            LayerId::Hidden(l) => self.hidden.get(usize::from(l)).copied().unwrap_or(0),
            LayerId::Classifier => self.classes,
        }
    }

    /// Presynaptic rows of the weight matrix of `layer`: the previous layer (the pixels for
    /// hidden layer 0) and the label inputs, or the classifier's rows.
    pub fn rows(&self, layer: LayerId) -> usize {
        match layer {
            LayerId::Hidden(0) => self.inputs + self.label_inputs,
            LayerId::Hidden(l) => match self.hidden.get(usize::from(l) - 1) {
                Some(&previous) if self.has(layer) => previous + self.label_inputs,
                _ => 0,
            },
            LayerId::Classifier => self.classifier_rows,
        }
    }

    /// Words of the weight memory of `layer`, `rows * size`.
    pub fn weight_words(&self, layer: LayerId) -> usize {
        self.rows(layer) * self.size(layer)
    }

    /// The first word of `layer` in the core's neuron memories, which hold the layers one after
    /// the other in step order.
    pub fn neuron_offset(&self, layer: LayerId) -> usize {
        self.layers()
            .take_while(|&other| other != layer)
            .map(|other| self.size(other))
            .sum()
    }

    /// Neurons of all layers.
    pub fn neurons(&self) -> usize {
        self.layers().map(|layer| self.size(layer)).sum()
    }

    /// Bits of the neuron in a hidden layer's state address: 12 with one hidden layer, 10
    /// with more (bits 11..10 are then the hidden layer).
    pub fn hidden_neuron_bits(&self) -> u32 {
        if self.hidden_layers() > 1 {
            10
        } else {
            12
        }
    }

    /// Address of [`Op::WriteState`] / [`Op::ReadState`] for `field` of neuron `neuron` of
    /// `layer`: `classifier << 15 | field << 12 | neuron` for the classifier and for the
    /// hidden layer of a one-hidden-layer core; `field << 12 | l << 10 | neuron` for hidden
    /// layer `l` of a core with more. The neuron keeps its low bits.
    pub fn state_address(&self, layer: LayerId, field: StateField, neuron: usize) -> u16 {
        let low = |mask: u16| u16::try_from(neuron & usize::from(mask)).unwrap_or(0);
        let field = (field as u16) << 12;
        match layer {
            LayerId::Classifier => STATE_CLASSIFIER_BIT | field | low(STATE_NEURON_MASK),
            LayerId::Hidden(l) if self.hidden_layers() > 1 => {
                field | ((u16::from(l) & 0x3) << 10) | low(STATE_STACKED_NEURON_MASK)
            }
            LayerId::Hidden(_) => field | low(STATE_NEURON_MASK),
        }
    }

    /// A state address split into layer, field code and neuron (the inverse of
    /// [`CoreShape::state_address`]).
    pub fn split_state_address(&self, addr: u16) -> StateAddress {
        // Bits 14..12: three bits, so the conversion is lossless.
        let field = ((addr >> 12) & 0x7) as u8;
        if addr & STATE_CLASSIFIER_BIT != 0 {
            StateAddress {
                layer: LayerId::Classifier,
                field,
                neuron: addr & STATE_NEURON_MASK,
            }
        } else if self.hidden_layers() > 1 {
            StateAddress {
                layer: LayerId::hidden(usize::from((addr >> 10) & 0x3)),
                field,
                neuron: addr & STATE_STACKED_NEURON_MASK,
            }
        } else {
            StateAddress {
                layer: LayerId::hidden(0),
                field,
                neuron: addr & STATE_NEURON_MASK,
            }
        }
    }

    /// Cycles `busy` stays high for a `STEP` of a core with the datapath `datapath`, with
    /// `G(n) = ceil(n / lanes)` groups of synapses per row of `n` (`docs/spec.md` §6):
    ///
    /// `2 N_in + L + sum over hidden layers l of ([E_l (G(N_l) + 2) + N_l + 3 + s]
    ///  + csdp * [E_l (u G(N_l) + 2 + g(N_l)) + 2]) + [E_c (G(K) + 2) + K + 3 + s]
    ///  + classifier_learn * [E_c (u G(K) + 2 + g(K)) + 1] + (2 + r) (csdp or classifier_learn)`
    ///
    /// with `u = 2` if the weights are in single-port memory without paired banks, else 1,
    /// `g(n) = 1` with paired banks ([`Datapath::paired_banks`]) when `n` is not a multiple
    /// of `2 lanes`, else 0, `s = 3` with the
    /// neuron's words registered and two neuron data stages ([`Datapath::split_neuron`]),
    /// else 0, `r = 1` with a late write-back ([`Datapath::late_write`]), else 0,
    /// `E_0 = input_events + [label input spikes]` event rows of hidden layer 0, `E_l =
    /// hidden_events[l - 1] + [label input spikes]` of hidden layer `l`, and `E_c = sum of
    /// hidden_events + (classifier_sees_input ? input_events : 0)` of the classifier;
    /// `input_events` counts the spiking pixels and `hidden_events[l]` the neurons of hidden
    /// layer `l` that spiked in this step (missing entries count 0). With one hidden layer
    /// this is the exact count of the RTL's sequencer (`spikeforge_hdl::top::cycles_per_step`).
    pub fn cycles_per_step(
        &self,
        datapath: Datapath,
        input_events: u64,
        hidden_events: &[u64],
        step: &StepCommand,
    ) -> u64 {
        let wide = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
        let inputs = wide(self.inputs);
        let labels = wide(self.label_inputs);
        let classes = wide(self.classes);
        let groups = |n: u64| n.div_ceil(wide(datapath.lanes.max(1)));
        let write_cycles = datapath.learn_cycles_per_group();
        let label_event = step
            .label_input
            .map_or(0, |k| u64::from(u64::from(k) < labels));
        let drain = 3 * u64::from(datapath.split_neuron);
        let layer = |events: u64, size: u64| events * (groups(size) + 2) + size + 3 + drain;
        let spiked = |l: usize| hidden_events.get(l).copied().unwrap_or(0);
        let mut cycles = 2 * inputs + labels;
        for (l, size) in self.hidden.iter().map(|&n| wide(n)).enumerate() {
            let previous = if l == 0 { input_events } else { spiked(l - 1) };
            let e_l = previous + label_event;
            cycles += layer(e_l, size);
            if step.csdp.is_some() {
                let gap = u64::from(datapath.learn_row_gap(self.hidden[l]));
                cycles += e_l * (write_cycles * groups(size) + 2 + gap) + 2;
            }
        }
        let e_c = (0..self.hidden_layers()).map(spiked).sum::<u64>()
            + if self.classifier_sees_input {
                input_events
            } else {
                0
            };
        cycles += layer(e_c, classes);
        if step.classifier_label.is_some() {
            let gap = u64::from(datapath.learn_row_gap(self.classes));
            cycles += e_c * (write_cycles * groups(classes) + 2 + gap) + 1;
        }
        // The last group's rounding and write-back after learning.
        if step.csdp.is_some() || step.classifier_label.is_some() {
            cycles += 2 + u64::from(datapath.late_write);
        }
        cycles
    }

    /// The most cycles `busy` stays high for one `STEP` or `PHASE_RESET` of any core of this
    /// shape: a `STEP` that learns everywhere with every input and hidden neuron spiking and
    /// the label input on, on the slowest datapath (one lane, single-port weights, the
    /// split neuron update and the late write-back). The frame engine's wait for the core is
    /// bounded by twice this (`docs/spec.md` §7.6).
    pub fn longest_command_cycles(&self) -> u64 {
        let slowest = Datapath::slowest();
        let everything = StepCommand {
            csdp: Some(true),
            classifier_label: Some(0),
            label_input: (self.label_inputs > 0).then_some(0),
        };
        let wide = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
        let hidden: Vec<u64> = self.hidden.iter().map(|&n| wide(n)).collect();
        let step = self.cycles_per_step(slowest, wide(self.inputs), &hidden, &everything);
        step.max(self.phase_reset_cycles(1))
    }

    /// Cycles `busy` stays high for a `PHASE_RESET` of a core with `lanes` lanes: one per
    /// neuron word, each hidden layer rounded up to whole lanes, then the classifier, the sum
    /// rounded up to whole lanes.
    pub fn phase_reset_cycles(&self, lanes: usize) -> u64 {
        let lanes = lanes.max(1);
        let hidden: usize = self.hidden.iter().map(|n| n.next_multiple_of(lanes)).sum();
        let words = (hidden + self.classes).next_multiple_of(lanes);
        u64::try_from(words).unwrap_or(u64::MAX)
    }

    /// The registers of the core: the status registers of every layer, the encoder, `w_max`
    /// and the anneal, in id order.
    pub fn registers(&self) -> Vec<Register> {
        let mut all: Vec<Register> = self
            .layers()
            .flat_map(|layer| {
                [
                    Register::ThetaOffset(layer),
                    Register::Goodness(layer),
                    Register::LearnState(layer),
                ]
            })
            .chain([
                Register::EncoderState,
                Register::WeightMax,
                Register::Anneal,
            ])
            .collect();
        all.sort_by_key(|r| r.id());
        all
    }

    /// The parameter register of `id` in this core: its layer and field.
    pub fn parameter_field(&self, id: u16) -> Option<(LayerId, LayerField)> {
        parameter_field(id).filter(|&(layer, _)| self.has(layer))
    }

    /// Whether the core has `register` (a layer's register only if it has the layer).
    pub fn has_register(&self, register: Register) -> bool {
        match register.layer() {
            Some(layer) => self.has(layer),
            None => true,
        }
    }

    /// Whether `READ_REG` of `id` returns a register (the status registers of the core's
    /// layers and the encoder); every other id reads 0.
    pub fn register_readable(&self, id: u16) -> bool {
        Register::from_id(id).is_some_and(|r| r.readable() && self.has_register(r))
    }

    /// Whether `WRITE_REG` of `id` stores something (a [`Register`], or a parameter of one of
    /// the core's layers unless they are fixed); writes to every other id are ignored.
    pub fn register_writable(&self, id: u16) -> bool {
        Register::from_id(id).is_some_and(|r| self.has_register(r))
            || (!self.fixed_parameters && self.parameter_field(id).is_some())
    }
}

/// Operations of `cmd_op`: 4 bits in a core with one hidden layer, 5 bits with more (the
/// weights of hidden layers 1..=3 have codes 17..=22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// No operation (code 0).
    Nop,
    /// `pixel[addr] = data[7:0]` (code 1).
    WritePixel,
    /// Read `pixel[addr]` (zero-extended) (code 2).
    ReadPixel,
    /// Weight `addr = row * size + neuron` of the layer's weight memory `= data[15:0]`
    /// (codes 3 for hidden layer 0, 5 for the classifier, `15 + 2 l` for hidden layer `l >= 1`).
    WriteWeight(LayerId),
    /// Read weight `addr` of the layer (sign-extended) (codes 4, 6, `16 + 2 l`).
    ReadWeight(LayerId),
    /// Write one neuron-state field at a state address ([`CoreShape::state_address`]) (code 7).
    WriteState,
    /// Read one neuron-state field (`v` sign-extended, the others zero-extended) (code 8).
    ReadState,
    /// Write register `addr` (see [`Register`] and [`parameter_id`]) (code 9).
    WriteRegister,
    /// Read register `addr` (status registers only; other ids read 0) (code 10).
    ReadRegister,
    /// Start a phase: clear `v`, `r`, `tr`, counts, spikes, goodness and threshold offsets
    /// (code 11).
    PhaseReset,
    /// Run one time step; `data` is a [`StepCommand`] word (code 12).
    Step,
    /// Read the classifier's prediction of the phase so far (code 13).
    ReadPrediction,
}

impl Op {
    /// The operations of a core with one hidden layer, in code order (codes 0..=13).
    pub const ONE_HIDDEN_LAYER: [Op; 14] = [
        Op::Nop,
        Op::WritePixel,
        Op::ReadPixel,
        Op::WriteWeight(LayerId::Hidden(0)),
        Op::ReadWeight(LayerId::Hidden(0)),
        Op::WriteWeight(LayerId::Classifier),
        Op::ReadWeight(LayerId::Classifier),
        Op::WriteState,
        Op::ReadState,
        Op::WriteRegister,
        Op::ReadRegister,
        Op::PhaseReset,
        Op::Step,
        Op::ReadPrediction,
    ];

    /// Every operation of a core with `hidden_layers` hidden layers, in code order.
    pub fn all(hidden_layers: usize) -> Vec<Op> {
        let extra = (1..hidden_layers.min(MAX_HIDDEN_LAYERS)).flat_map(|l| {
            [
                Op::WriteWeight(LayerId::hidden(l)),
                Op::ReadWeight(LayerId::hidden(l)),
            ]
        });
        Op::ONE_HIDDEN_LAYER.into_iter().chain(extra).collect()
    }

    /// The code on `cmd_op`. A weight operation's code is `2 s + 1` (write) or `2 s + 2`
    /// (read) with `s` the code of the layer's wire memory space (`docs/spec.md` §7.4).
    pub fn code(self) -> u8 {
        match self {
            Op::Nop => 0,
            Op::WritePixel => 1,
            Op::ReadPixel => 2,
            Op::WriteWeight(layer) => 2 * weight_space_code(layer) + 1,
            Op::ReadWeight(layer) => 2 * weight_space_code(layer) + 2,
            Op::WriteState => 7,
            Op::ReadState => 8,
            Op::WriteRegister => 9,
            Op::ReadRegister => 10,
            Op::PhaseReset => 11,
            Op::Step => 12,
            Op::ReadPrediction => 13,
        }
    }

    /// The operation with code `code` in a core with the most hidden layers; codes 14..=16
    /// and above 22 are none (the core ignores them).
    pub fn from_code(code: u8) -> Option<Op> {
        Op::all(MAX_HIDDEN_LAYERS)
            .into_iter()
            .find(|op| op.code() == code)
    }

    /// Whether the core answers the operation with `rsp_valid` (two cycles later).
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Op::ReadPixel
                | Op::ReadWeight(_)
                | Op::ReadState
                | Op::ReadRegister
                | Op::ReadPrediction
        )
    }
}

/// The code of the wire memory space of `layer`'s weights (`docs/spec.md` §7.4): 1 (`W`) for
/// hidden layer 0, 2 (`C`) for the classifier, `7 + l` for hidden layer `l >= 1` (8, 9, 10),
/// so that the core operations of every space are `2 s + 1` and `2 s + 2`.
pub fn weight_space_code(layer: LayerId) -> u8 {
    match layer {
        LayerId::Hidden(0) => 1,
        LayerId::Classifier => 2,
        LayerId::Hidden(l) => 7u8.saturating_add(l),
    }
}

/// The layer whose weights the wire memory space `code` holds, in a core with the most
/// hidden layers.
pub fn weight_space_layer(code: u8) -> Option<LayerId> {
    match code {
        1 => Some(LayerId::hidden(0)),
        2 => Some(LayerId::Classifier),
        8.. if usize::from(code - 7) < MAX_HIDDEN_LAYERS => {
            Some(LayerId::hidden(usize::from(code - 7)))
        }
        _ => None,
    }
}

/// Neuron-state fields: bits 14..12 of a state address ([`CoreShape::state_address`]).
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

    /// The field's name in probes: `v`, `r`, `tr`, `h`, `count`.
    pub fn name(self) -> &'static str {
        match self {
            StateField::Membrane => "v",
            StateField::Refractory => "r",
            StateField::Trace => "tr",
            StateField::Homeostasis => "h",
            StateField::Count => "count",
        }
    }
}

/// Registers readable and writable with [`Op::ReadRegister`] / [`Op::WriteRegister`] (the
/// status registers) and the write-only `w_max` and anneal. Ids ([`Register::id`]) of the
/// first hidden layer and the classifier are those of the one-hidden-layer core (0..=6, 8,
/// 9); hidden layer `l >= 1` has its status registers at `32 (l + 1) + 0..=2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Register {
    /// Adaptive threshold offset `theta_a` of the layer, 16-bit signed.
    ThetaOffset(LayerId),
    /// Goodness `G` of the layer after the last step, 32-bit Q16.16.
    Goodness(LayerId),
    /// The layer's learning generator state (xorshift32), 32 bits.
    LearnState(LayerId),
    /// Encoder generator state (xorshift32), 32 bits; write a seed here.
    EncoderState,
    /// Weight bound `w_max` (write-only), 15 bits.
    WeightMax,
    /// Learning-rate halvings added to every `learn_shift`, capped at 24 (write-only), 8 bits.
    Anneal,
}

impl Register {
    /// The register id on `cmd_addr`.
    pub fn id(self) -> u16 {
        match self {
            Register::ThetaOffset(LayerId::Hidden(0)) => 0,
            Register::Goodness(LayerId::Hidden(0)) => 1,
            Register::ThetaOffset(LayerId::Classifier) => 2,
            Register::Goodness(LayerId::Classifier) => 3,
            Register::EncoderState => 4,
            Register::LearnState(LayerId::Hidden(0)) => 5,
            Register::LearnState(LayerId::Classifier) => 6,
            Register::WeightMax => 8,
            Register::Anneal => 9,
            Register::ThetaOffset(layer) => layer.extra_block().unwrap_or(u16::MAX),
            Register::Goodness(layer) => layer.extra_block().map_or(u16::MAX, |b| b + 1),
            Register::LearnState(layer) => layer.extra_block().map_or(u16::MAX, |b| b + 2),
        }
    }

    /// The register with id `id` in a core with the most hidden layers.
    pub fn from_id(id: u16) -> Option<Register> {
        let fixed = match id {
            0 => Some(Register::ThetaOffset(LayerId::hidden(0))),
            1 => Some(Register::Goodness(LayerId::hidden(0))),
            2 => Some(Register::ThetaOffset(LayerId::Classifier)),
            3 => Some(Register::Goodness(LayerId::Classifier)),
            4 => Some(Register::EncoderState),
            5 => Some(Register::LearnState(LayerId::hidden(0))),
            6 => Some(Register::LearnState(LayerId::Classifier)),
            8 => Some(Register::WeightMax),
            9 => Some(Register::Anneal),
            _ => None,
        };
        fixed.or_else(|| {
            let l = usize::from(id / 32).checked_sub(1)?;
            if !(1..MAX_HIDDEN_LAYERS).contains(&l) {
                return None;
            }
            let layer = LayerId::hidden(l);
            match id % 32 {
                0 => Some(Register::ThetaOffset(layer)),
                1 => Some(Register::Goodness(layer)),
                2 => Some(Register::LearnState(layer)),
                _ => None,
            }
        })
    }

    /// The layer the register belongs to, if any.
    pub fn layer(self) -> Option<LayerId> {
        match self {
            Register::ThetaOffset(layer)
            | Register::Goodness(layer)
            | Register::LearnState(layer) => Some(layer),
            Register::EncoderState | Register::WeightMax | Register::Anneal => None,
        }
    }

    /// Bits the core stores.
    pub fn width(self) -> u32 {
        match self {
            Register::ThetaOffset(_) => 16,
            Register::WeightMax => 15,
            Register::Anneal => 8,
            _ => 32,
        }
    }

    /// Whether reads sign-extend the register (the threshold offsets).
    pub fn signed(self) -> bool {
        matches!(self, Register::ThetaOffset(_))
    }

    /// Whether `READ_REG` returns the register (the status registers); `w_max` and the
    /// anneal are write-only and read 0.
    pub fn readable(self) -> bool {
        !matches!(self, Register::WeightMax | Register::Anneal)
    }

    /// The register's name in probes: `hidden.theta_offset`, `classifier.goodness`,
    /// `encoder_state`, ...; the learning generators of the first hidden layer and the
    /// classifier keep the one-hidden-layer names `learn_state` and `classifier_state`.
    pub fn name(self) -> String {
        match self {
            Register::ThetaOffset(layer) => format!("{}.theta_offset", layer.name()),
            Register::Goodness(layer) => format!("{}.goodness", layer.name()),
            Register::LearnState(LayerId::Hidden(0)) => "learn_state".to_string(),
            Register::LearnState(LayerId::Classifier) => "classifier_state".to_string(),
            Register::LearnState(layer) => format!("{}.learn_state", layer.name()),
            Register::EncoderState => "encoder_state".to_string(),
            Register::WeightMax => "w_max".to_string(),
            Register::Anneal => "anneal".to_string(),
        }
    }

    /// The register's value in `net` (0 for a layer `net` does not have; `w_max` as its
    /// magnitude).
    pub fn value(self, net: &Network) -> u32 {
        let signed = |x: i16| u32::from(x as u16);
        match self {
            Register::ThetaOffset(layer) => layer.of(net).map_or(0, |l| signed(l.theta_offset)),
            Register::Goodness(layer) => layer.of(net).map_or(0, |l| l.goodness),
            Register::LearnState(layer) => layer.generator(net).map_or(0, Xorshift32::state),
            Register::EncoderState => net.encoder.state(),
            Register::WeightMax => u32::from(net.w_max().unsigned_abs()),
            Register::Anneal => net.anneal.into(),
        }
    }
}

/// The first hidden layer's status and parameter registers (ids 0..=31 hold its status
/// registers 0, 1, 5 and its parameters `16 + f`).
pub const HIDDEN_PARAMETERS: u16 = 16;
/// First parameter id of the classifier's [`LayerField`]s.
pub const CLASSIFIER_PARAMETERS: u16 = 32;

/// Parameter id of `field` of `layer`: `16 + f` for hidden layer 0, `32 + f` for the
/// classifier, `32 (l + 1) + 16 + f` for hidden layer `l >= 1` (80, 112, 144 + f).
pub fn parameter_id(layer: LayerId, field: LayerField) -> u16 {
    let base = match layer {
        LayerId::Hidden(0) => HIDDEN_PARAMETERS,
        LayerId::Classifier => CLASSIFIER_PARAMETERS,
        other => other.extra_block().map_or(u16::MAX - 16, |b| b + 16),
    };
    base.saturating_add(field as u16)
}

/// The layer and field of parameter register `id` in a core with the most hidden layers
/// (the classifier has no `goodness_threshold`, id 43).
pub fn parameter_field(id: u16) -> Option<(LayerId, LayerField)> {
    let (layer, index) = match id {
        HIDDEN_PARAMETERS..=31 => (LayerId::hidden(0), id - HIDDEN_PARAMETERS),
        CLASSIFIER_PARAMETERS..=47 => (LayerId::Classifier, id - CLASSIFIER_PARAMETERS),
        _ if id % 32 >= 16 => {
            let l = usize::from(id / 32).checked_sub(1)?;
            if !(1..MAX_HIDDEN_LAYERS).contains(&l) {
                return None;
            }
            (LayerId::hidden(l), id % 32 - 16)
        }
        _ => return None,
    };
    let field = LayerField::ALL.get(usize::from(index)).copied()?;
    if layer.is_classifier() && field == LayerField::GoodnessThreshold {
        return None;
    }
    Some((layer, field))
}

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
    /// The fields the core holds in flip-flops, which a reset returns to 0; the others are in
    /// its parameter memory and keep their values (`docs/spec.md` §7.10). A core with
    /// [`CoreShape::fixed_parameters`] keeps them all.
    pub const IN_FLIP_FLOPS: [LayerField; 6] = [
        LayerField::LeakShift,
        LayerField::Refractory,
        LayerField::HomeostasisDecayShift,
        LayerField::TraceShift,
        LayerField::LearnShift,
        LayerField::DecayShift,
    ];

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

/// Register writes `(id, value)` that load every run-time parameter of `cfg` (each hidden
/// layer and the classifier), `w_max` and the anneal; generator seeds are written separately.
pub fn parameter_writes(cfg: &NetworkConfig, anneal: u8) -> Vec<(u16, u32)> {
    let mut writes = vec![
        (
            Register::WeightMax.id(),
            u32::from(weight_max(cfg.weight_bits).unsigned_abs()),
        ),
        (Register::Anneal.id(), u32::from(anneal)),
    ];
    for layer in LayerId::all(cfg.hidden.len()) {
        let Some(params) = layer.config(cfg) else {
            continue;
        };
        for field in LayerField::ALL {
            if layer.is_classifier() && field == LayerField::GoodnessThreshold {
                continue;
            }
            writes.push((parameter_id(layer, field), field.value(params)));
        }
    }
    writes
}

/// The layers' parameters of [`parameter_writes`] alone (no `w_max`, no anneal), in id order:
/// the values a core with fixed parameters holds as constants.
pub fn layer_parameter_writes(cfg: &NetworkConfig) -> Vec<(u16, u32)> {
    let mut writes: Vec<(u16, u32)> = parameter_writes(cfg, 0)
        .into_iter()
        .filter(|&(id, _)| parameter_field(id).is_some())
        .collect();
    writes.sort_unstable();
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

/// A word address of a core memory as the `cmd_addr` of [`ADDRESS_BITS`] bits; the core
/// refuses larger memories ([`MAX_MEMORY_WORDS`]), so a larger `x` is a caller's bug and
/// panics.
pub fn memory_address(x: usize) -> u32 {
    assert!(
        x < MAX_MEMORY_WORDS,
        "address {x} exceeds the {ADDRESS_BITS}-bit cmd_addr"
    );
    x as u32
}

/// The neuron-state fields of neuron `n` of `layer`: field, whether it is signed, its value
/// as a two's-complement word of the field's width.
fn neuron_fields(layer: &Layer, n: usize) -> [(StateField, bool, i64); 5] {
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

/// The status registers a host can write and read back, in id order: register and its value
/// in `net` (sign-extended for the threshold offsets).
fn status_registers(shape: &CoreShape, net: &Network) -> Vec<(Register, i64)> {
    shape
        .registers()
        .into_iter()
        .filter(|r| r.readable())
        .map(|r| {
            let word = r.value(net);
            let value = if r.signed() {
                i64::from(i16::from_ne_bytes((word as u16).to_ne_bytes()))
            } else {
                i64::from(word)
            };
            (r, value)
        })
        .collect()
}

/// The name of the weight matrix of `layer` in probes: `W` (hidden layer 0), `W1`, `W2`,
/// `W3`, `C` (the classifier).
pub fn weight_name(layer: LayerId) -> &'static str {
    match layer {
        LayerId::Hidden(0) => "W",
        LayerId::Hidden(1) => "W1",
        LayerId::Hidden(2) => "W2",
        LayerId::Hidden(3) => "W3",
        LayerId::Hidden(_) => "W?",
        LayerId::Classifier => "C",
    }
}

/// One value of the core's state, where the host reads it and what the golden model holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateProbe {
    /// The variable, e.g. `W`, `hidden.tr`, `hidden[1].v`, `classifier.goodness`,
    /// `prediction`.
    pub variable: String,
    /// Neuron or word index (0 for registers).
    pub index: usize,
    /// The read operation.
    pub op: Op,
    /// Its address.
    pub addr: u32,
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
/// of every layer, the status registers, every weight of every layer and, with `prediction`,
/// the prediction (only meaningful after a step: it does not follow host writes).
pub fn state_probes(net: &Network, prediction: bool) -> Vec<StateProbe> {
    let shape = CoreShape::of(net.config());
    let mut probes = Vec::new();
    let mut add = |variable: String, index, op, addr, signed, want: i64| {
        probes.push(StateProbe {
            variable,
            index,
            op,
            addr,
            signed,
            want,
        });
    };
    for layer_id in shape.layers() {
        let Some(layer) = layer_id.of(net) else {
            continue;
        };
        for n in 0..layer.size() {
            for (field, signed, want) in neuron_fields(layer, n) {
                let addr = shape.state_address(layer_id, field, n);
                let name = format!("{}.{}", layer_id.name(), field.name());
                add(name, n, Op::ReadState, addr.into(), signed, want);
            }
        }
    }
    for (register, want) in status_registers(&shape, net) {
        let signed = register.signed();
        add(
            register.name(),
            0,
            Op::ReadRegister,
            register.id().into(),
            signed,
            want,
        );
    }
    for layer_id in shape.layers() {
        let Some(layer) = layer_id.of(net) else {
            continue;
        };
        for (i, &w) in layer.weights.iter().enumerate() {
            let name = weight_name(layer_id).to_string();
            let op = Op::ReadWeight(layer_id);
            add(name, i, op, memory_address(i), true, i64::from(w));
        }
    }
    if prediction {
        let class = i64::try_from(net.prediction()).unwrap_or(i64::MAX);
        add("prediction".into(), 0, Op::ReadPrediction, 0, false, class);
    }
    probes
}

/// A value in `lo..=hi` (a span below 2^32) drawn from `rng`, as the type of the field it is
/// drawn for (co-simulation state and stimulus).
pub fn draw<T: TryFrom<i64>>(rng: &mut Xorshift32, lo: i64, hi: i64) -> T {
    let x = lo + i64::from(rng.next()) % (hi - lo + 1);
    T::try_from(x).unwrap_or_else(|_| panic!("{x} does not fit the field drawn in {lo}..={hi}"))
}

/// The starting point of a co-simulation, drawn from `rng`: `cfg`'s network with its initial
/// weights, anneal 1 and random neuron state (membranes -200..=200, refractory counters 0..=2,
/// traces, homeostatic terms up to the layer's bound, spike counts), threshold offsets
/// -10..=10 and goodness in every layer; and pixels, every fifth 255 and the one after it 0,
/// the rest random.
pub fn random_state(cfg: &NetworkConfig, rng: &mut Xorshift32) -> (Network, Vec<u8>) {
    let mut net = Network::new(cfg);
    net.anneal = 1;
    let pixels: Vec<u8> = (0..cfg.inputs)
        .map(|i| match i % 5 {
            3 => 255,
            4 => 0,
            _ => draw(rng, 0, 255),
        })
        .collect();
    let layer_cfgs = cfg.hidden.iter().chain([&cfg.classifier]);
    for (layer, layer_cfg) in net
        .hidden
        .iter_mut()
        .chain([&mut net.classifier])
        .zip(layer_cfgs)
    {
        for n in 0..layer.size() {
            layer.neurons[n].v = draw(rng, -200, 200);
            layer.neurons[n].refractory = draw(rng, 0, 2);
            layer.trace[n] = draw(rng, 0, 255);
            layer.homeostasis[n] = draw(rng, 0, layer_cfg.homeostasis_max.into());
            layer.counts[n] = draw(rng, 0, 65535);
        }
        layer.theta_offset = draw(rng, -10, 10);
        layer.goodness = rng.next();
    }
    (net, pixels)
}

/// The writes that load `net` with `pixels` into a core built for `cfg`: pixels, the weights
/// of every layer, all neuron state, the status registers (offsets, goodness, generator
/// seeds) and every parameter, as (operation, address, data).
pub fn state_writes(cfg: &NetworkConfig, net: &Network, pixels: &[u8]) -> Vec<(Op, u32, u32)> {
    let shape = CoreShape::of(cfg);
    // A value as the data word of its write: the low bits of its two's complement.
    let word = |x: i64| x as u32;
    let mut writes: Vec<(Op, u32, u32)> = Vec::new();
    for (i, &p) in pixels.iter().enumerate() {
        writes.push((Op::WritePixel, memory_address(i), p.into()));
    }
    for layer_id in shape.layers() {
        let Some(layer) = layer_id.of(net) else {
            continue;
        };
        for (i, &w) in layer.weights.iter().enumerate() {
            let op = Op::WriteWeight(layer_id);
            writes.push((op, memory_address(i), u32::from(w as u16)));
        }
    }
    for layer_id in shape.layers() {
        let Some(layer) = layer_id.of(net) else {
            continue;
        };
        for n in 0..layer.size() {
            for (field, signed, value) in neuron_fields(layer, n) {
                // Signed fields are 16 bits wide in the core.
                let data = if signed {
                    u32::from(value as u16)
                } else {
                    word(value)
                };
                let addr = shape.state_address(layer_id, field, n);
                writes.push((Op::WriteState, u32::from(addr), data));
            }
        }
    }
    for (register, _) in status_registers(&shape, net) {
        writes.push((
            Op::WriteRegister,
            u32::from(register.id()),
            register.value(net),
        ));
    }
    for (id, value) in parameter_writes(cfg, net.anneal) {
        writes.push((Op::WriteRegister, u32::from(id), value));
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

    fn network(hidden: &[usize]) -> NetworkConfig {
        let mut cfg = crate::config::supervised_digits();
        let layer = cfg.hidden[0].clone();
        cfg.hidden = hidden
            .iter()
            .map(|&size| LayerConfig {
                size,
                ..layer.clone()
            })
            .collect();
        cfg
    }

    fn shape(hidden: &[usize]) -> CoreShape {
        CoreShape::new(&network(hidden)).expect("the shape fits the core")
    }

    /// The regression anchor: with one hidden layer every code, address and id is that of
    /// the core the RTL implements (`hdl/src/top/learning_core/`).
    #[test]
    fn one_hidden_layer_numbers_are_those_of_the_rtl() {
        let (h, c) = (LayerId::hidden(0), LayerId::CLASSIFIER);
        let ops = [
            (Op::Nop, 0),
            (Op::WritePixel, 1),
            (Op::ReadPixel, 2),
            (Op::WriteWeight(h), 3),
            (Op::ReadWeight(h), 4),
            (Op::WriteWeight(c), 5),
            (Op::ReadWeight(c), 6),
            (Op::WriteState, 7),
            (Op::ReadState, 8),
            (Op::WriteRegister, 9),
            (Op::ReadRegister, 10),
            (Op::PhaseReset, 11),
            (Op::Step, 12),
            (Op::ReadPrediction, 13),
        ];
        for (op, code) in ops {
            assert_eq!(op.code(), code, "{op:?}");
        }
        assert_eq!(Op::all(1), ops.map(|(op, _)| op).to_vec());
        assert_eq!((weight_space_code(h), weight_space_code(c)), (1, 2));
        let registers = [
            (Register::ThetaOffset(h), 0),
            (Register::Goodness(h), 1),
            (Register::ThetaOffset(c), 2),
            (Register::Goodness(c), 3),
            (Register::EncoderState, 4),
            (Register::LearnState(h), 5),
            (Register::LearnState(c), 6),
            (Register::WeightMax, 8),
            (Register::Anneal, 9),
        ];
        for (register, id) in registers {
            assert_eq!(register.id(), id, "{register:?}");
            assert_eq!(Register::from_id(id), Some(register));
        }
        let one = shape(&[256]);
        assert_eq!(one.registers(), registers.map(|(r, _)| r).to_vec());
        assert_eq!(parameter_id(h, LayerField::LeakShift), 16);
        assert_eq!(parameter_id(h, LayerField::DecayShift), 29);
        assert_eq!(parameter_id(c, LayerField::LeakShift), 32);
        assert_eq!(parameter_id(c, LayerField::DecayShift), 45);
        assert_eq!(one.state_address(h, StateField::Membrane, 7), 0x0007);
        assert_eq!(one.state_address(h, StateField::Count, 4095), 0x4FFF);
        assert_eq!(one.state_address(c, StateField::Membrane, 0), 0x8000);
        assert_eq!(one.state_address(c, StateField::Count, 4095), 0xCFFF);
        assert_eq!(
            one.split_state_address(0xCFFF),
            StateAddress {
                layer: c,
                field: 4,
                neuron: 4095
            }
        );
        assert_eq!(
            one.split_state_address(0x7001),
            StateAddress {
                layer: h,
                field: 7,
                neuron: 1
            }
        );
        assert_eq!(STATE_CLASSIFIER_BIT, 0x8000);
        for field in StateField::ALL {
            assert_eq!(StateField::from_code(field as u8), Some(field));
        }
        assert_eq!(StateField::from_code(5), None);
    }

    /// Every layer of a three-hidden-layer core has its own codes, addresses and ids, and each
    /// decodes to its layer.
    #[test]
    fn three_hidden_layers_round_trip() {
        let mut cfg = network(&[1024, 16, 12]);
        cfg.inputs = 16;
        let three = CoreShape::new(&cfg).expect("fits");
        assert_eq!(
            three.layers().collect::<Vec<_>>(),
            [
                LayerId::hidden(0),
                LayerId::hidden(1),
                LayerId::hidden(2),
                LayerId::CLASSIFIER
            ]
        );
        let mut codes = Vec::new();
        let mut ids = Vec::new();
        let mut addresses = Vec::new();
        for layer in three.layers() {
            for op in [Op::WriteWeight(layer), Op::ReadWeight(layer)] {
                assert_eq!(Op::from_code(op.code()), Some(op));
                assert!(op.code() < 32, "{op:?} fits 5 bits");
                codes.push(op.code());
            }
            assert_eq!(weight_space_layer(weight_space_code(layer)), Some(layer));
            for register in [
                Register::ThetaOffset(layer),
                Register::Goodness(layer),
                Register::LearnState(layer),
            ] {
                assert_eq!(Register::from_id(register.id()), Some(register));
                assert!(three.register_readable(register.id()));
                ids.push(register.id());
            }
            for field in LayerField::ALL {
                if layer.is_classifier() && field == LayerField::GoodnessThreshold {
                    continue;
                }
                let id = parameter_id(layer, field);
                assert_eq!(three.parameter_field(id), Some((layer, field)));
                assert!(three.register_writable(id) && !three.register_readable(id));
                ids.push(id);
            }
            for field in StateField::ALL {
                for n in [0, three.size(layer) - 1] {
                    let addr = three.state_address(layer, field, n);
                    let want = StateAddress {
                        layer,
                        field: field as u8,
                        neuron: u16::try_from(n).expect("small"),
                    };
                    assert_eq!(three.split_state_address(addr), want);
                    addresses.push(addr);
                }
            }
        }
        let len = addresses.len();
        addresses.sort_unstable();
        addresses.dedup();
        assert_eq!(addresses.len(), len, "distinct state addresses");
        codes.sort_unstable();
        let len = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), len, "distinct register ids");
        assert_eq!(codes, [3, 4, 5, 6, 17, 18, 19, 20]);
        assert_eq!(Op::all(3).len(), 18);
        assert_eq!(Op::from_code(14), None);
        assert_eq!(Op::from_code(23), None);
        // Hidden layer 1: block 64, hidden layer 2: block 96.
        assert_eq!(Register::ThetaOffset(LayerId::hidden(1)).id(), 64);
        assert_eq!(Register::LearnState(LayerId::hidden(2)).id(), 98);
        assert_eq!(parameter_id(LayerId::hidden(1), LayerField::LeakShift), 80);
        assert_eq!(
            parameter_id(LayerId::hidden(2), LayerField::DecayShift),
            125
        );
        assert_eq!(
            three.state_address(LayerId::hidden(2), StateField::Trace, 5),
            0x2805
        );
        // A layer the core does not have.
        assert!(!three.register_readable(128));
        assert!(!three.register_writable(144));
        assert!(shape(&[8, 8, 8, 8]).register_writable(144));
    }

    #[test]
    fn shapes_the_addresses_cannot_hold_are_refused() {
        let narrow = |hidden: &[usize]| {
            let mut cfg = network(hidden);
            cfg.inputs = 16;
            CoreShape::new(&cfg)
        };
        let err = narrow(&[2000, 16]).expect_err("too large");
        assert_eq!(
            err.to_string(),
            "hidden[0].size = 2000 is above the learning core's limit of 1024: with more than \
             one hidden layer a state address holds the neuron in 10 bits"
        );
        assert!(narrow(&[2000]).is_ok());
        let err = CoreShape::new(&network(&[4097])).expect_err("too large");
        assert_eq!(
            err.to_string(),
            "hidden layer size = 4097 is above the learning core's limit of 4096"
        );
        let err = CoreShape::new(&network(&[8; 5])).expect_err("five layers");
        assert_eq!(err, ShapeError::HiddenLayers { count: 5 });
        let err = narrow(&[1024, 1024]).expect_err("W1 too large");
        assert_eq!(
            err.to_string(),
            "hidden[1] weight words = 1058816 is above the learning core's limit of 1048576"
        );
        let mut wide = network(&[4]);
        wide.inputs = MAX_INPUTS + 1;
        assert_eq!(
            CoreShape::new(&wide).map_err(|e| e.to_string()),
            Err("inputs = 65537 is above the learning core's limit of 65536".to_string())
        );
    }

    #[test]
    fn shape_sizes_and_offsets() {
        let cfg = network(&[16, 12]);
        let two = CoreShape::new(&cfg).expect("fits");
        assert_eq!(two.rows(LayerId::hidden(0)), 64 + 10);
        assert_eq!(two.rows(LayerId::hidden(1)), 16 + 10);
        assert_eq!(two.rows(LayerId::CLASSIFIER), cfg.classifier_inputs());
        assert_eq!(two.weight_words(LayerId::hidden(1)), 26 * 12);
        assert_eq!(two.neuron_offset(LayerId::hidden(1)), 16);
        assert_eq!(two.neuron_offset(LayerId::CLASSIFIER), 28);
        assert_eq!(two.neurons(), 38);
        assert_eq!(two.size(LayerId::hidden(2)), 0);
        let net = Network::new(&cfg);
        for layer in two.layers() {
            let held = layer.of(&net).expect("layer");
            assert_eq!(held.weights.len(), two.weight_words(layer), "{layer}");
        }
    }

    /// The cycle formula of one hidden layer is that of the RTL (the default network's figures
    /// of `docs/spec.md` §6 as the anchor), and each further hidden layer adds its own term.
    #[test]
    fn longest_command_bounds_every_datapath_and_step() {
        let shapes = [shape(&[256]), shape(&[64, 32, 16])];
        let steps = [
            StepCommand {
                csdp: Some(false),
                classifier_label: Some(3),
                label_input: Some(1),
            },
            StepCommand {
                csdp: None,
                classifier_label: None,
                label_input: None,
            },
        ];
        for shape in &shapes {
            let longest = shape.longest_command_cycles();
            let all: Vec<u64> = shape.hidden.iter().map(|&n| n as u64).collect();
            for lanes in [1, 2, 4, 8, 16] {
                assert!(shape.phase_reset_cycles(lanes) <= longest);
                for (single_port_weights, paired_banks) in
                    [(false, false), (true, false), (true, true)]
                {
                    for split_neuron in [false, true] {
                        let datapath = Datapath {
                            lanes,
                            single_port_weights,
                            paired_banks,
                            split_neuron,
                            late_write: true,
                        };
                        for step in &steps {
                            let cycles =
                                shape.cycles_per_step(datapath, shape.inputs as u64, &all, step);
                            assert!(cycles <= longest, "{cycles} > {longest} at {datapath:?}");
                        }
                    }
                }
            }
        }
        // The slowest datapath with everything spiking and learning reaches the bound.
        let one = shape(&[256]);
        let slowest = Datapath::slowest();
        let worst = StepCommand {
            csdp: Some(true),
            classifier_label: Some(0),
            label_input: Some(0),
        };
        assert_eq!(
            one.cycles_per_step(slowest, 64, &[256], &worst),
            one.longest_command_cycles()
        );
    }

    #[test]
    fn cycles_per_step_of_one_and_two_hidden_layers() {
        let one = shape(&[256]);
        let worst = StepCommand {
            csdp: Some(true),
            classifier_label: Some(0),
            label_input: Some(0),
        };
        let lane = Datapath::lanes(1);
        let layer = |e: u64, n: u64| e * (n + 2) + n + 3;
        // Learning ends with two cycles for the last group's rounding and write-back.
        let want = 2 * 64 + 10 + layer(17, 256) + layer(5, 10) + (17 * 258 + 2) + (5 * 12 + 1) + 2;
        assert_eq!(one.cycles_per_step(lane, 16, &[5], &worst), want);
        // Single-port weights: two cycles per group in learning, the hidden layer's (17 rows
        // of 256) and the classifier's (5 rows of 10).
        let spram = Datapath {
            single_port_weights: true,
            ..lane
        };
        assert_eq!(
            one.cycles_per_step(spram, 16, &[5], &worst),
            want + 17 * 256 + 5 * 10
        );
        // Paired banks: one cycle per group again; 256 and 10 are multiples of 2, so no row
        // takes a cycle more. With 2 lanes 10 is not a multiple of 4: each of the classifier's
        // 5 rows takes one more.
        let paired = Datapath {
            paired_banks: true,
            ..spram
        };
        assert_eq!(one.cycles_per_step(paired, 16, &[5], &worst), want);
        let two = |d: Datapath| Datapath { lanes: 2, ..d };
        assert_eq!(
            one.cycles_per_step(two(paired), 16, &[5], &worst),
            one.cycles_per_step(two(lane), 16, &[5], &worst) + 5
        );
        // An odd layer: each of its 17 rows takes one more.
        let odd = shape(&[255]);
        assert_eq!(
            odd.cycles_per_step(paired, 16, &[5], &worst),
            odd.cycles_per_step(lane, 16, &[5], &worst) + 17
        );
        // The neuron's words registered, two neuron data stages and two adaptation cycles:
        // three more cycles per layer.
        let split = Datapath {
            split_neuron: true,
            ..lane
        };
        assert_eq!(one.cycles_per_step(split, 16, &[5], &worst), want + 6);
        // A late write-back: one more cycle after learning, none without it.
        let late = Datapath {
            late_write: true,
            ..lane
        };
        assert_eq!(one.cycles_per_step(late, 16, &[5], &worst), want + 1);
        let inference = StepCommand {
            csdp: None,
            classifier_label: None,
            label_input: None,
        };
        assert_eq!(
            one.cycles_per_step(late, 16, &[5], &inference),
            one.cycles_per_step(lane, 16, &[5], &inference)
        );
        // The slowest datapath has all three.
        assert_eq!(
            one.cycles_per_step(Datapath::slowest(), 16, &[5], &worst),
            want + 17 * 256 + 5 * 10 + 6 + 1
        );
        // The label-row network with 16 spiking pixels and 5 hidden spikes (spec section 6).
        let csdp = StepCommand {
            csdp: Some(true),
            classifier_label: None,
            label_input: Some(3),
        };
        let classify = StepCommand {
            classifier_label: Some(3),
            ..StepCommand::default()
        };
        let cycles = |step: &StepCommand| one.cycles_per_step(lane, 16, &[5], step);
        assert_eq!(cycles(&StepCommand::default()), 4_598);
        assert_eq!(cycles(&csdp), 9_246);
        assert_eq!(cycles(&classify), 4_661);
        assert_eq!(
            one.cycles_per_step(lane, 0, &[], &StepCommand::default()),
            128 + 10 + 259 + 13
        );
        // Four lanes: 64 groups per hidden row, 3 per classifier row.
        assert_eq!(
            one.cycles_per_step(Datapath::lanes(4), 16, &[5], &StepCommand::default()),
            138 + 16 * 66 + 259 + 5 * 5 + 13
        );
        assert_eq!(one.phase_reset_cycles(1), 266);
        assert_eq!(one.phase_reset_cycles(8), 272);
        let two = shape(&[16, 12]);
        let second = layer(3 + 1, 12) + (4 * 14 + 2);
        let first = layer(17, 16) + (17 * 18 + 2);
        let classifier = layer(3 + 2, 10) + (5 * 12 + 1);
        assert_eq!(
            two.cycles_per_step(lane, 16, &[3, 2], &worst),
            2 * 64 + 10 + first + second + classifier + 2
        );
        assert_eq!(two.phase_reset_cycles(8), 16 + 16 + 16);
    }

    #[test]
    fn op_codes_round_trip() {
        for op in Op::all(MAX_HIDDEN_LAYERS) {
            assert_eq!(Op::from_code(op.code()), Some(op));
        }
        let reads = Op::all(1).iter().filter(|op| op.is_read()).count();
        assert_eq!(reads, 6);
    }

    #[test]
    fn register_ids_are_those_the_core_decodes() {
        let one = shape(&[256]);
        let readable: Vec<u16> = (0..=u16::MAX)
            .filter(|&id| one.register_readable(id))
            .collect();
        assert_eq!(readable, (0..=6).collect::<Vec<u16>>());
        let writable: Vec<u16> = (0..=u16::MAX)
            .filter(|&id| one.register_writable(id))
            .collect();
        let mut want: Vec<u16> = (0..=6).chain([8, 9]).chain(16..=29).collect();
        want.extend((32..=42).chain([44, 45]));
        assert_eq!(writable, want);
        assert_eq!(
            parameter_field(43),
            None,
            "the classifier has no goodness threshold"
        );
        assert_eq!(
            parameter_field(45),
            Some((LayerId::CLASSIFIER, LayerField::DecayShift))
        );
        assert_eq!(
            parameter_field(16),
            Some((LayerId::hidden(0), LayerField::LeakShift))
        );
    }

    #[test]
    fn layer_field_set_inverts_value_and_truncates() {
        let cfg = crate::config::supervised_digits();
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
        for hidden in [&[256][..], &[16, 12], &[20, 8, 6]] {
            load_and_probe(&network(hidden));
        }
    }

    fn load_and_probe(cfg: &NetworkConfig) {
        use crate::core_model::CoreModel;
        let cfg = cfg.clone();
        let mut net = Network::new(&cfg);
        let mut rng = Xorshift32::new(0x57A7_E001);
        let mut small = |m: u32| rng.next() % m;
        for layer in net.hidden.iter_mut().chain([&mut net.classifier]) {
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
        for layer in net.hidden.iter_mut().chain([&mut net.classifier]) {
            for w in &mut layer.weights {
                *w = small(255) as i16 - 127;
            }
        }
        let pixels: Vec<u8> = (0..cfg.inputs).map(|i| (i * 37 % 256) as u8).collect();
        let mut core = CoreModel::new(&cfg).expect("the default network fits the core");
        for (op, addr, data) in state_writes(&cfg, &net, &pixels) {
            core.command(op, addr, data);
        }
        assert_eq!(core.pixels(), &pixels[..]);
        let probes = state_probes(&net, false);
        assert!(probes.iter().any(|p| p.signed && p.want < 0));
        let layers = probes
            .iter()
            .filter(|p| p.variable.ends_with(".goodness"))
            .count();
        assert_eq!(layers, cfg.hidden.len() + 1);
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

    /// Fixed parameters take exactly the layers' parameter ids out of the writable ones.
    #[test]
    fn fixed_parameters_are_not_writable() {
        let three = network(&[20, 8, 6]);
        let registers = CoreShape::new(&three).expect("fits");
        let fixed = registers.clone().with_fixed_parameters(true);
        for id in 0..=u16::MAX {
            let parameter = registers.parameter_field(id).is_some();
            assert_eq!(
                fixed.register_writable(id),
                registers.register_writable(id) && !parameter,
                "id {id}"
            );
            assert_eq!(fixed.register_readable(id), registers.register_readable(id));
        }
        assert!(fixed.register_writable(Register::Anneal.id()));
        assert!(fixed.register_writable(Register::WeightMax.id()));
    }

    #[test]
    fn parameter_writes_cover_every_layer() {
        let cfg = crate::config::supervised_digits();
        let writes = parameter_writes(&cfg, 2);
        // w_max and anneal, 14 hidden fields, 13 classifier fields.
        assert_eq!(writes.len(), 2 + 14 + 13);
        assert!(writes.contains(&(Register::WeightMax.id(), 127)));
        assert!(writes.contains(&(Register::Anneal.id(), 2)));
        assert!(writes.contains(&(HIDDEN_PARAMETERS + 11, 655_360)));
        assert!(writes.contains(&(CLASSIFIER_PARAMETERS + 1, 32)));
        let three = network(&[20, 8, 6]);
        let writes = parameter_writes(&three, 0);
        assert_eq!(writes.len(), 2 + 3 * 14 + 13);
        let threshold = parameter_id(LayerId::hidden(2), LayerField::GoodnessThreshold);
        assert!(writes.contains(&(threshold, three.hidden[2].goodness_threshold)));
    }
}
