//! [`NeuronEngine`]: the data stages of the learning core's neuron update, one neuron per
//! cycle: the LIF rule, the homeostatic threshold, the trace, the spike count, the layer's
//! goodness and the classifier's prediction.
use crate::hw::SignExtend;
use crate::neuron::{
    AdaptChange, AdaptClamp, ArgmaxStep, GoodnessAccumulate, HomeostasisDecay, HomeostasisRaise,
    LifFire, LifLeak, TraceUpdate, CHANGE_BITS,
};
use rust_hdl::prelude::*;

/// The neuron update's data stages (`docs/spec.md` §6). The sequencer addresses neuron
/// `index` in every neuron memory; a cycle later the engine has its words (`read_*`) and,
/// in its last data stage, gives the neuron's next state (`v_next` ... `trace_next`, `spike`)
/// with its address (`at`) while `valid`, for the core to write back and to append its spike
/// to the event lists. With `split_neuron` the data stage is two: the first computes the LIF
/// leak ([`LifLeak`]) and the homeostatic decay ([`HomeostasisDecay`]) and registers them
/// with the words, the second fires ([`LifFire`]), raises the homeostatic term
/// ([`HomeostasisRaise`]) and updates the rest. The layer's parameters hold over both stages.
/// The prediction's comparison takes the cycle after the last data stage, from its results
/// registered (the ranking stage: it takes the chip's critical path at the UP5K's 12 MHz,
/// the spike count's and membrane's comparisons after the LIF update, out of one cycle).
///
/// The engine counts the layer's spikes and gives its adaptive threshold's next offset from
/// them ([`AdaptChange`], [`AdaptClamp`]; with `split_neuron` the change is registered between
/// the two, a cycle before the core stores it).
///
/// The engine also sums the layer's goodness (a cycle behind the neurons: `goodness` includes
/// the last neuron's term from the cycle after its data stage on) and tracks the classifier's
/// prediction (the neuron of the highest spike count, then membrane, lowest index).
#[derive(Debug, LogicBlock)]
pub struct NeuronEngine {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// The words of neuron `read_neuron` are on `read_*` (the sequencer addressed it in the
    /// cycle before).
    pub read_valid: Signal<In, Bit>,
    /// The neuron's index in its layer.
    pub read_neuron: Signal<In, Bits<16>>,
    /// The neuron's address in the neuron memories.
    pub read_address: Signal<In, Bits<16>>,
    /// Its membrane potential.
    pub read_v: Signal<In, Bits<16>>,
    /// Its refractory counter.
    pub read_refractory: Signal<In, Bits<8>>,
    /// Its input current accumulator, signed, sign-extended to 32 bits (saturated to 16 bits
    /// here).
    pub read_current: Signal<In, Bits<32>>,
    /// The layer had no event rows this step: no current.
    pub no_events: Signal<In, Bit>,
    /// The layer's base threshold, 16-bit signed.
    pub threshold: Signal<In, Bits<16>>,
    /// The layer's adaptive threshold offset, 16-bit signed.
    pub offset: Signal<In, Bits<16>>,
    /// Its homeostatic term.
    pub read_h: Signal<In, Bits<16>>,
    /// Its spike count.
    pub read_count: Signal<In, Bits<16>>,
    /// Its trace.
    pub read_trace: Signal<In, Bits<8>>,
    /// The layer's leak shift.
    pub leak_shift: Signal<In, Bits<4>>,
    /// The layer's refractory period.
    pub refractory_period: Signal<In, Bits<8>>,
    /// The layer's homeostatic step.
    pub homeostasis_step: Signal<In, Bits<16>>,
    /// The layer's homeostatic decay shift.
    pub homeostasis_decay: Signal<In, Bits<4>>,
    /// The layer's homeostatic bound.
    pub homeostasis_max: Signal<In, Bits<16>>,
    /// The layer's trace shift.
    pub trace_shift: Signal<In, Bits<3>>,
    /// The layer's adaptive threshold step.
    pub adapt_step: Signal<In, Bits<16>>,
    /// The layer's target spike count.
    pub adapt_target: Signal<In, Bits<16>>,
    /// The layer's least offset.
    pub adapt_min: Signal<In, Bits<16>>,
    /// The layer's greatest offset.
    pub adapt_max: Signal<In, Bits<16>>,
    /// The layer is the classifier (its neurons rank for the prediction).
    pub classifier: Signal<In, Bit>,
    /// A layer's update starts: its goodness sum restarts at 0.
    pub start: Signal<In, Bit>,
    /// `PHASE_RESET`: the prediction returns to 0.
    pub clear_prediction: Signal<In, Bit>,
    /// The last data stage holds a neuron.
    pub valid: Signal<Out, Bit>,
    /// Its address in the neuron memories.
    pub at: Signal<Out, Bits<16>>,
    /// Its next membrane potential.
    pub v_next: Signal<Out, Bits<16>>,
    /// Its next refractory counter.
    pub refractory_next: Signal<Out, Bits<8>>,
    /// Its next homeostatic term.
    pub h_next: Signal<Out, Bits<16>>,
    /// Its next spike count (saturating).
    pub count_next: Signal<Out, Bits<16>>,
    /// Its next trace.
    pub trace_next: Signal<Out, Bits<8>>,
    /// It fires.
    pub spike: Signal<Out, Bit>,
    /// The layer's goodness: the saturating sum of the squared next traces so far.
    pub goodness: Signal<Out, Bits<32>>,
    /// The layer's next adaptive threshold offset, from its spikes so far.
    pub offset_next: Signal<Out, Bits<16>>,
    /// The classifier's prediction.
    pub prediction: Signal<Out, Bits<16>>,
    // The current saturated to 16 bits (it fits when bits 31..15 are all equal), and the
    // effective threshold `threshold + offset + h` on 18 bits.
    current_high: Signal<Local, Bits<17>>,
    current: Signal<Local, Bits<16>>,
    effective_threshold: Signal<Local, Bits<18>>,
    threshold_wide: SignExtend<16, 18>,
    offset_wide: SignExtend<16, 18>,
    current_max: Constant<Bits<16>>,
    current_min: Constant<Bits<16>>,
    lif_leak: LifLeak,
    lif: LifFire,
    decay: HomeostasisDecay,
    raise: HomeostasisRaise,
    trace_update: TraceUpdate,
    goodness_step: GoodnessAccumulate,
    argmax: ArgmaxStep,
    // With `split_neuron`: the words, registered (the memories' outputs, the current's
    // saturation and the threshold sum take a cycle of their own).
    word_valid: DFF<Bit>,
    word_neuron: DFF<Bits<16>>,
    word_address: DFF<Bits<16>>,
    word_v: DFF<Bits<16>>,
    word_refractory: DFF<Bits<8>>,
    word_current: DFF<Bits<16>>,
    word_threshold: DFF<Bits<18>>,
    word_h: DFF<Bits<16>>,
    word_count: DFF<Bits<16>>,
    word_trace: DFF<Bits<8>>,
    // The first data stage's inputs: the words, or with `split_neuron` their registers.
    first_valid: Signal<Local, Bit>,
    first_neuron: Signal<Local, Bits<16>>,
    first_address: Signal<Local, Bits<16>>,
    first_v: Signal<Local, Bits<16>>,
    first_refractory: Signal<Local, Bits<8>>,
    first_current: Signal<Local, Bits<16>>,
    first_threshold: Signal<Local, Bits<18>>,
    first_h: Signal<Local, Bits<16>>,
    first_count: Signal<Local, Bits<16>>,
    first_trace: Signal<Local, Bits<8>>,
    // With `split_neuron`: the first data stage's values, registered.
    stage_valid: DFF<Bit>,
    stage_neuron: DFF<Bits<16>>,
    stage_address: DFF<Bits<16>>,
    stage_v: DFF<Bits<16>>,
    stage_leak: DFF<Bits<17>>,
    stage_refractory: DFF<Bits<8>>,
    stage_threshold: DFF<Bits<18>>,
    stage_decayed: DFF<Bits<16>>,
    stage_count: DFF<Bits<16>>,
    stage_trace: DFF<Bits<8>>,
    // The last data stage's inputs: the words, or the first stage's registers.
    neuron: Signal<Local, Bits<16>>,
    v: Signal<Local, Bits<16>>,
    count: Signal<Local, Bits<16>>,
    count_inc: Signal<Local, Bits<16>>,
    // The goodness sum, its pending term (the trace of the neuron updated in the cycle
    // before) and the sum with that term.
    goodness_acc: DFF<Bits<32>>,
    goodness_trace: DFF<Bits<8>>,
    goodness_pending: DFF<Bit>,
    // The prediction's comparison is a stage of its own: the classifier neuron's count,
    // membrane and index, registered.
    rank_valid: DFF<Bit>,
    rank_count: DFF<Bits<16>>,
    rank_v: DFF<Bits<16>>,
    rank_neuron: DFF<Bits<16>>,
    best_count: DFF<Bits<16>>,
    best_membrane: DFF<Bits<16>>,
    best_neuron: DFF<Bits<16>>,
    // The layer's spikes (restarting with it) and its threshold adaptation.
    spike_total: DFF<Bits<16>>,
    spike_total_q: Signal<Local, Bits<16>>,
    count_mask: Constant<Bits<16>>,
    adapt: AdaptChange,
    adapt_clamp: AdaptClamp,
    adapt_magnitude: DFF<Bits<CHANGE_BITS>>,
    adapt_negative: DFF<Bit>,
    split_neuron: Constant<Bit>,
}

