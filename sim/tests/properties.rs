//! Property tests of the pure rules, the generator and whole networks.
//!
//! Run in both profiles: `cargo test --release` for speed, and plain `cargo test`, whose test
//! profile inherits `overflow-checks = true` from the dev profile (the workspace only raises
//! its `opt-level`), so any arithmetic overflow in the model panics there
//! (`overflow_checks_follow_debug_assertions` pins that).

use std::path::Path;

use proptest::prelude::*;
use spikeforge_sim::config::{NegativeMode, NetworkConfig};
use spikeforge_sim::core_interface::{state_probes, state_writes, Op, StepCommand};
use spikeforge_sim::core_model::CoreModel;
use spikeforge_sim::data::{load_digits, Dataset, Sample};
use spikeforge_sim::float::FloatNetwork;
use spikeforge_sim::model::{Learn, Model, Polarity};
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::{xorshift32_step, Stream, Xorshift32};
use spikeforge_sim::rules::{
    adapt_step, classifier_delta, contrastive_error, csdp_delta, goodness_term, homeostasis_step,
    lif_step, sigmoid_index, sr_update, trace_step, weight_max, LearnParams, LifParams,
    NeuronState, TRACE_MAX,
};
use spikeforge_sim::train::{evaluate, learn_sample, train, TrainOptions};

const DIGITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits.csv.gz");

