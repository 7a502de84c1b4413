//! Self-supervised cores (no label inputs; negatives are other images, so the core only ever
//! sees pixels) against the golden model: `selfsup` (9-6-2, 16-bit weights, the classifier
//! sees the hidden layer only) in block RAM and `mixed_spram` (13-5-4, 16-bit weights, the
//! classifier sees the input too) with W in SPRAM, each through a positive phase, classifier
//! learning, a negative phase and inference with all state compared after every step.

use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::{CoreKind, MIXED_SPRAM, SELFSUP};

fn run(kind: &'static CoreKind, seed: u32) {
    let mut bench = Bench::new(kind, seed).unwrap_or_else(|m| panic!("{}: {m}", kind.name()));
    assert!(
        !bench.supervised(),
        "core {} is not self-supervised",
        kind.name()
    );
    for phase in bench.sample_phases() {
        assert_eq!(phase.command.label_input, None, "{} phase", phase.name);
    }
    bench.run_checked_sample(kind.name());
}

#[test]
fn t_self_supervised_golden() {
    run(&SELFSUP, 0x5E1F_0001);
}

#[test]
fn t_self_supervised_spram_golden() {
    run(&MIXED_SPRAM, 0x5E1F_0002);
}
