//! [`UartTx`]: the 8N1 transmitter of the chip's serial line.
use rust_hdl::prelude::*;

use super::MIN_CLOCKS_PER_BIT;

/// 8N1 transmitter with a ready/valid byte input.
///
/// A byte is taken at a clock edge where `valid` and `ready` are both high. The line then
/// carries the start bit (0), the eight data bits least significant first and the stop bit (1),
/// each for `clocks_per_bit` cycles, starting in the cycle after the edge. `ready` is high while
/// idle and in the last cycle of a stop bit, so a byte offered in time follows the previous one
/// without a gap: a character takes exactly `10 * clocks_per_bit` cycles. `ready` depends on
/// the transmitter's registers only. The line is a register output and idles high from
/// power-up (the register holds the line inverted, and registers power up at 0).
#[derive(Debug, LogicBlock)]
pub struct UartTx {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Byte to send, taken with `valid` when `ready`, input.
    pub data: Signal<In, Bits<8>>,
    /// `data` holds a byte to send, input.
    pub valid: Signal<In, Bit>,
    /// The transmitter takes `data` at the next clock edge if `valid`, output.
    pub ready: Signal<Out, Bit>,
    /// Serial line, idle high, output.
    pub tx: Signal<Out, Bit>,
    busy: DFF<Bit>,
    line_low: DFF<Bit>,
    shift: DFF<Bits<8>>,
    bits_left: DFF<Bits<4>>,
    count: DFF<Bits<16>>,
    last: Constant<Bits<16>>,
    // The bits of `count` that reach `last` (`super::count_mask`).
    count_mask: Constant<Bits<16>>,
    bit_end: Signal<Local, Bit>,
    accept: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
}

impl UartTx {
    /// A transmitter sending one bit every `clocks_per_bit` cycles (at least 4; see
    /// [`super::clocks_per_bit`]).
    pub fn new(clocks_per_bit: u16) -> Self {
        assert!(
            u64::from(clocks_per_bit) >= MIN_CLOCKS_PER_BIT,
            "UartTx: clocks_per_bit = {clocks_per_bit} is below {MIN_CLOCKS_PER_BIT}"
        );
        Self {
            clock: Signal::default(),
            data: Signal::default(),
            valid: Signal::default(),
            ready: Signal::default(),
            tx: Signal::default(),
            busy: DFF::default(),
            line_low: DFF::default(),
            shift: DFF::default(),
            bits_left: DFF::default(),
            count: DFF::default(),
            last: Constant::new(u64::from(clocks_per_bit - 1).into()),
            count_mask: super::count_mask(clocks_per_bit - 1),
            bit_end: Signal::default(),
            accept: Signal::default(),
            take: Signal::default(),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, busy, line_low, shift, bits_left, count);
        self.bit_end.next = self.count.q.val() == self.last.val();
        // Idle, or the last cycle of a stop bit.
        self.accept.next =
            !self.busy.q.val() || (self.bit_end.val() && !self.bits_left.q.val().any());
        self.take.next = self.accept.val() && self.valid.val();

        // `count` never passes `last`: the bits above it stay 0.
        self.count.d.next = (self.count.q.val() + 1) & self.count_mask.val();
        if self.bit_end.val() || !self.busy.q.val() {
            self.count.d.next = bits::<16>(0);
        }
        if self.busy.q.val() && self.bit_end.val() {
            if self.bits_left.q.val().any() {
                // The next bit: data least significant first, then the stop bit.
                self.bits_left.d.next = self.bits_left.q.val() - 1;
                self.line_low.d.next = !self.shift.q.val().get_bit(0);
                self.shift.d.next = self.shift.q.val() >> 1;
                if self.bits_left.q.val() == 1 {
                    self.line_low.d.next = false;
                }
            } else {
                self.busy.d.next = false;
            }
        }
        if self.take.val() {
            // The start bit from the next cycle on; nine bits follow.
            self.busy.d.next = true;
            self.line_low.d.next = true;
            self.shift.d.next = self.data.val();
            self.bits_left.d.next = bits::<4>(9);
            self.count.d.next = bits::<16>(0);
        }
        self.ready.next = self.accept.val();
        self.tx.next = !self.line_low.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uart::test_support::{assert_synthesizes, character, tick};
    use spikeforge_sim::rng::Xorshift32;

    /// Random bytes offered with random gaps: the line must be exactly the concatenation of
    /// their characters, each starting in the cycle after the edge that took its byte, with
    /// idle high in between; `ready` must be high exactly when a byte can be taken.
    fn sends_characters(cycles_per_bit: u16, bytes: usize, seed: u32) {
        let mut uut = UartTx::new(cycles_per_bit);
        uut.connect_all();
        // Settle the power-up state.
        tick(&mut uut, |u| &mut u.clock);
        let mut rng = Xorshift32::new(seed);
        let bit = f64::from(cycles_per_bit);
        let mut want: Vec<bool> = Vec::new();
        let mut line = Vec::new();
        let mut sent = 0;
        let mut busy_until = 0;
        let mut cycle = 0;
        while sent < bytes || cycle < busy_until + 3 {
            let byte = rng.next() as u8;
            let offer = sent < bytes && rng.next() % 3 != 0;
            uut.valid.next = offer;
            uut.data.next = u64::from(byte).into();
            // `line[k]` is the line in cycle `k + 1` (after the edge that ends cycle `k`). A
            // byte taken at the end of cycle `c` starts its character at `line[c]`; the next
            // can be taken in the character's last cycle, `line[busy_until - 1]`.
            let free = cycle >= busy_until;
            assert_eq!(uut.ready.val(), free, "ready in cycle {cycle}");
            tick(&mut uut, |u| &mut u.clock);
            if offer && free {
                want.resize(cycle, true);
                want.extend(character(byte, true, bit));
                busy_until = want.len();
                sent += 1;
            }
            line.push(uut.tx.val());
            cycle += 1;
        }
        want.resize(line.len(), true);
        assert_eq!(line.len(), cycle);
        if let Some(at) = line.iter().zip(&want).position(|(a, b)| a != b) {
            panic!("{cycles_per_bit} cycles per bit: the line differs from 8N1 in cycle {at}");
        }
    }

    #[test]
    fn uart_tx_sends_8n1_characters() {
        sends_characters(4, 300, 0x07C5_0004);
        sends_characters(7, 100, 0x07C5_0007);
        sends_characters(16, 60, 0x07C5_0016);
    }

    #[test]
    fn uart_tx_idles_high_from_power_up() {
        let mut uut = UartTx::new(4);
        uut.connect_all();
        for cycle in 0..20 {
            tick(&mut uut, |u| &mut u.clock);
            assert!(uut.tx.val() && uut.ready.val(), "cycle {cycle}");
        }
    }

    #[test]
    #[should_panic(expected = "UartTx: clocks_per_bit = 3 is below 4")]
    fn uart_tx_refuses_fewer_than_4_cycles_per_bit() {
        let _ = UartTx::new(3);
    }

    #[test]
    fn uart_tx_synthesizes() {
        let mut uut = UartTx::new(4);
        uut.connect_all();
        let ice40 = assert_synthesizes("uart_tx", &uut);
        assert!(ice40.flip_flops <= 40, "{ice40}");
        assert!(ice40.luts <= 80, "{ice40}");
    }
}
