//! Workarounds for the gaps of rust-hdl 0.46, in one place, and the rules every widget follows
//! so that rust-hdl's simulator and its generated Verilog compute the same bits.
//!
//! # Gaps and what to do instead
//!
//! | gap in rust-hdl 0.46 | consequence | what the widgets do |
//! |---|---|---|
//! | no arithmetic right shift (`>>>`) on `Signed` | `>>` on a negative value shifts in zeros | [`ShiftRightArith`] |
//! | `signed_bit_cast` recurses through negation: for the most negative value (`-x == x`) the simulator overflows its stack; in Verilog it is a bare `$signed(x)` whose extension depends on the context | no safe sign extension | [`SignExtend`] |
//! | `.resize()` and `let` are not accepted inside `#[hdl_gen]` | no widening helper, no temporaries | `bit_cast` (zero extension) and `Signal<Local, _>` temporaries |
//! | multiply only `Bits<16> * Bits<16> -> Bits<32>` (unsigned) | no signed or wider products | multiply magnitudes, then negate the product |
//! | literals are emitted as 32-bit constants | an expression with a literal is evaluated 32 bits wide in Verilog but `N` bits wide in the simulator | the rule on carries below |
//! | binary operators emitted without parentheses | Verilog may group differently from Rust | parenthesise every binary sub-expression |
//!
//! # Rules for `#[hdl_gen]` code in this crate
//!
//! 1. **Carries.** Verilog evaluates an expression at the widest width among its operands and
//!    its target, the simulator at the operand width. The low bits of `+`, `-`, `*`, `&`, `|`,
//!    `^`, `!` and `<<` do not depend on higher bits, so such an expression may be assigned to a
//!    signal of its operands' width. The left operand of `>>` and the operands of comparisons
//!    are plain signals (or literals), never an expression that could carry: such a value is
//!    first stored in a local signal of exactly its width.
//! 2. **Signedness casts.** `signed_cast` / `unsigned_cast` (`$signed` / `$unsigned`) appear only
//!    where nothing is wider than their argument: in an expression whose operands and target
//!    all have the argument's width (or a narrower target), or in a comparison of two values of
//!    the same width. In a wider context, Verilog tools disagree on how the argument is
//!    extended.
//! 3. **Internal arithmetic is unsigned.** Signed quantities are carried in `Bits<N>` as two's
//!    complement; sign extension goes through [`SignExtend`], right shifts of signed values
//!    through [`ShiftRightArith`]. `Signed` is used on ports and for comparisons.
//! 4. **No latches.** Every local is assigned on every path, usually by a default assignment
//!    at the top of `update`.
use rust_hdl::prelude::*;

/// Largest signal width the helpers accept (the sign-bit index is an 8-bit constant).
const MAX_WIDTH: usize = 256;

fn check_width(widget: &str, what: &str, n: usize) {
    assert!(
        (2..=MAX_WIDTH).contains(&n),
        "{widget}: width {what} = {n} is out of range 2..={MAX_WIDTH}"
    );
}

fn sign_bit_index(n: usize) -> Constant<Bits<8>> {
    let index = u64::try_from(n - 1).unwrap_or(u64::MAX);
    Constant::new(index.into())
}

/// Arithmetic right shift: `result = value >>> shift`, i.e. the floor of `value / 2^shift`.
///
/// rust-hdl has no `>>>`. For a negative `value`, `value >>> s == !((!value) >> s)`: the
/// complement is non-negative, so a logical shift of it is exact, and complementing back fills
/// the top bits with ones. Both the simulator and the Verilog use only `!` and `>>` on unsigned
/// bits of width `N`.
#[derive(Debug, LogicBlock)]
pub struct ShiftRightArith<const N: usize> {
    /// `N`-bit two's complement value, input.
    pub value: Signal<In, Signed<N>>,
    /// Shift distance in bits, 0..=31, input.
    pub shift: Signal<In, Bits<5>>,
    /// `value >>> shift`, `N`-bit two's complement, output.
    pub result: Signal<Out, Signed<N>>,
    raw: Signal<Local, Bits<N>>,
    // The value with its bits flipped when negative (so non-negative), shifted logically.
    folded: Signal<Local, Bits<N>>,
    shifted: Signal<Local, Bits<N>>,
    sign_bit: Constant<Bits<8>>,
}

impl<const N: usize> ShiftRightArith<N> {
    /// An arithmetic shifter for `N`-bit values (`2 <= N <= 256`).
    pub fn new() -> Self {
        check_width("ShiftRightArith", "N", N);
        Self {
            value: Signal::default(),
            shift: Signal::default(),
            result: Signal::default(),
            raw: Signal::default(),
            folded: Signal::default(),
            shifted: Signal::default(),
            sign_bit: sign_bit_index(N),
        }
    }
}

impl<const N: usize> Default for ShiftRightArith<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Logic for ShiftRightArith<N> {
    #[hdl_gen]
    fn update(&mut self) {
        // `x >>> s = !((!x) >> s)` for negative `x`: one logical shifter serves both signs,
        // between two conditional inversions (an XOR with the sign each).
        self.raw.next = unsigned_cast(self.value.val());
        self.folded.next = self.raw.val();
        if self.raw.val().get_bit(self.sign_bit.val().index()) {
            self.folded.next = !self.raw.val();
        }
        self.shifted.next = self.folded.val() >> self.shift.val();
        self.result.next = signed_cast(self.shifted.val());
        if self.raw.val().get_bit(self.sign_bit.val().index()) {
            self.result.next = signed_cast(!self.shifted.val());
        }
    }
}

