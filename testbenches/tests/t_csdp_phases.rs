//! CSDP's polarity in co-simulation. With weight decay off, a negative phase (contrastive
//! error `e = p >= 0`) can only lower the hidden weights and a positive phase (`e = p - 256 <
//! 0`) only raise them, and only in the rows of this step's input events (spiking pixels and
//! the label input); the classifier's weights C stay as they are. The small core runs each
//! polarity step by step with all state compared against the golden model after every step.

use spikeforge_sim::model::{Learn, Polarity};
use spikeforge_sim::network::Network;
use spikeforge_testbenches::golden::{Bench, Phase};
use spikeforge_testbenches::model::SMALL;

/// Steps of the phase.
const STEPS: u32 = 8;

/// Run `STEPS` steps of CSDP with `polarity` (label input 1); returns the weights changed.
fn csdp(polarity: Polarity) -> usize {
    let mut cfg = SMALL
        .config()
        .unwrap_or_else(|e| panic!("network of core small: {e}"));
    let hidden = &mut cfg.hidden[0];
    hidden.decay_shift = 0;
    hidden.learn_shift = 3;
    hidden.goodness_threshold = 1 << 18;
    let net = Network::new(&cfg);
    let pixels: Vec<u8> = (0..cfg.inputs)
        .map(|i| if i % 3 == 0 { 40 } else { 200 })
        .collect();
    let rng = spikeforge_sim::rng::Xorshift32::new(0xC5D9);
    let mut bench = Bench::with_state(&SMALL, cfg, net, pixels, rng)
        .unwrap_or_else(|m| panic!("{polarity:?}: {m}"));
    let phase = Phase::new(
        Some(1),
        Learn {
            csdp: Some(polarity),
            classifier: None,
        },
    );
    bench
        .phase_reset("after PHASE_RESET")
        .unwrap_or_else(|m| panic!("{polarity:?}: {m}"));
    let size = bench.cfg.hidden[0].size;
    let c = bench.net.classifier.weights.clone();
    let mut changed = 0;
    for step in 0..STEPS {
        let before = bench.net.hidden[0].weights.clone();
        bench
            .run_steps(&phase, 1)
            .unwrap_or_else(|m| panic!("{polarity:?}: {m}"));
        let layer = &bench.net.hidden[0];
        for (i, (&old, &new)) in before.iter().zip(&layer.weights).enumerate() {
            if old == new {
                continue;
            }
            changed += 1;
            let row = i / size;
            assert!(
                layer.events.contains(&row),
                "{polarity:?} step {step}: W[{i}] changed from {old} to {new}, row {row} did \
                 not spike (events {:?})",
                layer.events
            );
            let allowed = match polarity {
                Polarity::Negative => new < old,
                Polarity::Positive => new > old,
            };
            assert!(
                allowed,
                "{polarity:?} step {step}: W[{i}] went from {old} to {new}"
            );
        }
    }
    assert_eq!(
        c, bench.net.classifier.weights,
        "C changed without learning"
    );
    changed
}

#[test]
fn t_csdp_negative_phase() {
    let changed = csdp(Polarity::Negative);
    assert!(changed > 0, "no hidden weight changed");
}

#[test]
fn t_csdp_positive_phase() {
    let changed = csdp(Polarity::Positive);
    assert!(changed > 0, "no hidden weight changed");
}
