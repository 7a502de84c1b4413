//! [`Sequencer`]: the learning core's state machine, its counters and the strobes it gives the
//! core's blocks through a time step.
use super::sizes::{constant, Address, Sizes};
use super::states::CoreState;
use super::{CoreOptions, ADAPT_GROUP, GOODNESS_GROUP, NEURON_GROUP};
use rust_hdl::prelude::*;

/// The masks of the counters' bits the network uses (`LearningCore::with_options` computes
/// them with the event lists' shape).
pub(super) struct CounterMasks {
    /// Of a count of neurons, pixels or synapses.
    pub(super) count: Constant<Bits<16>>,
    /// Of an event count.
    pub(super) rows: Constant<Bits<16>>,
    /// Of a row's base address: a W or a C address.
    pub(super) row_base: Constant<Address>,
}

/// The core's sequencer (`docs/spec.md` §6, Time step): the state register ([`CoreState`]),
/// the processed layer (`classifier`, else hidden layer `hidden`), the counters (`index` over
/// pixels, labels, neurons or a row's groups; `event_index` over a layer's event list), the row
/// being integrated or learnt (`event_base`), the step's command word, and the neuron in the
/// update's data stage. Its outputs are the counters read through their masks (so synthesis
/// drops the bits above) and one strobe per thing a state makes a block do; `phase_reset` and
/// `step` are the host's commands, taken only while `idle`.
#[derive(Debug, LogicBlock)]
pub struct Sequencer {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// The host's `PHASE_RESET` (only while idle), input.
    pub phase_reset: Signal<In, Bit>,
    /// The host's `STEP` (only while idle), input.
    pub step: Signal<In, Bit>,
    /// The `STEP` word's flags (bits 3..0: `csdp_learn`, `positive`, `classifier_learn`,
    /// `label_input_enable`), with `step`, input.
    pub step_flags: Signal<In, Bits<4>>,
    /// The `STEP` word's classifier label (bits 13..8), with `step`, input.
    pub step_label: Signal<In, Bits<6>>,
    /// The `STEP` word's label input (bits 21..16), with `step`, input.
    pub step_input: Signal<In, Bits<6>>,
    /// The processed layer's number of events, input.
    pub event_count: Signal<In, Bits<16>>,
    /// The row of event `event_index` (read in the state after its address), input.
    pub event_row: Signal<In, Address>,
    /// Waiting for a command, output.
    pub idle: Signal<Out, Bit>,
    /// `PHASE_RESET` clears neuron word `index`, output.
    pub clear: Signal<Out, Bit>,
    /// The processed layer is the classifier, output.
    pub classifier: Signal<Out, Bit>,
    /// Else the processed hidden layer, output.
    pub hidden: Signal<Out, Bits<2>>,
    /// There is a hidden layer after `hidden`, output.
    pub has_next: Signal<Out, Bit>,
    /// The pixel, label, neuron or first synapse of a group, output.
    pub index: Signal<Out, Bits<16>>,
    /// The event being fetched, output.
    pub event_index: Signal<Out, Bits<16>>,
    /// The row being integrated or learnt: its first weight word, output.
    pub event_base: Signal<Out, Address>,
    /// Neurons of the processed layer, output.
    pub size: Signal<Out, Bits<16>>,
    /// The neuron word of `index` in the processed layer, output.
    pub neuron_address: Signal<Out, Bits<16>>,
    /// Its word in its bank, output.
    pub neuron_word: Signal<Out, Bits<16>>,
    /// Its bank, output.
    pub neuron_lane: Signal<Out, Bits<16>>,
    /// The neuron update's data stage holds a neuron (addressed in the cycle before), output.
    pub neuron_valid: Signal<Out, Bit>,
    /// Its number in its layer, output.
    pub stage_index: Signal<Out, Bits<16>>,
    /// Its neuron word, output.
    pub stage_address: Signal<Out, Bits<16>>,
    /// The step learns the hidden layers (CSDP), output.
    pub csdp: Signal<Out, Bit>,
    /// The step's phase is positive, output.
    pub positive: Signal<Out, Bit>,
    /// The step's label input is enabled, output.
    pub label_enable: Signal<Out, Bit>,
    /// The step's classifier label, output.
    pub classifier_label: Signal<Out, Bits<16>>,
    /// The step's label input, output.
    pub label_input: Signal<Out, Bits<16>>,
    /// Encode pixel `index` (its word was addressed in the cycle before), output.
    pub encode: Signal<Out, Bit>,
    /// Label input `index`, output.
    pub label: Signal<Out, Bit>,
    /// The first event fetch of a layer after a hidden one: latch that layer's sigmoid index,
    /// output.
    pub latch_index: Signal<Out, Bit>,
    /// The processed layer's integration ends; its neuron update starts, output.
    pub layer_end: Signal<Out, Bit>,
    /// Integration addresses a group, output.
    pub integrate: Signal<Out, Bit>,
    /// Learning addresses a group, output.
    pub learn: Signal<Out, Bit>,
    /// Integration or learning reads the group's weights, output.
    pub synapse_read: Signal<Out, Bit>,
    /// The group of wide parameters to read for the next state, output.
    pub read_group: Signal<Out, Bits<2>>,
    /// The processed layer's threshold adaptation and goodness are stored, output.
    pub adapt: Signal<Out, Bit>,
    /// The next hidden layer's label input row follows its rows, output.
    pub label_append: Signal<Out, Bit>,
    /// The first event fetch of a hidden layer's learning: latch its error, output.
    pub latch_error: Signal<Out, Bit>,

