//! The default network's core with 4 and with 16 lanes (synapses per clock; the OrangeCrab
//! builds 4, the ULX3S 16), and as the iCEBreaker builds it (one lane, W and C in paired
//! SPRAM banks, both splits, its parameters fixed: no layer decays, so its rounding's plan is
//! constant), against the golden model: every phase, all state and the cycles of every step
//! compared; the same network as `t_core_default_golden`, so the results must not depend on
//! the datapath.

use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::{CoreKind, DEFAULT_LANES16, DEFAULT_LANES4, DIGITS_SPRAM};

fn run(kind: &'static CoreKind, lanes: usize, seed: u32) {
    let mut bench = Bench::new(kind, seed).unwrap_or_else(|m| panic!("{m}"));
    assert_eq!(bench.options.lanes, lanes, "core {}", kind.name());
    bench.run_checked_sample(kind.name());
}

#[test]
fn t_core_lanes_golden() {
    run(&DEFAULT_LANES4, 4, 0x1A4E_5004);
}

#[test]
fn t_core_16_lanes_golden() {
    run(&DEFAULT_LANES16, 16, 0x1A4E_5016);
}

#[test]
fn t_core_icebreaker_golden() {
    let bench = Bench::new(&DIGITS_SPRAM, 0x1CEB_0001).unwrap_or_else(|m| panic!("{m}"));
    let options = bench.options;
    assert!(
        options.weights_in_spram && options.paired_banks && options.fixed_parameters,
        "{options:?}"
    );
    run(&DIGITS_SPRAM, 1, 0x1CEB_0001);
}
