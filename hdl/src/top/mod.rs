//! Top-level cores built from the rule widgets and memories, and their host interface.
mod chip_core;
mod chip_top;
mod draws;
mod error_stage;
mod event_lists;
pub mod host_interface;
mod lane_router;
mod layer_registers;
mod learn_engine;
mod learning_core;
mod neuron_engine;
mod neuron_memories;
mod port_decoder;
mod read_back;
mod status_registers;
mod synapse_stages;

pub use chip_core::ChipCore;
pub(crate) use chip_top::enum_encodings;
pub use chip_top::{ChipTop, StateMachine};
pub(crate) use learning_core::address_mask;

pub use learning_core::{
    check_lanes, cycles_per_step, phase_reset_cycles, Address, CoreError, CoreInfo, CoreOptions,
    LearningCore, MemoryInfo, ParameterInfo, PortInfo, MAX_CLASSES, MAX_LANES, MAX_LAYER_SIZE,
    MAX_MEMORY_WORDS, PARAMETER_LAYOUT, PARAMETER_SLOTS,
};
