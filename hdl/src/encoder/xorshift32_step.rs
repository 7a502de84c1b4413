//! [`Xorshift32Step`]: one step of the chip's random generator,
//! `spikeforge_sim::rng::xorshift32_step`.
use rust_hdl::prelude::*;

/// Next state of the xorshift32 generator (`rng::xorshift32_step`), combinational:
/// `x ^= x << 13; x ^= x >> 17; x ^= x << 5` on 32 bits (three levels of XOR gates).
#[derive(Debug, LogicBlock)]
pub struct Xorshift32Step {
    /// Generator state `x` (never 0), 32 bits, input.
    pub state: Signal<In, Bits<32>>,
    /// `xorshift32(x)`, 32 bits, output.
    pub next_state: Signal<Out, Bits<32>>,
    first: Signal<Local, Bits<32>>,
    second: Signal<Local, Bits<32>>,
}

impl Xorshift32Step {
    /// One xorshift32 step.
    pub fn new() -> Self {
        Self {
            state: Signal::default(),
            next_state: Signal::default(),
            first: Signal::default(),
            second: Signal::default(),
        }
    }
}

impl Default for Xorshift32Step {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for Xorshift32Step {
    #[hdl_gen]
    fn update(&mut self) {
        self.first.next = self.state.val() ^ (self.state.val() << 13);
        self.second.next = self.first.val() ^ (self.first.val() >> 17);
        self.next_state.next = self.second.val() ^ (self.second.val() << 5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bits, to_bits, Draw, GoldenCase, VECTORS,
    };
    use spikeforge_sim::rng::{xorshift32_step, Xorshift32};

    const SEED: u32 = 0x0A5F_000A;

    #[derive(Debug)]
    struct Case {
        state: u32,
    }

    impl GoldenCase for Case {
        type Widget = Xorshift32Step;

        fn draw(draw: &mut Draw) -> Self {
            let state = draw.int(1, u32::MAX.into());
            Self {
                state: u32::try_from(state)
                    .unwrap_or_else(|_| panic!("{state} is outside the drawn range")),
            }
        }

        fn drive(&self, uut: &mut Xorshift32Step) {
            uut.state.next = to_bits(self.state.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![("state", 32, self.state.into())]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            vec![("next_state", xorshift32_step(self.state).into())]
        }

        fn read(uut: &Xorshift32Step) -> Vec<(&'static str, i64)> {
            vec![("next_state", from_bits(uut.next_state.val()))]
        }
    }

    /// Random states, then a run of the generator from seed 1 fed back through the widget.
    fn cases() -> Vec<Case> {
        let mut cases: Vec<Case> = draw_cases(SEED, VECTORS);
        let mut rng = Xorshift32::new(1);
        cases.extend((0..VECTORS).map(|_| Case { state: rng.next() }));
        cases
    }

    #[test]
    fn xorshift32_step_matches_golden_model() {
        let mut uut = Xorshift32Step::new();
        uut.connect_all();
        assert_matches_golden("Xorshift32Step", &mut uut, &cases());
    }

    #[test]
    fn xorshift32_step_synthesizes() {
        let mut uut = Xorshift32Step::new();
        uut.connect_all();
        assert_synthesizes_combinational("xorshift32_step", &uut, &cases());
    }
}