impl NeuronEngine {
    /// The engine; with `split_neuron`, two data stages (and always a ranking stage). The layer's
    /// spike count is read through `count_mask` (the bits of the largest layer's count).
    pub fn new(split_neuron: bool, count_mask: Constant<Bits<16>>) -> Self {
        Self {
            clock: Signal::default(),
            read_valid: Signal::default(),
            read_neuron: Signal::default(),
            read_address: Signal::default(),
            read_v: Signal::default(),
            read_refractory: Signal::default(),
            read_current: Signal::default(),
            no_events: Signal::default(),
            threshold: Signal::default(),
            offset: Signal::default(),
            read_h: Signal::default(),
            read_count: Signal::default(),
            read_trace: Signal::default(),
            leak_shift: Signal::default(),
            refractory_period: Signal::default(),
            homeostasis_step: Signal::default(),
            homeostasis_decay: Signal::default(),
            homeostasis_max: Signal::default(),
            trace_shift: Signal::default(),
            adapt_step: Signal::default(),
            adapt_target: Signal::default(),
            adapt_min: Signal::default(),
            adapt_max: Signal::default(),
            offset_next: Signal::default(),
            classifier: Signal::default(),
            start: Signal::default(),
            clear_prediction: Signal::default(),
            valid: Signal::default(),
            at: Signal::default(),
            neuron: Signal::default(),
            v_next: Signal::default(),
            refractory_next: Signal::default(),
            h_next: Signal::default(),
            count_next: Signal::default(),
            trace_next: Signal::default(),
            spike: Signal::default(),
            goodness: Signal::default(),
            prediction: Signal::default(),
            current_high: Signal::default(),
            current: Signal::default(),
            effective_threshold: Signal::default(),
            threshold_wide: SignExtend::new(),
            offset_wide: SignExtend::new(),
            current_max: Constant::new(u64::from(i16::MAX.unsigned_abs()).into()),
            current_min: Constant::new(0x8000u64.into()),
            lif_leak: LifLeak::new(),
            lif: LifFire::new(),
            decay: HomeostasisDecay::new(),
            raise: HomeostasisRaise::new(),
            trace_update: TraceUpdate::new(),
            goodness_step: GoodnessAccumulate::new(),
            argmax: ArgmaxStep::new(),
            word_valid: DFF::default(),
            word_neuron: DFF::default(),
            word_address: DFF::default(),
            word_v: DFF::default(),
            word_refractory: DFF::default(),
            word_current: DFF::default(),
            word_threshold: DFF::default(),
            word_h: DFF::default(),
            word_count: DFF::default(),
            word_trace: DFF::default(),
            first_valid: Signal::default(),
            first_neuron: Signal::default(),
            first_address: Signal::default(),
            first_v: Signal::default(),
            first_refractory: Signal::default(),
            first_current: Signal::default(),
            first_threshold: Signal::default(),
            first_h: Signal::default(),
            first_count: Signal::default(),
            first_trace: Signal::default(),
            stage_valid: DFF::default(),
            stage_neuron: DFF::default(),
            stage_address: DFF::default(),
            stage_v: DFF::default(),
            stage_leak: DFF::default(),
            stage_refractory: DFF::default(),
            stage_threshold: DFF::default(),
            stage_decayed: DFF::default(),
            stage_count: DFF::default(),
            stage_trace: DFF::default(),
            v: Signal::default(),
            count: Signal::default(),
            count_inc: Signal::default(),
            goodness_acc: DFF::default(),
            goodness_trace: DFF::default(),
            goodness_pending: DFF::default(),
            rank_valid: DFF::default(),
            rank_count: DFF::default(),
            rank_v: DFF::default(),
            rank_neuron: DFF::default(),
            best_count: DFF::default(),
            best_membrane: DFF::default(),
            best_neuron: DFF::default(),
            spike_total: DFF::default(),
            spike_total_q: Signal::default(),
            count_mask,
            adapt: AdaptChange::new(),
            adapt_clamp: AdaptClamp::new(),
            adapt_magnitude: DFF::default(),
            adapt_negative: DFF::default(),
            split_neuron: Constant::new(split_neuron),
        }
    }
}

