//! [`GoodnessAccumulate`]: one neuron's term added to its layer's goodness,
//! `goodness.saturating_add(spikeforge_sim::rules::goodness_term(tr))`.
use rust_hdl::prelude::*;

/// A layer's goodness after one more neuron, combinational:
/// `goodness_next = min(goodness + tr^2, 2^32 - 1)`, with the term from one 16x16 multiplier
/// and the sum exact on 33 bits.
#[derive(Debug, LogicBlock)]
pub struct GoodnessAccumulate {
    /// Goodness so far, Q16.16, 32 bits, input.
    pub goodness: Signal<In, Bits<32>>,
    /// The neuron's trace after this step, Q0.8, 8 bits, input.
    pub trace: Signal<In, Bits<8>>,
    /// Goodness with the neuron's term, saturating, 32 bits, output.
    pub goodness_next: Signal<Out, Bits<32>>,
    square: Signal<Local, Bits<32>>,
    sum: Signal<Local, Bits<33>>,
    saturated: Constant<Bits<32>>,
}

impl GoodnessAccumulate {
    /// A goodness accumulation step.
    pub fn new() -> Self {
        Self {
            goodness: Signal::default(),
            trace: Signal::default(),
            goodness_next: Signal::default(),
            square: Signal::default(),
            sum: Signal::default(),
            saturated: Constant::new(u64::from(u32::MAX).into()),
        }
    }
}

impl Default for GoodnessAccumulate {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for GoodnessAccumulate {
    #[hdl_gen]
    fn update(&mut self) {
        self.square.next =
            bit_cast::<16, 8>(self.trace.val()) * bit_cast::<16, 8>(self.trace.val());
        self.sum.next =
            bit_cast::<33, 32>(self.goodness.val()) + bit_cast::<33, 32>(self.square.val());
        self.goodness_next.next = self.sum.val().get_bits::<32>(0);
        if self.sum.val().get_bit(32) {
            self.goodness_next.next = self.saturated.val();
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
    use spikeforge_sim::rules::goodness_term;

    const SEED: u32 = 0x600D_0001;

    #[derive(Debug)]
    struct Case {
        goodness: u32,
        trace: u8,
    }

    impl GoldenCase for Case {
        type Widget = GoodnessAccumulate;

        fn draw(draw: &mut Draw) -> Self {
            // Near the top a quarter of the time, where the sum saturates.
            let goodness = if draw.u32() % 4 == 0 {
                u32::MAX - draw.u32() % 100_000
            } else {
                draw.u32() >> (draw.u32() % 32)
            };
            Self {
                goodness,
                trace: u8::try_from(draw.int(0, 255)).unwrap_or(u8::MAX),
            }
        }

        fn drive(&self, uut: &mut GoodnessAccumulate) {
            uut.goodness.next = to_bits(self.goodness.into());
            uut.trace.next = to_bits(self.trace.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("goodness", 32, self.goodness.into()),
                ("trace", 8, self.trace.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let next = self.goodness.saturating_add(goodness_term(self.trace));
            vec![("goodness_next", next.into())]
        }

        fn read(uut: &GoodnessAccumulate) -> Vec<(&'static str, i64)> {
            vec![("goodness_next", from_bits(uut.goodness_next.val()))]
        }
    }

    #[test]
    fn goodness_accumulate_matches_the_golden_sum() {
        let mut uut = GoodnessAccumulate::new();
        uut.connect_all();
        // Every trace from 0, from the largest sums that do not saturate, and from the top.
        let mut cases: Vec<Case> = (0..=255u8)
            .flat_map(|trace| {
                let term = goodness_term(trace);
                [
                    0,
                    u32::MAX - term,
                    (u32::MAX - term).saturating_add(1),
                    u32::MAX,
                ]
                .map(|goodness| Case { goodness, trace })
            })
            .collect();
        cases.extend(draw_cases::<Case>(SEED, VECTORS));
        assert_matches_golden("GoodnessAccumulate", &mut uut, &cases);
    }

    #[test]
    fn goodness_accumulate_synthesizes() {
        let mut uut = GoodnessAccumulate::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("goodness_accumulate", &uut, &cases);
    }
}
