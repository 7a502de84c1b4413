//! [`LaneRouter`]: the bank rotation of the learning core's synapse pipeline: which weight
//! bank each lane of a group of synapses uses, and the crossbar from the banks to the lanes.
use crate::top::learning_core::{constant, replicate, Address};
use rust_hdl::prelude::*;
use spikeforge_sim::core_interface::ADDRESS_BITS;

/// The lanes of a group of synapses and the weight banks they use (`docs/spec.md` §6,
/// Lanes). With `P` lanes and `B` banks (`B = P`, or `2P` with paired banks; `t = log2 B`),
/// word `a` of W or C is word `a >> t` of bank `a & (B-1)`. Lane `k` takes synapse
/// `index + k` of the row, word `row + index + k`, which is in bank `lane_bank[k]`; bank `b`
/// holds the word of lane `bank_lane[b]` at `bank_address[b]` if that lane is one of the
/// group's (`bank_read[b]`: always with `B = P`; with paired banks the other `P` banks are
/// free for the write-back). Lanes past the row's end (`size` synapses) do nothing.
///
/// Combinational: stage 1 (the sequencer addresses the group) gives each bank's address and
/// each lane's bank; the core registers the lanes' banks and the banks' lanes along the
/// pipeline, and in stage 2 the router gives each lane the weight of its bank (`weight_bank`,
/// the lane's `lane_bank` of stage 1).
#[derive(Debug, LogicBlock)]
pub struct LaneRouter {
    /// Stage 1: the W or C word of the row's first synapse.
    pub row: Signal<In, Address>,
    /// Stage 1: the group's first synapse in the row (a multiple of the lanes).
    pub index: Signal<In, Bits<16>>,
    /// Stage 1: the row's synapses.
    pub size: Signal<In, Bits<16>>,
    /// Stage 1: the bank of lane `k`'s weight.
    pub lane_bank: Vec<Signal<Out, Bits<16>>>,
    /// Stage 1: lane `k` holds a synapse of the row.
    pub lane_valid: Vec<Signal<Out, Bit>>,
    /// Stage 1: the lane whose weight bank `b` holds (from `P` on: none of the group's).
    pub bank_lane: Vec<Signal<Out, Bits<16>>>,
    /// Stage 1: bank `b` holds a word of one of the group's lanes.
    pub bank_read: Vec<Signal<Out, Bit>>,
    /// Stage 1: the word bank `b` reads, its lane's.
    pub bank_address: Vec<Signal<Out, Address>>,
    /// Stage 2: the bank of lane `k`'s weight (its `lane_bank` of stage 1).
    pub weight_bank: Vec<Signal<In, Bits<16>>>,
    /// Stage 2: the group is the classifier's (its weights in C), else a hidden layer's (W).
    pub classifier: Signal<In, Bit>,
    /// Stage 2: bank `b`'s W word.
    pub hidden_weight: Vec<Signal<In, Bits<16>>>,
    /// Stage 2: bank `b`'s C word.
    pub classifier_weight: Vec<Signal<In, Bits<16>>>,
    /// Stage 2: lane `k`'s weight, from its bank.
    pub weight: Vec<Signal<Out, Bits<16>>>,
    // The group's first word, the synapses left in its row, the word of the first word in
    // its bank, that plus one, and the first word's bank.
    address: Signal<Local, Address>,
    remaining: Signal<Local, Bits<16>>,
    base: Signal<Local, Address>,
    base_next: Signal<Local, Address>,
    // The first word's low bits, which give the banks.
    low: Signal<Local, Bits<16>>,
    first_bank: Signal<Local, Bits<16>>,
    lane_id: Vec<Constant<Bits<16>>>,
    bank_id: Vec<Constant<Bits<16>>>,
    lanes: Constant<Bits<16>>,
    // More than one lane: a group may wrap around the banks (with one lane, every bank's
    // address is `base`: the group's one bank has it).
    rotates: Constant<Bit>,
    bank_shift: Constant<Bits<16>>,
    bank_mask: Constant<Bits<16>>,
}

