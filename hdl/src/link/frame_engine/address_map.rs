//! [`AddressMap`]: the core's address spaces as the frame engine checks them: a request's
//! space code, its values' width and count limit, and whether a range of addresses or a
//! register id lies in the network's memory map.
use super::{constant, COUNT_BITS, VALUES_BITS};
use crate::top::Address;
use rust_hdl::prelude::*;
use spikeforge_sim::core_interface::{
    weight_space_code, CoreShape, LayerId, Register, StateField, ADDRESS_BITS, MAX_HIDDEN_LAYERS,
};

/// Width of the range arithmetic: a start of [`ADDRESS_BITS`] plus a count, without wrapping.
const RANGE_BITS: usize = ADDRESS_BITS + 1;
/// Bits of a register id above the 64 ids of the masks (bits 6 and up).
const ID_HIGH_BITS: usize = RANGE_BITS - 6;
/// Bits of an address above a 16-bit state address's.
const STATE_HIGH_BITS: usize = ADDRESS_BITS - 16;
/// Bits of a register id's block number (bits 5 and up).
const BLOCK_BITS: usize = RANGE_BITS - 5;

/// Register ids below this (those of hidden layer 0, the classifier and the core) have a bit
/// in the readable / writable masks; the ids of hidden layer `l >= 1` are the block of
/// [`REGISTER_BLOCK_IDS`] from `Register::ThetaOffset(l)` on, with masks of their own.
const REGISTER_IDS: usize = 64;
/// Register ids of the block of a hidden layer `l >= 1` (`32 (l + 1) + 0..32`).
const REGISTER_BLOCK_IDS: usize = 32;

/// The mask of the `N` register ids from `first` on for which `usable` holds.
fn register_mask<const N: usize>(first: u16, usable: impl Fn(u16) -> bool) -> Constant<Bits<N>> {
    let mask = (0..N as u16)
        .filter(|&offset| usable(first + offset))
        .fold(0u64, |mask, offset| mask | 1 << offset);
    Constant::new(mask.into())
}

/// Check that the register blocks of hidden layers 1, 2, ... (their first ids, `blocks`) lie
/// past the ids of the 64-bit masks, each at a multiple of [`REGISTER_BLOCK_IDS`], and that
/// every id the core of `shape` reads or writes lies in the masks or one of the blocks.
fn check_register_blocks(shape: &CoreShape, blocks: &[u16]) {
    for &first in blocks {
        let first = usize::from(first);
        assert!(
            first >= REGISTER_IDS && first % REGISTER_BLOCK_IDS == 0,
            "a register block at id {first}"
        );
    }
    let in_block = |id: usize| {
        blocks.iter().any(|&first| {
            let first = usize::from(first);
            (first..first + REGISTER_BLOCK_IDS).contains(&id)
        })
    };
    for id in 0..=u16::MAX {
        let usable = shape.register_readable(id) || shape.register_writable(id);
        let wide = usize::from(id);
        assert!(
            !usable || wide < REGISTER_IDS || in_block(wide),
            "register {id} lies outside the frame engine's masks"
        );
    }
}

