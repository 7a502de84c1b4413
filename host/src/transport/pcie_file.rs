//! [`PcieFile`]: the PCIe link of `docs/spec.md` §8 (a BAR register window and two byte rings
//! that carry the same frames as the UART), emulated over a file: BAR0 at offset 0, the
//! host-to-device ring at `H2D_BASE`, the device-to-host ring at `D2H_BASE`. [`Device`] is the
//! device side (here a loop that serves the rings with the golden [`Chip`]); a board's driver
//! would map the real BAR and DMA buffers with the same offsets and register semantics.
//!
//! Every register access is one aligned 4-byte read or write of the file through its own file
//! handle; POSIX makes reads and writes of a regular file atomic with respect to each other
//! (XSH 2.9.7), which stands in for the atomicity of a PCIe DWORD access. A producer writes the
//! ring bytes first and publishes them by writing its head register afterwards; a consumer
//! reads the head, then the bytes, then publishes its tail.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use spikeforge_sim::chip::Chip;

use super::{Transport, TransportError};

/// Bytes of the BAR0 register window; the rings follow it.
pub const BAR_BYTES: u32 = 4096;
/// `ID` register value: `"SPKP"` little-endian.
pub const PCIE_ID: u32 = u32::from_le_bytes(*b"SPKP");
/// `VERSION` register value.
pub const PCIE_VERSION: u32 = 1;
/// Ring size of the emulation (each direction); a power of two that holds many longest frames.
pub const DEFAULT_RING_BYTES: u32 = 4096;
/// Smallest ring: a longest request and its retransmission with their delimiters (531 bytes,
/// spec §7.7) fit, so a host that keeps stop-and-wait never waits for room.
pub const MIN_RING_BYTES: u32 = 1024;
/// How long `send` waits for ring space before the device counts as stalled.
pub const SEND_STALL: Duration = Duration::from_secs(5);

/// BAR0 registers (byte offsets), §8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Reg {
    /// `"SPKP"`, read-only.
    Id = 0x00,
    /// Register layout version, read-only.
    Version = 0x04,
    /// Bit 0 `READY`: the device serves the rings; read-only.
    Status = 0x08,
    /// Offset of the host-to-device ring, read-only.
    H2dBase = 0x10,
    /// Bytes of the host-to-device ring (a power of two), read-only.
    H2dSize = 0x14,
    /// Bytes the host has written into the host-to-device ring (free-running); host writes.
    H2dHead = 0x18,
    /// Bytes the device has taken from it (free-running); device writes.
    H2dTail = 0x1C,
    /// Offset of the device-to-host ring, read-only.
    D2hBase = 0x20,
    /// Bytes of the device-to-host ring (a power of two), read-only.
    D2hSize = 0x24,
    /// Bytes the device has written into the device-to-host ring; device writes.
    D2hHead = 0x28,
    /// Bytes the host has taken from it; host writes.
    D2hTail = 0x2C,
}

/// `STATUS` bit 0.
pub const STATUS_READY: u32 = 1;

/// One side's handle on the region: positioned 4-byte registers and ring bytes.
#[derive(Debug)]
struct Region {
    file: File,
    path: PathBuf,
}

impl Region {
    fn io(&self, action: String, cause: std::io::Error) -> TransportError {
        TransportError::Io {
            link: format!("pcie-file {}", self.path.display()),
            action,
            cause,
        }
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), TransportError> {
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.read_exact(buf))
            .map_err(|err| self.io(format!("read {} bytes at {offset:#x}", buf.len()), err))
    }

    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> Result<(), TransportError> {
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.write_all(bytes))
            .map_err(|err| self.io(format!("write {} bytes at {offset:#x}", bytes.len()), err))
    }

    fn reg(&mut self, reg: Reg) -> Result<u32, TransportError> {
        let mut word = [0u8; 4];
        self.read_at(u64::from(reg as u32), &mut word)?;
        Ok(u32::from_le_bytes(word))
    }

    fn set(&mut self, reg: Reg, value: u32) -> Result<(), TransportError> {
        self.write_at(u64::from(reg as u32), &value.to_le_bytes())
    }

    /// Copy `bytes` into the ring at `base`/`size` from free-running position `at`.
    fn ring_write(
        &mut self,
        base: u32,
        size: u32,
        at: u32,
        bytes: &[u8],
    ) -> Result<(), TransportError> {
        let start = at % size;
        let first = bytes.len().min((size - start) as usize);
        self.write_at(u64::from(base + start), &bytes[..first])?;
        if first < bytes.len() {
            self.write_at(u64::from(base), &bytes[first..])?;
        }
        Ok(())
    }

    /// Fill `buf` from the ring at `base`/`size` from free-running position `at`.
    fn ring_read(
        &mut self,
        base: u32,
        size: u32,
        at: u32,
        buf: &mut [u8],
    ) -> Result<(), TransportError> {
        let start = at % size;
        let first = buf.len().min((size - start) as usize);
        self.read_at(u64::from(base + start), &mut buf[..first])?;
        if first < buf.len() {
            self.read_at(u64::from(base), &mut buf[first..])?;
        }
        Ok(())
    }
}

