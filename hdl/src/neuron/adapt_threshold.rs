//! [`AdaptThreshold`]: one step of a layer's adaptive threshold offset,
//! `spikeforge_sim::rules::adapt_step`.
use crate::hw::SignExtend;
use rust_hdl::prelude::*;

/// Width of the sum and the clamp. A change of `2^17` or more in magnitude takes any 16-bit
/// offset past both 16-bit bounds, on its own side, so the product is saturated to
/// `2^17` first and the sum `offset + change` is exact on 19 bits.
const SUM_BITS: usize = 19;
/// The saturated magnitude of the change.
const CHANGE_LIMIT: u64 = 1 << 17;
/// Width of [`AdaptChange::magnitude`], which a core may register between the halves with
/// [`AdaptChange::negative`].
pub const CHANGE_BITS: usize = SUM_BITS;

/// Next adaptive threshold offset of a layer (`rules::adapt_step`), combinational:
/// [`AdaptChange`] then [`AdaptClamp`], the two halves a core may register between.
///
/// `offset_next = clamp(offset + step * (spikes - target), min, max)`. The product is formed
/// from magnitudes (`|step| * |spikes - target|`, one 16x16 multiplier) and negated when the
/// signs differ, in the second half (so the first ends at the multiplier's saturation); the
/// sum is exact before the clamp. The clamp compares with `min`
/// first, so crossed bounds (`min > max`, never in a config) give `min` for sums below it and
/// `max` otherwise.
#[derive(Debug, LogicBlock)]
pub struct AdaptThreshold {
    /// Threshold offset `theta_a` of the layer, 16-bit signed, weight LSB, input.
    pub offset: Signal<In, Signed<16>>,
    /// Spikes of the layer this step `S`, 16-bit unsigned, input.
    pub spikes: Signal<In, Bits<16>>,
    /// Gain per spike above the target (config `adapt_step`), 16-bit signed, weight LSB, input.
    pub step: Signal<In, Signed<16>>,
    /// Spikes per step the offset steers toward (config `adapt_target`), 16-bit unsigned, input.
    pub target: Signal<In, Bits<16>>,
    /// Lower bound of the offset (config `adapt_min`), 16-bit signed, input.
    pub min: Signal<In, Signed<16>>,
    /// Upper bound of the offset (config `adapt_max`), 16-bit signed, input.
    pub max: Signal<In, Signed<16>>,
    /// Next offset, 16-bit signed, weight LSB, output.
    pub offset_next: Signal<Out, Signed<16>>,
    change_stage: AdaptChange,
    clamp_stage: AdaptClamp,
}

impl AdaptThreshold {
    /// An adaptive-threshold next-state block; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            offset: Signal::default(),
            spikes: Signal::default(),
            step: Signal::default(),
            target: Signal::default(),
            min: Signal::default(),
            max: Signal::default(),
            offset_next: Signal::default(),
            change_stage: AdaptChange::new(),
            clamp_stage: AdaptClamp::new(),
        }
    }
}

