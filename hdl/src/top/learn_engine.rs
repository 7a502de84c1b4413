//! [`LearnEngine`]: stages 2 to 4 of the learning core's synapse pipeline in learning, one
//! rule and one stochastic rounding per lane, and the router of the next weights to the
//! weight banks.
use crate::learning::{
    AnnealedShift, ClassifierDrive, CsdpDrive, SrClamp, SrDither, SrPlan, PARTIAL_BITS,
};
use crate::top::learning_core::{constant, replicate};
use rust_hdl::prelude::*;

/// The learning lanes of the core (`docs/spec.md` §6). The sequencer addresses a group of
/// synapses (stage 1); the engine takes the words the memories deliver:
///
/// - stage 2: each lane's drive from its trace, by the CSDP rule (`error`) or the classifier
///   rule (`target`), and its weight, registered; the layer's learning shift annealed
///   ([`AnnealedShift`]) and its decay shift, registered, or with `split_rounding` the
///   rounding plan ([`SrPlan`]) of them, registered;
/// - stage 3 without `split_rounding`: the plan, from the registered shifts;
/// - stage 3: the stochastic rounding of each lane with its draw, registered (with
///   `split_rounding`, only its first half, [`SrDither`]);
/// - stage 4: the rest of the rounding ([`SrClamp`]) with `split_rounding`, and the bank
///   router: bank `b` writes the next weight of lane `bank_lane[b]` (given in stage 3);
/// - with `late_write`, the lanes' next weights are registered at the end of stage 4 and the
///   router works in a stage 5 of its own.
///
/// The core registers the group's layer, shifts, draws, valid lanes and bank lanes along the
/// pipeline and gives the engine those of the stage that uses them; the engine's outputs are
/// the banks' write strobes and data in stage 4 (5 with `late_write`).
#[derive(Debug, LogicBlock)]
pub struct LearnEngine {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// Stage 2: lane `k`'s weight, routed from its bank.
    pub weight: Vec<Signal<In, Bits<16>>>,
    /// Stage 2: the trace of lane `k`'s postsynaptic neuron.
    pub trace: Vec<Signal<In, Bits<8>>>,
    /// Stage 2: lane `k`'s neuron is the step's label (the classifier rule's target).
    pub target: Vec<Signal<In, Bit>>,
    /// Stage 2: the group is the classifier's (its rule), else a hidden layer's (CSDP).
    pub classifier: Signal<In, Bit>,
    /// Stage 2: the contrastive error of the hidden layer that learns.
    pub error: Signal<In, Bits<10>>,
    /// Stage 2: the learning shift of the group's layer (before the anneal).
    pub learn_shift: Signal<In, Bits<5>>,
    /// Stage 2: the decay shift of the group's layer.
    pub decay_shift: Signal<In, Bits<5>>,
    /// The learning rate's anneal (a register the host writes while the core is idle).
    pub anneal: Signal<In, Bits<8>>,
    /// Stage 3: lane `k`'s draw for its rounding.
    pub draw: Vec<Signal<In, Bits<32>>>,
    /// Stage 3: lane `k` holds a synapse of the row.
    pub lane_valid: Vec<Signal<In, Bit>>,
    /// Stage 3: the lane whose weight bank `b` holds.
    pub bank_lane: Vec<Signal<In, Bits<16>>>,
    /// The weight bound (a register the host writes while the core is idle).
    pub w_max: Signal<In, Bits<15>>,
    /// Stage 4 (5 with `late_write`): bank `b` writes a next weight.
    pub bank_write: Vec<Signal<Out, Bit>>,
    /// Stage 4 (5 with `late_write`): the next weight bank `b` writes.
    pub bank_weight: Vec<Signal<Out, Bits<16>>>,
    anneal_shift: AnnealedShift,
    // The shifts of the group's layer, registered for stage 3; with `split_rounding` its
    // rounding plan instead, made in stage 2 and registered.
    shift_learn: DFF<Bits<5>>,
    shift_decay: DFF<Bits<5>>,
    sr_plan: SrPlan,
    plan_learn_first: DFF<Bit>,
    plan_decay_off: DFF<Bit>,
    plan_mask: DFF<Bits<32>>,
    plan_first_shift: DFF<Bits<5>>,
    plan_round_shift: DFF<Bits<5>>,
    // Stage 3: the plan.
    learn_first: Signal<Local, Bit>,
    decay_off: Signal<Local, Bit>,
    mask: Signal<Local, Bits<32>>,
    first_shift: Signal<Local, Bits<5>>,
    round_shift: Signal<Local, Bits<5>>,
    csdp_drive: Vec<CsdpDrive>,
    classifier_drive: Vec<ClassifierDrive>,
    round_dither: Vec<SrDither>,
    round_clamp: Vec<SrClamp>,
    drive_reg: Vec<DFF<Signed<18>>>,
    weight_reg: Vec<DFF<Bits<16>>>,
    next_weight: Vec<DFF<Bits<16>>>,
    partial: Vec<DFF<Bits<PARTIAL_BITS>>>,
    partial_weight: Vec<DFF<Bits<16>>>,
    stage4_shift: DFF<Bits<5>>,
    write_valid: Vec<DFF<Bit>>,
    write_bank_lane: Vec<DFF<Bits<16>>>,
    // Each lane's next weight in stage 4.
    lane_next: Vec<Signal<Local, Bits<16>>>,
    // With `late_write`: stage 4's next weights, valid lanes and bank lanes, registered.
    late_next: Vec<DFF<Bits<16>>>,
    late_valid: Vec<DFF<Bit>>,
    late_bank_lane: Vec<DFF<Bits<16>>>,
    // The router's inputs: stage 4's, or with `late_write` their registers.
    route_next: Vec<Signal<Local, Bits<16>>>,
    route_valid: Vec<Signal<Local, Bit>>,
    route_bank_lane: Vec<Signal<Local, Bits<16>>>,
    lane_id: Vec<Constant<Bits<16>>>,
    bank_id: Vec<Constant<Bits<16>>>,
    split_rounding: Constant<Bit>,
    late_write: Constant<Bit>,
    never_decays: Constant<Bit>,
}

