//! The default network's core with 4 lanes (4 synapses per clock) against the golden model:
//! every phase, all state and the cycles of every step compared; the same network as
//! `t_core_default_golden`, so the results must not depend on the lanes.

use spikeforge_testbenches::golden::Bench;
use spikeforge_testbenches::model::DEFAULT_LANES4;

#[test]
fn t_core_lanes_golden() {
    let mut bench = Bench::new(&DEFAULT_LANES4, 0x1A4E_5004).unwrap_or_else(|m| panic!("{m}"));
    assert_eq!(bench.options.lanes, 4, "core default_lanes4");
    bench.run_checked_sample(DEFAULT_LANES4.name());
}
