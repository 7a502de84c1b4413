//! spikeforge-hdl: the rust-hdl description of the spikeforge learning core.
//!
//! Each widget is one rule of the golden model (`spikeforge_sim::rules`) as a purely
//! combinational next-state block, with the widths of `docs/spec.md` §1. Parameters that are
//! run-time registers on the chip (shifts, thresholds, steps) are input ports. [`hw`] holds the
//! workarounds for rust-hdl's gaps and the rules the widgets follow so that rust-hdl's simulator
//! and the generated Verilog agree.
pub mod board;
pub mod encoder;
pub mod generate;
pub mod hw;
pub mod learning;
pub mod link;
pub mod lint;
pub mod memory;
pub mod neuron;
pub mod sync_reset;
pub mod synth;
pub mod top;
pub mod uart;

#[cfg(test)]
mod synth_check;
#[cfg(test)]
mod test_vectors;
