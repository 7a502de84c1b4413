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
