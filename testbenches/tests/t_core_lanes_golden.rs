//! The default network's core with 4 and with 8 lanes (synapses per clock; the ULX3S builds 8)
//! against the golden model: every phase, all state and the cycles of every step compared;
//! the same network as `t_core_default_golden`, so the results must not depend on the lanes.

use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::{CoreKind, DEFAULT_LANES4, DEFAULT_LANES8};

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
fn t_core_8_lanes_golden() {
    run(&DEFAULT_LANES8, 8, 0x1A4E_5008);
}
