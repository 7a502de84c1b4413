//! [`LearningCore`]: the chip's learning core for one to four hidden (CSDP) layers and the
//! classifier, `lanes` synapses per clock, driven over a simple synchronous host interface.
use crate::encoder::BernoulliEncoder;
use crate::memory::Ram;
use crate::top::draws::Draws;
use crate::top::error_stage::ErrorStage;
use crate::top::event_lists::EventLists;
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
use sequencer::Sequencer;

// The core's size limits are part of its host interface, defined once in `sim`.
pub use spikeforge_sim::core_interface::{
    ADDRESS_BITS, MAX_CLASSES, MAX_LAYER_SIZE, MAX_MEMORY_WORDS,
};

mod info;
mod new;
mod options;
mod sequencer;
mod sizes;
mod states;

pub use options::{
    check_lanes, cycles_per_step, phase_reset_cycles, CoreError, CoreInfo, CoreOptions, MemoryInfo,
    ParameterInfo, PortInfo, MAX_LANES, PARAMETER_LAYOUT, PARAMETER_SLOTS,
};
pub(in crate::top) use options::{
    parameter_stride, ADAPT_GROUP, GOODNESS_GROUP, NEURON_GROUP, PARAMETER_GROUPS,
};
pub(crate) use sizes::address_mask;
pub use sizes::Address;
pub(in crate::top) use sizes::{address_constant, constant, mask_bits, replicate};
pub(crate) use states::core_states;

