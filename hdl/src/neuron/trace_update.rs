//! [`TraceUpdate`]: one spike-trace step, `spikeforge_sim::rules::trace_step`.
use rust_hdl::prelude::*;
use spikeforge_sim::rules::TRACE_MAX;

/// Next trace of one neuron (`rules::trace_step`), combinational.
///
/// On a spike `trace_next = TRACE_MAX` (255); otherwise
/// `trace_next = trace - ((trace + 2^shift - 1) >> shift)`, i.e. `trace - ceil(trace / 2^shift)`
/// on 9 bits, which reaches 0 and never wraps.
#[derive(Debug, LogicBlock)]
pub struct TraceUpdate {
    /// Trace, unsigned Q0.8, 8 bits, input.
    pub trace: Signal<In, Bits<8>>,
    /// The neuron fired this step, input.
    pub spike: Signal<In, Bit>,
    /// Decay shift (config `trace_shift`), 0..=7, input.
    pub shift: Signal<In, Bits<3>>,
    /// Next trace, unsigned Q0.8, 8 bits, output.
    pub trace_next: Signal<Out, Bits<8>>,
    bias: Signal<Local, Bits<9>>,
    sum: Signal<Local, Bits<9>>,
    decrement: Signal<Local, Bits<9>>,
    one: Constant<Bits<9>>,
    full: Constant<Bits<8>>,
}

impl TraceUpdate {
    /// A trace next-state block; the shift is an input port.
    pub fn new() -> Self {
        Self {
            trace: Signal::default(),
            spike: Signal::default(),
            shift: Signal::default(),
            trace_next: Signal::default(),
            bias: Signal::default(),
            sum: Signal::default(),
            decrement: Signal::default(),
            one: Constant::new(bits(1)),
            full: Constant::new(u64::from(TRACE_MAX).into()),
        }
    }
}

impl Default for TraceUpdate {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for TraceUpdate {
    #[hdl_gen]
    fn update(&mut self) {
        // ceil(trace / 2^shift) = (trace + 2^shift - 1) >> shift, on 9 bits.
        self.bias.next = (self.one.val() << self.shift.val()) - self.one.val();
        self.sum.next = bit_cast::<9, 8>(self.trace.val()) + self.bias.val();
        self.decrement.next = self.sum.val() >> self.shift.val();
        self.trace_next.next = self.trace.val() - bit_cast::<8, 9>(self.decrement.val());
        if self.spike.val() {
            self.trace_next.next = self.full.val();
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
    use spikeforge_sim::rules::trace_step;

    const SEED: u32 = 0x7ACE_0002;

    #[derive(Debug)]
    struct Case {
        trace: u8,
        spike: bool,
        shift: u8,
    }

    fn narrow(x: i64) -> u8 {
        u8::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl GoldenCase for Case {
        type Widget = TraceUpdate;

        fn draw(draw: &mut Draw) -> Self {
            Self {
                trace: narrow(draw.int(0, 255)),
                // Mostly decay: a spike only sets the trace.
                spike: draw.u32() % 4 == 0,
                shift: narrow(draw.int(0, 7)),
            }
        }

        fn drive(&self, uut: &mut TraceUpdate) {
            uut.trace.next = to_bits(self.trace.into());
            uut.spike.next = self.spike;
            uut.shift.next = to_bits(self.shift.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("trace", 8, self.trace.into()),
                ("spike", 1, self.spike.into()),
                ("shift", 3, self.shift.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let next = trace_step(self.trace, self.spike, self.shift);
            vec![("trace_next", next.into())]
        }

        fn read(uut: &TraceUpdate) -> Vec<(&'static str, i64)> {
            vec![("trace_next", from_bits(uut.trace_next.val()))]
        }
    }

    #[test]
    fn trace_update_matches_trace_step() {
        let mut uut = TraceUpdate::new();
        uut.connect_all();
        // Every input combination (8 x 256 x 2), then random vectors.
        let mut cases: Vec<Case> = (0..=7u8)
            .flat_map(|shift| {
                (0..=255u8).flat_map(move |trace| {
                    [false, true].map(|spike| Case {
                        trace,
                        spike,
                        shift,
                    })
                })
            })
            .collect();
        cases.extend(draw_cases::<Case>(SEED, VECTORS));
        assert_matches_golden("TraceUpdate", &mut uut, &cases);
    }

    #[test]
    fn trace_update_synthesizes() {
        let mut uut = TraceUpdate::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("trace_update", &uut, &cases);
    }
}
