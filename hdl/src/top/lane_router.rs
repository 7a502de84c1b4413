//! [`LaneRouter`]: the bank rotation of the learning core's synapse pipeline: which weight
//! bank each lane of a group of synapses uses, and the crossbar from the banks to the lanes.
use crate::top::learning_core::{constant, replicate};
use rust_hdl::prelude::*;

/// The lanes of a group of synapses and the weight banks they use (`docs/spec.md` §6,
/// Lanes). With `P` lanes (`s = log2 P`), word `a` of W or C is word `a >> s` of bank
/// `a & (P-1)`. Lane `k` takes synapse `index + k` of the row, word `row + index + k`, which is
/// in bank `lane_bank[k]`; bank `b` holds the word of lane `bank_lane[b]` at
/// `bank_address[b]`. Lanes past the row's end (`size` synapses) do nothing.
///
/// Combinational: stage 1 (the sequencer addresses the group) gives each bank's address and
/// each lane's bank; the core registers the lanes' banks and the banks' lanes along the
/// pipeline, and in stage 2 the router gives each lane the weight of its bank (`weight_bank`,
/// the lane's `lane_bank` of stage 1).
#[derive(Debug, LogicBlock)]
pub struct LaneRouter {
    /// Stage 1: the W or C word of the row's first synapse.
    pub row: Signal<In, Bits<16>>,
    /// Stage 1: the group's first synapse in the row (a multiple of the lanes).
    pub index: Signal<In, Bits<16>>,
    /// Stage 1: the row's synapses.
    pub size: Signal<In, Bits<16>>,
    /// Stage 1: the bank of lane `k`'s weight.
    pub lane_bank: Vec<Signal<Out, Bits<16>>>,
    /// Stage 1: lane `k` holds a synapse of the row.
    pub lane_valid: Vec<Signal<Out, Bit>>,
    /// Stage 1: the lane whose weight bank `b` holds.
    pub bank_lane: Vec<Signal<Out, Bits<16>>>,
    /// Stage 1: the word bank `b` reads, its lane's.
    pub bank_address: Vec<Signal<Out, Bits<16>>>,
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
    // The group's first word and the synapses left in its row.
    address: Signal<Local, Bits<16>>,
    remaining: Signal<Local, Bits<16>>,
    lane_id: Vec<Constant<Bits<16>>>,
    lane_shift: Constant<Bits<16>>,
    lane_mask: Constant<Bits<16>>,
}

impl LaneRouter {
    /// The router of `lanes` lanes and banks, a power of two.
    pub fn new(lanes: usize) -> Self {
        assert!(
            lanes.is_power_of_two(),
            "LaneRouter: lanes = {lanes} is not a power of two"
        );
        Self {
            row: Signal::default(),
            index: Signal::default(),
            size: Signal::default(),
            lane_bank: replicate(lanes, Signal::default),
            lane_valid: replicate(lanes, Signal::default),
            bank_lane: replicate(lanes, Signal::default),
            bank_address: replicate(lanes, Signal::default),
            weight_bank: replicate(lanes, Signal::default),
            classifier: Signal::default(),
            hidden_weight: replicate(lanes, Signal::default),
            classifier_weight: replicate(lanes, Signal::default),
            weight: replicate(lanes, Signal::default),
            address: Signal::default(),
            remaining: Signal::default(),
            lane_id: (0..lanes).map(constant).collect(),
            lane_shift: constant(lanes.trailing_zeros() as usize),
            lane_mask: constant(lanes - 1),
        }
    }
}

