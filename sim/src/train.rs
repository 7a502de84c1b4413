//! The training loop: epochs of positive and negative phases, then evaluation. Host-side
//! choices (sample order, negative samples) come from their own seeded generators.

use std::num::NonZeroU64;

use serde::Serialize;

use crate::config::NegativeMode;
use crate::data::{Dataset, Sample};
use crate::model::{Learn, Model, Polarity};
use crate::rng::{shuffle, Stream, Xorshift32};

/// Load the network (`path`, or the embedded default), apply a seed override, load the
/// dataset and check that the two fit each other. Errors name the file and the mismatch.
pub fn load_run(
    path: Option<&std::path::Path>,
    seed: Option<u64>,
    spec: &crate::data::DatasetSpec,
) -> anyhow::Result<(crate::config::NetworkConfig, Dataset)> {
    let mut network = match path {
        Some(path) => crate::config::NetworkConfig::from_file(path)?,
        None => crate::config::NetworkConfig::default_network()?,
    };
    if let Some(seed) = seed {
        network.seed = seed;
    }
    let dataset = crate::data::load(spec)?;
    if let Some(mismatch) = dataset_mismatch(&network, &dataset, spec) {
        anyhow::bail!(mismatch);
    }
    Ok((network, dataset))
}

/// Why `network` cannot run on `data` (loaded from `spec`), naming both sides: its inputs are
/// not the dataset's pixels per sample, or its classes not the dataset's.
pub fn dataset_mismatch(
    network: &crate::config::NetworkConfig,
    data: &Dataset,
    spec: &crate::data::DatasetSpec,
) -> Option<String> {
    if network.inputs != data.pixels() {
        Some(format!(
            "network {:?} has inputs = {} but dataset {spec} has {} pixels per sample",
            network.name,
            network.inputs,
            data.pixels()
        ))
    } else if network.classes != data.classes {
        Some(format!(
            "network {:?} has classes = {} but dataset {spec} has {} classes",
            network.name, network.classes, data.classes
        ))
    } else {
        None
    }
}

/// What to train on and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainOptions {
    /// Passes over the training samples.
    pub epochs: u32,
    /// Use only the first `n` training samples.
    pub train_samples: Option<usize>,
    /// Use only the first `n` test samples.
    pub test_samples: Option<usize>,
}

/// A count of epochs or samples on a command line (`--epochs`, `--train-samples`,
/// `--test-samples`) as a clap value parser: a positive integer. Zero is refused, since a run
/// on no epochs or no samples would still print an accuracy; clap's message names the flag
/// and the value.
pub fn parse_count<T: TryFrom<NonZeroU64>>(text: &str) -> Result<T, String> {
    let n: u64 = text.parse().map_err(|e| format!("{e}"))?;
    let n = NonZeroU64::new(n)
        .ok_or("must be at least 1: a run on zero epochs or samples has nothing to report")?;
    T::try_from(n).map_err(|_| format!("{n} is too large"))
}

/// Where the loop is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    /// A training sample finished.
    Sample {
        /// 1-based epoch.
        epoch: u32,
        /// Samples done in this epoch.
        done: usize,
        /// Samples per epoch.
        total: usize,
    },
    /// An epoch finished with this test accuracy.
    Epoch {
        /// 1-based epoch.
        epoch: u32,
        /// Test accuracy after it (0..1).
        test_accuracy: f64,
    },
}

/// Result of an evaluation pass.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Fraction of samples predicted right.
    pub accuracy: f64,
    /// Mean spikes per neuron per step, per layer (hidden layers, then the classifier).
    pub per_layer_rate: Vec<f64>,
    /// `confusion[true][predicted]`.
    pub confusion: Vec<Vec<u32>>,
}

/// Result of a training run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainOutcome {
    /// Test accuracy after the last epoch.
    pub test: Evaluation,
    /// Accuracy on the training samples after the last epoch.
    pub train: Evaluation,
    /// Test accuracy after each epoch.
    pub epoch_test_accuracy: Vec<f64>,
    /// Training samples used.
    pub train_samples: usize,
    /// Test samples used.
    pub test_samples: usize,
}

/// The negative sample for `sample`: a wrong label, or the mean with another training image.
pub fn negative_for(
    mode: NegativeMode,
    sample: &Sample,
    train: &[Sample],
    classes: usize,
    rng: &mut Xorshift32,
) -> (Vec<u8>, Option<usize>) {
    match mode {
        NegativeMode::Supervised => {
            let others = u32::try_from(classes - 1).unwrap_or(u32::MAX);
            let wrong = (usize::from(sample.label) + 1 + rng.below(others) as usize) % classes;
            (sample.pixels.clone(), Some(wrong))
        }
        NegativeMode::SelfSupervised => {
            let n = u32::try_from(train.len()).unwrap_or(u32::MAX);
            let partner = &train[rng.below(n) as usize];
            let blend = sample
                .pixels
                .iter()
                .zip(&partner.pixels)
                .map(|(&a, &b)| {
                    // The mean of two bytes fits a byte.
                    ((u16::from(a) + u16::from(b)) >> 1) as u8
                })
                .collect();
            (blend, None)
        }
    }
}

