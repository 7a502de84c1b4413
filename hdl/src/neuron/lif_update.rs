//! [`LifUpdate`]: one leaky integrate-and-fire step, `spikeforge_sim::rules::lif_step`.
use crate::hw::{ShiftRightArith, SignExtend};
use rust_hdl::prelude::*;

/// Next state of one LIF neuron (`rules::lif_step`), combinational: [`LifLeak`] then
/// [`LifFire`], the two halves a core may register between.
///
/// While `refractory > 0`: `v_next = 0`, `refractory_next = refractory - 1`, no spike.
/// Otherwise `v' = v + ((j - v) >>> leak_shift)` (17-bit difference, arithmetic shift: floor
/// division); the neuron spikes iff `v' > threshold` (strict), and then `v_next = 0`,
/// `refractory_next = refractory_period`; else `v_next = v'` (it lies between `v` and `j`, so
/// it fits 16 bits) and `refractory_next = 0`.
#[derive(Debug, LogicBlock)]
pub struct LifUpdate {
    /// Membrane potential `v`, 16-bit signed, weight LSB, input.
    pub v: Signal<In, Signed<16>>,
    /// Remaining refractory steps `r`, 8-bit unsigned, input.
    pub refractory: Signal<In, Bits<8>>,
    /// Input current `j` (already saturated), 16-bit signed, weight LSB, input.
    pub j: Signal<In, Signed<16>>,
    /// Effective threshold (base + adaptive offset + homeostatic), 18-bit signed, weight LSB, input.
    pub threshold: Signal<In, Signed<18>>,
    /// Leak shift, `dt/tau_m = 2^-leak_shift`, 0..=15, input.
    pub leak_shift: Signal<In, Bits<4>>,
    /// Refractory steps after a spike (config `refractory`), 8-bit unsigned, input.
    pub refractory_period: Signal<In, Bits<8>>,
    /// Next membrane potential, 16-bit signed, weight LSB, output.
    pub v_next: Signal<Out, Signed<16>>,
    /// Next refractory counter, 8-bit unsigned, output.
    pub refractory_next: Signal<Out, Bits<8>>,
    /// The neuron fires this step, output.
    pub spike: Signal<Out, Bit>,
    leak_stage: LifLeak,
    fire_stage: LifFire,
}

impl LifUpdate {
    /// A LIF next-state block; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            v: Signal::default(),
            refractory: Signal::default(),
            j: Signal::default(),
            threshold: Signal::default(),
            leak_shift: Signal::default(),
            refractory_period: Signal::default(),
            v_next: Signal::default(),
            refractory_next: Signal::default(),
            spike: Signal::default(),
            leak_stage: LifLeak::new(),
            fire_stage: LifFire::new(),
        }
    }
}

impl Default for LifUpdate {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for LifUpdate {
    #[hdl_gen]
    fn update(&mut self) {
        self.leak_stage.v.next = self.v.val();
        self.leak_stage.j.next = self.j.val();
        self.leak_stage.leak_shift.next = self.leak_shift.val();
        self.fire_stage.v.next = self.v.val();
        self.fire_stage.leak.next = self.leak_stage.leak.val();
        self.fire_stage.refractory.next = self.refractory.val();
        self.fire_stage.threshold.next = self.threshold.val();
        self.fire_stage.refractory_period.next = self.refractory_period.val();
        self.v_next.next = self.fire_stage.v_next.val();
        self.refractory_next.next = self.fire_stage.refractory_next.val();
        self.spike.next = self.fire_stage.spike.val();
    }
}

/// The first half of [`LifUpdate`], combinational: the leak `(j - v) >>> leak_shift`.
#[derive(Debug, LogicBlock)]
pub struct LifLeak {
    /// Membrane potential `v`, input.
    pub v: Signal<In, Signed<16>>,
    /// Input current `j` (already saturated), input.
    pub j: Signal<In, Signed<16>>,
    /// Leak shift, 0..=15, input.
    pub leak_shift: Signal<In, Bits<4>>,
    /// The leak, 17-bit two's complement, output.
    pub leak: Signal<Out, Bits<17>>,
    v_wide: SignExtend<16, 17>,
    j_wide: SignExtend<16, 17>,
    gap: Signal<Local, Bits<17>>,
    divide: ShiftRightArith<17>,
}

impl LifLeak {
    /// The leak of a LIF step; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            v: Signal::default(),
            j: Signal::default(),
            leak_shift: Signal::default(),
            leak: Signal::default(),
            v_wide: SignExtend::new(),
            j_wide: SignExtend::new(),
            gap: Signal::default(),
            divide: ShiftRightArith::new(),
        }
    }
}

