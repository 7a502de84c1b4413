//! [`LayerRegisters`]: the per-layer parameters of the learning core, written by the host and
//! read by layer index: the narrow ones (shifts and periods) in registers, the wide ones in the
//! parameter RAMs.
use crate::memory::Ram;
use crate::top::host_interface::{layer_parameter_writes, parameter_id, LayerField, LayerId};
use crate::top::learning_core::{
    parameter_stride, replicate, PARAMETER_GROUPS, PARAMETER_LAYOUT, PARAMETER_SLOTS,
};
use rust_hdl::prelude::*;
use spikeforge_sim::config::NetworkConfig;

/// Every layer's parameter block (`docs/spec.md` §6).
///
/// - The narrow fields: the leak shift, refractory period, homeostatic decay shift, trace
///   shift, learning shift and decay shift of each hidden layer and of the classifier, one
///   register each. The neuron fields are given for the layer the sequencer processes
///   (`classifier`, else hidden layer `hidden`), the learning fields for the layer of the
///   group in learning's stage 2 (`stage_classifier`, `stage_hidden`).
/// - The wide fields, in [`PARAMETER_SLOTS`] RAMs laid out by [`PARAMETER_LAYOUT`]: group `g`
///   of layer `i` (hidden layer `l` is `i = l`, the classifier `i = hidden layers`) is word
///   `g * stride | i` of every slot, `stride` the layers rounded up to a power of two. Each
///   cycle every slot reads the word of group `read_group` of the processed layer: its fields
///   are on the outputs a cycle later (`threshold` ... `goodness_threshold`, those of the group
///   read).
///
/// A host register write (`write`, in the command cycle of a `WRITE_REG`) of id `addr` whose
/// bits 15..4 name a layer's parameter block (`blocks`, then `classifier_block`) and bits 3..0
/// one of its fields sets it from the low bits of `data` (the goodness threshold's high half
/// from bits 31..16).
#[derive(Debug, LogicBlock)]
pub struct LayerRegisters {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// A host register write in this cycle.
    pub write: Signal<In, Bit>,
    /// Its register id.
    pub addr: Signal<In, Bits<16>>,
    /// Its value.
    pub data: Signal<In, Bits<32>>,
    /// The sequencer processes the classifier, else hidden layer `hidden`.
    pub classifier: Signal<In, Bit>,
    /// The hidden layer the sequencer processes.
    pub hidden: Signal<In, Bits<2>>,
    /// The group in learning's stage 2 is the classifier's, else hidden layer `stage_hidden`'s.
    pub stage_classifier: Signal<In, Bit>,
    /// The hidden layer of the group in learning's stage 2.
    pub stage_hidden: Signal<In, Bits<2>>,
    /// The group of wide fields the slots read for the next cycle (the third column of
    /// [`PARAMETER_LAYOUT`]): the neuron update's, the threshold adaptation's or the
    /// contrastive error's.
    pub read_group: Signal<In, Bits<2>>,
    /// Neuron group: the processed layer's threshold.
    pub threshold: Signal<Out, Bits<16>>,
    /// Neuron group: its homeostatic step.
    pub homeostasis_step: Signal<Out, Bits<16>>,
    /// Neuron group: its homeostatic bound.
    pub homeostasis_max: Signal<Out, Bits<16>>,
    /// Adaptation group: its adaptive threshold's step.
    pub adapt_step: Signal<Out, Bits<16>>,
    /// Adaptation group: its target spike count.
    pub adapt_target: Signal<Out, Bits<16>>,
    /// Adaptation group: its least offset.
    pub adapt_min: Signal<Out, Bits<16>>,
    /// Adaptation group: its greatest offset.
    pub adapt_max: Signal<Out, Bits<16>>,
    /// Goodness group: a hidden layer's goodness threshold.
    pub goodness_threshold: Signal<Out, Bits<32>>,
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
    // The wide fields: one RAM per slot; the word each reads and the word the host writes
    // (`group << stride_shift | layer`).
    parameters: Vec<Ram<Bits<16>, 5>>,
    read_word: Signal<Local, Bits<5>>,
    host_group: Signal<Local, Bits<2>>,
    host_layer: Signal<Local, Bits<3>>,
    host_word: Signal<Local, Bits<5>>,
    stride_shift: Constant<Bits<5>>,
    slot_id: Vec<Constant<Bits<3>>>,
    layout_field: Vec<Constant<Bits<4>>>,
    layout_slot: Vec<Constant<Bits<3>>>,
    layout_group: Vec<Constant<Bits<2>>>,
    layout_high: Vec<Constant<Bit>>,
    // The layers' parameter blocks (register id `>> 4`), in the same order.
    blocks: Vec<Constant<Bits<12>>>,
    hidden_id: Vec<Constant<Bits<2>>>,
    layer_id: Vec<Constant<Bits<3>>>,
    classifier_index: Constant<Bits<3>>,
    // The layers the sequencer and learning's stage 2 work on, as indices of the above.
    index: Signal<Local, Bits<3>>,
    stage_index: Signal<Local, Bits<3>>,
    // Fixed parameters: every output is the constant of its layer, the wide fields that of the
    // layer indexed a cycle before (as the RAMs read); the registers and RAMs above are then
    // left unread and synthesis removes them. Without, the constants are 0 and unread.
    fixed: Constant<Bit>,
    wide_index: DFF<Bits<3>>,
    fixed_threshold: Vec<Constant<Bits<16>>>,
    fixed_homeostasis_step: Vec<Constant<Bits<16>>>,
    fixed_homeostasis_max: Vec<Constant<Bits<16>>>,
    fixed_adapt_step: Vec<Constant<Bits<16>>>,
    fixed_adapt_target: Vec<Constant<Bits<16>>>,
    fixed_adapt_min: Vec<Constant<Bits<16>>>,
    fixed_adapt_max: Vec<Constant<Bits<16>>>,
    fixed_goodness_threshold: Vec<Constant<Bits<32>>>,
    fixed_leak_shift: Vec<Constant<Bits<4>>>,
    fixed_refractory: Vec<Constant<Bits<8>>>,
    fixed_homeostasis_decay: Vec<Constant<Bits<4>>>,
    fixed_trace_shift: Vec<Constant<Bits<3>>>,
    fixed_learn_shift: Vec<Constant<Bits<5>>>,
    fixed_decay_shift: Vec<Constant<Bits<5>>>,
}

