//! [`ByteFifo`]: the receive FIFO between the UART and the frame engine (`docs/spec.md` §7.7).
use crate::memory::Ram;
use rust_hdl::prelude::*;

/// Width of the pointers and of the fill count: the count reaches the depth itself.
const POINTER_BITS: usize = 10;
/// The deepest FIFO the pointers can address.
pub const MAX_DEPTH: usize = (1 << POINTER_BITS) - 1;

/// A byte FIFO in block RAM with a head register: bytes written while it is full are dropped
/// and signalled with `overflow` for one cycle; the head byte is offered on `data` with
/// `valid` until taken with `take`.
///
/// The RAM is read only at addresses written at an earlier clock edge (the head is fetched
/// from words already counted in `used`), so no read ever meets a write of the same word. A
/// fetch takes one cycle, so a byte can be taken at most every other cycle, far faster than a
/// UART delivers them.
#[derive(Debug, LogicBlock)]
pub struct ByteFifo {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Byte to store, input.
    pub write_data: Signal<In, Bits<8>>,
    /// Store `write_data` in this cycle, input.
    pub write: Signal<In, Bit>,
    /// A byte written while full was dropped (one-cycle pulse), output.
    pub overflow: Signal<Out, Bit>,
    /// The oldest byte, output.
    pub data: Signal<Out, Bits<8>>,
    /// `data` holds a byte, output.
    pub valid: Signal<Out, Bit>,
    /// Remove the head byte at this clock edge (only with `valid`), input.
    pub take: Signal<In, Bit>,
    memory: Ram<Bits<8>, POINTER_BITS>,
    write_pointer: DFF<Bits<POINTER_BITS>>,
    read_pointer: DFF<Bits<POINTER_BITS>>,
    used: DFF<Bits<POINTER_BITS>>,
    head: DFF<Bits<8>>,
    head_valid: DFF<Bit>,
    fetching: DFF<Bit>,
    overflow_pulse: DFF<Bit>,
    depth: Constant<Bits<POINTER_BITS>>,
    last: Constant<Bits<POINTER_BITS>>,
    write_ok: Signal<Local, Bit>,
    fetch: Signal<Local, Bit>,
    used_after_write: Signal<Local, Bits<POINTER_BITS>>,
}

impl ByteFifo {
    /// A FIFO of `depth` bytes in RAM (plus the head register); `depth` is 2..=65,535.
    pub fn new(depth: usize) -> Self {
        assert!(
            (2..=MAX_DEPTH).contains(&depth),
            "ByteFifo depth {depth} is out of range 2..={MAX_DEPTH}"
        );
        let word = |x: usize| Constant::new(u64::try_from(x).unwrap_or(0).into());
        Self {
            clock: Signal::default(),
            write_data: Signal::default(),
            write: Signal::default(),
            overflow: Signal::default(),
            data: Signal::default(),
            valid: Signal::default(),
            take: Signal::default(),
            memory: Ram::new(depth),
            write_pointer: DFF::default(),
            read_pointer: DFF::default(),
            used: DFF::default(),
            head: DFF::default(),
            head_valid: DFF::default(),
            fetching: DFF::default(),
            overflow_pulse: DFF::default(),
            depth: word(depth),
            last: word(depth - 1),
            write_ok: Signal::default(),
            fetch: Signal::default(),
            used_after_write: Signal::default(),
        }
    }
}

impl Logic for ByteFifo {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            write_pointer,
            read_pointer,
            used,
            head,
            head_valid,
            fetching,
            overflow_pulse
        );
        clock!(self, clock, memory);
        self.data.next = self.head.q.val();
        self.valid.next = self.head_valid.q.val();
        self.overflow.next = self.overflow_pulse.q.val();

        // Write side.
        self.write_ok.next = self.write.val() && (self.used.q.val() != self.depth.val());
        self.overflow_pulse.d.next = self.write.val() && !self.write_ok.val();
        self.memory.write_address.next = self.write_pointer.q.val();
        self.memory.write_data.next = self.write_data.val();
        self.memory.write_enable.next = self.write_ok.val();
        if self.write_ok.val() {
            self.write_pointer.d.next = self.write_pointer.q.val() + 1;
            if self.write_pointer.q.val() == self.last.val() {
                self.write_pointer.d.next = bits::<POINTER_BITS>(0);
            }
        }

        // Read side: the head register is refilled from the RAM one cycle after a fetch.
        if self.take.val() && self.head_valid.q.val() {
            self.head_valid.d.next = false;
        }
        if self.fetching.q.val() {
            self.head.d.next = self.memory.read_data.val();
            self.head_valid.d.next = true;
        }
        self.fetch.next =
            !self.head_valid.q.val() && !self.fetching.q.val() && self.used.q.val().any();
        self.fetching.d.next = self.fetch.val();
        self.memory.read_address.next = self.read_pointer.q.val();
        self.memory.read_enable.next = self.fetch.val();
        if self.fetch.val() {
            self.read_pointer.d.next = self.read_pointer.q.val() + 1;
            if self.read_pointer.q.val() == self.last.val() {
                self.read_pointer.d.next = bits::<POINTER_BITS>(0);
            }
        }
        self.used_after_write.next = self.used.q.val();
        if self.write_ok.val() {
            self.used_after_write.next = self.used.q.val() + 1;
        }
        self.used.d.next = self.used_after_write.val();
        if self.fetch.val() {
            self.used.d.next = self.used_after_write.val() - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spikeforge_sim::rng::Xorshift32;
    use std::collections::VecDeque;

    fn tick(fifo: &mut ByteFifo) {
        fifo.clock.next = Clock { clk: true };
        assert!(simulate(fifo, 100), "no settling");
        fifo.clock.next = Clock { clk: false };
        assert!(simulate(fifo, 100), "no settling");
    }

    /// Random bursts of writes and takes against a queue: the accepted bytes come out in
    /// order, and a byte is dropped (with `overflow`) only when `depth` or more are held.
    #[test]
    fn byte_fifo_keeps_order_and_drops_only_when_full() {
        let depth = 16;
        let mut fifo = ByteFifo::new(depth);
        fifo.connect_all();
        let mut queue: VecDeque<u8> = VecDeque::new();
        let mut rng = Xorshift32::new(0xF1F0_0001);
        let (mut overflows, mut taken) = (0, 0);
        for cycle in 0..20_000 {
            let writing = (cycle / 300) % 2 == 0;
            let write = rng.next() % 3 == 0 && (writing || rng.next() % 4 == 0);
            let take = rng.next() % 2 == 0 && (!writing || rng.next() % 4 == 0);
            let byte = (rng.next() & 0xFF) as u8;
            fifo.write_data.next = u64::from(byte).into();
            fifo.write.next = write;
            fifo.take.next = take;
            assert!(simulate(&mut fifo, 100), "no settling");
            let held = queue.len();
            if fifo.valid.val() && take {
                let want = queue
                    .pop_front()
                    .expect("the model holds the byte the FIFO offers");
                assert_eq!(fifo.data.val().index(), usize::from(want), "cycle {cycle}");
                taken += 1;
            }
            tick(&mut fifo);
            if write {
                if fifo.overflow.val() {
                    assert!(
                        held >= depth,
                        "cycle {cycle}: a byte dropped with {held} held"
                    );
                    overflows += 1;
                } else {
                    queue.push_back(byte);
                }
            } else {
                assert!(
                    !fifo.overflow.val(),
                    "cycle {cycle}: overflow without a write"
                );
            }
        }
        assert!(overflows > 0, "the test never filled the FIFO");
        assert!(taken > 1_000, "only {taken} bytes came out");
    }
}