impl Default for LifLeak {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for LifLeak {
    #[hdl_gen]
    fn update(&mut self) {
        // (j - v) >>> leak_shift, on 17 bits.
        self.v_wide.value.next = self.v.val();
        self.j_wide.value.next = self.j.val();
        self.gap.next =
            unsigned_cast(self.j_wide.result.val()) - unsigned_cast(self.v_wide.result.val());
        self.divide.value.next = signed_cast(self.gap.val());
        self.divide.shift.next = bit_cast::<5, 4>(self.leak_shift.val());
        self.leak.next = unsigned_cast(self.divide.result.val());
    }
}

/// The second half of [`LifUpdate`], combinational: `v' = v + leak`, the threshold and the
/// refractory period.
#[derive(Debug, LogicBlock)]
pub struct LifFire {
    /// Membrane potential `v`, input.
    pub v: Signal<In, Signed<16>>,
    /// [`LifLeak::leak`], input.
    pub leak: Signal<In, Bits<17>>,
    /// Remaining refractory steps, input.
    pub refractory: Signal<In, Bits<8>>,
    /// Effective threshold, 18-bit signed, input.
    pub threshold: Signal<In, Signed<18>>,
    /// Refractory steps after a spike, input.
    pub refractory_period: Signal<In, Bits<8>>,
    /// Next membrane potential, output.
    pub v_next: Signal<Out, Signed<16>>,
    /// Next refractory counter, output.
    pub refractory_next: Signal<Out, Bits<8>>,
    /// The neuron fires this step, output.
    pub spike: Signal<Out, Bit>,
    v_wide: SignExtend<16, 17>,
    leaked: Signal<Local, Bits<17>>,
    leaked_wide: SignExtend<17, 18>,
    above: Signal<Local, Bit>,
}

impl LifFire {
    /// The rest of a LIF step; all parameters are input ports.
    pub fn new() -> Self {
        Self {
            v: Signal::default(),
            leak: Signal::default(),
            refractory: Signal::default(),
            threshold: Signal::default(),
            refractory_period: Signal::default(),
            v_next: Signal::default(),
            refractory_next: Signal::default(),
            spike: Signal::default(),
            v_wide: SignExtend::new(),
            leaked: Signal::default(),
            leaked_wide: SignExtend::new(),
            above: Signal::default(),
        }
    }
}

impl Default for LifFire {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for LifFire {
    #[hdl_gen]
    fn update(&mut self) {
        self.v_wide.value.next = self.v.val();
        self.leaked.next = unsigned_cast(self.v_wide.result.val()) + self.leak.val();
        // Strict comparison with the 18-bit threshold.
        self.leaked_wide.value.next = signed_cast(self.leaked.val());
        self.above.next = self.leaked_wide.result.val() > self.threshold.val();

        self.v_next.next = signed_cast(bit_cast::<16, 17>(self.leaked.val()));
        self.refractory_next.next = bits::<8>(0);
        self.spike.next = false;
        if self.refractory.val().any() {
            self.v_next.next = signed_cast(bits::<16>(0));
            self.refractory_next.next = self.refractory.val() - 1;
        } else if self.above.val() {
            self.v_next.next = signed_cast(bits::<16>(0));
            self.refractory_next.next = self.refractory_period.val();
            self.spike.next = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bit, from_bits, from_signed, to_bits, to_signed,
        Draw, GoldenCase, VECTORS,
    };
    use spikeforge_sim::rules::{lif_step, LifParams, NeuronState};

    const SEED: u32 = 0x11F0_0001;

    #[derive(Debug)]
    struct Case {
        v: i16,
        refractory: u8,
        j: i16,
        threshold: i32,
        leak_shift: u8,
        refractory_period: u8,
    }

    fn narrow<T: TryFrom<i64>>(x: i64) -> T {
        T::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl Case {
        fn golden_step(&self) -> (NeuronState, bool) {
            let state = NeuronState {
                v: self.v,
                refractory: self.refractory,
            };
            let params = LifParams {
                leak_shift: self.leak_shift,
                refractory: self.refractory_period,
            };
            lif_step(state, self.j, self.threshold, params)
        }
    }

    impl GoldenCase for Case {
        type Widget = LifUpdate;

        fn draw(draw: &mut Draw) -> Self {
            let mut case = Self {
                v: narrow(draw.int(i16::MIN.into(), i16::MAX.into())),
                // Half of the vectors take the leak-and-fire path.
                refractory: if draw.bool() {
                    0
                } else {
                    narrow(draw.int(0, 255))
                },
                j: narrow(draw.int(i16::MIN.into(), i16::MAX.into())),
                threshold: narrow(draw.int(-(1 << 17), (1 << 17) - 1)),
                leak_shift: narrow(draw.int(0, 15)),
                refractory_period: narrow(draw.int(0, 255)),
            };
            // Half of the thresholds sit next to the leaked membrane, to exercise the strict `>`.
            if draw.bool() {
                let leaked = Case {
                    refractory: 0,
                    threshold: i32::MAX,
                    ..case
                };
                let v = i64::from(leaked.golden_step().0.v);
                case.threshold = narrow(v + draw.int(-2, 2));
            }
            case
        }

        fn drive(&self, uut: &mut LifUpdate) {
            uut.v.next = to_signed(self.v.into());
            uut.refractory.next = to_bits(self.refractory.into());
            uut.j.next = to_signed(self.j.into());
            uut.threshold.next = to_signed(self.threshold.into());
            uut.leak_shift.next = to_bits(self.leak_shift.into());
            uut.refractory_period.next = to_bits(self.refractory_period.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("v", 16, self.v.into()),
                ("refractory", 8, self.refractory.into()),
                ("j", 16, self.j.into()),
                ("threshold", 18, self.threshold.into()),
                ("leak_shift", 4, self.leak_shift.into()),
                ("refractory_period", 8, self.refractory_period.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let (state, spike) = self.golden_step();
            vec![
                ("v_next", state.v.into()),
                ("refractory_next", state.refractory.into()),
                ("spike", spike.into()),
            ]
        }

        fn read(uut: &LifUpdate) -> Vec<(&'static str, i64)> {
            vec![
                ("v_next", from_signed(uut.v_next.val())),
                ("refractory_next", from_bits(uut.refractory_next.val())),
                ("spike", from_bit(uut.spike.val())),
            ]
        }
    }

    #[test]
    fn lif_update_matches_lif_step() {
        let mut uut = LifUpdate::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("LifUpdate", &mut uut, &cases);
    }

    #[test]
    fn lif_update_synthesizes() {
        let mut uut = LifUpdate::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("lif_update", &uut, &cases);
    }
}
