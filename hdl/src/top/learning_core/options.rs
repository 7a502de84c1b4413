//! How a learning core is built ([`CoreOptions`]), why a network does not fit it
//! ([`CoreError`]), what `gen-verilog` reports about it ([`CoreInfo`]), and its cycle counts.
use crate::memory::{RamStyle, ICE40_UP_SPRAMS, SPRAM_BITS, SPRAM_WORDS};
use crate::top::host_interface::{CoreShape, Datapath, LayerField, ShapeError, StepCommand};
use spikeforge_sim::config::NetworkConfig;
#[cfg(doc)]
use spikeforge_sim::core_interface::{MAX_INPUTS, MAX_MEMORY_WORDS};

/// Why a network does not fit the learning core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    /// A size the core's addresses cannot hold (the shape's limits).
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A memory would need more words than its addresses reach: [`MAX_MEMORY_WORDS`] for W
    /// and C, [`MAX_INPUTS`] for the others (the event lists, the pixels and the neuron
    /// memories, addressed in 16 bits).
    #[error(
        "{memory} would need {words} words; the learning core's {bits}-bit addresses of it \
         reach {limit}",
        bits = limit.trailing_zeros()
    )]
    MemoryTooLarge {
        /// The memory.
        memory: &'static str,
        /// Words it would need.
        words: usize,
        /// The most words its addresses reach.
        limit: usize,
    },
    /// The weights (W and C) do not fit the SPRAMs of an iCE40 UltraPlus.
    #[error(
        "the weights would need {sprams} SPRAMs: hidden_weights {hidden_words} and \
         classifier_weights {classifier_words} words of {bits} bits, each in {banks} bank(s) of \
         whole SPRAMs; an iCE40 UltraPlus has {ICE40_UP_SPRAMS} SPRAMs of {SPRAM_WORDS} x \
         {SPRAM_BITS} bits"
    )]
    SpramTooSmall {
        /// Words of the hidden weights W.
        hidden_words: usize,
        /// Words of the classifier weights C.
        classifier_words: usize,
        /// Bits per weight.
        bits: usize,
        /// SPRAMs they would take: one bank per lane (two with paired banks) in each memory,
        /// each a whole number of SPRAMs.
        sprams: usize,
        /// Banks of each memory (the lanes, twice them with paired banks).
        banks: usize,
    },
    /// Paired banks asked for without the weights in SPRAM (they serve only single-port
    /// weights).
    #[error(
        "paired_banks needs the weights in SPRAM (weights_in_spram, --spram): dual-port \
         weights learn one group per cycle without them"
    )]
    PairedBanksWithoutSpram,
    /// A lane count the core cannot be built with.
    #[error(
        "lanes = {lanes} is not supported: the learning core takes 1, 2, 4, 8 or {MAX_LANES} lanes"
    )]
    Lanes {
        /// The lanes asked for.
        lanes: usize,
    },
}

/// Block RAMs holding the layers' 16-bit parameters (see [`PARAMETER_LAYOUT`]).
pub const PARAMETER_SLOTS: usize = 4;
/// Groups of parameters read together: the neuron update's, the threshold adaptation's and
/// the contrastive error's.
pub(in crate::top) const PARAMETER_GROUPS: usize = 3;
/// The group of each slot word: group `g` of layer `i` (hidden layer `l` is `i = l`, the
/// classifier `i = hidden layers`) is word `g * stride + i` of every slot, with `stride` the
/// layers rounded up to a power of two ([`parameter_stride`]).
pub(in crate::top) const NEURON_GROUP: u64 = 0;
pub(in crate::top) const ADAPT_GROUP: u64 = 1;
pub(in crate::top) const GOODNESS_GROUP: u64 = 2;

/// Words between two parameter groups of a slot in a core with `hidden_layers` hidden layers:
/// the layers, rounded up to a power of two (so a group's word is `g * stride | i`).
pub(in crate::top) fn parameter_stride(hidden_layers: usize) -> usize {
    (hidden_layers + 1).next_power_of_two()
}

