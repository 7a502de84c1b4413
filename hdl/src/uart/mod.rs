//! The chip's serial line (`docs/spec.md` §7.1): an 8N1 receiver ([`UartRx`]) and transmitter
//! ([`UartTx`]) whose bit time is a whole number of clock cycles fixed when the Verilog is
//! generated ([`clocks_per_bit`]).
mod uart_rx;
mod uart_tx;

pub use uart_rx::UartRx;
pub use uart_tx::UartTx;

/// Fewest clock cycles per bit: the receiver samples half a bit after the start edge and the
/// synchronizer's uncertainty is one cycle.
pub const MIN_CLOCKS_PER_BIT: u64 = 4;
/// Most clock cycles per bit: the bit counters are 16 bits wide.
pub const MAX_CLOCKS_PER_BIT: u64 = u16::MAX as u64;
/// Largest baud error allowed, in parts per thousand (2 %).
pub const MAX_BAUD_ERROR_PERMILLE: u64 = 20;

/// Why a clock and a baud rate give no usable bit time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaudError {
    /// A zero clock or baud rate.
    #[error("clock {clock_hz} Hz and baud {baud} must both be positive")]
    Zero {
        /// Clock frequency.
        clock_hz: u64,
        /// Baud rate.
        baud: u64,
    },
    /// Fewer than [`MIN_CLOCKS_PER_BIT`] or more than [`MAX_CLOCKS_PER_BIT`] cycles per bit.
    #[error(
        "a {clock_hz} Hz clock at {baud} baud gives {clocks_per_bit} clock cycles per bit; the \
         UART needs {MIN_CLOCKS_PER_BIT}..={MAX_CLOCKS_PER_BIT}"
    )]
    Divisor {
        /// Clock frequency.
        clock_hz: u64,
        /// Baud rate.
        baud: u64,
        /// `round(clock_hz / baud)`.
        clocks_per_bit: u64,
    },
    /// The whole number of cycles per bit misses the baud rate by more than 2 %.
    #[error(
        "a {clock_hz} Hz clock at {clocks_per_bit} cycles per bit runs at {actual} baud, \
         {permille} per mille off {baud} baud; at most {MAX_BAUD_ERROR_PERMILLE} per mille"
    )]
    Inexact {
        /// Clock frequency.
        clock_hz: u64,
        /// Baud rate asked for.
        baud: u64,
        /// `round(clock_hz / baud)`.
        clocks_per_bit: u64,
        /// `clock_hz / clocks_per_bit`, rounded down.
        actual: u64,
        /// The error, rounded up, in parts per thousand.
        permille: u64,
    },
}

/// Clock cycles per bit for a `clock_hz` clock at `baud`: `round(clock_hz / baud)`, refused
/// below [`MIN_CLOCKS_PER_BIT`] and when the bit rate it gives is more than 2 % off `baud`.
pub fn clocks_per_bit(clock_hz: u64, baud: u64) -> Result<u16, BaudError> {
    if clock_hz == 0 || baud == 0 {
        return Err(BaudError::Zero { clock_hz, baud });
    }
    let divisor = (u128::from(clock_hz) + u128::from(baud / 2)) / u128::from(baud);
    let clocks = u64::try_from(divisor).unwrap_or(u64::MAX);
    let fits = u16::try_from(clocks)
        .ok()
        .filter(|&c| u64::from(c) >= MIN_CLOCKS_PER_BIT);
    let Some(cycles) = fits else {
        return Err(BaudError::Divisor {
            clock_hz,
            baud,
            clocks_per_bit: clocks,
        });
    };
    // |clock / cycles - baud| / baud <= 2 %  <=>  1000 |clock - cycles baud| <= 20 cycles baud.
    let exact = u128::from(cycles) * u128::from(baud);
    let miss = u128::from(clock_hz).abs_diff(exact);
    if miss * 1000 > exact * u128::from(MAX_BAUD_ERROR_PERMILLE) {
        let permille = (miss * 1000).div_ceil(exact);
        return Err(BaudError::Inexact {
            clock_hz,
            baud,
            clocks_per_bit: clocks,
            actual: clock_hz / clocks,
            permille: u64::try_from(permille).unwrap_or(u64::MAX),
        });
    }
    Ok(cycles)
}

