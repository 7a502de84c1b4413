//! [`SrUpdate`]: the stochastically rounded, saturating weight update,
//! `spikeforge_sim::rules::sr_update`.
use crate::hw::{ShiftRightArith, SignExtend};
use rust_hdl::prelude::*;

/// Width of the rounding datapath. Every intermediate value lies in `[-2^18, 2^24 + 2^18)`:
/// `|drive| <= 2^17`, `|w| <= 2^15`, and the dither is below `2^24` (shifts up to 24, the
/// config range; larger shifts are outside the contract).
const NUM_BITS: usize = 26;
/// Width of [`SrDither::partial`], the value a pipeline registers between the two halves.
pub const PARTIAL_BITS: usize = NUM_BITS;
/// Width of the clamp: `|delta| <= 2^17 + 2^15 + 1` (`|drive| <= 2^17`, `|w| <= 2^15`), so
/// `w + delta` is exact on 20 bits and the high bits of the rounded quotient are never used.
const SUM_BITS: usize = 20;

/// Weight after one learning update (`rules::sr_update`), combinational: [`SrPlan`] (from the
/// shifts alone, shared by the lanes of a layer), [`SrDither`] then [`SrClamp`], the parts the
/// core's synapse pipeline registers between.
///
/// The golden model rounds `num = (drive << (F - learn_shift)) - (w << (F - decay_shift))`
/// with `F = max(learn_shift, decay_shift)`: `delta = (num + (random & (2^F - 1))) >>> F`,
/// `w_next = clamp(w + delta, -w_max, w_max)`. Only one term of `num` is ever shifted, by
/// `|learn_shift - decay_shift|`, and a multiple of `2^s` passes through a floor division by
/// `2^s` exactly, so the division splits in two without any left shift:
///
/// | case | `first` | `second` | `delta` |
/// |---|---|---|---|
/// | `learn_shift >= decay_shift` | `drive` | `-w` (0 with decay off) | `(((first + dither) >>> (learn_shift - decay_shift)) + second) >>> decay_shift` |
/// | `learn_shift < decay_shift` | `-w` | `drive` | `(((first + dither) >>> (decay_shift - learn_shift)) + second) >>> learn_shift` |
///
/// (`floor((a·2^s + b) / 2^(s+t)) = floor((a + floor(b / 2^s)) / 2^t)`). Everything is exact
/// on 26 bits; the rounded `delta` fits 19 bits, so the sum and the clamp are taken on 20.
/// [`SrDither`] computes the inner sum `partial = ((first + dither) >>> s) + second`;
/// [`SrClamp`] the outer shift, `w + delta` and the clamp.
#[derive(Debug, LogicBlock)]
pub struct SrUpdate {
    /// Weight `w`, 16-bit signed (a `weight_bits`-bit value), weight LSB, input.
    pub w: Signal<In, Signed<16>>,
    /// Learning drive `d`, Q.16, 18-bit signed, input.
    pub drive: Signal<In, Signed<18>>,
    /// Random word for stochastic rounding (a generator state; its low `F` bits are used), input.
    pub random: Signal<In, Bits<32>>,
    /// Learning rate `2^-learn_shift`, 0..=24, input.
    pub learn_shift: Signal<In, Bits<5>>,
    /// Weight decay `2^-decay_shift` per update, 0..=24, 0 disables it, input.
    pub decay_shift: Signal<In, Bits<5>>,
    /// Weight bound `w_max = 2^(weight_bits-1) - 1`, 15-bit unsigned, input.
    pub w_max: Signal<In, Bits<15>>,
    /// Next weight, `-w_max..=w_max`, 16-bit signed, output.
    pub w_next: Signal<Out, Signed<16>>,
    plan_stage: SrPlan,
    dither_stage: SrDither,
    clamp_stage: SrClamp,
}