impl LearnEngine {
    /// The engine of `lanes` lanes writing `banks` weight banks (the lanes, or twice them with
    /// paired banks); with `split_rounding` the rounding spans stages 3 and 4, with
    /// `late_write` the router has a stage 5 of its own. `never_decays` says that no layer
    /// ever decays its weights (their parameters fixed, every decay shift 0): the rounding's
    /// first term is then always the drive and its second nothing, constants that take the
    /// weight's negation and the second sum out of stage 3.
    pub fn new(
        lanes: usize,
        banks: usize,
        split_rounding: bool,
        late_write: bool,
        never_decays: bool,
    ) -> Self {
        Self {
            clock: Signal::default(),
            weight: replicate(lanes, Signal::default),
            trace: replicate(lanes, Signal::default),
            target: replicate(lanes, Signal::default),
            classifier: Signal::default(),
            error: Signal::default(),
            learn_shift: Signal::default(),
            decay_shift: Signal::default(),
            anneal: Signal::default(),
            draw: replicate(lanes, Signal::default),
            lane_valid: replicate(lanes, Signal::default),
            bank_lane: replicate(banks, Signal::default),
            w_max: Signal::default(),
            bank_write: replicate(banks, Signal::default),
            bank_weight: replicate(banks, Signal::default),
            anneal_shift: AnnealedShift::new(),
            shift_learn: DFF::default(),
            shift_decay: DFF::default(),
            sr_plan: SrPlan::new(),
            plan_learn_first: DFF::default(),
            plan_decay_off: DFF::default(),
            plan_mask: DFF::default(),
            plan_first_shift: DFF::default(),
            plan_round_shift: DFF::default(),
            learn_first: Signal::default(),
            decay_off: Signal::default(),
            mask: Signal::default(),
            first_shift: Signal::default(),
            round_shift: Signal::default(),
            csdp_drive: replicate(lanes, CsdpDrive::new),
            classifier_drive: replicate(lanes, ClassifierDrive::new),
            round_dither: replicate(lanes, SrDither::new),
            round_clamp: replicate(lanes, SrClamp::new),
            drive_reg: replicate(lanes, DFF::default),
            weight_reg: replicate(lanes, DFF::default),
            next_weight: replicate(lanes, DFF::default),
            partial: replicate(lanes, DFF::default),
            partial_weight: replicate(lanes, DFF::default),
            stage4_shift: DFF::default(),
            write_valid: replicate(lanes, DFF::default),
            write_bank_lane: replicate(banks, DFF::default),
            lane_next: replicate(lanes, Signal::default),
            late_next: replicate(lanes, DFF::default),
            late_valid: replicate(lanes, DFF::default),
            late_bank_lane: replicate(banks, DFF::default),
            route_next: replicate(lanes, Signal::default),
            route_valid: replicate(lanes, Signal::default),
            route_bank_lane: replicate(banks, Signal::default),
            lane_id: (0..lanes).map(constant).collect(),
            bank_id: (0..banks).map(constant).collect(),
            split_rounding: Constant::new(split_rounding),
            late_write: Constant::new(late_write),
            never_decays: Constant::new(never_decays),
        }
    }
}

