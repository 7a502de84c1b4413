//! Verilator co-simulation of the generated learning core against the golden model.
//!
//! `build.rs` turns each core variant under test (a network and its
//! `spikeforge_hdl::top::CoreOptions`) into a Verilated model: [`model::SMALL`],
//! [`model::DEFAULT`], the further shapes [`model::SELFSUP`], [`model::WIDE`], [`model::TINY`],
//! and the variants with the hidden weights in iCE40 SPRAM [`model::SMALL_SPRAM`],
//! [`model::MIXED_SPRAM`], [`model::DEFAULT_SPRAM`] (all in [`model::ALL`]). [`Host`] drives
//! one over the core's host interface (docs/spec.md §6) and [`compare::compare`] reads back all
//! of its state and compares it with [`spikeforge_sim::network::Network`]. [`golden::Bench`]
//! runs whole phases that way.
//!
//! At the pins: `build.rs` also builds the whole chip (UART, receive FIFO, frame engine,
//! core) of [`model::CHIP_SMALL`], [`model::CHIP_DEFAULT`] and [`model::CHIP_DEEP`] (two hidden
//! layers; all in [`model::CHIPS`]) at 4 clock cycles per bit (12 MHz at 3 Mbaud). [`uart`] drives and decodes the serial lines bit by bit,
//! [`PinChip`] checks every response byte against `spikeforge_sim::chip::Chip`, and
//! [`Session`] is a host's session in frames (loading, training, inference).
//!
//! Waveforms: build with `SPIKEFORGE_WAVES=vcd` or `SPIKEFORGE_WAVES=fst` and every model
//! instance writes one under `build/waves/` (see [`model`]); unset, the models carry no
//! tracing code.

pub mod chip;
pub mod compare;
pub mod golden;
pub mod host;
pub mod model;
pub mod pins;
pub mod session;
pub mod uart;

pub use compare::{compare, Mismatch};
pub use host::Host;
pub use model::{ChipKind, ChipModel, CoreKind, Model};
pub use pins::{ExchangeError, Failure, PinChip};
pub use session::Session;
