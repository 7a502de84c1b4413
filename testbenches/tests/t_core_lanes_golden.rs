//! The default network's core with 4 and with 16 lanes (synapses per clock; the OrangeCrab
//! builds 4, the ULX3S 16)
//! against the golden model: every phase, all state and the cycles of every step compared;
//! the same network as `t_core_default_golden`, so the results must not depend on the lanes.

use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::{CoreKind, DEFAULT_LANES16, DEFAULT_LANES4};

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