impl LaneRouter {
    /// The router of `lanes` lanes and `banks` banks, powers of two, `banks` either `lanes`
    /// or twice it.
    pub fn new(lanes: usize, banks: usize) -> Self {
        assert!(
            lanes.is_power_of_two() && (banks == lanes || banks == 2 * lanes),
            "LaneRouter: lanes = {lanes} and banks = {banks}: lanes must be a power of two and \
             banks the lanes or twice them"
        );
        Self {
            row: Signal::default(),
            index: Signal::default(),
            size: Signal::default(),
            lane_bank: replicate(lanes, Signal::default),
            lane_valid: replicate(lanes, Signal::default),
            bank_lane: replicate(banks, Signal::default),
            bank_read: replicate(banks, Signal::default),
            bank_address: replicate(banks, Signal::default),
            weight_bank: replicate(lanes, Signal::default),
            classifier: Signal::default(),
            hidden_weight: replicate(banks, Signal::default),
            classifier_weight: replicate(banks, Signal::default),
            weight: replicate(lanes, Signal::default),
            address: Signal::default(),
            remaining: Signal::default(),
            base: Signal::default(),
            base_next: Signal::default(),
            low: Signal::default(),
            first_bank: Signal::default(),
            lane_id: (0..lanes).map(constant).collect(),
            bank_id: (0..banks).map(constant).collect(),
            lanes: constant(lanes),
            rotates: Constant::new(lanes > 1),
            bank_shift: constant(banks.trailing_zeros() as usize),
            bank_mask: constant(banks - 1),
        }
    }
}