/// The value of every parameter of every layer (the hidden layers in order, then the
/// classifier), as a host writes them (`layer_parameter_writes`; 0 for the fields it does not
/// write): the constants of a core whose parameters are fixed.
fn fixed_values(cfg: &NetworkConfig, layers: usize) -> Vec<[u64; LayerField::ALL.len()]> {
    let writes = layer_parameter_writes(cfg);
    LayerId::all(layers - 1)
        .map(|layer| {
            LayerField::ALL.map(|field| {
                let id = parameter_id(layer, field);
                writes
                    .iter()
                    .find(|&&(w, _)| w == id)
                    .map_or(0, |&(_, value)| u64::from(value))
            })
        })
        .collect()
}

/// The constants of `field` for every layer (0 for all unless `values`), in `N` bits.
fn constants<const N: usize>(
    values: Option<&[[u64; LayerField::ALL.len()]]>,
    layers: usize,
    field: LayerField,
) -> Vec<Constant<Bits<N>>> {
    let mask = if N >= 64 { u64::MAX } else { (1 << N) - 1 };
    (0..layers)
        .map(|i| {
            let value = values.map_or(0, |v| v[i][field as usize]);
            Constant::new((value & mask).into())
        })
        .collect()
}

impl LayerRegisters {
    /// The parameters of hidden layers whose parameter blocks are `blocks` (register id
    /// `>> 4`) and of the classifier, whose block is `classifier_block`: in registers the host
    /// writes, or fixed at the values of `fixed` (its layers' parameters as a host writes
    /// them), which ignores host writes.
    pub fn new(blocks: &[u16], classifier_block: u16, fixed: Option<&NetworkConfig>) -> Self {
        let hidden = blocks.len();
        let layers = hidden + 1;
        let stride = parameter_stride(hidden);
        let values = fixed.map(|cfg| fixed_values(cfg, layers));
        let values = values.as_deref();
        Self {
            fixed: Constant::new(fixed.is_some()),
            wide_index: DFF::default(),
            fixed_threshold: constants(values, layers, LayerField::Threshold),
            fixed_homeostasis_step: constants(values, layers, LayerField::HomeostasisStep),
            fixed_homeostasis_max: constants(values, layers, LayerField::HomeostasisMax),
            fixed_adapt_step: constants(values, layers, LayerField::AdaptStep),
            fixed_adapt_target: constants(values, layers, LayerField::AdaptTarget),
            fixed_adapt_min: constants(values, layers, LayerField::AdaptMin),
            fixed_adapt_max: constants(values, layers, LayerField::AdaptMax),
            fixed_goodness_threshold: constants(values, layers, LayerField::GoodnessThreshold),
            fixed_leak_shift: constants(values, layers, LayerField::LeakShift),
            fixed_refractory: constants(values, layers, LayerField::Refractory),
            fixed_homeostasis_decay: constants(values, layers, LayerField::HomeostasisDecayShift),
            fixed_trace_shift: constants(values, layers, LayerField::TraceShift),
            fixed_learn_shift: constants(values, layers, LayerField::LearnShift),
            fixed_decay_shift: constants(values, layers, LayerField::DecayShift),
            clock: Signal::default(),
            write: Signal::default(),
            addr: Signal::default(),
            data: Signal::default(),
            classifier: Signal::default(),
            hidden: Signal::default(),
            stage_classifier: Signal::default(),
            stage_hidden: Signal::default(),
            read_group: Signal::default(),
            threshold: Signal::default(),
            homeostasis_step: Signal::default(),
            homeostasis_max: Signal::default(),
            adapt_step: Signal::default(),
            adapt_target: Signal::default(),
            adapt_min: Signal::default(),
            adapt_max: Signal::default(),
            goodness_threshold: Signal::default(),
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
            parameters: (0..PARAMETER_SLOTS)
                .map(|_| Ram::new(PARAMETER_GROUPS * stride))
                .collect(),
            read_word: Signal::default(),
            host_group: Signal::default(),
            host_layer: Signal::default(),
            host_word: Signal::default(),
            stride_shift: Constant::new(u64::from(stride.trailing_zeros()).into()),
            slot_id: (0..PARAMETER_SLOTS as u64)
                .map(|s| Constant::new(s.into()))
                .collect(),
            layout_field: PARAMETER_LAYOUT
                .iter()
                .map(|&(field, ..)| Constant::new((field as u64).into()))
                .collect(),
            layout_slot: PARAMETER_LAYOUT
                .iter()
                .map(|&(_, slot, ..)| Constant::new((slot as u64).into()))
                .collect(),
            layout_group: PARAMETER_LAYOUT
                .iter()
                .map(|&(_, _, group, _)| Constant::new(group.into()))
                .collect(),
            layout_high: PARAMETER_LAYOUT
                .iter()
                .map(|&(.., high)| Constant::new(high))
                .collect(),
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

    /// The parameter RAMs: their number and the words of each (none when the parameters are
    /// fixed: synthesis removes the unread RAMs).
    pub fn parameter_memories(&self) -> (usize, usize) {
        if self.fixed() {
            return (0, 0);
        }
        (
            self.parameters.len(),
            self.parameters.first().map_or(0, Ram::depth),
        )
    }

    /// Whether the parameters are fixed at the network's values.
    pub fn fixed(&self) -> bool {
        self.fixed.val()
    }
}

impl Logic for LayerRegisters {
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
        // The wide fields: every slot reads the group's word of the processed layer.
        self.read_word.next = (bit_cast::<5, 2>(self.read_group.val()) << self.stride_shift.val())
            | bit_cast::<5, 3>(self.index.val());
        self.host_group.next = bits::<2>(0);
        self.host_layer.next = bits::<3>(0);
        for s in 0..self.parameters.len() {
            self.parameters[s].clock.next = self.clock.val();
            self.parameters[s].read_enable.next = true;
            self.parameters[s].read_address.next = self.read_word.val();
            self.parameters[s].write_data.next = self.data.val().get_bits::<16>(0);
            self.parameters[s].write_enable.next = false;
        }
        for l in 0..self.blocks.len() {
            if self.addr.val().get_bits::<12>(4) == self.blocks[l].val() {
                self.host_layer.next = self.layer_id[l].val();
                // The slot of each wide field of the block, at its group's word.
                for s in 0..self.parameters.len() {
                    for e in 0..self.layout_field.len() {
                        if (self.layout_slot[e].val() == self.slot_id[s].val())
                            && (self.addr.val().get_bits::<4>(0) == self.layout_field[e].val())
                        {
                            self.parameters[s].write_enable.next = self.write.val();
                            self.host_group.next = self.layout_group[e].val();
                            if self.layout_high[e].val() {
                                self.parameters[s].write_data.next =
                                    self.data.val().get_bits::<16>(16);
                            }
                        }
                    }
                }
            }
        }
        self.host_word.next = (bit_cast::<5, 2>(self.host_group.val()) << self.stride_shift.val())
            | bit_cast::<5, 3>(self.host_layer.val());
        for s in 0..self.parameters.len() {
            self.parameters[s].write_address.next = self.host_word.val();
        }
        self.threshold.next = self.parameters[0].read_data.val();
        self.homeostasis_step.next = self.parameters[1].read_data.val();
        self.homeostasis_max.next = self.parameters[2].read_data.val();
        self.adapt_step.next = self.parameters[0].read_data.val();
        self.adapt_target.next = self.parameters[1].read_data.val();
        self.adapt_min.next = self.parameters[2].read_data.val();
        self.adapt_max.next = self.parameters[3].read_data.val();
        self.goodness_threshold.next = (bit_cast::<32, 16>(self.parameters[1].read_data.val())
            << 16)
            | bit_cast::<32, 16>(self.parameters[0].read_data.val());
        // The narrow fields.
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
        // Fixed parameters: the constants, the wide fields a cycle after their layer's index.
        self.wide_index.clock.next = self.clock.val();
        self.wide_index.d.next = self.index.val();
        if self.fixed.val() {
            // Hidden layer 0's unless another layer's index matches, so that no output depends
            // on the registers or RAMs whatever the index's unused codes.
            self.threshold.next = self.fixed_threshold[0].val();
            self.homeostasis_step.next = self.fixed_homeostasis_step[0].val();
            self.homeostasis_max.next = self.fixed_homeostasis_max[0].val();
            self.adapt_step.next = self.fixed_adapt_step[0].val();
            self.adapt_target.next = self.fixed_adapt_target[0].val();
            self.adapt_min.next = self.fixed_adapt_min[0].val();
            self.adapt_max.next = self.fixed_adapt_max[0].val();
            self.goodness_threshold.next = self.fixed_goodness_threshold[0].val();
            self.leak_shift.next = self.fixed_leak_shift[0].val();
            self.refractory.next = self.fixed_refractory[0].val();
            self.homeostasis_decay.next = self.fixed_homeostasis_decay[0].val();
            self.trace_shift.next = self.fixed_trace_shift[0].val();
            self.learn_shift.next = self.fixed_learn_shift[0].val();
            self.decay_shift.next = self.fixed_decay_shift[0].val();
            for l in 0..self.layer_id.len() {
                if self.wide_index.q.val() == self.layer_id[l].val() {
                    self.threshold.next = self.fixed_threshold[l].val();
                    self.homeostasis_step.next = self.fixed_homeostasis_step[l].val();
                    self.homeostasis_max.next = self.fixed_homeostasis_max[l].val();
                    self.adapt_step.next = self.fixed_adapt_step[l].val();
                    self.adapt_target.next = self.fixed_adapt_target[l].val();
                    self.adapt_min.next = self.fixed_adapt_min[l].val();
                    self.adapt_max.next = self.fixed_adapt_max[l].val();
                    self.goodness_threshold.next = self.fixed_goodness_threshold[l].val();
                }
                if self.index.val() == self.layer_id[l].val() {
                    self.leak_shift.next = self.fixed_leak_shift[l].val();
                    self.refractory.next = self.fixed_refractory[l].val();
                    self.homeostasis_decay.next = self.fixed_homeostasis_decay[l].val();
                    self.trace_shift.next = self.fixed_trace_shift[l].val();
                }
                if self.stage_index.val() == self.layer_id[l].val() {
                    self.learn_shift.next = self.fixed_learn_shift[l].val();
                    self.decay_shift.next = self.fixed_decay_shift[l].val();
                }
            }
        }
    }
}