/// Test support: clock a widget and build serial waveforms.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::synth::{synthesize_block, Family, SynthStats};
    use rust_hdl::prelude::*;

    /// Passes of rust-hdl's simulator allowed to settle after a clock edge.
    const SETTLE_PASSES: usize = 100;

    /// One clock cycle of `uut`, inputs already set with `.next`: rising edge, falling edge.
    pub(crate) fn tick<B: Block>(uut: &mut B, clock: impl Fn(&mut B) -> &mut Signal<In, Clock>) {
        clock(uut).next = Clock { clk: true };
        assert!(
            simulate(uut, SETTLE_PASSES),
            "did not settle after a rising edge"
        );
        clock(uut).next = Clock { clk: false };
        assert!(
            simulate(uut, SETTLE_PASSES),
            "did not settle after a falling edge"
        );
    }

    /// Line levels, one per clock cycle, of an 8N1 character at `bit` cycles per bit (a
    /// fractional bit time models a sender whose clock differs from ours): start bit 0, data
    /// least significant bit first, then `stop`.
    pub(crate) fn character(byte: u8, stop: bool, bit: f64) -> Vec<bool> {
        let mut levels = vec![false];
        levels.extend((0..8).map(|i| (byte >> i) & 1 == 1));
        levels.push(stop);
        stretch(&levels, bit)
    }

    /// `levels`, one per bit, at `bit` cycles per bit: bit `i` covers the cycles from
    /// `round(i * bit)` on.
    pub(crate) fn stretch(levels: &[bool], bit: f64) -> Vec<bool> {
        let edge = |i: usize| (i as f64 * bit).round() as usize;
        let mut out = Vec::new();
        for (i, &level) in levels.iter().enumerate() {
            out.extend(std::iter::repeat(level).take(edge(i + 1) - edge(i)));
        }
        out
    }

    /// Synthesise `uut` for iCE40 and ECP5 (no latch, no warning) and lint its Verilog with
    /// Verilator; the iCE40 figures.
    pub(crate) fn assert_synthesizes<B: Block>(name: &str, uut: &B) -> SynthStats {
        let ice40 = synthesize_block(&format!("{name}_ice40"), uut, Family::Ice40);
        println!("{ice40}");
        let ecp5 = synthesize_block(&format!("{name}_ecp5"), uut, Family::Ecp5);
        println!("{ecp5}");
        assert_eq!(ice40.ram_blocks + ice40.dsps, 0, "{ice40}");
        assert_eq!(ecp5.ram_blocks + ecp5.dsps, 0, "{ecp5}");
        let dir =
            std::env::temp_dir().join(format!("spikeforge-hdl-lint-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|err| panic!("{name}: cannot create {}: {err}", dir.display()));
        let verilog = dir.join(format!("{name}.v"));
        std::fs::write(&verilog, generate_verilog(uut))
            .unwrap_or_else(|err| panic!("{name}: cannot write {}: {err}", verilog.display()));
        if let Err(err) = crate::lint::lint(&verilog, "top") {
            panic!("{name}: {err}");
        }
        std::fs::remove_dir_all(&dir)
            .unwrap_or_else(|err| panic!("{name}: cannot remove {}: {err}", dir.display()));
        ice40
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::tick;
    use super::*;
    use rust_hdl::prelude::*;
    use spikeforge_sim::rng::Xorshift32;

    #[test]
    fn clocks_per_bit_of_common_rates() {
        assert_eq!(clocks_per_bit(12_000_000, 3_000_000), Ok(4));
        assert_eq!(clocks_per_bit(12_000_000, 115_200), Ok(104));
        assert_eq!(clocks_per_bit(48_000_000, 3_000_000), Ok(16));
        // 50 MHz at 3 Mbaud: 17 cycles, 1.96 % fast: still inside 2 %.
        assert_eq!(clocks_per_bit(50_000_000, 3_000_000), Ok(17));
    }

    #[test]
    fn clocks_per_bit_refusals_name_the_values() {
        assert_eq!(
            clocks_per_bit(12_000_000, 4_000_000).map_err(|e| e.to_string()),
            Err(
                "a 12000000 Hz clock at 4000000 baud gives 3 clock cycles per bit; the UART \
                 needs 4..=65535"
                    .to_string()
            )
        );
        // 12 MHz at 2.5 Mbaud: 5 cycles (4.8 rounds up) give 2.4 Mbaud, 4 % slow.
        assert_eq!(
            clocks_per_bit(12_000_000, 2_500_000).map_err(|e| e.to_string()),
            Err(
                "a 12000000 Hz clock at 5 cycles per bit runs at 2400000 baud, 40 per mille \
                 off 2500000 baud; at most 20 per mille"
                    .to_string()
            )
        );
        assert!(matches!(
            clocks_per_bit(1_000_000_000, 9_600),
            Err(BaudError::Divisor {
                clocks_per_bit: 104_167,
                ..
            })
        ));
        assert_eq!(
            clocks_per_bit(0, 9_600),
            Err(BaudError::Zero {
                clock_hz: 0,
                baud: 9_600
            })
        );
    }

    /// Random bytes with random gaps through a transmitter into a receiver; every byte arrives,
    /// in order, and characters sent back to back take exactly ten bit times each.
    fn loopback(cycles_per_bit: u16, bytes: usize, seed: u32) {
        let mut tx = UartTx::new(cycles_per_bit);
        let mut rx = UartRx::new(cycles_per_bit);
        tx.connect_all();
        rx.connect_all();
        // Settle the power-up state (`ready` is computed from it).
        tick(&mut tx, |u| &mut u.clock);
        tick(&mut rx, |u| &mut u.clock);
        let mut rng = Xorshift32::new(seed);
        let sent: Vec<u8> = (0..bytes).map(|_| rng.next() as u8).collect();
        let mut received = Vec::new();
        let mut next = 0;
        let mut idle = 0;
        let mut starts = Vec::new();
        let limit = (bytes + 4) * 12 * usize::from(cycles_per_bit) * 2;
        for cycle in 0..limit {
            // The line during this cycle is the transmitter's registered output.
            rx.rx.next = tx.tx.val();
            let offer = next < sent.len() && idle == 0;
            tx.valid.next = offer;
            tx.data.next = u64::from(sent.get(next).copied().unwrap_or(0)).into();
            if offer && tx.ready.val() {
                starts.push(cycle);
                next += 1;
                // One byte in four waits a random gap before the next is offered.
                if rng.next() % 4 == 0 {
                    idle = rng.next() as usize % (30 * usize::from(cycles_per_bit));
                }
            } else {
                idle = idle.saturating_sub(1);
            }
            tick(&mut tx, |u| &mut u.clock);
            tick(&mut rx, |u| &mut u.clock);
            assert!(!rx.framing_error.val(), "framing error at cycle {cycle}");
            if rx.valid.val() {
                received.push(rx.data.val().to_u64() as u8);
            }
            if received.len() == sent.len() {
                break;
            }
        }
        assert_eq!(received, sent, "{cycles_per_bit} cycles per bit");
        let character = 10 * usize::from(cycles_per_bit);
        assert!(
            starts.windows(2).all(|w| w[1] - w[0] >= character),
            "characters overlap"
        );
        let back_to_back = starts.windows(2).filter(|w| w[1] - w[0] == character);
        assert!(
            back_to_back.count() > bytes / 2,
            "too few back-to-back characters"
        );
    }

    #[test]
    fn loopback_at_4_cycles_per_bit() {
        loopback(4, 400, 0x0A47_0004);
    }

    #[test]
    fn loopback_at_16_cycles_per_bit() {
        loopback(16, 150, 0x0A47_0016);
    }
}
