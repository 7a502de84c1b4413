//! spikeforge-verilated: the Verilated models of the generated cores and chips behind a safe
//! interface, and the host's end of a chip's serial line, bit by bit.
//!
//! `build.rs` turns each core variant under test (a network and its
//! `spikeforge_hdl::top::CoreOptions`) into a Verilated [`Model`], driven over the core's host
//! interface (docs/spec.md §6): one [`CoreKind`] static each, [`model::SMALL`],
//! [`model::DEFAULT`] and the others of [`model::ALL`]. It also builds the whole chip (UART,
//! receive FIFO, frame engine, core) of [`model::CHIP_SMALL`], [`model::CHIP_DEFAULT`] and
//! [`model::CHIP_DEEP`] (two hidden layers; all in [`model::CHIPS`]) at 4 clock cycles per bit
//! (12 MHz at 3 Mbaud), a [`ChipModel`] clocked at its pins; and, at the gate level, Yosys's
//! netlists of the small network's chip synthesised with the board flow's script for the
//! iCE40 UP5K ([`model::GATE_ICE40`], weights in SPRAM) and the ECP5 ([`model::GATE_ECP5`]),
//! and the iCE40 netlist with one LUT changed ([`model::GATE_ICE40_MUTANT`], the negative
//! control); and the netlist of the small core with W in SPRAM ([`model::GATE_CORE_ICE40`]).
//! [`uart`] drives and decodes a chip's serial lines bit by bit.
//!
//! The test benches (`spikeforge-testbenches`) compare these models with the golden model; the
//! host (`spikeforge-host`, feature `cosim`) serves a chip as a link. Building this crate
//! verilates every model: Verilator from `scripts/install-tools.sh`, named by `VERILATOR`,
//! and Yosys for the gate-level models.
//!
//! Waveforms: build with `SPIKEFORGE_WAVES=vcd` or `SPIKEFORGE_WAVES=fst` and every model
//! instance writes one under `build/waves/` (see [`model`]); unset, the models carry no
//! tracing code.

pub mod model;
pub mod uart;

pub use model::{ChipKind, ChipModel, CoreKind, Model};
pub use uart::{LineDriver, LineError, LineReceiver, QUIET_BITS};