/// Wait a little while polling a register: a PCIe host would wait for an interrupt.
fn pause() {
    std::thread::sleep(Duration::from_micros(20));
}

/// The host side of the PCIe link over a file.
#[derive(Debug)]
pub struct PcieFile {
    region: Region,
    h2d: (u32, u32),
    d2h: (u32, u32),
    head: u32,
    tail: u32,
}

impl PcieFile {
    /// Open the region at `path` that a [`Device`] serves: check `ID`, `VERSION` and `READY`,
    /// take the ring geometry, and drop any bytes the device sent before (as a UART host
    /// discards stale bytes).
    pub fn open(path: &Path) -> Result<Self, TransportError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|cause| TransportError::Io {
                link: format!("pcie-file {}", path.display()),
                action: "open".to_string(),
                cause,
            })?;
        let mut region = Region {
            file,
            path: path.to_path_buf(),
        };
        let setup = |reason: String| TransportError::Setup {
            link: format!("pcie-file {}", path.display()),
            reason,
        };
        let id = region.reg(Reg::Id)?;
        if id != PCIE_ID {
            return Err(setup(format!(
                "ID register is {id:#010x}, not {PCIE_ID:#010x} (\"SPKP\")"
            )));
        }
        let version = region.reg(Reg::Version)?;
        if version != PCIE_VERSION {
            return Err(setup(format!(
                "VERSION register is {version}, this host speaks {PCIE_VERSION}"
            )));
        }
        if region.reg(Reg::Status)? & STATUS_READY == 0 {
            return Err(setup(
                "STATUS.READY is 0: no device serves the rings".to_string(),
            ));
        }
        let mut ring = |base: Reg, size: Reg| -> Result<(u32, u32), TransportError> {
            let (b, s) = (region.reg(base)?, region.reg(size)?);
            if !s.is_power_of_two() || s < MIN_RING_BYTES || b < BAR_BYTES {
                return Err(setup(format!(
                    "ring at {b:#x} of {s} bytes: the size must be a power of two of at least \
                     {MIN_RING_BYTES} and the ring past the BAR"
                )));
            }
            Ok((b, s))
        };
        let h2d = ring(Reg::H2dBase, Reg::H2dSize)?;
        let d2h = ring(Reg::D2hBase, Reg::D2hSize)?;
        let head = region.reg(Reg::H2dHead)?;
        let stale = region.reg(Reg::D2hHead)?;
        region.set(Reg::D2hTail, stale)?;
        Ok(Self {
            region,
            h2d,
            d2h,
            head,
            tail: stale,
        })
    }
}