/// One learning sample: the positive phase, the classify phase, then the negative phase.
pub fn learn_sample<M: Model>(
    model: &mut M,
    sample: &Sample,
    train: &[Sample],
    rng: &mut Xorshift32,
) {
    let cfg = model.config();
    let (mode, classes) = (cfg.negatives, cfg.classes);
    let label = usize::from(sample.label);
    let label_input = match mode {
        NegativeMode::Supervised => Some(label),
        NegativeMode::SelfSupervised => None,
    };
    let positive = Learn {
        csdp: Some(Polarity::Positive),
        classifier: None,
    };
    model.run_phase(&sample.pixels, label_input, positive);
    // The classifier learns in a phase of its own, as inference will see the sample: without
    // the label input (which would leak the answer into its features), and with the hidden
    // layers fixed and their homeostatic thresholds still.
    teach_classifier(model, sample);
    let (pixels, label_input) = negative_for(mode, sample, train, classes, rng);
    let negative = Learn {
        csdp: Some(Polarity::Negative),
        classifier: None,
    };
    model.run_phase(&pixels, label_input, negative);
}

/// One classify phase: the sample without label input, only the classifier learning.
pub fn teach_classifier<M: Model>(model: &mut M, sample: &Sample) {
    let classify = Learn {
        csdp: None,
        classifier: Some(usize::from(sample.label)),
    };
    model.run_phase(&sample.pixels, None, classify);
}

/// Inference over `samples`.
pub fn evaluate<M: Model>(model: &mut M, samples: &[Sample]) -> Evaluation {
    let classes = model.config().classes;
    let steps = f64::from(model.config().steps);
    let sizes = model.layer_sizes();
    let mut confusion = vec![vec![0u32; classes]; classes];
    let mut spikes = vec![0u64; sizes.len()];
    let mut right = 0usize;
    for sample in samples {
        let result = model.run_phase(&sample.pixels, None, Learn::OFF);
        let truth = usize::from(sample.label);
        confusion[truth][result.prediction] += 1;
        right += usize::from(result.prediction == truth);
        for (total, s) in spikes.iter_mut().zip(&result.layer_spikes) {
            *total += s;
        }
    }
    let n = samples.len().max(1) as f64;
    Evaluation {
        accuracy: right as f64 / n,
        per_layer_rate: spikes
            .iter()
            .zip(&sizes)
            .map(|(&s, &size)| s as f64 / (n * steps * size as f64))
            .collect(),
        confusion,
    }
}

/// Train for `opts.epochs` epochs and evaluate after each one.
pub fn train<M: Model>(
    model: &mut M,
    data: &Dataset,
    opts: &TrainOptions,
    progress: &mut dyn FnMut(Progress),
) -> TrainOutcome {
    let seed = model.config().seed;
    let train_set = &data.train[..opts
        .train_samples
        .unwrap_or(usize::MAX)
        .min(data.train.len())];
    let test_set = &data.test[..opts.test_samples.unwrap_or(usize::MAX).min(data.test.len())];
    let mut order: Vec<usize> = (0..train_set.len()).collect();
    let mut shuffle_rng = Xorshift32::for_stream(seed, Stream::Shuffle);
    let mut negative_rng = Xorshift32::for_stream(seed, Stream::Negative);
    let mut epoch_test_accuracy = Vec::new();
    let mut last_test = None;
    let anneal_every = model.config().anneal_every;
    let csdp_epochs = model.config().csdp_epochs;
    for epoch in 1..=opts.epochs {
        let csdp = csdp_epochs == 0 || epoch <= csdp_epochs;
        if let Some(halvings) = (epoch - 1).checked_div(anneal_every) {
            model.set_anneal(u8::try_from(halvings).unwrap_or(u8::MAX));
        }
        shuffle(&mut order, &mut shuffle_rng);
        for (done, &i) in order.iter().enumerate() {
            if csdp {
                learn_sample(model, &train_set[i], train_set, &mut negative_rng);
            } else {
                teach_classifier(model, &train_set[i]);
            }
            progress(Progress::Sample {
                epoch,
                done: done + 1,
                total: order.len(),
            });
        }
        let test = evaluate(model, test_set);
        epoch_test_accuracy.push(test.accuracy);
        progress(Progress::Epoch {
            epoch,
            test_accuracy: test.accuracy,
        });
        last_test = Some(test);
    }
    // The encoder keeps running, so a second pass would see other input spikes: the test result
    // is the last epoch's evaluation itself.
    let test = last_test.unwrap_or_else(|| evaluate(model, test_set));
    TrainOutcome {
        test,
        train: evaluate(model, train_set),
        epoch_test_accuracy,
        train_samples: train_set.len(),
        test_samples: test_set.len(),
    }
}
