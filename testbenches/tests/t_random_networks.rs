//! Random networks and inputs in co-simulation: 1024 proptest cases, each on one of the tiny
//! prebuilt cores (1 to 3 hidden layers, 1, 2, 4, 8 or 16 lanes, block RAM, SPRAM and paired
//! SPRAM banks, supervised
//! and self-supervised, 2- to 16-bit weights),
//! with every run-time parameter drawn within the ranges `sim/src/config.rs` validates (and
//! validated), `w_max` from a weight width up to the core's, random anneal, weights, neuron
//! state, offsets, goodness, generator seeds and pixels, then a random sequence of phases
//! (positive / negative CSDP, classifier learning toward a label, inference; label input on or
//! off; with or without `PHASE_RESET`; new pixels or not). All state is compared with the
//! golden model after loading, after each `PHASE_RESET` and after every step, with zero
//! tolerance; a failure names the first differing variable, its index, the phase and step,
//! both values, and the (shrunk) case.
//!
//! The runner is seeded (ChaCha, fixed seed), writes no regression files, and every random
//! source of a case takes its seed from the case, so every run draws the same cases.

use std::cell::RefCell;
use std::fmt;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::test_runner::{
    Config, RngAlgorithm, RngSeed, TestCaseError, TestCaseResult, TestError, TestRunner,
};
use spikeforge_sim::config::{LayerConfig, NetworkConfig};
use spikeforge_sim::model::{Learn, Polarity};
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::Xorshift32;
use spikeforge_sim::rules::weight_max;
use spikeforge_testbenches::golden::{draw, Bench, Phase};
use spikeforge_testbenches::model::{
    CoreKind, DEEP, DEEP3_SPRAM_LANES2, DEEP3_SPRAM_PAIRED, DEEP_LANES8, MIXED_SPRAM,
    MIXED_SPRAM_LANES2, MIXED_SPRAM_PAIRED, SELFSUP, SMALL, SMALL_LANES4, SMALL_SPRAM, TINY, WIDE,
    WIDE_LANES16, WIDE_LANES2,
};

/// Cases drawn.
const CASES: u32 = 1024;
/// Seed of the case generator.
const RUNNER_SEED: u64 = 0x5EED_0FC0_5131;

/// The cores the cases run on: every tiny variant (the default network's cores are covered by
/// their own tests; reading all their state every step would cost seconds per case).
static CORES: [&CoreKind; 15] = [
    &SMALL,
    &SELFSUP,
    &WIDE,
    &TINY,
    &SMALL_SPRAM,
    &MIXED_SPRAM,
    &SMALL_LANES4,
    &WIDE_LANES2,
    &WIDE_LANES16,
    &MIXED_SPRAM_LANES2,
    &DEEP,
    &DEEP_LANES8,
    &DEEP3_SPRAM_LANES2,
    &MIXED_SPRAM_PAIRED,
    &DEEP3_SPRAM_PAIRED,
];

/// The run-time parameters of one layer (the fields the core holds in registers).
#[derive(Debug, Clone)]
struct LayerParams {
    leak_shift: u8,
    threshold: i16,
    refractory: u8,
    adapt_step: i16,
    adapt_target: u16,
    adapt_min: i16,
    adapt_max: i16,
    homeostasis_step: u16,
    homeostasis_decay_shift: u8,
    homeostasis_max: u16,
    trace_shift: u8,
    goodness_threshold: u32,
    learn_shift: u8,
    decay_shift: u8,
}

impl LayerParams {
    fn apply(&self, layer: &mut LayerConfig) {
        layer.leak_shift = self.leak_shift;
        layer.threshold = self.threshold;
        layer.refractory = self.refractory;
        layer.adapt_step = self.adapt_step;
        layer.adapt_target = self.adapt_target;
        layer.adapt_min = self.adapt_min;
        layer.adapt_max = self.adapt_max;
        layer.homeostasis_step = self.homeostasis_step;
        layer.homeostasis_decay_shift = self.homeostasis_decay_shift;
        layer.homeostasis_max = self.homeostasis_max;
        layer.trace_shift = self.trace_shift;
        layer.goodness_threshold = self.goodness_threshold;
        layer.learn_shift = self.learn_shift;
        layer.decay_shift = self.decay_shift;
    }
}

