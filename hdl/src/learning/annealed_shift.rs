//! [`AnnealedShift`]: a layer's learning shift lowered by the anneal,
//! `spikeforge_sim::config::LayerConfig::learn`.
use rust_hdl::prelude::*;
use spikeforge_sim::config::MAX_LEARN_SHIFT;

/// Learning shift of a layer after `anneal` halvings of its rate, combinational:
/// `shift_next = min(shift + anneal, MAX_LEARN_SHIFT)` (24), the sum exact on 9 bits.
#[derive(Debug, LogicBlock)]
pub struct AnnealedShift {
    /// The layer's configured learning shift (config `learn_shift`), 5 bits, input.
    pub shift: Signal<In, Bits<5>>,
    /// Halvings of every learning rate (the `anneal` register), 8 bits, input.
    pub anneal: Signal<In, Bits<8>>,
    /// The learning shift in use, 0..=24, 5 bits, output.
    pub shift_next: Signal<Out, Bits<5>>,
    sum: Signal<Local, Bits<9>>,
    cap: Constant<Bits<9>>,
}

impl AnnealedShift {
    /// An annealed-shift block; both values are input ports.
    pub fn new() -> Self {
        Self {
            shift: Signal::default(),
            anneal: Signal::default(),
            shift_next: Signal::default(),
            sum: Signal::default(),
            cap: Constant::new(bits(MAX_LEARN_SHIFT.into())),
        }
    }
}

impl Default for AnnealedShift {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for AnnealedShift {
    #[hdl_gen]
    fn update(&mut self) {
        self.sum.next = bit_cast::<9, 5>(self.shift.val()) + bit_cast::<9, 8>(self.anneal.val());
        self.shift_next.next = self.sum.val().get_bits::<5>(0);
        if self.sum.val() > self.cap.val() {
            self.shift_next.next = self.cap.val().get_bits::<5>(0);
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
    use spikeforge_sim::config::NetworkConfig;

    const SEED: u32 = 0xA11E_0001;

    #[derive(Debug)]
    struct Case {
        shift: u8,
        anneal: u8,
    }

    fn narrow(x: i64) -> u8 {
        u8::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl GoldenCase for Case {
        type Widget = AnnealedShift;

        fn draw(draw: &mut Draw) -> Self {
            Self {
                shift: narrow(draw.int(0, 24)),
                anneal: narrow(draw.int(0, 255)),
            }
        }

        fn drive(&self, uut: &mut AnnealedShift) {
            uut.shift.next = to_bits(self.shift.into());
            uut.anneal.next = to_bits(self.anneal.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("shift", 5, self.shift.into()),
                ("anneal", 8, self.anneal.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            // The golden model's own rule: a layer's learning parameters at this anneal.
            let mut cfg = NetworkConfig::default_network()
                .unwrap_or_else(|e| panic!("default network: {e}"))
                .classifier;
            cfg.learn_shift = self.shift;
            let params = cfg.learn(8, self.anneal);
            vec![("shift_next", params.learn_shift.into())]
        }

        fn read(uut: &AnnealedShift) -> Vec<(&'static str, i64)> {
            vec![("shift_next", from_bits(uut.shift_next.val()))]
        }
    }

    #[test]
    fn annealed_shift_matches_the_golden_learning_parameters() {
        let mut uut = AnnealedShift::new();
        uut.connect_all();
        // Every configured shift with every anneal.
        let cases: Vec<Case> = (0..=24u8)
            .flat_map(|shift| (0..=255u8).map(move |anneal| Case { shift, anneal }))
            .collect();
        assert_matches_golden("AnnealedShift", &mut uut, &cases);
    }

    #[test]
    fn annealed_shift_synthesizes() {
        let mut uut = AnnealedShift::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("annealed_shift", &uut, &cases);
    }
}
