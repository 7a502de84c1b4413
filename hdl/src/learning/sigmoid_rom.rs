//! [`SigmoidRom`]: the sigmoid table, `spikeforge_sim::rules::SIGMOID_ROM`.
use rust_hdl::prelude::*;
use spikeforge_sim::rules::SIGMOID_ROM;

/// The 256-entry sigmoid ROM, combinational: `data = SIGMOID_ROM[address]`.
///
/// The contents are read from `spikeforge_sim::rules::SIGMOID_ROM` when the widget is built,
/// so the golden model's table is the only copy. It is emitted as a Verilog `case` (rust-hdl's
/// asynchronous `ROM`), which Yosys maps to logic or a ROM block.
#[derive(LogicBlock)]
pub struct SigmoidRom {
    /// ROM address (`rules::sigmoid_index`), 8-bit unsigned, input.
    pub address: Signal<In, Bits<8>>,
    /// Sigmoid output `p = SIGMOID_ROM[address]`, unsigned Q0.8, output.
    pub data: Signal<Out, Bits<8>>,
    rom: ROM<Bits<8>, 8>,
}

impl SigmoidRom {
    /// The sigmoid ROM holding `SIGMOID_ROM`.
    pub fn new() -> Self {
        let contents = SIGMOID_ROM.iter().map(|&p| Bits::<8>::from(u64::from(p)));
        Self {
            address: Signal::default(),
            data: Signal::default(),
            rom: ROM::from(contents),
        }
    }
}

impl Default for SigmoidRom {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SigmoidRom {
    // rust-hdl's `ROM` has no `Debug`; its contents are `SIGMOID_ROM`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigmoidRom")
            .field("address", &self.address)
            .field("data", &self.data)
            .finish_non_exhaustive()
    }
}

impl Logic for SigmoidRom {
    #[hdl_gen]
    fn update(&mut self) {
        self.rom.address.next = self.address.val();
        self.data.next = self.rom.data.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bits, to_bits, Draw, GoldenCase, VECTORS,
    };

    const SEED: u32 = 0x516D_0005;

    #[derive(Debug)]
    struct Case {
        address: u8,
    }

    impl GoldenCase for Case {
        type Widget = SigmoidRom;

        fn draw(draw: &mut Draw) -> Self {
            let address = draw.int(0, 255);
            Self {
                address: u8::try_from(address)
                    .unwrap_or_else(|_| panic!("{address} is outside the drawn range")),
            }
        }

        fn drive(&self, uut: &mut SigmoidRom) {
            uut.address.next = to_bits(self.address.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![("address", 8, self.address.into())]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            vec![("data", SIGMOID_ROM[usize::from(self.address)].into())]
        }

        fn read(uut: &SigmoidRom) -> Vec<(&'static str, i64)> {
            vec![("data", from_bits(uut.data.val()))]
        }
    }

    /// Every address, then random ones.
    fn cases() -> Vec<Case> {
        let mut cases: Vec<Case> = (0..=255u8).map(|address| Case { address }).collect();
        cases.extend(draw_cases::<Case>(SEED, VECTORS));
        cases
    }

    #[test]
    fn sigmoid_rom_matches_table() {
        let mut uut = SigmoidRom::new();
        uut.connect_all();
        assert_matches_golden("SigmoidRom", &mut uut, &cases());
    }

    #[test]
    fn sigmoid_rom_synthesizes() {
        let mut uut = SigmoidRom::new();
        uut.connect_all();
        // The first 256 cases evaluated on the netlist are the whole table.
        assert_synthesizes_combinational("sigmoid_rom", &uut, &cases());
    }
}