    state: DFF<CoreState>,
    layer: DFF<Bit>,
    hidden_layer: DFF<Bits<2>>,
    index_q: DFF<Bits<16>>,
    event_index_q: DFF<Bits<16>>,
    event_base_q: DFF<Address>,
    step_csdp: DFF<Bit>,
    step_positive: DFF<Bit>,
    step_classifier_learn: DFF<Bit>,
    step_label_enable: DFF<Bit>,
    step_classifier_label: DFF<Bits<6>>,
    step_label_input: DFF<Bits<6>>,
    neuron_stage: DFF<Bit>,
    stage_index_q: DFF<Bits<16>>,
    stage_address_q: DFF<Bits<16>>,

    // Sizes of the network (run-time constants): inputs, label inputs, each hidden layer's
    // number, size and first neuron word, the classifier's, the neuron words.
    inputs: Constant<Bits<16>>,
    labels: Constant<Bits<16>>,
    hidden_id: Vec<Constant<Bits<2>>>,
    last_hidden: Constant<Bits<2>>,
    stacked: Constant<Bit>,
    hidden_sizes: Vec<Constant<Bits<16>>>,
    // With paired banks: a row of the layer takes a cycle more in learning (`LearnGap`).
    hidden_gap: Vec<Constant<Bit>>,
    classifier_gap: Constant<Bit>,
    hidden_neuron_base: Vec<Constant<Bits<16>>>,
    classes: Constant<Bits<16>>,
    classifier_neuron_base: Constant<Bits<16>>,
    neuron_words: Constant<Bits<16>>,
    lane_step: Constant<Bits<16>>,
    lane_shift: Constant<Bits<16>>,
    lane_mask: Constant<Bits<16>>,
    count_mask: Constant<Bits<16>>,
    rows_mask: Constant<Bits<16>>,
    row_base_mask: Constant<Address>,
    // The options that change the states' order.
    split_neuron: Constant<Bit>,
    alternate_learning: Constant<Bit>,
    late_write: Constant<Bit>,
    neuron_group: Constant<Bits<2>>,
    adapt_group: Constant<Bits<2>>,
    goodness_group: Constant<Bits<2>>,

    // Combinational temporaries.
    neuron_base: Signal<Local, Bits<16>>,
    row_gap: Signal<Local, Bit>,
    hidden_next: Signal<Local, Bits<2>>,
    index_next: Signal<Local, Bits<16>>,
    index_lanes_next: Signal<Local, Bits<16>>,
    event_next: Signal<Local, Bits<16>>,
    lanes_done: Signal<Local, Bit>,
}