/// Deterministic proptest settings that write no regression files.
fn cases(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn learn_params(bits: u8, learn_shift: u8, decay_shift: u8) -> LearnParams {
    LearnParams {
        learn_shift,
        decay_shift,
        w_max: weight_max(bits),
    }
}

/// Exact update numerator of `sr_update` in units of `2^-frac_bits` LSB.
fn exact_num(w: i16, drive: i32, p: LearnParams) -> i64 {
    let f = u32::from(p.frac_bits());
    let mut num = i64::from(drive) << (f - u32::from(p.learn_shift));
    if p.decay_shift > 0 {
        num -= i64::from(w) << (f - u32::from(p.decay_shift));
    }
    num
}

/// Whether `w + update` stays inside `±w_max` for both roundings of `num / 2^f`.
fn unsaturated(w: i16, num: i64, p: LearnParams) -> bool {
    let f = p.frac_bits();
    let lo = i64::from(w) + (num >> f);
    let hi = i64::from(w) + ((num + (1i64 << f) - 1) >> f);
    let w_max = i64::from(p.w_max);
    lo >= -w_max && hi <= w_max
}

/// A weight, bit width and learning shifts, with `w` inside `±weight_max(bits)`.
fn weight_and_params() -> impl Strategy<Value = (i16, u8, u8, u8)> {
    (2u8..=16, 1u8..=24, 0u8..=24).prop_flat_map(|(bits, learn, decay)| {
        let w_max = weight_max(bits);
        (-w_max..=w_max, Just(bits), Just(learn), Just(decay))
    })
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn lif_step_never_wraps(
        v in any::<i16>(),
        j in any::<i16>(),
        base in 0i32..=32767,
        offset in any::<i16>(),
        leak_shift in 0u8..=15,
        refractory in 0u8..=255,
        state_refractory in 0u8..=255,
    ) {
        let threshold = base + i32::from(offset);
        let params = LifParams { leak_shift, refractory };
        let state = NeuronState { v, refractory: state_refractory };
        let (next, spike) = lif_step(state, j, threshold, params);
        if state_refractory > 0 {
            prop_assert!(!spike, "a refractory neuron must not spike");
            prop_assert_eq!(next.v, 0);
            prop_assert_eq!(next.refractory, state_refractory - 1);
        } else if spike {
            prop_assert_eq!(next.v, 0);
            prop_assert_eq!(next.refractory, refractory);
            // The new membrane lies between v and j, so one of them exceeds the threshold.
            prop_assert!(i32::from(v.max(j)) > threshold);
        } else {
            prop_assert!(next.v >= v.min(j) && next.v <= v.max(j),
                "v' = {} not between v = {} and j = {}", next.v, v, j);
            prop_assert!(i32::from(next.v) <= threshold);
            prop_assert_eq!(next.refractory, 0);
            // Without leak the membrane follows the input exactly.
            if leak_shift == 0 {
                prop_assert_eq!(next.v, j);
            }
        }
    }

    #[test]
    fn trace_decays_monotonically(tr in any::<u8>(), shift in 0u8..=7) {
        prop_assert_eq!(trace_step(tr, true, shift), TRACE_MAX);
        let next = trace_step(tr, false, shift);
        if tr > 0 {
            prop_assert!(next < tr, "trace {} -> {} with shift {}", tr, next, shift);
        } else {
            prop_assert_eq!(next, 0);
        }
        // Larger traces never decay below smaller ones.
        if tr < u8::MAX {
            prop_assert!(trace_step(tr + 1, false, shift) >= next);
        }
        // The decrement is ceil(tr / 2^shift): at most tr / 2^shift + 1.
        let dec = u32::from(tr - next);
        prop_assert!(dec << shift >= u32::from(tr));
        prop_assert!(dec == 0 || (dec - 1) << shift < u32::from(tr));
    }

    #[test]
    fn sr_update_saturates_and_rounds_both_ways(
        (w, bits, learn_shift, decay_shift) in weight_and_params(),
        drive in -(255 * 256)..=(255 * 256),
        rand in any::<u32>(),
    ) {
        let p = learn_params(bits, learn_shift, decay_shift);
        let w_max = p.w_max;
        let got = sr_update(w, drive, rand, p);
        prop_assert!((-w_max..=w_max).contains(&got), "w' = {} outside ±{}", got, w_max);
        let down = sr_update(w, drive, 0, p);
        let up = sr_update(w, drive, u32::MAX, p);
        prop_assert!(up >= down && up - down <= 1, "down {} up {}", down, up);
        prop_assert!(down <= got && got <= up, "{} not within {}..={}", got, down, up);
        // Only the low frac_bits of the random word are used.
        let mask = (1u64 << p.frac_bits()) - 1;
        let low = u32::try_from(u64::from(rand) & mask).expect("mask keeps at most 24 bits");
        prop_assert_eq!(sr_update(w, drive, low, p), got);
        // Without decay the weight moves in the direction of the drive.
        if decay_shift == 0 {
            match drive.signum() {
                1 => prop_assert!(got >= w),
                -1 => prop_assert!(got <= w),
                _ => prop_assert_eq!(got, w),
            }
        }
    }

    #[test]
    fn csdp_and_classifier_updates_saturate(
        (w, bits, learn_shift, decay_shift) in weight_and_params(),
        e in -256i16..=255,
        tr in any::<u8>(),
        target in any::<bool>(),
        rand in any::<u32>(),
    ) {
        let p = learn_params(bits, learn_shift, decay_shift);
        let w_max = p.w_max;
        let csdp = |r: u32| csdp_delta(w, e, tr, r, p);
        let classifier = |r: u32| classifier_delta(w, target, tr, r, p);
        let rules: [(&str, &dyn Fn(u32) -> i16); 2] = [("csdp", &csdp), ("classifier", &classifier)];
        for (name, f) in rules {
            let got = f(rand);
            prop_assert!((-w_max..=w_max).contains(&got), "{}: w' = {} outside ±{}", name, got, w_max);
            let (down, up) = (f(0), f(u32::MAX));
            prop_assert!(up >= down && up - down <= 1, "{}: down {} up {}", name, down, up);
            prop_assert!(down <= got && got <= up, "{}: {} not within {}..={}", name, got, down, up);
        }
    }

    /// Stochastic rounding is unbiased: over all `2^F` values of the random bits, the weight
    /// changes sum to exactly the drive (no decay), unless the weight saturates.
    #[test]
    fn stochastic_rounding_is_unbiased(
        bits in 2u8..=16,
        learn_shift in 1u8..=8,
        w_frac in -1000i32..=1000,
        e in -256i16..=255,
        tr in any::<u8>(),
        target in any::<bool>(),
    ) {
        let p = learn_params(bits, learn_shift, 0);
        let w = i16::try_from(i32::from(p.w_max) * w_frac / 1000).expect("inside ±w_max");
        let csdp_drive = -(i32::from(e) * i32::from(tr));
        let cls_drive = (if target { 255 } else { 0 } - i32::from(tr)) * 256;
        let all = 0..1u32 << learn_shift;
        let sum = |f: &dyn Fn(u32) -> i16| -> i64 {
            all.clone().map(|r| i64::from(f(r)) - i64::from(w)).sum()
        };
        if unsaturated(w, i64::from(csdp_drive), p) {
            prop_assert_eq!(sum(&|r| sr_update(w, csdp_drive, r, p)), i64::from(csdp_drive));
            prop_assert_eq!(sum(&|r| csdp_delta(w, e, tr, r, p)), i64::from(csdp_drive));
        }
        if unsaturated(w, i64::from(cls_drive), p) {
            prop_assert_eq!(sum(&|r| classifier_delta(w, target, tr, r, p)), i64::from(cls_drive));
        }
    }

    /// With decay too, the mean update over all random values is the exact
    /// `drive * 2^-learn_shift - w * 2^-decay_shift`.
    #[test]
    fn stochastic_rounding_with_decay_is_unbiased(
        bits in 2u8..=16,
        learn_shift in 1u8..=10,
        decay_shift in 0u8..=10,
        w_frac in -1000i32..=1000,
        drive in -(255 * 256)..=(255 * 256),
    ) {
        let p = learn_params(bits, learn_shift, decay_shift);
        let w = i16::try_from(i32::from(p.w_max) * w_frac / 1000).expect("inside ±w_max");
        let num = exact_num(w, drive, p);
        prop_assume!(unsaturated(w, num, p));
        let total: i64 = (0..1u32 << p.frac_bits())
            .map(|r| i64::from(sr_update(w, drive, r, p)) - i64::from(w))
            .sum();
        prop_assert_eq!(total, num);
    }

    #[test]
    fn homeostasis_stays_bounded_and_decays(
        h in any::<u16>(),
        spike in any::<bool>(),
        step in 0u16..=4096,
        decay_shift in 0u8..=15,
        max in any::<u16>(),
    ) {
        let got = homeostasis_step(h, spike, step, decay_shift, max);
        prop_assert!(got <= max, "{} above max {}", got, max);
        // Without a spike the threshold never rises, and with a decay it falls until zero.
        let quiet = homeostasis_step(h, false, step, decay_shift, u16::MAX);
        prop_assert!(quiet <= h);
        if decay_shift > 0 && h > 0 {
            prop_assert!(quiet < h, "h {} did not decay with shift {}", h, decay_shift);
        }
        // A spike adds exactly `step` on top of the decay (below the cap).
        if u32::from(quiet) + u32::from(step) <= u32::from(max) {
            prop_assert_eq!(u32::from(got), u32::from(quiet) + if spike { u32::from(step) } else { 0 });
        }
    }

    #[test]
    fn adapt_step_stays_within_bounds(
        offset in any::<i16>(),
        spikes in prop_oneof![0u32..=4096, any::<u32>()],
        step in 0i16..=1024,
        target in any::<u16>(),
        min in i16::MIN..=0,
        max in 0i16..=i16::MAX,
    ) {
        let got = adapt_step(offset, spikes, step, target, min, max);
        prop_assert!(min <= got && got <= max, "{} outside {}..={}", got, min, max);
        // More spikes never lower the threshold.
        if spikes < u32::MAX {
            prop_assert!(adapt_step(offset, spikes + 1, step, target, min, max) >= got);
        }
        // A step of zero only clamps.
        prop_assert_eq!(adapt_step(offset, spikes, 0, target, min, max), offset.clamp(min, max));
    }

    #[test]
    fn sigmoid_and_error_are_monotone_in_goodness(
        a in any::<u32>(),
        b in any::<u32>(),
        theta in any::<u32>(),
        positive in any::<bool>(),
    ) {
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(sigmoid_index(lo, theta) <= sigmoid_index(hi, theta));
        let (e_lo, e_hi) = (
            contrastive_error(lo, theta, positive),
            contrastive_error(hi, theta, positive),
        );
        prop_assert!(e_lo <= e_hi, "e({}) = {} > e({}) = {}", lo, e_lo, hi, e_hi);
        for e in [e_lo, e_hi] {
            if positive {
                prop_assert!((-256..=-1).contains(&e), "positive e = {}", e);
            } else {
                prop_assert!((0..=255).contains(&e), "negative e = {}", e);
            }
        }
        // Goodness at the threshold is the sigmoid's midpoint.
        prop_assert_eq!(sigmoid_index(theta, theta), 128);
    }

    #[test]
    fn xorshift_never_reaches_zero(x in 1u32..=u32::MAX) {
        let mut s = x;
        for _ in 0..64 {
            s = xorshift32_step(s);
            prop_assert_ne!(s, 0, "zero reached from {:#x}", x);
        }
        prop_assert_eq!(Xorshift32::new(x).next(), xorshift32_step(x));
    }
}

#[test]
fn trace_reaches_zero_from_full() {
    for shift in 0u8..=7 {
        let bound = 8 * (1u32 << shift) + 16;
        let mut tr = TRACE_MAX;
        let mut steps = 0u32;
        while tr > 0 {
            let next = trace_step(tr, false, shift);
            assert!(next < tr, "shift {shift}: {tr} -> {next}");
            tr = next;
            steps += 1;
            assert!(
                steps <= bound,
                "shift {shift}: still {tr} after {bound} steps"
            );
        }
        assert_eq!(trace_step(0, false, shift), 0);
        // Slower decay takes longer: at least 2^shift steps to lose the first half.
        assert!(
            steps >= 1 << shift,
            "shift {shift}: zero after only {steps} steps"
        );
    }
}

#[test]
fn goodness_term_is_square() {
    assert_eq!(goodness_term(255), 65025);
    assert_eq!(goodness_term(0), 0);
}

/// The orbit of 1 has length `2^32 - 1`: with zero a fixed point, every non-zero state is on
/// it, so the period is maximal. Iterates the whole period (a few seconds optimised).
#[test]
fn xorshift32_period_is_maximal() {
    assert_eq!(xorshift32_step(0), 0, "zero is the fixed point");
    let mut x = xorshift32_step(1);
    let mut steps: u64 = 1;
    while x != 1 {
        x = xorshift32_step(x);
        steps += 1;
        // Zero would be absorbing and the loop would never end.
        if x == 0 || steps > 1 << 32 {
            panic!("state {x:#x} after {steps} steps");
        }
    }
    assert_eq!(steps, (1u64 << 32) - 1);
}

fn overflow_checks_enabled() -> bool {
    let x = std::hint::black_box(i16::MAX);
    let one = std::hint::black_box(1i16);
    std::panic::catch_unwind(move || x + one).is_err()
}

/// The profile that has debug assertions (plain `cargo test`) also checks overflow, so the
/// whole-network property below panics there on any overflow.
#[test]
fn overflow_checks_follow_debug_assertions() {
    assert_eq!(overflow_checks_enabled(), cfg!(debug_assertions));
}

/// A small supervised network in the chip's units.
fn tiny_config(seed: u64) -> NetworkConfig {
    tiny_config_with(seed, 1)
}

/// [`tiny_config`] with `layers` hidden layers, each like the first.
fn tiny_config_with(seed: u64, layers: usize) -> NetworkConfig {
    let text = format!(
        r#"
name = "tiny"
inputs = 16
classes = 3
steps = 8
negatives = "supervised"
seed = {seed}
weight_bits = 8

[[hidden]]
size = 24
init_range = 40
leak_shift = 1
threshold = 20
refractory = 1
adapt_step = 1
adapt_target = 4
adapt_min = -10
adapt_max = 100
trace_shift = 2
goodness_threshold = 196608
learn_shift = 10

[classifier]
init_range = 8
leak_shift = 1
threshold = 8
trace_shift = 2
learn_shift = 10
"#
    );
    let start = text.find("[[hidden]]").expect("hidden layer");
    let end = text.find("[classifier]").expect("classifier");
    let hidden = &text[start..end];
    let text = text.replacen(hidden, &hidden.repeat(layers), 1);
    NetworkConfig::from_toml_str(&text, "tiny").expect("tiny config is valid")
}

proptest! {
    #![proptest_config(cases(32))]

    #[test]
    fn same_seed_gives_identical_runs(
        seed in 0u64..=i64::MAX as u64,
        other in 0u64..=i64::MAX as u64,
        pixels in proptest::collection::vec(any::<u8>(), 16),
        label in 0usize..3,
        layers in 1usize..=3,
    ) {
        let cfg = tiny_config_with(seed, layers);
        prop_assert_eq!(cfg.hidden.len(), layers);
        let mut a = Network::new(&cfg);
        let mut b = Network::new(&cfg);
        prop_assert_eq!(a.weight_matrices(), b.weight_matrices());
        prop_assert_eq!(&a, &b);
        let phases = [
            (Some(label), Learn { csdp: Some(Polarity::Positive), classifier: None }),
            (None, Learn { csdp: None, classifier: Some(label) }),
            (Some((label + 1) % 3), Learn { csdp: Some(Polarity::Negative), classifier: None }),
            (None, Learn::OFF),
        ];
        for (label_input, learn) in phases {
            let ra = a.run_phase(&pixels, label_input, learn);
            let rb = b.run_phase(&pixels, label_input, learn);
            prop_assert_eq!(ra, rb);
            prop_assert_eq!(&a, &b);
        }
        prop_assert_eq!(a.weights_digest(), b.weights_digest());
        if other != seed {
            let c = Network::new(&tiny_config_with(other, layers));
            prop_assert_ne!(
                Network::new(&cfg).weight_matrices(),
                c.weight_matrices(),
                "seeds {} and {} give the same weights", seed, other
            );
        }
    }
}

/// A dataset of `n` random 4x4 images of 3 classes, split 3:1.
fn random_dataset(pixels: &[u8], n: usize) -> Dataset {
    let samples: Vec<Sample> = (0..n)
        .map(|i| Sample {
            pixels: (0..16)
                .map(|k| pixels[(i * 7 + k) % pixels.len()])
                .collect(),
            label: u8::try_from(i % 3).expect("3 classes"),
        })
        .collect();
    let test = samples[..n / 4].to_vec();
    Dataset {
        name: "random".into(),
        width: 4,
        height: 4,
        classes: 3,
        train: samples[n / 4..].to_vec(),
        test,
    }
}

proptest! {
    #![proptest_config(cases(24))]

    /// The hidden weights after `epochs` epochs with `csdp_epochs = N` are those after
    /// `min(N, epochs)` epochs: the epochs after the N-th teach the classifier alone, for 1-3
    /// hidden layers and both negative modes.
    #[test]
    fn epochs_after_csdp_epochs_leave_every_hidden_layer_alone(
        seed in 0u64..1000,
        layers in 1usize..=3,
        csdp_epochs in 1u32..=2,
        extra in 1u32..=2,
        self_supervised in any::<bool>(),
        pixels in proptest::collection::vec(any::<u8>(), 32),
    ) {
        let mut cfg = tiny_config_with(seed, layers);
        cfg.csdp_epochs = csdp_epochs;
        if self_supervised {
            // No label inputs: every size follows from the mode.
            cfg.negatives = NegativeMode::SelfSupervised;
        }
        let data = random_dataset(&pixels, 12);
        let run = |epochs: u32| {
            let mut net = Network::new(&cfg);
            let opts = TrainOptions { epochs, train_samples: None, test_samples: None };
            train(&mut net, &data, &opts, &mut |_| {});
            net
        };
        let learned = run(csdp_epochs);
        let longer = run(csdp_epochs + extra);
        for (a, b) in learned.hidden.iter().zip(&longer.hidden) {
            prop_assert_eq!(&a.weights, &b.weights);
            prop_assert_eq!(&a.homeostasis, &b.homeostasis);
        }
    }
}

/// The determinism property is not vacuous: the tiny network fires, and each learning phase
/// changes the weights it is meant to change.
#[test]
fn tiny_network_fires_and_learns() {
    let mut net = Network::new(&tiny_config(11));
    let pixels: Vec<u8> = (0..16u8).map(|i| i * 16 + 15).collect();
    let start = net.weight_matrices();
    let positive = Learn {
        csdp: Some(Polarity::Positive),
        classifier: None,
    };
    let r = net.run_phase(&pixels, Some(1), positive);
    assert!(r.layer_spikes[0] > 0, "hidden layer silent: {r:?}");
    let after_csdp = net.weight_matrices();
    assert_ne!(after_csdp[0], start[0], "CSDP changed no hidden weight");
    assert_eq!(
        after_csdp[1], start[1],
        "CSDP must not touch the classifier"
    );
    let classify = Learn {
        csdp: None,
        classifier: Some(2),
    };
    net.run_phase(&pixels, None, classify);
    let after_cls = net.weight_matrices();
    assert_eq!(
        after_cls[0], after_csdp[0],
        "the delta rule must not touch hidden weights"
    );
    assert_ne!(
        after_cls[1], after_csdp[1],
        "the delta rule changed no classifier weight"
    );
    net.run_phase(&pixels, None, Learn::OFF);
    assert_eq!(
        net.weight_matrices(),
        after_cls,
        "inference changed weights"
    );
}

/// One random layer; `init_range` and `adapt_target` are drawn as fractions (per mille) of
/// their config-dependent maxima. Most draws favour layers that fire (small leak and
/// refractory, thresholds within reach of a few initial weights); the rest cover the whole valid range.
#[derive(Debug, Clone)]
struct RandomLayer {
    size: usize,
    init_permille: i64,
    leak_shift: u8,
    /// `(true, p)`: `p` per mille of `init_range` (capped at 32767); `(false, t)`: `t` itself.
    threshold: (bool, i64),
    refractory: i64,
    adapt_step: i64,
    target_permille: i64,
    adapt_min: i64,
    adapt_max: i64,
    trace_shift: u8,
    goodness_threshold: i64,
    learn_shift: u8,
    decay_shift: u8,
    /// `(step, decay_shift, max)` of the per-neuron homeostatic threshold.
    homeostasis: (i64, i64, i64),
}

impl RandomLayer {
    fn toml(&self, w_max: i64, hidden: bool) -> String {
        let size = i64::try_from(self.size).expect("layer sizes are at most 40");
        let target_max = if hidden { size } else { 64 };
        let init_range = w_max * self.init_permille / 1000;
        let mut s = String::new();
        if hidden {
            s += &format!(
                "size = {}\ngoodness_threshold = {}\n",
                self.size, self.goodness_threshold
            );
        }
        s += &format!(
            "init_range = {}\nleak_shift = {}\nthreshold = {}\nrefractory = {}\n\
             adapt_step = {}\nadapt_target = {}\nadapt_min = {}\nadapt_max = {}\n\
             trace_shift = {}\nlearn_shift = {}\ndecay_shift = {}\n\
             homeostasis_step = {}\nhomeostasis_decay_shift = {}\nhomeostasis_max = {}\n",
            init_range,
            self.leak_shift,
            match self.threshold {
                (true, permille) => (init_range * permille / 1000).min(32767),
                (false, absolute) => absolute,
            },
            self.refractory,
            self.adapt_step,
            target_max * self.target_permille / 1000,
            self.adapt_min,
            self.adapt_max,
            self.trace_shift,
            self.learn_shift,
            self.decay_shift,
            self.homeostasis.0,
            self.homeostasis.1,
            self.homeostasis.2,
        );
        s
    }
}

fn random_layer() -> impl Strategy<Value = RandomLayer> {
    (
        1usize..=40,
        prop_oneof![7 => 300i64..=1000, 1 => 0i64..=1000],
        prop_oneof![7 => 0u8..=3, 1 => 0u8..=15],
        prop_oneof![
            7 => (Just(true), 0i64..=3000),
            1 => (Just(false), 0i64..=32767),
        ],
        prop_oneof![7 => 0i64..=3, 1 => 0i64..=255],
        prop_oneof![Just(0i64), 0i64..=1024],
        0i64..=1000,
        prop_oneof![-200i64..=0, -32768i64..=0],
        prop_oneof![0i64..=200, 0i64..=32767],
        0u8..=7,
        prop_oneof![0i64..=(8 << 16), 0i64..=(1 << 30)],
        (
            1u8..=24,
            prop_oneof![Just(0u8), 0u8..=24],
            (
                prop_oneof![Just(0i64), 0i64..=16, 0i64..=4096],
                0i64..=15,
                prop_oneof![0i64..=2000, 0i64..=32767],
            ),
        ),
    )
        .prop_map(
            |(
                size,
                init_permille,
                leak_shift,
                threshold,
                refractory,
                adapt_step,
                target_permille,
                adapt_min,
                adapt_max,
                trace_shift,
                goodness_threshold,
                (learn_shift, decay_shift, homeostasis),
            )| RandomLayer {
                size,
                init_permille,
                leak_shift,
                threshold,
                refractory,
                adapt_step,
                target_permille,
                adapt_min,
                adapt_max,
                trace_shift,
                goodness_threshold,
                learn_shift,
                decay_shift,
                homeostasis,
            },
        )
}

/// A random valid network config (as TOML, validated) and a random image for it.
fn random_network() -> impl Strategy<Value = (NetworkConfig, Vec<u8>, usize)> {
    (
        1usize..=40,
        2usize..=10,
        1u32..=12,
        (any::<bool>(), any::<bool>()),
        any::<u32>(),
        2u8..=16,
        proptest::collection::vec(random_layer(), 1..=3),
        random_layer(),
    )
        .prop_flat_map(
            |(inputs, classes, steps, (supervised, sees_input), seed, bits, hidden, classifier)| {
                let w_max = i64::from(weight_max(bits));
                let mut text = format!(
                    "name = \"random\"\ninputs = {inputs}\nclasses = {classes}\nsteps = {steps}\n\
                     negatives = \"{}\"\nseed = {seed}\nweight_bits = {bits}\n\
                     classifier_sees_input = {sees_input}\n",
                    if supervised {
                        "supervised"
                    } else {
                        "self-supervised"
                    }
                );
                for layer in &hidden {
                    text += "\n[[hidden]]\n";
                    text += &layer.toml(w_max, true);
                }
                text += "\n[classifier]\n";
                text += &classifier.toml(w_max, false);
                let cfg = NetworkConfig::from_toml_str(&text, "random")
                    .unwrap_or_else(|e| panic!("generated config must be valid: {e}\n{text}"));
                (
                    Just(cfg),
                    proptest::collection::vec(any::<u8>(), inputs),
                    0..classes,
                )
            },
        )
}

/// Every state invariant of the network after a step.
fn check_state(net: &Network) -> Result<(), TestCaseError> {
    let cfg = net.config().clone();
    let w_max = weight_max(cfg.weight_bits);
    let layers = net
        .hidden
        .iter()
        .zip(&cfg.hidden)
        .chain(std::iter::once((&net.classifier, &cfg.classifier)));
    for (index, (layer, lc)) in layers.enumerate() {
        for &w in &layer.weights {
            prop_assert!(
                (-w_max..=w_max).contains(&w),
                "layer {}: weight {} outside ±{}",
                index,
                w,
                w_max
            );
        }
        let mut goodness = 0u64;
        for n in 0..layer.size() {
            let (state, tr) = (layer.neurons[n], layer.trace[n]);
            if layer.spikes[n] {
                prop_assert_eq!(tr, TRACE_MAX);
                prop_assert_eq!(
                    state,
                    NeuronState {
                        v: 0,
                        refractory: lc.refractory
                    }
                );
            }
            prop_assert!(state.refractory <= lc.refractory);
            prop_assert!(u32::from(layer.counts[n]) <= net.step_index);
            goodness += u64::from(goodness_term(tr));
        }
        prop_assert_eq!(u64::from(layer.goodness), goodness.min(u64::from(u32::MAX)));
        prop_assert!(lc.adapt_min <= layer.theta_offset && layer.theta_offset <= lc.adapt_max);
        for &h in &layer.homeostasis {
            prop_assert!(
                h <= lc.homeostasis_max,
                "homeostasis {} above {}",
                h,
                lc.homeostasis_max
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(64))]

    /// Whole random networks: weights stay within `±w_max`, spikes reset the membrane and set
    /// the trace, goodness is exact, and (in the dev-profile run) nothing overflows.
    #[test]
    fn random_networks_keep_invariants(
        (cfg, pixels, label) in random_network(),
        anneal in prop_oneof![Just(0u8), 0u8..=30],
    ) {
        let mut net = Network::new(&cfg);
        net.set_anneal(anneal);
        check_state(&net)?;
        let supervised = cfg.label_inputs() > 0;
        let wrong = (label + 1) % cfg.classes;
        let phases = [
            (supervised.then_some(label), Learn { csdp: Some(Polarity::Positive), classifier: None }),
            (None, Learn { csdp: Some(Polarity::Positive), classifier: Some(label) }),
            (supervised.then_some(wrong), Learn { csdp: Some(Polarity::Negative), classifier: None }),
            (None, Learn::OFF),
        ];
        for (label_input, learn) in phases {
            // The phase by `run_phase` must equal the same phase stepped by hand.
            let mut whole = net.clone();
            let result = whole.run_phase(&pixels, label_input, learn);
            net.reset_phase();
            let mut spikes = vec![0u64; cfg.hidden.len() + 1];
            for _ in 0..cfg.steps {
                net.encode(&pixels, label_input);
                let labels_on = net.input_spikes[cfg.inputs..].iter().filter(|&&s| s).count();
                prop_assert_eq!(labels_on, usize::from(label_input.is_some() && supervised));
                net.step(learn);
                check_state(&net)?;
                for (total, layer) in spikes.iter_mut().zip(net.hidden.iter().chain(std::iter::once(&net.classifier))) {
                    *total += u64::from(layer.spike_total());
                }
            }
            prop_assert_eq!(&net, &whole);
            prop_assert_eq!(&result.layer_spikes, &spikes);
            prop_assert!(result.prediction < cfg.classes);
            for (s, size) in spikes.iter().zip(net.layer_sizes()) {
                prop_assert!(*s <= u64::from(cfg.steps) * size as u64);
            }
            if learn == Learn::OFF {
                prop_assert_eq!(whole.weight_matrices(), net.weight_matrices());
            }
        }
    }
}

proptest! {
    #![proptest_config(cases(32))]

    /// The golden core of random networks of 1 to 3 hidden layers, loaded through its command
    /// port (`state_writes`), steps as the network does: after every phase each probe
    /// (`state_probes`: every layer's weights, neuron state and status registers, the
    /// prediction) reads the network's value.
    #[test]
    fn the_core_model_steps_as_the_network((cfg, pixels, label) in random_network()) {
        let mut core = CoreModel::new(&cfg)
            .unwrap_or_else(|err| panic!("random networks fit the core: {err}"));
        let mut net = Network::new(&cfg);
        for (op, addr, data) in state_writes(&cfg, &net, &pixels) {
            core.command(op, addr, data);
        }
        let supervised = cfg.label_inputs() > 0;
        let wrong = (label + 1) % cfg.classes;
        let phases = [
            (supervised.then_some(label), Learn { csdp: Some(Polarity::Positive), classifier: None }),
            (None, Learn { csdp: Some(Polarity::Negative), classifier: Some(label) }),
            (supervised.then_some(wrong), Learn { csdp: Some(Polarity::Negative), classifier: None }),
            (None, Learn::OFF),
        ];
        for (label_input, learn) in phases {
            core.command(Op::PhaseReset, 0, 0);
            net.reset_phase();
            let word = StepCommand::of(learn, label_input).word();
            for _ in 0..cfg.steps {
                core.command(Op::Step, 0, word);
                net.encode(&pixels, label_input);
                net.step(learn);
            }
            for probe in state_probes(&net, true) {
                let word = core.command(probe.op, probe.addr, 0).unwrap_or(0);
                prop_assert_eq!(
                    probe.value(word), probe.want,
                    "{}[{}] of {} hidden layers", probe.variable, probe.index, cfg.hidden.len()
                );
            }
        }
    }
}

/// Absolute difference of two rate vectors, per layer.
fn rate_diffs(a: &[f64], b: &[f64]) -> Vec<f64> {
    assert_eq!(a.len(), b.len(), "same layers in both models");
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).collect()
}

/// Per-layer bounds for inference from the initial weights (hidden layers, classifier).
/// Measured with `networks/digits.toml` as of this writing (seed 1, 50 test samples, 40
/// steps): hidden 0.000717 (1.9 % of its rate 0.0385), classifier 0 (both silent).
const INFERENCE_BOUND: [f64; 2] = [0.0015, 0.001];
/// Per-layer bounds after 20 learning samples. Measured: hidden 0.00205, classifier 0.0048.
const LEARNED_BOUND: [f64; 2] = [0.004, 0.01];

fn assert_rates_close(what: &str, fixed: &[f64], float: &[f64], bound: &[f64; 2]) {
    let diffs = rate_diffs(fixed, float);
    println!("{what}: fixed {fixed:?} float {float:?} |diff| {diffs:?}");
    let last = diffs.len() - 1;
    for (i, d) in diffs.iter().enumerate() {
        let b = if i == last { bound[1] } else { bound[0] };
        assert!(
            *d <= b,
            "{what}: layer {i} rates differ by {d} > {b} (fixed {}, float {})",
            fixed[i],
            float[i]
        );
    }
}

/// The fixed-point model and the float reference agree on per-layer mean firing rates
/// (spikes/neuron/step, from `train::evaluate` on the first 50 digits test samples) for the
/// default network, both models starting from the same weights and seeing the same input
/// spikes.
///
/// The stated bound: with the initial weights (`Learn::OFF`) the rates differ by at most
/// 0.0015 in hidden layers and 0.001 in the classifier; after 20 learning samples
/// (`train::learn_sample`) by at most 0.004 in hidden layers and 0.01 in the classifier.
/// Each is about twice the difference measured when the test was written (see
/// `INFERENCE_BOUND` and `LEARNED_BOUND`), so a retuned default network may need them
/// re-measured; the classifier's inference bound is 20 spikes in 20,000 neuron-steps because
/// the measured difference was exactly 0.
#[test]
fn fixed_and_float_rates_agree_on_short_runs() {
    let cfg = NetworkConfig::default_network().expect("default network");
    let data = load_digits(Path::new(DIGITS)).expect("data/digits.csv.gz");
    let test = &data.test[..50];
    let mut fixed = Network::new(&cfg);
    let mut float = FloatNetwork::new(&cfg);
    let fx = evaluate(&mut fixed, test);
    let fl = evaluate(&mut float, test);
    assert_eq!(fx.per_layer_rate.len(), cfg.hidden.len() + 1);
    assert!(
        fx.per_layer_rate[0] > 0.0,
        "the first hidden layer must fire for the comparison to mean anything"
    );
    assert_rates_close(
        "inference",
        &fx.per_layer_rate,
        &fl.per_layer_rate,
        &INFERENCE_BOUND,
    );

    let mut rng_fixed = Xorshift32::for_stream(cfg.seed, Stream::Negative);
    let mut rng_float = rng_fixed.clone();
    for sample in &data.train[..20] {
        learn_sample(&mut fixed, sample, &data.train, &mut rng_fixed);
        learn_sample(&mut float, sample, &data.train, &mut rng_float);
    }
    assert_eq!(rng_fixed, rng_float, "both drew the same negatives");
    let fx = evaluate(&mut fixed, test);
    let fl = evaluate(&mut float, test);
    assert_rates_close(
        "after 20 learning samples",
        &fx.per_layer_rate,
        &fl.per_layer_rate,
        &LEARNED_BOUND,
    );
}
