//! The host's training schedule: the phases of a learning sample in each negative mode, and the
//! classifier-only epochs after `csdp_epochs` (`docs/spec.md` §4).

mod common;

use std::path::Path;

use common::DIGITS;
use spikeforge_sim::config::{NegativeMode, NetworkConfig};
use spikeforge_sim::data::{load_digits, Dataset};
use spikeforge_sim::model::{Learn, Model, PhaseResult, Polarity};
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::{Stream, Xorshift32};
use spikeforge_sim::train::{learn_sample, train, TrainOptions};

/// A model that records every phase it is asked to run.
#[derive(Debug)]
struct Recorder {
    cfg: NetworkConfig,
    phases: Vec<(Option<usize>, Learn)>,
}

impl Model for Recorder {
    fn config(&self) -> &NetworkConfig {
        &self.cfg
    }

    fn run_phase(&mut self, _: &[u8], label_input: Option<usize>, learn: Learn) -> PhaseResult {
        self.phases.push((label_input, learn));
        PhaseResult {
            prediction: 0,
            layer_spikes: vec![0; self.cfg.hidden.len() + 1],
        }
    }

    fn weights_digest(&self) -> u64 {
        0
    }

    fn layer_sizes(&self) -> Vec<usize> {
        self.cfg.hidden.iter().map(|l| l.size).collect()
    }

    fn set_anneal(&mut self, _: u8) {}
}

fn digits() -> Dataset {
    load_digits(Path::new(DIGITS)).expect("data/digits.csv.gz")
}

/// A small network for fast runs.
fn small(negatives: NegativeMode, csdp_epochs: u32) -> NetworkConfig {
    let mut cfg = NetworkConfig::default_network().expect("default network");
    cfg.negatives = negatives;
    cfg.csdp_epochs = csdp_epochs;
    cfg.hidden[0].size = 24;
    cfg
}

#[test]
fn both_modes_teach_the_classifier_in_a_label_free_phase_without_csdp() {
    let data = digits();
    let sample = &data.train[0];
    let label = usize::from(sample.label);
    for mode in [NegativeMode::Supervised, NegativeMode::SelfSupervised] {
        let mut model = Recorder {
            cfg: small(mode, 0),
            phases: Vec::new(),
        };
        let mut rng = Xorshift32::for_stream(1, Stream::Negative);
        learn_sample(&mut model, sample, &data.train, &mut rng);
        let supervised = mode == NegativeMode::Supervised;
        let (positive_input, negative_input) = (&model.phases[0].0, &model.phases[2].0);
        assert_eq!(model.phases.len(), 3, "{mode}: {:?}", model.phases);
        assert_eq!(*positive_input, supervised.then_some(label), "{mode}");
        assert_eq!(
            model.phases[0].1,
            Learn {
                csdp: Some(Polarity::Positive),
                classifier: None
            },
            "{mode}: the positive phase"
        );
        assert_eq!(
            model.phases[1],
            (
                None,
                Learn {
                    csdp: None,
                    classifier: Some(label)
                }
            ),
            "{mode}: the classify phase"
        );
        assert_eq!(
            model.phases[2].1,
            Learn {
                csdp: Some(Polarity::Negative),
                classifier: None
            },
            "{mode}: the negative phase"
        );
        if supervised {
            assert!(negative_input.is_some_and(|wrong| wrong != label), "{mode}");
        } else {
            assert_eq!(*negative_input, None, "{mode}");
        }
    }
}

/// Only the classify phase per training sample after `csdp_epochs`; every epoch learns CSDP
/// when it is 0.
#[test]
fn epochs_after_csdp_epochs_run_only_classify_phases() {
    let mut data = digits();
    data.train.truncate(7);
    data.test.truncate(3);
    let opts = TrainOptions {
        epochs: 3,
        train_samples: None,
        test_samples: None,
    };
    for (csdp_epochs, learning_phases) in [(1, 3 * 7 + 2 * 7), (0, 3 * 3 * 7), (3, 3 * 3 * 7)] {
        let mut model = Recorder {
            cfg: small(NegativeMode::SelfSupervised, csdp_epochs),
            phases: Vec::new(),
        };
        train(&mut model, &data, &opts, &mut |_| {});
        let learning: Vec<_> = model
            .phases
            .iter()
            .filter(|(_, learn)| *learn != Learn::OFF)
            .collect();
        assert_eq!(learning.len(), learning_phases, "csdp_epochs {csdp_epochs}");
        let csdp = learning.iter().filter(|(_, l)| l.csdp.is_some()).count();
        let want = 2 * 7 * if csdp_epochs == 0 { 3 } else { csdp_epochs };
        assert_eq!(csdp, want as usize, "csdp_epochs {csdp_epochs}");
    }
}

/// With `csdp_epochs = 1`, the hidden weights after two epochs are those after one: the
/// second epoch teaches the classifier alone. The control (`csdp_epochs = 0`) moves them.
#[test]
fn classifier_only_epochs_keep_the_hidden_weights() {
    let mut data = digits();
    data.train.truncate(60);
    data.test.truncate(20);
    let run = |csdp_epochs: u32, epochs: u32| {
        let mut net = Network::new(&small(NegativeMode::SelfSupervised, csdp_epochs));
        let opts = TrainOptions {
            epochs,
            train_samples: None,
            test_samples: None,
        };
        train(&mut net, &data, &opts, &mut |_| {});
        net
    };
    let one = run(1, 1);
    let frozen = run(1, 2);
    assert_eq!(frozen.hidden[0].weights, one.hidden[0].weights);
    assert_ne!(
        frozen.classifier.weights, one.classifier.weights,
        "the classifier-only epoch changed no classifier weight"
    );
    let control = run(0, 2);
    assert_ne!(
        control.hidden[0].weights, one.hidden[0].weights,
        "a second CSDP epoch changed no hidden weight"
    );
}

#[test]
fn csdp_epochs_is_validated() {
    let text: String = spikeforge_sim::config::DEFAULT_NETWORK_TOML
        .lines()
        .filter(|line| !line.starts_with("csdp_epochs"))
        .map(|line| format!("{line}\n"))
        .collect();
    let edited = format!("csdp_epochs = 1001\n{text}");
    let err = NetworkConfig::from_toml_str(&edited, "x.toml").expect_err("out of range");
    assert_eq!(
        err.to_string(),
        "x.toml: csdp_epochs = 1001 is out of range 0..=1000"
    );
}
