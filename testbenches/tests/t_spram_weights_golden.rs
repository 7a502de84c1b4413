//! Cores with the hidden weights W in iCE40 UltraPlus SPRAM (`CoreOptions::weights_in_spram`,
//! Verilator running the behavioural `SB_SPRAM256KA` of `verilog/`) against the golden
//! model: `small_spram` (8-bit weights in one SPRAM) and `default_spram` (the default
//! network's supervised variant, 18,944 weights in two SPRAMs), each through a positive
//! phase with the label input, classifier learning, a negative phase and inference, all state
//! (every W word included) compared after every step.

use spikeforge_hdl::memory::SPRAM_WORDS;
use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::{CoreKind, DEFAULT_SPRAM, SMALL_SPRAM};

/// Run the phases; returns the indices of the W words that changed.
fn run(kind: &'static CoreKind, seed: u32) -> Vec<usize> {
    assert!(
        kind.options().weights_in_spram,
        "core {} is built with {:?}",
        kind.name(),
        kind.options()
    );
    let mut bench = Bench::new(kind, seed).unwrap_or_else(|m| panic!("{}: {m}", kind.name()));
    let before = bench.run_sample(kind.name());
    let changed: Vec<usize> = before[0]
        .iter()
        .zip(&bench.net.hidden[0].weights)
        .enumerate()
        .filter_map(|(i, (a, b))| (a != b).then_some(i))
        .collect();
    assert!(!changed.is_empty(), "{}: W never changed", kind.name());
    changed
}

#[test]
fn t_spram_weights_golden() {
    run(&SMALL_SPRAM, 0x592A_0001);
}

#[test]
fn t_spram_weights_two_sprams_golden() {
    let changed = run(&DEFAULT_SPRAM, 0x592A_0002);
    // The label inputs' rows lie in the second SPRAM: learning must have written it.
    let second = changed.iter().filter(|&&i| i >= SPRAM_WORDS).count();
    assert!(
        second > 0,
        "no W word at or above {SPRAM_WORDS} (the second SPRAM) changed; {} changed below",
        changed.len()
    );
}
