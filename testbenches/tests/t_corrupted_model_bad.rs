//! The comparison must catch a difference: one value of the golden model is flipped after
//! loading, and the report must name that variable, its index, and both values.

use spikeforge_testbenches::compare::compare;
use spikeforge_testbenches::golden::{Bench, Phase};
use spikeforge_testbenches::model::SMALL;

fn loaded() -> Bench {
    Bench::new(&SMALL, 0xBAD_5EED).unwrap_or_else(|m| panic!("{m}"))
}

#[test]
fn t_corrupted_weight_is_reported() {
    let mut bench = loaded();
    let original = bench.net.hidden[0].weights[5];
    bench.net.hidden[0].weights[5] ^= 1;
    let mismatch = compare(&mut bench.host, &bench.net, false, "corrupted W")
        .expect_err("a flipped weight must be reported");
    assert_eq!(mismatch.variable, "W");
    assert_eq!(mismatch.index, 5);
    assert_eq!(mismatch.step, "corrupted W");
    assert_eq!(mismatch.rtl, i64::from(original));
    assert_eq!(mismatch.model, i64::from(original ^ 1));
    assert_eq!(mismatch.others, 0);
}

#[test]
fn t_corrupted_trace_is_reported_after_a_step() {
    let mut bench = loaded();
    bench
        .run_phase(&Phase::inference(), 1)
        .unwrap_or_else(|m| panic!("{m}"));
    bench.net.classifier.trace[2] ^= 0x10;
    let mismatch = compare(&mut bench.host, &bench.net, true, "corrupted tr")
        .expect_err("a flipped trace must be reported");
    assert_eq!(mismatch.variable, "classifier.tr");
    assert_eq!(mismatch.index, 2);
    assert_eq!(mismatch.rtl ^ mismatch.model, 0x10);
    assert!(mismatch
        .to_string()
        .starts_with("corrupted tr: classifier.tr[2] is "));
}
