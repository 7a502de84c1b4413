//! [`EventLists`]: the rows each layer of the learning core integrates and learns in a time
//! step: the spiking pixels, label input and neurons of the layer before it, as the weight
//! words their rows start at.
use crate::memory::Ram;
use crate::top::learning_core::{address_constant, constant, mask_bits, replicate, Address};
use rust_hdl::prelude::*;
use spikeforge_sim::core_interface::ADDRESS_BITS;

/// The event lists (`docs/spec.md` §6, Memories): `hidden_events` holds each hidden layer's
/// list in turn, `classifier_events` the classifier's. A list entry is the first W word of
/// the row (`B_l + row * N_l`), or the first C word (`row * K`). The block keeps each list's
/// count and the running row bases, and appends as the sequencer says:
///
/// - `start` (`STEP`): every list empty, the row bases at 0; `phase_reset`: every list empty;
/// - `pixel` (one per pixel, in order): a spiking pixel (`pixel_spike`) to hidden layer 0's list
///   and, if the classifier sees the input, to the classifier's;
/// - `label` (one per label input `index`, in order): the step's label input (`label_enable`,
///   `label_input`) to hidden layer 0's list; each later layer's label row offset grows while
///   `index` is below it;
/// - `layer_end` (the processed layer's events are done): the row bases of the next layer's
///   neurons;
/// - `label_append` (a hidden layer's threshold adaptation, when a hidden layer follows): the
///   label row of that next layer, if the label input spiked;
/// - `neuron` (a hidden neuron's write-back): its row to the classifier's list and, if a
///   hidden layer follows, to that layer's list, if it fired (`neuron_spike`).
///
/// It reads the processed layer's entry `event_index` (`row`, a cycle later).
#[derive(Debug, LogicBlock)]
pub struct EventLists {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// `STEP`.
    pub start: Signal<In, Bit>,
    /// `PHASE_RESET`.
    pub phase_reset: Signal<In, Bit>,
    /// The processed layer is the classifier, else hidden layer `hidden`.
    pub classifier: Signal<In, Bit>,
    /// The processed hidden layer.
    pub hidden: Signal<In, Bits<2>>,
    /// A hidden layer follows the processed one.
    pub has_next: Signal<In, Bit>,
    /// The entry of the processed layer's list to read.
    pub event_index: Signal<In, Bits<16>>,
    /// The encoder's pixel.
    pub pixel: Signal<In, Bit>,
    /// A label input.
    pub label: Signal<In, Bit>,
    /// The step has a label input, ...
    pub label_enable: Signal<In, Bit>,
    /// ... this one.
    pub label_input: Signal<In, Bits<16>>,
    /// The label input the sequencer is at.
    pub index: Signal<In, Bits<16>>,
    /// The processed layer's events are done.
    pub layer_end: Signal<In, Bit>,
    /// The processed hidden layer's threshold adaptation.
    pub label_append: Signal<In, Bit>,
    /// A neuron of the processed hidden layer is written back.
    pub neuron: Signal<In, Bit>,
    /// The pixel spikes.
    pub pixel_spike: Signal<In, Bit>,
    /// The neuron fires.
    pub neuron_spike: Signal<In, Bit>,
    /// The processed layer's list's length.
    pub event_count: Signal<Out, Bits<16>>,
    /// The entry read (addressed by `event_index` in the cycle before), of the list of the
    /// processed layer.
    pub row: Signal<Out, Address>,
    hidden_events: Ram<Address, 16>,
    classifier_events: Ram<Address, 16>,
    hidden_count: Vec<DFF<Bits<16>>>,
    classifier_count: DFF<Bits<16>>,
    // The W word of the next row appended to a hidden layer's list, and the C word of the next
    // row appended to the classifier's.
    row_base: DFF<Address>,
    class_base: DFF<Address>,
    // The label input spiked; each later layer's label row offset (`label * N_l`).
    label_seen: DFF<Bit>,
    label_row: Vec<DFF<Address>>,
    // The registers through their masks (synthesis drops the bits above).
    hidden_count_q: Vec<Signal<Local, Bits<16>>>,
    classifier_count_q: Signal<Local, Bits<16>>,
    row_base_q: Signal<Local, Address>,
    class_base_q: Signal<Local, Address>,
    label_row_q: Vec<Signal<Local, Address>>,
    // The processed layer's list and the next hidden layer's.
    hidden_next: Signal<Local, Bits<2>>,
    list_base: Signal<Local, Bits<16>>,
    next_list_base: Signal<Local, Bits<16>>,
    next_list_count: Signal<Local, Bits<16>>,
    // Per hidden layer: its number, size, first list word, the size and first weight word of
    // the layer after it.
    hidden_id: Vec<Constant<Bits<2>>>,
    hidden_size: Vec<Constant<Address>>,
    list_start: Vec<Constant<Bits<16>>>,
    next_size: Vec<Constant<Address>>,
    next_weight_base: Vec<Constant<Address>>,
    classes: Constant<Address>,
    hidden_class_base: Constant<Address>,
    sees_input: Constant<Bit>,
    stacked: Constant<Bit>,
    rows_mask: Constant<Bits<16>>,
    w_mask: Constant<Address>,
    c_mask: Constant<Address>,
}

