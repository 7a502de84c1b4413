//! The default network's core (networks/digits.toml) against the golden model: every step
//! of each phase, all state compared after every step; reports the simulation speed.

use std::time::Instant;

use spikeforge_testbenches::golden::{Bench, Phase};
use spikeforge_testbenches::model::DEFAULT;

#[test]
fn t_core_default_golden() {
    let started = Instant::now();
    let mut bench = Bench::new(&DEFAULT, 0xD161_7500).unwrap_or_else(|m| panic!("{m}"));
    let (label, wrong) = bench.draw_labels();
    let supervised = bench.supervised();
    let phases = [
        Phase::positive(label, supervised),
        Phase::classify(label),
        Phase::negative(wrong, supervised),
        Phase::inference(),
    ];
    let steps = bench.cfg.steps;
    for phase in &phases {
        bench
            .run_phase(phase, steps)
            .unwrap_or_else(|m| panic!("{m}"));
    }
    let [inputs, hidden] = bench.activity;
    assert!(
        inputs > 0 && hidden > 0,
        "no spikes: {inputs} input, {hidden} hidden"
    );
    let (busy_cycles, busy_time) = bench.host.busy_stats();
    println!(
        "default core: {} cycles in {:.2} s in all; STEP/PHASE_RESET {busy_cycles} cycles at \
         {:.1} M cycles/s",
        bench.host.cycles(),
        started.elapsed().as_secs_f64(),
        busy_cycles as f64 / busy_time.as_secs_f64() / 1e6
    );
}