impl SrUpdate {
    /// A stochastic-rounding weight-update block; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            w: Signal::default(),
            drive: Signal::default(),
            random: Signal::default(),
            learn_shift: Signal::default(),
            decay_shift: Signal::default(),
            w_max: Signal::default(),
            w_next: Signal::default(),
            plan_stage: SrPlan::new(),
            dither_stage: SrDither::new(),
            clamp_stage: SrClamp::new(),
        }
    }
}

impl Default for SrUpdate {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for SrUpdate {
    #[hdl_gen]
    fn update(&mut self) {
        self.dither_stage.w.next = self.w.val();
        self.dither_stage.drive.next = self.drive.val();
        self.dither_stage.random.next = self.random.val();
        self.plan_stage.learn_shift.next = self.learn_shift.val();
        self.plan_stage.decay_shift.next = self.decay_shift.val();
        self.dither_stage.learn_first.next = self.plan_stage.learn_first.val();
        self.dither_stage.decay_off.next = self.plan_stage.decay_off.val();
        self.dither_stage.mask.next = self.plan_stage.mask.val();
        self.dither_stage.first_shift.next = self.plan_stage.first_shift.val();
        self.clamp_stage.w.next = self.w.val();
        self.clamp_stage.partial.next = self.dither_stage.partial.val();
        self.clamp_stage.shift.next = self.plan_stage.round_shift.val();
        self.clamp_stage.w_max.next = self.w_max.val();
        self.w_next.next = self.clamp_stage.w_next.val();
    }
}

/// The plan of [`SrUpdate`]'s division, combinational, from the shifts alone: which term is
/// divided first (`learn_first`: `learn_shift >= decay_shift`), whether decay is off, the
/// dither mask `2^max(learn_shift, decay_shift) - 1`, the inner shift `|learn_shift -
/// decay_shift|` and the outer shift `min(learn_shift, decay_shift)`. Every lane of a layer
/// shares it.
#[derive(Debug, LogicBlock)]
pub struct SrPlan {
    /// Learning shift, 0..=24, input.
    pub learn_shift: Signal<In, Bits<5>>,
    /// Decay shift, 0..=24, 0 disables decay, input.
    pub decay_shift: Signal<In, Bits<5>>,
    /// The drive is divided first (else the decay term), output.
    pub learn_first: Signal<Out, Bit>,
    /// Decay is off (`decay_shift = 0`), output.
    pub decay_off: Signal<Out, Bit>,
    /// The dither mask, output.
    pub mask: Signal<Out, Bits<32>>,
    /// The inner shift, output.
    pub first_shift: Signal<Out, Bits<5>>,
    /// The outer shift, output.
    pub round_shift: Signal<Out, Bits<5>>,
    frac: Signal<Local, Bits<5>>,
    one: Constant<Bits<32>>,
}

impl SrPlan {
    /// The plan of the rounding; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            learn_shift: Signal::default(),
            decay_shift: Signal::default(),
            learn_first: Signal::default(),
            decay_off: Signal::default(),
            mask: Signal::default(),
            first_shift: Signal::default(),
            round_shift: Signal::default(),
            frac: Signal::default(),
            one: Constant::new(bits(1)),
        }
    }
}

