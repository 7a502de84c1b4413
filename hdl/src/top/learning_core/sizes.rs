//! The words of each memory of a learning core, and the constants its sequencer compares with.
use super::{check_lanes, CoreError, CoreOptions, MemoryInfo};
use crate::memory::{RamStyle, ICE40_UP_SPRAMS, SPRAM_WORDS};
use crate::top::host_interface::{CoreShape, LayerId};
use rust_hdl::prelude::*;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{ADDRESS_BITS, MAX_INPUTS, MAX_MEMORY_WORDS};

/// A word address of a weight memory (W or C, or a bank of it): `cmd_addr`'s
/// [`ADDRESS_BITS`] bits. Each block reads its address registers through a mask of the bits
/// the network uses, so synthesis keeps only those.
pub type Address = Bits<ADDRESS_BITS>;

/// Words of each memory of a core for `cfg` (checked by [`LearningCore::new`]).
pub(super) struct Sizes {
    pub(super) inputs: usize,
    pub(super) labels: usize,
    /// Neurons of each hidden layer.
    pub(super) hidden: Vec<usize>,
    pub(super) classes: usize,
    /// Rows of each hidden layer's weights (its event list's words).
    pub(super) hidden_rows: Vec<usize>,
    pub(super) classifier_rows: usize,
    pub(super) lanes: usize,
    /// Banks of each weight memory (W and C): the lanes, or twice them with paired banks.
    pub(super) weight_banks: usize,
}

impl Sizes {
    pub(super) fn of(cfg: &NetworkConfig, options: CoreOptions) -> Result<Self, CoreError> {
        check_lanes(options.lanes)?;
        if options.paired_banks && !options.weights_in_spram {
            return Err(CoreError::PairedBanksWithoutSpram);
        }
        let shape = CoreShape::new(cfg)?;
        let sizes = Sizes {
            inputs: shape.inputs,
            labels: shape.label_inputs,
            hidden: shape.hidden.clone(),
            classes: shape.classes,
            hidden_rows: (0..shape.hidden_layers())
                .map(|l| shape.rows(LayerId::hidden(l)))
                .collect(),
            classifier_rows: shape.classifier_rows,
            lanes: options.lanes,
            weight_banks: options.weight_banks(),
        };
        let memories = sizes.memories(cfg.weight_bits.into(), options);
        let mut sprams = 0;
        for memory in &memories {
            if memory.storage == RamStyle::Ice40Spram {
                let bank_words = memory.words / memory.banks;
                sprams += memory.banks * bank_words.div_ceil(SPRAM_WORDS);
            }
        }
        if sprams > ICE40_UP_SPRAMS {
            let words = |name| {
                memories
                    .iter()
                    .find(|m| m.name == name)
                    .map_or(0, |m| m.words)
            };
            return Err(CoreError::SpramTooSmall {
                hidden_words: words("hidden_weights"),
                classifier_words: words("classifier_weights"),
                bits: cfg.weight_bits.into(),
                sprams,
                banks: sizes.weight_banks,
            });
        }
        for memory in &memories {
            // W and C take 20-bit addresses; the other memories 16-bit ones.
            let limit = if matches!(memory.name, "hidden_weights" | "classifier_weights") {
                MAX_MEMORY_WORDS
            } else {
                MAX_INPUTS
            };
            if memory.words > limit {
                return Err(CoreError::MemoryTooLarge {
                    memory: memory.name,
                    words: memory.words,
                    limit,
                });
            }
        }
        Ok(sizes)
    }

    /// The first neuron word of each hidden layer, each layer rounded up to whole lanes, then
    /// the classifier's first word.
    pub(super) fn neuron_bases(&self) -> Vec<usize> {
        prefix_sums(self.hidden.iter().map(|n| n.next_multiple_of(self.lanes)))
    }

    /// Words of each neuron memory (the hidden layers and the classifier, each from a whole
    /// number of lanes; the sum rounded up to whole lanes).
    pub(super) fn neuron_words(&self) -> usize {
        let classifier = self.neuron_bases().last().copied().unwrap_or(0);
        (classifier + self.classes).next_multiple_of(self.lanes)
    }

    /// The first word of each hidden layer's weights in W, then W's words.
    pub(super) fn weight_bases(&self) -> Vec<usize> {
        prefix_sums(
            self.hidden_rows
                .iter()
                .zip(&self.hidden)
                .map(|(r, n)| r * n),
        )
    }

    /// The first word of each hidden layer's event list, then the lists' words.
    pub(super) fn event_list_bases(&self) -> Vec<usize> {
        prefix_sums(self.hidden_rows.iter().copied())
    }

