//! [`StatusRegisters`]: the learning core's registers that the host reads and writes
//! (`READ_REG` / `WRITE_REG`) and the sequencer updates: each layer's adaptive threshold
//! offset, goodness and learning generator, the encoder's generator, `w_max` and the anneal.
use crate::top::host_interface::{LayerId, Register};
use crate::top::learning_core::replicate;
use rust_hdl::prelude::*;

/// The status registers (`docs/spec.md` §6, host interface), with their writers in order of
/// precedence (the last wins; at most one writes a register in a cycle):
///
/// - the host's `WRITE_REG` of a register id (`host_write`, `addr`, `data`);
/// - `PHASE_RESET` (`clear`): every layer's offset and goodness to 0;
/// - the encoder (`encoder_write`): its generator's next state;
/// - a layer's threshold adaptation (`adapt_write`): the processed layer's offset and goodness;
/// - learning's stage 3 (`round_write`): the generator of the layer of the group there.
///
/// It also gives each reader its layer's register: the processed layer's offset, the goodness
/// of the hidden layer whose contrastive error is latched (`error_layer`), and the generator
/// of the layer of the group in learning's stage 2.
#[derive(Debug, LogicBlock)]
pub struct StatusRegisters {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// A host register write in this cycle.
    pub host_write: Signal<In, Bit>,
    /// Its register id.
    pub addr: Signal<In, Bits<16>>,
    /// Its value.
    pub data: Signal<In, Bits<32>>,
    /// `PHASE_RESET`.
    pub clear: Signal<In, Bit>,
    /// The encoder draws.
    pub encoder_write: Signal<In, Bit>,
    /// The encoder's generator after the draw.
    pub encoder_next: Signal<In, Bits<32>>,
    /// The processed layer is the classifier, else hidden layer `hidden`.
    pub classifier: Signal<In, Bit>,
    /// The processed hidden layer.
    pub hidden: Signal<In, Bits<2>>,
    /// The processed layer's threshold adaptation stores its offset and goodness.
    pub adapt_write: Signal<In, Bit>,
    /// Its next offset.
    pub offset_next: Signal<In, Bits<16>>,
    /// Its goodness.
    pub goodness_next: Signal<In, Bits<32>>,
    /// The hidden layer whose goodness gives the contrastive error.
    pub error_layer: Signal<In, Bits<2>>,
    /// The group in learning's stage 2 is the classifier's, else hidden layer `stage_hidden`'s.
    pub stage_classifier: Signal<In, Bit>,
    /// The hidden layer of the group in learning's stage 2.
    pub stage_hidden: Signal<In, Bits<2>>,
    /// Learning's stage 3 holds a group: its layer's generator advances.
    pub round_write: Signal<In, Bit>,
    /// The group in stage 3 is the classifier's, else hidden layer `round_hidden`'s.
    pub round_classifier: Signal<In, Bit>,
    /// The hidden layer of the group in stage 3.
    pub round_hidden: Signal<In, Bits<2>>,
    /// The generator's state after the group in stage 3.
    pub round_next: Signal<In, Bits<32>>,
    /// The processed layer's adaptive threshold offset.
    pub offset: Signal<Out, Bits<16>>,
    /// The goodness of hidden layer `error_layer`.
    pub error_goodness: Signal<Out, Bits<32>>,
    /// The generator of the layer of the group in stage 2.
    pub stage_learn_state: Signal<Out, Bits<32>>,
    /// Each hidden layer's offset.
    pub hidden_offset: Vec<Signal<Out, Bits<16>>>,
    /// Each hidden layer's goodness.
    pub hidden_goodness: Vec<Signal<Out, Bits<32>>>,
    /// Each hidden layer's learning generator.
    pub learn_state: Vec<Signal<Out, Bits<32>>>,
    /// The classifier's offset.
    pub classifier_offset: Signal<Out, Bits<16>>,
    /// The classifier's goodness.
    pub classifier_goodness: Signal<Out, Bits<32>>,
    /// The classifier's generator.
    pub classifier_state: Signal<Out, Bits<32>>,
    /// The encoder's generator.
    pub encoder_state: Signal<Out, Bits<32>>,
    /// The weight bound.
    pub w_max: Signal<Out, Bits<15>>,
    /// The learning rate's anneal.
    pub anneal: Signal<Out, Bits<8>>,
    hidden_offset_q: Vec<DFF<Bits<16>>>,
    hidden_goodness_q: Vec<DFF<Bits<32>>>,
    learn_state_q: Vec<DFF<Bits<32>>>,
    classifier_offset_q: DFF<Bits<16>>,
    classifier_goodness_q: DFF<Bits<32>>,
    classifier_state_q: DFF<Bits<32>>,
    encoder_state_q: DFF<Bits<32>>,
    w_max_q: DFF<Bits<15>>,
    anneal_q: DFF<Bits<8>>,
    // Per hidden layer: its number and its registers' ids; the other registers' ids.
    hidden_id: Vec<Constant<Bits<2>>>,
    theta_id: Vec<Constant<Bits<16>>>,
    goodness_id: Vec<Constant<Bits<16>>>,
    learn_id: Vec<Constant<Bits<16>>>,
    classifier_theta_id: Constant<Bits<16>>,
    classifier_goodness_id: Constant<Bits<16>>,
    classifier_learn_id: Constant<Bits<16>>,
    encoder_id: Constant<Bits<16>>,
    w_max_id: Constant<Bits<16>>,
    anneal_id: Constant<Bits<16>>,
}

