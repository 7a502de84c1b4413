//! The small supervised core (networks/small.toml) against the golden model: random state
//! loaded through the host interface, then a positive CSDP phase with the label input, a
//! classifier-only phase, a negative phase and inference; all state compared after every step.

use spikeforge_testbenches::golden::{Bench, Phase};
use spikeforge_testbenches::model::SMALL;

#[test]
fn t_core_small_golden() {
    let mut bench = Bench::new(&SMALL, 0x5EED_C0DE).unwrap_or_else(|m| panic!("{m}"));
    let (label, wrong) = bench.draw_labels();
    let supervised = bench.supervised();
    assert!(supervised, "networks/small.toml is a supervised network");
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
    // The comparison means something only if the network was active.
    let [inputs, hidden] = bench.activity;
    assert!(
        inputs > 0 && hidden > 0,
        "no spikes: {inputs} input, {hidden} hidden"
    );
}
