//! [`Cosim`]: the Verilated chip at its UART pins, in this process (the chips of
//! `spikeforge_verilated::model::CHIPS`; with the `cosim` feature). Bytes sent are put on
//! `uart_rx` bit by bit, 8N1 at the chip's clock cycles per bit ([`LineDriver`]); bytes are
//! received as [`LineReceiver`] decodes them from `uart_tx`. Nothing checks them against the
//! golden model here: that is what `spikeforge verify` does over any link.
//!
//! Bytes sent wait in a queue of this link's and go to the driver one character at a time,
//! so that [`Cosim::backlog`] tells a bridge how far the line is behind (a pty bridge takes a
//! host's bytes only at the line's pace, as a UART does).
//!
//! Time is the chip's. The model is clocked only inside [`Transport::recv`], and a deadline
//! becomes a number of the chip's clock cycles at `clock_hz` when `recv` first sees it, so a
//! simulation slower than the chip does not time out a request that the chip answers in time,
//! and a chip that hangs still times out. When the driver has sent everything, no character
//! is on `uart_tx` and the chip has not been `active` for [`QUIET_BITS`] bit times, nothing
//! can arrive before the next send, and `recv` returns at once.

use std::collections::VecDeque;
use std::time::Instant;

use spikeforge_sim::config::NetworkConfig;
use spikeforge_verilated::model::{ChipKind, ChipModel, CHIPS};
use spikeforge_verilated::uart::{LineDriver, LineReceiver, QUIET_BITS};

use super::{Transport, TransportError};

/// The Verilated chip of a network at its pins, behind [`Transport`].
#[derive(Debug)]
pub struct Cosim {
    kind: &'static ChipKind,
    network: String,
    model: ChipModel,
    /// Bytes sent and not yet given to the driver.
    outgoing: VecDeque<u8>,
    driver: LineDriver,
    receiver: LineReceiver,
    /// `uart_tx` in the current cycle.
    tx: bool,
    /// `active` in the current cycle.
    active: bool,
    /// Clock cycles since power-up.
    cycles: u64,
    /// Cycles in a row with nothing to send, nothing on `uart_tx` and the chip not active.
    idle: u64,
    received: VecDeque<u8>,
    clock_hz: u64,
    /// The deadline `recv` last saw and the cycle it stands for.
    deadline: Option<(Instant, u64)>,
}

/// `cfg` is the network `chip` was built from: the same in everything but the run seed
/// (which the host loads into the generators; the hardware does not depend on it).
fn built_for(chip: &NetworkConfig, cfg: &NetworkConfig) -> bool {
    let mut chip = chip.clone();
    chip.seed = cfg.seed;
    chip == *cfg
}

/// The chips built into this binary, named with their networks, for error messages.
fn chip_list() -> String {
    let names: Vec<String> = CHIPS
        .iter()
        .map(|kind| match kind.config() {
            Ok(cfg) => format!("{} (network {:?})", kind.name(), cfg.name),
            Err(err) => format!("{} (its network does not load: {err})", kind.name()),
        })
        .collect();
    names.join(", ")
}

impl Cosim {
    /// The Verilated chip built for `cfg`, at power-up, clocked at `clock_hz` for the
    /// deadlines; an error names the network and lists the networks that have a chip.
    pub fn new(cfg: &NetworkConfig, clock_hz: u64) -> Result<Self, TransportError> {
        let setup = |reason: String| TransportError::Setup {
            link: "cosim".to_string(),
            reason,
        };
        if clock_hz == 0 {
            return Err(setup(
                "clock 0 Hz: the chip's clock must be positive".into(),
            ));
        }
        let kind = CHIPS
            .iter()
            .copied()
            .find(|kind| kind.config().is_ok_and(|chip| built_for(&chip, cfg)))
            .ok_or_else(|| {
                setup(format!(
                    "no Verilated chip is built for network {:?}; the chips are {}",
                    cfg.name,
                    chip_list()
                ))
            })?;
        let clocks_per_bit = kind.clocks_per_bit();
        Ok(Self {
            kind,
            network: cfg.name.clone(),
            model: ChipModel::new(kind),
            outgoing: VecDeque::new(),
            driver: LineDriver::new(clocks_per_bit),
            receiver: LineReceiver::new(clocks_per_bit),
            tx: true,
            active: false,
            cycles: 0,
            idle: 0,
            received: VecDeque::new(),
            clock_hz,
            deadline: None,
        })
    }