/// The learning core: a network with one to four hidden (CSDP) layers and a delta-rule
/// classifier, in block RAM (the hidden weights optionally in SPRAM), updated
/// [`CoreOptions::lanes`] synapses per clock by one instance of each synapse rule per lane and
/// one of each neuron rule, shared by the layers in turn (the sequencer's `layer` and
/// `hidden_layer`).
///
/// # Host interface
///
/// All signals are synchronous to `clock`. A command is presented for one cycle with
/// `cmd_valid` high; the core accepts it only while `busy` is low (a command during `busy` is
/// ignored). Reads answer with `rsp_valid` high for one cycle, **two cycles after** the command
/// cycle (command in cycle `t`, response in cycle `t + 2`); reads may be issued back to back.
/// Writes take effect at the end of the command cycle and give no response. `PHASE_RESET` and
/// `STEP` raise `busy` from the next cycle until done: `STEP` for exactly
/// [`cycles_per_step`] cycles, `PHASE_RESET` for [`phase_reset_cycles`]. Signed values are
/// two's complement, sign-extended to 32 bits on reads; writes use the low bits of `cmd_data`.
///
/// | `cmd_op` (5 bits) | name | `cmd_addr` | `cmd_data` / `rsp_data` |
/// |---|---|---|---|
/// | 0 | NOP | — | — |
/// | 1 / 2 | WRITE / READ_PIXEL | pixel `i` | intensity, bits 7..0 |
/// | 3 / 4, `15 + 2l` / `16 + 2l` | WRITE / READ_W of hidden layer 0, of hidden layer `l >= 1` | `row * N_l + n` (rows: pixels or the previous layer's neurons, then label inputs) | weight, 16-bit signed (`weight_bits` stored) |
/// | 5 / 6 | WRITE / READ_C | `row * K + k` (rows: pixels if `classifier_sees_input`, then hidden neurons) | weight, 16-bit signed |
/// | 7 / 8 | WRITE / READ_STATE | bit 15: classifier; bits 14..12: field 0 `v` (16 signed), 1 `r` (8), 2 `tr` (8), 3 `h` (16), 4 count (16); bits 11..0: neuron (with more than one hidden layer, a hidden layer's bits 11..10 are the layer, 9..0 the neuron) | field value |
/// | 9 / 10 | WRITE / READ_REG | register id, see below | register value |
/// | 11 | PHASE_RESET | — | — |
/// | 12 | STEP | — | [`StepCommand`](crate::top::host_interface::StepCommand) word: bit 0 `csdp_learn`, 1 `positive`, 2 `classifier_learn`, 3 `label_input_enable`, 13..8 classifier label, 21..16 label input |
/// | 13 | READ_PREDICTION | — | class, bits 5..0 |
///
/// Other codes are NOPs. Register ids (see [`host_interface`](crate::top::host_interface);
/// hidden layer `l >= 1` has `theta_a`, goodness and learning generator at `32 (l + 1)` + 0,
/// 1, 2 and parameter `f` at `32 (l + 1) + 16 + f`): 0 hidden `theta_a`
/// (16 signed), 1 hidden goodness (32), 2 classifier `theta_a`, 3 classifier goodness,
/// 4 encoder generator, 5 hidden learning generator, 6 classifier generator (32 each; read and
/// write); write-only: 8 `w_max` (15), 9 anneal (8), `16 + f` hidden and `32 + f` classifier
/// [`LayerField`](crate::top::host_interface::LayerField) `f` (0 `leak_shift`, 1 `threshold`, 2 `refractory`, 3 `adapt_step`,
/// 4 `adapt_target`, 5 `adapt_min`, 6 `adapt_max`, 7 `homeostasis_step`,
/// 8 `homeostasis_decay_shift`, 9 `homeostasis_max`, 10 `trace_shift`, 11 `goodness_threshold`
/// (hidden only), 12 `learn_shift`, 13 `decay_shift`). Other ids read 0 and ignore writes.
/// Registers power up at 0: the host writes every parameter and a non-zero seed into each
/// generator before the first step.
///
/// # Memories
///
/// | memory | words | bits | contents |
/// |---|---|---|---|
/// | `pixels` | `N_in` | 8 | input intensities |
/// | `hidden_weights` (W) | `sum_l R_l N_l` | `weight_bits` | the hidden layers' weights one after the other, `W_l[row * N_l + n]` at `B_l + row * N_l + n`; sign-extended to 16 on read |
/// | `classifier_weights` (C) | `R_c K` | `weight_bits` | `C[row * K + k]`, `R_c = (classifier_sees_input ? N_in : 0) + sum_l N_l` |
/// | `membrane`, `refractory`, `trace_mem`, `homeostasis_mem`, `count` | `sum_l N_l + K` (1 lane) | 16, 8, 8, 16, 16 | the layers one after the other, each from a whole lane (`ceil(N_l / P) P` words each) |
/// | `current_mem` | as above | `J` | current accumulators `j` of the step on `weight_bits + ceil(log2 R)` bits (at most 32; `R` the most rows of a layer), which hold every sum exactly; sign-extended on read |
/// | `hidden_events` | `sum_l R_l` | 16 | each hidden layer's event list in turn: this step's spiking rows (pixels or the previous layer's neurons, then the label input) as W addresses `B_l + row * N_l` |
/// | `classifier_events` | `R_c` | 16 | the classifier's event rows (spiking pixels if it sees the input, then each hidden layer's spiking neurons) as `row * K` |
/// | `sigmoid` | 256 | 8 | `SIGMOID_ROM`, read at each hidden layer's contrastive index, latched in the next layer's first event fetch |
/// | `parameters` | 4 x `3 S` | 16 | the wide layer parameters, [`PARAMETER_LAYOUT`] (`docs/spec.md` §6, Memories) |
///
/// Every memory is a [`Ram`] (block RAM, one cycle of read latency). The sequencer never uses
/// a read of the word written at the same clock edge, which the RAM leaves undefined. With
/// [`CoreOptions::weights_in_spram`], W and C are kept in iCE40 UltraPlus SPRAM
/// ([`RamStyle::Ice40Spram`](crate::memory::RamStyle::Ice40Spram), single port): the sequencer
/// reads W only in the cycles whose word it uses (the host's `READ_W`, integration and learning
/// of a hidden layer), C only in the classifier's integration and learning and in idle cycles
/// without a `WRITE_C`, and neither in a cycle that writes it (the host's writes, the
/// write-back of learning; with paired banks, no bank in a cycle that writes it). With [`CoreOptions::paired_banks`] each lane's bank of W and of C
/// is two (`2P` banks, word `a` in bank `a mod 2P`): integration and learning read only the
/// banks of the group's words, and learning's write-back, three cycles after its group's
/// read, goes to the other banks.
///
/// # Lanes
///
/// With `P` lanes (`s = log2 P`), W, C, `trace_mem` and `current_mem` have `P` banks (W and
/// C `B = 2P` with paired banks, else `B = P`): word `a` is word `a >> log2 B` of bank
/// `a & (B-1)`. Lane `k` handles synapse `index + k` of a row: its weight comes from bank
/// `(row_base + index + k) & (B-1)` through a rotation of the bank outputs, its trace and current from bank `k` (`index` and the classifier's first neuron
/// word are multiples of `P`). The generator is unrolled: lane `k` draws the `(k+1)`-th
/// number of the stream (`k + 1` steps at once, [`Xorshift32Jump`](crate::encoder::Xorshift32Jump)), and the stream advances by the lanes inside the row, so the draws
/// are those of the golden model. Memory sizes round up to whole lanes.
///
/// # Time step
///
/// `STEP` runs `Network::step` of the golden model: encode (one encoder draw per pixel, in
/// order, then the label input), then for each hidden layer in turn integrate its events into
/// the current accumulators (exact sums, saturated to 16 bits when read), update each
/// of its neurons (LIF against `threshold + theta_a + h_n`, homeostasis in CSDP steps, trace,
/// goodness, count; a spike appends the neuron's rows to the next layer's and the classifier's
/// event lists) and adapt its threshold offset; the same for the classifier (homeostasis
/// included, as in the golden model); then CSDP learning of each hidden layer in turn (one
/// learning draw of its generator per synapse of each event row, rows ascending, neurons
/// ascending) and the classifier's delta rule (one classifier draw per synapse). Pixels take
/// two cycles each (address, then data); neurons one each, pipelined (the neuron addressed in
/// one cycle is updated and written back in the next, beside the next neuron's address). The
/// synapse loops are pipelined too, one group of `P` synapses per cycle (two in learning with
/// the weights in SPRAM without paired banks): the group addressed in one cycle is summed into its currents in
/// the next; in learning its weights and drives are registered in the next, rounded in the one
/// after and written back in the fourth, beside the addresses of the groups after it. The
/// prediction (argmax of count, then membrane, lowest index) is tracked during the classifier's update; it is 0 after `PHASE_RESET` and does not
/// follow host writes of classifier state until the next step.
#[derive(Debug, LogicBlock)]
pub struct LearningCore {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Command strobe, one cycle per command, input.
    pub cmd_valid: Signal<In, Bit>,
    /// Operation code ([`Op`](crate::top::host_interface::Op)), 4 bits, input.
    pub cmd_op: Signal<In, Bits<5>>,
    /// Address or register id, [`ADDRESS_BITS`] bits (state addresses and register ids are
    /// its bits 15..0), input.
    pub cmd_addr: Signal<In, Address>,
    /// Write data or `STEP` word, 32 bits, input.
    pub cmd_data: Signal<In, Bits<32>>,
    /// Read response strobe, two cycles after the read command, output.
    pub rsp_valid: Signal<Out, Bit>,
    /// Read response, 32 bits, valid with `rsp_valid`, output.
    pub rsp_data: Signal<Out, Bits<32>>,
    /// A `STEP` or `PHASE_RESET` is running; commands are ignored, output.
    pub busy: Signal<Out, Bit>,

