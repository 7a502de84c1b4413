//! On-chip training in co-simulation: the default network's core learns the first 300
//! digits training samples for one epoch, driven over the host interface phase by phase by
//! `train::learn_sample` (positive, classify, negative), then classifies the first 100 test
//! samples. The golden model runs the same calls; final W and C and every test prediction
//! must be identical, and the golden side must match `train::train` itself.

use std::path::Path;
use std::time::Instant;

use spikeforge_sim::data::load_digits;
use spikeforge_sim::model::{Learn, Model};
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::{shuffle, Stream, Xorshift32};
use spikeforge_sim::train::{learn_sample, train, TrainOptions};
use spikeforge_testbenches::chip::Chip;
use spikeforge_testbenches::model::DEFAULT;

const TRAIN: usize = 300;
const TEST: usize = 100;

/// The first index where `rtl` and `model` differ, with both values.
fn first_difference(name: &str, rtl: &[i16], model: &[i16]) -> Option<String> {
    assert_eq!(rtl.len(), model.len(), "{name} sizes");
    let differ = rtl.iter().zip(model).filter(|(a, b)| a != b).count();
    let i = rtl.iter().zip(model).position(|(a, b)| a != b)?;
    Some(format!(
        "{name}[{i}] is {} in the RTL, {} in the golden model ({differ} words differ)",
        rtl[i], model[i]
    ))
}

#[test]
fn t_train_digits_cosim() {
    let started = Instant::now();
    let data = load_digits(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    )))
    .unwrap_or_else(|e| panic!("digits: {e}"));
    let mut chip = Chip::new(&DEFAULT);
    let cfg = chip.config().clone();
    let mut net = Network::new(&cfg);
    let train_set = &data.train[..TRAIN];
    let test_set = &data.test[..TEST];

    // One epoch as `train::train` runs it: anneal for epoch 1, one shuffle, then every sample.
    let mut order: Vec<usize> = (0..train_set.len()).collect();
    let mut shuffle_rng = Xorshift32::for_stream(cfg.seed, Stream::Shuffle);
    let mut negative_rng = Xorshift32::for_stream(cfg.seed, Stream::Negative);
    if let Some(halvings) = 0u32.checked_div(cfg.anneal_every) {
        let halvings = u8::try_from(halvings).unwrap_or(u8::MAX);
        chip.set_anneal(halvings);
        net.set_anneal(halvings);
    }
    shuffle(&mut order, &mut shuffle_rng);
    for &i in &order {
        let mut chip_rng = negative_rng.clone();
        learn_sample(&mut chip, &train_set[i], train_set, &mut chip_rng);
        learn_sample(&mut net, &train_set[i], train_set, &mut negative_rng);
        assert_eq!(chip_rng, negative_rng, "Negative stream after sample {i}");
    }
    let trained = Instant::now();

    // Inference: one 40-step phase per sample, READ_PREDICTION after it.
    let mut right = 0;
    for (i, sample) in test_set.iter().enumerate() {
        let rtl = chip.run_phase(&sample.pixels, None, Learn::OFF);
        let model = net.run_phase(&sample.pixels, None, Learn::OFF);
        assert_eq!(
            rtl.prediction, model.prediction,
            "test sample {i}: prediction"
        );
        assert_eq!(
            rtl.layer_spikes, model.layer_spikes,
            "test sample {i}: spikes per layer"
        );
        right += usize::from(model.prediction == usize::from(sample.label));
    }
    let accuracy = right as f64 / TEST as f64;

    let (w, c) = chip.weights();
    let differences: Vec<String> = [
        first_difference("W", &w, &net.hidden[0].weights),
        first_difference("C", &c, &net.classifier.weights),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(differences.is_empty(), "{}", differences.join("; "));

    // The golden side of this test is `train::train` itself.
    let mut golden = Network::new(&cfg);
    let opts = TrainOptions {
        epochs: 1,
        train_samples: Some(TRAIN),
        test_samples: Some(TEST),
    };
    let outcome = train(&mut golden, &data, &opts, &mut |_| {});
    assert_eq!(outcome.test.accuracy, accuracy, "train::train accuracy");
    assert_eq!(golden.hidden[0].weights, w, "train::train W");
    assert_eq!(golden.classifier.weights, c, "train::train C");

    let steps = chip.steps();
    let host = chip.host.get_mut();
    let (busy_cycles, busy_time) = host.busy_stats();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "digits co-sim, default core: {TRAIN} train samples (1 epoch), {TEST} test samples: \
         test accuracy {:.1} % (RTL = golden); {} STEPs, {} cycles in {seconds:.1} s \
         (training {:.1} s); STEP/PHASE_RESET {busy_cycles} cycles at {:.2} M cycles/s, \
         {:.0} steps/s",
        accuracy * 100.0,
        steps,
        host.cycles(),
        (trained - started).as_secs_f64(),
        busy_cycles as f64 / busy_time.as_secs_f64() / 1e6,
        steps as f64 / seconds,
    );
}
