//! Stacked hidden layers against the golden model: `deep` (supervised 10-7-5-3, both hidden
//! layers see the label input, the classifier sees the input and both) with 1 and 8 lanes, and
//! `deep3_spram_lanes2` (self-supervised 9-6-5-4-2, three layers' weights in one SPRAM bank
//! per lane), each through a positive phase with the label input, classifier learning, a
//! negative phase and inference, all state of every layer and the cycles compared after every
//! step; every hidden layer's weights must change.

use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::{CoreKind, DEEP, DEEP3_SPRAM_LANES2, DEEP_LANES8};

fn run(kind: &'static CoreKind, layers: usize, seed: u32) {
    let mut bench = Bench::new(kind, seed).unwrap_or_else(|m| panic!("{}: {m}", kind.name()));
    assert_eq!(bench.cfg.hidden.len(), layers, "core {}", kind.name());
    bench.run_checked_sample(kind.name());
}

#[test]
fn t_core_two_hidden_layers_golden() {
    run(&DEEP, 2, 0xDEE9_0002);
}

#[test]
fn t_core_two_hidden_layers_8_lanes_golden() {
    run(&DEEP_LANES8, 2, 0xDEE9_0008);
}

#[test]
fn t_core_three_hidden_layers_spram_golden() {
    run(&DEEP3_SPRAM_LANES2, 3, 0xDEE9_0003);
}
