//! [`Pty`]: a chip model behind a pseudo-terminal, so that a host reaches it through the
//! operating system's serial code path (`spikeforge cosim --pty`, then `--port /dev/pts/N`).
//!
//! This process keeps the pty's master side; the slave side (the path a host opens) is set to
//! raw mode (8-bit clean, no echo, no line editing, no flow-control characters) and then
//! closed, so that the master sees whether a host holds it open: `poll` reports a hang-up
//! while no process has the slave open. [`Pty::serve`] passes the host's bytes to a
//! [`Served`] chip as they arrive and writes the chip's bytes back. The chip keeps its state
//! when a host closes the port, as a board does; its bytes sent while no host is connected are
//! dropped, as a UART's bytes are with nobody listening.
//!
//! The bridge keeps a board's pace on the line, not a process's: it takes the host's bytes
//! only while the chip's line holds fewer than [`LINE_BYTES`] not carried yet (the others wait
//! in the pty, as a host's wait in its serial driver for a UART), and it never waits for a
//! host that does not read: the chip's bytes that find the host's side of the pty full are
//! dropped and counted, as a UART's are when the host's buffer is full. So a host that floods
//! the port leaves at most a line's worth of answers behind, not the whole flood's.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::fs::{fcntl_getfl, fcntl_setfl, Mode, OFlags};
use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcgetattr, tcsetattr, OptionalActions};

use crate::transport::{Cosim, SimChip, Transport, TransportError};

/// How long the bridge waits for the host's bytes while the chip has nothing to do (and how
/// long it sleeps between looks while no host has the port open).
pub const IDLE_WAIT: Duration = Duration::from_millis(10);
/// Time the chip runs between looks at the host's bytes while it is busy (an in-process model
/// counts it in its own clock, see [`Transport::recv`]).
pub const SLICE: Duration = Duration::from_millis(2);
/// Bytes the chip's line may hold not carried yet (the host's not yet on `uart_rx`, the
/// chip's not yet passed on) before the bridge stops taking the host's: about a serial
/// adapter's buffer, 14 ms of a 3 Mbaud line, eight receive FIFOs.
pub const LINE_BYTES: usize = 4096;

/// A chip that [`Pty::serve`] can serve: a link to it, whether it may still send bytes
/// without being sent any, and how far its line is behind.
pub trait Served: Transport {
    /// The chip is still working (receiving, executing or answering a request): the bridge
    /// keeps running it instead of waiting for the host.
    fn busy(&self) -> bool;

    /// Bytes on the chip's line not carried yet, either way: the bridge takes more of the
    /// host's only below [`LINE_BYTES`].
    fn backlog(&self) -> usize;
}

/// The golden chip answers within [`Transport::send`]: it is busy while its answers wait.
impl Served for SimChip {
    fn busy(&self) -> bool {
        self.pending() > 0
    }

    fn backlog(&self) -> usize {
        self.pending()
    }
}

/// The Verilated chip is busy until it is quiet for a while after its last answer.
impl Served for Cosim {
    fn busy(&self) -> bool {
        !self.quiet()
    }

    fn backlog(&self) -> usize {
        Cosim::backlog(self)
    }
}

/// What a bridge passed on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BridgeStats {
    /// Host sessions seen (a process opened the port and sent bytes or kept it open).
    pub hosts: u64,
    /// Bytes from the host to the chip.
    pub bytes_in: u64,
    /// Bytes from the chip to the host.
    pub bytes_out: u64,
    /// Bytes the chip sent while no host had the port open.
    pub dropped: u64,
    /// Bytes the chip sent while the host's side of the pty was full (a host that writes
    /// without reading), dropped.
    pub overflowed: u64,
}

/// A pseudo-terminal whose master side this process holds.
#[derive(Debug)]
pub struct Pty {
    master: File,
    path: PathBuf,
}

/// The I/O error of `action` on the pty at `path`.
fn io_error(path: &Path, action: &str, cause: impl Into<std::io::Error>) -> TransportError {
    TransportError::Io {
        link: format!("pty {}", path.display()),
        action: action.to_string(),
        cause: cause.into(),
    }
}

