//! The serial line's bit time (`docs/spec.md` §7.1): a whole number of clock cycles per bit,
//! fixed when the chip's Verilog is generated, from the core clock and the baud rate
//! ([`clocks_per_bit`]). The RTL's UART, the board files and the co-simulated chips take it
//! from here.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