impl Logic for LearnEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            shift_learn,
            shift_decay,
            plan_learn_first,
            plan_decay_off,
            plan_mask,
            plan_first_shift,
            plan_round_shift
        );
        // The rounding plan of the group's layer: made in stage 3 from its shifts registered
        // in stage 2, or with `split_rounding` made in stage 2 and registered.
        self.anneal_shift.shift.next = self.learn_shift.val();
        self.anneal_shift.anneal.next = self.anneal.val();
        self.shift_learn.d.next = self.anneal_shift.shift_next.val();
        self.shift_decay.d.next = self.decay_shift.val();
        self.sr_plan.learn_shift.next = self.shift_learn.q.val();
        self.sr_plan.decay_shift.next = self.shift_decay.q.val();
        if self.split_rounding.val() {
            self.sr_plan.learn_shift.next = self.anneal_shift.shift_next.val();
            self.sr_plan.decay_shift.next = self.decay_shift.val();
        }
        self.plan_learn_first.d.next = self.sr_plan.learn_first.val();
        self.plan_decay_off.d.next = self.sr_plan.decay_off.val();
        self.plan_mask.d.next = self.sr_plan.mask.val();
        self.plan_first_shift.d.next = self.sr_plan.first_shift.val();
        self.plan_round_shift.d.next = self.sr_plan.round_shift.val();
        self.learn_first.next = self.sr_plan.learn_first.val();
        self.decay_off.next = self.sr_plan.decay_off.val();
        self.mask.next = self.sr_plan.mask.val();
        self.first_shift.next = self.sr_plan.first_shift.val();
        self.round_shift.next = self.sr_plan.round_shift.val();
        if self.split_rounding.val() {
            self.learn_first.next = self.plan_learn_first.q.val();
            self.decay_off.next = self.plan_decay_off.q.val();
            self.mask.next = self.plan_mask.q.val();
            self.first_shift.next = self.plan_first_shift.q.val();
            self.round_shift.next = self.plan_round_shift.q.val();
        }
        self.stage4_shift.clock.next = self.clock.val();
        self.stage4_shift.d.next = self.round_shift.val();
        for k in 0..self.lane_id.len() {
            self.drive_reg[k].clock.next = self.clock.val();
            self.weight_reg[k].clock.next = self.clock.val();
            self.next_weight[k].clock.next = self.clock.val();
            self.partial[k].clock.next = self.clock.val();
            self.partial_weight[k].clock.next = self.clock.val();
            self.write_valid[k].clock.next = self.clock.val();
            self.late_next[k].clock.next = self.clock.val();
            self.late_valid[k].clock.next = self.clock.val();
            // Stage 2: the drive by the layer's rule, and the weight, registered.
            self.csdp_drive[k].error.next = signed_cast(self.error.val());
            self.csdp_drive[k].trace.next = self.trace[k].val();
            self.classifier_drive[k].target.next = self.target[k].val();
            self.classifier_drive[k].trace.next = self.trace[k].val();
            self.drive_reg[k].d.next = self.csdp_drive[k].drive.val();
            if self.classifier.val() {
                self.drive_reg[k].d.next = self.classifier_drive[k].drive.val();
            }
            self.weight_reg[k].d.next = self.weight[k].val();
            // Stage 3: the rounding, whole or its first half, registered.
            self.round_dither[k].w.next = signed_cast(self.weight_reg[k].q.val());
            self.round_dither[k].drive.next = self.drive_reg[k].q.val();
            self.round_dither[k].learn_first.next = self.learn_first.val();
            self.round_dither[k].decay_off.next = self.decay_off.val();
            self.round_dither[k].mask.next = self.mask.val();
            self.round_dither[k].first_shift.next = self.first_shift.val();
            self.round_dither[k].random.next = self.draw[k].val();
            // No decay in any layer: the plan's choice, made constant (the same values).
            if self.never_decays.val() {
                self.round_dither[k].learn_first.next = true;
                self.round_dither[k].decay_off.next = true;
            }
            self.round_clamp[k].w_max.next = self.w_max.val();
            self.partial[k].d.next = self.round_dither[k].partial.val();
            self.partial_weight[k].d.next = self.weight_reg[k].q.val();
            self.round_clamp[k].w.next = signed_cast(self.weight_reg[k].q.val());
            self.round_clamp[k].partial.next = self.round_dither[k].partial.val();
            self.round_clamp[k].shift.next = self.round_shift.val();
            self.next_weight[k].d.next = unsigned_cast(self.round_clamp[k].w_next.val());
            self.lane_next[k].next = self.next_weight[k].q.val();
            // Stage 4: with `split_rounding`, the rounding's second half.
            if self.split_rounding.val() {
                self.round_clamp[k].w.next = signed_cast(self.partial_weight[k].q.val());
                self.round_clamp[k].partial.next = self.partial[k].q.val();
                self.round_clamp[k].shift.next = self.stage4_shift.q.val();
                self.lane_next[k].next = unsigned_cast(self.round_clamp[k].w_next.val());
            }
            self.write_valid[k].d.next = self.lane_valid[k].val();
            // With `late_write`, stage 4's results are registered for the router.
            self.late_next[k].d.next = self.lane_next[k].val();
            self.late_valid[k].d.next = self.write_valid[k].q.val();
            self.route_next[k].next = self.lane_next[k].val();
            self.route_valid[k].next = self.write_valid[k].q.val();
            if self.late_write.val() {
                self.route_next[k].next = self.late_next[k].q.val();
                self.route_valid[k].next = self.late_valid[k].q.val();
            }
        }
        for b in 0..self.bank_id.len() {
            self.write_bank_lane[b].clock.next = self.clock.val();
            self.late_bank_lane[b].clock.next = self.clock.val();
            self.write_bank_lane[b].d.next = self.bank_lane[b].val();
            self.late_bank_lane[b].d.next = self.write_bank_lane[b].q.val();
            self.route_bank_lane[b].next = self.write_bank_lane[b].q.val();
            if self.late_write.val() {
                self.route_bank_lane[b].next = self.late_bank_lane[b].q.val();
            }
        }
        // Stage 4 (5): each bank writes the next weight of its lane (with paired banks, the
        // banks of lanes `>= P` are none of the group's and write nothing).
        for b in 0..self.bank_id.len() {
            self.bank_write[b].next = false;
            self.bank_weight[b].next = bits::<16>(0);
            for k in 0..self.lane_id.len() {
                if self.route_bank_lane[b].val() == self.lane_id[k].val() {
                    self.bank_write[b].next = self.route_valid[k].val();
                    self.bank_weight[b].next = self.route_next[k].val();
                }
            }
        }
    }
}
