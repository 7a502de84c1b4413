//! [`CsdpDrive`]: the learning drive of a CSDP update, `spikeforge_sim::rules::csdp_drive`.
use rust_hdl::prelude::*;

/// `drive = -(error * trace)`, combinational, 18-bit signed Q.16.
///
/// The 10x8-bit product is formed from `|error|` (one 16x16 unsigned multiplier) and its sign
/// applied after: `|error| * trace <= 512 * 255` fits the 18-bit drive.
#[derive(Debug, LogicBlock)]
pub struct CsdpDrive {
    /// Contrastive error `e` of the layer, 10-bit signed, input.
    pub error: Signal<In, Signed<10>>,
    /// Postsynaptic trace after this step `tr'_n`, unsigned Q0.8, 8 bits, input.
    pub trace: Signal<In, Bits<8>>,
    /// `-(e * tr'_n)`, 18-bit signed, output.
    pub drive: Signal<Out, Signed<18>>,
    error_raw: Signal<Local, Bits<10>>,
    magnitude: Signal<Local, Bits<10>>,
    product: Signal<Local, Bits<32>>,
    product_wide: Signal<Local, Bits<18>>,
    drive_raw: Signal<Local, Bits<18>>,
}

impl CsdpDrive {
    /// A CSDP drive block.
    pub fn new() -> Self {
        Self {
            error: Signal::default(),
            trace: Signal::default(),
            drive: Signal::default(),
            error_raw: Signal::default(),
            magnitude: Signal::default(),
            product: Signal::default(),
            product_wide: Signal::default(),
            drive_raw: Signal::default(),
        }
    }
}

impl Default for CsdpDrive {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for CsdpDrive {
    #[hdl_gen]
    fn update(&mut self) {
        // |e| on 10 bits unsigned (|-512| = 512 fits).
        self.error_raw.next = unsigned_cast(self.error.val());
        self.magnitude.next = self.error_raw.val();
        if self.error_raw.val().get_bit(9) {
            self.magnitude.next = 0 - self.error_raw.val();
        }
        self.product.next =
            bit_cast::<16, 10>(self.magnitude.val()) * bit_cast::<16, 8>(self.trace.val());
        self.product_wide.next = bit_cast::<18, 32>(self.product.val());
        // drive = -(e * tr): positive for a negative error.
        self.drive_raw.next = 0 - self.product_wide.val();
        if self.error_raw.val().get_bit(9) {
            self.drive_raw.next = self.product_wide.val();
        }
        self.drive.next = signed_cast(self.drive_raw.val());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::sr_update::test_inputs::narrow;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_signed, to_bits, to_signed, Draw, GoldenCase,
        VECTORS,
    };
    use spikeforge_sim::rules::csdp_drive;

    const SEED: u32 = 0xC5D9_D001;

    #[derive(Debug)]
    struct Case {
        error: i16,
        trace: u8,
    }

    impl GoldenCase for Case {
        type Widget = CsdpDrive;

        fn draw(draw: &mut Draw) -> Self {
            Self {
                error: narrow(draw.int(-512, 511)),
                trace: narrow(draw.int(0, 255)),
            }
        }

        fn drive(&self, uut: &mut CsdpDrive) {
            uut.error.next = to_signed(self.error.into());
            uut.trace.next = to_bits(self.trace.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("error", 10, self.error.into()),
                ("trace", 8, self.trace.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            vec![("drive", csdp_drive(self.error, self.trace).into())]
        }

        fn read(uut: &CsdpDrive) -> Vec<(&'static str, i64)> {
            vec![("drive", from_signed(uut.drive.val()))]
        }
    }

    #[test]
    fn csdp_drive_matches_golden_model() {
        let mut uut = CsdpDrive::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("CsdpDrive", &mut uut, &cases);
    }

    #[test]
    fn csdp_drive_synthesizes() {
        let mut uut = CsdpDrive::new();
        uut.connect_all();
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("csdp_drive", &uut, &cases);
    }
}