/// Sign extension from `N` to `M` bits (`M > N`): `result = value` as an `M`-bit number.
///
/// Replaces rust-hdl's `signed_bit_cast` (see the module documentation): the value is widened
/// with `bit_cast` (zero extension) and the bits above `N` are set when the sign bit is.
#[derive(Debug, LogicBlock)]
pub struct SignExtend<const N: usize, const M: usize> {
    /// `N`-bit two's complement value, input.
    pub value: Signal<In, Signed<N>>,
    /// The same value, `M`-bit two's complement, output.
    pub result: Signal<Out, Signed<M>>,
    raw: Signal<Local, Bits<N>>,
    widened: Signal<Local, Bits<M>>,
    sign_bit: Constant<Bits<8>>,
    upper: Constant<Bits<M>>,
}

impl<const N: usize, const M: usize> SignExtend<N, M> {
    /// A sign extender from `N` to `M` bits (`2 <= N < M <= 256`).
    pub fn new() -> Self {
        check_width("SignExtend", "N", N);
        check_width("SignExtend", "M", M);
        assert!(N < M, "SignExtend: N = {N} must be below M = {M}");
        let mut upper = Bits::<M>::default();
        for bit in N..M {
            upper = upper.replace_bit(bit, true);
        }
        Self {
            value: Signal::default(),
            result: Signal::default(),
            raw: Signal::default(),
            widened: Signal::default(),
            sign_bit: sign_bit_index(N),
            upper: Constant::new(upper),
        }
    }
}

impl<const N: usize, const M: usize> Default for SignExtend<N, M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const M: usize> Logic for SignExtend<N, M> {
    #[hdl_gen]
    fn update(&mut self) {
        self.raw.next = unsigned_cast(self.value.val());
        self.widened.next = bit_cast::<M, N>(self.raw.val());
        if self.raw.val().get_bit(self.sign_bit.val().index()) {
            self.widened.next = bit_cast::<M, N>(self.raw.val()) | self.upper.val();
        }
        self.result.next = signed_cast(self.widened.val());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_signed, to_bits, to_signed, Draw, GoldenCase,
        VECTORS,
    };

    /// Width of the shifter under test: the widest one the widgets use (`SrUpdate`).
    const SHIFT_WIDTH: usize = 26;

    #[derive(Debug)]
    struct ShiftCase {
        value: i64,
        shift: i64,
    }

    impl GoldenCase for ShiftCase {
        type Widget = ShiftRightArith<SHIFT_WIDTH>;

        fn draw(draw: &mut Draw) -> Self {
            let half = 1i64 << (SHIFT_WIDTH - 1);
            Self {
                value: draw.int(-half, half - 1),
                shift: draw.int(0, 31),
            }
        }

        fn drive(&self, uut: &mut Self::Widget) {
            uut.value.next = to_signed(self.value);
            uut.shift.next = to_bits(self.shift);
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![("value", SHIFT_WIDTH, self.value), ("shift", 5, self.shift)]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            vec![("result", self.value >> self.shift)]
        }

        fn read(uut: &Self::Widget) -> Vec<(&'static str, i64)> {
            vec![("result", from_signed(uut.result.val()))]
        }
    }

    #[derive(Debug)]
    struct ExtendCase {
        value: i64,
    }

    impl GoldenCase for ExtendCase {
        type Widget = SignExtend<10, 34>;

        fn draw(draw: &mut Draw) -> Self {
            Self {
                value: draw.int(-512, 511),
            }
        }

        fn drive(&self, uut: &mut Self::Widget) {
            uut.value.next = to_signed(self.value);
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![("value", 10, self.value)]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            vec![("result", self.value)]
        }

        fn read(uut: &Self::Widget) -> Vec<(&'static str, i64)> {
            vec![("result", from_signed(uut.result.val()))]
        }
    }

    #[test]
    fn shift_right_arith_matches_integer_shift() {
        let mut uut = ShiftRightArith::new();
        uut.connect_all();
        let cases: Vec<ShiftCase> = draw_cases(0x5EED_0001, VECTORS);
        assert_matches_golden("ShiftRightArith", &mut uut, &cases);
    }

    #[test]
    fn shift_right_arith_synthesizes() {
        let mut uut = ShiftRightArith::new();
        uut.connect_all();
        let cases: Vec<ShiftCase> = draw_cases(0x5EED_0001, VECTORS);
        assert_synthesizes_combinational("shift_right_arith", &uut, &cases);
    }

    #[test]
    fn sign_extend_keeps_the_value() {
        let mut uut = SignExtend::new();
        uut.connect_all();
        // Exhaustive: every 10-bit value.
        let cases: Vec<ExtendCase> = (-512..512).map(|value| ExtendCase { value }).collect();
        assert_matches_golden("SignExtend", &mut uut, &cases);
    }

    #[test]
    fn sign_extend_synthesizes() {
        let mut uut = SignExtend::new();
        uut.connect_all();
        let cases: Vec<ExtendCase> = draw_cases(0x5EED_0002, VECTORS);
        assert_synthesizes_combinational("sign_extend", &uut, &cases);
    }

    #[test]
    #[should_panic(expected = "SignExtend: N = 16 must be below M = 16")]
    fn sign_extend_rejects_narrowing() {
        let _ = SignExtend::<16, 16>::new();
    }
}
