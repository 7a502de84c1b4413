//! Test support: seeded random input vectors, conversions between rust-hdl's bit types and
//! integers, and the operation test of a combinational widget against the golden model in
//! rust-hdl's simulator.
use rust_hdl::prelude::*;
use spikeforge_sim::rng::Xorshift32;
use std::fmt::Debug;

/// Random vectors per operation test (the test plan asks for at least 1,000).
pub(crate) const VECTORS: usize = 2_000;

/// One input vector of a widget, with the golden model's outputs for it.
///
/// Ports are named as in the Verilog (the Rust field names); values are integers, two's
/// complement for signed ports, 0 or 1 for single bits.
pub(crate) trait GoldenCase: Debug + Sized {
    /// The widget under test.
    type Widget: Block;
    /// Draw one input vector.
    fn draw(draw: &mut Draw) -> Self;
    /// Set the widget's input ports (`.next`).
    fn drive(&self, uut: &mut Self::Widget);
    /// Input ports: (name, width in bits, value).
    fn ports(&self) -> Vec<(&'static str, usize, i64)>;
    /// Outputs according to the golden model: (name, value).
    fn golden(&self) -> Vec<(&'static str, i64)>;
    /// Outputs of the settled widget, in the order of [`GoldenCase::golden`]: (name, value).
    fn read(uut: &Self::Widget) -> Vec<(&'static str, i64)>;
}

/// `count` vectors drawn from a generator seeded with `seed`.
pub(crate) fn draw_cases<C: GoldenCase>(seed: u32, count: usize) -> Vec<C> {
    let mut draw = Draw::new(seed);
    (0..count).map(|_| C::draw(&mut draw)).collect()
}

/// Operation test: drive every case into `uut` (already `connect_all`ed), let it settle in
/// rust-hdl's simulator and compare every output with the golden model.
pub(crate) fn assert_matches_golden<C: GoldenCase>(
    widget: &'static str,
    uut: &mut C::Widget,
    cases: &[C],
) {
    assert!(
        cases.len() >= 1_000,
        "{widget}: only {} vectors, the test plan asks for at least 1,000",
        cases.len()
    );
    let mut bad = Mismatches::new(widget);
    for case in cases {
        case.drive(uut);
        settle(uut);
        let got = C::read(uut);
        let want = case.golden();
        assert_eq!(
            got.len(),
            want.len(),
            "{widget}: read and golden list different ports"
        );
        for ((port, got), (golden_port, want)) in got.into_iter().zip(want) {
            assert_eq!(
                port, golden_port,
                "{widget}: read and golden list ports in another order"
            );
            bad.check(port, case, got, want);
        }
    }
    bad.assert_none(cases.len());
}

/// Passes of rust-hdl's simulator allowed for a combinational widget to settle: one per level
/// of local signals and sub-widgets, with a wide margin.
const SETTLE_PASSES: usize = 100;

/// Propagate the inputs set with `.next` to the outputs of a combinational widget.
pub(crate) fn settle<B: Block>(uut: &mut B) {
    assert!(
        simulate(uut, SETTLE_PASSES),
        "combinational logic did not settle within {SETTLE_PASSES} passes"
    );
}

/// Seeded source of test inputs (xorshift32, the project's one generator).
#[derive(Debug)]
pub(crate) struct Draw {
    rng: Xorshift32,
}

impl Draw {
    pub(crate) fn new(seed: u32) -> Self {
        Self {
            rng: Xorshift32::new(seed),
        }
    }

    /// A uniform 32-bit word.
    pub(crate) fn u32(&mut self) -> u32 {
        self.rng.next()
    }

    pub(crate) fn bool(&mut self) -> bool {
        self.u32() & 1 == 1
    }

    /// A value in `lo..=hi`. One draw in four is an edge of the range (`lo`, `lo + 1`, `0` when
    /// inside, `hi - 1`, `hi`); the others are uniform.
    pub(crate) fn int(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        if self.u32() % 4 == 0 {
            let edges = [
                lo,
                lo.saturating_add(1).min(hi),
                0.clamp(lo, hi),
                hi.saturating_sub(1).max(lo),
                hi,
            ];
            edges[self.u32() as usize % edges.len()]
        } else {
            let span = i128::from(hi) - i128::from(lo) + 1;
            let wide = (u64::from(self.u32()) << 32) | u64::from(self.u32());
            let value = i128::from(lo) + i128::from(wide) % span;
            i64::try_from(value).unwrap_or_else(|_| panic!("{value} is outside {lo}..={hi}"))
        }
    }
}

/// An integer as an `N`-bit signed port value; panics when it does not fit.
pub(crate) fn to_signed<const N: usize>(x: i64) -> Signed<N> {
    let half = 1i128 << (N - 1);
    assert!(
        (-half..half).contains(&i128::from(x)),
        "{x} does not fit {N}-bit signed"
    );
    Signed::from(x)
}

/// The integer held by an `N`-bit signed port value.
pub(crate) fn from_signed<const N: usize>(x: Signed<N>) -> i64 {
    let raw = i128::from(unsigned_cast(x).to_u64());
    let value = if x.get_bit(N - 1) {
        raw - (1i128 << N)
    } else {
        raw
    };
    i64::try_from(value).unwrap_or_else(|_| panic!("{value} exceeds i64"))
}

/// A non-negative integer as an `N`-bit unsigned port value; panics when it does not fit.
pub(crate) fn to_bits<const N: usize>(x: i64) -> Bits<N> {
    let fits = u64::try_from(x).ok().filter(|&u| N >= 64 || u >> N == 0);
    fits.unwrap_or_else(|| panic!("{x} does not fit {N}-bit unsigned"))
        .into()
}

/// The integer held by an `N`-bit unsigned port value (`N <= 63`).
pub(crate) fn from_bits<const N: usize>(x: Bits<N>) -> i64 {
    let raw = x.to_u64();
    i64::try_from(raw).unwrap_or_else(|_| panic!("{raw} exceeds i64"))
}

/// A single-bit port value as an integer, 0 or 1.
pub(crate) fn from_bit(x: bool) -> i64 {
    i64::from(x)
}

/// Mismatches between a widget's outputs and the golden model over a run of vectors.
#[derive(Debug)]
pub(crate) struct Mismatches {
    widget: String,
    failures: Vec<String>,
}

impl Mismatches {
    /// Failures quoted in full in the final message; the rest are counted.
    const QUOTED: usize = 10;

    /// Mismatches of `widget` (a name for messages).
    pub(crate) fn new(widget: impl Into<String>) -> Self {
        Self {
            widget: widget.into(),
            failures: Vec::new(),
        }
    }

    /// Record a mismatch of output `port` for `inputs` when `got != want`.
    pub(crate) fn check<T: PartialEq + Debug>(
        &mut self,
        port: &str,
        inputs: &dyn Debug,
        got: T,
        want: T,
    ) {
        if got != want {
            self.failures.push(format!(
                "inputs {inputs:?}: {port} = {got:?}, golden model = {want:?}"
            ));
        }
    }

    /// Panic naming the inputs and both values of the first mismatches, if there are any.
    pub(crate) fn assert_none(&self, vectors: usize) {
        assert!(
            self.failures.is_empty(),
            "{}: {} mismatches in {vectors} vectors; first:\n{}",
            self.widget,
            self.failures.len(),
            self.failures[..self.failures.len().min(Self::QUOTED)].join("\n")
        );
    }
}