/// The sizes an [`EventLists`] is built for.
#[derive(Debug, Clone)]
pub struct ListShape {
    /// Neurons of each hidden layer.
    pub hidden: Vec<usize>,
    /// The first word of each hidden layer's list, then the lists' words.
    pub list_bases: Vec<usize>,
    /// The first W word of each hidden layer's weights, then W's words.
    pub weight_bases: Vec<usize>,
    /// Classes `K`.
    pub classes: usize,
    /// The classifier's rows `R_c`.
    pub classifier_rows: usize,
    /// The classifier's first row of hidden neurons (`N_in` if it sees the input, else 0).
    pub classifier_input_rows: usize,
    /// The classifier sees the input.
    pub sees_input: bool,
    /// Masks of the bits of an event count, a W address and a C address (a list entry keeps
    /// only the bits of its address's mask).
    pub rows_mask: Constant<Bits<16>>,
    /// See `rows_mask`.
    pub w_mask: Constant<Address>,
    /// See `rows_mask`.
    pub c_mask: Constant<Address>,
}

impl EventLists {
    /// The lists of a core of `shape`.
    pub fn new(shape: &ListShape) -> Self {
        let layers = shape.hidden.len();
        let per_layer = |make: &dyn Fn(usize) -> usize| -> Vec<Constant<Address>> {
            (0..layers).map(|l| address_constant(make(l))).collect()
        };
        Self {
            clock: Signal::default(),
            start: Signal::default(),
            phase_reset: Signal::default(),
            classifier: Signal::default(),
            hidden: Signal::default(),
            has_next: Signal::default(),
            event_index: Signal::default(),
            pixel: Signal::default(),
            label: Signal::default(),
            label_enable: Signal::default(),
            label_input: Signal::default(),
            index: Signal::default(),
            layer_end: Signal::default(),
            label_append: Signal::default(),
            neuron: Signal::default(),
            pixel_spike: Signal::default(),
            neuron_spike: Signal::default(),
            event_count: Signal::default(),
            row: Signal::default(),
            hidden_events: Ram::new(shape.list_bases[layers])
                .with_unsigned_storage(mask_bits(&shape.w_mask)),
            classifier_events: Ram::new(shape.classifier_rows)
                .with_unsigned_storage(mask_bits(&shape.c_mask)),
            hidden_count: replicate(layers, DFF::default),
            classifier_count: DFF::default(),
            row_base: DFF::default(),
            class_base: DFF::default(),
            label_seen: DFF::default(),
            label_row: replicate(layers - 1, DFF::default),
            hidden_count_q: replicate(layers, Signal::default),
            classifier_count_q: Signal::default(),
            row_base_q: Signal::default(),
            class_base_q: Signal::default(),
            label_row_q: replicate(layers - 1, Signal::default),
            hidden_next: Signal::default(),
            list_base: Signal::default(),
            next_list_base: Signal::default(),
            next_list_count: Signal::default(),
            hidden_id: (0..layers as u64)
                .map(|l| Constant::new(l.into()))
                .collect(),
            hidden_size: per_layer(&|l| shape.hidden[l]),
            list_start: (0..layers).map(|l| constant(shape.list_bases[l])).collect(),
            next_size: per_layer(&|l| shape.hidden.get(l + 1).copied().unwrap_or(0)),
            next_weight_base: per_layer(&|l| shape.weight_bases[l + 1]),
            classes: address_constant(shape.classes),
            hidden_class_base: address_constant(shape.classifier_input_rows * shape.classes),
            sees_input: Constant::new(shape.sees_input),
            stacked: Constant::new(layers > 1),
            rows_mask: shape.rows_mask,
            w_mask: shape.w_mask,
            c_mask: shape.c_mask,
        }
    }

