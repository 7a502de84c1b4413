//! [`LearningCore::new`] and [`LearningCore::with_options`]: the core's blocks, memories and
//! run-time constants for a network.
use super::sequencer::{CounterMasks, Sequencer};
use super::sizes::{address_mask, constant, mask, Sizes};
use super::{CoreError, CoreOptions, LearningCore};
#[cfg(doc)]
use super::{MAX_CLASSES, MAX_LAYER_SIZE, MAX_MEMORY_WORDS};
use crate::encoder::BernoulliEncoder;
use crate::memory::Ram;
use crate::top::draws::Draws;
use crate::top::error_stage::ErrorStage;
use crate::top::event_lists::{EventLists, ListShape};
use crate::top::host_interface::{
    parameter_id, LayerField, LayerId, Register, CLASSIFIER_PARAMETERS,
};
use crate::top::lane_router::LaneRouter;
use crate::top::layer_registers::LayerRegisters;
use crate::top::learn_engine::LearnEngine;
use crate::top::neuron_engine::NeuronEngine;
use crate::top::neuron_memories::NeuronMemories;
use crate::top::port_decoder::PortDecoder;
use crate::top::read_back::ReadBack;
use crate::top::status_registers::StatusRegisters;
use crate::top::synapse_stages::SynapseStages;
use rust_hdl::prelude::*;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::ADDRESS_BITS;
#[cfg(doc)]
use spikeforge_sim::core_interface::MAX_HIDDEN_LAYERS;

impl LearningCore {
    /// A core for `cfg` with every memory in block RAM, or why it does not fit: one to
    /// [`MAX_HIDDEN_LAYERS`] hidden layers of at most [`MAX_LAYER_SIZE`] neurons each,
    /// [`MAX_CLASSES`] classes and [`MAX_MEMORY_WORDS`] words per memory.
    pub fn new(cfg: &NetworkConfig) -> Result<Self, CoreError> {
        Self::with_options(cfg, CoreOptions::default())
    }