impl Logic for NeuronEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            word_valid,
            word_neuron,
            word_address,
            word_v,
            word_refractory,
            word_current,
            word_threshold,
            word_h,
            word_count,
            word_trace,
            stage_valid,
            stage_neuron,
            stage_address,
            stage_v,
            stage_leak,
            stage_refractory,
            stage_threshold,
            stage_decayed,
            stage_count,
            stage_trace,
            goodness_acc,
            goodness_trace,
            goodness_pending,
            rank_valid,
            rank_count,
            rank_v,
            rank_neuron,
            best_count,
            best_membrane,
            best_neuron,
            spike_total,
            adapt_magnitude,
            adapt_negative
        );
        // The current saturates to 16 bits (it fits when bits 31..15 are all equal); no event
        // rows means no current.
        self.current_high.next = self.read_current.val().get_bits::<17>(15);
        self.current.next = self.read_current.val().get_bits::<16>(0);
        if !self.current_high.val().all() && self.current_high.val().any() {
            self.current.next = self.current_max.val();
            if self.read_current.val().get_bit(31) {
                self.current.next = self.current_min.val();
            }
        }
        if self.no_events.val() {
            self.current.next = bits::<16>(0);
        }
        // The effective threshold `theta + theta_a + h_n` on 18 bits.
        self.threshold_wide.value.next = signed_cast(self.threshold.val());
        self.offset_wide.value.next = signed_cast(self.offset.val());
        self.effective_threshold.next = (unsigned_cast(self.threshold_wide.result.val())
            + unsigned_cast(self.offset_wide.result.val()))
            + bit_cast::<18, 16>(self.read_h.val());
        // The words, registered with `split_neuron`.
        self.word_valid.d.next = self.read_valid.val();
        self.word_neuron.d.next = self.read_neuron.val();
        self.word_address.d.next = self.read_address.val();
        self.word_v.d.next = self.read_v.val();
        self.word_refractory.d.next = self.read_refractory.val();
        self.word_current.d.next = self.current.val();
        self.word_threshold.d.next = self.effective_threshold.val();
        self.word_h.d.next = self.read_h.val();
        self.word_count.d.next = self.read_count.val();
        self.word_trace.d.next = self.read_trace.val();
        self.first_valid.next = self.read_valid.val();
        self.first_neuron.next = self.read_neuron.val();
        self.first_address.next = self.read_address.val();
        self.first_v.next = self.read_v.val();
        self.first_refractory.next = self.read_refractory.val();
        self.first_current.next = self.current.val();
        self.first_threshold.next = self.effective_threshold.val();
        self.first_h.next = self.read_h.val();
        self.first_count.next = self.read_count.val();
        self.first_trace.next = self.read_trace.val();
        if self.split_neuron.val() {
            self.first_valid.next = self.word_valid.q.val();
            self.first_neuron.next = self.word_neuron.q.val();
            self.first_address.next = self.word_address.q.val();
            self.first_v.next = self.word_v.q.val();
            self.first_refractory.next = self.word_refractory.q.val();
            self.first_current.next = self.word_current.q.val();
            self.first_threshold.next = self.word_threshold.q.val();
            self.first_h.next = self.word_h.q.val();
            self.first_count.next = self.word_count.q.val();
            self.first_trace.next = self.word_trace.q.val();
        }
        // The leak and the homeostatic decay, from the words; registered with them for a second data stage.
        self.lif_leak.v.next = signed_cast(self.first_v.val());
        self.lif_leak.j.next = signed_cast(self.first_current.val());
        self.lif_leak.leak_shift.next = self.leak_shift.val();
        self.stage_valid.d.next = self.first_valid.val();
        self.stage_neuron.d.next = self.first_neuron.val();
        self.stage_address.d.next = self.first_address.val();
        self.stage_v.d.next = self.first_v.val();
        self.stage_leak.d.next = self.lif_leak.leak.val();
        self.stage_refractory.d.next = self.first_refractory.val();
        self.stage_threshold.d.next = self.first_threshold.val();
        self.decay.h.next = self.first_h.val();
        self.decay.decay_shift.next = self.homeostasis_decay.val();
        self.stage_decayed.d.next = self.decay.decayed.val();
        self.stage_count.d.next = self.first_count.val();
        self.stage_trace.d.next = self.first_trace.val();
        // The last data stage: the words, or with `split_neuron` the first stage's registers.
        self.valid.next = self.first_valid.val();
        self.at.next = self.first_address.val();
        self.neuron.next = self.first_neuron.val();
        self.v.next = self.first_v.val();
        self.count.next = self.first_count.val();
        self.lif.leak.next = self.lif_leak.leak.val();
        self.lif.refractory.next = self.first_refractory.val();
        self.lif.threshold.next = signed_cast(self.first_threshold.val());
        self.raise.decayed.next = self.decay.decayed.val();
        self.trace_update.trace.next = self.first_trace.val();
        if self.split_neuron.val() {
            self.valid.next = self.stage_valid.q.val();
            self.at.next = self.stage_address.q.val();
            self.neuron.next = self.stage_neuron.q.val();
            self.v.next = self.stage_v.q.val();
            self.count.next = self.stage_count.q.val();
            self.lif.leak.next = self.stage_leak.q.val();
            self.lif.refractory.next = self.stage_refractory.q.val();
            self.lif.threshold.next = signed_cast(self.stage_threshold.q.val());
            self.raise.decayed.next = self.stage_decayed.q.val();
            self.trace_update.trace.next = self.stage_trace.q.val();
        }
        self.lif.v.next = signed_cast(self.v.val());
        self.lif.refractory_period.next = self.refractory_period.val();
        self.raise.spike.next = self.lif.spike.val();
        self.raise.step.next = self.homeostasis_step.val();
        self.raise.max.next = self.homeostasis_max.val();
        self.trace_update.spike.next = self.lif.spike.val();
        self.trace_update.shift.next = self.trace_shift.val();
        self.v_next.next = unsigned_cast(self.lif.v_next.val());
        self.refractory_next.next = self.lif.refractory_next.val();
        self.h_next.next = self.raise.h_next.val();
        self.trace_next.next = self.trace_update.trace_next.val();
        self.spike.next = self.lif.spike.val();
        // Spike count, saturating.
        self.count_inc.next = self.count.val() + 1;
        self.count_next.next = self.count.val();
        if self.lif.spike.val() && !self.count.val().all() {
            self.count_next.next = self.count_inc.val();
        }
        // Goodness: saturating sum of tr'^2, one cycle behind the neuron updates.
        self.goodness_step.goodness.next = self.goodness_acc.q.val();
        self.goodness_step.trace.next = self.goodness_trace.q.val();
        self.goodness.next = self.goodness_step.goodness_next.val();
        if !self.goodness_pending.q.val() {
            self.goodness.next = self.goodness_acc.q.val();
        }
        self.goodness_acc.d.next = self.goodness.val();
        if self.start.val() {
            self.goodness_acc.d.next = bits::<32>(0);
        }
        self.goodness_trace.d.next = self.trace_update.trace_next.val();
        self.goodness_pending.d.next = self.valid.val();
        // Prediction: (count, v) lexicographically above the best so far, or the first
        // neuron, ranked in the cycle after the data stage.
        self.rank_valid.d.next = self.valid.val() && self.classifier.val();
        self.rank_count.d.next = self.count_next.val();
        self.rank_v.d.next = unsigned_cast(self.lif.v_next.val());
        self.rank_neuron.d.next = self.neuron.val();
        self.argmax.count.next = self.rank_count.q.val();
        self.argmax.v.next = signed_cast(self.rank_v.q.val());
        self.argmax.first.next = !self.rank_neuron.q.val().any();
        self.argmax.best_count.next = self.best_count.q.val();
        self.argmax.best_v.next = signed_cast(self.best_membrane.q.val());
        if self.rank_valid.q.val() && self.argmax.better.val() {
            self.best_count.d.next = self.rank_count.q.val();
            self.best_membrane.d.next = self.rank_v.q.val();
            self.best_neuron.d.next = self.rank_neuron.q.val();
        }
        if self.clear_prediction.val() {
            self.best_neuron.d.next = bits::<16>(0);
        }
        self.prediction.next = self.best_neuron.q.val();
        // The layer's spikes, counted at the write-back, and its threshold adaptation.
        self.spike_total_q.next = self.spike_total.q.val() & self.count_mask.val();
        if self.start.val() {
            self.spike_total.d.next = bits::<16>(0);
        }
        if self.valid.val() && self.spike.val() {
            self.spike_total.d.next = self.spike_total_q.val() + 1;
        }
        self.adapt.spikes.next = self.spike_total_q.val();
        self.adapt.step.next = signed_cast(self.adapt_step.val());
        self.adapt.target.next = self.adapt_target.val();
        self.adapt_magnitude.d.next = self.adapt.magnitude.val();
        self.adapt_negative.d.next = self.adapt.negative.val();
        self.adapt_clamp.offset.next = signed_cast(self.offset.val());
        self.adapt_clamp.magnitude.next = self.adapt.magnitude.val();
        self.adapt_clamp.negative.next = self.adapt.negative.val();
        if self.split_neuron.val() {
            self.adapt_clamp.magnitude.next = self.adapt_magnitude.q.val();
            self.adapt_clamp.negative.next = self.adapt_negative.q.val();
        }
        self.adapt_clamp.min.next = signed_cast(self.adapt_min.val());
        self.adapt_clamp.max.next = signed_cast(self.adapt_max.val());
        self.offset_next.next = unsigned_cast(self.adapt_clamp.offset_next.val());
    }
}
