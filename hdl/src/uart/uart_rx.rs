//! [`UartRx`]: the 8N1 receiver of the chip's serial line.
use rust_hdl::prelude::*;

use super::MIN_CLOCKS_PER_BIT;

/// States of the receiver.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
enum RxState {
    /// The line is high: waiting for a start bit.
    Idle,
    /// A falling edge was seen: check the line in the middle of the start bit.
    Start,
    /// Sampling data bit `bit_index` in the middle of each bit.
    Data,
    /// Sampling the stop bit.
    Stop,
    /// After a framing error (a 0 stop bit, or a break): waiting for the line to go high.
    WaitIdle,
}

/// The receiver's states and the width of its state register.
pub(crate) fn receiver_states() -> (usize, usize) {
    crate::top::enum_encodings::<RxState>()
}

/// 8N1 receiver with a byte strobe and a framing-error strobe.
///
/// The line passes a two-flip-flop synchronizer (held inverted, so that the power-up value is
/// an idle line). In `Idle`, a low line starts a character; `floor(clocks_per_bit / 2)` cycles
/// later the start bit is checked (a high line there was a glitch: back to `Idle`), then the
/// eight data bits and the stop bit are sampled every `clocks_per_bit` cycles. With a high stop
/// bit the byte is put on `data` with a one-cycle `valid`, and the receiver is back in `Idle`
/// at once (half a stop bit early, which leaves room for a faster sender). With a low stop bit
/// the character is dropped, `framing_error` is raised for one cycle and the receiver waits
/// for the line to be high before it looks for the next start bit: a break (the line held low)
/// gives one framing error and no byte, however long it lasts.
#[derive(Debug, LogicBlock)]
pub struct UartRx {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Serial line, idle high, asynchronous to `clock`, input.
    pub rx: Signal<In, Bit>,
    /// The last byte received, valid with `valid`, output.
    pub data: Signal<Out, Bits<8>>,
    /// One-cycle strobe: `data` holds a byte received with a high stop bit, output.
    pub valid: Signal<Out, Bit>,
    /// One-cycle strobe: a character ended with a low stop bit and was dropped, output.
    pub framing_error: Signal<Out, Bit>,
    low_meta: DFF<Bit>,
    low: DFF<Bit>,
    state: DFF<RxState>,
    count: DFF<Bits<16>>,
    bit_index: DFF<Bits<3>>,
    shift: DFF<Bits<8>>,
    data_out: DFF<Bits<8>>,
    valid_out: DFF<Bit>,
    error_out: DFF<Bit>,
    half: Constant<Bits<16>>,
    last: Constant<Bits<16>>,
    // The bits of `count` that reach `last` (`super::count_mask`).
    count_mask: Constant<Bits<16>>,
    top_bit: Constant<Bits<8>>,
    sample: Signal<Local, Bits<8>>,
}