/// The network's memory map in logic (`docs/spec.md` §7.6, checks 8 and 9), combinational.
///
/// From a request's space code (`code`): whether the core has the space, its values' width
/// (PIXEL 1 byte, weights and STATE 2, REG 4), the count of values of a WRITE's payload and
/// the most values a READ may ask for. From the range registers (`space`, `start`, `count`,
/// and `start_high`: the request's start has bits the network's spaces do not reach): whether
/// the range lies in the space (`ADDRESS_BITS + 1` bits wide, so that it cannot wrap; in the
/// STATE space, of a 16-bit state address's neuron numbers within the neurons of its layer),
/// or is a range of register ids, checked one per cycle: `start + index` (as wide, so that an
/// id past 65,535 is not mistaken for a small one) against the readable or writable mask.
///
/// The sizes of the spaces and the register masks are constants of the network. The spaces
/// `W1`..`W3`, the layers in bits 11..10 of a state address and the register blocks of the
/// hidden layers past the first exist only in the map of a core that has them, so the map of a
/// one-hidden-layer core has no logic for them.
#[derive(Debug, LogicBlock)]
pub struct AddressMap {
    /// A request's space code (its payload byte 0), input.
    pub code: Signal<In, Bits<8>>,
    /// A WRITE's payload bytes after its space and start (at most `MAX_PAYLOAD - 3` when
    /// the request passes the checks), input.
    pub values_length: Signal<In, Bits<VALUES_BITS>>,
    /// The space of the range, input.
    pub space: Signal<In, Bits<8>>,
    /// The first address or register id of the range (the bits the network's spaces reach),
    /// input.
    pub start: Signal<In, Address>,
    /// The request's start has a bit set above those of `start`: no space holds it, input.
    pub start_high: Signal<In, Bit>,
    /// The values of the range, input.
    pub count: Signal<In, Bits<16>>,
    /// The value of the range whose address is `address`, input.
    pub index: Signal<In, Bits<16>>,
    /// The range is written (else read), input.
    pub write: Signal<In, Bit>,
    /// The core has space `code`, output.
    pub known: Signal<Out, Bit>,
    /// Bytes of a value of space `code` (1, 2 or 4), output.
    pub width: Signal<Out, Bits<3>>,
    /// `width - 1`: the payload bytes that do not fill a value, output.
    pub width_mask: Signal<Out, Bits<16>>,
    /// Values of space `code` in `values_length` bytes, output.
    pub write_count: Signal<Out, Bits<COUNT_BITS>>,
    /// The most values of space `code` one READ answers, output.
    pub max_count: Signal<Out, Bits<16>>,
    /// The range lies in `space` (a range of register ids: always), output.
    pub in_range: Signal<Out, Bit>,
    /// `space` is REG: the ids are checked one by one, output.
    pub registers: Signal<Out, Bit>,
    /// Register id `start + index` is readable (writable if `write`), output.
    pub register_ok: Signal<Out, Bit>,
    /// `start + index`, the core's address of the value, output.
    pub address: Signal<Out, Address>,

    pixels: Constant<Bits<RANGE_BITS>>,
    hidden_words: Constant<Bits<RANGE_BITS>>,
    classifier_words: Constant<Bits<RANGE_BITS>>,
    hidden_neurons: Constant<Bits<RANGE_BITS>>,
    classes: Constant<Bits<RANGE_BITS>>,
    readable: Constant<Bits<64>>,
    writable: Constant<Bits<64>>,
    // The neuron bits of a hidden layer's state address (11..0, or 9..0 with more than one
    // hidden layer). Hidden layers 1, 2, ... (none with one hidden layer): each layer's weight
    // space and its words; the layer codes 1..=3 of a state address (bits 11..10) and their
    // neurons (0 for a layer the core lacks); each layer's register block (`id >> 5`) and its
    // masks.
    hidden_neuron_mask: Constant<Bits<12>>,
    stacked_spaces: Vec<Constant<Bits<8>>>,
    stacked_words: Vec<Constant<Bits<RANGE_BITS>>>,
    stacked_state_layers: Vec<Constant<Bits<2>>>,
    stacked_neurons: Vec<Constant<Bits<RANGE_BITS>>>,
    stacked_register_blocks: Vec<Constant<Bits<BLOCK_BITS>>>,
    stacked_readable: Vec<Constant<Bits<REGISTER_BLOCK_IDS>>>,
    stacked_writable: Vec<Constant<Bits<REGISTER_BLOCK_IDS>>>,

    range_start: Signal<Local, Bits<RANGE_BITS>>,
    range_end: Signal<Local, Bits<RANGE_BITS>>,
    layer_size: Signal<Local, Bits<RANGE_BITS>>,
    field: Signal<Local, Bits<3>>,
    register_id: Signal<Local, Bits<RANGE_BITS>>,
}

