//! Weights files: the JSON `spikeforge-sim train --save-weights` and `spikeforge train
//! --save-weights` write (`[[W0...], [W1...], ..., [C...]]`: one row-major matrix per layer,
//! hidden layers first), or a `spikeforge dump` file (its `hidden_weights`, the `weights` of
//! each of its `more_hidden` layers and its `classifier_weights`).

use std::path::{Path, PathBuf};

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{weight_name, LayerId};
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
        /// `"W"`, `"W1"`.. or `"C"`.
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
        /// `"W"`, `"W1"`.. or `"C"`.
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

/// The matrix names of a network with `hidden_layers` hidden layers, as a weights file lists
/// them: `W` (or `W0` with more than one hidden layer), `W1`, ..., `C`.
fn matrix_names(hidden_layers: usize) -> Vec<String> {
    LayerId::all(hidden_layers)
        .map(|layer| match layer {
            LayerId::Hidden(0) if hidden_layers == 1 => "W".to_string(),
            LayerId::Hidden(l) => format!("W{l}"),
            LayerId::Classifier => "C".to_string(),
        })
        .collect()
}

/// Read the weights of every layer of a network `cfg` from `path`, in step order (hidden
/// layers, then the classifier).
pub fn read_weights(path: &Path, cfg: &NetworkConfig) -> Result<Vec<Vec<i16>>, WeightsError> {
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
    let layers = cfg.hidden.len();
    let names = matrix_names(layers);
    let matrices: Vec<Vec<i64>> = match &json {
        serde_json::Value::Array(matrices) if matrices.len() == layers + 1 => matrices
            .iter()
            .zip(&names)
            .enumerate()
            .map(|(i, (m, name))| matrix(path, m, &format!("{name} (layer {i})")))
            .collect::<Result<_, _>>()?,
        serde_json::Value::Array(matrices) => {
            return Err(format(format!(
                "{} weight matrices; network {:?} has {} hidden layers, so {} ({})",
                matrices.len(),
                cfg.name,
                layers,
                layers + 1,
                names.join(", ")
            )))
        }
        serde_json::Value::Object(dump) => {
            let get = |key: &str| {
                dump.get(key)
                    .ok_or_else(|| format(format!("a dump without {key:?}")))
            };
            let more = match dump.get("more_hidden") {
                None => Vec::new(),
                Some(serde_json::Value::Array(more)) => more.clone(),
                Some(_) => return Err(format("more_hidden is not an array".to_string())),
            };
            if more.len() + 1 != layers {
                return Err(format(format!(
                    "a dump of {} hidden layers; network {:?} has {layers}",
                    more.len() + 1,
                    cfg.name
                )));
            }
            let mut matrices = vec![matrix(path, get("hidden_weights")?, "hidden_weights")?];
            for (l, layer) in (1..).zip(&more) {
                let name = format!("more_hidden[{}].weights", l - 1);
                let weights = layer
                    .get("weights")
                    .ok_or_else(|| format(format!("a dump without {name:?}")))?;
                matrices.push(matrix(path, weights, &name)?);
            }
            matrices.push(matrix(
                path,
                get("classifier_weights")?,
                "classifier_weights",
            )?);
            matrices
        }
        _ => {
            return Err(format(format!(
                "expected [{}] or a spikeforge dump object",
                names
                    .iter()
                    .map(|n| format!("[{n}...]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    };
    let max = weight_max(cfg.weight_bits);
    let check =
        |name: &'static str, xs: &[i64], expected: usize| -> Result<Vec<i16>, WeightsError> {
            if xs.len() != expected {
                return Err(WeightsError::Size {
                    path: path.to_path_buf(),
                    matrix: name,
                    found: xs.len(),
                    expected,
                    network: cfg.name.clone(),
                });
            }
            xs.iter()
                .enumerate()
                .map(|(index, &x)| {
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
    LayerId::all(layers)
        .zip(&matrices)
        .map(|(layer, xs)| {
            let name = match layer {
                LayerId::Hidden(0) if layers == 1 => "W",
                other => weight_name(other),
            };
            let expected = match layer {
                LayerId::Hidden(l) => {
                    cfg.hidden_inputs(usize::from(l)) * cfg.hidden[usize::from(l)].size
                }
                LayerId::Classifier => cfg.classifier_inputs() * cfg.classes,
            };
            check(name, xs, expected)
        })
        .collect()
}

/// `Network::new(cfg)` with the weights of `path`, if given.
pub fn initial_network(cfg: &NetworkConfig, path: Option<&Path>) -> Result<Network, WeightsError> {
    let mut net = Network::new(cfg);
    if let Some(path) = path {
        let matrices = read_weights(path, cfg)?;
        for (layer, weights) in LayerId::all(cfg.hidden.len()).zip(matrices) {
            if let Some(layer) = layer.of_mut(&mut net) {
                layer.weights = weights;
            }
        }
    }
    Ok(net)
}

/// Write the weights of every layer as `[[W0...], [W1...], ..., [C...]]`.
pub fn write_weights(path: &Path, matrices: &[Vec<i16>]) -> Result<(), WeightsError> {
    let json = serde_json::to_string(matrices).map_err(|e| WeightsError::Format {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    std::fs::write(path, json + "\n").map_err(|cause| WeightsError::Io {
        path: path.to_path_buf(),
        action: "write",
        cause,
    })
}
