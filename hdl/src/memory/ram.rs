//! [`Ram`]: a synchronous RAM whose depth is chosen at run time, kept in block RAM or, on the
//! iCE40 UltraPlus, in its single-port SPRAM.
use rust_hdl::prelude::*;

/// Words of one iCE40 UltraPlus SPRAM (`SB_SPRAM256KA`).
pub const SPRAM_WORDS: usize = 16_384;
/// Bits of one SPRAM word.
pub const SPRAM_BITS: usize = 16;
/// SPRAMs of an iCE40 UltraPlus (UP5K and UP3K: 4, 1 Mbit in all).
pub const ICE40_UP_SPRAMS: usize = 4;

/// Where a [`Ram`] keeps its words in the generated Verilog. The simulator model is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RamStyle {
    /// A Verilog memory array that Yosys maps to block RAM (`SB_RAM40_4K`, `DP16KD`) or LUT
    /// RAM; one read port and one write port.
    Inferred,
    /// `ceil(depth / 16,384)` iCE40 UltraPlus `SB_SPRAM256KA` instances, one port: a cycle
    /// reads or writes, never both.
    Ice40Spram,
}

impl RamStyle {
    /// Short name, as `gen-verilog`'s JSON description records it.
    pub fn name(self) -> &'static str {
        match self {
            RamStyle::Inferred => "inferred",
            RamStyle::Ice40Spram => "ice40_spram",
        }
    }
}

/// Synchronous RAM on one clock: one read port and one write port, one cycle of read latency.
///
/// Unlike rust-hdl's `RAM<D, N>`, which always declares `2^N` words, the depth is a constructor
/// argument, so a 300-word memory costs 300 words of block RAM, not 65,536.
///
/// | port | timing |
/// |---|---|
/// | `read_address`, `read_enable` | sampled at the rising edge; when `read_enable` is high, `read_data` holds the addressed word from that edge until the next read |
/// | `write_address`, `write_data`, `write_enable` | written at the rising edge when `write_enable` is high |
///
/// While `read_enable` is low, `read_data` keeps the word of the last read, except in the
/// [`RamStyle::Ice40Spram`] style after a write (see below). Addresses at or above the depth
/// are outside the contract: the simulator reads the default value and ignores the write.
///
/// # Block RAM ([`RamStyle::Inferred`], the default)
///
/// The Verilog is written by hand (`Verilog::Custom`) in the form Yosys maps to block RAM
/// (`SB_RAM40_4K` on iCE40, `DP16KD` on ECP5); only the address bits that reach the last word
/// are decoded:
///
/// ```text
/// (* no_rw_check *) reg [S-1:0] mem [0:DEPTH-1];
/// always @(posedge clock) if (read_enable) read_data <= mem[read_address];
/// always @(posedge clock) if (write_enable) mem[write_address] <= write_data;
/// ```
///
/// A read of the address written at the same edge returns an undefined word: the memory carries
/// Yosys's `no_rw_check` attribute, so no collision logic is built around the block RAM (whose
/// ports collide in an undefined way). The simulator returns the old word; a user must not rely
/// on it.
///
/// # iCE40 UltraPlus SPRAM ([`RamStyle::Ice40Spram`], [`Ram::in_ice40_spram`])
///
/// The words live in `ceil(depth / 16,384)` `SB_SPRAM256KA` instances (16,384 x 16 bits, one
/// port, one cycle of read latency), at most [`ICE40_UP_SPRAMS`]. Each word is stored in the
/// low bits of a 16-bit SPRAM word. The address bits above bit 13 select the instance; a
/// register, loaded on each read, remembers the instance read and picks its `DATAOUT`. The one
/// port takes the write address when `write_enable` is high and the read address otherwise;
/// an instance is enabled (`CHIPSELECT`) only in a cycle that reads or writes it.
///
/// **The caller never reads and writes in the same cycle**: `read_enable` and `write_enable`
/// are never high together. The simulator panics, naming both addresses, when they are. After
/// a write, `read_data` is undefined until the next read (the SPRAM drives its output to `x`);
/// the simulator returns the complement of the previous word there, so that a user of it shows
/// up as a mismatch against a golden model.
///
/// With [`Ram::with_signed_storage`], a `Bits<N>` RAM stores only the low `S` bits of each word
/// (`S <= N`) and sign-extends them on read, so that `weight_bits`-bit weights in a 16-bit
/// datapath cost `S` bits of RAM per word.
#[derive(Debug, LogicBlock)]
pub struct Ram<D: Synth, const A: usize> {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Read address, `A` bits, word index, input.
    pub read_address: Signal<In, Bits<A>>,
    /// Read the word at `read_address` at the next rising edge, input.
    pub read_enable: Signal<In, Bit>,
    /// Word read at the last rising edge with `read_enable` high, output.
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
    _signed: bool,
    _style: RamStyle,
    _undefined: fn(D) -> D,
}