impl UartRx {
    /// A receiver expecting one bit every `clocks_per_bit` cycles (at least 4; see
    /// [`super::clocks_per_bit`]).
    pub fn new(clocks_per_bit: u16) -> Self {
        assert!(
            u64::from(clocks_per_bit) >= MIN_CLOCKS_PER_BIT,
            "UartRx: clocks_per_bit = {clocks_per_bit} is below {MIN_CLOCKS_PER_BIT}"
        );
        Self {
            clock: Signal::default(),
            rx: Signal::default(),
            data: Signal::default(),
            valid: Signal::default(),
            framing_error: Signal::default(),
            low_meta: DFF::default(),
            low: DFF::default(),
            state: DFF::default(),
            count: DFF::default(),
            bit_index: DFF::default(),
            shift: DFF::default(),
            data_out: DFF::default(),
            valid_out: DFF::default(),
            error_out: DFF::default(),
            half: Constant::new(u64::from(clocks_per_bit / 2 - 1).into()),
            last: Constant::new(u64::from(clocks_per_bit - 1).into()),
            count_mask: super::count_mask(clocks_per_bit - 1),
            top_bit: Constant::new(0x80u64.into()),
            sample: Signal::default(),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, low_meta, low, state, count, bit_index, shift, data_out, valid_out,
            error_out
        );
        // Synchronizer: `low` is 1 while the line is 0.
        self.low_meta.d.next = !self.rx.val();
        self.low.d.next = self.low_meta.q.val();
        // The line's bit, at the top of a byte: it shifts in from the left.
        self.sample.next = bits::<8>(0);
        if !self.low.q.val() {
            self.sample.next = self.top_bit.val();
        }
        self.valid_out.d.next = false;
        self.error_out.d.next = false;
        // `count` never passes `last`: the bits above it stay 0.
        self.count.d.next = (self.count.q.val() + 1) & self.count_mask.val();
        match self.state.q.val() {
            RxState::Idle => {
                self.count.d.next = bits::<16>(0);
                if self.low.q.val() {
                    self.state.d.next = RxState::Start;
                }
            }
            RxState::Start => {
                if self.count.q.val() == self.half.val() {
                    self.count.d.next = bits::<16>(0);
                    self.bit_index.d.next = bits::<3>(0);
                    self.state.d.next = RxState::Idle;
                    if self.low.q.val() {
                        self.state.d.next = RxState::Data;
                    }
                }
            }
            RxState::Data => {
                if self.count.q.val() == self.last.val() {
                    self.count.d.next = bits::<16>(0);
                    self.shift.d.next = (self.shift.q.val() >> 1) | self.sample.val();
                    self.bit_index.d.next = self.bit_index.q.val() + 1;
                    if self.bit_index.q.val() == 7 {
                        self.state.d.next = RxState::Stop;
                    }
                }
            }
            RxState::Stop => {
                if self.count.q.val() == self.last.val() {
                    self.count.d.next = bits::<16>(0);
                    if self.low.q.val() {
                        self.error_out.d.next = true;
                        self.state.d.next = RxState::WaitIdle;
                    } else {
                        self.data_out.d.next = self.shift.q.val();
                        self.valid_out.d.next = true;
                        self.state.d.next = RxState::Idle;
                    }
                }
            }
            RxState::WaitIdle => {
                self.count.d.next = bits::<16>(0);
                if !self.low.q.val() {
                    self.state.d.next = RxState::Idle;
                }
            }
            // An unused encoding of the state (an upset): as after a framing error, wait for
            // the line to be high. Rust never reaches this arm; the Verilog's `default` does.
            #[allow(unreachable_patterns)]
            _ => {
                self.count.d.next = bits::<16>(0);
                self.state.d.next = RxState::WaitIdle;
            }
        }
        self.data.next = self.data_out.q.val();
        self.valid.next = self.valid_out.q.val();
        self.framing_error.next = self.error_out.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uart::test_support::{assert_synthesizes, character, stretch, tick};
    use spikeforge_sim::rng::Xorshift32;

    /// What the receiver put out: bytes and framing errors, with the cycle of each.
    #[derive(Debug, Default)]
    struct Received {
        bytes: Vec<(usize, u8)>,
        errors: Vec<usize>,
    }

    /// Drive `line` (one level per cycle) into a fresh receiver.
    fn receive(clocks_per_bit: u16, line: &[bool]) -> Received {
        let mut uut = UartRx::new(clocks_per_bit);
        uut.connect_all();
        let mut out = Received::default();
        for (cycle, &level) in line.iter().enumerate() {
            uut.rx.next = level;
            tick(&mut uut, |u| &mut u.clock);
            assert!(
                !(uut.valid.val() && uut.framing_error.val()),
                "valid and framing_error together in cycle {cycle}"
            );
            if uut.valid.val() {
                out.bytes.push((cycle, uut.data.val().to_u64() as u8));
            }
            if uut.framing_error.val() {
                out.errors.push(cycle);
            }
        }
        out
    }

    fn idle(cycles: usize) -> Vec<bool> {
        vec![true; cycles]
    }

    fn bytes_of(received: &Received) -> Vec<u8> {
        received.bytes.iter().map(|&(_, b)| b).collect()
    }

    /// A stream with a bad stop bit and a long break in the middle: every good character
    /// before and after comes out, the bad ones do not, and each raises `framing_error` once.
    fn framing_error_and_break(clocks_per_bit: u16) {
        let bit = f64::from(clocks_per_bit);
        let cpb = usize::from(clocks_per_bit);
        let mut line = idle(3 * cpb);
        for byte in [0x55, 0x00, 0xFF] {
            line.extend(character(byte, true, bit));
        }
        // 0xA5 with a low stop bit, then the line returns high.
        line.extend(character(0xA5, false, bit));
        line.extend(idle(2 * cpb));
        line.extend(character(0x3C, true, bit));
        // A break of 37 bit times, then one bit time of idle before the next start bit.
        let break_at = line.len();
        line.extend(vec![false; 37 * cpb]);
        let break_end = line.len();
        line.extend(idle(cpb));
        for byte in [0x81, 0x7E] {
            line.extend(character(byte, true, bit));
        }
        line.extend(idle(3 * cpb));
        let got = receive(clocks_per_bit, &line);
        assert_eq!(bytes_of(&got), [0x55, 0x00, 0xFF, 0x3C, 0x81, 0x7E]);
        assert_eq!(got.errors.len(), 2, "{got:?}");
        // The receiver's outputs lag the line by three cycles (synchronizer and output
        // register): nothing may come out from three cycles into the break to its end.
        assert!(
            got.bytes
                .iter()
                .all(|&(cycle, _)| cycle <= break_at + 3 || cycle > break_end),
            "a byte during the break ({break_at}..{break_end}): {got:?}"
        );
        // The break's error comes at its tenth bit (the stop bit), not at its end.
        let error = got.errors[1];
        assert!(
            error > break_at + 9 * cpb && error < break_at + 11 * cpb,
            "{got:?}"
        );
    }

    #[test]
    fn uart_rx_recovers_from_framing_errors_and_breaks() {
        framing_error_and_break(4);
        framing_error_and_break(16);
    }

    #[test]
    fn uart_rx_ignores_glitches_shorter_than_half_a_bit() {
        let bit = 16.0;
        let mut line = idle(40);
        line.extend([false; 6]);
        line.extend(idle(40));
        line.extend(character(0x5A, true, bit));
        line.extend(idle(20));
        let got = receive(16, &line);
        assert_eq!(bytes_of(&got), [0x5A]);
        assert!(got.errors.is_empty(), "{got:?}");
    }

    /// Random bytes from a sender whose bit time is `ratio` of ours, back to back.
    fn tolerates(clocks_per_bit: u16, ratio: f64, seed: u32) {
        let mut rng = Xorshift32::new(seed);
        let sent: Vec<u8> = (0..60).map(|_| rng.next() as u8).collect();
        let mut levels = vec![true; 3];
        for &byte in &sent {
            levels.push(false);
            levels.extend((0..8).map(|i| (byte >> i) & 1 == 1));
            levels.push(true);
        }
        levels.extend([true; 3]);
        let line = stretch(&levels, f64::from(clocks_per_bit) * ratio);
        let got = receive(clocks_per_bit, &line);
        assert_eq!(
            bytes_of(&got),
            sent,
            "{clocks_per_bit} cycles per bit, sender at {ratio} of our bit time"
        );
        assert!(got.errors.is_empty(), "{got:?}");
    }

    #[test]
    fn uart_rx_tolerates_a_2_percent_baud_error() {
        for cycles in [4, 16] {
            tolerates(cycles, 0.98, 0x0B0D_0001);
            tolerates(cycles, 1.02, 0x0B0D_0002);
        }
    }

    #[test]
    #[should_panic(expected = "UartRx: clocks_per_bit = 2 is below 4")]
    fn uart_rx_refuses_fewer_than_4_cycles_per_bit() {
        let _ = UartRx::new(2);
    }

    #[test]
    fn uart_rx_synthesizes() {
        let mut uut = UartRx::new(4);
        uut.connect_all();
        let ice40 = assert_synthesizes("uart_rx", &uut);
        assert!(ice40.flip_flops <= 48, "{ice40}");
        assert!(ice40.luts <= 100, "{ice40}");
    }
}