impl StatusRegisters {
    /// The registers of a core with `hidden_layers` hidden layers.
    pub fn new(hidden_layers: usize) -> Self {
        let id = |register: Register| Constant::new(u64::from(register.id()).into());
        let hidden_ids = |register: fn(LayerId) -> Register| -> Vec<Constant<Bits<16>>> {
            (0..hidden_layers)
                .map(|l| id(register(LayerId::hidden(l))))
                .collect()
        };
        Self {
            clock: Signal::default(),
            host_write: Signal::default(),
            addr: Signal::default(),
            data: Signal::default(),
            clear: Signal::default(),
            encoder_write: Signal::default(),
            encoder_next: Signal::default(),
            classifier: Signal::default(),
            hidden: Signal::default(),
            adapt_write: Signal::default(),
            offset_next: Signal::default(),
            goodness_next: Signal::default(),
            error_layer: Signal::default(),
            stage_classifier: Signal::default(),
            stage_hidden: Signal::default(),
            round_write: Signal::default(),
            round_classifier: Signal::default(),
            round_hidden: Signal::default(),
            round_next: Signal::default(),
            offset: Signal::default(),
            error_goodness: Signal::default(),
            stage_learn_state: Signal::default(),
            hidden_offset: replicate(hidden_layers, Signal::default),
            hidden_goodness: replicate(hidden_layers, Signal::default),
            learn_state: replicate(hidden_layers, Signal::default),
            classifier_offset: Signal::default(),
            classifier_goodness: Signal::default(),
            classifier_state: Signal::default(),
            encoder_state: Signal::default(),
            w_max: Signal::default(),
            anneal: Signal::default(),
            hidden_offset_q: replicate(hidden_layers, DFF::default),
            hidden_goodness_q: replicate(hidden_layers, DFF::default),
            learn_state_q: replicate(hidden_layers, DFF::default),
            classifier_offset_q: DFF::default(),
            classifier_goodness_q: DFF::default(),
            classifier_state_q: DFF::default(),
            encoder_state_q: DFF::default(),
            w_max_q: DFF::default(),
            anneal_q: DFF::default(),
            hidden_id: (0..hidden_layers as u64)
                .map(|l| Constant::new(l.into()))
                .collect(),
            theta_id: hidden_ids(Register::ThetaOffset),
            goodness_id: hidden_ids(Register::Goodness),
            learn_id: hidden_ids(Register::LearnState),
            classifier_theta_id: id(Register::ThetaOffset(LayerId::CLASSIFIER)),
            classifier_goodness_id: id(Register::Goodness(LayerId::CLASSIFIER)),
            classifier_learn_id: id(Register::LearnState(LayerId::CLASSIFIER)),
            encoder_id: id(Register::EncoderState),
            w_max_id: id(Register::WeightMax),
            anneal_id: id(Register::Anneal),
        }
    }
}