impl Default for SrPlan {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for SrPlan {
    #[hdl_gen]
    fn update(&mut self) {
        // The two cases of the table of `SrUpdate`.
        self.learn_first.next = self.learn_shift.val() >= self.decay_shift.val();
        self.decay_off.next = !self.decay_shift.val().any();
        self.frac.next = self.decay_shift.val();
        self.first_shift.next = self.decay_shift.val() - self.learn_shift.val();
        self.round_shift.next = self.learn_shift.val();
        if self.learn_shift.val() >= self.decay_shift.val() {
            self.frac.next = self.learn_shift.val();
            self.first_shift.next = self.learn_shift.val() - self.decay_shift.val();
            self.round_shift.next = self.decay_shift.val();
        }
        // Stochastic rounding: the low F bits of rand, added before any division.
        self.mask.next = (self.one.val() << self.frac.val()) - self.one.val();
    }
}

/// The first half of [`SrUpdate`]'s data path, combinational: the dither and the inner
/// division, `partial = ((first + (random & mask)) >>> first_shift) + second`, by the
/// [`SrPlan`] of the lane's layer.
#[derive(Debug, LogicBlock)]
pub struct SrDither {
    /// Weight `w`, 16-bit signed, input.
    pub w: Signal<In, Signed<16>>,
    /// Learning drive `d`, Q.16, 18-bit signed, input.
    pub drive: Signal<In, Signed<18>>,
    /// Random word for stochastic rounding, input.
    pub random: Signal<In, Bits<32>>,
    /// [`SrPlan::learn_first`], input.
    pub learn_first: Signal<In, Bit>,
    /// [`SrPlan::decay_off`], input.
    pub decay_off: Signal<In, Bit>,
    /// [`SrPlan::mask`], input.
    pub mask: Signal<In, Bits<32>>,
    /// [`SrPlan::first_shift`], input.
    pub first_shift: Signal<In, Bits<5>>,
    /// The inner sum, 26-bit two's complement, output.
    pub partial: Signal<Out, Bits<NUM_BITS>>,
    drive_wide: SignExtend<18, NUM_BITS>,
    w_wide: SignExtend<16, NUM_BITS>,
    neg_w: Signal<Local, Bits<NUM_BITS>>,
    first: Signal<Local, Bits<NUM_BITS>>,
    second: Signal<Local, Bits<NUM_BITS>>,
    dither: Signal<Local, Bits<32>>,
    dithered: Signal<Local, Bits<NUM_BITS>>,
    split: ShiftRightArith<NUM_BITS>,
}

impl SrDither {
    /// The first half of the rounding's data path; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            w: Signal::default(),
            drive: Signal::default(),
            random: Signal::default(),
            learn_first: Signal::default(),
            decay_off: Signal::default(),
            mask: Signal::default(),
            first_shift: Signal::default(),
            partial: Signal::default(),
            drive_wide: SignExtend::new(),
            w_wide: SignExtend::new(),
            neg_w: Signal::default(),
            first: Signal::default(),
            second: Signal::default(),
            dither: Signal::default(),
            dithered: Signal::default(),
            split: ShiftRightArith::new(),
        }
    }
}

impl Default for SrDither {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for SrDither {
    #[hdl_gen]
    fn update(&mut self) {
        self.drive_wide.value.next = self.drive.val();
        self.w_wide.value.next = self.w.val();
        self.neg_w.next = 0 - unsigned_cast(self.w_wide.result.val());
        self.first.next = self.neg_w.val();
        self.second.next = unsigned_cast(self.drive_wide.result.val());
        if self.learn_first.val() {
            self.first.next = unsigned_cast(self.drive_wide.result.val());
            // Decay off (decay_shift = 0) only happens here, and subtracts nothing.
            self.second.next = self.neg_w.val();
            if self.decay_off.val() {
                self.second.next = bits::<NUM_BITS>(0);
            }
        }
        self.dither.next = self.random.val() & self.mask.val();
        self.dithered.next = self.first.val() + bit_cast::<NUM_BITS, 32>(self.dither.val());
        self.split.value.next = signed_cast(self.dithered.val());
        self.split.shift.next = self.first_shift.val();
        self.partial.next = unsigned_cast(self.split.result.val()) + self.second.val();
    }
}

/// The second half of [`SrUpdate`], combinational: `delta = partial >>> shift`,
/// `w_next = clamp(w + delta, -w_max, w_max)`.
#[derive(Debug, LogicBlock)]
pub struct SrClamp {
    /// Weight `w`, 16-bit signed, input.
    pub w: Signal<In, Signed<16>>,
    /// [`SrDither::partial`], input.
    pub partial: Signal<In, Bits<NUM_BITS>>,
    /// [`SrPlan::round_shift`], input.
    pub shift: Signal<In, Bits<5>>,
    /// Weight bound `w_max`, 15-bit unsigned, input.
    pub w_max: Signal<In, Bits<15>>,
    /// Next weight, `-w_max..=w_max`, 16-bit signed, output.
    pub w_next: Signal<Out, Signed<16>>,
    round: ShiftRightArith<NUM_BITS>,
    w_sum: SignExtend<16, SUM_BITS>,
    sum: Signal<Local, Bits<SUM_BITS>>,
    bound: Signal<Local, Bits<SUM_BITS>>,
    neg_bound: Signal<Local, Bits<SUM_BITS>>,
}

impl SrClamp {
    /// The second half of the rounding; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            w: Signal::default(),
            partial: Signal::default(),
            shift: Signal::default(),
            w_max: Signal::default(),
            w_next: Signal::default(),
            round: ShiftRightArith::new(),
            w_sum: SignExtend::new(),
            sum: Signal::default(),
            bound: Signal::default(),
            neg_bound: Signal::default(),
        }
    }
}

