//! Verilator co-simulation of the generated learning core against the golden model.
//!
//! The Verilated cores and chips are `spikeforge-verilated`'s, re-exported as [`model`] (the
//! core variants [`model::SMALL`], [`model::DEFAULT`], the further shapes [`model::SELFSUP`],
//! [`model::WIDE`], [`model::TINY`], the variants with the hidden weights in iCE40 SPRAM
//! [`model::SMALL_SPRAM`], [`model::MIXED_SPRAM`], [`model::DEFAULT_SPRAM`] and the others of
//! [`model::ALL`]) and the bit-level serial line as [`uart`]. [`Host`] drives a core over its
//! host interface (docs/spec.md §6) and [`compare::compare`] reads back all of its state and
//! compares it with [`spikeforge_sim::network::Network`]. [`golden::Bench`] runs whole phases
//! that way.
//!
//! At the pins: the whole chip of [`model::CHIP_SMALL`], [`model::CHIP_DEFAULT`] and
//! [`model::CHIP_DEEP`] (two hidden layers; all in [`model::CHIPS`]) at 4 clock cycles per bit
//! (12 MHz at 3 Mbaud), and the gate-level netlists [`model::GATE_ICE40`],
//! [`model::GATE_ECP5`] and [`model::GATE_ICE40_MUTANT`] (and of a core,
//! [`model::GATE_CORE_ICE40`]). [`PinChip`] drives one bit by bit and checks every response byte
//! against `spikeforge_sim::chip::Chip`, and [`Session`] is a host's session in frames
//! (loading, training, inference); [`epoch::learn_one_epoch`] is one epoch of it compared with
//! `train::train`.
//!
//! Waveforms: build with `SPIKEFORGE_WAVES=vcd` or `SPIKEFORGE_WAVES=fst` and every model
//! instance writes one under `build/waves/` (see [`model`]); unset, the models carry no
//! tracing code.

pub mod chip;
pub mod compare;
pub mod epoch;
pub mod golden;
pub mod host;
pub mod pins;
pub mod session;

pub use spikeforge_verilated::{model, uart};

pub use compare::{compare, Mismatch};
pub use host::Host;
pub use model::{ChipKind, ChipModel, CoreKind, Model};
pub use pins::{ExchangeError, Failure, PinChip};
pub use session::Session;