    /// The chip model.
    pub fn kind(&self) -> &'static ChipKind {
        self.kind
    }

    /// Clock cycles since power-up.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Nothing can arrive before the next send: everything sent, every byte received, the
    /// chip idle for [`QUIET_BITS`] bit times.
    pub fn quiet(&self) -> bool {
        self.received.is_empty() && self.idle >= QUIET_BITS * u64::from(self.kind.clocks_per_bit())
    }

    /// Bytes on the line not carried yet: sent and not yet on `uart_rx`, or decoded from
    /// `uart_tx` and not yet received.
    pub fn backlog(&self) -> usize {
        self.outgoing.len() + self.received.len()
    }

    /// The cycle `deadline` stands for: now plus the time left until it at `clock_hz`,
    /// fixed when it is first seen.
    fn target(&mut self, deadline: Instant) -> u64 {
        match self.deadline {
            Some((seen, cycle)) if seen == deadline => cycle,
            _ => {
                let left = deadline.saturating_duration_since(Instant::now());
                let cycles = (left.as_secs_f64() * self.clock_hz as f64).ceil() as u64;
                let cycle = self.cycles.saturating_add(cycles);
                self.deadline = Some((deadline, cycle));
                cycle
            }
        }
    }

    /// One clock cycle: the driver's level on `uart_rx`, `uart_tx` sampled.
    fn clock(&mut self) -> Result<(), TransportError> {
        if self.driver.is_idle() {
            // The next character starts in this cycle, back to back with the previous one.
            if let Some(byte) = self.outgoing.pop_front() {
                self.driver.send(&[byte]);
            }
        }
        let level = self.driver.next_level();
        let byte =
            self.receiver
                .sample(self.tx, self.cycles)
                .map_err(|err| TransportError::Line {
                    link: self.describe(),
                    reason: err.to_string(),
                })?;
        let pins = self.model.cycle(level);
        self.tx = pins.uart_tx;
        self.active = pins.active;
        self.cycles += 1;
        if let Some(byte) = byte {
            self.received.push_back(byte);
        }
        let idle = self.outgoing.is_empty()
            && self.driver.is_idle()
            && self.receiver.is_idle()
            && self.tx
            && !self.active;
        self.idle = if idle { self.idle + 1 } else { 0 };
        Ok(())
    }
}

impl Transport for Cosim {
    /// Queue `bytes` for `uart_rx`; they go out as the chip is clocked in `recv`.
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.outgoing.extend(bytes);
        if !bytes.is_empty() {
            self.idle = 0;
        }
        Ok(())
    }

    /// Clock the chip until a byte arrives, the chip is [`quiet`](Cosim::quiet) or the
    /// deadline's cycle is reached.
    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> Result<usize, TransportError> {
        let target = self.target(deadline);
        while self.received.is_empty() {
            if self.quiet() || self.cycles >= target {
                return Ok(0);
            }
            self.clock()?;
        }
        let n = buf.len().min(self.received.len());
        for (slot, byte) in buf.iter_mut().zip(self.received.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }

    /// The line's rate at `clock_hz`: the chip's UART takes one bit per `clocks_per_bit`
    /// cycles.
    fn baud(&self) -> Option<u32> {
        let bits = self.clock_hz / u64::from(self.kind.clocks_per_bit());
        Some(u32::try_from(bits).unwrap_or(u32::MAX))
    }

    fn describe(&self) -> String {
        format!(
            "cosim (Verilated {} of network {:?}, {} clock cycles per bit)",
            self.kind.name(),
            self.network,
            self.kind.clocks_per_bit()
        )
    }
}
