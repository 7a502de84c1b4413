//! Memories: block-RAM-friendly storage for weights, neuron state and inputs, optionally in
//! iCE40 UltraPlus SPRAM.
mod ram;

pub use ram::{Ram, RamStyle, ICE40_UP_SPRAMS, SPRAM_BITS, SPRAM_WORDS};
