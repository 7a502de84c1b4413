//! The states of the learning core's sequencer.
use rust_hdl::prelude::*;

/// States of the core's sequencer.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub(super) enum CoreState {
    /// Waiting for a command; host reads and writes happen here.
    Idle,
    /// `PHASE_RESET`: clear the state of neuron `index` of both layers.
    Clear,
    /// Encode: address pixel `index`.
    EncodeAddress,
    /// Encode: draw, spike, append the row to the event lists.
    EncodeData,
    /// Label input `index`: append its row if it is the step's label input.
    Label,
    /// Integration of `layer`: address event `event_index`, or go on to the neuron update.
    EventAddress,
    /// Integration: latch the event's row base address.
    EventData,
    /// Integration: address weight `event_base + index` and current `index`; the group
    /// addressed in the cycle before is added to its currents in the same cycle.
    Integrate,
    /// Neuron update, one neuron per cycle: address the state of neuron `index`; the data
    /// stage updates the neuron addressed in the cycle before (LIF, homeostasis, trace,
    /// goodness, count) and writes it back.
    Neuron,
    /// The last neuron's data stage (with `split_neuron`, its words are registered).
    NeuronDrain,
    /// With `split_neuron`: the last neuron's first data stage.
    NeuronDrainFirst,
    /// With `split_neuron`: the last neuron's second data stage.
    NeuronDrainLast,
    /// With `split_neuron`: the adaptive threshold's change, registered.
    AdaptProduct,
    /// The layer's adaptive threshold and goodness registers.
    Adapt,
    /// Before the learning of hidden layer `hidden_layer`: read its sigmoid word (its
    /// contrastive error is latched in its first event fetch).
    Error,
    /// Learning of `layer`: address event `event_index`, or finish.
    LearnEventAddress,
    /// Learning: latch the event's row base address.
    LearnEventData,
    /// Learning: address weight `event_base + index` and trace `index`.
    LearnAddress,
    /// Learning with W in SPRAM: the cycle between two group addresses, without a W read.
    LearnData,
    /// After learning: the last group's stages 3 and 4 (two cycles).
    Drain,
    /// With a late write-back: the last group's stage 5.
    DrainLate,
    /// Learning with paired banks, after a row of a layer whose size is not a multiple of
    /// twice the lanes: a cycle without a weight read, for the row's last write-back.
    LearnGap,
}

/// The sequencer's states and the width of its state register.
pub(crate) fn core_states() -> (usize, usize) {
    crate::top::enum_encodings::<CoreState>()
}
