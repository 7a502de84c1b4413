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
    // One register per layer and field: the hidden layers in order, then the classifier.
    leak_shift_of: Vec<DFF<Bits<4>>>,
    refractory_of: Vec<DFF<Bits<8>>>,
    homeostasis_decay_of: Vec<DFF<Bits<4>>>,
    trace_shift_of: Vec<DFF<Bits<3>>>,
    learn_shift_of: Vec<DFF<Bits<5>>>,
    decay_shift_of: Vec<DFF<Bits<5>>>,
    // The layers' parameter blocks (register id `>> 4`), in the same order.
    blocks: Vec<Constant<Bits<12>>>,
    hidden_id: Vec<Constant<Bits<2>>>,
    layer_id: Vec<Constant<Bits<3>>>,
    classifier_index: Constant<Bits<3>>,
    // The layers the sequencer and learning's stage 2 work on, as indices of the above.
    index: Signal<Local, Bits<3>>,
    stage_index: Signal<Local, Bits<3>>,
}

impl LayerFields {
    /// The fields of hidden layers whose parameter blocks are `blocks` (register id `>> 4`)
    /// and of the classifier, whose block is `classifier_block`.
    pub fn new(blocks: &[u16], classifier_block: u16) -> Self {
        let hidden = blocks.len();
        let layers = hidden + 1;
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
            leak_shift_of: replicate(layers, DFF::default),
            refractory_of: replicate(layers, DFF::default),
            homeostasis_decay_of: replicate(layers, DFF::default),
            trace_shift_of: replicate(layers, DFF::default),
            learn_shift_of: replicate(layers, DFF::default),
            decay_shift_of: replicate(layers, DFF::default),
            blocks: blocks
                .iter()
                .chain([&classifier_block])
                .map(|&b| Constant::new(u64::from(b).into()))
                .collect(),
            hidden_id: (0..hidden as u64)
                .map(|l| Constant::new(l.into()))
                .collect(),
            layer_id: (0..layers as u64)
                .map(|l| Constant::new(l.into()))
                .collect(),
            classifier_index: Constant::new((hidden as u64).into()),
            index: Signal::default(),
            stage_index: Signal::default(),
        }
    }
}

impl Logic for LayerFields {
    #[hdl_gen]
    fn update(&mut self) {
        // The layer indices: hidden layer `l` is `l` (the comparison with layer 0 folds away
        // and keeps the index used with one hidden layer), the classifier the last.
        self.index.next = bits::<3>(0);
        self.stage_index.next = bits::<3>(0);
        for l in 0..self.hidden_id.len() {
            if self.hidden.val() == self.hidden_id[l].val() {
                self.index.next = self.layer_id[l].val();
            }
            if self.stage_hidden.val() == self.hidden_id[l].val() {
                self.stage_index.next = self.layer_id[l].val();
            }
        }
        if self.classifier.val() {
            self.index.next = self.classifier_index.val();
        }
        if self.stage_classifier.val() {
            self.stage_index.next = self.classifier_index.val();
        }
        self.leak_shift.next = bits::<4>(0);
        self.refractory.next = bits::<8>(0);
        self.homeostasis_decay.next = bits::<4>(0);
        self.trace_shift.next = bits::<3>(0);
        self.learn_shift.next = bits::<5>(0);
        self.decay_shift.next = bits::<5>(0);
        for l in 0..self.blocks.len() {
            self.leak_shift_of[l].clock.next = self.clock.val();
            self.leak_shift_of[l].d.next = self.leak_shift_of[l].q.val();
            self.refractory_of[l].clock.next = self.clock.val();
            self.refractory_of[l].d.next = self.refractory_of[l].q.val();
            self.homeostasis_decay_of[l].clock.next = self.clock.val();
            self.homeostasis_decay_of[l].d.next = self.homeostasis_decay_of[l].q.val();
            self.trace_shift_of[l].clock.next = self.clock.val();
            self.trace_shift_of[l].d.next = self.trace_shift_of[l].q.val();
            self.learn_shift_of[l].clock.next = self.clock.val();
            self.learn_shift_of[l].d.next = self.learn_shift_of[l].q.val();
            self.decay_shift_of[l].clock.next = self.clock.val();
            self.decay_shift_of[l].d.next = self.decay_shift_of[l].q.val();
            // Host writes: bits 15..4 the layer's block, bits 3..0 the field.
            if self.write.val() && (self.addr.val().get_bits::<12>(4) == self.blocks[l].val()) {
                match self.addr.val().get_bits::<4>(0).index() {
                    0 => {
                        self.leak_shift_of[l].d.next = self.data.val().get_bits::<4>(0);
                    }
                    2 => {
                        self.refractory_of[l].d.next = self.data.val().get_bits::<8>(0);
                    }
                    8 => {
                        self.homeostasis_decay_of[l].d.next = self.data.val().get_bits::<4>(0);
                    }
                    10 => {
                        self.trace_shift_of[l].d.next = self.data.val().get_bits::<3>(0);
                    }
                    12 => {
                        self.learn_shift_of[l].d.next = self.data.val().get_bits::<5>(0);
                    }
                    13 => {
                        self.decay_shift_of[l].d.next = self.data.val().get_bits::<5>(0);
                    }
                    _ => {}
                }
            }
            // The processed layer's neuron fields, the stage-2 layer's learning fields.
            if self.index.val() == self.layer_id[l].val() {
                self.leak_shift.next = self.leak_shift_of[l].q.val();
                self.refractory.next = self.refractory_of[l].q.val();
                self.homeostasis_decay.next = self.homeostasis_decay_of[l].q.val();
                self.trace_shift.next = self.trace_shift_of[l].q.val();
            }
            if self.stage_index.val() == self.layer_id[l].val() {
                self.learn_shift.next = self.learn_shift_of[l].q.val();
                self.decay_shift.next = self.decay_shift_of[l].q.val();
            }
        }
    }
}