impl Logic for LaneRouter {
    #[hdl_gen]
    fn update(&mut self) {
        // Stage 1: lane `k` takes word `address + k`; bank `b` the word of its lane.
        self.address.next = self.row.val() + bit_cast::<ADDRESS_BITS, 16>(self.index.val());
        self.low.next = self.address.val().get_bits::<16>(0);
        self.remaining.next = self.size.val() - self.index.val();
        self.base.next = self.address.val() >> self.bank_shift.val();
        self.base_next.next = self.base.val() + 1;
        self.first_bank.next = self.low.val() & self.bank_mask.val();
        for k in 0..self.lane_id.len() {
            self.lane_bank[k].next =
                (self.low.val() + self.lane_id[k].val()) & self.bank_mask.val();
            self.lane_valid[k].next = self.lane_id[k].val() < self.remaining.val();
        }
        // A group starts inside its row.
        self.lane_valid[0].next = true;
        for b in 0..self.bank_id.len() {
            self.bank_lane[b].next =
                (self.bank_id[b].val() - self.low.val()) & self.bank_mask.val();
            self.bank_read[b].next = self.bank_lane[b].val() < self.lanes.val();
            // The word `address + bank_lane[b]` is in the next row of banks when the group
            // wraps around before bank `b`.
            self.bank_address[b].next = self.base.val();
            if self.rotates.val() && (self.bank_id[b].val() < self.first_bank.val()) {
                self.bank_address[b].next = self.base_next.val();
            }
        }
        // Stage 2: each lane's weight from its bank.
        for k in 0..self.lane_id.len() {
            self.weight[k].next = bits::<16>(0);
            for b in 0..self.bank_id.len() {
                if self.weight_bank[k].val() == self.bank_id[b].val() {
                    self.weight[k].next = self.hidden_weight[b].val();
                    if self.classifier.val() {
                        self.weight[k].next = self.classifier_weight[b].val();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bit, from_bits, settle, to_bits, Draw, GoldenCase,
        VECTORS,
    };

    const SEED: u32 = 0x1A7E_0004;
    /// The lanes of the router under test.
    const LANES: usize = 4;
    /// The most banks of a router under test (paired banks).
    const MOST_BANKS: usize = 2 * LANES;

    /// The Verilog names of lane (or bank) 0 to 7 of a `Vec` port: `name$k`.
    macro_rules! bank_ports {
        ($name:literal) => {
            [
                concat!($name, "$0"),
                concat!($name, "$1"),
                concat!($name, "$2"),
                concat!($name, "$3"),
                concat!($name, "$4"),
                concat!($name, "$5"),
                concat!($name, "$6"),
                concat!($name, "$7"),
            ]
        };
    }
    const WEIGHT_BANK: [&str; MOST_BANKS] = bank_ports!("weight_bank");
    const HIDDEN_WEIGHT: [&str; MOST_BANKS] = bank_ports!("hidden_weight");
    const CLASSIFIER_WEIGHT: [&str; MOST_BANKS] = bank_ports!("classifier_weight");
    const LANE_BANK: [&str; MOST_BANKS] = bank_ports!("lane_bank");
    const LANE_VALID: [&str; MOST_BANKS] = bank_ports!("lane_valid");
    const BANK_LANE: [&str; MOST_BANKS] = bank_ports!("bank_lane");
    const BANK_READ: [&str; MOST_BANKS] = bank_ports!("bank_read");
    const BANK_ADDRESS: [&str; MOST_BANKS] = bank_ports!("bank_address");
    const WEIGHT: [&str; MOST_BANKS] = bank_ports!("weight");

    /// A group of a row (stage 1) and, independent of it, the banks' words and each lane's
    /// registered bank (stage 2), for a router of [`LANES`] lanes and `B` banks.
    #[derive(Debug)]
    struct Case<const B: usize> {
        row: u32,
        index: u16,
        size: u16,
        weight_bank: [u16; LANES],
        classifier: bool,
        hidden_weight: [u16; B],
        classifier_weight: [u16; B],
    }

    fn narrow(x: i64) -> u16 {
        u16::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl<const B: usize> GoldenCase for Case<B> {
        type Widget = LaneRouter;

        fn draw(draw: &mut Draw) -> Self {
            // A group starts inside its row: `index` is a multiple of the lanes below `size`.
            let size = narrow(draw.int(1, 1024));
            let index = narrow(draw.int(0, i64::from(size - 1))) / LANES as u16 * LANES as u16;
            // A row's words are inside the memory (at most 2^ADDRESS_BITS words): no address
            // wraps.
            let row = draw.int(0, (1 << ADDRESS_BITS) - 1 - 1024) as u32;
            let mut words = || narrow(draw.int(0, 0xFFFF));
            Self {
                row,
                index,
                size,
                weight_bank: [0; LANES].map(|_| words() % B as u16),
                classifier: words() % 2 == 1,
                hidden_weight: [0; B].map(|_| words()),
                classifier_weight: [0; B].map(|_| words()),
            }
        }

        fn drive(&self, uut: &mut LaneRouter) {
            uut.row.next = to_bits(self.row.into());
            uut.index.next = to_bits(self.index.into());
            uut.size.next = to_bits(self.size.into());
            uut.classifier.next = self.classifier;
            for k in 0..LANES {
                uut.weight_bank[k].next = to_bits(self.weight_bank[k].into());
            }
            for b in 0..B {
                uut.hidden_weight[b].next = to_bits(self.hidden_weight[b].into());
                uut.classifier_weight[b].next = to_bits(self.classifier_weight[b].into());
            }
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            let mut ports = vec![
                ("row", ADDRESS_BITS, self.row.into()),
                ("index", 16, self.index.into()),
                ("size", 16, self.size.into()),
                ("classifier", 1, self.classifier.into()),
            ];
            for (name, bank) in WEIGHT_BANK.iter().zip(self.weight_bank) {
                ports.push((name, 16, bank.into()));
            }
            for b in 0..B {
                ports.push((HIDDEN_WEIGHT[b], 16, self.hidden_weight[b].into()));
                ports.push((CLASSIFIER_WEIGHT[b], 16, self.classifier_weight[b].into()));
            }
            ports
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            // The banked layout: word `a` is word `a / B` of bank `a % B`. Lane `k` takes word
            // `row + index + k` if synapse `index + k` is in the row. A
            // bank none of the lanes uses (paired banks) reads word `first / B`, plus one if
            // it comes before the first word's bank.
            let banks = B as u32;
            let first = self.row + u32::from(self.index);
            let mut lane_bank = [0u32; LANES];
            let mut bank_lane = [0u32; B];
            let mut bank_read = [false; B];
            let mut bank_address = [0u32; B];
            for b in 0..banks {
                bank_lane[b as usize] = b.wrapping_sub(first) % banks;
                bank_address[b as usize] = first / banks + u32::from(b < first % banks);
            }
            for (k, bank) in (0..LANES as u32).zip(&mut lane_bank) {
                let word = first + k;
                *bank = word % banks;
                bank_read[*bank as usize] = true;
                assert_eq!(bank_lane[*bank as usize], k);
                assert_eq!(bank_address[*bank as usize], word / banks);
            }
            let weights = if self.classifier {
                self.classifier_weight
            } else {
                self.hidden_weight
            };
            let mut golden = Vec::new();
            for k in 0..LANES {
                let valid = usize::from(self.index) + k < usize::from(self.size);
                golden.push((LANE_BANK[k], lane_bank[k].into()));
                golden.push((LANE_VALID[k], valid.into()));
                golden.push((WEIGHT[k], weights[usize::from(self.weight_bank[k])].into()));
            }
            for b in 0..B {
                golden.push((BANK_LANE[b], bank_lane[b].into()));
                golden.push((BANK_READ[b], bank_read[b].into()));
                golden.push((BANK_ADDRESS[b], bank_address[b].into()));
            }
            golden
        }

        fn read(uut: &LaneRouter) -> Vec<(&'static str, i64)> {
            let mut read = Vec::new();
            for k in 0..LANES {
                read.push((LANE_BANK[k], from_bits(uut.lane_bank[k].val())));
                read.push((LANE_VALID[k], from_bit(uut.lane_valid[k].val())));
                read.push((WEIGHT[k], from_bits(uut.weight[k].val())));
            }
            for b in 0..B {
                read.push((BANK_LANE[b], from_bits(uut.bank_lane[b].val())));
                read.push((BANK_READ[b], from_bit(uut.bank_read[b].val())));
                read.push((BANK_ADDRESS[b], from_bits(uut.bank_address[b].val())));
            }
            read
        }
    }

    #[test]
    fn lane_router_matches_the_banked_layout() {
        let mut uut = LaneRouter::new(LANES, LANES);
        uut.connect_all();
        let cases: Vec<Case<LANES>> = draw_cases(SEED, VECTORS);
        assert_matches_golden("LaneRouter", &mut uut, &cases);
    }

    #[test]
    fn lane_router_with_paired_banks_matches_the_banked_layout() {
        let mut uut = LaneRouter::new(LANES, MOST_BANKS);
        uut.connect_all();
        let cases: Vec<Case<MOST_BANKS>> = draw_cases(SEED, VECTORS);
        assert_matches_golden("LaneRouter (paired banks)", &mut uut, &cases);
    }

    #[test]
    fn lane_router_with_one_lane_gives_both_banks_the_groups_word() {
        // With one lane the spare bank reads the same word as the group's (no increment).
        let mut uut = LaneRouter::new(1, 2);
        uut.connect_all();
        for row in [0u64, 1, 2, 7, 0x3FFF, 0x1_0001, 0xF_FFFE] {
            uut.row.next = row.into();
            uut.index.next = 0.into();
            uut.size.next = 10.into();
            settle(&mut uut);
            for b in 0..2 {
                assert_eq!(
                    uut.bank_address[b].val(),
                    Address::from(row >> 1),
                    "row {row}"
                );
                assert_eq!(uut.bank_read[b].val(), row % 2 == b as u64, "row {row}");
            }
        }
    }

    #[test]
    fn lane_router_synthesizes() {
        let mut uut = LaneRouter::new(LANES, LANES);
        uut.connect_all();
        let cases: Vec<Case<LANES>> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("lane_router", &uut, &cases);
    }

    #[test]
    fn lane_router_with_paired_banks_synthesizes() {
        let mut uut = LaneRouter::new(LANES, MOST_BANKS);
        uut.connect_all();
        let cases: Vec<Case<MOST_BANKS>> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("lane_router_paired", &uut, &cases);
    }
}