impl Sequencer {
    /// The sequencer of a core of `sizes` built as `options` say, its counters read through
    /// `masks`.
    pub(super) fn new(sizes: &Sizes, options: CoreOptions, masks: CounterMasks) -> Self {
        let hidden_layers = sizes.hidden.len();
        let neuron_bases = sizes.neuron_bases();
        let lanes = sizes.lanes;
        Self {
            clock: Signal::default(),
            phase_reset: Signal::default(),
            step: Signal::default(),
            step_flags: Signal::default(),
            step_label: Signal::default(),
            step_input: Signal::default(),
            event_count: Signal::default(),
            event_row: Signal::default(),
            idle: Signal::default(),
            clear: Signal::default(),
            classifier: Signal::default(),
            hidden: Signal::default(),
            has_next: Signal::default(),
            index: Signal::default(),
            event_index: Signal::default(),
            event_base: Signal::default(),
            size: Signal::default(),
            neuron_address: Signal::default(),
            neuron_word: Signal::default(),
            neuron_lane: Signal::default(),
            neuron_valid: Signal::default(),
            stage_index: Signal::default(),
            stage_address: Signal::default(),
            csdp: Signal::default(),
            positive: Signal::default(),
            label_enable: Signal::default(),
            classifier_label: Signal::default(),
            label_input: Signal::default(),
            encode: Signal::default(),
            label: Signal::default(),
            latch_index: Signal::default(),
            layer_end: Signal::default(),
            integrate: Signal::default(),
            learn: Signal::default(),
            synapse_read: Signal::default(),
            read_group: Signal::default(),
            adapt: Signal::default(),
            label_append: Signal::default(),
            latch_error: Signal::default(),
            state: DFF::default(),
            layer: DFF::default(),
            hidden_layer: DFF::default(),
            index_q: DFF::default(),
            event_index_q: DFF::default(),
            event_base_q: DFF::default(),
            step_csdp: DFF::default(),
            step_positive: DFF::default(),
            step_classifier_learn: DFF::default(),
            step_label_enable: DFF::default(),
            step_classifier_label: DFF::default(),
            step_label_input: DFF::default(),
            neuron_stage: DFF::default(),
            stage_index_q: DFF::default(),
            stage_address_q: DFF::default(),
            inputs: constant(sizes.inputs),
            labels: constant(sizes.labels),
            hidden_id: (0..hidden_layers as u64)
                .map(|l| Constant::new(l.into()))
                .collect(),
            last_hidden: Constant::new((hidden_layers as u64 - 1).into()),
            stacked: Constant::new(hidden_layers > 1),
            hidden_sizes: sizes.hidden.iter().map(|&n| constant(n)).collect(),
            hidden_gap: sizes
                .hidden
                .iter()
                .map(|&n| Constant::new(options.datapath().learn_row_gap(n)))
                .collect(),
            classifier_gap: Constant::new(options.datapath().learn_row_gap(sizes.classes)),
            hidden_neuron_base: neuron_bases[..hidden_layers]
                .iter()
                .map(|&b| constant(b))
                .collect(),
            classes: constant(sizes.classes),
            classifier_neuron_base: constant(neuron_bases[hidden_layers]),
            neuron_words: constant(sizes.neuron_words()),
            lane_step: constant(lanes),
            lane_shift: constant(lanes.trailing_zeros() as usize),
            lane_mask: constant(lanes - 1),
            count_mask: masks.count,
            rows_mask: masks.rows,
            row_base_mask: masks.row_base,
            split_neuron: Constant::new(options.split_neuron),
            alternate_learning: Constant::new(options.alternate_learning()),
            late_write: Constant::new(options.late_write()),
            neuron_group: Constant::new(NEURON_GROUP.into()),
            adapt_group: Constant::new(ADAPT_GROUP.into()),
            goodness_group: Constant::new(GOODNESS_GROUP.into()),
            neuron_base: Signal::default(),
            row_gap: Signal::default(),
            hidden_next: Signal::default(),
            index_next: Signal::default(),
            index_lanes_next: Signal::default(),
            event_next: Signal::default(),
            lanes_done: Signal::default(),
        }
    }
}

#[cfg(test)]
impl Sequencer {
    /// A negative control's broken sequencer: no learning row takes the paired banks' extra
    /// cycle, whatever its layer's size.
    pub(super) fn without_row_gaps(&mut self) {
        for gap in &mut self.hidden_gap {
            *gap = Constant::new(false);
        }
        self.classifier_gap = Constant::new(false);
    }
}