impl Pty {
    /// Open a new pty pair and set its slave side to raw mode; the master side does not
    /// block (a host that does not read must not stop the chip).
    pub fn open() -> Result<Self, TransportError> {
        let ptmx = Path::new("/dev/ptmx");
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)
            .map_err(|e| io_error(ptmx, "open a pseudo-terminal", e))?;
        let flags = fcntl_getfl(&master).map_err(|e| io_error(ptmx, "read its flags", e))?;
        fcntl_setfl(&master, flags | OFlags::NONBLOCK)
            .map_err(|e| io_error(ptmx, "make it non-blocking", e))?;
        grantpt(&master).map_err(|e| io_error(ptmx, "grant the slave side (grantpt)", e))?;
        unlockpt(&master).map_err(|e| io_error(ptmx, "unlock the slave side (unlockpt)", e))?;
        let name = ptsname(&master, Vec::new())
            .map_err(|e| io_error(ptmx, "name the slave side (ptsname)", e))?;
        let path = PathBuf::from(name.to_string_lossy().into_owned());
        // Raw mode on the slave side; the settings stay with the pty when this handle closes.
        let slave = rustix::fs::open(
            &path,
            OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| io_error(&path, "open the slave side", e))?;
        let mut termios = tcgetattr(&slave).map_err(|e| io_error(&path, "read its termios", e))?;
        termios.make_raw();
        tcsetattr(&slave, OptionalActions::Now, &termios)
            .map_err(|e| io_error(&path, "set raw mode", e))?;
        drop(slave);
        Ok(Self {
            master: File::from(master),
            path,
        })
    }

    /// The slave side's path, the port a host opens (`/dev/pts/5`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Wait up to `wait` for the host's bytes: (bytes are waiting, no host has the port open).
    fn poll(&self, wait: Duration) -> Result<(bool, bool), TransportError> {
        let timeout = Timespec {
            tv_sec: i64::try_from(wait.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(wait.subsec_nanos()),
        };
        let mut fds = [PollFd::new(&self.master, PollFlags::IN)];
        loop {
            match poll(&mut fds, Some(&timeout)) {
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(io_error(&self.path, "poll", e)),
            }
        }
        let events = fds[0].revents();
        Ok((
            events.contains(PollFlags::IN),
            events.intersects(PollFlags::HUP | PollFlags::ERR),
        ))
    }

    /// Read the host's waiting bytes into `buf`: `None` when no host has the port open.
    fn read(&self, buf: &mut [u8]) -> Result<Option<usize>, TransportError> {
        loop {
            match (&self.master).read(buf) {
                Ok(n) => return Ok(Some(n)),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(Some(0)),
                // Linux: EIO on the master once every slave handle is closed.
                Err(e) if e.raw_os_error() == Some(rustix::io::Errno::IO.raw_os_error()) => {
                    return Ok(None)
                }
                Err(e) => return Err(io_error(&self.path, "read", e)),
            }
        }
    }

    /// Write `bytes` to the host, as many as its side of the pty takes now: how many,
    /// `None` when no host has the port open (they are dropped).
    fn write(&self, bytes: &[u8]) -> Result<Option<usize>, TransportError> {
        let mut written = 0;
        while written < bytes.len() {
            match (&self.master).write(&bytes[written..]) {
                Ok(0) => break,
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.raw_os_error() == Some(rustix::io::Errno::IO.raw_os_error()) => {
                    return Ok(None)
                }
                Err(e) => {
                    return Err(io_error(
                        &self.path,
                        &format!("write {} bytes", bytes.len() - written),
                        e,
                    ))
                }
            }
        }
        Ok(Some(written))
    }

    /// Serve `chip` on the pty: every byte the host writes goes to the chip as it arrives
    /// (stop-and-wait hosts send a frame at a time; the chip's receive FIFO holds more than a
    /// frame and its retransmission) while the chip's line is less than [`LINE_BYTES`]
    /// behind, every byte the chip sends goes to the host if its side has room. Hosts may
    /// come and go; `report` is told of each. Returns when the first host closes the port if
    /// `once` is set, else runs until the process is killed or an I/O error.
    pub fn serve(
        &self,
        chip: &mut dyn Served,
        once: bool,
        report: &mut dyn FnMut(&str),
    ) -> Result<BridgeStats, TransportError> {
        let mut stats = BridgeStats::default();
        let mut connected = false;
        let mut input = vec![0u8; 4096];
        let mut output = vec![0u8; 4096];
        loop {
            let wait = if chip.busy() {
                Duration::ZERO
            } else {
                IDLE_WAIT
            };
            let (readable, hangup) = self.poll(wait)?;
            let mut gone = hangup;
            // Bytes read in this pass: a host that wrote and then closed is served first, and
            // seen gone on the next pass (when its read reports the hang-up).
            let mut received = false;
            if readable && chip.backlog() < LINE_BYTES {
                match self.read(&mut input)? {
                    Some(n) if n > 0 => {
                        received = true;
                        if !connected {
                            connected = true;
                            stats.hosts += 1;
                            report(&format!("host {} connected", stats.hosts));
                        }
                        chip.send(&input[..n])?;
                        stats.bytes_in += n as u64;
                    }
                    Some(_) => {}
                    None => gone = true,
                }
            }
            if !gone && !connected {
                connected = true;
                stats.hosts += 1;
                report(&format!("host {} connected", stats.hosts));
            }
            if gone && connected && !received {
                connected = false;
                report(&format!(
                    "host {} closed the port ({} bytes in, {} out so far)",
                    stats.hosts, stats.bytes_in, stats.bytes_out
                ));
                if once {
                    return Ok(stats);
                }
            }
            let n = chip.recv(&mut output, Instant::now() + SLICE)?;
            if n > 0 {
                match connected.then(|| self.write(&output[..n])).transpose()? {
                    Some(Some(written)) => {
                        stats.bytes_out += written as u64;
                        stats.overflowed += (n - written) as u64;
                    }
                    _ => stats.dropped += n as u64,
                }
            }
            if gone && !chip.busy() {
                // `poll` returns at once while no host has the port open.
                std::thread::sleep(IDLE_WAIT);
            }
        }
    }
}
