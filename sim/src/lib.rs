//! Bit-exact golden model of the spikeforge learning core.
//!
//! The model is the specification of the chip (`docs/spec.md`): [`rules`] holds one pure
//! next-state function per rule, [`network`] the state and the order of operations in a time
//! step, [`train`] the host-side loop and [`sweep`] grids of training runs over config values
//! and seeds. [`float`] is an `f32` reference of the same network. [`core_interface`] holds the
//! numbers of the learning core's command port, [`core_model`] the core at that port, [`wire`]
//! the protocol between host and chip and [`chip`] the chip at its UART.
pub mod chip;
pub mod config;
pub mod core_interface;
pub mod core_model;
pub mod data;
pub mod diag;
pub mod float;
pub mod model;
pub mod network;
pub mod report;
pub mod rng;
pub mod rules;
pub mod sweep;
pub mod train;
pub mod wire;