    /// A core for `cfg` built as `options` say, or why it does not fit: the limits of
    /// [`LearningCore::new`], and with [`CoreOptions::weights_in_spram`] at most
    /// `4 x 16,384` hidden weights of at most 16 bits.
    pub fn with_options(cfg: &NetworkConfig, options: CoreOptions) -> Result<Self, CoreError> {
        let sizes = Sizes::of(cfg, options)?;
        let weight_bits = usize::from(cfg.weight_bits);
        let neurons = sizes.neuron_words();
        let lanes = sizes.lanes;
        let offset = cfg.classifier_input_offset();
        let hidden_layers = sizes.hidden.len();
        let neuron_bases = sizes.neuron_bases();
        let weight_bases = sizes.weight_bases();
        let list_bases = sizes.event_list_bases();
        let weight_banks = sizes.weight_banks;
        let hidden_bank = sizes.weight_bank_words(weight_bases[hidden_layers]);
        let classifier_bank = sizes.weight_bank_words(sizes.classifier_rows * sizes.classes);
        let neuron_bank = sizes.bank_words(neurons);
        let banks = |make: &dyn Fn() -> Ram<Bits<16>, ADDRESS_BITS>| {
            (0..weight_banks).map(|_| make()).collect()
        };
        // Each hidden layer's id of a status register.
        let register_ids = |register: fn(LayerId) -> Register| -> Vec<u16> {
            (0..hidden_layers)
                .map(|l| register(LayerId::hidden(l)).id())
                .collect()
        };
        // Each hidden layer's parameter block: its register ids `>> 4`.
        let parameter_blocks: Vec<u16> = (0..hidden_layers)
            .map(|l| parameter_id(LayerId::hidden(l), LayerField::ALL[0]) >> 4)
            .collect();
        // The bits of a count of neurons, pixels or synapses.
        let count_mask = mask(
            [sizes.inputs, sizes.labels, sizes.classes, neurons]
                .into_iter()
                .chain(sizes.hidden.iter().copied())
                .max()
                .unwrap_or(0)
                + lanes,
        );
        let lists = ListShape {
            hidden: sizes.hidden.clone(),
            list_bases: list_bases.clone(),
            weight_bases: weight_bases.clone(),
            classes: sizes.classes,
            classifier_rows: sizes.classifier_rows,
            classifier_input_rows: offset,
            sees_input: cfg.classifier_sees_input,
            rows_mask: mask(
                sizes
                    .hidden_rows
                    .iter()
                    .copied()
                    .chain([sizes.classifier_rows])
                    .max()
                    .unwrap_or(0),
            ),
            w_mask: address_mask(weight_bases[hidden_layers]),
            c_mask: address_mask(sizes.classifier_rows * sizes.classes),
        };
        Ok(Self {
            clock: Signal::default(),
            cmd_valid: Signal::default(),
            cmd_op: Signal::default(),
            cmd_addr: Signal::default(),
            cmd_data: Signal::default(),
            rsp_valid: Signal::default(),
            rsp_data: Signal::default(),
            busy: Signal::default(),
            pixels: Ram::new(sizes.inputs),
            hidden_weights: banks(&|| {
                let bank = Ram::new(hidden_bank).with_signed_storage(weight_bits);
                if options.weights_in_spram {
                    bank.in_ice40_spram()
                } else {
                    bank
                }
            }),
            classifier_weights: banks(&|| {
                let bank = Ram::new(classifier_bank).with_signed_storage(weight_bits);
                if options.weights_in_spram {
                    bank.in_ice40_spram()
                } else {
                    bank
                }
            }),
            encoder: BernoulliEncoder::new(),
            learn_engine: LearnEngine::new(
                lanes,
                weight_banks,
                options.split_rounding,
                options.late_write(),
                options.fixed_parameters && never_decays(cfg),
            ),
            lane_router: LaneRouter::new(lanes, weight_banks),
            neuron_engine: NeuronEngine::new(options.split_neuron, count_mask),
            port_decoder: PortDecoder::new(
                &weight_bases[..hidden_layers],
                &neuron_bases,
                lanes,
                weight_banks,
            ),
            read_back: ReadBack::new(
                lanes,
                weight_banks,
                &register_ids(Register::ThetaOffset),
                &register_ids(Register::Goodness),
                &register_ids(Register::LearnState),
            ),
            neuron_memories: NeuronMemories::new(
                neurons,
                lanes,
                neuron_bank,
                sizes.current_bits(weight_bits),
            ),
            draws: Draws::new(lanes),
            error_stage: ErrorStage::new(hidden_layers),
            event_lists: EventLists::new(&lists),
            layer_registers: LayerRegisters::new(
                &parameter_blocks,
                CLASSIFIER_PARAMETERS >> 4,
                options.fixed_parameters.then_some(cfg),
            ),
            synapse_stages: SynapseStages::new(lanes, weight_banks, options.late_write()),
            sequencer: Sequencer::new(
                &sizes,
                options,
                CounterMasks {
                    count: count_mask,
                    rows: lists.rows_mask,
                    row_base: Constant::new(lists.w_mask.val() | lists.c_mask.val()),
                },
            ),
            status: StatusRegisters::new(hidden_layers),
            read_pending: DFF::default(),
            read_op: DFF::default(),
            read_address: DFF::default(),
            read_lane: DFF::default(),
            lane_id: (0..lanes).map(constant).collect(),
            bank_id: (0..weight_banks).map(constant).collect(),
            weights_single_port: Constant::new(options.weights_in_spram),
        })
    }
}

/// No layer of `cfg` decays its weights: every decay shift, the classifier's too, is 0.
fn never_decays(cfg: &NetworkConfig) -> bool {
    cfg.hidden
        .iter()
        .chain(std::iter::once(&cfg.classifier))
        .all(|layer| layer.decay_shift == 0)
}