/// Where each wide per-layer parameter lives: `(field, slot, group, high half)`. The
/// parameters read together (by the neuron update, by the threshold adaptation, by the
/// contrastive error) are in different slots of one group, so one read of every slot at the
/// group's word of the layer gives them all a cycle later. The goodness
/// threshold (32 bits, hidden layer only) takes slots 0 (bits 15..0) and 1 (bits 31..16). The
/// narrow fields (shifts, refractory period) stay in registers.
pub const PARAMETER_LAYOUT: [(LayerField, usize, u64, bool); 9] = [
    (LayerField::Threshold, 0, NEURON_GROUP, false),
    (LayerField::HomeostasisStep, 1, NEURON_GROUP, false),
    (LayerField::HomeostasisMax, 2, NEURON_GROUP, false),
    (LayerField::AdaptStep, 0, ADAPT_GROUP, false),
    (LayerField::AdaptTarget, 1, ADAPT_GROUP, false),
    (LayerField::AdaptMin, 2, ADAPT_GROUP, false),
    (LayerField::AdaptMax, 3, ADAPT_GROUP, false),
    (LayerField::GoodnessThreshold, 0, GOODNESS_GROUP, false),
    (LayerField::GoodnessThreshold, 1, GOODNESS_GROUP, true),
];

/// Synapses per clock the core may process: [`CoreOptions::lanes`] is a power of two up to this.
pub const MAX_LANES: usize = 16;

/// `lanes` if the core can be built with it (a power of two up to [`MAX_LANES`]), else
/// [`CoreError::Lanes`].
pub fn check_lanes(lanes: usize) -> Result<usize, CoreError> {
    if lanes.is_power_of_two() && lanes <= MAX_LANES {
        Ok(lanes)
    } else {
        Err(CoreError::Lanes { lanes })
    }
}

/// How the core is built, beyond the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreOptions {
    /// Keep the weights, W and C, in iCE40 UltraPlus SPRAM ([`RamStyle::Ice40Spram`]) instead
    /// of block RAM: the Verilog then targets the iCE40 UP5K / UP3K only. Learning then reads
    /// and writes the weights in separate cycles (two cycles per group), unless they are in
    /// paired banks ([`CoreOptions::paired_banks`]).
    pub weights_in_spram: bool,
    /// With the weights in SPRAM: split each lane's bank of W and of C into two, by the
    /// parity of the word's group (word `a` in bank `a mod 2P` of `2P`), so that learning
    /// reads one group's banks while it writes back the group three cycles before it to the
    /// others: one cycle per group, as from dual-port memory. The banks take twice the SPRAMs
    /// (each a whole number of them), and a row of a layer whose size is not a multiple of
    /// `2P` takes one cycle more in learning (its last write-back could meet the next row's
    /// first read).
    pub paired_banks: bool,
    /// Synapses processed per clock in integration and learning (1, 2, 4, 8 or 16): the weight,
    /// trace and current memories are split into this many banks and each synapse rule is
    /// instantiated this many times. The results do not depend on it, only the cycle count.
    pub lanes: usize,
    /// Split the neuron update over three stages: the first registers the neuron's words
    /// (its state, saturated current and effective threshold), the second computes the LIF
    /// leak ([`crate::neuron::LifLeak`]) and the homeostatic decay
    /// ([`crate::neuron::HomeostasisDecay`]) and registers them, the third fires
    /// ([`crate::neuron::LifFire`]) and updates the rest; the prediction's comparison takes a
    /// stage of its own and the threshold adaptation two cycles. Three more cycles per layer
    /// and about 300 more flip-flops, for a shorter critical path (every board builds it).
    pub split_neuron: bool,
    /// Register the stochastic rounding of learning halfway ([`crate::learning::SrDither`]'s
    /// inner sum, the weight and the outer shift), so that stage 3 takes its first half and
    /// stage 4 the rest with the write-back, and make the layer's rounding plan
    /// ([`crate::learning::SrPlan`]) in stage 2. With the hidden weights in block RAM, the
    /// lanes' next weights are also registered before their route to the banks, which takes a
    /// stage 5 of its own ([`CoreOptions::late_write`]): one more cycle after learning. A
    /// shorter critical path, for about 50 more flip-flops per lane and 40 per core (over 100
    /// logic cells on the UP5K).
    pub split_rounding: bool,
    /// Fix the layers' parameters (thresholds, shifts, homeostasis, adaptation, goodness
    /// thresholds) at the network's values: constants in the logic instead of registers and
    /// parameter RAMs the host writes. The shifts by them then cost no logic (about 900 logic
    /// cells fewer on the UP5K), but the chip takes only networks with these parameters: its
    /// parameter ids are not writable ([`CoreShape::fixed_parameters`]) and its identity says
    /// so, with their hash. `w_max` and the anneal stay registers.
    pub fixed_parameters: bool,
}