impl Transport for PcieFile {
    fn send(&mut self, mut bytes: &[u8]) -> Result<(), TransportError> {
        let (base, size) = self.h2d;
        let deadline = Instant::now() + SEND_STALL;
        while !bytes.is_empty() {
            let used = self.head.wrapping_sub(self.region.reg(Reg::H2dTail)?);
            let free = (size - used.min(size)) as usize;
            if free == 0 {
                if Instant::now() >= deadline {
                    return Err(TransportError::Stalled {
                        link: self.describe(),
                        pending: bytes.len(),
                    });
                }
                pause();
                continue;
            }
            let n = free.min(bytes.len());
            self.region.ring_write(base, size, self.head, &bytes[..n])?;
            // n is at most the ring size, a u32.
            self.head = self.head.wrapping_add(n as u32);
            self.region.set(Reg::H2dHead, self.head)?;
            bytes = &bytes[n..];
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> Result<usize, TransportError> {
        let (base, size) = self.d2h;
        loop {
            let available = self.region.reg(Reg::D2hHead)?.wrapping_sub(self.tail);
            if available > size {
                return Err(TransportError::Setup {
                    link: self.describe(),
                    reason: format!("D2H_HEAD is {available} bytes past D2H_TAIL, more than the {size}-byte ring"),
                });
            }
            if available > 0 {
                let n = buf.len().min(available as usize);
                self.region
                    .ring_read(base, size, self.tail, &mut buf[..n])?;
                self.tail = self.tail.wrapping_add(n as u32);
                self.region.set(Reg::D2hTail, self.tail)?;
                return Ok(n);
            }
            if Instant::now() >= deadline {
                return Ok(0);
            }
            pause();
        }
    }

    fn baud(&self) -> Option<u32> {
        None
    }

    fn describe(&self) -> String {
        format!("pcie-file {}", self.region.path.display())
    }
}

/// The device side of the emulated PCIe link: it owns the region's layout and serves the
/// rings with a [`Chip`].
#[derive(Debug)]
pub struct Device {
    region: Region,
    ring_bytes: u32,
}

impl Device {
    /// Create (or truncate) the region at `path` with two rings of `ring_bytes` (a power of
    /// two, at least [`MIN_RING_BYTES`]), write the
    /// read-only registers and zero pointers, and set `READY`.
    pub fn create(path: &Path, ring_bytes: u32) -> Result<Self, TransportError> {
        if !ring_bytes.is_power_of_two() || ring_bytes < MIN_RING_BYTES {
            return Err(TransportError::Setup {
                link: format!("pcie-file {}", path.display()),
                reason: format!(
                    "ring size {ring_bytes} is not a power of two of at least 512 bytes"
                ),
            });
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|cause| TransportError::Io {
                link: format!("pcie-file {}", path.display()),
                action: "create".to_string(),
                cause,
            })?;
        let mut region = Region {
            file,
            path: path.to_path_buf(),
        };
        let total = BAR_BYTES + 2 * ring_bytes;
        region.write_at(0, &vec![0u8; total as usize])?;
        region.set(Reg::Id, PCIE_ID)?;
        region.set(Reg::Version, PCIE_VERSION)?;
        region.set(Reg::H2dBase, BAR_BYTES)?;
        region.set(Reg::H2dSize, ring_bytes)?;
        region.set(Reg::D2hBase, BAR_BYTES + ring_bytes)?;
        region.set(Reg::D2hSize, ring_bytes)?;
        region.set(Reg::Status, STATUS_READY)?;
        Ok(Self { region, ring_bytes })
    }

    /// Serve the rings until `stop` is set: take every byte the host published, feed it to
    /// `chip`, and publish the chip's answer in the device-to-host ring (waiting for room).
    pub fn serve(&mut self, chip: &mut Chip, stop: &AtomicBool) -> Result<(), TransportError> {
        let size = self.ring_bytes;
        let (h2d, d2h) = (BAR_BYTES, BAR_BYTES + size);
        let mut tail = self.region.reg(Reg::H2dTail)?;
        let mut head = self.region.reg(Reg::D2hHead)?;
        let mut buf = vec![0u8; size as usize];
        while !stop.load(Ordering::Relaxed) {
            let available = self.region.reg(Reg::H2dHead)?.wrapping_sub(tail);
            if available == 0 {
                pause();
                continue;
            }
            let n = (available.min(size)) as usize;
            self.region.ring_read(h2d, size, tail, &mut buf[..n])?;
            tail = tail.wrapping_add(n as u32);
            self.region.set(Reg::H2dTail, tail)?;
            let mut answer = chip.feed(&buf[..n]);
            while !answer.is_empty() {
                let used = head.wrapping_sub(self.region.reg(Reg::D2hTail)?);
                let free = (size - used.min(size)) as usize;
                if free == 0 {
                    if stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    pause();
                    continue;
                }
                let m = free.min(answer.len());
                self.region.ring_write(d2h, size, head, &answer[..m])?;
                head = head.wrapping_add(m as u32);
                self.region.set(Reg::D2hHead, head)?;
                answer.drain(..m);
            }
        }
        Ok(())
    }
}
