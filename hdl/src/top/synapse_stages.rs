//! [`SynapseStages`]: the registers that carry a group of synapses down the learning core's
//! synapse pipeline, from the sequencer's address (stage 1) to the weight write-back.
use crate::top::learning_core::{constant, replicate, Address};
use rust_hdl::prelude::*;

/// The synapse pipeline's registers (`docs/spec.md` §6, Lanes). Stage 1 (the sequencer)
/// addresses a group of `P` synapses; this block registers what the later stages need of it:
///
/// - stage 2 (the words are read): integration (`integrate`) or learning (`learn`), the
///   group's first event row (integration starts its currents from 0), its neuron word, its
///   layer, and per lane: its synapse is in the row, its weight's bank, it is the classifier's
///   target (`label == index + k`);
/// - stage 3 (learning's rounding): its layer, and per lane its synapse is in the row; per
///   bank its lane;
/// - the write-back (`commit`): stage 4, or with a late write-back
///   ([`CoreOptions::late_write`](crate::top::CoreOptions::late_write)) stage 5; its layer
///   and each bank's word.
///
/// Everything else of a stage (the weights, drives, draws and roundings) is in the engines.
#[derive(Debug, LogicBlock)]
pub struct SynapseStages {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Stage 1: integration addresses a group.
    pub integrate: Signal<In, Bit>,
    /// Stage 1: learning addresses a group.
    pub learn: Signal<In, Bit>,
    /// Stage 1: the group is of the layer's first event row.
    pub first_row: Signal<In, Bit>,
    /// Stage 1: the neuron word of the group's first synapse (current and trace banks).
    pub neuron_word: Signal<In, Bits<16>>,
    /// Stage 1: the group is the classifier's.
    pub classifier: Signal<In, Bit>,
    /// Stage 1: else the hidden layer's number.
    pub hidden: Signal<In, Bits<2>>,
    /// Stage 1: the group's first synapse in the row.
    pub index: Signal<In, Bits<16>>,
    /// Stage 1: the classifier's label (its target neuron).
    pub label: Signal<In, Bits<16>>,
    /// Stage 1: lane `k` holds a synapse of the row (the lane router's).
    pub lane_valid: Vec<Signal<In, Bit>>,
    /// Stage 1: the bank of lane `k`'s weight.
    pub lane_bank: Vec<Signal<In, Bits<16>>>,
    /// Stage 1: the lane whose weight bank `b` holds.
    pub bank_lane: Vec<Signal<In, Bits<16>>>,
    /// Stage 1: the word bank `b` reads.
    pub bank_address: Vec<Signal<In, Address>>,
    /// Stage 2: integration.
    pub integrate_stage: Signal<Out, Bit>,
    /// Stage 2: the first event row.
    pub stage_first_row: Signal<Out, Bit>,
    /// Stage 2: the neuron word.
    pub stage_neuron_word: Signal<Out, Bits<16>>,
    /// Stage 2: the classifier's.
    pub stage_classifier: Signal<Out, Bit>,
    /// Stage 2: the hidden layer.
    pub stage_hidden: Signal<Out, Bits<2>>,
    /// Stage 2: lane `k` holds a synapse.
    pub stage_lane_valid: Vec<Signal<Out, Bit>>,
    /// Stage 2: lane `k`'s bank.
    pub stage_lane_bank: Vec<Signal<Out, Bits<16>>>,
    /// Stage 2: lane `k`'s synapse is the classifier's target.
    pub stage_target: Vec<Signal<Out, Bit>>,
    /// Stage 3: learning's rounding.
    pub round_stage: Signal<Out, Bit>,
    /// Stage 3: the classifier's.
    pub round_classifier: Signal<Out, Bit>,
    /// Stage 3: the hidden layer.
    pub round_hidden: Signal<Out, Bits<2>>,
    /// Stage 3: lane `k` holds a synapse.
    pub round_lane_valid: Vec<Signal<Out, Bit>>,
    /// Stage 3: bank `b`'s lane.
    pub round_bank_lane: Vec<Signal<Out, Bits<16>>>,
    /// The write-back: a group's next weights go to their banks.
    pub commit_stage: Signal<Out, Bit>,
    /// The write-back: the classifier's (C), else a hidden layer's (W).
    pub commit_classifier: Signal<Out, Bit>,
    /// The write-back: bank `b`'s word.
    pub commit_bank_address: Vec<Signal<Out, Address>>,

