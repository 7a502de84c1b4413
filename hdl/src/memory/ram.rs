//! [`Ram`]: a synchronous RAM whose depth is chosen at run time, for block-RAM inference.
use rust_hdl::prelude::*;

/// Synchronous RAM on one clock: one read port and one write port, one cycle of read latency.
///
/// Unlike rust-hdl's `RAM<D, N>`, which always declares `2^N` words, the depth is a constructor
/// argument, so a 300-word memory costs 300 words of block RAM, not 65,536. The Verilog is
/// written by hand (`Verilog::Custom`) in the form Yosys maps to block RAM (`SB_RAM40_4K` on
/// iCE40, `DP16KD` on ECP5):
///
/// ```text
/// (* no_rw_check *) reg [S-1:0] mem [0:DEPTH-1];
/// always @(posedge clock) read_data <= mem[read_address];
/// always @(posedge clock) if (write_enable) mem[write_address] <= write_data;
/// ```
///
/// | port | timing |
/// |---|---|
/// | `read_address` | sampled at the rising edge; `read_data` holds that word until the next edge |
/// | `write_address`, `write_data`, `write_enable` | written at the rising edge when `write_enable` is high |
///
/// Only the address bits that reach the last word are decoded.
///
/// A read of the address written at the same edge returns an undefined word: the memory carries
/// Yosys's `no_rw_check` attribute, so no collision logic is built around the block RAM (whose
/// ports collide in an undefined way). The simulator returns the old word; a user must not rely
/// on it. Addresses at or above the depth are outside the contract as well: the simulator reads
/// the default value and ignores the write.
///
/// With [`Ram::with_signed_storage`], a `Bits<N>` RAM stores only the low `S` bits of each word
/// (`S <= N`) and sign-extends them on read, so that `weight_bits`-bit weights in a 16-bit
/// datapath cost `S` bits of block RAM per word.
#[derive(Debug, LogicBlock)]
pub struct Ram<D: Synth, const A: usize> {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Read address, `A` bits, word index, input.
    pub read_address: Signal<In, Bits<A>>,
    /// Word at the read address sampled at the previous rising edge, output.
    pub read_data: Signal<Out, D>,
    /// Write address, `A` bits, word index, input.
    pub write_address: Signal<In, Bits<A>>,
    /// Word to write, input.
    pub write_data: Signal<In, D>,
    /// Write `write_data` at the next rising edge, input.
    pub write_enable: Signal<In, Bit>,
    _words: Vec<D>,
    _initial: bool,
    _stored_bits: usize,
    _store: fn(D, usize) -> D,
}

fn keep<D>(word: D, _bits: usize) -> D {
    word
}

/// The low `bits` of `word`, sign-extended to `N` bits.
fn narrow_signed<const N: usize>(word: Bits<N>, bits: usize) -> Bits<N> {
    let full = if N == 64 { u64::MAX } else { (1u64 << N) - 1 };
    let low = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let mut value = word.to_u64() & low;
    if (value >> (bits - 1)) & 1 == 1 {
        value |= full & !low;
    }
    value.into()
}

impl<D: Synth, const A: usize> Ram<D, A> {
    /// A RAM of `depth` words (`1..=2^A`), all reading as the default value (0) in the
    /// simulator and undefined in the Verilog until written.
    pub fn new(depth: usize) -> Self {
        assert!(
            A <= 24,
            "Ram: address width A = {A} is above 24 bits (16 Mwords)"
        );
        assert!(
            (1..=1usize << A).contains(&depth),
            "Ram: depth = {depth} is out of range 1..={} for a {A}-bit address",
            1usize << A
        );
        Self {
            clock: Signal::default(),
            read_address: Signal::default(),
            read_data: Signal::default(),
            write_address: Signal::default(),
            write_data: Signal::default(),
            write_enable: Signal::default(),
            _words: vec![D::default(); depth],
            _initial: false,
            _stored_bits: D::BITS,
            _store: keep::<D>,
        }
    }

    /// A RAM holding `words` at power-up (an `initial` block in the Verilog).
    pub fn with_contents(words: Vec<D>) -> Self {
        let mut ram = Self::new(words.len());
        ram._words = words;
        ram._initial = true;
        ram
    }