fn keep<D>(word: D, _bits: usize) -> D {
    word
}

fn same<D>(word: D) -> D {
    word
}

fn complement<const N: usize>(word: Bits<N>) -> Bits<N> {
    !word
}

/// The low `bits` of `word`, zero-extended to `N` bits.
fn narrow_unsigned<const N: usize>(word: Bits<N>, bits: usize) -> Bits<N> {
    if bits == 64 {
        word
    } else {
        (word.to_u64() & ((1u64 << bits) - 1)).into()
    }
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

/// SPRAM instances for `depth` words.
fn spram_blocks(depth: usize) -> usize {
    depth.div_ceil(SPRAM_WORDS)
}

impl<D: Synth, const A: usize> Ram<D, A> {
    /// A RAM of `depth` words (`1..=2^A`) in block RAM, all reading as the default value (0)
    /// in the simulator and undefined in the Verilog until written.
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
            read_enable: Signal::default(),
            read_data: Signal::default(),
            write_address: Signal::default(),
            write_data: Signal::default(),
            write_enable: Signal::default(),
            _words: vec![D::default(); depth],
            _initial: false,
            _stored_bits: D::BITS,
            _store: keep::<D>,
            _signed: false,
            _style: RamStyle::Inferred,
            _undefined: same::<D>,
        }
    }

    /// A block RAM holding `words` at power-up (an `initial` block in the Verilog).
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

    /// Bits stored per word (the data width, or `S` of [`Ram::with_signed_storage`] or
    /// [`Ram::with_unsigned_storage`]).
    pub fn stored_bits(&self) -> usize {
        self._stored_bits
    }

    /// Where the words are kept in the Verilog.
    pub fn style(&self) -> RamStyle {
        self._style
    }
}

impl<const N: usize, const A: usize> Ram<Bits<N>, A> {
    /// Store only the low `bits` of each word and sign-extend them on read (`2 <= bits <= N`,
    /// `N <= 64`). Words written must lie in the `bits`-bit signed range to read back unchanged.
    pub fn with_signed_storage(self, bits: usize) -> Self {
        self.with_storage(bits, true)
    }

    /// Store only the low `bits` of each word and zero-extend them on read (`1 <= bits <= N`,
    /// `N <= 64`). Words written must be below `2^bits` to read back unchanged.
    pub fn with_unsigned_storage(self, bits: usize) -> Self {
        self.with_storage(bits, false)
    }

    /// [`Ram::with_signed_storage`] (`signed`) or [`Ram::with_unsigned_storage`].
    fn with_storage(mut self, bits: usize, signed: bool) -> Self {
        let (kind, least) = if signed {
            ("signed", 2)
        } else {
            ("unsigned", 1)
        };
        assert!(
            N <= 64,
            "Ram: {kind} storage needs a data width <= 64, not {N}"
        );
        assert!(
            (least..=N).contains(&bits),
            "Ram: stored width = {bits} is out of range {least}..={N}"
        );
        let narrow = if signed {
            narrow_signed::<N>
        } else {
            narrow_unsigned::<N>
        };
        self._stored_bits = bits;
        self._store = narrow;
        self._signed = signed;
        let words = std::mem::take(&mut self._words);
        self._words = words.into_iter().map(|w| narrow(w, bits)).collect();
        self
    }

