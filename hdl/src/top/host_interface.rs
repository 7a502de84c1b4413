//! The host interface of [`crate::top::LearningCore`]: operation codes, register ids, the
//! `STEP` control word and the register writes that load a network configuration.
//!
//! These are the wire-format numbers of the core; the hardware decodes exactly these values
//! (the operation test in `learning_core/tests.rs` drives the core through them). They are defined
//! once, in [`spikeforge_sim::core_interface`], for the RTL, the golden model of the core and
//! the wire protocol alike.
pub use spikeforge_sim::core_interface::*;
