//! The JSON report of a training run, the progress display on stderr, and the check of an
//! output path before a run.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::config::NetworkConfig;
use crate::train::{Progress, TrainOutcome};

/// Which arithmetic a run used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// The bit-exact integer golden model.
    Fixed,
    /// The `f32` reference.
    Float,
}

/// Everything a training run reports (`--report FILE`).
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    /// Test accuracy after the last epoch (0..1).
    pub test_accuracy: f64,
    /// Training-set accuracy after the last epoch (0..1).
    pub train_accuracy: f64,
    /// Epochs run.
    pub epochs: u32,
    /// Run seed.
    pub seed: u64,
    /// Fixed or float.
    pub model: ModelKind,
    /// The dataset as given on the command line.
    pub dataset: String,
    /// Training samples used.
    pub train_samples: usize,
    /// Test samples used.
    pub test_samples: usize,
    /// The resolved network.
    pub network: NetworkConfig,
    /// Mean spikes per neuron per step on the test set (hidden layers, then the classifier).
    pub per_layer_rate: Vec<f64>,
    /// Test accuracy after each epoch.
    pub epoch_test_accuracy: Vec<f64>,
    /// `confusion[true][predicted]` on the test set.
    pub confusion: Vec<Vec<u32>>,
    /// FNV-1a digest of all final weights, hex.
    pub weights_digest: String,
    /// Layers that fell silent or saturated on the test set.
    pub warnings: Vec<String>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl TrainReport {
    /// Assemble the report of a finished run.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        outcome: &TrainOutcome,
        epochs: u32,
        model: ModelKind,
        dataset: String,
        network: &NetworkConfig,
        weights_digest: u64,
        seconds: f64,
    ) -> Self {
        Self {
            test_accuracy: outcome.test.accuracy,
            train_accuracy: outcome.train.accuracy,
            epochs,
            seed: network.seed,
            model,
            dataset,
            train_samples: outcome.train_samples,
            test_samples: outcome.test_samples,
            network: network.clone(),
            per_layer_rate: outcome.test.per_layer_rate.clone(),
            epoch_test_accuracy: outcome.epoch_test_accuracy.clone(),
            confusion: outcome.test.confusion.clone(),
            weights_digest: format!("{weights_digest:016x}"),
            warnings: crate::diag::rate_warnings(&outcome.test.per_layer_rate),
            seconds,
        }
    }
}

/// Progress on stderr: a redrawn line on a terminal, a line per tenth of an epoch otherwise.
#[derive(Debug)]
pub struct ProgressBar {
    start: Instant,
    epochs: u32,
    terminal: bool,
    last_tenth: usize,
}

impl ProgressBar {
    /// A bar for `epochs` epochs.
    pub fn new(epochs: u32) -> Self {
        Self {
            start: Instant::now(),
            epochs,
            terminal: std::io::stderr().is_terminal(),
            last_tenth: usize::MAX,
        }
    }

    /// Show `event`.
    pub fn show(&mut self, event: Progress) {
        let mut err = std::io::stderr().lock();
        // A failed write to stderr cannot be reported anywhere else, so it is ignored.
        let _ = match event {
            Progress::Sample { epoch, done, total } => {
                let tenth = done * 10 / total.max(1);
                let elapsed = self.start.elapsed().as_secs_f64();
                let finished = f64::from(epoch - 1) + done as f64 / total.max(1) as f64;
                let eta = elapsed / finished * (f64::from(self.epochs) - finished);
                let bar_len = 30 * done / total.max(1);
                let line = format!(
                    "epoch {epoch}/{} [{}{}] {done}/{total} samples, {elapsed:.0}s elapsed, ~{eta:.0}s left",
                    self.epochs,
                    "#".repeat(bar_len),
                    ".".repeat(30 - bar_len),
                );
                if self.terminal {
                    write!(err, "\r{line}")
                } else if tenth != self.last_tenth {
                    self.last_tenth = tenth;
                    writeln!(err, "{line}")
                } else {
                    Ok(())
                }
            }
            Progress::Epoch {
                epoch,
                test_accuracy,
            } => {
                let nl = if self.terminal { "\n" } else { "" };
                self.last_tenth = usize::MAX;
                writeln!(
                    err,
                    "{nl}epoch {epoch}/{}: test accuracy {:.2}%",
                    self.epochs,
                    test_accuracy * 100.0
                )
            }
        };
    }
}

/// Why a command line's output file (`--report`, `--out`, ...) cannot be written. Commands
/// check their outputs before they run, so a typo costs no run, and create no directories.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The file's directory does not exist.
    #[error("{flag} {}: directory {} does not exist", path.display(), dir.display())]
    MissingDir {
        /// The option that named the file.
        flag: String,
        /// The file.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
    /// The path is a directory.
    #[error("{flag} {}: is a directory", path.display())]
    IsDir {
        /// The option that named the file.
        flag: String,
        /// The path.
        path: PathBuf,
    },
}

/// Fail unless `path`, given as `flag`, can be created as a file: its directory exists and it
/// is no directory.
pub fn check_output(flag: &str, path: &Path) -> Result<(), OutputError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(OutputError::MissingDir {
            flag: flag.to_string(),
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
        });
    }
    if path.is_dir() {
        return Err(OutputError::IsDir {
            flag: flag.to_string(),
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// [`check_output`] for each output a command was given (`(flag, path)`, `None` when left
/// out).
pub fn check_outputs(outputs: &[(&str, Option<&Path>)]) -> Result<(), OutputError> {
    for (flag, path) in outputs {
        if let Some(path) = path {
            check_output(flag, path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_must_go_to_an_existing_directory() {
        let missing = std::env::temp_dir()
            .join(format!("spikeforge-report-missing-{}", std::process::id()))
            .join("out.csv");
        let err = check_output("--out", &missing).expect_err("no such directory");
        assert_eq!(
            err.to_string(),
            format!(
                "--out {}: directory {} does not exist",
                missing.display(),
                missing.parent().expect("has a parent").display()
            )
        );
        let dir = std::env::temp_dir();
        assert_eq!(
            check_output("--report", &dir)
                .expect_err("a directory")
                .to_string(),
            format!("--report {}: is a directory", dir.display())
        );
        check_output("--out", &dir.join("sweep.csv")).expect("the temp directory exists");
        check_output("--out", Path::new("sweep.csv")).expect("the current directory exists");
    }
}
