//! One epoch of learning at a chip's pins, compared with `train::train` (the session of
//! `t_uart_session_golden` and `t_gate_level_golden`), and [`stripes`], a tiny data set for
//! chips of 10 inputs and 3 classes.

use std::time::Instant;

use spikeforge_sim::data::{Dataset, Sample};
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::{shuffle, Stream, Xorshift32};
use spikeforge_sim::train::{train, TrainOptions};
use spikeforge_sim::wire::{Command, LinkStatus};

use crate::model::ChipKind;
use crate::Session;

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

/// One epoch of `samples` training samples of `data` and `tests` test samples at the pins of
/// the chip of `kind` (a [`Session`]: `IDENTIFY`, the initial network loaded in WRITEs, the
/// samples learned as `train::train` runs the epoch, every layer's weights read back, the test
/// samples classified, `LINK_STATUS`), every response byte compared with the golden `Chip`
/// as it arrives; then the weights and the accuracy must be `train::train`'s and every layer
/// must have learned. Returns the test accuracy. Panics at the first difference.
pub fn learn_one_epoch(
    kind: &'static ChipKind,
    data: &Dataset,
    samples: usize,
    tests: usize,
) -> f64 {
    let started = Instant::now();
    let mut session = Session::new(kind);
    let cfg = session.config().clone();
    let net = Network::new(&cfg);
    session.load(&net, &vec![0; cfg.inputs]);
    let loaded = session.chip.stats();

    // One epoch as `train::train` runs it: anneal for epoch 1, one shuffle, every sample.
    let train_set = &data.train[..samples];
    let test_set = &data.test[..tests];
    let mut order: Vec<usize> = (0..samples).collect();
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
    let weights = session.weights();
    let read_back = session.chip.stats();
    let predictions: Vec<usize> = test_set
        .iter()
        .map(|s| session.classify(&s.pixels))
        .collect();
    let classified = session.chip.stats();
    let link = LinkStatus::decode(&session.request(&Command::LinkStatus))
        .unwrap_or_else(|e| panic!("LINK_STATUS: {e}"));
    assert_eq!(link, LinkStatus::default(), "a clean line: every counter 0");

    // Every byte was the golden Chip's; the session is also `train::train` itself, and every
    // layer learned.
    let mut golden = Network::new(&cfg);
    let opts = TrainOptions {
        epochs: 1,
        train_samples: Some(samples),
        test_samples: Some(tests),
    };
    let outcome = train(&mut golden, data, &opts, &mut |_| {});
    let want = golden.weight_matrices();
    assert_eq!(weights.len(), want.len(), "one matrix per layer");
    let differences: Vec<String> = (0..want.len())
        .filter_map(|l| first_difference(&format!("layer {l}"), &weights[l], &want[l]))
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("; "));
    let initial = net.weight_matrices();
    let unchanged: Vec<usize> = (0..want.len()).filter(|&l| want[l] == initial[l]).collect();
    assert!(unchanged.is_empty(), "layers {unchanged:?} learned nothing");
    let right = predictions
        .iter()
        .zip(test_set)
        .filter(|(&p, s)| p == usize::from(s.label))
        .count();
    let accuracy = right as f64 / tests as f64;
    assert_eq!(accuracy, outcome.test.accuracy, "train::train accuracy");

    let stats = session.chip.stats();
    let per = |a: u64, b: u64, n: usize| (b - a) as f64 / n as f64;
    println!(
        "UART session, {} at 4 cycles/bit: {} exchanges, {} cycles ({:.1} s at 12 MHz) in \
         {:.1} s wall ({:.2} M cycles/s); load {} cycles; {samples} training samples {:.0} \
         cycles each; weights read back {} cycles; {tests} test samples {:.0} cycles each; \
         test accuracy {right}/{tests} = {:.0} % (= train::train)",
        kind.name(),
        stats.exchanges,
        stats.cycles,
        stats.cycles as f64 / 12e6,
        started.elapsed().as_secs_f64(),
        stats.cycles as f64 / stats.wall.as_secs_f64() / 1e6,
        loaded.cycles,
        per(before.cycles, trained.cycles, samples),
        read_back.cycles - trained.cycles,
        per(read_back.cycles, classified.cycles, tests),
        accuracy * 100.0,
    );
    accuracy
}

/// Three classes of ten pixels for the networks of 10 inputs and 3 classes: class `k` is
/// bright on pixels `3k..3k + 3` and dim elsewhere, with noise drawn from `seed`; samples take
/// the classes in turn.
pub fn stripes(seed: u32, train: usize, test: usize) -> Dataset {
    let mut rng = Xorshift32::new(seed);
    let mut sample = |i: usize| {
        let label = (i % 3) as u8;
        let pixels = (0..10usize)
            .map(|p| {
                let base = if p / 3 == usize::from(label) { 180 } else { 10 };
                base + (rng.below(60) as u8)
            })
            .collect();
        Sample { pixels, label }
    };
    Dataset {
        name: "stripes".into(),
        width: 10,
        height: 1,
        classes: 3,
        train: (0..train).map(&mut sample).collect(),
        test: (0..test).map(&mut sample).collect(),
    }
}
