//! [`ReadBack`]: the learning core's answers to host reads.
use crate::hw::SignExtend;
use crate::top::learning_core::{constant, replicate};
use rust_hdl::prelude::*;

/// The response to a host read (`docs/spec.md` §6). The core latches a read request in its
/// command cycle (`pending`, with its `op`, register or memory `address` and weight or trace
/// `lane`) and addresses the memories; a cycle later their words are here, and the engine
/// registers the addressed one, widened to 32 bits (signed values sign-extended), as the
/// response of the next cycle (`rsp_valid`, `rsp_data`), which holds it until the next read's
/// answer.
#[derive(Debug, LogicBlock)]
pub struct ReadBack {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// A read was requested in the cycle before.
    pub pending: Signal<In, Bit>,
    /// Its operation code (a hidden layer's weight reads all read `weight`).
    pub op: Signal<In, Bits<5>>,
    /// Its register id, or state address (bits 14..12 the state memory).
    pub address: Signal<In, Bits<16>>,
    /// The bank of the weight or trace it reads.
    pub lane: Signal<In, Bits<16>>,
    /// The pixel memory's word.
    pub pixel: Signal<In, Bits<8>>,
    /// Each bank's hidden weight.
    pub weight: Vec<Signal<In, Bits<16>>>,
    /// Each bank's classifier weight.
    pub classifier_weight: Vec<Signal<In, Bits<16>>>,
    /// Each bank's trace.
    pub trace: Vec<Signal<In, Bits<8>>>,
    /// The membrane potential.
    pub membrane: Signal<In, Bits<16>>,
    /// The refractory counter.
    pub refractory: Signal<In, Bits<8>>,
    /// The homeostatic term.
    pub homeostasis: Signal<In, Bits<16>>,
    /// The spike count.
    pub count: Signal<In, Bits<16>>,
    /// Each hidden layer's adaptive threshold offset.
    pub hidden_offset: Vec<Signal<In, Bits<16>>>,
    /// Each hidden layer's goodness.
    pub hidden_goodness: Vec<Signal<In, Bits<32>>>,
    /// Each hidden layer's learning generator.
    pub learn_state: Vec<Signal<In, Bits<32>>>,
    /// The classifier's adaptive threshold offset.
    pub classifier_offset: Signal<In, Bits<16>>,
    /// The classifier's goodness.
    pub classifier_goodness: Signal<In, Bits<32>>,
    /// The classifier's learning generator.
    pub classifier_state: Signal<In, Bits<32>>,
    /// The encoder's generator.
    pub encoder_state: Signal<In, Bits<32>>,
    /// The prediction.
    pub prediction: Signal<In, Bits<16>>,
    /// The response is valid.
    pub rsp_valid: Signal<Out, Bit>,
    /// The response.
    pub rsp_data: Signal<Out, Bits<32>>,
    valid: DFF<Bit>,
    data: DFF<Bits<32>>,
    read_weight: Signal<Local, Bits<16>>,
    read_classifier_weight: Signal<Local, Bits<16>>,
    read_trace: Signal<Local, Bits<8>>,
    half: Signal<Local, Bits<16>>,
    wide: SignExtend<16, 32>,
    lane_id: Vec<Constant<Bits<16>>>,
    bank_id: Vec<Constant<Bits<16>>>,
    theta_id: Vec<Constant<Bits<16>>>,
    goodness_id: Vec<Constant<Bits<16>>>,
    learn_id: Vec<Constant<Bits<16>>>,
}

