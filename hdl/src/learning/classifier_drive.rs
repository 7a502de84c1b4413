//! [`ClassifierDrive`]: the learning drive of a classifier update,
//! `spikeforge_sim::rules::classifier_drive`.
use rust_hdl::prelude::*;
use spikeforge_sim::rules::TRACE_MAX;

/// `drive = (255 * target - trace) * 256`, combinational, 18-bit signed Q.16.
#[derive(Debug, LogicBlock)]
pub struct ClassifierDrive {
    /// The neuron is the label's (`k == label`), input.
    pub target: Signal<In, Bit>,
    /// Output trace after this step `tr'_k`, unsigned Q0.8, 8 bits, input.
    pub trace: Signal<In, Bits<8>>,
    /// `(255 * target - tr'_k) * 256`, 18-bit signed, output.
    pub drive: Signal<Out, Signed<18>>,
    error: Signal<Local, Bits<18>>,
    drive_raw: Signal<Local, Bits<18>>,
    full: Constant<Bits<18>>,
}

impl ClassifierDrive {
    /// A classifier drive block.
    pub fn new() -> Self {
        Self {
            target: Signal::default(),
            trace: Signal::default(),
            drive: Signal::default(),
            error: Signal::default(),
            drive_raw: Signal::default(),
            full: Constant::new(u64::from(TRACE_MAX).into()),
        }
    }
}

impl Default for ClassifierDrive {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for ClassifierDrive {
    #[hdl_gen]
    fn update(&mut self) {
        // err = TRACE_MAX * target - trace in -255..=255; drive = err * 256 on 18 bits.
        self.error.next = 0 - bit_cast::<18, 8>(self.trace.val());
        if self.target.val() {
            self.error.next = self.full.val() - bit_cast::<18, 8>(self.trace.val());
        }
        self.drive_raw.next = self.error.val() << 8;
        self.drive.next = signed_cast(self.drive_raw.val());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::sr_update::test_inputs::narrow;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_signed, to_bits, Draw, GoldenCase, VECTORS,
    };
    use spikeforge_sim::rules::classifier_drive;

    const SEED: u32 = 0xC1A5_D002;

    #[derive(Debug)]
    struct Case {
        target: bool,
        trace: u8,
    }

    impl GoldenCase for Case {
        type Widget = ClassifierDrive;

        fn draw(draw: &mut Draw) -> Self {
            Self {
                target: draw.bool(),
                trace: narrow(draw.int(0, 255)),
            }
        }

        fn drive(&self, uut: &mut ClassifierDrive) {
            uut.target.next = self.target;
            uut.trace.next = to_bits(self.trace.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("target", 1, i64::from(self.target)),
                ("trace", 8, self.trace.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            vec![("drive", classifier_drive(self.target, self.trace).into())]
        }

        fn read(uut: &ClassifierDrive) -> Vec<(&'static str, i64)> {
            vec![("drive", from_signed(uut.drive.val()))]
        }
    }

    #[test]
    fn classifier_drive_matches_golden_model() {
        let mut uut = ClassifierDrive::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("ClassifierDrive", &mut uut, &cases);
    }

    #[test]
    fn classifier_drive_synthesizes() {
        let mut uut = ClassifierDrive::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("classifier_drive", &uut, &cases);
    }
}