    /// Bits of a current accumulator: a layer's current is the exact sum of one weight of
    /// `weight_bits` bits per event row, so `weight_bits + ceil(log2 rows)` bits hold it for
    /// the layer with the most rows (`|sum| <= rows 2^(weight_bits - 1)`); at most 32.
    pub(super) fn current_bits(&self, weight_bits: usize) -> usize {
        let rows = self
            .hidden_rows
            .iter()
            .copied()
            .chain([self.classifier_rows])
            .max()
            .unwrap_or(1)
            .max(1);
        (weight_bits + rows.next_power_of_two().trailing_zeros() as usize).min(32)
    }

    /// Words per bank of a banked neuron memory of `words` words.
    pub(super) fn bank_words(&self, words: usize) -> usize {
        words.div_ceil(self.lanes)
    }

    /// Words per bank of a weight memory of `words` words.
    pub(super) fn weight_bank_words(&self, words: usize) -> usize {
        words.div_ceil(self.weight_banks)
    }

    fn memories(&self, weight_bits: usize, options: CoreOptions) -> Vec<MemoryInfo> {
        let neurons = self.neuron_words();
        let lanes = self.lanes;
        let memory = |name, words, width| MemoryInfo {
            name,
            words,
            banks: 1,
            width,
            storage: RamStyle::Inferred,
        };
        let banked = |name, words: usize, width| MemoryInfo {
            name,
            words: self.bank_words(words) * lanes,
            banks: lanes,
            width,
            storage: RamStyle::Inferred,
        };
        let weights = |name, words: usize| MemoryInfo {
            name,
            words: self.weight_bank_words(words) * self.weight_banks,
            banks: self.weight_banks,
            width: weight_bits,
            storage: if options.weights_in_spram {
                RamStyle::Ice40Spram
            } else {
                RamStyle::Inferred
            },
        };
        let hidden_weights = self.weight_bases().last().copied().unwrap_or(0);
        let hidden_events = self.event_list_bases().last().copied().unwrap_or(0);
        vec![
            memory("pixels", self.inputs, 8),
            weights("hidden_weights", hidden_weights),
            weights("classifier_weights", self.classifier_rows * self.classes),
            memory("membrane", neurons, 16),
            memory("refractory", neurons, 8),
            banked("trace_mem", neurons, 8),
            memory("homeostasis_mem", neurons, 16),
            memory("count", neurons, 16),
            banked("current_mem", neurons, self.current_bits(weight_bits)),
            memory("hidden_events", hidden_events, address_bits(hidden_weights)),
            memory(
                "classifier_events",
                self.classifier_rows,
                address_bits(self.classifier_rows * self.classes),
            ),
        ]
    }
}

/// `0, a0, a0 + a1, ...`: where each item starts when they are laid out one after the other,
/// then the total.
fn prefix_sums(items: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut sums = vec![0];
    for item in items {
        let last = sums.last().copied().unwrap_or(0);
        sums.push(last + item);
    }
    sums
}

/// `count` of `make()`: one per lane or per hidden layer.
pub(in crate::top) fn replicate<T>(count: usize, make: impl Fn() -> T) -> Vec<T> {
    (0..count).map(|_| make()).collect()
}

/// The mask of the bits that hold every value up to `max` (all 16 from `2^15` on).
pub(super) fn mask(max: usize) -> Constant<Bits<16>> {
    constant((max + 1).next_power_of_two().min(1 << 16) - 1)
}

/// The mask of the address bits that hold every value up to `max`.
pub(crate) fn address_mask(max: usize) -> Constant<Address> {
    address_constant((max + 1).next_power_of_two().min(MAX_MEMORY_WORDS) - 1)
}

/// The bits of an address up to `max` (an event list entry's, for a memory of `max` words).
pub(super) fn address_bits(max: usize) -> usize {
    mask_bits(&address_mask(max))
}

/// The bits a mask of [`address_mask`] keeps (at least 1).
pub(in crate::top) fn mask_bits(mask: &Constant<Address>) -> usize {
    (mask.val().to_u64().count_ones() as usize).max(1)
}

/// `value` as an address constant.
pub(in crate::top) fn address_constant(value: usize) -> Constant<Address> {
    assert!(
        value < MAX_MEMORY_WORDS,
        "address {value} exceeds the {ADDRESS_BITS}-bit cmd_addr"
    );
    Constant::new((value as u64).into())
}

pub(in crate::top) fn constant(value: usize) -> Constant<Bits<16>> {
    // Sizes are checked against 2^16 before this is called.
    Constant::new(((value & 0xFFFF) as u64).into())
}