    // Memories.
    pixels: Ram<Bits<8>, 16>,
    // Banked by lane: word `a` of W or C is word `a >> s` of bank `a & (lanes - 1)`, neuron
    // word `a` of the trace and current memories likewise (`s = log2 lanes`).
    hidden_weights: Vec<Ram<Bits<16>, ADDRESS_BITS>>,
    classifier_weights: Vec<Ram<Bits<16>, ADDRESS_BITS>>,

    // Rule widgets: one instance of the neuron rules, one per lane of the synapse rules.
    encoder: BernoulliEncoder,
    // The neuron update's data stages (`NeuronEngine`): LIF, homeostasis, trace, count,
    // goodness and the prediction.
    neuron_engine: NeuronEngine,
    // The answers to host reads (`ReadBack`).
    read_back: ReadBack,
    // Where a host command lands: its weight, neuron and parameter words (`PortDecoder`).
    port_decoder: PortDecoder,
    // The neuron state and current accumulators (`NeuronMemories`).
    neuron_memories: NeuronMemories,
    // The generators' draws (`Draws`).
    draws: Draws,
    // Each hidden layer's contrastive error (`ErrorStage`).
    error_stage: ErrorStage,
    // The event lists of the layers (`EventLists`).
    event_lists: EventLists,
    // The per-layer parameters (`LayerRegisters`).
    layer_registers: LayerRegisters,
    // Learning's stages 2 to 4 (`LearnEngine`): one rule pair and one stochastic rounding
    // per lane serve both rules (the hidden layers and the classifier never learn in the same
    // cycle), and the router to the weight banks.
    learn_engine: LearnEngine,
    // The bank rotation (`LaneRouter`): each lane's bank and each bank's lane and address in
    // stage 1, each lane's weight from its bank in stage 2.
    lane_router: LaneRouter,
    // The synapse pipeline. Stage 1 (the sequencer) addresses a group: its weights, and its
    // currents or traces. Stage 2 has the words: integration adds the weights to the
    // currents and writes them back; in learning, stage 3 and stage 4 (with a late
    // write-back, 5), `learn_engine` registers the lanes' weights and drives, rounds them into
    // the next weights, and routes those to their banks. `synapse_stages` carries each
    // group's layer, lanes and banks down the stages.
    synapse_stages: SynapseStages,
    // The state machine, its counters and strobes (`Sequencer`).
    sequencer: Sequencer,

