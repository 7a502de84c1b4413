//! [`Cosim`] in a host built without the `cosim` feature: no Verilated chip is linked in, so
//! [`Cosim::new`] refuses, naming the feature, and the type has no values. `--port cosim` and
//! `spikeforge cosim --pty --model cosim` reach that error and nothing else changes.

use std::time::Instant;

use spikeforge_sim::config::NetworkConfig;

use super::{Transport, TransportError};

/// The Verilated chip, left out of this build.
#[derive(Debug)]
pub enum Cosim {}

impl Cosim {
    /// Refuses: the Verilated chips come with the `cosim` feature.
    pub fn new(cfg: &NetworkConfig, _clock_hz: u64) -> Result<Self, TransportError> {
        Err(TransportError::Setup {
            link: "cosim".to_string(),
            reason: format!(
                "no Verilated chip for network {:?}: this spikeforge was built without the \
                 `cosim` feature (build it with the default features, which verilate the \
                 chips; the golden chip, `sim`, needs none)",
                cfg.name
            ),
        })
    }

    /// Nothing can arrive before the next send (never asked: no `Cosim` exists).
    pub fn quiet(&self) -> bool {
        match *self {}
    }

    /// Bytes on the line not carried yet (never asked: no `Cosim` exists).
    pub fn backlog(&self) -> usize {
        match *self {}
    }
}

impl Transport for Cosim {
    fn send(&mut self, _bytes: &[u8]) -> Result<(), TransportError> {
        match *self {}
    }

    fn recv(&mut self, _buf: &mut [u8], _deadline: Instant) -> Result<usize, TransportError> {
        match *self {}
    }

    fn baud(&self) -> Option<u32> {
        match *self {}
    }

    fn describe(&self) -> String {
        match *self {}
    }
}
