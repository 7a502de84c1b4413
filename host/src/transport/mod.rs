//! [`Transport`]: one link to a chip, carrying the byte stream of `docs/spec.md` §7 (COBS
//! frames, each ended by 0x00) in both directions. One type per link, one file each:
//! [`serial`] (a UART), [`sim`] (the golden [`spikeforge_sim::chip::Chip`] in this process),
//! `cosim` (the Verilated chip at its UART pins, in this process, with the `cosim` feature;
//! without it a [`Cosim`] that refuses, naming the feature), [`pcie_file`] (the PCIe register
//! window and rings of §8, over a file), and the test wrapper [`corrupt`] that damages bytes
//! on any of them. [`Port`] names a link on the command line.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

pub mod corrupt;
#[cfg(feature = "cosim")]
pub mod cosim;
#[cfg(not(feature = "cosim"))]
mod no_cosim;
pub mod pcie_file;
pub mod serial;
pub mod sim;

pub use corrupt::{Corrupt, CorruptStats};
#[cfg(feature = "cosim")]
pub use cosim::Cosim;
#[cfg(not(feature = "cosim"))]
pub use no_cosim::Cosim;
pub use pcie_file::PcieFile;
pub use serial::Serial;
pub use sim::SimChip;

/// Why a link failed (not a damaged frame: the protocol client handles those).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The operating system refused an operation on the link.
    #[error("{link}: cannot {action}: {cause}")]
    Io {
        /// The link, as [`Transport::describe`] names it.
        link: String,
        /// What was tried (`"open"`, `"write 14 bytes"`, ...).
        action: String,
        /// The operating system's error.
        cause: std::io::Error,
    },
    /// The link was set up with a value it cannot use.
    #[error("{link}: {reason}")]
    Setup {
        /// The link.
        link: String,
        /// What is wrong, naming the value.
        reason: String,
    },
    /// The other side did not take the bytes in time (a ring that stays full).
    #[error("{link}: the device took none of {pending} pending bytes by the deadline")]
    Stalled {
        /// The link.
        link: String,
        /// Bytes still to send.
        pending: usize,
    },
    /// The chip's side of a co-simulated line broke its format (a character that is not 8N1).
    #[error("{link}: {reason}")]
    Line {
        /// The link.
        link: String,
        /// What the line did, with the cycle.
        reason: String,
    },
}

/// A byte link to a chip.
pub trait Transport: fmt::Debug {
    /// Send every byte of `bytes`, in order.
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError>;

    /// Receive at least one byte into `buf`, waiting at most until `deadline`; `Ok(0)` when
    /// nothing arrived by then. A link that knows that nothing can arrive any more before the
    /// next `send` (an in-process model) may return `Ok(0)` at once: the deadline is a bound,
    /// not a delay.
    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> Result<usize, TransportError>;

    /// Bits per second of a serial line, for the wire-time term of the request timeout
    /// (§7.9); `None` for links without one (in-process, PCIe), where the timeout covers the
    /// chip's work alone.
    fn baud(&self) -> Option<u32>;

    /// The link as a user names it (`"/dev/ttyUSB0 at 3000000 baud"`, `"sim"`).
    fn describe(&self) -> String;
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        (**self).send(bytes)
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> Result<usize, TransportError> {
        (**self).recv(buf, deadline)
    }

    fn baud(&self) -> Option<u32> {
        (**self).baud()
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// The links `--port` takes, for the messages that list them.
pub const PORT_CHOICES: &str = "a serial device path, \"sim\" or \"cosim\"";

/// A link as the command line names it (`--port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    /// `sim`: the golden model of the chip, in this process.
    Sim,
    /// `cosim`: the Verilated chip at its UART pins, in this process.
    Cosim,
    /// A serial device path (`/dev/ttyUSB0`, `COM3`).
    Serial(PathBuf),
}

impl FromStr for Port {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" => Err(format!("empty port: expected {PORT_CHOICES}")),
            "sim" => Ok(Port::Sim),
            "cosim" => Ok(Port::Cosim),
            path => Ok(Port::Serial(PathBuf::from(path))),
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Port::Sim => write!(f, "sim"),
            Port::Cosim => write!(f, "cosim"),
            Port::Serial(path) => write!(f, "{}", path.display()),
        }
    }
}