    /// Words of the hidden layers' lists and of the classifier's.
    pub fn words(&self) -> (usize, usize) {
        (self.hidden_events.depth(), self.classifier_events.depth())
    }

    /// Bits stored per entry of the hidden layers' lists and of the classifier's.
    pub fn entry_bits(&self) -> (usize, usize) {
        (
            self.hidden_events.stored_bits(),
            self.classifier_events.stored_bits(),
        )
    }
}

impl Logic for EventLists {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            classifier_count,
            row_base,
            class_base,
            label_seen
        );
        clock!(self, clock, hidden_events, classifier_events);
        for l in 0..self.hidden_id.len() {
            self.hidden_count[l].clock.next = self.clock.val();
            self.hidden_count[l].d.next = self.hidden_count[l].q.val();
            self.hidden_count_q[l].next = self.hidden_count[l].q.val() & self.rows_mask.val();
        }
        for l in 0..self.label_row.len() {
            self.label_row[l].clock.next = self.clock.val();
            self.label_row[l].d.next = self.label_row[l].q.val();
            self.label_row_q[l].next = self.label_row[l].q.val() & self.w_mask.val();
        }
        self.classifier_count_q.next = self.classifier_count.q.val() & self.rows_mask.val();
        self.row_base_q.next = self.row_base.q.val() & self.w_mask.val();
        self.class_base_q.next = self.class_base.q.val() & self.c_mask.val();

        // The processed layer's list, and the list of the hidden layer after it (its spikes
        // are appended there).
        self.hidden_next.next = self.hidden.val() + 1;
        self.list_base.next = self.list_start[0].val();
        self.event_count.next = self.hidden_count_q[0].val();
        self.next_list_base.next = self.list_start[0].val();
        self.next_list_count.next = self.hidden_count_q[0].val();
        // (The comparisons with layer 0 fold away and keep the signals used with one hidden
        // layer.)
        for l in 0..self.hidden_id.len() {
            if self.hidden.val() == self.hidden_id[l].val() {
                self.list_base.next = self.list_start[l].val();
                self.event_count.next = self.hidden_count_q[l].val();
            }
            if self.hidden_next.val() == self.hidden_id[l].val() {
                self.next_list_base.next = self.list_start[l].val();
                self.next_list_count.next = self.hidden_count_q[l].val();
            }
        }
        if self.classifier.val() {
            self.event_count.next = self.classifier_count_q.val();
        }
        self.row.next = self.hidden_events.read_data.val();
        if self.classifier.val() {
            self.row.next = self.classifier_events.read_data.val();
        }

        // Reads of entry `event_index`; appends at the end of a list.
        self.hidden_events.read_address.next = self.list_base.val() + self.event_index.val();
        self.hidden_events.write_address.next =
            self.next_list_base.val() + self.next_list_count.val();
        self.hidden_events.write_data.next = self.row_base_q.val();
        self.hidden_events.read_enable.next = true;
        self.hidden_events.write_enable.next = false;
        self.classifier_events.read_address.next = self.event_index.val();
        self.classifier_events.write_address.next = self.classifier_count_q.val();
        self.classifier_events.write_data.next = self.class_base_q.val();
        self.classifier_events.read_enable.next = true;
        self.classifier_events.write_enable.next = false;

        if self.phase_reset.val() {
            for l in 0..self.hidden_id.len() {
                self.hidden_count[l].d.next = bits::<16>(0);
            }
            self.classifier_count.d.next = bits::<16>(0);
        }
        if self.start.val() {
            self.row_base.d.next = bits::<ADDRESS_BITS>(0);
            self.class_base.d.next = bits::<ADDRESS_BITS>(0);
            for l in 0..self.hidden_id.len() {
                self.hidden_count[l].d.next = bits::<16>(0);
            }
            self.label_seen.d.next = false;
            for l in 0..self.label_row.len() {
                self.label_row[l].d.next = bits::<ADDRESS_BITS>(0);
            }
            self.classifier_count.d.next = bits::<16>(0);
        }
        if self.pixel.val() {
            // Pixel rows go to hidden layer 0's list.
            self.hidden_events.write_address.next = self.hidden_count_q[0].val();
            if self.pixel_spike.val() {
                self.hidden_events.write_enable.next = true;
                self.hidden_count[0].d.next = self.hidden_count_q[0].val() + 1;
                if self.sees_input.val() {
                    self.classifier_events.write_enable.next = true;
                    self.classifier_count.d.next = self.classifier_count_q.val() + 1;
                }
            }
            self.row_base.d.next = self.row_base_q.val() + self.hidden_size[0].val();
            self.class_base.d.next = self.class_base_q.val() + self.classes.val();
        }
        if self.label.val() {
            // The label input's row of hidden layer 0; for each later layer `l`, its offset
            // `label * N_l` within that layer's label rows.
            self.hidden_events.write_address.next = self.hidden_count_q[0].val();
            if self.label_enable.val() && (self.label_input.val() == self.index.val()) {
                self.hidden_events.write_enable.next = true;
                self.hidden_count[0].d.next = self.hidden_count_q[0].val() + 1;
                self.label_seen.d.next = true;
            }
            for l in 0..self.label_row.len() {
                if self.label_input.val() > self.index.val() {
                    self.label_row[l].d.next =
                        self.label_row_q[l].val() + self.hidden_size[l + 1].val();
                }
            }
            self.row_base.d.next = self.row_base_q.val() + self.hidden_size[0].val();
        }
        if self.layer_end.val() {
            // The classifier's rows of hidden neurons follow its pixel rows, layer after
            // layer; the rows of layer `l + 1` start at its weights' base.
            if !self.hidden.val().any() {
                self.class_base.d.next = self.hidden_class_base.val();
            }
            for l in 0..self.hidden_id.len() {
                if self.hidden.val() == self.hidden_id[l].val() {
                    self.row_base.d.next = self.next_weight_base[l].val();
                }
            }
        }
        if self.label_append.val() && self.stacked.val() && self.has_next.val() {
            // The next hidden layer's label input's row follows its rows of this layer's
            // neurons.
            for l in 1..self.hidden_id.len() {
                if self.hidden_next.val() == self.hidden_id[l].val() {
                    self.hidden_events.write_data.next =
                        self.row_base_q.val() + self.label_row_q[l - 1].val();
                    if self.label_seen.q.val() {
                        self.hidden_events.write_enable.next = true;
                        self.hidden_count[l].d.next = self.hidden_count_q[l].val() + 1;
                    }
                }
            }
        }
        if self.neuron.val() {
            // Hidden spikes are the classifier's event rows, and those of the next hidden
            // layer.
            if self.neuron_spike.val() {
                self.classifier_events.write_enable.next = true;
                self.classifier_count.d.next = self.classifier_count_q.val() + 1;
            }
            self.class_base.d.next = self.class_base_q.val() + self.classes.val();
            if self.stacked.val() && self.has_next.val() {
                self.hidden_events.write_enable.next = self.neuron_spike.val();
                for l in 1..self.hidden_id.len() {
                    if self.neuron_spike.val()
                        && (self.hidden_next.val() == self.hidden_id[l].val())
                    {
                        self.hidden_count[l].d.next = self.hidden_count_q[l].val() + 1;
                    }
                }
                for l in 0..self.hidden_id.len() {
                    if self.hidden.val() == self.hidden_id[l].val() {
                        self.row_base.d.next = self.row_base_q.val() + self.next_size[l].val();
                    }
                }
            }
        }
    }
}