impl Default for AdaptThreshold {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for AdaptThreshold {
    #[hdl_gen]
    fn update(&mut self) {
        self.change_stage.spikes.next = self.spikes.val();
        self.change_stage.step.next = self.step.val();
        self.change_stage.target.next = self.target.val();
        self.clamp_stage.offset.next = self.offset.val();
        self.clamp_stage.magnitude.next = self.change_stage.magnitude.val();
        self.clamp_stage.negative.next = self.change_stage.negative.val();
        self.clamp_stage.min.next = self.min.val();
        self.clamp_stage.max.next = self.max.val();
        self.offset_next.next = self.clamp_stage.offset_next.val();
    }
}

/// The first half of [`AdaptThreshold`], combinational: the change
/// `step * (spikes - target)` as its magnitude, saturated to `2^17`, and its sign.
#[derive(Debug, LogicBlock)]
pub struct AdaptChange {
    /// Spikes of the layer this step, input.
    pub spikes: Signal<In, Bits<16>>,
    /// Gain per spike above the target, input.
    pub step: Signal<In, Signed<16>>,
    /// Spikes per step the offset steers toward, input.
    pub target: Signal<In, Bits<16>>,
    /// The change's magnitude, saturated, output.
    pub magnitude: Signal<Out, Bits<CHANGE_BITS>>,
    /// It is negative (`step` and `spikes - target` have opposite signs), output.
    pub negative: Signal<Out, Bit>,
    step_raw: Signal<Local, Bits<16>>,
    step_negative: Signal<Local, Bit>,
    step_magnitude: Signal<Local, Bits<16>>,
    gap_negative: Signal<Local, Bit>,
    gap_magnitude: Signal<Local, Bits<16>>,
    product: Signal<Local, Bits<32>>,
    limit: Constant<Bits<SUM_BITS>>,
}

impl AdaptChange {
    /// The first half of the threshold adaptation; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            spikes: Signal::default(),
            step: Signal::default(),
            target: Signal::default(),
            magnitude: Signal::default(),
            negative: Signal::default(),
            step_raw: Signal::default(),
            step_negative: Signal::default(),
            step_magnitude: Signal::default(),
            gap_negative: Signal::default(),
            gap_magnitude: Signal::default(),
            product: Signal::default(),
            limit: Constant::new(CHANGE_LIMIT.into()),
        }
    }
}

impl Default for AdaptChange {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for AdaptChange {
    #[hdl_gen]
    fn update(&mut self) {
        // |step| on 16 bits unsigned (|-32768| = 32768 fits).
        self.step_raw.next = unsigned_cast(self.step.val());
        self.step_negative.next = self.step_raw.val().get_bit(15);
        self.step_magnitude.next = self.step_raw.val();
        if self.step_negative.val() {
            self.step_magnitude.next = 0 - self.step_raw.val();
        }
        // |spikes - target|.
        self.gap_negative.next = self.spikes.val() < self.target.val();
        self.gap_magnitude.next = self.spikes.val() - self.target.val();
        if self.gap_negative.val() {
            self.gap_magnitude.next = self.target.val() - self.spikes.val();
        }
        // change = step * (spikes - target), its magnitude saturated.
        self.product.next = self.step_magnitude.val() * self.gap_magnitude.val();
        self.magnitude.next = bit_cast::<SUM_BITS, 32>(self.product.val());
        if self.product.val().get_bits::<15>(17).any() {
            self.magnitude.next = self.limit.val();
        }
        self.negative.next = self.step_negative.val() ^ self.gap_negative.val();
    }
}

/// The second half of [`AdaptThreshold`], combinational: the change from its magnitude and
/// sign, and `clamp(offset + change, min, max)`.
#[derive(Debug, LogicBlock)]
pub struct AdaptClamp {
    /// Threshold offset of the layer, input.
    pub offset: Signal<In, Signed<16>>,
    /// [`AdaptChange::magnitude`], input.
    pub magnitude: Signal<In, Bits<CHANGE_BITS>>,
    /// [`AdaptChange::negative`], input.
    pub negative: Signal<In, Bit>,
    /// Lower bound of the offset, input.
    pub min: Signal<In, Signed<16>>,
    /// Upper bound of the offset, input.
    pub max: Signal<In, Signed<16>>,
    /// Next offset, output.
    pub offset_next: Signal<Out, Signed<16>>,
    offset_wide: SignExtend<16, SUM_BITS>,
    min_wide: SignExtend<16, SUM_BITS>,
    max_wide: SignExtend<16, SUM_BITS>,
    change: Signal<Local, Bits<SUM_BITS>>,
    sum: Signal<Local, Bits<SUM_BITS>>,
}

impl AdaptClamp {
    /// The second half of the threshold adaptation; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            offset: Signal::default(),
            magnitude: Signal::default(),
            negative: Signal::default(),
            min: Signal::default(),
            max: Signal::default(),
            offset_next: Signal::default(),
            offset_wide: SignExtend::new(),
            min_wide: SignExtend::new(),
            max_wide: SignExtend::new(),
            change: Signal::default(),
            sum: Signal::default(),
        }
    }
}