    /// Keep the words in iCE40 UltraPlus SPRAM ([`RamStyle::Ice40Spram`]): at most 16 stored
    /// bits, at most [`ICE40_UP_SPRAMS`] x [`SPRAM_WORDS`] words, no initial contents. The
    /// caller must never read and write in the same cycle (see [`Ram`]).
    pub fn in_ice40_spram(mut self) -> Self {
        assert!(
            !self._initial,
            "Ram: an iCE40 SPRAM has no initial contents; this RAM was given {} words",
            self._words.len()
        );
        assert!(
            self._stored_bits <= SPRAM_BITS,
            "Ram: stored width = {} is above the {SPRAM_BITS} bits of an iCE40 SPRAM word",
            self._stored_bits
        );
        let depth = self._words.len();
        assert!(
            spram_blocks(depth) <= ICE40_UP_SPRAMS,
            "Ram: depth = {depth} needs {} iCE40 SPRAMs; an iCE40 UltraPlus has {ICE40_UP_SPRAMS} \
             ({} words)",
            spram_blocks(depth),
            ICE40_UP_SPRAMS * SPRAM_WORDS
        );
        self._style = RamStyle::Ice40Spram;
        self._undefined = complement::<N>;
        self
    }
}

impl<D: Synth, const A: usize> Logic for Ram<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let read = self.read_enable.val();
            let write = self.write_enable.val();
            if self._style == RamStyle::Ice40Spram && read && write {
                panic!(
                    "Ram (iCE40 SPRAM, {} words): read of word {} and write of word {} at the \
                     same clock edge; a single-port SPRAM cannot do both, the caller must not \
                     read and write in one cycle",
                    self._words.len(),
                    self.read_address.val().index(),
                    self.write_address.val().index()
                );
            }
            if read {
                // The old word for a read of the address written at this edge (undefined in
                // the Verilog).
                self.read_data.next = self
                    ._words
                    .get(self.read_address.val().index())
                    .copied()
                    .unwrap_or_default();
            } else if write {
                // Undefined after an SPRAM write; unchanged in block RAM.
                self.read_data.next = (self._undefined)(self.read_data.val());
            }
            if write {
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
        Verilog::Custom(match self._style {
            RamStyle::Inferred => self.inferred_verilog(),
            RamStyle::Ice40Spram => self.spram_verilog(),
        })
    }
}