impl AddressMap {
    /// The memory map of a core of `shape`; panics if a register the core reads or writes
    /// lies outside the masks.
    pub fn new(shape: &CoreShape) -> Self {
        let stacked: Vec<LayerId> = (1..shape.hidden_layers()).map(LayerId::hidden).collect();
        let state_layers: Vec<LayerId> = if stacked.is_empty() {
            Vec::new()
        } else {
            (1..MAX_HIDDEN_LAYERS).map(LayerId::hidden).collect()
        };
        let blocks: Vec<u16> = stacked
            .iter()
            .map(|&layer| Register::ThetaOffset(layer).id())
            .collect();
        check_register_blocks(shape, &blocks);
        Self {
            code: Signal::default(),
            values_length: Signal::default(),
            space: Signal::default(),
            start: Signal::default(),
            start_high: Signal::default(),
            count: Signal::default(),
            index: Signal::default(),
            write: Signal::default(),
            known: Signal::default(),
            width: Signal::default(),
            width_mask: Signal::default(),
            write_count: Signal::default(),
            max_count: Signal::default(),
            in_range: Signal::default(),
            registers: Signal::default(),
            register_ok: Signal::default(),
            address: Signal::default(),
            pixels: constant(shape.inputs),
            hidden_words: constant(shape.weight_words(LayerId::hidden(0))),
            classifier_words: constant(shape.weight_words(LayerId::CLASSIFIER)),
            hidden_neurons: constant(shape.size(LayerId::hidden(0))),
            classes: constant(shape.classes),
            readable: register_mask(0, |id| shape.register_readable(id)),
            writable: register_mask(0, |id| shape.register_writable(id)),
            hidden_neuron_mask: constant((1 << shape.hidden_neuron_bits()) - 1),
            stacked_spaces: stacked
                .iter()
                .map(|&layer| constant(weight_space_code(layer).into()))
                .collect(),
            stacked_words: stacked
                .iter()
                .map(|&layer| constant(shape.weight_words(layer)))
                .collect(),
            stacked_state_layers: state_layers
                .iter()
                .map(|&layer| {
                    constant(usize::from(
                        shape.state_address(layer, StateField::Membrane, 0) >> 10,
                    ))
                })
                .collect(),
            stacked_neurons: state_layers
                .iter()
                .map(|&layer| constant(shape.size(layer)))
                .collect(),
            stacked_register_blocks: blocks
                .iter()
                .map(|&first| constant(usize::from(first) / REGISTER_BLOCK_IDS))
                .collect(),
            stacked_readable: blocks
                .iter()
                .map(|&first| register_mask(first, |id| shape.register_readable(id)))
                .collect(),
            stacked_writable: blocks
                .iter()
                .map(|&first| register_mask(first, |id| shape.register_writable(id)))
                .collect(),
            range_start: Signal::default(),
            range_end: Signal::default(),
            layer_size: Signal::default(),
            field: Signal::default(),
            register_id: Signal::default(),
        }
    }
}