impl Default for AdaptClamp {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for AdaptClamp {
    #[hdl_gen]
    fn update(&mut self) {
        self.change.next = self.magnitude.val();
        if self.negative.val() {
            self.change.next = 0 - self.magnitude.val();
        }
        self.offset_wide.value.next = self.offset.val();
        self.sum.next = unsigned_cast(self.offset_wide.result.val()) + self.change.val();
        // Clamp to min..=max.
        self.min_wide.value.next = self.min.val();
        self.max_wide.value.next = self.max.val();
        self.offset_next.next = signed_cast(bit_cast::<16, SUM_BITS>(self.sum.val()));
        if signed_cast(self.sum.val()) < self.min_wide.result.val() {
            self.offset_next.next = self.min.val();
        } else if signed_cast(self.sum.val()) > self.max_wide.result.val() {
            self.offset_next.next = self.max.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_signed, to_bits, to_signed, Draw, GoldenCase,
        VECTORS,
    };
    use spikeforge_sim::rules::adapt_step;

    const SEED: u32 = 0xADA7_0004;

    #[derive(Debug)]
    struct Case {
        offset: i16,
        spikes: u16,
        step: i16,
        target: u16,
        min: i16,
        max: i16,
    }

    fn narrow<T: TryFrom<i64>>(x: i64) -> T {
        T::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl GoldenCase for Case {
        type Widget = AdaptThreshold;

        fn draw(draw: &mut Draw) -> Self {
            let any_i16 = |draw: &mut Draw| narrow(draw.int(i16::MIN.into(), i16::MAX.into()));
            let offset = any_i16(draw);
            // Small steps half of the time, so that the sum often lands inside the bounds.
            let step = if draw.bool() {
                narrow(draw.int(-4, 4))
            } else {
                any_i16(draw)
            };
            let min: i16 = any_i16(draw);
            // One vector in eight has crossed bounds (a host may write them into the core).
            let max = if draw.u32() % 8 == 0 {
                any_i16(draw)
            } else {
                narrow(draw.int(min.into(), i16::MAX.into()))
            };
            Self {
                offset,
                spikes: narrow(draw.int(0, u16::MAX.into())),
                step,
                target: narrow(draw.int(0, u16::MAX.into())),
                min,
                max,
            }
        }

        fn drive(&self, uut: &mut AdaptThreshold) {
            uut.offset.next = to_signed(self.offset.into());
            uut.spikes.next = to_bits(self.spikes.into());
            uut.step.next = to_signed(self.step.into());
            uut.target.next = to_bits(self.target.into());
            uut.min.next = to_signed(self.min.into());
            uut.max.next = to_signed(self.max.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("offset", 16, self.offset.into()),
                ("spikes", 16, self.spikes.into()),
                ("step", 16, self.step.into()),
                ("target", 16, self.target.into()),
                ("min", 16, self.min.into()),
                ("max", 16, self.max.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let next = adapt_step(
                self.offset,
                self.spikes.into(),
                self.step,
                self.target,
                self.min,
                self.max,
            );
            vec![("offset_next", next.into())]
        }

        fn read(uut: &AdaptThreshold) -> Vec<(&'static str, i64)> {
            vec![("offset_next", from_signed(uut.offset_next.val()))]
        }
    }

    #[test]
    fn adapt_threshold_matches_adapt_step() {
        let mut uut = AdaptThreshold::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("AdaptThreshold", &mut uut, &cases);
    }

    #[test]
    fn adapt_threshold_synthesizes() {
        let mut uut = AdaptThreshold::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("adapt_threshold", &uut, &cases);
    }
}