impl<D: Synth, const A: usize> Ram<D, A> {
    /// The block-RAM Verilog: a memory array Yosys infers.
    fn inferred_verilog(&self) -> String {
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
                "always @(posedge clock) begin\n    if (read_enable) begin\n        \
                 read_data <= mem[{read}];\n    end\nend\n\
                 always @(posedge clock) begin\n    if (write_enable) begin\n        \
                 mem[{write}] <= write_data;\n    end\nend\n"
            ));
        } else {
            code.push_str(&format!(
                "reg [{top}:0] stored;\n\
                 always @(posedge clock) begin\n    if (read_enable) begin\n        \
                 stored <= mem[{read}];\n    end\nend\n\
                 always @(*) begin\n    read_data = {{{{{extra}{{{fill}}}}}, stored}};\nend\n\
                 always @(posedge clock) begin\n    if (write_enable) begin\n        \
                 mem[{write}] <= write_data[{top}:0];\n    end\nend\n",
                top = stored - 1,
                extra = width - stored,
                fill = if self._signed {
                    format!("stored[{}]", stored - 1)
                } else {
                    "1'b0".to_string()
                },
            ));
        }
        let mut ignored = Vec::new();
        if used < A {
            ignored.push(format!("read_address[{}:{used}]", A - 1));
            ignored.push(format!("write_address[{}:{used}]", A - 1));
        }
        if stored < width {
            ignored.push(format!("write_data[{}:{stored}]", width - 1));
        }
        code.push_str(&unused_bits(&ignored));
        code
    }

    /// The SPRAM Verilog: `SB_SPRAM256KA` instances behind one shared port.
    fn spram_verilog(&self) -> String {
        let width = D::BITS;
        let stored = self._stored_bits;
        let blocks = spram_blocks(self._words.len());
        // Bits that select the instance (bits 14 and up of the address).
        let select = (usize::BITS - (blocks - 1).leading_zeros()) as usize;
        let low = A.min(14);
        let pad = |port: &str| {
            let bits = if low == A {
                port.to_string()
            } else {
                format!("{port}[{}:0]", low - 1)
            };
            if low < 14 {
                format!("{{{}'d0, {bits}}}", 14 - low)
            } else {
                bits
            }
        };
        let mut code = format!(
            "// iCE40 UltraPlus SPRAM: {blocks} x SB_SPRAM256KA (16,384 x 16 bits, one port); \
             the caller never reads and writes in the same cycle.\n\
             wire [13:0] spram_address = write_enable ? {} : {};\n",
            pad("write_address"),
            pad("read_address"),
        );
        let data_in = if stored == SPRAM_BITS {
            if width == SPRAM_BITS {
                "write_data".to_string()
            } else {
                "write_data[15:0]".to_string()
            }
        } else if stored == width {
            format!("{{{}'d0, write_data}}", SPRAM_BITS - stored)
        } else {
            format!(
                "{{{}'d0, write_data[{}:0]}}",
                SPRAM_BITS - stored,
                stored - 1
            )
        };
        code.push_str(&format!("wire [15:0] spram_data_in = {data_in};\n"));
        if select > 0 {
            let bits = format!("{}:14", 13 + select);
            code.push_str(&format!(
                "wire [{s}:0] spram_bank = write_enable ? write_address[{bits}] : \
                 read_address[{bits}];\n\
                 reg [{s}:0] spram_read_bank;\n\
                 always @(posedge clock) begin\n    if (read_enable) begin\n        \
                 spram_read_bank <= read_address[{bits}];\n    end\nend\n",
                s = select - 1
            ));
        }
        for block in 0..blocks {
            let chip_select = if select > 0 {
                format!("(read_enable | write_enable) & (spram_bank == {select}'d{block})")
            } else {
                "read_enable | write_enable".to_string()
            };
            code.push_str(&format!(
                "wire [15:0] spram_out_{block};\n\
                 SB_SPRAM256KA spram_{block} (\n    .ADDRESS(spram_address),\n    \
                 .DATAIN(spram_data_in),\n    .MASKWREN(4'b1111),\n    .WREN(write_enable),\n    \
                 .CHIPSELECT({chip_select}),\n    .CLOCK(clock),\n    .STANDBY(1'b0),\n    \
                 .SLEEP(1'b0),\n    .POWEROFF(1'b1),\n    .DATAOUT(spram_out_{block})\n);\n"
            ));
        }
        code.push_str("reg [15:0] spram_word;\nalways @(*) begin\n");
        if select > 0 {
            code.push_str("    case (spram_read_bank)\n");
            for block in 0..blocks {
                code.push_str(&format!(
                    "        {select}'d{block}: spram_word = spram_out_{block};\n"
                ));
            }
            if blocks < 1 << select {
                code.push_str("        default: spram_word = 16'd0;\n");
            }
            code.push_str("    endcase\n");
        } else {
            code.push_str("    spram_word = spram_out_0;\n");
        }
        code.push_str("end\n");
        let top = stored - 1;
        let read = if stored == width {
            if width == SPRAM_BITS {
                "spram_word".to_string()
            } else {
                format!("spram_word[{top}:0]")
            }
        } else {
            let fill = if self._signed {
                format!("spram_word[{top}]")
            } else {
                "1'b0".to_string()
            };
            format!("{{{{{}{{{fill}}}}}, spram_word[{top}:0]}}", width - stored)
        };
        code.push_str(&format!(
            "always @(*) begin\n    read_data = {read};\nend\n"
        ));
        let mut ignored = Vec::new();
        if A > 14 + select {
            ignored.push(format!("read_address[{}:{}]", A - 1, 14 + select));
            ignored.push(format!("write_address[{}:{}]", A - 1, 14 + select));
        }
        if stored < width {
            ignored.push(format!("write_data[{}:{stored}]", width - 1));
        }
        if stored < SPRAM_BITS {
            ignored.push(format!("spram_word[15:{stored}]"));
        }
        code.push_str(&unused_bits(&ignored));
        code
    }
}

