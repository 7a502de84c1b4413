//! [`SimChip`]: the golden model of the chip ([`Chip`]) as a link. Every byte sent goes
//! through [`Chip::feed`] at once, and the bytes it answers wait to be received.

use std::collections::VecDeque;
use std::time::Instant;

use spikeforge_sim::chip::Chip;
use spikeforge_sim::config::NetworkConfig;

use super::{Transport, TransportError};

/// The golden chip of a network, behind [`Transport`].
#[derive(Debug)]
pub struct SimChip {
    chip: Chip,
    network: String,
    answer: VecDeque<u8>,
}

impl SimChip {
    /// The chip generated for `cfg`, at power-up.
    pub fn new(cfg: &NetworkConfig) -> Result<Self, TransportError> {
        Self::build(cfg, false)
    }

    /// The chip generated for `cfg` with its layers' parameters fixed in its logic
    /// (`fixed_parameters`) or in registers, at power-up.
    pub fn build(cfg: &NetworkConfig, fixed_parameters: bool) -> Result<Self, TransportError> {
        let chip = Chip::build(cfg, fixed_parameters).map_err(|err| TransportError::Setup {
            link: "sim".to_string(),
            reason: format!("network {:?} has no chip: {err}", cfg.name),
        })?;
        Ok(Self {
            chip,
            network: cfg.name.clone(),
            answer: VecDeque::new(),
        })
    }

    /// The chip (to compare its state with what the host read).
    pub fn chip(&self) -> &Chip {
        &self.chip
    }

    /// Bytes the chip answered that were not received yet.
    pub fn pending(&self) -> usize {
        self.answer.len()
    }
}

impl Transport for SimChip {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.answer.extend(self.chip.feed(bytes));
        Ok(())
    }

    /// The chip has answered everything it was sent: with nothing queued, nothing can come
    /// before the next `send`, so this returns `Ok(0)` without waiting for the deadline.
    fn recv(&mut self, buf: &mut [u8], _deadline: Instant) -> Result<usize, TransportError> {
        let n = buf.len().min(self.answer.len());
        for (slot, byte) in buf.iter_mut().zip(self.answer.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }

    fn baud(&self) -> Option<u32> {
        None
    }

    fn describe(&self) -> String {
        format!("sim (golden chip of network {:?})", self.network)
    }
}