/// One phase of a case.
#[derive(Debug, Clone)]
struct PhaseDraw {
    /// `PHASE_RESET` first.
    reset: bool,
    /// New pixels written before the phase.
    pixels: Option<Vec<u8>>,
    /// CSDP polarity (`true` positive).
    csdp: Option<bool>,
    /// The classifier learns toward this class.
    classifier: Option<u8>,
    /// Label input (supervised networks only).
    label_input: Option<u8>,
    /// `STEP`s.
    steps: u32,
}

impl PhaseDraw {
    fn phase(&self) -> Phase {
        let learn = Learn {
            csdp: self.csdp.map(|positive| {
                if positive {
                    Polarity::Positive
                } else {
                    Polarity::Negative
                }
            }),
            classifier: self.classifier.map(usize::from),
        };
        Phase::new(self.label_input, learn)
    }
}

/// One random network, its state and its stimulus.
#[derive(Clone)]
struct Case {
    core: usize,
    weight_bits: u8,
    /// Parameters of each hidden layer.
    hidden: Vec<LayerParams>,
    classifier: LayerParams,
    anneal: u8,
    /// Seed of the weights, neuron state, offsets and goodness.
    state_seed: u32,
    /// Encoder and classifier generator states (non-zero, as the host must).
    generators: [u32; 2],
    /// Each hidden layer's learning generator state (non-zero).
    learn_seeds: Vec<u32>,
    pixels: Vec<u8>,
    phases: Vec<PhaseDraw>,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("core", &CORES[self.core].name())
            .field("weight_bits", &self.weight_bits)
            .field("hidden", &self.hidden)
            .field("classifier", &self.classifier)
            .field("anneal", &self.anneal)
            .field("state_seed", &format_args!("{:#x}", self.state_seed))
            .field("generators", &self.generators)
            .field("learn_seeds", &self.learn_seeds)
            .field("pixels", &self.pixels)
            .field("phases", &self.phases)
            .finish()
    }
}

