//! Weights files: what a network learned, as `spikeforge-sim train --save-weights`,
//! `spikeforge train --save-weights` and `spikeforge nir import` write it
//! (`{"weights": [[W0...], ..., [C...]], "homeostasis": [[h0...], ..., [hC...]]}`: one
//! row-major matrix and one vector of homeostatic thresholds per layer, hidden layers first;
//! [`Learned`]). Also read: the older `[[W0...], ..., [C...]]` (weights alone: the homeostatic
//! thresholds start at 0, and [`read_learned`] says so), and a `spikeforge dump` file (its
//! `hidden_weights`, the `weights` of each of its `more_hidden` layers, its
//! `classifier_weights`, and each layer's `homeostasis`).

use std::path::{Path, PathBuf};

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{weight_name, LayerId};
use spikeforge_sim::network::{Learned, Network};
use spikeforge_sim::rules::weight_max;

use crate::snapshot::Snapshot;

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
    /// A homeostatic threshold that is not a 16-bit unsigned number.
    #[error("{}: {vector}[{index}] = {value} is outside 0..=65535 (a homeostatic threshold)", path.display())]
    Homeostasis {
        /// The file.
        path: PathBuf,
        /// `"homeostasis[0]"`, ...
        vector: String,
        /// Index in the vector.
        index: usize,
        /// The value.
        value: i64,
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

/// Values of a dump as the checks of the other layouts take them.
fn widen<T: Copy + Into<i64>>(xs: &[T]) -> Vec<i64> {
    xs.iter().map(|&x| x.into()).collect()
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
    read_learned(path, cfg).map(|(learned, _)| learned.weights)
}

/// Read what a network `cfg` learned from `path`; the flag is false for a file of weights
/// alone, whose homeostatic thresholds are 0.
pub fn read_learned(path: &Path, cfg: &NetworkConfig) -> Result<(Learned, bool), WeightsError> {
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
    let weight_list = |matrices: &serde_json::Value| -> Result<Vec<Vec<i64>>, WeightsError> {
        match matrices {
            serde_json::Value::Array(matrices) if matrices.len() == layers + 1 => matrices
                .iter()
                .zip(&names)
                .enumerate()
                .map(|(i, (m, name))| matrix(path, m, &format!("{name} (layer {i})")))
                .collect(),
            serde_json::Value::Array(matrices) => Err(format(format!(
                "{} weight matrices; network {:?} has {} hidden layers, so {} ({})",
                matrices.len(),
                cfg.name,
                layers,
                layers + 1,
                names.join(", ")
            ))),
            _ => Err(format("weights is not an array of matrices".to_string())),
        }
    };
    let (matrices, homeostasis): (Vec<Vec<i64>>, Option<Vec<Vec<i64>>>) = match json {
        array @ serde_json::Value::Array(_) => (weight_list(&array)?, None),
        serde_json::Value::Object(file) if file.contains_key("weights") => {
            let h = match file.get("homeostasis") {
                Some(serde_json::Value::Array(h)) if h.len() == layers + 1 => h
                    .iter()
                    .enumerate()
                    .map(|(i, v)| matrix(path, v, &format!("homeostasis[{i}]")))
                    .collect::<Result<_, _>>()?,
                Some(serde_json::Value::Array(h)) => {
                    return Err(format(format!(
                        "{} homeostasis vectors; network {:?} has {} layers",
                        h.len(),
                        cfg.name,
                        layers + 1
                    )))
                }
                _ => return Err(format("no \"homeostasis\" array beside \"weights\"".into())),
            };
            (weight_list(&file["weights"])?, Some(h))
        }
        serde_json::Value::Object(_) => {
            let dump: Snapshot = serde_json::from_value(json)
                .map_err(|e| format(format!("not a spikeforge dump: {e}")))?;
            if dump.more_hidden.len() + 1 != layers {
                return Err(format(format!(
                    "a dump of {} hidden layers; network {:?} has {layers}",
                    dump.more_hidden.len() + 1,
                    cfg.name
                )));
            }
            let matrices = std::iter::once(&dump.hidden_weights)
                .chain(dump.more_hidden.iter().map(|layer| &layer.weights))
                .chain([&dump.classifier_weights])
                .map(|m| widen(m))
                .collect();
            let h = std::iter::once(&dump.hidden)
                .chain(dump.more_hidden.iter().map(|layer| &layer.state))
                .chain([&dump.classifier])
                .map(|state| widen(&state.homeostasis))
                .collect();
            (matrices, Some(h))
        }
        _ => {
            return Err(format(format!(
                "expected {{\"weights\": [{}], \"homeostasis\": [...]}}, [{0}] or a spikeforge \
                 dump object",
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
    let weights = LayerId::all(layers)
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
        .collect::<Result<Vec<_>, _>>()?;
    let sizes: Vec<usize> = cfg
        .hidden
        .iter()
        .map(|l| l.size)
        .chain([cfg.classes])
        .collect();
    let with_homeostasis = homeostasis.is_some();
    let homeostasis = match homeostasis {
        None => sizes.iter().map(|&n| vec![0; n]).collect(),
        Some(vectors) => vectors
            .iter()
            .zip(&sizes)
            .enumerate()
            .map(|(l, (h, &n))| {
                let vector = format!("homeostasis[{l}]");
                if h.len() != n {
                    return Err(format(format!(
                        "{vector} has {} values; layer {l} of network {:?} has {n} neurons",
                        h.len(),
                        cfg.name
                    )));
                }
                h.iter()
                    .enumerate()
                    .map(|(index, &value)| {
                        u16::try_from(value).map_err(|_| WeightsError::Homeostasis {
                            path: path.to_path_buf(),
                            vector: vector.clone(),
                            index,
                            value,
                        })
                    })
                    .collect()
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok((
        Learned {
            weights,
            homeostasis,
        },
        with_homeostasis,
    ))
}

/// `Network::new(cfg)` with what `path` holds, if given. A file of weights alone leaves the
/// homeostatic thresholds at 0; if the network learns them, a note on stderr says so.
pub fn initial_network(cfg: &NetworkConfig, path: Option<&Path>) -> Result<Network, WeightsError> {
    let mut net = Network::new(cfg);
    if let Some(path) = path {
        let (learned, with_homeostasis) = read_learned(path, cfg)?;
        let learns = cfg.hidden.iter().any(|l| l.homeostasis_step > 0);
        if !with_homeostasis && learns {
            eprintln!(
                "note: {} holds weights alone (an older weights file): every homeostatic \
                 threshold starts at 0",
                path.display()
            );
        }
        net.set_learned(&learned);
    }
    Ok(net)
}

/// Write what a network learned (`{"weights": [...], "homeostasis": [...]}`).
pub fn write_learned(path: &Path, learned: &Learned) -> Result<(), WeightsError> {
    std::fs::write(path, learned.to_json()).map_err(|cause| WeightsError::Io {
        path: path.to_path_buf(),
        action: "write",
        cause,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dump file of `snapshot` as `spikeforge dump` writes it (its port beside the fields).
    fn dump_file(name: &str, snapshot: &Snapshot) -> PathBuf {
        let mut dump = serde_json::to_value(snapshot).expect("a snapshot serialises");
        dump["port"] = serde_json::json!("sim");
        let path = std::env::temp_dir().join(format!(
            "spikeforge-weights-{}-{name}.json",
            std::process::id()
        ));
        std::fs::write(&path, dump.to_string())
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    #[test]
    fn a_dump_reads_as_what_the_network_holds() {
        let cfg = NetworkConfig::default_network().expect("default network");
        let mut net = Network::new(&cfg);
        net.hidden[0].homeostasis[3] = 700;
        let path = dump_file("holds", &Snapshot::of(&net, &vec![0; cfg.inputs]));
        let (learned, with_homeostasis) =
            read_learned(&path, &cfg).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(learned, net.learned());
        assert!(with_homeostasis, "a dump holds the homeostatic thresholds");
    }

    #[test]
    fn a_dump_weight_beyond_w_max_is_named() {
        let cfg = NetworkConfig::default_network().expect("default network");
        let net = Network::new(&cfg);
        let max = weight_max(cfg.weight_bits);
        assert!(max < i16::MAX, "{}-bit weights", cfg.weight_bits);
        let mut snapshot = Snapshot::of(&net, &vec![0; cfg.inputs]);
        snapshot.classifier_weights[5] = max + 1;
        let path = dump_file("beyond", &snapshot);
        let err = read_learned(&path, &cfg)
            .expect_err("a weight beyond w_max")
            .to_string();
        assert!(
            err.contains(&format!("C[5] = {} is outside -{max}..={max}", max + 1)),
            "{err}"
        );
    }
}
