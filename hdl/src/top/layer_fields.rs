//! [`LayerFields`]: the narrow per-layer parameters of the learning core (shifts and
//! periods, in registers), written by the host and read by layer index.
use crate::top::learning_core::replicate;
use rust_hdl::prelude::*;

/// The narrow fields of every layer's parameter block (`docs/spec.md` §6): the leak shift,
/// refractory period, homeostatic decay shift, trace shift, learning shift and decay shift of
/// each hidden layer and of the classifier, one register each (the wide fields are in the
/// core's parameter RAMs).
///
/// A host register write (`write`, in the command cycle of a `WRITE_REG`) of id `addr` whose
/// bits 15..4 name a layer's parameter block (`blocks`, then `classifier_block`) and bits 3..0
/// one of these fields sets it from the low bits of `data`. The neuron fields are given for the
/// layer the sequencer processes (`classifier`, else hidden layer `hidden`), the learning
/// fields for the layer of the group in learning's stage 2 (`stage_classifier`,
/// `stage_hidden`).
#[derive(Debug, LogicBlock)]
pub struct LayerFields {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// A host register write in this cycle.
    pub write: Signal<In, Bit>,
    /// Its register id.
    pub addr: Signal<In, Bits<16>>,
    /// The low byte of its value (every field is narrower).
    pub data: Signal<In, Bits<8>>,
    /// The sequencer processes the classifier, else hidden layer `hidden`.
    pub classifier: Signal<In, Bit>,
    /// The hidden layer the sequencer processes.
    pub hidden: Signal<In, Bits<2>>,
    /// The group in learning's stage 2 is the classifier's, else hidden layer `stage_hidden`'s.
    pub stage_classifier: Signal<In, Bit>,
    /// The hidden layer of the group in learning's stage 2.
    pub stage_hidden: Signal<In, Bits<2>>,
    /// The processed layer's leak shift.
    pub leak_shift: Signal<Out, Bits<4>>,
    /// The processed layer's refractory period.
    pub refractory: Signal<Out, Bits<8>>,
    /// The processed layer's homeostatic decay shift.
    pub homeostasis_decay: Signal<Out, Bits<4>>,
    /// The processed layer's trace shift.
    pub trace_shift: Signal<Out, Bits<3>>,
    /// The stage-2 group's layer's learning shift (before the anneal).
    pub learn_shift: Signal<Out, Bits<5>>,
    /// The stage-2 group's layer's decay shift.
    pub decay_shift: Signal<Out, Bits<5>>,
    h_leak_shift: Vec<DFF<Bits<4>>>,
    h_refractory: Vec<DFF<Bits<8>>>,
    h_homeostasis_decay: Vec<DFF<Bits<4>>>,
    h_trace_shift: Vec<DFF<Bits<3>>>,
    h_learn_shift: Vec<DFF<Bits<5>>>,
    h_decay_shift: Vec<DFF<Bits<5>>>,
    c_leak_shift: DFF<Bits<4>>,
    c_refractory: DFF<Bits<8>>,
    c_homeostasis_decay: DFF<Bits<4>>,
    c_trace_shift: DFF<Bits<3>>,
    c_learn_shift: DFF<Bits<5>>,
    c_decay_shift: DFF<Bits<5>>,
    hidden_id: Vec<Constant<Bits<2>>>,
    blocks: Vec<Constant<Bits<12>>>,
    classifier_block: Constant<Bits<12>>,
}

impl LayerFields {
    /// The fields of hidden layers whose parameter blocks are `blocks` (register id `>> 4`)
    /// and of the classifier, whose block is `classifier_block`.
    pub fn new(blocks: &[u16], classifier_block: u16) -> Self {
        let layers = blocks.len();
        Self {
            clock: Signal::default(),
            write: Signal::default(),
            addr: Signal::default(),
            data: Signal::default(),
            classifier: Signal::default(),
            hidden: Signal::default(),
            stage_classifier: Signal::default(),
            stage_hidden: Signal::default(),
            leak_shift: Signal::default(),
            refractory: Signal::default(),
            homeostasis_decay: Signal::default(),
            trace_shift: Signal::default(),
            learn_shift: Signal::default(),
            decay_shift: Signal::default(),
            h_leak_shift: replicate(layers, DFF::default),
            h_refractory: replicate(layers, DFF::default),
            h_homeostasis_decay: replicate(layers, DFF::default),
            h_trace_shift: replicate(layers, DFF::default),
            h_learn_shift: replicate(layers, DFF::default),
            h_decay_shift: replicate(layers, DFF::default),
            c_leak_shift: DFF::default(),
            c_refractory: DFF::default(),
            c_homeostasis_decay: DFF::default(),
            c_trace_shift: DFF::default(),
            c_learn_shift: DFF::default(),
            c_decay_shift: DFF::default(),
            hidden_id: (0..layers as u64)
                .map(|l| Constant::new(l.into()))
                .collect(),
            blocks: blocks
                .iter()
                .map(|&b| Constant::new(u64::from(b).into()))
                .collect(),
            classifier_block: Constant::new(u64::from(classifier_block).into()),
        }
    }
}

