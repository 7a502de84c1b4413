//! The board's core clock from its oscillator: the ECP5 PLL ([`ecp5_pll`]), and on the iCE40
//! the oscillator itself, a fabric divider or the PLL ([`ice40_clock`]). A board file whose
//! core clock none of them makes exactly is refused when it is read; the board's Verilog
//! (`spikeforge_hdl::board::flow`) instantiates the settings found here.

use crate::mhz;

/// ECP5 `EHXPLLL` settings `(CLKI_DIV, CLKFB_DIV, CLKOP_DIV)` that make exactly `out_hz` from
/// `in_hz` (feedback from CLKOP: `out = in / CLKI_DIV * CLKFB_DIV`, VCO `out * CLKOP_DIV` in
/// 400..=800 MHz, as near 600 MHz as the dividers allow, phase detector at least 3.125 MHz),
/// or why there are none.
pub fn ecp5_pll(in_hz: u64, out_hz: u64) -> Result<(u64, u64, u64), String> {
    for clki in 1..=128u64 {
        if in_hz * 8 < clki * 25_000_000 {
            break;
        }
        for fb in 1..=80u64 {
            if in_hz * fb != out_hz * clki {
                continue;
            }
            // The VCO nearest the middle of its range.
            let best = (1..=128u64)
                .filter(|op| (400_000_000..=800_000_000).contains(&(out_hz * op)))
                .min_by_key(|op| (out_hz * op).abs_diff(600_000_000));
            if let Some(op) = best {
                return Ok((clki, fb, op));
            }
        }
    }
    Err(format!(
        "the ECP5 PLL cannot make exactly {} MHz from {} MHz",
        mhz(out_hz),
        mhz(in_hz)
    ))
}

/// Settings of the iCE40 PLL (`SB_PLL40_CORE`, simple feedback):
/// `out = in * (divf + 1) / ((divr + 1) * 2^divq)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ice40Pll {
    /// Reference divider, 0..=15.
    pub divr: u64,
    /// Feedback divider, 0..=127.
    pub divf: u64,
    /// Output divider exponent, 1..=6.
    pub divq: u64,
    /// Loop filter setting for the phase detector's frequency, 1..=6.
    pub filter_range: u64,
}

/// PLL settings of the iCE40 that make exactly `out_hz` from `in_hz`, within the PLL's
/// ranges (phase detector 10-133 MHz, VCO 533-1066 MHz, output 16-275 MHz), VCO nearest
/// 800 MHz; an error naming both frequencies when there are none.
pub fn ice40_pll(in_hz: u64, out_hz: u64) -> Result<Ice40Pll, String> {
    let mut best: Option<(u64, Ice40Pll)> = None;
    if (16_000_000..=275_000_000).contains(&out_hz) {
        for divr in 0..=15u64 {
            let pfd = in_hz / (divr + 1);
            if !(10_000_000 * (divr + 1)..=133_000_000 * (divr + 1)).contains(&in_hz) {
                continue;
            }
            for divf in 0..=127u64 {
                for divq in 1..=6u64 {
                    let exact = in_hz * (divf + 1) == out_hz * (divr + 1) * (1 << divq);
                    let vco = out_hz << divq;
                    if !exact || !(533_000_000..=1_066_000_000).contains(&vco) {
                        continue;
                    }
                    let filter_range = match pfd {
                        ..=16_999_999 => 1,
                        17_000_000..=25_999_999 => 2,
                        26_000_000..=43_999_999 => 3,
                        44_000_000..=65_999_999 => 4,
                        66_000_000..=100_999_999 => 5,
                        _ => 6,
                    };
                    let pll = Ice40Pll {
                        divr,
                        divf,
                        divq,
                        filter_range,
                    };
                    let distance = vco.abs_diff(800_000_000);
                    if best.map_or(true, |(d, _)| distance < d) {
                        best = Some((distance, pll));
                    }
                }
            }
        }
    }
    best.map(|(_, pll)| pll).ok_or_else(|| {
        format!(
            "the iCE40 PLL cannot make exactly {} MHz from {} MHz (its output is 16-275 MHz)",
            mhz(out_hz),
            mhz(in_hz)
        )
    })
}

