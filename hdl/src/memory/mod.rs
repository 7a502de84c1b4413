//! Memories: block-RAM-friendly storage for weights, neuron state and inputs.
mod ram;

pub use ram::Ram;