impl Default for SrClamp {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for SrClamp {
    #[hdl_gen]
    fn update(&mut self) {
        self.round.value.next = signed_cast(self.partial.val());
        self.round.shift.next = self.shift.val();
        // w + delta, clamped to -w_max..=w_max.
        self.w_sum.value.next = self.w.val();
        self.sum.next = unsigned_cast(self.w_sum.result.val())
            + bit_cast::<SUM_BITS, NUM_BITS>(unsigned_cast(self.round.result.val()));
        self.bound.next = bit_cast::<SUM_BITS, 15>(self.w_max.val());
        self.neg_bound.next = 0 - self.bound.val();
        self.w_next.next = signed_cast(bit_cast::<16, SUM_BITS>(self.sum.val()));
        if signed_cast(self.sum.val()) > signed_cast(self.bound.val()) {
            self.w_next.next = signed_cast(bit_cast::<16, SUM_BITS>(self.bound.val()));
        } else if signed_cast(self.sum.val()) < signed_cast(self.neg_bound.val()) {
            self.w_next.next = signed_cast(bit_cast::<16, SUM_BITS>(self.neg_bound.val()));
        }
    }
}

/// Test inputs shared by the learning widgets built on [`SrUpdate`].
#[cfg(test)]
pub(crate) mod test_inputs {
    use crate::test_vectors::Draw;
    use spikeforge_sim::rules::LearnParams;

    /// Largest `learn_shift` / `decay_shift` of the config (`sim::config`).
    pub(crate) const MAX_SHIFT: u8 = spikeforge_sim::config::MAX_LEARN_SHIFT;