impl Case {
    fn kind(&self) -> &'static CoreKind {
        CORES[self.core]
    }

    /// The core's network with the drawn parameters, checked by the config validator (a
    /// TOML round trip must give it back unchanged).
    fn network(&self) -> NetworkConfig {
        let kind = self.kind();
        let mut cfg = kind
            .config()
            .unwrap_or_else(|e| panic!("network of core {}: {e}", kind.name()));
        cfg.name = format!("random-{}", kind.name());
        cfg.weight_bits = self.weight_bits;
        for (layer, params) in cfg.hidden.iter_mut().zip(&self.hidden) {
            layer.init_range = weight_max(self.weight_bits);
            params.apply(layer);
        }
        cfg.classifier.init_range = weight_max(self.weight_bits);
        self.classifier.apply(&mut cfg.classifier);
        let mut value = toml::Value::try_from(&cfg)
            .unwrap_or_else(|e| panic!("network {} as TOML: {e}", cfg.name));
        // The classifier has no goodness threshold field in a network file.
        if let Some(classifier) = value.get_mut("classifier").and_then(|c| c.as_table_mut()) {
            classifier.remove("goodness_threshold");
        }
        let text =
            toml::to_string(&value).unwrap_or_else(|e| panic!("network {} as TOML: {e}", cfg.name));
        let validated = NetworkConfig::from_toml_str(&text, "<random case>")
            .unwrap_or_else(|e| panic!("drawn parameters outside the validated ranges: {e}"));
        assert_eq!(validated, cfg, "the network after a TOML round trip");
        cfg
    }

    /// The golden model of `cfg` holding the case's random state.
    fn state(&self, cfg: &NetworkConfig) -> Network {
        let mut net = Network::new(cfg);
        let mut rng = Xorshift32::new(self.state_seed);
        let w_max = i64::from(weight_max(self.weight_bits));
        net.anneal = self.anneal;
        for layer in net.hidden.iter_mut().chain([&mut net.classifier]) {
            for w in &mut layer.weights {
                // An eighth of the weights at -w_max, 0 or w_max.
                let extreme: i64 = draw(&mut rng, -1, 1);
                *w = match rng.next() % 8 {
                    0 => draw(&mut rng, extreme * w_max, extreme * w_max),
                    _ => draw(&mut rng, -w_max, w_max),
                };
            }
        }
        let layer_cfgs: Vec<_> = cfg
            .hidden
            .iter()
            .chain([&cfg.classifier])
            .cloned()
            .collect();
        for (layer, layer_cfg) in net
            .hidden
            .iter_mut()
            .chain([&mut net.classifier])
            .zip(&layer_cfgs)
        {
            for n in 0..layer.size() {
                layer.neurons[n].v = match rng.next() % 4 {
                    0 => draw(&mut rng, i16::MIN.into(), i16::MAX.into()),
                    _ => draw(
                        &mut rng,
                        (-2 * w_max).max(i16::MIN.into()),
                        (2 * w_max).min(i16::MAX.into()),
                    ),
                };
                layer.neurons[n].refractory = match rng.next() % 8 {
                    0 => draw(&mut rng, 0, 255),
                    _ => draw(&mut rng, 0, 2),
                };
                layer.trace[n] = draw(&mut rng, 0, 255);
                layer.homeostasis[n] = draw(&mut rng, 0, layer_cfg.homeostasis_max.into());
                layer.counts[n] = match rng.next() % 4 {
                    0 => draw(&mut rng, 65_500, 65_535),
                    _ => draw(&mut rng, 0, 100),
                };
            }
            layer.theta_offset = draw(
                &mut rng,
                layer_cfg.adapt_min.max(-300).into(),
                layer_cfg.adapt_max.min(300).into(),
            );
            layer.goodness = rng.next();
        }
        net.encoder = Xorshift32::new(self.generators[0]);
        for (rng, &seed) in net.learn_rng.iter_mut().zip(&self.learn_seeds) {
            *rng = Xorshift32::new(seed);
        }
        net.classifier_rng = Xorshift32::new(self.generators[1]);
        net
    }
}

/// Mostly `0..=small` (the weight scale, where neurons spike), a quarter anywhere in
/// `0..=full`.
fn scaled(small: i64, full: i64) -> impl Strategy<Value = i64> {
    prop_oneof![3 => 0..=small.min(full), 1 => 0..=full]
}

fn layer_params(w_max: i16, target_max: u16, hidden: bool) -> impl Strategy<Value = LayerParams> {
    let w = i64::from(w_max);
    let narrow = |x: i64| i16::try_from(x).unwrap_or(i16::MAX);
    let unsigned = |x: i64| u16::try_from(x).unwrap_or(u16::MAX);
    let goodness: BoxedStrategy<u32> = if hidden {
        prop_oneof![3 => 0u32..=1 << 19, 1 => 0u32..=1 << 30].boxed()
    } else {
        Just(0).boxed()
    };
    (
        (
            prop_oneof![3 => 0u8..=2, 1 => 0u8..=15],
            scaled(w, 32_767),
            prop_oneof![3 => 0u8..=3, 1 => any::<u8>()],
            scaled((w / 4).max(1), 1024),
            0..=target_max,
            scaled(w, 32_768),
            scaled(w, 32_767),
        ),
        (
            scaled(w, 4096),
            0u8..=15,
            scaled(w, 32_767),
            0u8..=7,
            goodness,
            prop_oneof![3 => 1u8..=12, 1 => 1u8..=24],
            prop_oneof![Just(0u8), 1u8..=24],
        ),
    )
        .prop_map(move |(a, b)| LayerParams {
            leak_shift: a.0,
            threshold: narrow(a.1),
            refractory: a.2,
            adapt_step: narrow(a.3),
            adapt_target: a.4,
            adapt_min: i16::try_from(-a.5).unwrap_or(i16::MIN),
            adapt_max: narrow(a.6),
            homeostasis_step: unsigned(b.0),
            homeostasis_decay_shift: b.1,
            homeostasis_max: unsigned(b.2),
            trace_shift: b.3,
            goodness_threshold: b.4,
            learn_shift: b.5,
            decay_shift: b.6,
        })
}

