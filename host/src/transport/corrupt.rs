//! [`Corrupt`]: a test wrapper around any link that damages bytes in both directions at a
//! given rate, from an explicit seed: each byte is, with probability `rate`, flipped in one
//! bit, dropped, or preceded by an inserted random byte (which may be a 0x00 delimiter), one
//! of the three with equal chance. Each direction draws from its own xorshift32 stream, so the
//! damage depends on the seed and the bytes alone, not on how they are split into calls.

use std::collections::VecDeque;
use std::time::Instant;

use spikeforge_sim::rng::{splitmix64, Xorshift32};

use super::{Transport, TransportError};

/// Stream ids of the two directions' generators (mixed into the seed with splitmix64).
const SEND_STREAM: u64 = 0x5E4D;
const RECV_STREAM: u64 = 0x2ECF;

/// What was done to the bytes of one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CorruptStats {
    /// Bytes that passed through (before damage).
    pub bytes: u64,
    /// Bytes with one bit flipped.
    pub flipped: u64,
    /// Bytes dropped.
    pub dropped: u64,
    /// Random bytes inserted.
    pub inserted: u64,
}

impl CorruptStats {
    /// Bytes damaged in any way.
    pub fn damaged(&self) -> u64 {
        self.flipped + self.dropped + self.inserted
    }
}

/// One direction's damage.
#[derive(Debug, Clone)]
struct Damage {
    rng: Xorshift32,
    threshold: u64,
    stats: CorruptStats,
}

impl Damage {
    fn new(seed: u64, stream: u64, threshold: u64) -> Self {
        // The low 32 bits of the mixed seed; xorshift32 replaces a zero state by 1.
        let state = splitmix64(seed ^ splitmix64(stream)) as u32;
        Self {
            rng: Xorshift32::new(state),
            threshold,
            stats: CorruptStats::default(),
        }
    }

    fn apply(&mut self, bytes: &[u8], out: &mut impl Extend<u8>) {
        for &byte in bytes {
            self.stats.bytes += 1;
            if u64::from(self.rng.next()) >= self.threshold {
                out.extend([byte]);
                continue;
            }
            let draw = self.rng.next();
            match draw % 3 {
                0 => {
                    self.stats.flipped += 1;
                    out.extend([byte ^ (1 << ((draw >> 8) % 8))]);
                }
                1 => self.stats.dropped += 1,
                _ => {
                    self.stats.inserted += 1;
                    let noise = self.rng.next().to_le_bytes()[0];
                    out.extend([noise, byte]);
                }
            }
        }
    }
}

/// A link whose bytes are damaged at `rate` per byte in each direction.
#[derive(Debug)]
pub struct Corrupt<T> {
    inner: T,
    rate: f64,
    seed: u64,
    send: Damage,
    recv: Damage,
    received: VecDeque<u8>,
}

impl<T: Transport> Corrupt<T> {
    /// Wrap `inner`; `rate` is the probability that a byte is damaged (0..=1), `seed` chooses
    /// which bytes and how.
    pub fn new(inner: T, rate: f64, seed: u64) -> Result<Self, TransportError> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(TransportError::Setup {
                link: inner.describe(),
                reason: format!("corruption rate {rate} is outside 0..=1"),
            });
        }
        // P(damage) = threshold / 2^32 for a uniform 32-bit draw.
        let threshold = (rate * 4_294_967_296.0).round() as u64;
        Ok(Self {
            inner,
            rate,
            seed,
            send: Damage::new(seed, SEND_STREAM, threshold),
            recv: Damage::new(seed, RECV_STREAM, threshold),
            received: VecDeque::new(),
        })
    }

    /// Damage done so far to the bytes sent (host to chip) and received (chip to host).
    pub fn stats(&self) -> (CorruptStats, CorruptStats) {
        (self.send.stats, self.recv.stats)
    }

    /// The wrapped link.
    pub fn inner(&self) -> &T {
        &self.inner
    }
}

impl<T: Transport> Transport for Corrupt<T> {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        let mut damaged = Vec::with_capacity(bytes.len() + 4);
        self.send.apply(bytes, &mut damaged);
        self.inner.send(&damaged)
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> Result<usize, TransportError> {
        let mut raw = vec![0u8; buf.len().max(1)];
        while self.received.is_empty() {
            let n = self.inner.recv(&mut raw, deadline)?;
            if n == 0 {
                return Ok(0);
            }
            self.recv.apply(&raw[..n], &mut self.received);
        }
        let n = buf.len().min(self.received.len());
        for (slot, byte) in buf.iter_mut().zip(self.received.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }

    fn baud(&self) -> Option<u32> {
        self.inner.baud()
    }

    fn describe(&self) -> String {
        format!(
            "{}, corrupted at {} per byte (seed {})",
            self.inner.describe(),
            self.rate,
            self.seed
        )
    }
}
