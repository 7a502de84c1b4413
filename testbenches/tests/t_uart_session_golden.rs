//! The chip at its UART pins learns digits in frames, byte for byte like the golden `Chip`.
//!
//! The default network's chip (`chip_default`, 12 MHz at 3 Mbaud: 4 cycles per bit) is
//! driven bit by bit at `uart_rx` and decoded at `uart_tx`, one request at a time
//! (stop-and-wait). The session: `IDENTIFY`; the initial network loaded in WRITEs as
//! `golden::load` writes it through the core's port (pixels, W and C in chunks, every neuron
//! state field, offsets and goodness, every parameter, the generator seeds); one epoch over
//! the first [`TRAIN`] digits training samples as `train::train` runs it (anneal, shuffle,
//! then for each sample a WRITE of its pixels and a `RUN_PHASE` per phase of
//! `train::learn_sample`); W and C read back in READs of 128; [`TEST`] test samples classified
//! (WRITE, inference `RUN_PHASE`, `READ_PREDICTION`); `LINK_STATUS`. Every response byte must
//! equal `Chip::feed`'s; then the weights and the accuracy must be those of `train::train`
//! itself.

use std::path::Path;
use std::time::Instant;

use spikeforge_sim::data::load_digits;
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::{shuffle, Stream, Xorshift32};
use spikeforge_sim::train::{train, TrainOptions};
use spikeforge_sim::wire::{Command, LinkStatus};
use spikeforge_testbenches::model::CHIP_DEFAULT;
use spikeforge_testbenches::Session;

/// Training samples learned on the chip (one epoch).
const TRAIN: usize = 50;
/// Test samples classified on the chip.
const TEST: usize = 20;
/// Test accuracy the chip must reach (chance is 0.1).
const MIN_ACCURACY: f64 = 0.3;

/// The first index where `rtl` and `model` differ, with both values.
fn first_difference(name: &str, rtl: &[i16], model: &[i16]) -> Option<String> {
    assert_eq!(rtl.len(), model.len(), "{name} sizes");
    let differ = rtl.iter().zip(model).filter(|(a, b)| a != b).count();
    let i = rtl.iter().zip(model).position(|(a, b)| a != b)?;
    Some(format!(
        "{name}[{i}] is {} on the chip, {} in train::train ({differ} words differ)",
        rtl[i], model[i]
    ))
}

#[test]
fn t_uart_session_golden() {
    let started = Instant::now();
    let data = load_digits(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/digits.csv.gz"
    )))
    .unwrap_or_else(|e| panic!("digits: {e}"));
    let mut session = Session::new(&CHIP_DEFAULT);
    let cfg = session.config().clone();
    let net = Network::new(&cfg);
    session.load(&net, &vec![0; cfg.inputs]);
    let loaded = session.chip.stats();

    // One epoch as `train::train` runs it: anneal for epoch 1, one shuffle, every sample.
    let train_set = &data.train[..TRAIN];
    let test_set = &data.test[..TEST];
    let mut order: Vec<usize> = (0..TRAIN).collect();
    let mut shuffle_rng = Xorshift32::for_stream(cfg.seed, Stream::Shuffle);
    let mut negative_rng = Xorshift32::for_stream(cfg.seed, Stream::Negative);
    if let Some(halvings) = 0u32.checked_div(cfg.anneal_every) {
        session.set_anneal(u8::try_from(halvings).unwrap_or(u8::MAX));
    }
    shuffle(&mut order, &mut shuffle_rng);
    let before = session.chip.stats();
    for &i in &order {
        session.learn_sample(&train_set[i], train_set, &mut negative_rng);
    }
    let trained = session.chip.stats();
    let (w, c) = session.weights();
    let read_back = session.chip.stats();
    let predictions: Vec<usize> = test_set
        .iter()
        .map(|s| session.classify(&s.pixels))
        .collect();
    let classified = session.chip.stats();
    let link = LinkStatus::decode(&session.request(&Command::LinkStatus))
        .unwrap_or_else(|e| panic!("LINK_STATUS: {e}"));
    assert_eq!(link, LinkStatus::default(), "a clean line: every counter 0");

    // Every byte was the golden Chip's; the session is also `train::train` itself.
    let mut golden = Network::new(&cfg);
    let opts = TrainOptions {
        epochs: 1,
        train_samples: Some(TRAIN),
        test_samples: Some(TEST),
    };
    let outcome = train(&mut golden, &data, &opts, &mut |_| {});
    let differences: Vec<String> = [
        first_difference("W", &w, &golden.hidden[0].weights),
        first_difference("C", &c, &golden.classifier.weights),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(differences.is_empty(), "{}", differences.join("; "));
    let right = predictions
        .iter()
        .zip(test_set)
        .filter(|(&p, s)| p == usize::from(s.label))
        .count();
    let accuracy = right as f64 / TEST as f64;
    assert_eq!(accuracy, outcome.test.accuracy, "train::train accuracy");
    // Fifty samples are enough to learn well above chance (10 classes).
    assert!(
        accuracy >= MIN_ACCURACY,
        "test accuracy {accuracy} after {TRAIN} samples"
    );

    let stats = session.chip.stats();
    let per = |a: u64, b: u64, n: usize| (b - a) as f64 / n as f64;
    println!(
        "UART session, chip_default at 4 cycles/bit: {} exchanges, {} cycles ({:.1} s at 12 MHz) \
         in {:.1} s wall ({:.2} M cycles/s); load {} cycles; {TRAIN} training samples {:.0} \
         cycles each; W and C read back {} cycles; {TEST} test samples {:.0} cycles each; \
         test accuracy {right}/{TEST} = {:.0} % (= train::train)",
        stats.exchanges,
        stats.cycles,
        stats.cycles as f64 / 12e6,
        started.elapsed().as_secs_f64(),
        stats.cycles as f64 / stats.wall.as_secs_f64() / 1e6,
        loaded.cycles,
        per(before.cycles, trained.cycles, TRAIN),
        read_back.cycles - trained.cycles,
        per(read_back.cycles, classified.cycles, TEST),
        accuracy * 100.0,
    );
}
