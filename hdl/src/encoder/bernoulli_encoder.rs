//! [`BernoulliEncoder`]: the input spike of one pixel, `spikeforge_sim::rules::bernoulli_spike`.
use rust_hdl::prelude::*;

/// Bernoulli spike of one pixel (`rules::bernoulli_spike`), combinational:
/// `spike = (random & 0xFF) < intensity`, so a pixel spikes with probability `intensity / 256`.
/// `random` is the encoder generator's state after this pixel's step (one step, [`crate::encoder::Xorshift32Jump`] of 1).
#[derive(Debug, LogicBlock)]
pub struct BernoulliEncoder {
    /// Pixel intensity, 0..=255, 8-bit unsigned, input.
    pub intensity: Signal<In, Bits<8>>,
    /// Generator state after this pixel's step, 32 bits (the low 8 are used), input.
    pub random: Signal<In, Bits<32>>,
    /// The pixel's input neuron spikes this step, output.
    pub spike: Signal<Out, Bit>,
    low: Signal<Local, Bits<8>>,
}

impl BernoulliEncoder {
    /// A Bernoulli encoder for one pixel.
    pub fn new() -> Self {
        Self {
            intensity: Signal::default(),
            random: Signal::default(),
            spike: Signal::default(),
            low: Signal::default(),
        }
    }
}

impl Default for BernoulliEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for BernoulliEncoder {
    #[hdl_gen]
    fn update(&mut self) {
        self.low.next = self.random.val().get_bits::<8>(0);
        self.spike.next = self.low.val() < self.intensity.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bit, to_bits, Draw, GoldenCase, VECTORS,
    };
    use spikeforge_sim::rules::bernoulli_spike;

    const SEED: u32 = 0xBE40_000B;

    #[derive(Debug)]
    struct Case {
        intensity: u8,
        rand: u32,
    }

    impl GoldenCase for Case {
        type Widget = BernoulliEncoder;

        fn draw(draw: &mut Draw) -> Self {
            let intensity = draw.int(0, 255);
            let rand = draw.int(0, u32::MAX.into());
            Self {
                intensity: u8::try_from(intensity)
                    .unwrap_or_else(|_| panic!("{intensity} is outside the drawn range")),
                rand: u32::try_from(rand)
                    .unwrap_or_else(|_| panic!("{rand} is outside the drawn range")),
            }
        }

        fn drive(&self, uut: &mut BernoulliEncoder) {
            uut.intensity.next = to_bits(self.intensity.into());
            uut.random.next = to_bits(self.rand.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("intensity", 8, self.intensity.into()),
                ("random", 32, self.rand.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            vec![("spike", bernoulli_spike(self.intensity, self.rand).into())]
        }

        fn read(uut: &BernoulliEncoder) -> Vec<(&'static str, i64)> {
            vec![("spike", from_bit(uut.spike.val()))]
        }
    }

    /// Every (intensity, low byte) pair with random high bits, then random vectors.
    fn cases() -> Vec<Case> {
        let mut draw = Draw::new(SEED ^ 1);
        let mut cases: Vec<Case> = (0..=255u8)
            .flat_map(|intensity| (0..=255u32).map(move |low| (intensity, low)))
            .map(|(intensity, low)| Case {
                intensity,
                rand: (draw.u32() & !0xFF) | low,
            })
            .collect();
        cases.extend(draw_cases::<Case>(SEED, VECTORS));
        cases
    }

    #[test]
    fn bernoulli_encoder_matches_bernoulli_spike() {
        let mut uut = BernoulliEncoder::new();
        uut.connect_all();
        assert_matches_golden("BernoulliEncoder", &mut uut, &cases());
    }

    #[test]
    fn bernoulli_encoder_synthesizes() {
        let mut uut = BernoulliEncoder::new();
        uut.connect_all();
        // The netlist sees the random vectors (the exhaustive sweep is the simulator's job).
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("bernoulli_encoder", &uut, &cases);
    }
}
