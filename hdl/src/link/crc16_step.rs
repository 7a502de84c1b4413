//! [`Crc16Step`]: one byte of CRC-16/CCITT-FALSE, `spikeforge_sim::wire::crc::crc16_update`.
use rust_hdl::prelude::*;

/// `crc_next = crc16_update(crc, byte)`, combinational: the byte enters at the top of the
/// register, which then shifts left eight times, XORing the polynomial 0x1021 whenever a one
/// leaves it (most significant bit first, no reflection).
#[derive(Debug, LogicBlock)]
pub struct Crc16Step {
    /// The CRC register before the byte, input.
    pub crc: Signal<In, Bits<16>>,
    /// The byte, input.
    pub data: Signal<In, Bits<8>>,
    /// The CRC register after the byte, output.
    pub crc_next: Signal<Out, Bits<16>>,
    // stage[i]: the register after i of the eight shifts.
    stage: Vec<Signal<Local, Bits<16>>>,
    polynomial: Constant<Bits<16>>,
}

impl Crc16Step {
    /// One CRC step.
    pub fn new() -> Self {
        Self {
            crc: Signal::default(),
            data: Signal::default(),
            crc_next: Signal::default(),
            stage: (0..=8).map(|_| Signal::default()).collect(),
            polynomial: Constant::new(u64::from(spikeforge_sim::wire::crc::CRC_POLYNOMIAL).into()),
        }
    }
}

impl Default for Crc16Step {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for Crc16Step {
    #[hdl_gen]
    fn update(&mut self) {
        self.stage[0].next = self.crc.val() ^ (bit_cast::<16, 8>(self.data.val()) << 8);
        for i in 0..8 {
            self.stage[i + 1].next = self.stage[i].val() << 1;
            if self.stage[i].val().get_bit(15) {
                self.stage[i + 1].next = (self.stage[i].val() << 1) ^ self.polynomial.val();
            }
        }
        self.crc_next.next = self.stage[8].val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bits, to_bits, Draw, GoldenCase, VECTORS,
    };
    use spikeforge_sim::wire::crc::crc16_update;

    const SEED: u32 = 0xC4C1_6001;

    #[derive(Debug)]
    struct Case {
        crc: u16,
        byte: u8,
    }

    impl GoldenCase for Case {
        type Widget = Crc16Step;

        fn draw(draw: &mut Draw) -> Self {
            let crc = draw.int(0, 0xFFFF);
            let byte = draw.int(0, 0xFF);
            Self {
                crc: u16::try_from(crc).unwrap_or_else(|_| panic!("{crc} is not 16 bits")),
                byte: u8::try_from(byte).unwrap_or_else(|_| panic!("{byte} is not 8 bits")),
            }
        }

        fn drive(&self, uut: &mut Crc16Step) {
            uut.crc.next = to_bits(self.crc.into());
            uut.data.next = to_bits(self.byte.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![("crc", 16, self.crc.into()), ("data", 8, self.byte.into())]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            vec![("crc_next", crc16_update(self.crc, self.byte).into())]
        }

        fn read(uut: &Crc16Step) -> Vec<(&'static str, i64)> {
            vec![("crc_next", from_bits(uut.crc_next.val()))]
        }
    }

    #[test]
    fn crc16_step_matches_golden_model() {
        let mut uut = Crc16Step::new();
        uut.connect_all();
        assert_matches_golden("Crc16Step", &mut uut, &draw_cases::<Case>(SEED, VECTORS));
    }

    #[test]
    fn crc16_step_synthesizes() {
        let mut uut = Crc16Step::new();
        uut.connect_all();
        assert_synthesizes_combinational("crc16_step", &uut, &draw_cases::<Case>(SEED, VECTORS));
    }
}