impl Logic for LaneRouter {
    #[hdl_gen]
    fn update(&mut self) {
        // Stage 1: lane `k` takes word `address + k`; bank `b` the word of its lane.
        self.address.next = self.row.val() + self.index.val();
        self.remaining.next = self.size.val() - self.index.val();
        for k in 0..self.lane_id.len() {
            self.lane_bank[k].next =
                (self.address.val() + self.lane_id[k].val()) & self.lane_mask.val();
            self.lane_valid[k].next = self.lane_id[k].val() < self.remaining.val();
        }
        // A group starts inside its row.
        self.lane_valid[0].next = true;
        for b in 0..self.lane_id.len() {
            self.bank_lane[b].next =
                (self.lane_id[b].val() - self.address.val()) & self.lane_mask.val();
            self.bank_address[b].next =
                (self.address.val() + self.bank_lane[b].val()) >> self.lane_shift.val();
        }
        // Stage 2: each lane's weight from its bank.
        for k in 0..self.lane_id.len() {
            self.weight[k].next = bits::<16>(0);
            for b in 0..self.lane_id.len() {
                if self.weight_bank[k].val() == self.lane_id[b].val() {
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
        assert_matches_golden, draw_cases, from_bit, from_bits, to_bits, Draw, GoldenCase, VECTORS,
    };

    const SEED: u32 = 0x1A7E_0004;
    /// The lanes of the router under test.
    const LANES: usize = 4;

    /// The Verilog names of lane (or bank) 0 to 3 of a `Vec` port: `name$k`.
    macro_rules! lane_ports {
        ($name:literal) => {
            [
                concat!($name, "$0"),
                concat!($name, "$1"),
                concat!($name, "$2"),
                concat!($name, "$3"),
            ]
        };
    }
    const WEIGHT_BANK: [&str; LANES] = lane_ports!("weight_bank");
    const HIDDEN_WEIGHT: [&str; LANES] = lane_ports!("hidden_weight");
    const CLASSIFIER_WEIGHT: [&str; LANES] = lane_ports!("classifier_weight");
    const LANE_BANK: [&str; LANES] = lane_ports!("lane_bank");
    const LANE_VALID: [&str; LANES] = lane_ports!("lane_valid");
    const BANK_LANE: [&str; LANES] = lane_ports!("bank_lane");
    const BANK_ADDRESS: [&str; LANES] = lane_ports!("bank_address");
    const WEIGHT: [&str; LANES] = lane_ports!("weight");

    /// A group of a row (stage 1) and, independent of it, the banks' words and each lane's
    /// registered bank (stage 2).
    #[derive(Debug)]
    struct Case {
        row: u16,
        index: u16,
        size: u16,
        weight_bank: [u16; LANES],
        classifier: bool,
        hidden_weight: [u16; LANES],
        classifier_weight: [u16; LANES],
    }

    fn narrow(x: i64) -> u16 {
        u16::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl GoldenCase for Case {
        type Widget = LaneRouter;

        fn draw(draw: &mut Draw) -> Self {
            // A group starts inside its row: `index` is a multiple of the lanes below `size`.
            let size = narrow(draw.int(1, 1024));
            let index = narrow(draw.int(0, i64::from(size - 1))) / LANES as u16 * LANES as u16;
            let mut words = || narrow(draw.int(0, 0xFFFF));
            Self {
                row: words(),
                index,
                size,
                weight_bank: [0; LANES].map(|_| words() % LANES as u16),
                classifier: words() % 2 == 1,
                hidden_weight: [0; LANES].map(|_| words()),
                classifier_weight: [0; LANES].map(|_| words()),
            }
        }

        fn drive(&self, uut: &mut LaneRouter) {
            uut.row.next = to_bits(self.row.into());
            uut.index.next = to_bits(self.index.into());
            uut.size.next = to_bits(self.size.into());
            uut.classifier.next = self.classifier;
            for k in 0..LANES {
                uut.weight_bank[k].next = to_bits(self.weight_bank[k].into());
                uut.hidden_weight[k].next = to_bits(self.hidden_weight[k].into());
                uut.classifier_weight[k].next = to_bits(self.classifier_weight[k].into());
            }
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            let mut ports = vec![
                ("row", 16, self.row.into()),
                ("index", 16, self.index.into()),
                ("size", 16, self.size.into()),
                ("classifier", 1, self.classifier.into()),
            ];
            for k in 0..LANES {
                ports.push((WEIGHT_BANK[k], 16, self.weight_bank[k].into()));
                ports.push((HIDDEN_WEIGHT[k], 16, self.hidden_weight[k].into()));
                ports.push((CLASSIFIER_WEIGHT[k], 16, self.classifier_weight[k].into()));
            }
            ports
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            // The banked layout: word `a` is word `a / P` of bank `a % P`. Lane `k` takes word
            // `row + index + k` (16-bit addresses) if synapse `index + k` is in the row.
            let lanes = LANES as u16;
            let mut lane_bank = [0u16; LANES];
            let mut bank_lane = [0u16; LANES];
            let mut bank_address = [0u16; LANES];
            for (k, bank) in (0..lanes).zip(&mut lane_bank) {
                let word = self.row.wrapping_add(self.index).wrapping_add(k);
                *bank = word % lanes;
                bank_lane[usize::from(*bank)] = k;
                bank_address[usize::from(*bank)] = word / lanes;
            }
            let banks = if self.classifier {
                self.classifier_weight
            } else {
                self.hidden_weight
            };
            let mut golden = Vec::new();
            for k in 0..LANES {
                let valid = usize::from(self.index) + k < usize::from(self.size);
                golden.push((LANE_BANK[k], lane_bank[k].into()));
                golden.push((LANE_VALID[k], valid.into()));
                golden.push((BANK_LANE[k], bank_lane[k].into()));
                golden.push((BANK_ADDRESS[k], bank_address[k].into()));
                golden.push((WEIGHT[k], banks[usize::from(self.weight_bank[k])].into()));
            }
            golden
        }

        fn read(uut: &LaneRouter) -> Vec<(&'static str, i64)> {
            let mut read = Vec::new();
            for k in 0..LANES {
                read.push((LANE_BANK[k], from_bits(uut.lane_bank[k].val())));
                read.push((LANE_VALID[k], from_bit(uut.lane_valid[k].val())));
                read.push((BANK_LANE[k], from_bits(uut.bank_lane[k].val())));
                read.push((BANK_ADDRESS[k], from_bits(uut.bank_address[k].val())));
                read.push((WEIGHT[k], from_bits(uut.weight[k].val())));
            }
            read
        }
    }

    #[test]
    fn lane_router_matches_the_banked_layout() {
        let mut uut = LaneRouter::new(LANES);
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("LaneRouter", &mut uut, &cases);
    }

    #[test]
    fn lane_router_synthesizes() {
        let mut uut = LaneRouter::new(LANES);
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("lane_router", &uut, &cases);
    }
}
