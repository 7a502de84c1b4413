//! [`ErrorStage`]: the contrastive error of each hidden layer of the learning core, from its
//! goodness after the forward pass, for its CSDP learning.
use crate::learning::ContrastiveError;
use crate::memory::Ram;
use crate::top::learning_core::replicate;
use rust_hdl::prelude::*;
use spikeforge_sim::rules::SIGMOID_ROM;

/// The contrastive error (`docs/spec.md` §4, CSDP) of hidden layer `l`, in two steps:
///
/// - `latch_index`: at the first event fetch of the layer after `l` (`error_layer`, a cycle
///   after `l`'s threshold adaptation read its goodness threshold), `l`'s sigmoid index from
///   its goodness (`goodness`, given for `error_layer`) and that threshold, kept in a
///   register of `l`'s;
/// - `latch_error`: at the first event fetch of `l`'s learning, its error from the sigmoid
///   word read at its index (`SIGMOID_ROM` in block RAM, addressed for the processed hidden
///   layer `hidden` in every cycle), held in `error` through the layer's learning.
#[derive(Debug, LogicBlock)]
pub struct ErrorStage {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// The processed layer is the classifier, else hidden layer `hidden`.
    pub classifier: Signal<In, Bit>,
    /// The processed hidden layer.
    pub hidden: Signal<In, Bits<2>>,
    /// The goodness of hidden layer `error_layer`.
    pub goodness: Signal<In, Bits<32>>,
    /// The goodness threshold read for the layer whose adaptation was the cycle before.
    pub threshold: Signal<In, Bits<32>>,
    /// The phase is positive.
    pub positive: Signal<In, Bit>,
    /// Latch `error_layer`'s sigmoid index.
    pub latch_index: Signal<In, Bit>,
    /// Latch the processed hidden layer's error.
    pub latch_error: Signal<In, Bit>,
    /// The hidden layer before the processed one (the last hidden layer for the classifier).
    pub error_layer: Signal<Out, Bits<2>>,
    /// The latched error.
    pub error: Signal<Out, Bits<10>>,
    contrastive: ContrastiveError,
    sigmoid: Ram<Bits<8>, 8>,
    sigmoid_index: Vec<DFF<Bits<8>>>,
    error_q: DFF<Bits<10>>,
    hidden_id: Vec<Constant<Bits<2>>>,
    last_hidden: Constant<Bits<2>>,
}

impl ErrorStage {
    /// The stage of a core with `hidden_layers` hidden layers.
    pub fn new(hidden_layers: usize) -> Self {
        Self {
            clock: Signal::default(),
            classifier: Signal::default(),
            hidden: Signal::default(),
            goodness: Signal::default(),
            threshold: Signal::default(),
            positive: Signal::default(),
            latch_index: Signal::default(),
            latch_error: Signal::default(),
            error_layer: Signal::default(),
            error: Signal::default(),
            contrastive: ContrastiveError::new(),
            sigmoid: Ram::with_contents(
                SIGMOID_ROM
                    .iter()
                    .map(|&p| Bits::<8>::from(u64::from(p)))
                    .collect(),
            ),
            sigmoid_index: replicate(hidden_layers, DFF::default),
            error_q: DFF::default(),
            hidden_id: (0..hidden_layers as u64)
                .map(|l| Constant::new(l.into()))
                .collect(),
            last_hidden: Constant::new((hidden_layers as u64 - 1).into()),
        }
    }

    /// Words of the sigmoid ROM.
    pub fn sigmoid_words(&self) -> usize {
        self.sigmoid.depth()
    }
}

impl Logic for ErrorStage {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, error_q);
        clock!(self, clock, sigmoid);
        self.error_layer.next = self.hidden.val() - 1;
        if self.classifier.val() {
            self.error_layer.next = self.last_hidden.val();
        }
        self.contrastive.goodness.next = self.goodness.val();
        self.contrastive.threshold.next = self.threshold.val();
        self.contrastive.positive.next = self.positive.val();
        self.contrastive.sigmoid.next = self.sigmoid.read_data.val();
        self.sigmoid.read_address.next = self.sigmoid_index[0].q.val();
        for l in 0..self.hidden_id.len() {
            self.sigmoid_index[l].clock.next = self.clock.val();
            self.sigmoid_index[l].d.next = self.sigmoid_index[l].q.val();
            if self.latch_index.val() && (self.error_layer.val() == self.hidden_id[l].val()) {
                self.sigmoid_index[l].d.next = self.contrastive.index.val();
            }
            if self.hidden.val() == self.hidden_id[l].val() {
                self.sigmoid.read_address.next = self.sigmoid_index[l].q.val();
            }
        }
        self.sigmoid.read_enable.next = true;
        self.sigmoid.write_address.next = bits::<8>(0);
        self.sigmoid.write_data.next = bits::<8>(0);
        self.sigmoid.write_enable.next = false;
        if self.latch_error.val() {
            self.error_q.d.next = unsigned_cast(self.contrastive.error.val());
        }
        self.error.next = self.error_q.q.val();
    }
}
