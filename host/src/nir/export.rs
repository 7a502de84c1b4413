//! A network and its weights as a NIR graph: the inference graph of the chip, in physical
//! units (`docs/nir.md`).
//!
//! | chip | NIR |
//! |---|---|
//! | pixel spikes | `Input` `"input"`, shape `(inputs,)` |
//! | label inputs (supervised) | `Input` `"label"`, shape `(classes,)` |
//! | hidden layer `l`, weights `W[i][n]` | `Affine` `"w{l}"` (bias 0), weight `[n][i] = W[i][n] / theta_l`; `LIF` `"lif{l}"` |
//! | label rows of layer `l` | `Affine` `"label_w{l}"` from `"label"` |
//! | classifier rows of hidden layer `l` | `Affine` `"c{l}"` from `"lif{l}"` |
//! | classifier rows of the pixels | `Affine` `"c_input"` from `"input"` |
//! | classifier | `LIF` `"classifier"`, then `Output` `"output"` |
//!
//! Every LIF has `tau = dt * 2^leak_shift`, `r = 1`, `v_leak = 0`, `v_reset = 0` and
//! `v_threshold = (theta + h_n) / theta` (the weights are in units of the layer's threshold;
//! `h_n` is neuron `n`'s homeostatic threshold as learned), each an array of the layer's size.

use spikeforge_sim::config::{LayerConfig, NetworkConfig};
use spikeforge_sim::network::Learned;

use super::{Array, DType, Graph, NirError, Node};

/// An exported graph and what it cannot hold of the chip, one line each.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The graph.
    pub graph: Graph,
    /// Approximations: where the chip's dynamics differ from the graph's.
    pub notes: Vec<String>,
}

/// The weight unit of a layer: its threshold in weight LSB (1 for a threshold of 0).
pub fn unit(layer: &LayerConfig) -> f64 {
    f64::from(layer.threshold.max(1))
}

/// The graph of `cfg` with what it `learned` (weights and homeostatic thresholds, hidden
/// layers then the classifier, as in a weights file), time step `dt` seconds.
pub fn export(cfg: &NetworkConfig, learned: &Learned, dt: f64) -> Result<Exported, NirError> {
    if !(dt.is_finite() && dt > 0.0) {
        return Err(NirError::Options(format!(
            "--dt {dt}: the time step must be a positive number of seconds"
        )));
    }
    let layers = cfg.hidden.len();
    let (weights, homeostasis) = (&learned.weights, &learned.homeostasis);
    if weights.len() != layers + 1 || homeostasis.len() != layers + 1 {
        return Err(NirError::Options(format!(
            "{} weight matrices and {} homeostasis vectors for network {:?} of {layers} hidden \
             layers (expected {} of each)",
            weights.len(),
            homeostasis.len(),
            cfg.name,
            layers + 1
        )));
    }
    for (l, (h, layer)) in homeostasis
        .iter()
        .zip(cfg.hidden.iter().chain([&cfg.classifier]))
        .enumerate()
    {
        if h.len() != layer.size {
            return Err(NirError::Options(format!(
                "homeostasis[{l}] has {} values; layer {l} of network {:?} has {} neurons",
                h.len(),
                cfg.name,
                layer.size
            )));
        }
    }
    let mut graph = Graph::default();
    let mut notes = Vec::new();
    let shape = |n: usize| Array::vector(vec![n as f64], DType::I64);
    graph.node("input", Node::new("Input", [("shape", shape(cfg.inputs))]));
    let labels = cfg.label_inputs();
    if labels > 0 {
        graph.node("label", Node::new("Input", [("shape", shape(labels))]));
        notes.push(format!(
            "\"label\": the label inputs of supervised learning; inference leaves them silent \
             (all {labels} zero)"
        ));
    }

    let mut prev = ("input".to_string(), cfg.inputs);
    for (l, layer) in cfg.hidden.iter().enumerate() {
        let lif = format!("lif{l}");
        let w = &weights[l];
        let rows = cfg.hidden_inputs(l);
        check_size(cfg, &format!("W{l}"), w, rows * layer.size)?;
        let affine = format!("w{l}");
        graph.node(&affine, affine_node(w, layer, 0..prev.1));
        graph.edge(&prev.0, &affine);
        graph.edge(&affine, &lif);
        if labels > 0 {
            let name = format!("label_w{l}");
            graph.node(&name, affine_node(w, layer, prev.1..prev.1 + labels));
            graph.edge("label", &name);
            graph.edge(&name, &lif);
        }
        graph.node(&lif, lif_node(layer, &homeostasis[l], dt));
        notes.extend(layer_notes(&lif, layer));
        prev = (lif, layer.size);
    }

    let classifier = &cfg.classifier;
    let c = &weights[layers];
    check_size(cfg, "C", c, cfg.classifier_inputs() * cfg.classes)?;
    let mut offset = 0;
    if cfg.classifier_sees_input {
        graph.node("c_input", affine_node(c, classifier, 0..cfg.inputs));
        graph.edge("input", "c_input");
        graph.edge("c_input", "classifier");
        offset = cfg.inputs;
    }
    for (l, layer) in cfg.hidden.iter().enumerate() {
        let name = format!("c{l}");
        graph.node(
            &name,
            affine_node(c, classifier, offset..offset + layer.size),
        );
        graph.edge(&format!("lif{l}"), &name);
        graph.edge(&name, "classifier");
        offset += layer.size;
    }
    graph.node("classifier", lif_node(classifier, &homeostasis[layers], dt));
    notes.extend(layer_notes("classifier", classifier));
    graph.node(
        "output",
        Node::new("Output", [("shape", shape(cfg.classes))]),
    );
    graph.edge("classifier", "output");
    notes.push(
        "every layer: the chip leaks by an arithmetic shift (v += floor((j - v) / 2^leak_shift)), \
         saturates currents and membranes to 16 bits and takes its input spikes from a \
         Bernoulli encoder of the pixels; the graph's LIF is exact Euler with tau = dt * \
         2^leak_shift"
            .to_string(),
    );
    Ok(Exported { graph, notes })
}