fn pixels(inputs: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![Just(0u8), Just(255u8), any::<u8>()], inputs)
}

fn phase(inputs: usize, classes: u8, supervised: bool) -> impl Strategy<Value = PhaseDraw> {
    let label_input: BoxedStrategy<Option<u8>> = if supervised {
        option::of(0..classes).boxed()
    } else {
        Just(None).boxed()
    };
    (
        prop_oneof![4 => Just(true), 1 => Just(false)],
        option::weighted(0.3, pixels(inputs)),
        prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
        option::of(0..classes),
        label_input,
        1u32..=8,
    )
        .prop_map(
            |(reset, pixels, csdp, classifier, label_input, steps)| PhaseDraw {
                reset,
                pixels,
                csdp,
                classifier,
                label_input,
                steps,
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (0..CORES.len())
        .prop_flat_map(|core| {
            let bits = CORES[core]
                .config()
                .unwrap_or_else(|e| panic!("network of core {}: {e}", CORES[core].name()))
                .weight_bits;
            (Just(core), 2..=bits)
        })
        .prop_flat_map(|(core, weight_bits)| {
            let cfg = CORES[core]
                .config()
                .unwrap_or_else(|e| panic!("network of core {}: {e}", CORES[core].name()));
            let w_max = weight_max(weight_bits);
            let classes = u8::try_from(cfg.classes).unwrap_or(u8::MAX);
            let hidden: Vec<_> = cfg
                .hidden
                .iter()
                .map(|layer| {
                    let size = u16::try_from(layer.size).unwrap_or(u16::MAX);
                    layer_params(w_max, size, true)
                })
                .collect();
            let learn_seeds = vec![1u32..=u32::MAX; cfg.hidden.len()];
            let supervised = cfg.label_inputs() > 0;
            (
                (Just(core), Just(weight_bits)),
                (hidden, learn_seeds),
                layer_params(w_max, 64, false),
                prop_oneof![3 => 0u8..=3, 1 => any::<u8>()],
                any::<u32>(),
                [1u32..=u32::MAX, 1u32..=u32::MAX],
                pixels(cfg.inputs),
                vec(phase(cfg.inputs, classes, supervised), 1..=6),
            )
        })
        .prop_map(
            |(
                (core, weight_bits),
                (hidden, learn_seeds),
                classifier,
                anneal,
                state_seed,
                generators,
                pixels,
                phases,
            )| {
                Case {
                    core,
                    weight_bits,
                    hidden,
                    classifier,
                    anneal,
                    state_seed,
                    generators,
                    learn_seeds,
                    pixels,
                    phases,
                }
            },
        )
}

/// What the cases exercised, summed over all of them.
#[derive(Debug, Default)]
struct Coverage {
    cases: [u32; CORES.len()],
    input_spikes: u64,
    hidden_spikes: [u64; CORES.len()],
    w_changes: u64,
    /// Weight changes of hidden layers after the first.
    stacked_w_changes: u64,
    c_changes: u64,
    phases: [u32; 4],
    label_input_steps: u64,
    steps: u64,
    skipped_resets: u32,
}

fn changed(before: &[i16], after: &[i16]) -> u64 {
    let n = before.iter().zip(after).filter(|(a, b)| a != b).count();
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Run one case; the first mismatch fails it with the phase and the mismatch.
fn run_case(case: &Case, coverage: &RefCell<Coverage>) -> TestCaseResult {
    let cfg = case.network();
    let net = case.state(&cfg);
    let rng = Xorshift32::new(case.state_seed ^ 0x9E37_79B9);
    let mut bench = Bench::with_state(case.kind(), cfg, net, case.pixels.clone(), rng)
        .map_err(|m| TestCaseError::fail(format!("loading: {m}")))?;
    let mut seen = Coverage::default();
    seen.cases[case.core] += 1;
    for (i, draw) in case.phases.iter().enumerate() {
        let phase = draw.phase();
        let fail = |m| {
            TestCaseError::fail(format!(
                "phase {i} of {} ({:?}): {m}",
                case.phases.len(),
                phase
            ))
        };
        if let Some(pixels) = &draw.pixels {
            bench.set_pixels(pixels);
        }
        if draw.reset {
            bench
                .phase_reset(&format!("{} phase, after PHASE_RESET", phase.name))
                .map_err(fail)?;
        } else {
            seen.skipped_resets += 1;
        }
        let w: Vec<Vec<i16>> = bench.net.hidden.iter().map(|l| l.weights.clone()).collect();
        let c = bench.net.classifier.weights.clone();
        bench.run_steps(&phase, draw.steps).map_err(fail)?;
        for (l, (before, layer)) in w.iter().zip(&bench.net.hidden).enumerate() {
            let n = changed(before, &layer.weights);
            seen.w_changes += n;
            if l > 0 {
                seen.stacked_w_changes += n;
            }
        }
        seen.c_changes += changed(&c, &bench.net.classifier.weights);
        let kind = match phase.name {
            "positive" => 0,
            "negative" => 1,
            "classify" => 2,
            _ => 3,
        };
        seen.phases[kind] += 1;
        seen.steps += u64::from(draw.steps);
        if draw.label_input.is_some() {
            seen.label_input_steps += u64::from(draw.steps);
        }
    }
    seen.input_spikes = bench.activity[0];
    seen.hidden_spikes[case.core] = bench.activity[1];
    let mut total = coverage.borrow_mut();
    for (t, s) in total.cases.iter_mut().zip(seen.cases) {
        *t += s;
    }
    total.input_spikes += seen.input_spikes;
    for (t, s) in total.hidden_spikes.iter_mut().zip(seen.hidden_spikes) {
        *t += s;
    }
    total.w_changes += seen.w_changes;
    total.stacked_w_changes += seen.stacked_w_changes;
    total.c_changes += seen.c_changes;
    for (t, s) in total.phases.iter_mut().zip(seen.phases) {
        *t += s;
    }
    total.label_input_steps += seen.label_input_steps;
    total.steps += seen.steps;
    total.skipped_resets += seen.skipped_resets;
    Ok(())
}

#[test]
fn t_random_networks_golden() {
    let config = Config {
        cases: CASES,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(RUNNER_SEED),
        failure_persistence: None,
        // A failing case is shrunk (each try is a co-simulation) for at most this many runs.
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let coverage = RefCell::new(Coverage::default());
    let result = runner.run(&case(), |case| run_case(&case, &coverage));
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, case)) => {
            panic!("co-simulation differs from the golden model: {reason}\nminimal case: {case:#?}")
        }
        Err(TestError::Abort(reason)) => panic!("proptest aborted: {reason}"),
    }
    let coverage = coverage.into_inner();
    println!("{CASES} random cases: {coverage:?}");
    // The comparison means something only if the cases were active.
    let names: Vec<&str> = CORES.iter().map(|k| k.name()).collect();
    for ((name, &cases), &spikes) in names
        .iter()
        .zip(&coverage.cases)
        .zip(&coverage.hidden_spikes)
    {
        assert!(
            cases > 0 && spikes > 0,
            "core {name}: {cases} cases, {spikes} hidden spikes: {coverage:?}"
        );
    }
    assert!(coverage.input_spikes > 0, "no input spikes: {coverage:?}");
    assert!(
        coverage.w_changes > 0 && coverage.stacked_w_changes > 0 && coverage.c_changes > 0,
        "no weight changes (of W, of hidden layers after the first, of C): {coverage:?}"
    );
    assert!(
        coverage.phases.iter().all(|&n| n > 0),
        "a kind of phase never ran (positive, negative, classify, inference): {coverage:?}"
    );
    assert!(
        coverage.label_input_steps > 0 && coverage.skipped_resets > 0,
        "no label inputs or no phase without PHASE_RESET: {coverage:?}"
    );
}