impl CoreOptions {
    /// With `split_rounding` and dual-port weights, learning's write-back takes a stage of its
    /// own (the route of the lanes' next weights to their banks): one more cycle after
    /// learning. A single-port W keeps the write in stage 4, in the cycle without a read.
    pub fn late_write(&self) -> bool {
        self.split_rounding && !self.weights_in_spram
    }

    /// Banks of each weight memory, W and C: one per lane, two with paired banks.
    pub fn weight_banks(&self) -> usize {
        self.lanes * if self.paired_banks { 2 } else { 1 }
    }

    /// Learning addresses a group every other cycle: single-port weights without paired
    /// banks.
    pub fn alternate_learning(&self) -> bool {
        self.weights_in_spram && !self.paired_banks
    }

    /// The datapath these options build, for the cycle formula.
    pub fn datapath(&self) -> Datapath {
        Datapath {
            lanes: self.lanes,
            single_port_weights: self.weights_in_spram,
            paired_banks: self.paired_banks,
            split_neuron: self.split_neuron,
            late_write: self.late_write(),
        }
    }
}

impl Default for CoreOptions {
    /// Block RAM only, one lane, parameters in registers.
    fn default() -> Self {
        Self {
            weights_in_spram: false,
            paired_banks: false,
            lanes: 1,
            split_neuron: false,
            split_rounding: false,
            fixed_parameters: false,
        }
    }
}

/// One port of the core's Verilog module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInfo {
    /// Port name.
    pub name: &'static str,
    /// `"in"` or `"out"`.
    pub direction: &'static str,
    /// Width in bits.
    pub width: usize,
}

/// One memory of the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryInfo {
    /// Memory name (the rust-hdl instance).
    pub name: &'static str,
    /// Words, all banks together.
    pub words: usize,
    /// Banks (one per lane for the banked memories, else 1), each of `words / banks` words.
    pub banks: usize,
    /// Bits stored per word.
    pub width: usize,
    /// Where the words are kept.
    pub storage: RamStyle,
}

/// One register reachable with `WRITE_REG` / `READ_REG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterInfo {
    /// Register id (`cmd_addr`).
    pub id: u16,
    /// Name, e.g. `hidden.leak_shift` or `encoder_state`.
    pub name: String,
    /// Width in bits.
    pub width: usize,
    /// `"rw"` (status registers) or `"w"` (parameters).
    pub access: &'static str,
}

/// What `gen-verilog` reports about a generated core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreInfo {
    /// Ports of the top module.
    pub ports: Vec<PortInfo>,
    /// Memories.
    pub memories: Vec<MemoryInfo>,
    /// Register ids.
    pub parameters: Vec<ParameterInfo>,
}

/// Cycles `busy` stays high for a `STEP` of a core built with `options`: the exact count of
/// the sequencer, [`CoreShape::cycles_per_step`] (`docs/spec.md` §6), with `input_events`
/// spiking pixels and `hidden_events[l]` spiking neurons of hidden layer `l`. A group of
/// `lanes` synapses takes one cycle (`u = 2` in hidden-layer learning with W in SPRAM), each
/// event row two more to fetch its base address; a pixel and a neuron two; one cycle per label
/// input, per layer's threshold adaptation and per hidden layer to latch its contrastive
/// error.
pub fn cycles_per_step(
    cfg: &NetworkConfig,
    options: CoreOptions,
    input_events: u64,
    hidden_events: &[u64],
    step: &StepCommand,
) -> u64 {
    // The formula is the core's shape's, defined once in `sim`.
    CoreShape::of(cfg).cycles_per_step(options.datapath(), input_events, hidden_events, step)
}

/// Cycles `busy` stays high for a `PHASE_RESET` of a core with `lanes` lanes: one per neuron
/// word, each hidden layer rounded up to whole lanes, then the classifier, the sum rounded up
/// to whole lanes.
pub fn phase_reset_cycles(cfg: &NetworkConfig, lanes: usize) -> u64 {
    CoreShape::of(cfg).phase_reset_cycles(lanes)
}
