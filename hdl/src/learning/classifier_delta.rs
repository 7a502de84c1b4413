//! [`ClassifierDelta`]: the classifier's delta-rule update of one synapse,
//! `spikeforge_sim::rules::classifier_delta`.
use crate::learning::{ClassifierDrive, SrUpdate};
use rust_hdl::prelude::*;

/// Weight after a delta-rule update of `C[i][k]` for a presynaptic spike
/// (`rules::classifier_delta`), combinational:
/// `drive = (TRACE_MAX * target - trace) * 256`, then [`SrUpdate`].
#[derive(Debug, LogicBlock)]
pub struct ClassifierDelta {
    /// Weight `C[i][k]`, 16-bit signed, weight LSB, input.
    pub w: Signal<In, Signed<16>>,
    /// Output neuron `k` is the sample's class (its one-hot label bit), input.
    pub target: Signal<In, Bit>,
    /// Output neuron's trace after this step `tr'_k`, unsigned Q0.8, 8 bits, input.
    pub trace: Signal<In, Bits<8>>,
    /// Random word for stochastic rounding (the classifier's generator state), input.
    pub random: Signal<In, Bits<32>>,
    /// Learning rate `2^-learn_shift`, 0..=24, input.
    pub learn_shift: Signal<In, Bits<5>>,
    /// Weight decay `2^-decay_shift`, 0..=24, 0 disables it, input.
    pub decay_shift: Signal<In, Bits<5>>,
    /// Weight bound `w_max`, 15-bit unsigned, input.
    pub w_max: Signal<In, Bits<15>>,
    /// Next weight, `-w_max..=w_max`, 16-bit signed, output.
    pub w_next: Signal<Out, Signed<16>>,
    drive_unit: ClassifierDrive,
    rounding: SrUpdate,
}

impl ClassifierDelta {
    /// A delta-rule weight-update block; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            w: Signal::default(),
            target: Signal::default(),
            trace: Signal::default(),
            random: Signal::default(),
            learn_shift: Signal::default(),
            decay_shift: Signal::default(),
            w_max: Signal::default(),
            w_next: Signal::default(),
            drive_unit: ClassifierDrive::new(),
            rounding: SrUpdate::new(),
        }
    }
}

impl Default for ClassifierDelta {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for ClassifierDelta {
    #[hdl_gen]
    fn update(&mut self) {
        self.drive_unit.target.next = self.target.val();
        self.drive_unit.trace.next = self.trace.val();
        self.rounding.w.next = self.w.val();
        self.rounding.drive.next = self.drive_unit.drive.val();
        self.rounding.random.next = self.random.val();
        self.rounding.learn_shift.next = self.learn_shift.val();
        self.rounding.decay_shift.next = self.decay_shift.val();
        self.rounding.w_max.next = self.w_max.val();
        self.w_next.next = self.rounding.w_next.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::sr_update::test_inputs::{narrow, params, weight};
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_signed, to_bits, to_signed, Draw, GoldenCase,
        VECTORS,
    };
    use spikeforge_sim::rules::{classifier_delta, LearnParams};

    const SEED: u32 = 0xC1A5_0009;

    #[derive(Debug)]
    struct Case {
        w: i16,
        target: bool,
        trace: u8,
        rand: u32,
        params: LearnParams,
    }

    impl GoldenCase for Case {
        type Widget = ClassifierDelta;

        fn draw(draw: &mut Draw) -> Self {
            let params = params(draw);
            Self {
                w: weight(draw, params.w_max),
                target: draw.bool(),
                trace: narrow(draw.int(0, 255)),
                rand: narrow(draw.int(0, u32::MAX.into())),
                params,
            }
        }

        fn drive(&self, uut: &mut ClassifierDelta) {
            uut.w.next = to_signed(self.w.into());
            uut.target.next = self.target;
            uut.trace.next = to_bits(self.trace.into());
            uut.random.next = to_bits(self.rand.into());
            uut.learn_shift.next = to_bits(self.params.learn_shift.into());
            uut.decay_shift.next = to_bits(self.params.decay_shift.into());
            uut.w_max.next = to_bits(self.params.w_max.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("w", 16, self.w.into()),
                ("target", 1, self.target.into()),
                ("trace", 8, self.trace.into()),
                ("random", 32, self.rand.into()),
                ("learn_shift", 5, self.params.learn_shift.into()),
                ("decay_shift", 5, self.params.decay_shift.into()),
                ("w_max", 15, self.params.w_max.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let next = classifier_delta(self.w, self.target, self.trace, self.rand, self.params);
            vec![("w_next", next.into())]
        }

        fn read(uut: &ClassifierDelta) -> Vec<(&'static str, i64)> {
            vec![("w_next", from_signed(uut.w_next.val()))]
        }
    }

    #[test]
    fn classifier_delta_matches_golden_model() {
        let mut uut = ClassifierDelta::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("ClassifierDelta", &mut uut, &cases);
    }

    #[test]
    fn classifier_delta_synthesizes() {
        let mut uut = ClassifierDelta::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("classifier_delta", &uut, &cases);
    }
}
