//! [`ArgmaxStep`]: one comparison of the prediction's running argmax,
//! `spikeforge_sim::network::argmax_by_key` over the classifier's `(count, v)` pairs.
use rust_hdl::prelude::*;

/// Whether neuron `i` takes the lead from the best of neurons `0..i`, combinational: the
/// first neuron always does; a later one when its `(count, v)` is lexicographically greater
/// than the best's, so ties keep the lowest index.
#[derive(Debug, LogicBlock)]
pub struct ArgmaxStep {
    /// The neuron's spike count, 16 bits, input.
    pub count: Signal<In, Bits<16>>,
    /// The neuron's membrane, 16-bit signed, input.
    pub v: Signal<In, Signed<16>>,
    /// The best count so far, 16 bits, input.
    pub best_count: Signal<In, Bits<16>>,
    /// The best's membrane, 16-bit signed, input.
    pub best_v: Signal<In, Signed<16>>,
    /// This is the first neuron of the layer, input.
    pub first: Signal<In, Bit>,
    /// The neuron is the new best, output.
    pub better: Signal<Out, Bit>,
}

impl ArgmaxStep {
    /// An argmax comparison.
    pub fn new() -> Self {
        Self {
            count: Signal::default(),
            v: Signal::default(),
            best_count: Signal::default(),
            best_v: Signal::default(),
            first: Signal::default(),
            better: Signal::default(),
        }
    }
}

impl Default for ArgmaxStep {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for ArgmaxStep {
    #[hdl_gen]
    fn update(&mut self) {
        self.better.next = self.first.val()
            || (self.count.val() > self.best_count.val())
            || ((self.count.val() == self.best_count.val()) && (self.v.val() > self.best_v.val()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        draw_cases, from_bit, settle, to_bits, to_signed, Draw, GoldenCase, VECTORS,
    };
    use spikeforge_sim::network::argmax_by_key;

    const SEED: u32 = 0xA76A_0001;

    #[derive(Debug, Clone, Copy)]
    struct Case {
        count: u16,
        v: i16,
        best_count: u16,
        best_v: i16,
        first: bool,
    }

    fn narrow<T: TryFrom<i64>>(x: i64) -> T {
        T::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl GoldenCase for Case {
        type Widget = ArgmaxStep;

        fn draw(draw: &mut Draw) -> Self {
            // Small ranges, so that equal counts and membranes are common.
            Self {
                count: narrow(draw.int(0, 3)),
                v: narrow(draw.int(-2, 2)),
                best_count: narrow(draw.int(0, 3)),
                best_v: narrow(draw.int(-2, 2)),
                first: draw.u32() % 8 == 0,
            }
        }

        fn drive(&self, uut: &mut ArgmaxStep) {
            uut.count.next = to_bits(self.count.into());
            uut.v.next = to_signed(self.v.into());
            uut.best_count.next = to_bits(self.best_count.into());
            uut.best_v.next = to_signed(self.best_v.into());
            uut.first.next = self.first;
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("count", 16, self.count.into()),
                ("v", 16, self.v.into()),
                ("best_count", 16, self.best_count.into()),
                ("best_v", 16, self.best_v.into()),
                ("first", 1, self.first.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            // The golden argmax of [best, this]: this wins only when strictly greater.
            let keys = [(self.best_count, self.best_v), (self.count, self.v)];
            let better = self.first || argmax_by_key(keys.into_iter()) == 1;
            vec![("better", better.into())]
        }

        fn read(uut: &ArgmaxStep) -> Vec<(&'static str, i64)> {
            vec![("better", from_bit(uut.better.val()))]
        }
    }

    /// Random layers of (count, v) pairs, scanned as the core scans its classifier: the index
    /// the widget leaves is the golden model's prediction.
    #[test]
    fn argmax_step_scans_to_the_golden_prediction() {
        let mut uut = ArgmaxStep::new();
        uut.connect_all();
        let mut draw = Draw::new(SEED);
        for layer in 0..2_000 {
            let size: usize = narrow(draw.int(1, 12));
            let keys: Vec<(u16, i16)> = (0..size)
                .map(|_| {
                    let count = if draw.u32() % 16 == 0 {
                        u16::MAX
                    } else {
                        narrow(draw.int(0, 4))
                    };
                    let v = match draw.u32() % 16 {
                        0 => i16::MIN,
                        1 => i16::MAX,
                        _ => narrow(draw.int(-3, 3)),
                    };
                    (count, v)
                })
                .collect();
            let mut best = (0u16, 0i16, 0usize);
            for (i, &(count, v)) in keys.iter().enumerate() {
                uut.count.next = to_bits(count.into());
                uut.v.next = to_signed(v.into());
                uut.best_count.next = to_bits(best.0.into());
                uut.best_v.next = to_signed(best.1.into());
                uut.first.next = i == 0;
                settle(&mut uut);
                if uut.better.val() {
                    best = (count, v, i);
                }
            }
            let want = argmax_by_key(keys.iter().copied());
            assert_eq!(best.2, want, "layer {layer}: keys {keys:?}");
        }
    }

    #[test]
    fn argmax_step_synthesizes() {
        let mut uut = ArgmaxStep::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("argmax_step", &uut, &cases);
    }
}
