//! [`Xorshift32Jump`]: several steps of the chip's random generator at once,
//! `spikeforge_sim::rng::xorshift32_step` applied `steps` times.
use rust_hdl::prelude::*;
use spikeforge_sim::rng::xorshift32_step;

/// The generator's state after `steps` xorshift32 steps (`rng::xorshift32_step` applied
/// `steps` times), combinational; with `steps = 1`, one step of the generator.
///
/// The step is linear over GF(2) (shifts and XORs only), so `steps` of them are a 32 x 32
/// bit matrix: output bit `i` is the parity of the state's bits in row `i`, a tree of XOR
/// gates about three LUT levels deep on 4-input LUTs, where a chain of single steps grows by
/// about two levels per step. The rows are computed when the widget is built.
#[derive(Debug, LogicBlock)]
pub struct Xorshift32Jump {
    /// Generator state `x` (never 0), 32 bits, input.
    pub state: Signal<In, Bits<32>>,
    /// The state `steps` steps later, 32 bits, output.
    pub next_state: Signal<Out, Bits<32>>,
    // Row `i`: the state bits whose parity is output bit `i`.
    rows: Vec<Constant<Bits<32>>>,
    // Bit `i` alone.
    units: Vec<Constant<Bits<32>>>,
    // The output's bits 0..=i.
    partial: Vec<Signal<Local, Bits<32>>>,
}

/// The rows of the matrix of `steps` generator steps: bit `j` of row `i` is set when state
/// bit `j` flips output bit `i`.
fn jump_rows(steps: usize) -> [u32; 32] {
    let mut rows = [0u32; 32];
    for j in 0..32 {
        let mut column = 1u32 << j;
        for _ in 0..steps {
            column = xorshift32_step(column);
        }
        for (i, row) in rows.iter_mut().enumerate() {
            if column >> i & 1 == 1 {
                *row |= 1 << j;
            }
        }
    }
    rows
}

impl Xorshift32Jump {
    /// `steps` generator steps at once (at least 1).
    pub fn new(steps: usize) -> Self {
        assert!(steps >= 1, "Xorshift32Jump: steps = 0, need at least 1");
        Self {
            state: Signal::default(),
            next_state: Signal::default(),
            rows: jump_rows(steps)
                .iter()
                .map(|&row| Constant::new(bits(row.into())))
                .collect(),
            units: (0..32).map(|i| Constant::new(bits(1 << i))).collect(),
            partial: (0..32).map(|_| Signal::default()).collect(),
        }
    }
}

impl Logic for Xorshift32Jump {
    #[hdl_gen]
    fn update(&mut self) {
        self.partial[0].next = bits::<32>(0);
        if (self.state.val() & self.rows[0].val()).xor() {
            self.partial[0].next = self.units[0].val();
        }
        for i in 1..self.rows.len() {
            self.partial[i].next = self.partial[i - 1].val();
            if (self.state.val() & self.rows[i].val()).xor() {
                self.partial[i].next = self.partial[i - 1].val() | self.units[i].val();
            }
        }
        self.next_state.next = self.partial[31].val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bits, to_bits, Draw, GoldenCase, VECTORS,
    };
    use spikeforge_sim::rng::Xorshift32;

    const SEED: u32 = 0x0A5F_000B;

    #[derive(Debug)]
    struct Case {
        state: u32,
        steps: usize,
    }

    impl GoldenCase for Case {
        type Widget = Xorshift32Jump;

        fn draw(draw: &mut Draw) -> Self {
            let state = draw.int(1, u32::MAX.into());
            Self {
                state: u32::try_from(state)
                    .unwrap_or_else(|_| panic!("{state} is outside the drawn range")),
                steps: 0,
            }
        }

        fn drive(&self, uut: &mut Xorshift32Jump) {
            uut.state.next = to_bits(self.state.into());
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![("state", 32, self.state.into())]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let mut x = self.state;
            for _ in 0..self.steps {
                x = xorshift32_step(x);
            }
            vec![("next_state", x.into())]
        }

        fn read(uut: &Xorshift32Jump) -> Vec<(&'static str, i64)> {
            vec![("next_state", from_bits(uut.next_state.val()))]
        }
    }

    /// Random states, then a run of the generator from seed 1, for `steps` steps.
    fn cases(steps: usize) -> Vec<Case> {
        let mut cases: Vec<Case> = draw_cases(SEED, VECTORS);
        let mut rng = Xorshift32::new(1);
        cases.extend((0..VECTORS).map(|_| Case {
            state: rng.next(),
            steps: 0,
        }));
        for case in &mut cases {
            case.steps = steps;
        }
        cases
    }

    #[test]
    fn xorshift32_jump_matches_golden_model_for_one_to_eight_steps() {
        for steps in 1..=8 {
            let mut uut = Xorshift32Jump::new(steps);
            uut.connect_all();
            assert_matches_golden("Xorshift32Jump", &mut uut, &cases(steps));
        }
    }

    #[test]
    fn xorshift32_jump_synthesizes() {
        let mut uut = Xorshift32Jump::new(8);
        uut.connect_all();
        assert_synthesizes_combinational("xorshift32_jump", &uut, &cases(8));
    }

    /// A wrong matrix (one more step than asked for) must fail the golden comparison.
    #[test]
    #[should_panic(expected = "Xorshift32Jump")]
    fn xorshift32_jump_with_a_wrong_matrix_fails() {
        let mut uut = Xorshift32Jump::new(4);
        uut.connect_all();
        assert_matches_golden("Xorshift32Jump", &mut uut, &cases(3));
    }
}
