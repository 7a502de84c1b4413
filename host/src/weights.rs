//! Weights files: the JSON `spikeforge-sim train --save-weights` and `spikeforge train
//! --save-weights` write (`[[W...], [C...]]`, row-major), or a `spikeforge dump` file (its
//! `hidden_weights` and `classifier_weights`).

use std::path::{Path, PathBuf};

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::network::Network;
use spikeforge_sim::rules::weight_max;

/// Why a weights file cannot be used. Every message starts with the file.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    /// The file cannot be read or written.
    #[error("{}: cannot {action}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// `"read"` or `"write"`.
        action: &'static str,
        /// The operating system's error.
        cause: std::io::Error,
    },
    /// Not JSON, or not one of the two layouts.
    #[error("{}: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A matrix of the wrong size.
    #[error("{}: {matrix} has {found} weights; network {network:?} takes {expected}", path.display())]
    Size {
        /// The file.
        path: PathBuf,
        /// `"W"` or `"C"`.
        matrix: &'static str,
        /// Weights in the file.
        found: usize,
        /// Weights the network has.
        expected: usize,
        /// The network's name.
        network: String,
    },
    /// A weight beyond the network's range.
    #[error(
        "{}: {matrix}[{index}] = {value} is outside -{max}..={max} ({bits}-bit weights of network {network:?})",
        path.display()
    )]
    Range {
        /// The file.
        path: PathBuf,
        /// `"W"` or `"C"`.
        matrix: &'static str,
        /// Index in the matrix.
        index: usize,
        /// The weight.
        value: i64,
        /// `w_max`.
        max: i16,
        /// `weight_bits`.
        bits: u8,
        /// The network's name.
        network: String,
    },
}

fn matrix(path: &Path, value: &serde_json::Value, name: &str) -> Result<Vec<i64>, WeightsError> {
    let format = |reason: String| WeightsError::Format {
        path: path.to_path_buf(),
        reason,
    };
    let array = value
        .as_array()
        .ok_or_else(|| format(format!("{name} is not an array of integers")))?;
    array
        .iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_i64()
                .ok_or_else(|| format(format!("{name}[{i}] = {x} is not an integer")))
        })
        .collect()
}

/// Read the hidden weights W and classifier weights C of a network `cfg` from `path`.
pub fn read_weights(
    path: &Path,
    cfg: &NetworkConfig,
) -> Result<(Vec<i16>, Vec<i16>), WeightsError> {
    let text = std::fs::read_to_string(path).map_err(|cause| WeightsError::Io {
        path: path.to_path_buf(),
        action: "read",
        cause,
    })?;
    let format = |reason: String| WeightsError::Format {
        path: path.to_path_buf(),
        reason,
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format(format!("not JSON: {e}")))?;
    let (w, c) = match &json {
        serde_json::Value::Array(layers) if layers.len() == 2 => (
            matrix(path, &layers[0], "W (layer 0)")?,
            matrix(path, &layers[1], "C (layer 1)")?,
        ),
        serde_json::Value::Array(layers) => {
            return Err(format(format!(
                "{} weight matrices; a one-hidden-layer network has 2 (W, C)",
                layers.len()
            )))
        }
        serde_json::Value::Object(dump) => {
            let get = |key: &str| {
                dump.get(key)
                    .ok_or_else(|| format(format!("a dump without {key:?}")))
            };
            (
                matrix(path, get("hidden_weights")?, "hidden_weights")?,
                matrix(path, get("classifier_weights")?, "classifier_weights")?,
            )
        }
        _ => {
            return Err(format(
                "expected [[W...], [C...]] or a spikeforge dump object".to_string(),
            ))
        }
    };
    let max = weight_max(cfg.weight_bits);
    let check =
        |name: &'static str, xs: Vec<i64>, expected: usize| -> Result<Vec<i16>, WeightsError> {
            if xs.len() != expected {
                return Err(WeightsError::Size {
                    path: path.to_path_buf(),
                    matrix: name,
                    found: xs.len(),
                    expected,
                    network: cfg.name.clone(),
                });
            }
            xs.into_iter()
                .enumerate()
                .map(|(index, x)| {
                    i16::try_from(x)
                        .ok()
                        .filter(|w| (-max..=max).contains(w))
                        .ok_or_else(|| WeightsError::Range {
                            path: path.to_path_buf(),
                            matrix: name,
                            index,
                            value: x,
                            max,
                            bits: cfg.weight_bits,
                            network: cfg.name.clone(),
                        })
                })
                .collect()
        };
    let hidden = cfg.hidden.first().map_or(0, |layer| layer.size);
    let w = check("W", w, cfg.hidden_inputs(0) * hidden)?;
    let c = check("C", c, cfg.classifier_inputs() * cfg.classes)?;
    Ok((w, c))
}

/// `Network::new(cfg)` with the weights of `path`, if given.
pub fn initial_network(cfg: &NetworkConfig, path: Option<&Path>) -> Result<Network, WeightsError> {
    let mut net = Network::new(cfg);
    if let Some(path) = path {
        let (w, c) = read_weights(path, cfg)?;
        net.hidden[0].weights = w;
        net.classifier.weights = c;
    }
    Ok(net)
}

/// Write W and C as `[[W...], [C...]]`.
pub fn write_weights(path: &Path, w: &[i16], c: &[i16]) -> Result<(), WeightsError> {
    let json = serde_json::to_string(&[w, c]).map_err(|e| WeightsError::Format {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|cause| WeightsError::Io {
            path: dir.to_path_buf(),
            action: "create directory",
            cause,
        })?;
    }
    std::fs::write(path, json + "\n").map_err(|cause| WeightsError::Io {
        path: path.to_path_buf(),
        action: "write",
        cause,
    })
}
