//! The chip's serial line (`docs/spec.md` §7.1): an 8N1 receiver ([`UartRx`]) and transmitter
//! ([`UartTx`]) whose bit time is a whole number of clock cycles fixed when the Verilog is
//! generated ([`clocks_per_bit`]).
mod uart_rx;
mod uart_tx;

use rust_hdl::prelude::{Bits, Constant};

pub(crate) use uart_rx::receiver_states;
pub use uart_rx::UartRx;
pub use uart_tx::UartTx;

pub use spikeforge_sim::wire::line::{
    clocks_per_bit, BaudError, MAX_BAUD_ERROR_PERMILLE, MAX_CLOCKS_PER_BIT, MIN_CLOCKS_PER_BIT,
};

/// The mask of a bit-time counter that counts from 0 to `last` and restarts: the bits that
/// `last` reaches. The counter is 16 bits wide (the widest bit time); masking its increment
/// leaves the bits above constant 0, and synthesis removes them (4 bits at 12 clocks per bit).
pub(crate) fn count_mask(last: u16) -> Constant<Bits<16>> {
    let bits = u16::BITS - last.leading_zeros();
    Constant::new(((1u64 << bits) - 1).into())
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
