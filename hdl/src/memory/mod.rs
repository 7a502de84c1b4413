//! Memories: block-RAM-friendly storage for weights, neuron state and inputs, optionally in
//! iCE40 UltraPlus SPRAM.
mod byte_fifo;
mod ram;

pub use byte_fifo::ByteFifo;
pub use ram::{Ram, RamStyle, ICE40_UP_SPRAMS, SPRAM_BITS, SPRAM_WORDS};
