//! The host's end of the serial line, bit by bit (docs/spec.md §7.1): [`LineDriver`] puts
//! 8N1 characters on the chip's `uart_rx`, [`LineReceiver`] decodes the chip's `uart_tx`.
//! Both count clock cycles of the chip: a bit is exactly `clocks_per_bit` cycles.

use std::collections::VecDeque;
use std::fmt;

use spikeforge_sim::wire::BITS_PER_BYTE;

/// Bit times the line stays idle at the end of an exchange: the test benches require it after
/// the expected response (or after the last byte sent, when none is expected), and the host's
/// in-process link takes a chip idle this long as having nothing more to send.
pub const QUIET_BITS: u64 = 20;

/// Drives `uart_rx`: queued bytes go out back to back, one level per clock cycle, start bit
/// (0), data least significant bit first, stop bit (1); the line idles high.
#[derive(Debug, Clone)]
pub struct LineDriver {
    clocks_per_bit: u32,
    queue: VecDeque<u8>,
    /// The character on the line: its ten bits (bit 0 first) and the cycles sent of it.
    current: Option<(u16, u32)>,
}

impl LineDriver {
    /// An idle line of `clocks_per_bit` cycles per bit.
    pub fn new(clocks_per_bit: u16) -> Self {
        assert!(clocks_per_bit > 0, "LineDriver: 0 clock cycles per bit");
        Self {
            clocks_per_bit: clocks_per_bit.into(),
            queue: VecDeque::new(),
            current: None,
        }
    }

    /// Queue `bytes` behind those not sent yet.
    pub fn send(&mut self, bytes: &[u8]) {
        self.queue.extend(bytes);
    }

    /// Nothing queued and no character on the line.
    pub fn is_idle(&self) -> bool {
        self.current.is_none() && self.queue.is_empty()
    }

    /// The line's level in this cycle; moves on by one cycle.
    pub fn next_level(&mut self) -> bool {
        if self.current.is_none() {
            let byte = self.queue.pop_front();
            // Start bit 0 at bit 0, data in bits 8..1, stop bit 1 at bit 9.
            self.current = byte.map(|b| ((u16::from(b) << 1) | (1 << 9), 0));
        }
        let Some((bits, sent)) = self.current.as_mut() else {
            return true;
        };
        let level = (*bits >> (*sent / self.clocks_per_bit)) & 1 == 1;
        *sent += 1;
        if *sent == BITS_PER_BYTE * self.clocks_per_bit {
            self.current = None;
        }
        level
    }
}

/// What the receiver refuses on the chip's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineError {
    /// A low line that was high again in the middle of the start bit.
    Glitch {
        /// Cycle of the falling edge.
        cycle: u64,
    },
    /// A stop bit sampled low.
    StopBit {
        /// Cycle of the character's falling edge.
        cycle: u64,
        /// The data bits received.
        byte: u8,
    },
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LineError::Glitch { cycle } => write!(
                f,
                "uart_tx fell at cycle {cycle} but was high again in the middle of the start bit"
            ),
            LineError::StopBit { cycle, byte } => write!(
                f,
                "the character starting at cycle {cycle} (data {byte:#04x}) has a low stop bit"
            ),
        }
    }
}

impl std::error::Error for LineError {}

/// Decodes `uart_tx`: a falling edge on an idle line starts a character; the start bit, the
/// eight data bits and the stop bit are sampled in the middle of each bit
/// (`clocks_per_bit / 2` cycles into it). The receiver is idle again after the stop bit's
/// sample, half a bit before the character ends (the line is high there).
#[derive(Debug, Clone)]
pub struct LineReceiver {
    clocks_per_bit: u32,
    /// The character being received: the cycle of its falling edge, cycles since then, the
    /// data bits so far.
    current: Option<(u64, u32, u8)>,
}

impl LineReceiver {
    /// An idle receiver of `clocks_per_bit` cycles per bit.
    pub fn new(clocks_per_bit: u16) -> Self {
        assert!(clocks_per_bit > 0, "LineReceiver: 0 clock cycles per bit");
        Self {
            clocks_per_bit: clocks_per_bit.into(),
            current: None,
        }
    }

    /// No character is being received.
    pub fn is_idle(&self) -> bool {
        self.current.is_none()
    }

    /// The line's level in clock cycle `cycle`: a byte when its stop bit was sampled high.
    pub fn sample(&mut self, level: bool, cycle: u64) -> Result<Option<u8>, LineError> {
        let Some((start, elapsed, data)) = self.current.as_mut() else {
            if !level {
                self.current = Some((cycle, 0, 0));
            }
            return Ok(None);
        };
        *elapsed += 1;
        let middle = self.clocks_per_bit / 2;
        if *elapsed < middle || (*elapsed - middle) % self.clocks_per_bit != 0 {
            return Ok(None);
        }
        let (start, data) = (*start, *data);
        match (*elapsed - middle) / self.clocks_per_bit {
            0 if level => {
                self.current = None;
                Err(LineError::Glitch { cycle: start })
            }
            0 => Ok(None),
            bit @ 1..=8 => {
                if level {
                    self.current = Some((start, *elapsed, data | 1 << (bit - 1)));
                }
                Ok(None)
            }
            _ => {
                self.current = None;
                if level {
                    Ok(Some(data))
                } else {
                    Err(LineError::StopBit {
                        cycle: start,
                        byte: data,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The receiver decodes what the driver sends, at several bit times, and each character
    /// takes exactly ten bits.
    #[test]
    fn receiver_decodes_the_driver() {
        for clocks_per_bit in [4u16, 5, 16] {
            let bytes: Vec<u8> = (0..=255).collect();
            let mut driver = LineDriver::new(clocks_per_bit);
            let mut receiver = LineReceiver::new(clocks_per_bit);
            driver.send(&bytes);
            let mut received = Vec::new();
            let mut cycle = 0;
            while !driver.is_idle() {
                let level = driver.next_level();
                if let Some(byte) = receiver.sample(level, cycle).expect("a clean line") {
                    received.push(byte);
                }
                cycle += 1;
            }
            assert_eq!(received, bytes, "{clocks_per_bit} cycles per bit");
            assert_eq!(cycle, 256 * 10 * u64::from(clocks_per_bit));
            assert!(receiver.is_idle());
        }
    }

    #[test]
    fn receiver_refuses_a_low_stop_bit_and_a_glitch() {
        let mut receiver = LineReceiver::new(4);
        // Start bit, 0xA5, then a low stop bit: four cycles per bit.
        let mut levels = vec![false; 4];
        for i in 0..8 {
            levels.extend([(0xA5u8 >> i) & 1 == 1; 4]);
        }
        levels.extend([false; 4]);
        let results: Vec<_> = (0u64..)
            .zip(&levels)
            .map(|(cycle, &level)| receiver.sample(level, cycle))
            .collect();
        assert_eq!(
            results.iter().find_map(|r| r.err()),
            Some(LineError::StopBit {
                cycle: 0,
                byte: 0xA5
            })
        );
        let mut receiver = LineReceiver::new(4);
        let glitch = [true, false, true, true, true];
        let errors: Vec<_> = (0u64..)
            .zip(glitch)
            .filter_map(|(cycle, level)| receiver.sample(level, cycle).err())
            .collect();
        assert_eq!(errors, [LineError::Glitch { cycle: 1 }]);
    }
}
