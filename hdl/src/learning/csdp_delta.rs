//! [`CsdpDelta`]: the CSDP update of one synapse, `spikeforge_sim::rules::csdp_delta`.
use crate::learning::{CsdpDrive, SrUpdate};
use rust_hdl::prelude::*;

/// Weight after a CSDP update of `W[i][n]` for a presynaptic spike (`rules::csdp_delta`),
/// combinational: [`CsdpDrive`] (`drive = -(error * trace)`), then [`SrUpdate`].
#[derive(Debug, LogicBlock)]
pub struct CsdpDelta {
    /// Weight `W[i][n]`, 16-bit signed, weight LSB, input.
    pub w: Signal<In, Signed<16>>,
    /// Contrastive error `e` of the layer, 10-bit signed, input.
    pub error: Signal<In, Signed<10>>,
    /// Postsynaptic trace after this step `tr'_n`, unsigned Q0.8, 8 bits, input.
    pub trace: Signal<In, Bits<8>>,
    /// Random word for stochastic rounding (the layer's generator state), input.
    pub random: Signal<In, Bits<32>>,
    /// Learning rate `2^-learn_shift`, 0..=24, input.
    pub learn_shift: Signal<In, Bits<5>>,
    /// Weight decay `2^-decay_shift`, 0..=24, 0 disables it, input.
    pub decay_shift: Signal<In, Bits<5>>,
    /// Weight bound `w_max`, 15-bit unsigned, input.
    pub w_max: Signal<In, Bits<15>>,
    /// Next weight, `-w_max..=w_max`, 16-bit signed, output.
    pub w_next: Signal<Out, Signed<16>>,
    drive_unit: CsdpDrive,
    rounding: SrUpdate,
}

impl CsdpDelta {
    /// A CSDP weight-update block; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            w: Signal::default(),
            error: Signal::default(),
            trace: Signal::default(),
            random: Signal::default(),
            learn_shift: Signal::default(),
            decay_shift: Signal::default(),
            w_max: Signal::default(),
            w_next: Signal::default(),
            drive_unit: CsdpDrive::new(),
            rounding: SrUpdate::new(),
        }
    }
}

impl Default for CsdpDelta {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for CsdpDelta {
    #[hdl_gen]
    fn update(&mut self) {
        self.drive_unit.error.next = self.error.val();
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
    use spikeforge_sim::rules::{csdp_delta, LearnParams};

    const SEED: u32 = 0xC5D9_0008;

    #[derive(Debug)]
    struct Case {
        w: i16,
        error: i16,
        trace: u8,
        rand: u32,
        params: LearnParams,
    }

    impl GoldenCase for Case {
        type Widget = CsdpDelta;

        fn draw(draw: &mut Draw) -> Self {
            let params = params(draw);
            // The spec's range -256..=255 most of the time, any 10-bit value otherwise.
            let error = if draw.u32() % 4 == 0 {
                narrow(draw.int(-512, 511))
            } else {
                narrow(draw.int(-256, 255))
            };
            Self {
                w: weight(draw, params.w_max),
                error,
                trace: narrow(draw.int(0, 255)),
                rand: narrow(draw.int(0, u32::MAX.into())),
                params,
            }
        }

        fn drive(&self, uut: &mut CsdpDelta) {
            uut.w.next = to_signed(self.w.into());
            uut.error.next = to_signed(self.error.into());
            uut.trace.next = to_bits(self.trace.into());
            uut.random.next = to_bits(self.rand.into());
            uut.learn_shift.next = to_bits(self.params.learn_shift.into());
            uut.decay_shift.next = to_bits(self.params.decay_shift.into());
            uut.w_max.next = to_bits(self.params.w_max.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("w", 16, self.w.into()),
                ("error", 10, self.error.into()),
                ("trace", 8, self.trace.into()),
                ("random", 32, self.rand.into()),
                ("learn_shift", 5, self.params.learn_shift.into()),
                ("decay_shift", 5, self.params.decay_shift.into()),
                ("w_max", 15, self.params.w_max.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let next = csdp_delta(self.w, self.error, self.trace, self.rand, self.params);
            vec![("w_next", next.into())]
        }

        fn read(uut: &CsdpDelta) -> Vec<(&'static str, i64)> {
            vec![("w_next", from_signed(uut.w_next.val()))]
        }
    }

    #[test]
    fn csdp_delta_matches_golden_model() {
        let mut uut = CsdpDelta::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("CsdpDelta", &mut uut, &cases);
    }

    #[test]
    fn csdp_delta_synthesizes() {
        let mut uut = CsdpDelta::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("csdp_delta", &uut, &cases);
    }
}
