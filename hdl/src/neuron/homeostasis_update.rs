//! [`HomeostasisUpdate`]: one per-neuron homeostatic threshold step,
//! `spikeforge_sim::rules::homeostasis_step`.
use rust_hdl::prelude::*;

/// Next homeostatic threshold of one neuron after a learning step
/// (`rules::homeostasis_step`), combinational: [`HomeostasisDecay`] then
/// [`HomeostasisRaise`], the two halves a core may register between.
///
/// `h' = h - ceil(h / 2^decay_shift)` (no decay when `decay_shift == 0`), plus `step` on a
/// spike, then `min(h', max)`; computed on 17 bits, so nothing wraps.
#[derive(Debug, LogicBlock)]
pub struct HomeostasisUpdate {
    /// Homeostatic threshold `h`, 16-bit unsigned, weight LSB, input.
    pub h: Signal<In, Bits<16>>,
    /// The neuron fired this step, input.
    pub spike: Signal<In, Bit>,
    /// Increment on a spike (config `homeostasis_step`, 0..=4096), 16-bit unsigned, input.
    pub step: Signal<In, Bits<16>>,
    /// Decay shift (config `homeostasis_decay_shift`), 0..=15, 0 disables the decay, input.
    pub decay_shift: Signal<In, Bits<4>>,
    /// Upper bound (config `homeostasis_max`), 16-bit unsigned, input.
    pub max: Signal<In, Bits<16>>,
    /// Next homeostatic threshold, 16-bit unsigned, output.
    pub h_next: Signal<Out, Bits<16>>,
    decay_stage: HomeostasisDecay,
    raise_stage: HomeostasisRaise,
}

impl HomeostasisUpdate {
    /// A homeostatic-threshold next-state block; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            h: Signal::default(),
            spike: Signal::default(),
            step: Signal::default(),
            decay_shift: Signal::default(),
            max: Signal::default(),
            h_next: Signal::default(),
            decay_stage: HomeostasisDecay::new(),
            raise_stage: HomeostasisRaise::new(),
        }
    }
}

impl Default for HomeostasisUpdate {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for HomeostasisUpdate {
    #[hdl_gen]
    fn update(&mut self) {
        self.decay_stage.h.next = self.h.val();
        self.decay_stage.decay_shift.next = self.decay_shift.val();
        self.raise_stage.decayed.next = self.decay_stage.decayed.val();
        self.raise_stage.spike.next = self.spike.val();
        self.raise_stage.step.next = self.step.val();
        self.raise_stage.max.next = self.max.val();
        self.h_next.next = self.raise_stage.h_next.val();
    }
}

/// The first half of [`HomeostasisUpdate`], combinational: the decay
/// `h - ceil(h / 2^decay_shift)` (`h` itself when `decay_shift == 0`), which does not depend
/// on the spike.
#[derive(Debug, LogicBlock)]
pub struct HomeostasisDecay {
    /// Homeostatic threshold `h`, input.
    pub h: Signal<In, Bits<16>>,
    /// Decay shift, 0..=15, 0 disables the decay, input.
    pub decay_shift: Signal<In, Bits<4>>,
    /// The decayed threshold (at most `h`), output.
    pub decayed: Signal<Out, Bits<16>>,
    wide: Signal<Local, Bits<17>>,
    bias: Signal<Local, Bits<17>>,
    sum: Signal<Local, Bits<17>>,
    decrement: Signal<Local, Bits<17>>,
    one: Constant<Bits<17>>,
}

impl HomeostasisDecay {
    /// The decay of a homeostatic step; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            h: Signal::default(),
            decay_shift: Signal::default(),
            decayed: Signal::default(),
            wide: Signal::default(),
            bias: Signal::default(),
            sum: Signal::default(),
            decrement: Signal::default(),
            one: Constant::new(bits(1)),
        }
    }
}