impl Logic for Sequencer {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            layer,
            hidden_layer,
            index_q,
            event_index_q,
            event_base_q,
            step_csdp,
            step_positive,
            step_classifier_learn,
            step_label_enable,
            step_classifier_label,
            step_label_input,
            neuron_stage,
            stage_index_q,
            stage_address_q
        );
        // Counters and addresses, read through their masks.
        self.index.next = self.index_q.q.val() & self.count_mask.val();
        self.stage_index.next = self.stage_index_q.q.val() & self.count_mask.val();
        self.stage_address.next = self.stage_address_q.q.val() & self.count_mask.val();
        self.event_index.next = self.event_index_q.q.val() & self.rows_mask.val();
        self.event_base.next = self.event_base_q.q.val() & self.row_base_mask.val();
        self.idle.next = self.state.q.val() == CoreState::Idle;
        self.clear.next = self.state.q.val() == CoreState::Clear;
        self.classifier.next = self.layer.q.val();
        self.hidden.next = self.hidden_layer.q.val();
        self.neuron_valid.next = self.neuron_stage.q.val();
        self.csdp.next = self.step_csdp.q.val();
        self.positive.next = self.step_positive.q.val();
        self.label_enable.next = self.step_label_enable.q.val();
        self.label_input.next = bit_cast::<16, 6>(self.step_label_input.q.val());
        self.classifier_label.next = bit_cast::<16, 6>(self.step_classifier_label.q.val());

        // The layer being processed: hidden layer `hidden_layer`, or the classifier. While a
        // hidden layer `l` updates, its spikes are appended to the event list of layer `l + 1`
        // (`has_next`: there is one).
        self.hidden_next.next = self.hidden_layer.q.val() + 1;
        self.has_next.next = self.hidden_layer.q.val() != self.last_hidden.val();
        self.size.next = self.hidden_sizes[0].val();
        self.neuron_base.next = self.hidden_neuron_base[0].val();
        self.row_gap.next = self.hidden_gap[0].val();
        for l in 1..self.hidden_id.len() {
            if self.hidden_layer.q.val() == self.hidden_id[l].val() {
                self.size.next = self.hidden_sizes[l].val();
                self.neuron_base.next = self.hidden_neuron_base[l].val();
                self.row_gap.next = self.hidden_gap[l].val();
            }
        }
        if self.layer.q.val() {
            self.size.next = self.classes.val();
            self.neuron_base.next = self.classifier_neuron_base.val();
            self.row_gap.next = self.classifier_gap.val();
        }

        // A neuron word `a` is word `a >> s` of bank `a & mask`; in integration and learning
        // `neuron_base + index` is a whole number of lanes, so lane `k` works on bank `k`.
        self.neuron_address.next = self.neuron_base.val() + self.index.val();
        self.neuron_word.next = self.neuron_address.val() >> self.lane_shift.val();
        self.neuron_lane.next = self.neuron_address.val() & self.lane_mask.val();
        self.index_next.next = self.index.val() + 1;
        self.index_lanes_next.next = self.index.val() + self.lane_step.val();
        self.lanes_done.next = self.index_lanes_next.val() >= self.size.val();
        self.event_next.next = self.event_index.val() + 1;

        // The neuron in the data stage (addressed in the cycle before).
        self.neuron_stage.d.next = false;
        self.stage_index_q.d.next = self.index.val();
        self.stage_address_q.d.next = self.neuron_address.val();

        // The strobes, raised by the states below.
        self.encode.next = false;
        self.label.next = false;
        self.latch_index.next = false;
        self.layer_end.next = false;
        self.integrate.next = false;
        self.learn.next = false;
        self.synapse_read.next = false;
        self.read_group.next = self.neuron_group.val();
        self.adapt.next = false;
        self.label_append.next = false;
        self.latch_error.next = false;

        match self.state.q.val() {
            CoreState::Idle => {
                if self.phase_reset.val() {
                    self.state.d.next = CoreState::Clear;
                    self.layer.d.next = false;
                    self.hidden_layer.d.next = bits::<2>(0);
                    self.index_q.d.next = bits::<16>(0);
                }
                if self.step.val() {
                    self.state.d.next = CoreState::EncodeAddress;
                    self.step_csdp.d.next = self.step_flags.val().get_bit(0);
                    self.step_positive.d.next = self.step_flags.val().get_bit(1);
                    self.step_classifier_learn.d.next = self.step_flags.val().get_bit(2);
                    self.step_label_enable.d.next = self.step_flags.val().get_bit(3);
                    self.step_classifier_label.d.next = self.step_label.val();
                    self.step_label_input.d.next = self.step_input.val();
                    self.layer.d.next = false;
                    self.hidden_layer.d.next = bits::<2>(0);
                    self.index_q.d.next = bits::<16>(0);
                }
            }
            CoreState::Clear => {
                self.index_q.d.next = self.index_next.val();
                if self.index_next.val() == self.neuron_words.val() {
                    self.state.d.next = CoreState::Idle;
                }
            }
            CoreState::EncodeAddress => {
                self.state.d.next = CoreState::EncodeData;
            }
            CoreState::EncodeData => {
                self.encode.next = true;
                self.index_q.d.next = self.index_next.val();
                self.state.d.next = CoreState::EncodeAddress;
                if self.index_next.val() == self.inputs.val() {
                    self.index_q.d.next = bits::<16>(0);
                    self.event_index_q.d.next = bits::<16>(0);
                    if self.labels.val().any() {
                        self.state.d.next = CoreState::Label;
                    } else {
                        self.state.d.next = CoreState::EventAddress;
                    }
                }
            }
            CoreState::Label => {
                self.label.next = true;
                self.index_q.d.next = self.index_next.val();
                if self.index_next.val() == self.labels.val() {
                    self.state.d.next = CoreState::EventAddress;
                }
            }
            CoreState::EventAddress => {
                // The first event fetch of a layer after a hidden one: that layer's goodness
                // is final and its goodness threshold read (in its Adapt).
                self.latch_index.next = (self.layer.q.val() || self.hidden_layer.q.val().any())
                    && !self.event_index.val().any();
                self.state.d.next = CoreState::EventData;
                if self.event_index.val() == self.event_count.val() {
                    self.state.d.next = CoreState::Neuron;
                    self.index_q.d.next = bits::<16>(0);
                    self.layer_end.next = true;
                }
            }
            CoreState::EventData => {
                self.event_base_q.d.next = self.event_row.val();
                self.index_q.d.next = bits::<16>(0);
                self.state.d.next = CoreState::Integrate;
            }
            CoreState::Integrate => {
                // Address this group; the previous one is summed in the second stage.
                self.synapse_read.next = true;
                self.integrate.next = true;
                self.index_q.d.next = self.index_lanes_next.val();
                if self.lanes_done.val() {
                    self.event_index_q.d.next = self.event_next.val();
                    self.state.d.next = CoreState::EventAddress;
                }
            }
            CoreState::Neuron => {
                self.neuron_stage.d.next = true;
                self.index_q.d.next = self.index_next.val();
                if self.index_next.val() == self.size.val() {
                    self.state.d.next = CoreState::NeuronDrain;
                }
            }
            CoreState::NeuronDrain => {
                // Adapt follows (its parameters are read now), or with `split_neuron` the last
                // neuron's data stages.
                self.read_group.next = self.adapt_group.val();
                self.state.d.next = CoreState::Adapt;
                if self.split_neuron.val() {
                    self.read_group.next = self.neuron_group.val();
                    self.state.d.next = CoreState::NeuronDrainFirst;
                }
            }
            CoreState::NeuronDrainFirst => {
                self.read_group.next = self.neuron_group.val();
                self.state.d.next = CoreState::NeuronDrainLast;
            }
            CoreState::NeuronDrainLast => {
                self.read_group.next = self.adapt_group.val();
                self.state.d.next = CoreState::AdaptProduct;
            }
            CoreState::AdaptProduct => {
                // With `split_neuron`: the threshold's change is registered.
                self.read_group.next = self.adapt_group.val();
                self.state.d.next = CoreState::Adapt;
            }
            CoreState::Adapt => {
                // A hidden layer's goodness threshold, for its sigmoid index in the next state
                // (the next layer's first event fetch).
                self.read_group.next = self.goodness_group.val();
                self.event_index_q.d.next = bits::<16>(0);
                self.adapt.next = true;
                if self.layer.q.val() {
                    self.state.d.next = CoreState::Idle;
                    if self.step_csdp.q.val() {
                        self.layer.d.next = false;
                        self.state.d.next = CoreState::Error;
                    } else if self.step_classifier_learn.q.val() {
                        self.state.d.next = CoreState::LearnEventAddress;
                    }
                } else {
                    self.state.d.next = CoreState::EventAddress;
                    if self.stacked.val() && self.has_next.val() {
                        // The next hidden layer; its label input's row follows its rows of
                        // this layer's neurons.
                        self.hidden_layer.d.next = self.hidden_next.val();
                        self.label_append.next = true;
                    } else {
                        self.layer.d.next = true;
                        if self.stacked.val() {
                            self.hidden_layer.d.next = bits::<2>(0);
                        }
                    }
                }
            }
            CoreState::Error => {
                // Hidden layer `hidden_layer`'s sigmoid word is read (latched as its error in
                // its first event fetch).
                self.state.d.next = CoreState::LearnEventAddress;
            }
            CoreState::LearnEventAddress => {
                // A hidden layer's error, from its sigmoid word.
                self.latch_error.next = !self.layer.q.val() && !self.event_index.val().any();
                self.state.d.next = CoreState::LearnEventData;
                if self.event_index.val() == self.event_count.val() {
                    self.index_q.d.next = bits::<16>(0);
                    self.state.d.next = CoreState::Drain;
                    if !self.layer.q.val() {
                        if self.stacked.val() && self.has_next.val() {
                            self.hidden_layer.d.next = self.hidden_next.val();
                            self.event_index_q.d.next = bits::<16>(0);
                            self.state.d.next = CoreState::Error;
                        } else if self.step_classifier_learn.q.val() {
                            self.layer.d.next = true;
                            self.event_index_q.d.next = bits::<16>(0);
                            self.state.d.next = CoreState::LearnEventAddress;
                        }
                    }
                }
            }
            CoreState::LearnEventData => {
                self.event_base_q.d.next = self.event_row.val();
                self.index_q.d.next = bits::<16>(0);
                self.state.d.next = CoreState::LearnAddress;
            }
            CoreState::LearnAddress => {
                // Address this group's weights and traces; stages 2-4 follow in the next
                // cycles. Single-port weights are read in every other cycle (LearnData does
                // not), so that stage 4 writes them in a cycle without a read, unless they
                // are in paired banks: then stage 4 writes the other banks, and a row of a
                // layer whose size is not a multiple of twice the lanes ends with a cycle
                // without a read (LearnGap), for its last group's write-back.
                self.synapse_read.next = true;
                self.learn.next = true;
                if self.alternate_learning.val() {
                    self.state.d.next = CoreState::LearnData;
                } else {
                    self.index_q.d.next = self.index_lanes_next.val();
                    if self.lanes_done.val() {
                        self.event_index_q.d.next = self.event_next.val();
                        self.state.d.next = CoreState::LearnEventAddress;
                        if self.row_gap.val() {
                            self.state.d.next = CoreState::LearnGap;
                        }
                    }
                }
            }
            CoreState::Drain => {
                // Two cycles for the last group's stages 3 and 4, and one for its stage 5 with
                // a late write-back.
                self.index_q.d.next = self.index_next.val();
                if self.index.val().any() {
                    self.state.d.next = CoreState::Idle;
                    if self.late_write.val() {
                        self.state.d.next = CoreState::DrainLate;
                    }
                }
            }
            CoreState::DrainLate => {
                self.state.d.next = CoreState::Idle;
            }
            CoreState::LearnGap => {
                self.state.d.next = CoreState::LearnEventAddress;
            }
            CoreState::LearnData => {
                self.index_q.d.next = self.index_lanes_next.val();
                self.state.d.next = CoreState::LearnAddress;
                if self.lanes_done.val() {
                    self.event_index_q.d.next = self.event_next.val();
                    self.state.d.next = CoreState::LearnEventAddress;
                }
            }
            // An unused encoding of the state (an upset): back to idle. Rust never reaches
            // this arm; the Verilog's `default` does.
            #[allow(unreachable_patterns)]
            _ => {
                self.state.d.next = CoreState::Idle;
            }
        }
    }
}