    integrate_q: DFF<Bit>,
    learn_q: DFF<Bit>,
    first_row_q: DFF<Bit>,
    neuron_word_q: DFF<Bits<16>>,
    classifier_q: DFF<Bit>,
    hidden_q: DFF<Bits<2>>,
    lane_valid_q: Vec<DFF<Bit>>,
    lane_bank_q: Vec<DFF<Bits<16>>>,
    bank_lane_q: Vec<DFF<Bits<16>>>,
    bank_address_q: Vec<DFF<Address>>,
    target_q: Vec<DFF<Bit>>,
    round_q: DFF<Bit>,
    round_classifier_q: DFF<Bit>,
    round_hidden_q: DFF<Bits<2>>,
    round_lane_valid_q: Vec<DFF<Bit>>,
    round_bank_lane_q: Vec<DFF<Bits<16>>>,
    round_bank_address_q: Vec<DFF<Address>>,
    write_q: DFF<Bit>,
    write_classifier_q: DFF<Bit>,
    write_bank_address_q: Vec<DFF<Address>>,
    late_q: DFF<Bit>,
    late_classifier_q: DFF<Bit>,
    late_bank_address_q: Vec<DFF<Address>>,
    late_write: Constant<Bit>,
    lane_id: Vec<Constant<Bits<16>>>,
    bank_id: Vec<Constant<Bits<16>>>,
}

impl SynapseStages {
    /// The stages of a pipeline of `lanes` lanes and `banks` weight banks, writing back in
    /// stage 5 with `late_write` (else in stage 4).
    pub fn new(lanes: usize, banks: usize, late_write: bool) -> Self {
        Self {
            clock: Signal::default(),
            integrate: Signal::default(),
            learn: Signal::default(),
            first_row: Signal::default(),
            neuron_word: Signal::default(),
            classifier: Signal::default(),
            hidden: Signal::default(),
            index: Signal::default(),
            label: Signal::default(),
            lane_valid: replicate(lanes, Signal::default),
            lane_bank: replicate(lanes, Signal::default),
            bank_lane: replicate(banks, Signal::default),
            bank_address: replicate(banks, Signal::default),
            integrate_stage: Signal::default(),
            stage_first_row: Signal::default(),
            stage_neuron_word: Signal::default(),
            stage_classifier: Signal::default(),
            stage_hidden: Signal::default(),
            stage_lane_valid: replicate(lanes, Signal::default),
            stage_lane_bank: replicate(lanes, Signal::default),
            stage_target: replicate(lanes, Signal::default),
            round_stage: Signal::default(),
            round_classifier: Signal::default(),
            round_hidden: Signal::default(),
            round_lane_valid: replicate(lanes, Signal::default),
            round_bank_lane: replicate(banks, Signal::default),
            commit_stage: Signal::default(),
            commit_classifier: Signal::default(),
            commit_bank_address: replicate(banks, Signal::default),
            integrate_q: DFF::default(),
            learn_q: DFF::default(),
            first_row_q: DFF::default(),
            neuron_word_q: DFF::default(),
            classifier_q: DFF::default(),
            hidden_q: DFF::default(),
            lane_valid_q: replicate(lanes, DFF::default),
            lane_bank_q: replicate(lanes, DFF::default),
            bank_lane_q: replicate(banks, DFF::default),
            bank_address_q: replicate(banks, DFF::default),
            target_q: replicate(lanes, DFF::default),
            round_q: DFF::default(),
            round_classifier_q: DFF::default(),
            round_hidden_q: DFF::default(),
            round_lane_valid_q: replicate(lanes, DFF::default),
            round_bank_lane_q: replicate(banks, DFF::default),
            round_bank_address_q: replicate(banks, DFF::default),
            write_q: DFF::default(),
            write_classifier_q: DFF::default(),
            write_bank_address_q: replicate(banks, DFF::default),
            late_q: DFF::default(),
            late_classifier_q: DFF::default(),
            late_bank_address_q: replicate(banks, DFF::default),
            late_write: Constant::new(late_write),
            lane_id: (0..lanes).map(constant).collect(),
            bank_id: (0..banks).map(constant).collect(),
        }
    }
}