impl Default for HomeostasisDecay {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for HomeostasisDecay {
    #[hdl_gen]
    fn update(&mut self) {
        // Decay by ceil(h / 2^decay_shift) = (h + 2^decay_shift - 1) >> decay_shift.
        self.wide.next = bit_cast::<17, 16>(self.h.val());
        self.bias.next = (self.one.val() << self.decay_shift.val()) - self.one.val();
        self.sum.next = self.wide.val() + self.bias.val();
        self.decrement.next = self.sum.val() >> self.decay_shift.val();
        self.decayed.next = bit_cast::<16, 17>(self.wide.val() - self.decrement.val());
        if self.decay_shift.val() == 0 {
            self.decayed.next = self.h.val();
        }
    }
}

/// The second half of [`HomeostasisUpdate`], combinational: `decayed` plus `step` on a spike,
/// then `min(_, max)`.
#[derive(Debug, LogicBlock)]
pub struct HomeostasisRaise {
    /// [`HomeostasisDecay::decayed`], input.
    pub decayed: Signal<In, Bits<16>>,
    /// The neuron fired this step, input.
    pub spike: Signal<In, Bit>,
    /// Increment on a spike, input.
    pub step: Signal<In, Bits<16>>,
    /// Upper bound, input.
    pub max: Signal<In, Bits<16>>,
    /// Next homeostatic threshold, output.
    pub h_next: Signal<Out, Bits<16>>,
    raised: Signal<Local, Bits<17>>,
    bound: Signal<Local, Bits<17>>,
}

impl HomeostasisRaise {
    /// The raise and bound of a homeostatic step; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            decayed: Signal::default(),
            spike: Signal::default(),
            step: Signal::default(),
            max: Signal::default(),
            h_next: Signal::default(),
            raised: Signal::default(),
            bound: Signal::default(),
        }
    }
}

impl Default for HomeostasisRaise {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for HomeostasisRaise {
    #[hdl_gen]
    fn update(&mut self) {
        self.raised.next = bit_cast::<17, 16>(self.decayed.val());
        if self.spike.val() {
            self.raised.next =
                bit_cast::<17, 16>(self.decayed.val()) + bit_cast::<17, 16>(self.step.val());
        }
        self.bound.next = bit_cast::<17, 16>(self.max.val());
        self.h_next.next = bit_cast::<16, 17>(self.raised.val());
        if self.raised.val() > self.bound.val() {
            self.h_next.next = self.max.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bits, to_bits, Draw, GoldenCase, VECTORS,
    };
    use spikeforge_sim::rules::homeostasis_step;

    const SEED: u32 = 0x4045_0003;

    #[derive(Debug)]
    struct Case {
        h: u16,
        spike: bool,
        step: u16,
        decay_shift: u8,
        max: u16,
    }

    fn narrow<T: TryFrom<i64>>(x: i64) -> T {
        T::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl GoldenCase for Case {
        type Widget = HomeostasisUpdate;

        fn draw(draw: &mut Draw) -> Self {
            Self {
                h: narrow(draw.int(0, u16::MAX.into())),
                spike: draw.bool(),
                // The config allows 0..=4096; the port takes any 16-bit step.
                step: narrow(draw.int(0, u16::MAX.into())),
                decay_shift: narrow(draw.int(0, 15)),
                max: narrow(draw.int(0, u16::MAX.into())),
            }
        }

        fn drive(&self, uut: &mut HomeostasisUpdate) {
            uut.h.next = to_bits(self.h.into());
            uut.spike.next = self.spike;
            uut.step.next = to_bits(self.step.into());
            uut.decay_shift.next = to_bits(self.decay_shift.into());
            uut.max.next = to_bits(self.max.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("h", 16, self.h.into()),
                ("spike", 1, self.spike.into()),
                ("step", 16, self.step.into()),
                ("decay_shift", 4, self.decay_shift.into()),
                ("max", 16, self.max.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let next = homeostasis_step(self.h, self.spike, self.step, self.decay_shift, self.max);
            vec![("h_next", next.into())]
        }

        fn read(uut: &HomeostasisUpdate) -> Vec<(&'static str, i64)> {
            vec![("h_next", from_bits(uut.h_next.val()))]
        }
    }

    #[test]
    fn homeostasis_update_matches_homeostasis_step() {
        let mut uut = HomeostasisUpdate::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("HomeostasisUpdate", &mut uut, &cases);
    }

    #[test]
    fn homeostasis_update_synthesizes() {
        let mut uut = HomeostasisUpdate::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("homeostasis_update", &uut, &cases);
    }
}
