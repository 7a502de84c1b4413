//! [`Serial`]: a UART through the operating system's serial port (the `serialport` crate),
//! 8N1 as `docs/spec.md` §7.1 specifies, no flow control.

use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serialport::{DataBits, FlowControl, Parity, SerialPort, StopBits};

use super::{Transport, TransportError};

/// Baud rate of the boards' default UART (`docs/spec.md` §7.8).
pub const DEFAULT_BAUD: u32 = 3_000_000;

/// A serial port at a fixed baud rate.
pub struct Serial {
    port: Box<dyn SerialPort>,
    path: String,
    baud: u32,
}

impl std::fmt::Debug for Serial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serial")
            .field("path", &self.path)
            .field("baud", &self.baud)
            .finish_non_exhaustive()
    }
}

impl Serial {
    /// Open `path` at `baud`, 8N1, without flow control; bytes already waiting in the
    /// operating system's buffers are discarded.
    pub fn open(path: &Path, baud: u32) -> Result<Self, TransportError> {
        let name = path.display().to_string();
        let link = format!("{name} at {baud} baud");
        if baud == 0 {
            return Err(TransportError::Setup {
                link,
                reason: "baud rate 0".to_string(),
            });
        }
        let port = serialport::new(&name, baud)
            .data_bits(DataBits::Eight)
            .parity(Parity::None)
            .stop_bits(StopBits::One)
            .flow_control(FlowControl::None)
            .timeout(Duration::from_millis(10))
            .open()
            .map_err(|err| TransportError::Io {
                link: link.clone(),
                action: "open".to_string(),
                cause: err.into(),
            })?;
        port.clear(serialport::ClearBuffer::All)
            .map_err(|err| TransportError::Io {
                link,
                action: "discard stale bytes".to_string(),
                cause: err.into(),
            })?;
        Ok(Self {
            port,
            path: name,
            baud,
        })
    }
}

impl Transport for Serial {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.port
            .write_all(bytes)
            .and_then(|()| self.port.flush())
            .map_err(|cause| TransportError::Io {
                link: self.describe(),
                action: format!("write {} bytes", bytes.len()),
                cause,
            })
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> Result<usize, TransportError> {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(0);
            }
            // The port's timeout bounds one read; at least 1 ms (0 would mean "no wait").
            let wait = (deadline - now).max(Duration::from_millis(1));
            self.port
                .set_timeout(wait)
                .map_err(|err| TransportError::Io {
                    link: self.describe(),
                    action: "set the read timeout".to_string(),
                    cause: err.into(),
                })?;
            match self.port.read(buf) {
                Ok(0) => continue,
                Ok(n) => return Ok(n),
                Err(err) if matches!(err.kind(), ErrorKind::TimedOut | ErrorKind::Interrupted) => {
                    continue
                }
                Err(cause) => {
                    return Err(TransportError::Io {
                        link: self.describe(),
                        action: "read".to_string(),
                        cause,
                    })
                }
            }
        }
    }

    fn baud(&self) -> Option<u32> {
        Some(self.baud)
    }

    fn describe(&self) -> String {
        format!("{} at {} baud", self.path, self.baud)
    }
}