impl Logic for StatusRegisters {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            classifier_offset_q,
            classifier_goodness_q,
            classifier_state_q,
            encoder_state_q,
            w_max_q,
            anneal_q
        );
        for l in 0..self.hidden_id.len() {
            self.hidden_offset_q[l].clock.next = self.clock.val();
            self.hidden_offset_q[l].d.next = self.hidden_offset_q[l].q.val();
            self.hidden_goodness_q[l].clock.next = self.clock.val();
            self.hidden_goodness_q[l].d.next = self.hidden_goodness_q[l].q.val();
            self.learn_state_q[l].clock.next = self.clock.val();
            self.learn_state_q[l].d.next = self.learn_state_q[l].q.val();
        }
        // The host's writes.
        if self.host_write.val() {
            for l in 0..self.hidden_id.len() {
                if self.addr.val() == self.theta_id[l].val() {
                    self.hidden_offset_q[l].d.next = self.data.val().get_bits::<16>(0);
                }
                if self.addr.val() == self.goodness_id[l].val() {
                    self.hidden_goodness_q[l].d.next = self.data.val();
                }
                if self.addr.val() == self.learn_id[l].val() {
                    self.learn_state_q[l].d.next = self.data.val();
                }
            }
            if self.addr.val() == self.classifier_theta_id.val() {
                self.classifier_offset_q.d.next = self.data.val().get_bits::<16>(0);
            }
            if self.addr.val() == self.classifier_goodness_id.val() {
                self.classifier_goodness_q.d.next = self.data.val();
            }
            if self.addr.val() == self.encoder_id.val() {
                self.encoder_state_q.d.next = self.data.val();
            }
            if self.addr.val() == self.classifier_learn_id.val() {
                self.classifier_state_q.d.next = self.data.val();
            }
            if self.addr.val() == self.w_max_id.val() {
                self.w_max_q.d.next = self.data.val().get_bits::<15>(0);
            }
            if self.addr.val() == self.anneal_id.val() {
                self.anneal_q.d.next = self.data.val().get_bits::<8>(0);
            }
        }
        // PHASE_RESET.
        if self.clear.val() {
            for l in 0..self.hidden_id.len() {
                self.hidden_offset_q[l].d.next = bits::<16>(0);
                self.hidden_goodness_q[l].d.next = bits::<32>(0);
            }
            self.classifier_offset_q.d.next = bits::<16>(0);
            self.classifier_goodness_q.d.next = bits::<32>(0);
        }
        if self.encoder_write.val() {
            self.encoder_state_q.d.next = self.encoder_next.val();
        }
        // The processed layer's threshold adaptation.
        if self.adapt_write.val() {
            if self.classifier.val() {
                self.classifier_offset_q.d.next = self.offset_next.val();
                self.classifier_goodness_q.d.next = self.goodness_next.val();
            } else {
                for l in 0..self.hidden_id.len() {
                    if self.hidden.val() == self.hidden_id[l].val() {
                        self.hidden_offset_q[l].d.next = self.offset_next.val();
                        self.hidden_goodness_q[l].d.next = self.goodness_next.val();
                    }
                }
            }
        }
        // Learning's stage 3: the layer's generator after the group.
        if self.round_write.val() {
            if self.round_classifier.val() {
                self.classifier_state_q.d.next = self.round_next.val();
            } else {
                for l in 0..self.hidden_id.len() {
                    if self.round_hidden.val() == self.hidden_id[l].val() {
                        self.learn_state_q[l].d.next = self.round_next.val();
                    }
                }
            }
        }
        // Each reader's layer's register (hidden layer 0's when none matches; the comparisons
        // with layer 0 fold away and keep the inputs used with one hidden layer).
        self.offset.next = self.hidden_offset_q[0].q.val();
        self.error_goodness.next = self.hidden_goodness_q[0].q.val();
        self.stage_learn_state.next = self.learn_state_q[0].q.val();
        for l in 0..self.hidden_id.len() {
            if self.hidden.val() == self.hidden_id[l].val() {
                self.offset.next = self.hidden_offset_q[l].q.val();
            }
            if self.error_layer.val() == self.hidden_id[l].val() {
                self.error_goodness.next = self.hidden_goodness_q[l].q.val();
            }
            if self.stage_hidden.val() == self.hidden_id[l].val() {
                self.stage_learn_state.next = self.learn_state_q[l].q.val();
            }
        }
        if self.classifier.val() {
            self.offset.next = self.classifier_offset_q.q.val();
        }
        if self.stage_classifier.val() {
            self.stage_learn_state.next = self.classifier_state_q.q.val();
        }
        for l in 0..self.hidden_id.len() {
            self.hidden_offset[l].next = self.hidden_offset_q[l].q.val();
            self.hidden_goodness[l].next = self.hidden_goodness_q[l].q.val();
            self.learn_state[l].next = self.learn_state_q[l].q.val();
        }
        self.classifier_offset.next = self.classifier_offset_q.q.val();
        self.classifier_goodness.next = self.classifier_goodness_q.q.val();
        self.classifier_state.next = self.classifier_state_q.q.val();
        self.encoder_state.next = self.encoder_state_q.q.val();
        self.w_max.next = self.w_max_q.q.val();
        self.anneal.next = self.anneal_q.q.val();
    }
}