    pub(crate) fn narrow<T: TryFrom<i64>>(x: i64) -> T {
        T::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    /// A weight bound `w_max`: one of the bounds of `weight_bits` 2..=16, or any 15-bit value.
    pub(crate) fn w_max(draw: &mut Draw) -> i16 {
        if draw.bool() {
            let weight_bits: u32 = narrow(draw.int(2, 16));
            narrow((1i64 << (weight_bits - 1)) - 1)
        } else {
            narrow(draw.int(0, i16::MAX.into()))
        }
    }

    /// Learning parameters over the config's shift range, decay disabled one time in four.
    pub(crate) fn params(draw: &mut Draw) -> LearnParams {
        let decay_shift = if draw.u32() % 4 == 0 {
            0
        } else {
            narrow(draw.int(0, MAX_SHIFT.into()))
        };
        LearnParams {
            learn_shift: narrow(draw.int(0, MAX_SHIFT.into())),
            decay_shift,
            w_max: w_max(draw),
        }
    }

    /// A weight: usually inside `-w_max..=w_max`, sometimes any 16-bit value.
    pub(crate) fn weight(draw: &mut Draw, w_max: i16) -> i16 {
        if draw.u32() % 8 == 0 {
            narrow(draw.int(i16::MIN.into(), i16::MAX.into()))
        } else {
            narrow(draw.int((-w_max).into(), w_max.into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_inputs::{narrow, params, weight, MAX_SHIFT};
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_signed, to_bits, to_signed, Draw, GoldenCase,
        VECTORS,
    };
    use spikeforge_sim::rules::{sr_update, LearnParams};

    const SEED: u32 = 0x5A0D_0007;

    #[derive(Debug)]
    struct Case {
        w: i16,
        drive: i32,
        rand: u32,
        params: LearnParams,
    }

    impl GoldenCase for Case {
        type Widget = SrUpdate;

        fn draw(draw: &mut Draw) -> Self {
            let params = params(draw);
            // Any 18-bit drive half of the time, else one of the size CSDP produces.
            let drive = if draw.bool() {
                narrow(draw.int(-(1 << 17), (1 << 17) - 1))
            } else {
                narrow(draw.int(-65280, 65280))
            };
            Self {
                w: weight(draw, params.w_max),
                drive,
                rand: narrow(draw.int(0, u32::MAX.into())),
                params,
            }
        }

        fn drive(&self, uut: &mut SrUpdate) {
            uut.w.next = to_signed(self.w.into());
            uut.drive.next = to_signed(self.drive.into());
            uut.random.next = to_bits(self.rand.into());
            uut.learn_shift.next = to_bits(self.params.learn_shift.into());
            uut.decay_shift.next = to_bits(self.params.decay_shift.into());
            uut.w_max.next = to_bits(self.params.w_max.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("w", 16, self.w.into()),
                ("drive", 18, self.drive.into()),
                ("random", 32, self.rand.into()),
                ("learn_shift", 5, self.params.learn_shift.into()),
                ("decay_shift", 5, self.params.decay_shift.into()),
                ("w_max", 15, self.params.w_max.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let next = sr_update(self.w, self.drive, self.rand, self.params);
            vec![("w_next", next.into())]
        }

        fn read(uut: &SrUpdate) -> Vec<(&'static str, i64)> {
            vec![("w_next", from_signed(uut.w_next.val()))]
        }
    }

    #[test]
    fn sr_update_matches_golden_model() {
        let mut uut = SrUpdate::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("SrUpdate", &mut uut, &cases);
    }

    /// Every pair of shifts in the config's range 0..=24, with extreme and drawn weights and
    /// drives.
    #[test]
    fn sr_update_matches_golden_model_for_every_shift_pair() {
        let mut draw = Draw::new(SEED ^ 0x0000_0031);
        let mut cases = Vec::new();
        for learn_shift in 0..=MAX_SHIFT {
            for decay_shift in 0..=MAX_SHIFT {
                for extreme in [false, true] {
                    let w_max = if extreme { i16::MAX } else { 127 };
                    let params = LearnParams {
                        learn_shift,
                        decay_shift,
                        w_max,
                    };
                    let (w, drive, rand) = if extreme {
                        let w = if draw.bool() { i16::MIN } else { i16::MAX };
                        let drive = if draw.bool() {
                            -(1 << 17)
                        } else {
                            (1 << 17) - 1
                        };
                        (w, drive, if draw.bool() { u32::MAX } else { 0 })
                    } else {
                        (
                            weight(&mut draw, w_max),
                            narrow(draw.int(-(1 << 17), (1 << 17) - 1)),
                            draw.u32(),
                        )
                    };
                    cases.push(Case {
                        w,
                        drive,
                        rand,
                        params,
                    });
                }
            }
        }
        let mut uut = SrUpdate::new();
        uut.connect_all();
        assert_matches_golden("SrUpdate", &mut uut, &cases);
    }

    #[test]
    fn sr_update_synthesizes() {
        let mut uut = SrUpdate::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("sr_update", &uut, &cases);
    }
}