fn check_size(cfg: &NetworkConfig, name: &str, w: &[i16], expected: usize) -> Result<(), NirError> {
    if w.len() == expected {
        Ok(())
    } else {
        Err(NirError::Options(format!(
            "{name} has {} weights; network {:?} takes {expected}",
            w.len(),
            cfg.name
        )))
    }
}

/// The `Affine` of rows `rows` of the row-major matrix `w` (columns = the layer's neurons),
/// transposed to NIR's `(out, in)` and divided by the layer's threshold; bias 0.
fn affine_node(w: &[i16], layer: &LayerConfig, rows: std::ops::Range<usize>) -> Node {
    let size = layer.size;
    let unit = unit(layer);
    let inputs = rows.len();
    let mut weight = Vec::with_capacity(size * inputs);
    for n in 0..size {
        weight.extend(rows.clone().map(|i| f64::from(w[i * size + n]) / unit));
    }
    Node::new(
        "Affine",
        [
            ("weight", Array::matrix(size, inputs, weight, DType::F32)),
            ("bias", Array::filled(size, 0.0, DType::F32)),
        ],
    )
}

/// The layer's neurons as a `LIF` node, every parameter of the layer's shape; neuron `n`'s
/// threshold is the layer's plus its homeostatic threshold `h[n]`.
fn lif_node(layer: &LayerConfig, h: &[u16], dt: f64) -> Node {
    let n = layer.size;
    let tau = dt * f64::from(1u32 << layer.leak_shift);
    let unit = unit(layer);
    let threshold = h
        .iter()
        .map(|&h| (f64::from(layer.threshold) + f64::from(h)) / unit)
        .collect();
    Node::new(
        "LIF",
        [
            ("tau", Array::filled(n, tau, DType::F32)),
            ("r", Array::filled(n, 1.0, DType::F32)),
            ("v_leak", Array::filled(n, 0.0, DType::F32)),
            ("v_reset", Array::filled(n, 0.0, DType::F32)),
            ("v_threshold", Array::vector(threshold, DType::F32)),
        ],
    )
}

/// What the graph cannot hold of one layer.
fn layer_notes(name: &str, layer: &LayerConfig) -> Vec<String> {
    let mut notes = Vec::new();
    if layer.refractory > 0 {
        notes.push(format!(
            "{name:?}: refractory = {} steps is not in NIR's LIF (the chip holds a neuron at 0 \
             for that many steps after a spike)",
            layer.refractory
        ));
    }
    if layer.adapt_step > 0 {
        notes.push(format!(
            "{name:?}: the adaptive threshold (adapt_step = {}) is not in the graph",
            layer.adapt_step
        ));
    }
    if layer.homeostasis_step > 0 {
        notes.push(format!(
            "{name:?}: v_threshold is each neuron's threshold with its homeostatic part as \
             learned; the graph has no rule that raises or decays it"
        ));
    }
    if layer.threshold == 0 {
        notes.push(format!(
            "{name:?}: threshold 0; weights are in weight LSB (unit 1)"
        ));
    }
    notes
}