    // The registers the host reads and writes and the sequencer updates (`StatusRegisters`).
    status: StatusRegisters,

    // Host read pipeline.
    read_pending: DFF<Bit>,
    read_op: DFF<Bits<5>>,
    read_address: DFF<Bits<16>>,
    read_lane: DFF<Bits<16>>,

    // Each lane's number, each weight bank's (the lanes, or twice them with paired banks),
    // and whether W and C are single-port SPRAMs (learning reads and writes them in separate
    // cycles, or separate banks).
    lane_id: Vec<Constant<Bits<16>>>,
    bank_id: Vec<Constant<Bits<16>>>,
    weights_single_port: Constant<Bit>,
}

impl Logic for LearningCore {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, read_pending, read_op, read_address, read_lane);
        clock!(self, clock, pixels);
        for b in 0..self.hidden_weights.len() {
            self.hidden_weights[b].clock.next = self.clock.val();
            self.classifier_weights[b].clock.next = self.clock.val();
        }

        // The sequencer: its commands from the host, the processed layer's events.
        self.sequencer.clock.next = self.clock.val();
        self.sequencer.phase_reset.next = self.port_decoder.phase_reset.val();
        self.sequencer.step.next = self.port_decoder.step.val();
        self.sequencer.step_flags.next = self.cmd_data.val().get_bits::<4>(0);
        self.sequencer.step_label.next = self.cmd_data.val().get_bits::<6>(8);
        self.sequencer.step_input.next = self.cmd_data.val().get_bits::<6>(16);
        self.sequencer.event_count.next = self.event_lists.event_count.val();
        self.sequencer.event_row.next = self.event_lists.row.val();
        self.layer_registers.clock.next = self.clock.val();
        self.layer_registers.write.next = false;
        self.layer_registers.addr.next = self.cmd_addr.val().get_bits::<16>(0);
        self.layer_registers.data.next = self.cmd_data.val();
        self.layer_registers.read_group.next = self.sequencer.read_group.val();
        self.layer_registers.classifier.next = self.sequencer.classifier.val();
        self.layer_registers.hidden.next = self.sequencer.hidden.val();
        self.layer_registers.stage_classifier.next = self.synapse_stages.stage_classifier.val();
        self.layer_registers.stage_hidden.next = self.synapse_stages.stage_hidden.val();

        // Where a host command lands (`PortDecoder`).
        self.port_decoder.op.next = self.cmd_op.val();
        self.port_decoder.addr.next = self.cmd_addr.val();
        self.port_decoder.valid.next = self.cmd_valid.val() && self.sequencer.idle.val();

        // Lanes: lane `k` takes synapse `index + k` of the row, its
        // weight from the bank the router gives it; lanes past the row's end do nothing.
        self.lane_router.row.next = self.sequencer.event_base.val();
        self.lane_router.index.next = self.sequencer.index.val();
        self.lane_router.size.next = self.sequencer.size.val();
        // The pipeline's later stages work on the groups addressed in the cycles before.
        self.synapse_stages.clock.next = self.clock.val();
        self.synapse_stages.integrate.next = self.sequencer.integrate.val();
        self.synapse_stages.learn.next = self.sequencer.learn.val();
        self.synapse_stages.first_row.next = !self.sequencer.event_index.val().any();
        self.synapse_stages.neuron_word.next = self.sequencer.neuron_word.val();
        self.synapse_stages.classifier.next = self.sequencer.classifier.val();
        self.synapse_stages.hidden.next = self.sequencer.hidden.val();
        self.synapse_stages.index.next = self.sequencer.index.val();
        self.synapse_stages.label.next = self.sequencer.classifier_label.val();
        for k in 0..self.lane_id.len() {
            self.synapse_stages.lane_valid[k].next = self.lane_router.lane_valid[k].val();
            self.synapse_stages.lane_bank[k].next = self.lane_router.lane_bank[k].val();
        }
        for b in 0..self.bank_id.len() {
            self.synapse_stages.bank_lane[b].next = self.lane_router.bank_lane[b].val();
            self.synapse_stages.bank_address[b].next = self.lane_router.bank_address[b].val();
        }
        self.lane_router.classifier.next = self.sequencer.classifier.val();
        for k in 0..self.lane_id.len() {
            self.lane_router.weight_bank[k].next = self.synapse_stages.stage_lane_bank[k].val();
        }
        for b in 0..self.bank_id.len() {
            self.lane_router.hidden_weight[b].next = self.hidden_weights[b].read_data.val();
            self.lane_router.classifier_weight[b].next = self.classifier_weights[b].read_data.val();
        }

        // The neuron memories: the sequencer's words, the host's, the neuron update's
        // write-back and integration's stage 2 (`NeuronMemories`).
        self.neuron_memories.clock.next = self.clock.val();
        self.neuron_memories.host.next = self.sequencer.idle.val();
        self.neuron_memories.host_address.next = self.port_decoder.neuron_address.val();
        self.neuron_memories.host_word.next = self.port_decoder.neuron_word.val();
        self.neuron_memories.host_lane.next = self.port_decoder.neuron_lane.val();
        self.neuron_memories.data.next = self.cmd_data.val().get_bits::<16>(0);
        self.neuron_memories.write_membrane.next = self.port_decoder.write_membrane.val();
        self.neuron_memories.write_refractory.next = self.port_decoder.write_refractory.val();
        self.neuron_memories.write_trace.next = self.port_decoder.write_trace.val();
        self.neuron_memories.write_homeostasis.next = self.port_decoder.write_homeostasis.val();
        self.neuron_memories.write_count.next = self.port_decoder.write_count.val();
        self.neuron_memories.address.next = self.sequencer.neuron_address.val();
        self.neuron_memories.word.next = self.sequencer.neuron_word.val();
        self.neuron_memories.lane.next = self.sequencer.neuron_lane.val();
        self.neuron_memories.clear.next = self.sequencer.clear.val();
        self.neuron_memories.writeback.next = self.neuron_engine.valid.val();
        self.neuron_memories.at.next = self.neuron_engine.at.val();
        self.neuron_memories.v_next.next = self.neuron_engine.v_next.val();
        self.neuron_memories.refractory_next.next = self.neuron_engine.refractory_next.val();
        self.neuron_memories.h_next.next = self.neuron_engine.h_next.val();
        self.neuron_memories.h_write.next = self.sequencer.csdp.val();
        self.neuron_memories.count_next.next = self.neuron_engine.count_next.val();
        self.neuron_memories.trace_next.next = self.neuron_engine.trace_next.val();
        self.neuron_memories.integrate.next = self.synapse_stages.integrate_stage.val();
        self.neuron_memories.stage_word.next = self.synapse_stages.stage_neuron_word.val();
        self.neuron_memories.first_row.next = self.synapse_stages.stage_first_row.val();
        for k in 0..self.lane_id.len() {
            self.neuron_memories.lane_valid[k].next = self.synapse_stages.stage_lane_valid[k].val();
            self.neuron_memories.weight[k].next = self.lane_router.weight[k].val();
        }
        self.neuron_memories.stage_address.next = self.sequencer.stage_address.val();

        // The neuron update's data stages.
        self.neuron_engine.clock.next = self.clock.val();
        self.neuron_engine.read_valid.next = self.sequencer.neuron_valid.val();
        self.neuron_engine.read_neuron.next = self.sequencer.stage_index.val();
        self.neuron_engine.read_address.next = self.sequencer.stage_address.val();
        self.neuron_engine.read_v.next = self.neuron_memories.v.val();
        self.neuron_engine.read_refractory.next = self.neuron_memories.refractory.val();
        self.neuron_engine.read_current.next = self.neuron_memories.stage_current.val();
        self.neuron_engine.no_events.next = !self.event_lists.event_count.val().any();
        self.neuron_engine.threshold.next = self.layer_registers.threshold.val();
        self.neuron_engine.offset.next = self.status.offset.val();
        self.neuron_engine.read_h.next = self.neuron_memories.h.val();
        self.neuron_engine.read_count.next = self.neuron_memories.count.val();
        self.neuron_engine.read_trace.next = self.neuron_memories.stage_trace.val();
        self.neuron_engine.leak_shift.next = self.layer_registers.leak_shift.val();
        self.neuron_engine.refractory_period.next = self.layer_registers.refractory.val();
        self.neuron_engine.homeostasis_step.next = self.layer_registers.homeostasis_step.val();
        self.neuron_engine.homeostasis_decay.next = self.layer_registers.homeostasis_decay.val();
        self.neuron_engine.homeostasis_max.next = self.layer_registers.homeostasis_max.val();
        self.neuron_engine.trace_shift.next = self.layer_registers.trace_shift.val();
        self.neuron_engine.classifier.next = self.sequencer.classifier.val();
        self.neuron_engine.start.next = self.sequencer.layer_end.val();
        self.neuron_engine.clear_prediction.next = self.port_decoder.phase_reset.val();
        self.neuron_engine.adapt_step.next = self.layer_registers.adapt_step.val();
        self.neuron_engine.adapt_target.next = self.layer_registers.adapt_target.val();
        self.neuron_engine.adapt_min.next = self.layer_registers.adapt_min.val();
        self.neuron_engine.adapt_max.next = self.layer_registers.adapt_max.val();

        // Learning: contrastive error, annealed learning shifts (capped at 24), the two rules.
        // A hidden layer's sigmoid index is latched at the first event fetch of the layer
        // after it (`error_layer`), from its goodness and its goodness threshold (read in its
        // Adapt); its error in the Error state before its learning, from the sigmoid word
        // read at its index (addressed in the cycle before).
        self.error_stage.clock.next = self.clock.val();
        self.error_stage.classifier.next = self.sequencer.classifier.val();
        self.error_stage.hidden.next = self.sequencer.hidden.val();
        self.error_stage.goodness.next = self.status.error_goodness.val();
        self.error_stage.threshold.next = self.layer_registers.goodness_threshold.val();
        self.error_stage.positive.next = self.sequencer.positive.val();
        self.error_stage.latch_index.next = self.sequencer.latch_index.val();
        self.error_stage.latch_error.next = self.sequencer.latch_error.val();
        // The generators' draws (`Draws`): the encoder's, and the learning lanes' for the
        // group reaching stage 3.
        self.draws.clock.next = self.clock.val();
        self.draws.encode.next = self.sequencer.encode.val();
        self.draws.encoder_state.next = self.status.encoder_state.val();
        self.draws.stage_state.next = self.status.stage_learn_state.val();
        self.draws.round_stage.next = self.synapse_stages.round_stage.val();
        for k in 0..self.lane_id.len() {
            self.draws.round_lane_valid[k].next = self.synapse_stages.round_lane_valid[k].val();
        }
        self.encoder.intensity.next = self.pixels.read_data.val();
        self.encoder.random.next = self.draws.encoder_next.val();
        // Learning's stages 2 to 4: the lanes' rules and roundings, and the bank router.
        self.learn_engine.clock.next = self.clock.val();
        self.learn_engine.classifier.next = self.synapse_stages.stage_classifier.val();
        self.learn_engine.error.next = self.error_stage.error.val();
        // The shifts of the layer of the group in stage 2 (host writes happen only while the
        // pipeline is empty).
        self.learn_engine.learn_shift.next = self.layer_registers.learn_shift.val();
        self.learn_engine.decay_shift.next = self.layer_registers.decay_shift.val();
        self.learn_engine.anneal.next = self.status.anneal.val();
        self.learn_engine.w_max.next = self.status.w_max.val();
        for k in 0..self.lane_id.len() {
            self.learn_engine.weight[k].next = self.lane_router.weight[k].val();
            self.learn_engine.trace[k].next = self.neuron_memories.trace[k].val();
            self.learn_engine.target[k].next = self.synapse_stages.stage_target[k].val();
            self.learn_engine.draw[k].next = self.draws.draw[k].val();
            self.learn_engine.lane_valid[k].next = self.synapse_stages.round_lane_valid[k].val();
        }
        for b in 0..self.bank_id.len() {
            self.learn_engine.bank_lane[b].next = self.synapse_stages.round_bank_lane[b].val();
        }

        // Memory ports: the sequencer's addresses; every memory but W reads each cycle; no
        // writes unless a state below enables one.
        self.pixels.read_address.next = self.sequencer.index.val();
        self.pixels.write_address.next = self.cmd_addr.val().get_bits::<16>(0);
        self.pixels.write_data.next = self.cmd_data.val().get_bits::<8>(0);
        self.pixels.read_enable.next = true;
        self.pixels.write_enable.next = false;
        // Weight banks: bank b reads and writes the word of lane `bank_lane[b]`. W is read only
        // where its word is used, C in every cycle unless it is single-port; neither in a cycle
        // that writes it (they may be single-port SPRAMs).
        for b in 0..self.bank_id.len() {
            self.hidden_weights[b].write_data.next = self.learn_engine.bank_weight[b].val();
            self.classifier_weights[b].write_data.next = self.learn_engine.bank_weight[b].val();
            self.hidden_weights[b].read_address.next = self.lane_router.bank_address[b].val();
            self.hidden_weights[b].write_address.next =
                self.synapse_stages.commit_bank_address[b].val();
            self.hidden_weights[b].read_enable.next = false;
            self.hidden_weights[b].write_enable.next = false;
            self.classifier_weights[b].read_address.next = self.lane_router.bank_address[b].val();
            self.classifier_weights[b].write_address.next =
                self.synapse_stages.commit_bank_address[b].val();
            self.classifier_weights[b].read_enable.next = !self.weights_single_port.val();
            self.classifier_weights[b].write_enable.next = false;
        }
        // The event lists: the sequencer's strobes (raised by the states below).
        self.event_lists.clock.next = self.clock.val();
        self.event_lists.start.next = self.port_decoder.step.val();
        self.event_lists.phase_reset.next = self.port_decoder.phase_reset.val();
        self.event_lists.classifier.next = self.sequencer.classifier.val();
        self.event_lists.hidden.next = self.sequencer.hidden.val();
        self.event_lists.has_next.next = self.sequencer.has_next.val();
        self.event_lists.event_index.next = self.sequencer.event_index.val();
        self.event_lists.pixel.next = self.sequencer.encode.val();
        self.event_lists.pixel_spike.next = self.encoder.spike.val();
        self.event_lists.label.next = self.sequencer.label.val();
        self.event_lists.label_enable.next = self.sequencer.label_enable.val();
        self.event_lists.label_input.next = self.sequencer.label_input.val();
        self.event_lists.index.next = self.sequencer.index.val();
        self.event_lists.layer_end.next = self.sequencer.layer_end.val();
        self.event_lists.label_append.next = self.sequencer.label_append.val();
        self.event_lists.neuron.next =
            self.neuron_engine.valid.val() && !self.sequencer.classifier.val();
        self.event_lists.neuron_spike.next = self.neuron_engine.spike.val();

        // The status registers: written by the host, `PHASE_RESET`, the encoder, the threshold
        // adaptation and learning's stage 3.
        self.status.clock.next = self.clock.val();
        self.status.host_write.next = false;
        self.status.addr.next = self.cmd_addr.val().get_bits::<16>(0);
        self.status.data.next = self.cmd_data.val();
        self.status.clear.next = self.port_decoder.phase_reset.val();
        self.status.encoder_write.next = self.sequencer.encode.val();
        self.status.encoder_next.next = self.draws.encoder_next.val();
        self.status.classifier.next = self.sequencer.classifier.val();
        self.status.hidden.next = self.sequencer.hidden.val();
        self.status.adapt_write.next = self.sequencer.adapt.val();
        self.status.offset_next.next = self.neuron_engine.offset_next.val();
        // The layer's goodness with the last neuron's term (pending in Adapt, which stores it).
        self.status.goodness_next.next = self.neuron_engine.goodness.val();
        self.status.error_layer.next = self.error_stage.error_layer.val();
        self.status.stage_classifier.next = self.synapse_stages.stage_classifier.val();
        self.status.stage_hidden.next = self.synapse_stages.stage_hidden.val();
        self.status.round_write.next = self.synapse_stages.round_stage.val();
        self.status.round_classifier.next = self.synapse_stages.round_classifier.val();
        self.status.round_hidden.next = self.synapse_stages.round_hidden.val();
        self.status.round_next.next = self.draws.next_state.val();

        // Host reads: the word addressed in the command cycle is in the RAMs' read registers in
        // the next cycle, then in the response register.
        self.read_pending.d.next = false;
        self.read_back.clock.next = self.clock.val();
        self.read_back.pending.next = self.read_pending.q.val();
        self.read_back.op.next = self.read_op.q.val();
        self.read_back.address.next = self.read_address.q.val();
        self.read_back.lane.next = self.read_lane.q.val();
        self.read_back.pixel.next = self.pixels.read_data.val();
        for b in 0..self.bank_id.len() {
            self.read_back.weight[b].next = self.hidden_weights[b].read_data.val();
            self.read_back.classifier_weight[b].next = self.classifier_weights[b].read_data.val();
        }
        for k in 0..self.lane_id.len() {
            self.read_back.trace[k].next = self.neuron_memories.trace[k].val();
        }
        self.read_back.membrane.next = self.neuron_memories.v.val();
        self.read_back.refractory.next = self.neuron_memories.refractory.val();
        self.read_back.homeostasis.next = self.neuron_memories.h.val();
        self.read_back.count.next = self.neuron_memories.count.val();
        for l in 0..self.status.hidden_offset.len() {
            self.read_back.hidden_offset[l].next = self.status.hidden_offset[l].val();
            self.read_back.hidden_goodness[l].next = self.status.hidden_goodness[l].val();
            self.read_back.learn_state[l].next = self.status.learn_state[l].val();
        }
        self.read_back.classifier_offset.next = self.status.classifier_offset.val();
        self.read_back.classifier_goodness.next = self.status.classifier_goodness.val();
        self.read_back.classifier_state.next = self.status.classifier_state.val();
        self.read_back.encoder_state.next = self.status.encoder_state.val();
        self.read_back.prediction.next = self.neuron_engine.prediction.val();
        self.rsp_valid.next = self.read_back.rsp_valid.val();
        self.rsp_data.next = self.read_back.rsp_data.val();
        self.busy.next = !self.sequencer.idle.val();

        // While idle, the RAMs read what the host addresses and its writes land.
        if self.sequencer.idle.val() {
            self.pixels.read_address.next = self.cmd_addr.val().get_bits::<16>(0);
            self.read_lane.d.next = self.port_decoder.lane.val();
            for b in 0..self.bank_id.len() {
                self.hidden_weights[b].read_address.next = self.port_decoder.weight_word.val();
                self.hidden_weights[b].write_address.next = self.port_decoder.weight_word.val();
                self.hidden_weights[b].write_data.next = self.cmd_data.val().get_bits::<16>(0);
                self.classifier_weights[b].read_address.next = self.port_decoder.weight_word.val();
                self.classifier_weights[b].write_address.next = self.port_decoder.weight_word.val();
                self.classifier_weights[b].write_data.next = self.cmd_data.val().get_bits::<16>(0);
            }
            // The command's strobes (`PortDecoder`).
            for b in 0..self.bank_id.len() {
                self.hidden_weights[b].write_enable.next =
                    self.port_decoder.write_hidden_weight.val()
                        && (self.port_decoder.lane.val() == self.bank_id[b].val());
                self.hidden_weights[b].read_enable.next =
                    self.port_decoder.read_hidden_weight.val();
                self.classifier_weights[b].write_enable.next =
                    self.port_decoder.write_classifier_weight.val()
                        && (self.port_decoder.lane.val() == self.bank_id[b].val());
                self.classifier_weights[b].read_enable.next = !(self.weights_single_port.val()
                    && self.port_decoder.write_classifier_weight.val());
            }
            self.pixels.write_enable.next = self.port_decoder.write_pixel.val();
            self.layer_registers.write.next = self.port_decoder.write_register.val();
            self.status.host_write.next = self.port_decoder.write_register.val();
            if self.port_decoder.read.val() {
                self.read_pending.d.next = true;
                self.read_op.d.next = self.port_decoder.read_op.val();
                self.read_address.d.next = self.cmd_addr.val().get_bits::<16>(0);
            }
        }
        // Integration and learning read the group's weights: W for a hidden layer, C for the
        // classifier (and in every cycle unless it is single-port); with paired banks only
        // the group's banks, so that learning writes the others.
        if self.sequencer.synapse_read.val() {
            for b in 0..self.bank_id.len() {
                self.hidden_weights[b].read_enable.next =
                    !self.sequencer.classifier.val() && self.lane_router.bank_read[b].val();
                self.classifier_weights[b].read_enable.next = (self.sequencer.classifier.val()
                    && self.lane_router.bank_read[b].val())
                    || !self.weights_single_port.val();
            }
        }
        // Learning's write-back to the weight banks.
        if self.synapse_stages.commit_stage.val() {
            for b in 0..self.bank_id.len() {
                self.hidden_weights[b].write_address.next =
                    self.synapse_stages.commit_bank_address[b].val();
                self.hidden_weights[b].write_data.next = self.learn_engine.bank_weight[b].val();
                self.classifier_weights[b].write_address.next =
                    self.synapse_stages.commit_bank_address[b].val();
                self.classifier_weights[b].write_data.next = self.learn_engine.bank_weight[b].val();
                if self.synapse_stages.commit_classifier.val() {
                    self.classifier_weights[b].write_enable.next =
                        self.learn_engine.bank_write[b].val();
                } else {
                    self.hidden_weights[b].write_enable.next =
                        self.learn_engine.bank_write[b].val();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