impl ReadBack {
    /// The read-back of a core with `lanes` banks of traces, `banks` of each weight memory,
    /// and hidden layers whose offset, goodness and generator registers have the ids
    /// `theta_id`, `goodness_id` and `learn_id`.
    pub fn new(
        lanes: usize,
        banks: usize,
        theta_id: &[u16],
        goodness_id: &[u16],
        learn_id: &[u16],
    ) -> Self {
        let layers = theta_id.len();
        let ids = |ids: &[u16]| ids.iter().map(|&id| constant(id.into())).collect();
        Self {
            clock: Signal::default(),
            pending: Signal::default(),
            op: Signal::default(),
            address: Signal::default(),
            lane: Signal::default(),
            pixel: Signal::default(),
            weight: replicate(banks, Signal::default),
            classifier_weight: replicate(banks, Signal::default),
            trace: replicate(lanes, Signal::default),
            membrane: Signal::default(),
            refractory: Signal::default(),
            homeostasis: Signal::default(),
            count: Signal::default(),
            hidden_offset: replicate(layers, Signal::default),
            hidden_goodness: replicate(layers, Signal::default),
            learn_state: replicate(layers, Signal::default),
            classifier_offset: Signal::default(),
            classifier_goodness: Signal::default(),
            classifier_state: Signal::default(),
            encoder_state: Signal::default(),
            prediction: Signal::default(),
            rsp_valid: Signal::default(),
            rsp_data: Signal::default(),
            valid: DFF::default(),
            data: DFF::default(),
            read_weight: Signal::default(),
            read_classifier_weight: Signal::default(),
            read_trace: Signal::default(),
            half: Signal::default(),
            wide: SignExtend::new(),
            lane_id: (0..lanes).map(constant).collect(),
            bank_id: (0..banks).map(constant).collect(),
            theta_id: ids(theta_id),
            goodness_id: ids(goodness_id),
            learn_id: ids(learn_id),
        }
    }
}

impl Logic for ReadBack {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, valid, data);
        self.valid.d.next = self.pending.val();
        // The addressed bank's words.
        self.read_weight.next = bits::<16>(0);
        self.read_classifier_weight.next = bits::<16>(0);
        self.read_trace.next = bits::<8>(0);
        for b in 0..self.bank_id.len() {
            if self.lane.val() == self.bank_id[b].val() {
                self.read_weight.next = self.weight[b].val();
                self.read_classifier_weight.next = self.classifier_weight[b].val();
            }
        }
        for b in 0..self.lane_id.len() {
            if self.lane.val() == self.lane_id[b].val() {
                self.read_trace.next = self.trace[b].val();
            }
        }
        // The signed 16-bit values, sign-extended.
        self.half.next = self.read_weight.val();
        match self.op.val().index() {
            6 => {
                self.half.next = self.read_classifier_weight.val();
            }
            8 => {
                self.half.next = self.membrane.val();
            }
            10 => {
                self.half.next = self.classifier_offset.val();
                for l in 0..self.theta_id.len() {
                    if self.address.val() == self.theta_id[l].val() {
                        self.half.next = self.hidden_offset[l].val();
                    }
                }
            }
            _ => {}
        }
        self.wide.value.next = signed_cast(self.half.val());
        if self.pending.val() {
            self.data.d.next = bits::<32>(0);
            match self.op.val().index() {
                2 => {
                    self.data.d.next = bit_cast::<32, 8>(self.pixel.val());
                }
                4 => {
                    self.data.d.next = unsigned_cast(self.wide.result.val());
                }
                6 => {
                    self.data.d.next = unsigned_cast(self.wide.result.val());
                }
                8 => match self.address.val().get_bits::<3>(12).index() {
                    0 => {
                        self.data.d.next = unsigned_cast(self.wide.result.val());
                    }
                    1 => {
                        self.data.d.next = bit_cast::<32, 8>(self.refractory.val());
                    }
                    2 => {
                        self.data.d.next = bit_cast::<32, 8>(self.read_trace.val());
                    }
                    3 => {
                        self.data.d.next = bit_cast::<32, 16>(self.homeostasis.val());
                    }
                    4 => {
                        self.data.d.next = bit_cast::<32, 16>(self.count.val());
                    }
                    _ => {}
                },
                10 => {
                    match self.address.val().index() {
                        2 => {
                            self.data.d.next = unsigned_cast(self.wide.result.val());
                        }
                        3 => {
                            self.data.d.next = self.classifier_goodness.val();
                        }
                        4 => {
                            self.data.d.next = self.encoder_state.val();
                        }
                        6 => {
                            self.data.d.next = self.classifier_state.val();
                        }
                        _ => {}
                    }
                    for l in 0..self.theta_id.len() {
                        if self.address.val() == self.theta_id[l].val() {
                            self.data.d.next = unsigned_cast(self.wide.result.val());
                        }
                        if self.address.val() == self.goodness_id[l].val() {
                            self.data.d.next = self.hidden_goodness[l].val();
                        }
                        if self.address.val() == self.learn_id[l].val() {
                            self.data.d.next = self.learn_state[l].val();
                        }
                    }
                }
                13 => {
                    self.data.d.next = bit_cast::<32, 16>(self.prediction.val());
                }
                _ => {}
            }
        }
        self.rsp_valid.next = self.valid.q.val();
        self.rsp_data.next = self.data.q.val();
    }
}
