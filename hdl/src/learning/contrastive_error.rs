//! [`ContrastiveError`]: a layer's contrastive error from its goodness,
//! `spikeforge_sim::rules::sigmoid_index` and `contrastive_error`.
use rust_hdl::prelude::*;

/// Contrastive error of a layer (`rules::contrastive_error`), combinational.
///
/// `index = clamp(((goodness - threshold) >>> 12) + 128, 0, 255)` (`rules::sigmoid_index`):
/// the difference is exact on 33 bits; bits 32..=12 are the shifted value `q`, which lies in
/// `-128..=127` exactly when bits 32..=19 are all equal, and then `q + 128` is bits 19..=12
/// with the top bit flipped. `error = SIGMOID_ROM[index] - 256 * positive` on 10 bits.
///
/// The table itself is the caller's: it reads `SIGMOID_ROM` at `index` and presents the word
/// on `sigmoid` (the learning core keeps the table in block RAM and reads it a cycle ahead).
#[derive(Debug, LogicBlock)]
pub struct ContrastiveError {
    /// Goodness `G` of the layer, unsigned Q16.16, 32 bits, input.
    pub goodness: Signal<In, Bits<32>>,
    /// Goodness threshold `theta_G`, unsigned Q16.16, 32 bits, input.
    pub threshold: Signal<In, Bits<32>>,
    /// Positive phase (label 1); negative phase (label 0) when low, input.
    pub positive: Signal<In, Bit>,
    /// `SIGMOID_ROM[index]`, unsigned Q0.8, input.
    pub sigmoid: Signal<In, Bits<8>>,
    /// Sigmoid ROM address (`rules::sigmoid_index`), 8-bit unsigned, output.
    pub index: Signal<Out, Bits<8>>,
    /// Contrastive error `e = p - 256 * label`, 10-bit signed, output.
    pub error: Signal<Out, Signed<10>>,
    difference: Signal<Local, Bits<33>>,
    high: Signal<Local, Bits<14>>,
    address: Signal<Local, Bits<8>>,
    /// `-256` on 10 bits: ORed onto `p` (0..=255) it gives `p - 256`.
    minus_256: Constant<Bits<10>>,
    /// Flips the top address bit: adds 128 to a value in -128..=127.
    offset_128: Constant<Bits<8>>,
}

impl ContrastiveError {
    /// A contrastive-error block; the sigmoid table is read outside it.
    pub fn new() -> Self {
        Self {
            goodness: Signal::default(),
            threshold: Signal::default(),
            positive: Signal::default(),
            sigmoid: Signal::default(),
            index: Signal::default(),
            error: Signal::default(),
            difference: Signal::default(),
            high: Signal::default(),
            address: Signal::default(),
            minus_256: Constant::new(bits(0x300)),
            offset_128: Constant::new(bits(0x80)),
        }
    }
}

impl Default for ContrastiveError {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for ContrastiveError {
    #[hdl_gen]
    fn update(&mut self) {
        // goodness - threshold, two's complement on 33 bits.
        self.difference.next =
            bit_cast::<33, 32>(self.goodness.val()) - bit_cast::<33, 32>(self.threshold.val());
        self.high.next = self.difference.val().get_bits::<14>(19);
        self.address.next = self.difference.val().get_bits::<8>(12) ^ self.offset_128.val();
        if self.difference.val().get_bit(32) {
            if !self.high.val().all() {
                self.address.next = bits::<8>(0);
            }
        } else if self.high.val().any() {
            self.address.next = bits::<8>(255);
        }
        self.index.next = self.address.val();
        self.error.next = signed_cast(bit_cast::<10, 8>(self.sigmoid.val()));
        if self.positive.val() {
            self.error.next =
                signed_cast(bit_cast::<10, 8>(self.sigmoid.val()) | self.minus_256.val());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bits, from_signed, to_bits, Draw, GoldenCase,
        VECTORS,
    };
    use spikeforge_sim::rules::{contrastive_error, sigmoid_index, SIGMOID_ROM};

    const SEED: u32 = 0xC0E2_0006;

    #[derive(Debug)]
    struct Case {
        goodness: u32,
        threshold: u32,
        positive: bool,
    }

    impl Case {
        /// The table's word at the golden index, as the caller reads it.
        fn sigmoid(&self) -> u8 {
            SIGMOID_ROM[usize::from(sigmoid_index(self.goodness, self.threshold))]
        }
    }

    fn narrow(x: i64) -> u32 {
        u32::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl GoldenCase for Case {
        type Widget = ContrastiveError;

        fn draw(draw: &mut Draw) -> Self {
            let goodness = narrow(draw.int(0, u32::MAX.into()));
            // Half of the thresholds within 2^21 of the goodness: the unsaturated addresses
            // and both edges of the clamp.
            let threshold = if draw.bool() {
                let near = i64::from(goodness) + draw.int(-(1 << 21), 1 << 21);
                narrow(near.clamp(0, u32::MAX.into()))
            } else {
                narrow(draw.int(0, u32::MAX.into()))
            };
            Self {
                goodness,
                threshold,
                positive: draw.bool(),
            }
        }

        fn drive(&self, uut: &mut ContrastiveError) {
            uut.goodness.next = to_bits(self.goodness.into());
            uut.threshold.next = to_bits(self.threshold.into());
            uut.positive.next = self.positive;
            uut.sigmoid.next = to_bits(self.sigmoid().into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("goodness", 32, self.goodness.into()),
                ("threshold", 32, self.threshold.into()),
                ("positive", 1, self.positive.into()),
                ("sigmoid", 8, self.sigmoid().into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let index = sigmoid_index(self.goodness, self.threshold);
            let error = contrastive_error(self.goodness, self.threshold, self.positive);
            vec![("index", index.into()), ("error", error.into())]
        }

        fn read(uut: &ContrastiveError) -> Vec<(&'static str, i64)> {
            vec![
                ("index", from_bits(uut.index.val())),
                ("error", from_signed(uut.error.val())),
            ]
        }
    }

    #[test]
    fn contrastive_error_matches_golden_model() {
        let mut uut = ContrastiveError::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("ContrastiveError", &mut uut, &cases);
    }

    #[test]
    fn contrastive_error_synthesizes() {
        let mut uut = ContrastiveError::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("contrastive_error", &uut, &cases);
    }
}