impl Logic for LayerFields {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            c_leak_shift,
            c_refractory,
            c_homeostasis_decay,
            c_trace_shift,
            c_learn_shift,
            c_decay_shift
        );
        for l in 0..self.hidden_id.len() {
            self.h_leak_shift[l].clock.next = self.clock.val();
            self.h_leak_shift[l].d.next = self.h_leak_shift[l].q.val();
            self.h_refractory[l].clock.next = self.clock.val();
            self.h_refractory[l].d.next = self.h_refractory[l].q.val();
            self.h_homeostasis_decay[l].clock.next = self.clock.val();
            self.h_homeostasis_decay[l].d.next = self.h_homeostasis_decay[l].q.val();
            self.h_trace_shift[l].clock.next = self.clock.val();
            self.h_trace_shift[l].d.next = self.h_trace_shift[l].q.val();
            self.h_learn_shift[l].clock.next = self.clock.val();
            self.h_learn_shift[l].d.next = self.h_learn_shift[l].q.val();
            self.h_decay_shift[l].clock.next = self.clock.val();
            self.h_decay_shift[l].d.next = self.h_decay_shift[l].q.val();
        }
        // Host writes: bits 15..4 the layer's block, bits 3..0 the field.
        if self.write.val() {
            for l in 0..self.hidden_id.len() {
                if self.addr.val().get_bits::<12>(4) == self.blocks[l].val() {
                    match self.addr.val().get_bits::<4>(0).index() {
                        0 => {
                            self.h_leak_shift[l].d.next = self.data.val().get_bits::<4>(0);
                        }
                        2 => {
                            self.h_refractory[l].d.next = self.data.val().get_bits::<8>(0);
                        }
                        8 => {
                            self.h_homeostasis_decay[l].d.next = self.data.val().get_bits::<4>(0);
                        }
                        10 => {
                            self.h_trace_shift[l].d.next = self.data.val().get_bits::<3>(0);
                        }
                        12 => {
                            self.h_learn_shift[l].d.next = self.data.val().get_bits::<5>(0);
                        }
                        13 => {
                            self.h_decay_shift[l].d.next = self.data.val().get_bits::<5>(0);
                        }
                        _ => {}
                    }
                }
            }
            if self.addr.val().get_bits::<12>(4) == self.classifier_block.val() {
                match self.addr.val().get_bits::<4>(0).index() {
                    0 => {
                        self.c_leak_shift.d.next = self.data.val().get_bits::<4>(0);
                    }
                    2 => {
                        self.c_refractory.d.next = self.data.val().get_bits::<8>(0);
                    }
                    8 => {
                        self.c_homeostasis_decay.d.next = self.data.val().get_bits::<4>(0);
                    }
                    10 => {
                        self.c_trace_shift.d.next = self.data.val().get_bits::<3>(0);
                    }
                    12 => {
                        self.c_learn_shift.d.next = self.data.val().get_bits::<5>(0);
                    }
                    13 => {
                        self.c_decay_shift.d.next = self.data.val().get_bits::<5>(0);
                    }
                    _ => {}
                }
            }
        }
        // The processed layer's neuron fields (hidden layer 0's unless another is selected;
        // the comparison with layer 0 folds away, and keeps the index used with one layer).
        self.leak_shift.next = self.h_leak_shift[0].q.val();
        self.refractory.next = self.h_refractory[0].q.val();
        self.homeostasis_decay.next = self.h_homeostasis_decay[0].q.val();
        self.trace_shift.next = self.h_trace_shift[0].q.val();
        for l in 0..self.hidden_id.len() {
            if self.hidden.val() == self.hidden_id[l].val() {
                self.leak_shift.next = self.h_leak_shift[l].q.val();
                self.refractory.next = self.h_refractory[l].q.val();
                self.homeostasis_decay.next = self.h_homeostasis_decay[l].q.val();
                self.trace_shift.next = self.h_trace_shift[l].q.val();
            }
        }
        if self.classifier.val() {
            self.leak_shift.next = self.c_leak_shift.q.val();
            self.refractory.next = self.c_refractory.q.val();
            self.homeostasis_decay.next = self.c_homeostasis_decay.q.val();
            self.trace_shift.next = self.c_trace_shift.q.val();
        }
        // The learning fields of the stage-2 group's layer.
        self.learn_shift.next = self.h_learn_shift[0].q.val();
        self.decay_shift.next = self.h_decay_shift[0].q.val();
        for l in 0..self.hidden_id.len() {
            if self.stage_hidden.val() == self.hidden_id[l].val() {
                self.learn_shift.next = self.h_learn_shift[l].q.val();
                self.decay_shift.next = self.h_decay_shift[l].q.val();
            }
        }
        if self.stage_classifier.val() {
            self.learn_shift.next = self.c_learn_shift.q.val();
            self.decay_shift.next = self.c_decay_shift.q.val();
        }
    }
}