/// The iCE40 PLL's lowest output frequency.
const ICE40_PLL_MIN_HZ: u64 = 16_000_000;
/// The largest power-of-two division of the oscillator the fabric divider makes (`2^4`).
const ICE40_DIVIDER_MAX_LOG2: u32 = 4;

/// How an iCE40 board makes its core clock from its oscillator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ice40Clock {
    /// The oscillator itself.
    Oscillator,
    /// The oscillator divided by `2^n` in the fabric (a counter whose top bit drives a global
    /// buffer), for core clocks below the PLL's 16 MHz.
    Divider(u32),
    /// The PLL.
    Pll(Ice40Pll),
}

/// The iCE40 clock that makes exactly `out_hz` from `in_hz`: the oscillator, a fabric divider
/// by 2, 4, 8 or 16 when `out_hz` is below the PLL's range, else the PLL; or why there is none.
pub fn ice40_clock(in_hz: u64, out_hz: u64) -> Result<Ice40Clock, String> {
    if out_hz == in_hz {
        return Ok(Ice40Clock::Oscillator);
    }
    if out_hz < ICE40_PLL_MIN_HZ {
        return (1..=ICE40_DIVIDER_MAX_LOG2)
            .find(|&n| out_hz << n == in_hz)
            .map(Ice40Clock::Divider)
            .ok_or_else(|| {
                format!(
                    "the iCE40 cannot make exactly {} MHz from {} MHz: below the PLL's 16 MHz \
                     it makes only the oscillator divided by 2, 4, 8 or 16",
                    mhz(out_hz),
                    mhz(in_hz)
                )
            });
    }
    ice40_pll(in_hz, out_hz).map(Ice40Clock::Pll)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pll_settings_are_exact_and_in_range() {
        assert_eq!(ecp5_pll(25_000_000, 12_500_000), Ok((2, 1, 48)));
        let (clki, fb, op) = ecp5_pll(48_000_000, 12_000_000).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(48_000_000 * fb, 12_000_000 * clki);
        assert!((400_000_000..=800_000_000).contains(&(12_000_000 * op)));
        assert!(ecp5_pll(25_000_000, 12_345_679).is_err());
        // iCE40: 17.1875 MHz from 100 MHz is 100 * 11 / (2 * 32), VCO 550 MHz.
        assert_eq!(
            ice40_pll(100_000_000, 17_187_500),
            Ok(Ice40Pll {
                divr: 1,
                divf: 10,
                divq: 5,
                filter_range: 4
            })
        );
        let pll = ice40_pll(12_000_000, 48_000_000).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            12_000_000 * (pll.divf + 1),
            (48_000_000 * (pll.divr + 1)) << pll.divq
        );
        let err = ice40_pll(12_000_000, 6_000_000).expect_err("below the PLL's output range");
        assert!(err.contains("6 MHz from 12 MHz"), "{err}");
        // Below 16 MHz, a power-of-two division of the oscillator in the fabric.
        assert_eq!(
            ice40_clock(12_000_000, 12_000_000),
            Ok(Ice40Clock::Oscillator)
        );
        assert_eq!(
            ice40_clock(12_000_000, 6_000_000),
            Ok(Ice40Clock::Divider(1))
        );
        assert_eq!(ice40_clock(12_000_000, 750_000), Ok(Ice40Clock::Divider(4)));
        assert!(matches!(
            ice40_clock(12_000_000, 48_000_000),
            Ok(Ice40Clock::Pll(_))
        ));
        assert_eq!(
            ice40_clock(12_000_000, 5_000_000),
            Err(
                "the iCE40 cannot make exactly 5 MHz from 12 MHz: below the PLL's 16 MHz it \
                 makes only the oscillator divided by 2, 4, 8 or 16"
                    .to_string()
            )
        );
        assert!(ice40_clock(12_000_000, 375_000).is_err());
    }
}