impl Logic for SynapseStages {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            integrate_q,
            learn_q,
            first_row_q,
            neuron_word_q,
            classifier_q,
            hidden_q,
            round_q,
            round_classifier_q,
            round_hidden_q,
            write_q,
            write_classifier_q,
            late_q,
            late_classifier_q
        );
        for k in 0..self.lane_id.len() {
            self.lane_valid_q[k].clock.next = self.clock.val();
            self.lane_bank_q[k].clock.next = self.clock.val();
            self.target_q[k].clock.next = self.clock.val();
            self.round_lane_valid_q[k].clock.next = self.clock.val();
        }
        for b in 0..self.bank_id.len() {
            self.bank_lane_q[b].clock.next = self.clock.val();
            self.bank_address_q[b].clock.next = self.clock.val();
            self.round_bank_lane_q[b].clock.next = self.clock.val();
            self.round_bank_address_q[b].clock.next = self.clock.val();
            self.write_bank_address_q[b].clock.next = self.clock.val();
            self.late_bank_address_q[b].clock.next = self.clock.val();
        }
        // Stage 1 -> 2.
        self.integrate_q.d.next = self.integrate.val();
        self.learn_q.d.next = self.learn.val();
        self.first_row_q.d.next = self.first_row.val();
        self.neuron_word_q.d.next = self.neuron_word.val();
        self.classifier_q.d.next = self.classifier.val();
        self.hidden_q.d.next = self.hidden.val();
        for k in 0..self.lane_id.len() {
            self.lane_valid_q[k].d.next = self.lane_valid[k].val();
            self.lane_bank_q[k].d.next = self.lane_bank[k].val();
            self.target_q[k].d.next =
                self.label.val() == (self.index.val() + self.lane_id[k].val());
        }
        for b in 0..self.bank_id.len() {
            self.bank_lane_q[b].d.next = self.bank_lane[b].val();
            self.bank_address_q[b].d.next = self.bank_address[b].val();
        }
        // Stage 2 -> 3 (learning only), 3 -> 4, 4 -> 5.
        self.round_q.d.next = self.learn_q.q.val();
        self.round_classifier_q.d.next = self.classifier_q.q.val();
        self.round_hidden_q.d.next = self.hidden_q.q.val();
        self.write_q.d.next = self.round_q.q.val();
        self.write_classifier_q.d.next = self.round_classifier_q.q.val();
        self.late_q.d.next = self.write_q.q.val();
        self.late_classifier_q.d.next = self.write_classifier_q.q.val();
        for k in 0..self.lane_id.len() {
            self.round_lane_valid_q[k].d.next = self.lane_valid_q[k].q.val();
        }
        for b in 0..self.bank_id.len() {
            self.round_bank_lane_q[b].d.next = self.bank_lane_q[b].q.val();
            self.round_bank_address_q[b].d.next = self.bank_address_q[b].q.val();
            self.write_bank_address_q[b].d.next = self.round_bank_address_q[b].q.val();
            self.late_bank_address_q[b].d.next = self.write_bank_address_q[b].q.val();
        }
        // Outputs.
        self.integrate_stage.next = self.integrate_q.q.val();
        self.stage_first_row.next = self.first_row_q.q.val();
        self.stage_neuron_word.next = self.neuron_word_q.q.val();
        self.stage_classifier.next = self.classifier_q.q.val();
        self.stage_hidden.next = self.hidden_q.q.val();
        self.round_stage.next = self.round_q.q.val();
        self.round_classifier.next = self.round_classifier_q.q.val();
        self.round_hidden.next = self.round_hidden_q.q.val();
        self.commit_stage.next = self.write_q.q.val();
        self.commit_classifier.next = self.write_classifier_q.q.val();
        if self.late_write.val() {
            self.commit_stage.next = self.late_q.q.val();
            self.commit_classifier.next = self.late_classifier_q.q.val();
        }
        for k in 0..self.lane_id.len() {
            self.stage_lane_valid[k].next = self.lane_valid_q[k].q.val();
            self.stage_lane_bank[k].next = self.lane_bank_q[k].q.val();
            self.stage_target[k].next = self.target_q[k].q.val();
            self.round_lane_valid[k].next = self.round_lane_valid_q[k].q.val();
        }
        for b in 0..self.bank_id.len() {
            self.round_bank_lane[b].next = self.round_bank_lane_q[b].q.val();
            self.commit_bank_address[b].next = self.write_bank_address_q[b].q.val();
            if self.late_write.val() {
                self.commit_bank_address[b].next = self.late_bank_address_q[b].q.val();
            }
        }
    }
}