/// Bits a memory ignores, named so that Verilator's lint knows they are meant.
fn unused_bits(ignored: &[String]) -> String {
    if ignored.is_empty() {
        String::new()
    } else {
        format!(
            "wire unused_bits = &{{1'b0, {}, 1'b0}};\n",
            ignored.join(", ")
        )
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

    /// Random reads, writes and idle cycles against a `Vec` model. A quarter of the writes go
    /// to the address read; in block RAM a read and a write share a cycle a quarter of the
    /// time. What `read_data` must hold is tracked: the word of the last read, except after a
    /// read of the word written at the same edge and after an SPRAM write (both undefined).
    fn run_against_model(style: RamStyle, stored_bits: usize, seed: u32) {
        run_with_storage(style, stored_bits, true, seed);
    }

    /// [`run_against_model`] with words of `stored_bits` bits, signed or unsigned.
    fn run_with_storage(style: RamStyle, stored_bits: usize, signed: bool, seed: u32) {
        let mut uut: Ram<Bits<16>, 9> = Ram::new(DEPTH);
        if stored_bits < 16 {
            uut = if signed {
                uut.with_signed_storage(stored_bits)
            } else {
                uut.with_unsigned_storage(stored_bits)
            };
        }
        if style == RamStyle::Ice40Spram {
            uut = uut.in_ice40_spram();
        }
        uut.connect_all();
        let spram = style == RamStyle::Ice40Spram;
        let half = if signed { 1i64 << (stored_bits - 1) } else { 0 };
        let mut model = vec![0i64; DEPTH];
        let mut expected: Option<u64> = None;
        let mut rng = Xorshift32::new(seed);
        for cycle in 0..4_000 {
            let read_address = rng.next() as usize % DEPTH;
            let write_address = if rng.next() % 4 == 0 {
                read_address
            } else {
                rng.next() as usize % DEPTH
            };
            let (read, write) = match rng.next() % 4 {
                0 => (true, false),
                1 => (false, true),
                2 => (false, false),
                _ => (true, !spram),
            };
            let value = i64::from(rng.next() % (1 << stored_bits)) - half;
            uut.read_address.next = (read_address as u64).into();
            uut.read_enable.next = read;
            uut.write_address.next = (write_address as u64).into();
            uut.write_data.next = ((value as u64) & 0xFFFF).into();
            uut.write_enable.next = write;
            let before = uut.read_data.val().to_u64();
            tick(&mut uut);
            let got = uut.read_data.val().to_u64();
            if read {
                expected = (!(write && write_address == read_address))
                    .then(|| (model[read_address] as u64) & 0xFFFF);
            } else if write && spram {
                expected = None;
                assert_ne!(
                    got, before,
                    "SPRAM, stored {stored_bits} bits: cycle {cycle}, read_data after a write \
                     must not look like the word read before"
                );
            }
            if let Some(want) = expected {
                assert_eq!(
                    got, want,
                    "{style:?}, stored {stored_bits} bits: cycle {cycle} (read {read} of word \
                     {read_address}, write {write} of word {write_address})"
                );
            }
            if write {
                model[write_address] = value;
            }
        }
    }

    #[test]
    fn ram_reads_what_was_written() {
        run_against_model(RamStyle::Inferred, 16, 0x0AA0_0001);
    }

    #[test]
    fn ram_with_signed_storage_sign_extends() {
        run_against_model(RamStyle::Inferred, 8, 0x0AA0_0002);
        run_against_model(RamStyle::Inferred, 5, 0x0AA0_0003);
    }

    #[test]
    fn ram_with_unsigned_storage_zero_extends() {
        run_with_storage(RamStyle::Inferred, 7, false, 0x0AA0_0006);
        run_with_storage(RamStyle::Ice40Spram, 12, false, 0x0AA0_0007);
    }

    #[test]
    fn spram_ram_reads_what_was_written() {
        run_against_model(RamStyle::Ice40Spram, 16, 0x0AA0_0004);
        run_against_model(RamStyle::Ice40Spram, 8, 0x0AA0_0005);
    }

    #[test]
    #[should_panic(
        expected = "Ram (iCE40 SPRAM, 300 words): read of word 3 and write of word 5 at the same \
                    clock edge"
    )]
    fn spram_ram_refuses_a_read_and_a_write_in_one_cycle() {
        let mut uut: Ram<Bits<16>, 9> = Ram::new(DEPTH).in_ice40_spram();
        uut.connect_all();
        uut.read_address.next = 3u64.into();
        uut.read_enable.next = true;
        uut.write_address.next = 5u64.into();
        uut.write_enable.next = true;
        tick(&mut uut);
    }

    #[test]
    fn ram_with_contents_reads_them() {
        let words: Vec<Bits<8>> = (0..10u64).map(|i| (i * 7).into()).collect();
        let mut uut: Ram<Bits<8>, 4> = Ram::with_contents(words);
        uut.connect_all();
        uut.write_enable.next = false;
        uut.read_enable.next = true;
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

    #[test]
    #[should_panic(
        expected = "Ram: depth = 65537 needs 5 iCE40 SPRAMs; an iCE40 UltraPlus has 4 (65536 words)"
    )]
    fn spram_ram_rejects_more_than_four_sprams() {
        let _ = Ram::<Bits<8>, 17>::new(65_537).in_ice40_spram();
    }

    #[test]
    #[should_panic(expected = "Ram: stored width = 32 is above the 16 bits of an iCE40 SPRAM word")]
    fn spram_ram_rejects_words_wider_than_16_bits() {
        let _ = Ram::<Bits<32>, 4>::new(16).in_ice40_spram();
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

    /// Synthesise an SPRAM-style RAM for iCE40 (no warning, `blocks` SPRAMs, no block RAM)
    /// and lint its Verilog with Verilator.
    fn assert_maps_to_spram<const N: usize, const A: usize>(
        name: &str,
        mut uut: Ram<Bits<N>, A>,
        blocks: u64,
    ) {
        uut.connect_all();
        let ice40 = synthesize_block(name, &uut, Family::Ice40);
        assert_eq!(
            (ice40.cells("SB_SPRAM256KA"), ice40.cells("SB_RAM40_4K")),
            (blocks, 0),
            "{ice40}"
        );
        let dir =
            std::env::temp_dir().join(format!("spikeforge-hdl-lint-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|err| panic!("{name}: cannot create {}: {err}", dir.display()));
        let verilog = dir.join(format!("{name}.v"));
        std::fs::write(&verilog, generate_verilog(&uut))
            .unwrap_or_else(|err| panic!("{name}: cannot write {}: {err}", verilog.display()));
        if let Err(err) = crate::lint::lint(&verilog, "top") {
            panic!("{name}: {err}");
        }
        std::fs::remove_dir_all(&dir)
            .unwrap_or_else(|err| panic!("{name}: cannot remove {}: {err}", dir.display()));
    }

    #[test]
    fn spram_ram_maps_to_spram() {
        // The hidden weights of the default network: 18,944 x 8 bits in two SPRAMs.
        assert_maps_to_spram(
            "spram_two",
            Ram::<Bits<16>, 16>::new(18_944)
                .with_signed_storage(8)
                .in_ice40_spram(),
            2,
        );
        // Three SPRAMs (a bank select with an unused value), full 16-bit words.
        assert_maps_to_spram(
            "spram_three",
            Ram::<Bits<16>, 16>::new(40_000).in_ice40_spram(),
            3,
        );
        // One SPRAM, a 9-bit address padded to 14 bits, 8-bit words.
        assert_maps_to_spram(
            "spram_one",
            Ram::<Bits<8>, 9>::new(DEPTH).in_ice40_spram(),
            1,
        );
    }
}
