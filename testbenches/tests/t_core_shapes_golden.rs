//! Further network shapes against the golden model: `wide` (supervised 16-12-4, 4-bit
//! weights, the classifier sees the hidden layer only), `tiny` (supervised 3-1-2, one hidden
//! neuron, 2-bit weights) and `large` (self-supervised 1100-64-4: W of 70,400 words, past
//! 16-bit addresses), each through a positive phase with the label input, classifier
//! learning, a negative phase and inference, all state compared after every step.

use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::{CoreKind, LARGE, TINY, WIDE};

fn run(kind: &'static CoreKind, seed: u32) {
    let mut bench = Bench::new(kind, seed).unwrap_or_else(|m| panic!("{}: {m}", kind.name()));
    bench.run_checked_sample(kind.name());
}

#[test]
fn t_core_wide_golden() {
    run(&WIDE, 0x51DE_0001);
}

#[test]
fn t_core_tiny_golden() {
    run(&TINY, 0x0071_0002);
}

#[test]
fn t_core_large_golden() {
    run(&LARGE, 0x1A46_0003);
}