impl Logic for AddressMap {
    #[hdl_gen]
    fn update(&mut self) {
        // The space code: 0..=4, or the weights of a hidden layer the core has past the
        // first. Its value width: PIXEL 1, weights and STATE 2, REG 4.
        self.known.next = self.code.val() <= 4;
        for i in 0..self.stacked_spaces.len() {
            if self.code.val() == self.stacked_spaces[i].val() {
                self.known.next = true;
            }
        }
        self.width.next = bits::<3>(2);
        self.width_mask.next = bits::<16>(1);
        self.max_count.next = bits::<16>(128);
        self.write_count.next = self.values_length.val().get_bits::<COUNT_BITS>(1);
        if !self.code.val().any() {
            self.width.next = bits::<3>(1);
            self.width_mask.next = bits::<16>(0);
            self.max_count.next = bits::<16>(256);
            self.write_count.next = self.values_length.val().get_bits::<COUNT_BITS>(0);
        }
        if self.code.val() == 4 {
            self.width.next = bits::<3>(4);
            self.width_mask.next = bits::<16>(3);
            self.max_count.next = bits::<16>(64);
            self.write_count.next = self.values_length.val().get_bits::<COUNT_BITS>(2);
        }

        // The end of the range; in the STATE space, of the neuron numbers (bits 11..0 of the
        // classifier's address, `hidden_neuron_mask` of a hidden layer's).
        self.range_start.next = bit_cast::<RANGE_BITS, ADDRESS_BITS>(self.start.val());
        if self.space.val() == 3 {
            self.range_start.next = bit_cast::<RANGE_BITS, 12>(self.start.val().get_bits::<12>(0));
            if !self.start.val().get_bit(15) {
                self.range_start.next = bit_cast::<RANGE_BITS, 12>(
                    self.start.val().get_bits::<12>(0) & self.hidden_neuron_mask.val(),
                );
            }
        }
        self.range_end.next = self.range_start.val() + bit_cast::<RANGE_BITS, 16>(self.count.val());
        self.field.next = self.start.val().get_bits::<3>(12);
        self.layer_size.next = self.hidden_neurons.val();
        for i in 0..self.stacked_state_layers.len() {
            if self.start.val().get_bits::<2>(10) == self.stacked_state_layers[i].val() {
                self.layer_size.next = self.stacked_neurons[i].val();
            }
        }
        if self.start.val().get_bit(15) {
            self.layer_size.next = self.classes.val();
        }
        self.in_range.next = false;
        self.registers.next = false;
        match self.space.val().index() {
            0 => {
                self.in_range.next = self.range_end.val() <= self.pixels.val();
            }
            1 => {
                self.in_range.next = self.range_end.val() <= self.hidden_words.val();
            }
            2 => {
                self.in_range.next = self.range_end.val() <= self.classifier_words.val();
            }
            3 => {
                // A state address is 16 bits.
                self.in_range.next = (self.field.val() <= 4)
                    && (self.range_end.val() <= self.layer_size.val())
                    && !self.start.val().get_bits::<STATE_HIGH_BITS>(16).any();
            }
            _ => {
                // REG, or the weights of a hidden layer past the first.
                self.in_range.next = true;
                self.registers.next = true;
                for i in 0..self.stacked_spaces.len() {
                    if self.space.val() == self.stacked_spaces[i].val() {
                        self.registers.next = false;
                        if self.range_end.val() > self.stacked_words[i].val() {
                            self.in_range.next = false;
                        }
                    }
                }
            }
        }

        if self.start_high.val() {
            self.in_range.next = false;
        }

        // Register id `start + index`: in the masks of ids 0..64, or in a layer's block.
        self.register_id.next = bit_cast::<RANGE_BITS, ADDRESS_BITS>(self.start.val())
            + bit_cast::<RANGE_BITS, 16>(self.index.val());
        self.address.next = self.register_id.val().get_bits::<ADDRESS_BITS>(0);
        self.register_ok.next = false;
        if !self.register_id.val().get_bits::<ID_HIGH_BITS>(6).any() {
            if self.write.val() {
                self.register_ok.next = self
                    .writable
                    .val()
                    .get_bit(self.register_id.val().get_bits::<6>(0).index());
            } else {
                self.register_ok.next = self
                    .readable
                    .val()
                    .get_bit(self.register_id.val().get_bits::<6>(0).index());
            }
        }
        for i in 0..self.stacked_register_blocks.len() {
            if self.register_id.val().get_bits::<BLOCK_BITS>(5)
                == self.stacked_register_blocks[i].val()
            {
                if self.write.val() {
                    self.register_ok.next = self.stacked_writable[i]
                        .val()
                        .get_bit(self.register_id.val().get_bits::<5>(0).index());
                } else {
                    self.register_ok.next = self.stacked_readable[i]
                        .val()
                        .get_bit(self.register_id.val().get_bits::<5>(0).index());
                }
            }
        }
        if self.start_high.val() {
            self.register_ok.next = false;
        }
    }
}