    /// Words in the RAM.
    pub fn depth(&self) -> usize {
        self._words.len()
    }

    /// Bits stored per word (the data width, or `S` of [`Ram::with_signed_storage`]).
    pub fn stored_bits(&self) -> usize {
        self._stored_bits
    }
}

impl<const N: usize, const A: usize> Ram<Bits<N>, A> {
    /// Store only the low `bits` of each word and sign-extend them on read (`2 <= bits <= N`,
    /// `N <= 64`). Words written must lie in the `bits`-bit signed range to read back unchanged.
    pub fn with_signed_storage(mut self, bits: usize) -> Self {
        assert!(
            N <= 64,
            "Ram: signed storage needs a data width <= 64, not {N}"
        );
        assert!(
            (2..=N).contains(&bits),
            "Ram: stored width = {bits} is out of range 2..={N}"
        );
        self._stored_bits = bits;
        self._store = narrow_signed::<N>;
        let words = std::mem::take(&mut self._words);
        self._words = words.into_iter().map(|w| narrow_signed(w, bits)).collect();
        self
    }
}

impl<D: Synth, const A: usize> Logic for Ram<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            // The old word for a read of the address written at this edge (undefined in the
            // Verilog).
            self.read_data.next = self
                ._words
                .get(self.read_address.val().index())
                .copied()
                .unwrap_or_default();
            if self.write_enable.val() {
                let stored = (self._store)(self.write_data.val(), self._stored_bits);
                if let Some(word) = self._words.get_mut(self.write_address.val().index()) {
                    *word = stored;
                }
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let width = D::BITS;
        let stored = self._stored_bits;
        let last = self._words.len() - 1;
        // Address bits that reach the last word; the others are outside the contract.
        let used = (usize::BITS - last.leading_zeros()).max(1) as usize;
        let read = if used < A {
            format!("read_address[{}:0]", used - 1)
        } else {
            "read_address".to_string()
        };
        let write = if used < A {
            format!("write_address[{}:0]", used - 1)
        } else {
            "write_address".to_string()
        };
        let mut code = format!(
            "(* no_rw_check *)\nreg [{}:0] mem [0:{last}];\n",
            stored - 1
        );
        if self._initial {
            code.push_str("initial begin\n");
            for (i, word) in self._words.iter().enumerate() {
                code.push_str(&format!("    mem[{i}] = {};\n", word.verilog()));
            }
            code.push_str("end\n");
        }
        if stored == width {
            code.push_str(&format!(
                "always @(posedge clock) begin\n    read_data <= mem[{read}];\nend\n\
                 always @(posedge clock) begin\n    if (write_enable) begin\n        \
                 mem[{write}] <= write_data;\n    end\nend\n"
            ));
        } else {
            code.push_str(&format!(
                "reg [{top}:0] stored;\n\
                 always @(posedge clock) begin\n    stored <= mem[{read}];\nend\n\
                 always @(*) begin\n    read_data = {{{{{extra}{{stored[{top}]}}}}, stored}};\nend\n\
                 always @(posedge clock) begin\n    if (write_enable) begin\n        \
                 mem[{write}] <= write_data[{top}:0];\n    end\nend\n",
                top = stored - 1,
                extra = width - stored,
            ));
        }
        // Bits the memory ignores, named so that Verilator's lint knows they are meant.
        let mut ignored = Vec::new();
        if used < A {
            ignored.push(format!("read_address[{}:{used}]", A - 1));
            ignored.push(format!("write_address[{}:{used}]", A - 1));
        }
        if stored < width {
            ignored.push(format!("write_data[{}:{stored}]", width - 1));
        }
        if !ignored.is_empty() {
            code.push_str(&format!(
                "wire unused_bits = &{{1'b0, {}, 1'b0}};\n",
                ignored.join(", ")
            ));
        }
        Verilog::Custom(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{synthesize_block, Family};
    use spikeforge_sim::rng::Xorshift32;

    const DEPTH: usize = 300;

    /// One clock cycle: inputs already set with `.next`, rising edge, falling edge.
    fn tick<D: Synth, const A: usize>(uut: &mut Ram<D, A>) {
        uut.clock.next = Clock { clk: true };
        assert!(
            simulate(uut, 100),
            "Ram did not settle after the rising edge"
        );
        uut.clock.next = Clock { clk: false };
        assert!(
            simulate(uut, 100),
            "Ram did not settle after the falling edge"
        );
    }

    /// Random reads and writes against a `Vec` model. A quarter of the writes go to the
    /// address read at the same edge; that read is undefined and not checked, the next one is.
    fn run_against_model(stored_bits: usize, seed: u32) {
        let mut uut: Ram<Bits<16>, 9> = Ram::new(DEPTH);
        if stored_bits < 16 {
            uut = uut.with_signed_storage(stored_bits);
        }
        uut.connect_all();
        let half = 1i64 << (stored_bits - 1);
        let mut model = vec![0i64; DEPTH];
        let mut rng = Xorshift32::new(seed);
        for cycle in 0..4_000 {
            let read = rng.next() as usize % DEPTH;
            let write = if rng.next() % 4 == 0 {
                read
            } else {
                rng.next() as usize % DEPTH
            };
            let enable = rng.next() % 2 == 0;
            let value = i64::from(rng.next() % (1 << stored_bits)) - half;
            uut.read_address.next = (read as u64).into();
            uut.write_address.next = (write as u64).into();
            uut.write_data.next = ((value as u64) & 0xFFFF).into();
            uut.write_enable.next = enable;
            let want = model[read];
            tick(&mut uut);
            if !(enable && write == read) {
                let got = uut.read_data.val().to_u64();
                assert_eq!(
                    got,
                    (want as u64) & 0xFFFF,
                    "stored {stored_bits} bits: cycle {cycle}, read of word {read}"
                );
            }
            if enable {
                model[write] = value;
            }
        }
    }

    #[test]
    fn ram_reads_what_was_written() {
        run_against_model(16, 0x0AA0_0001);
    }

    #[test]
    fn ram_with_signed_storage_sign_extends() {
        run_against_model(8, 0x0AA0_0002);
        run_against_model(5, 0x0AA0_0003);
    }

    #[test]
    fn ram_with_contents_reads_them() {
        let words: Vec<Bits<8>> = (0..10u64).map(|i| (i * 7).into()).collect();
        let mut uut: Ram<Bits<8>, 4> = Ram::with_contents(words);
        uut.connect_all();
        uut.write_enable.next = false;
        for i in 0..10u64 {
            uut.read_address.next = i.into();
            tick(&mut uut);
            assert_eq!(uut.read_data.val().to_u64(), i * 7, "word {i}");
        }
        assert!(
            uut.hdl_text().contains("mem[9] = 8'h3f;"),
            "{}",
            uut.hdl_text()
        );
    }

    #[test]
    #[should_panic(expected = "Ram: depth = 17 is out of range 1..=16 for a 4-bit address")]
    fn ram_rejects_a_depth_beyond_its_address() {
        let _ = Ram::<Bits<8>, 4>::new(17);
    }

    impl<D: Synth, const A: usize> Ram<D, A> {
        fn hdl_text(&self) -> String {
            match self.hdl() {
                Verilog::Custom(code) => code,
                other => panic!("Ram emits custom Verilog, not {other:?}"),
            }
        }
    }

    #[test]
    fn ram_maps_to_block_ram() {
        // 2,000 x 16 bits with 8 stored: 16,000 bits, four 4-kbit iCE40 blocks (2,048 x 2
        // each), one 18-kbit ECP5 DP16KD (2,048 x 9).
        let mut uut: Ram<Bits<16>, 11> = Ram::new(2_000).with_signed_storage(8);
        uut.connect_all();
        // No glue logic: no collision bypass, no output multiplexer.
        let ice40 = synthesize_block("ram_ice40", &uut, Family::Ice40);
        assert_eq!((ice40.cells("SB_RAM40_4K"), ice40.cells), (4, 4), "{ice40}");
        let ecp5 = synthesize_block("ram_ecp5", &uut, Family::Ecp5);
        assert_eq!((ecp5.cells("DP16KD"), ecp5.cells), (1, 1), "{ecp5}");
    }
}
