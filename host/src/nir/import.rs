//! A NIR graph onto the chip: [`parse`] checks that the graph is a feed-forward chain of
//! `Affine`/`Linear` + `LIF` layers the chip can hold and returns it as a [`FloatNet`];
//! [`import`] quantises that onto the chip's formats, with a report of what moved.
//!
//! The graph the chip takes: one `Input` of pixels (and, for supervised networks, one `Input`
//! named `"label"`), hidden LIF layers in a chain, each fed through one `Affine` or `Linear`
//! by the previous layer (the pixels for the first) and optionally by the label input, then a
//! classifier LIF fed by any of the hidden layers (and optionally the pixels), and one
//! `Output` after it. Anything else is refused, naming the node.

use std::collections::{BTreeMap, BTreeSet};

use spikeforge_sim::config::{LayerConfig, NetworkConfig};
use spikeforge_sim::network::Learned;
use spikeforge_sim::rules::weight_max;

use super::{shape_text, Array, Graph, NirError};

/// Where a projection's spikes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The pixel input.
    Pixels,
    /// The label input.
    Labels,
    /// Hidden layer `l`.
    Hidden(usize),
}

/// One `Affine` or `Linear` node into a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The node's name.
    pub node: String,
    /// Where its input comes from.
    pub source: Source,
    /// Input width.
    pub inputs: usize,
    /// `(size, inputs)` row-major: `weight[n * inputs + i]`.
    pub weight: Vec<f64>,
}

/// One LIF layer of the graph, parameters broadcast to the layer's size.
#[derive(Debug, Clone, PartialEq)]
pub struct FloatLayer {
    /// The LIF node's name.
    pub node: String,
    /// Neurons.
    pub size: usize,
    /// Time constant of each neuron, seconds.
    pub tau: Vec<f64>,
    /// Resistance of each neuron.
    pub r: Vec<f64>,
    /// Firing threshold of each neuron.
    pub v_threshold: Vec<f64>,
    /// The weights into the layer.
    pub projections: Vec<Projection>,
}

/// A graph the chip can hold, in the graph's own (float) units.
#[derive(Debug, Clone, PartialEq)]
pub struct FloatNet {
    /// Pixels.
    pub inputs: usize,
    /// The label input's width (0 without one).
    pub label_inputs: usize,
    /// Hidden layers, input side first.
    pub hidden: Vec<FloatLayer>,
    /// The layer before the `Output`.
    pub classifier: FloatLayer,
}

const KINDS: &str = "Input, Affine, Linear, LIF and Output";

/// Check `graph` and return it as layers; `notes` gains a line for each parameter broadcast
/// from a scalar.
pub fn parse(graph: &Graph, notes: &mut Vec<String>) -> Result<FloatNet, NirError> {
    let node_err = |name: &str, reason: String| NirError::node(graph, name, reason);
    for (from, to) in &graph.edges {
        for end in [from, to] {
            if !graph.nodes.contains_key(end) {
                return Err(NirError::Graph(format!(
                    "edge {from:?} -> {to:?}: there is no node {end:?}"
                )));
            }
        }
    }
    for (name, node) in &graph.nodes {
        if !["Input", "Affine", "Linear", "LIF", "Output"].contains(&node.kind.as_str()) {
            return Err(node_err(name, format!("the chip takes only {KINDS} nodes")));
        }
    }
    check_acyclic(graph)?;
    let mut sources: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut targets: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in &graph.edges {
        targets.entry(from).or_default().push(to);
        sources.entry(to).or_default().push(from);
    }
    let ins = |name: &str| sources.get(name).cloned().unwrap_or_default();
    let outs = |name: &str| targets.get(name).cloned().unwrap_or_default();
    let kind = |name: &str| graph.nodes[name].kind.as_str();

    // Inputs: the pixels, and a label input named "label".
    let inputs: Vec<&str> = names_of(graph, "Input");
    let (pixels, labels) = match inputs.as_slice() {
        [] => return Err(NirError::Graph("no Input node".into())),
        [one] if *one == "label" => {
            return Err(NirError::Graph(
                "the only Input is \"label\"; the pixels need an Input of their own".into(),
            ))
        }
        [one] => (*one, None),
        [a, b] if *a == "label" || *b == "label" => {
            if *a == "label" {
                (*b, Some(*a))
            } else {
                (*a, Some(*b))
            }
        }
        more => {
            return Err(NirError::Graph(format!(
                "Input nodes {more:?}: the chip takes one of pixels and one named \"label\""
            )))
        }
    };
    let input_width = |name: &str| -> Result<usize, NirError> {
        let shape = param(graph, name, "shape")?;
        match shape.data.as_slice() {
            [n] if shape.shape.len() == 1 && *n >= 1.0 && n.fract() == 0.0 => Ok(*n as usize),
            _ => Err(node_err(
                name,
                format!(
                    "shape {}: the chip takes a flat input of shape (n,)",
                    shape_text(&shape.data.iter().map(|&d| d as usize).collect::<Vec<_>>())
                ),
            )),
        }
    };
    let pixel_width = input_width(pixels)?;
    let label_width = labels.map(input_width).transpose()?.unwrap_or(0);

    // The classifier: the LIF before the one Output.
    let outputs = names_of(graph, "Output");
    let output = match outputs.as_slice() {
        [one] => *one,
        [] => return Err(NirError::Graph("no Output node".into())),
        more => {
            return Err(NirError::Graph(format!(
                "Output nodes {more:?}: the chip has one output, its classifier"
            )))
        }
    };
    let classifier = match ins(output).as_slice() {
        [one] if kind(one) == "LIF" => *one,
        found => {
            return Err(node_err(
                output,
                format!("fed by {found:?}; the chip's output is one LIF layer's spikes"),
            ))
        }
    };
    if let Some(extra) = outs(output).first() {
        return Err(node_err(
            output,
            format!("feeds {extra:?}; an Output ends the graph"),
        ));
    }

    // Every LIF with its projections; sizes from the parameters.
    let lifs = names_of(graph, "LIF");
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for &lif in &lifs {
        sizes.insert(lif, lif_size(graph, lif, &ins(lif))?);
    }
    sizes.insert(pixels, pixel_width);
    if let Some(label) = labels {
        sizes.insert(label, label_width);
    }
    let output_shape = param(graph, output, "shape")?;
    let output_width: f64 = output_shape.data.iter().product();
    if output_width != sizes[classifier] as f64 {
        return Err(node_err(
            output,
            format!(
                "shape {} but its LIF {classifier:?} has {} neurons",
                shape_text(
                    &output_shape
                        .data
                        .iter()
                        .map(|&d| d as usize)
                        .collect::<Vec<_>>()
                ),
                sizes[classifier]
            ),
        ));
    }

    // Projections: one source, one LIF target, weights (size, inputs), no bias.
    let mut into: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for name in graph.nodes.keys() {
        let name = name.as_str();
        if !matches!(kind(name), "Affine" | "Linear") {
            continue;
        }
        let source = match ins(name).as_slice() {
            [one] if matches!(kind(one), "Input" | "LIF") => *one,
            found => {
                return Err(node_err(
                    name,
                    format!("fed by {found:?}; a projection takes one Input or LIF"),
                ))
            }
        };
        let target = match outs(name).as_slice() {
            [one] if kind(one) == "LIF" => *one,
            found => {
                return Err(node_err(
                    name,
                    format!("feeds {found:?}; a projection feeds one LIF"),
                ))
            }
        };
        into.entry(target).or_default().push((name, source));
    }
    for &lif in &lifs {
        for from in ins(lif) {
            if !matches!(kind(from), "Affine" | "Linear") {
                return Err(node_err(
                    lif,
                    format!(
                        "fed by {from:?} ({}) directly; the chip's layers take spikes through \
                         an Affine or Linear",
                        kind(from)
                    ),
                ));
            }
        }
        for to in outs(lif) {
            if !matches!(kind(to), "Affine" | "Linear" | "Output") {
                return Err(node_err(lif, format!("feeds {to:?} ({})", kind(to))));
            }
        }
    }
    for &input in inputs.iter() {
        for to in outs(input) {
            if !matches!(kind(to), "Affine" | "Linear") {
                return Err(node_err(
                    input,
                    format!("feeds {to:?} ({}) without weights", kind(to)),
                ));
            }
        }
    }

    // The hidden chain: each hidden LIF has one main projection, from the pixels or the
    // previous hidden layer.
    let hidden_names: BTreeSet<&str> = lifs.iter().copied().filter(|&l| l != classifier).collect();
    if hidden_names.is_empty() {
        return Err(NirError::Graph(format!(
            "one LIF layer ({classifier:?}): the chip needs a hidden layer before its classifier"
        )));
    }
    let mut main: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for &lif in &hidden_names {
        let projections = into.get(lif).cloned().unwrap_or_default();
        for &(proj, source) in &projections {
            if Some(source) == labels {
                continue;
            }
            if let Some((other, _)) = main.insert(lif, (proj, source)) {
                return Err(node_err(
                    proj,
                    format!(
                        "a second projection into {lif:?} (after {other:?}); a hidden layer \
                         takes one layer's spikes (and the label input)"
                    ),
                ));
            }
        }
        if !main.contains_key(lif) {
            return Err(node_err(lif, "no projection feeds it".into()));
        }
    }
    let mut chain: Vec<&str> = Vec::new();
    let mut prev = pixels;
    while let Some((&lif, _)) = main.iter().find(|(_, (_, source))| *source == prev) {
        if chain.contains(&lif) {
            break;
        }
        chain.push(lif);
        prev = lif;
    }
    for (&lif, &(proj, source)) in &main {
        if !chain.contains(&lif) {
            return Err(node_err(
                proj,
                format!(
                    "feeds hidden layer {lif:?} from {source:?}; the chip's hidden layers are \
                     a chain {pixels:?} -> {}",
                    chain.join(" -> ")
                ),
            ));
        }
    }
    // None for a node that is neither input nor in the hidden chain (the classifier).
    let source_of = |name: &str| -> Option<Source> {
        if name == pixels {
            Some(Source::Pixels)
        } else if Some(name) == labels {
            Some(Source::Labels)
        } else {
            chain.iter().position(|&l| l == name).map(Source::Hidden)
        }
    };

    let layer = |lif: &str, notes: &mut Vec<String>| -> Result<FloatLayer, NirError> {
        let size = sizes[lif];
        let mut projections = Vec::new();
        let mut seen = BTreeMap::new();
        for &(proj, from) in into.get(lif).map(Vec::as_slice).unwrap_or_default() {
            if let Some(other) = seen.insert(from, proj) {
                return Err(node_err(
                    proj,
                    format!("a second projection from {from:?} into {lif:?} (after {other:?})"),
                ));
            }
            let source = source_of(from).ok_or_else(|| {
                node_err(
                    proj,
                    format!(
                        "feeds {lif:?} from {from:?}; a projection takes the pixels, the label \
                         input or a hidden layer of the chain {pixels:?} -> {}",
                        chain.join(" -> ")
                    ),
                )
            })?;
            projections.push(projection(graph, proj, source, sizes[from], size)?);
        }
        check_zero(graph, lif, "v_leak", "the chip's membrane leaks toward 0")?;
        check_zero(graph, lif, "v_reset", "the chip resets a membrane to 0")?;
        Ok(FloatLayer {
            node: lif.to_string(),
            size,
            tau: lif_param(graph, lif, "tau", size, notes)?,
            r: lif_param(graph, lif, "r", size, notes)?,
            v_threshold: lif_param(graph, lif, "v_threshold", size, notes)?,
            projections,
        })
    };
    let hidden = chain
        .iter()
        .map(|&lif| layer(lif, notes))
        .collect::<Result<Vec<_>, _>>()?;
    let classifier = layer(classifier, notes)?;
    for p in &classifier.projections {
        if p.source == Source::Labels {
            return Err(node_err(
                &p.node,
                "feeds the label input to the classifier; the chip's classifier takes the \
                 pixels and the hidden layers"
                    .into(),
            ));
        }
    }
    Ok(FloatNet {
        inputs: pixel_width,
        label_inputs: label_width,
        hidden,
        classifier,
    })
}

/// Names of the nodes of type `kind`, sorted.
fn names_of<'g>(graph: &'g Graph, kind: &str) -> Vec<&'g str> {
    graph
        .nodes
        .iter()
        .filter(|(_, n)| n.kind == kind)
        .map(|(name, _)| name.as_str())
        .collect()
}

/// Refuse a graph with a cycle, naming the nodes on it.
fn check_acyclic(graph: &Graph) -> Result<(), NirError> {
    let mut indegree: BTreeMap<&str, usize> = graph.nodes.keys().map(|n| (n.as_str(), 0)).collect();
    for (_, to) in &graph.edges {
        *indegree.entry(to).or_default() += 1;
    }
    let mut ready: Vec<&str> = indegree
        .iter()
        .filter(|(_, &d)| d == 0)
        .map(|(&n, _)| n)
        .collect();
    while let Some(node) = ready.pop() {
        indegree.remove(node);
        for (from, to) in &graph.edges {
            if from == node {
                if let Some(d) = indegree.get_mut(to.as_str()) {
                    *d -= 1;
                    if *d == 0 {
                        ready.push(to);
                    }
                }
            }
        }
    }
    let Some(&start) = indegree.keys().next() else {
        return Ok(());
    };
    // Every node left has a predecessor that is left too: walk back until one repeats.
    let mut path = vec![start];
    loop {
        let last = path[path.len() - 1];
        let Some(pred) = graph
            .edges
            .iter()
            .find(|(from, to)| to == last && indegree.contains_key(from.as_str()))
            .map(|(from, _)| from.as_str())
        else {
            break;
        };
        if let Some(at) = path.iter().position(|&n| n == pred) {
            let mut cycle: Vec<&str> = path[at..].to_vec();
            cycle.reverse();
            cycle.push(cycle[0]);
            return Err(NirError::Graph(format!(
                "a cycle {}: the chip runs feed-forward graphs only",
                cycle.join(" -> ")
            )));
        }
        path.push(pred);
    }
    Err(NirError::Graph(format!(
        "a cycle through {start:?}: the chip runs feed-forward graphs only"
    )))
}

/// Parameter `name` of node `node`, or an error naming both.
fn param<'g>(graph: &'g Graph, node: &str, name: &str) -> Result<&'g Array, NirError> {
    graph.nodes[node]
        .params
        .get(name)
        .ok_or_else(|| NirError::node(graph, node, format!("no parameter {name:?}")))
}

/// The neurons of a LIF: the length of its 1-D parameters, or, if all are scalars, the output
/// width of the projections into it.
fn lif_size(graph: &Graph, lif: &str, sources: &[&str]) -> Result<usize, NirError> {
    let mut size: Option<(usize, &str)> = None;
    for name in ["tau", "r", "v_leak", "v_threshold", "v_reset"] {
        let Some(a) = graph.nodes[lif].params.get(name) else {
            if name == "v_reset" {
                continue;
            }
            return Err(NirError::node(graph, lif, format!("no parameter {name:?}")));
        };
        match a.shape.as_slice() {
            [] => {}
            [n] => match size {
                Some((m, first)) if m != *n => {
                    return Err(NirError::node(
                        graph,
                        lif,
                        format!("{name} has shape {} but {first} has ({m},)", a.shape_text()),
                    ))
                }
                _ => size = Some((*n, name)),
            },
            _ => {
                return Err(NirError::node(
                    graph,
                    lif,
                    format!(
                        "{name} has shape {}; a layer's parameters are 1-D",
                        a.shape_text()
                    ),
                ))
            }
        }
    }
    if let Some((n, _)) = size {
        return Ok(n);
    }
    // All scalars: the projections into it say how many neurons there are.
    sources
        .iter()
        .filter_map(|s| graph.nodes[*s].params.get("weight"))
        .find_map(|w| w.shape.first().copied())
        .ok_or_else(|| {
            NirError::node(
                graph,
                lif,
                "scalar parameters and no projection to give its size",
            )
        })
}

/// A LIF parameter as one value per neuron (a scalar broadcast, with a note).
fn lif_param(
    graph: &Graph,
    lif: &str,
    name: &str,
    size: usize,
    notes: &mut Vec<String>,
) -> Result<Vec<f64>, NirError> {
    let a = param(graph, lif, name)?;
    let values = if a.shape.is_empty() {
        notes.push(format!(
            "{lif:?}: {name} is a scalar, broadcast to its {size} neurons"
        ));
        vec![a.data[0]; size]
    } else {
        a.data.clone()
    };
    if let Some((n, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(NirError::node(
            graph,
            lif,
            format!("{name}[{n}] = {v} is not a finite number"),
        ));
    }
    Ok(values)
}

/// Refuse a LIF whose parameter `name` (optional; absent means 0) is not 0 everywhere.
fn check_zero(graph: &Graph, lif: &str, name: &str, why: &str) -> Result<(), NirError> {
    let Some(a) = graph.nodes[lif].params.get(name) else {
        return Ok(());
    };
    match a.data.iter().enumerate().find(|(_, &v)| v != 0.0) {
        Some((n, v)) => Err(NirError::node(
            graph,
            lif,
            format!("{name}[{n}] = {v}; {why}"),
        )),
        None => Ok(()),
    }
}

/// An `Affine`/`Linear` from a source of width `inputs` into `size` neurons.
fn projection(
    graph: &Graph,
    node: &str,
    source: Source,
    inputs: usize,
    size: usize,
) -> Result<Projection, NirError> {
    let weight = param(graph, node, "weight")?;
    if weight.shape != [size, inputs] {
        return Err(NirError::node(
            graph,
            node,
            format!(
                "weight has shape {}; its source has {inputs} outputs and its target {size} \
                 neurons, so ({size}, {inputs})",
                weight.shape_text()
            ),
        ));
    }
    if let Some(bias) = graph.nodes[node].params.get("bias") {
        if let Some((n, b)) = bias.data.iter().enumerate().find(|(_, &b)| b != 0.0) {
            return Err(NirError::node(
                graph,
                node,
                format!("bias[{n}] = {b}; the chip has no bias current (export with bias=False)"),
            ));
        }
    }
    if let Some((n, w)) = weight.data.iter().enumerate().find(|(_, w)| !w.is_finite()) {
        return Err(NirError::node(
            graph,
            node,
            format!("weight element {n} = {w} is not a finite number"),
        ));
    }
    Ok(Projection {
        node: node.to_string(),
        source,
        inputs,
        weight: weight.data.clone(),
    })
}

/// How to fit a graph onto the chip.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Name of the new network.
    pub name: String,
    /// Where everything NIR does not hold comes from: steps, negatives, seed, schedules and
    /// each layer's learning parameters (hidden layer `l` takes the template's layer
    /// `min(l, layers - 1)`).
    pub template: NetworkConfig,
    /// Weight width; the template's when `None`.
    pub weight_bits: Option<u8>,
    /// The graph's unit is each layer's threshold in the template (weights beyond the range
    /// clip), instead of a scale that uses the weight range.
    pub keep_thresholds: bool,
    /// Seconds per chip time step.
    pub dt: f64,
}

/// How one layer was quantised.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LayerReport {
    /// The LIF node.
    pub node: String,
    /// Weight LSB per unit of the graph.
    pub scale: f64,
    /// The chip's leak shift.
    pub leak_shift: u8,
    /// Largest relative difference between `dt * 2^leak_shift` and a neuron's `tau`.
    pub tau_error: f64,
    /// The chip's threshold.
    pub threshold: i16,
    /// The layer's threshold before rounding, weight LSB.
    pub threshold_exact: f64,
    /// The largest homeostatic threshold: a neuron's threshold above the layer's, weight LSB.
    pub homeostasis_max: u16,
    /// Weights of the layer (all projections).
    pub weights: usize,
    /// Weights beyond `-w_max..=w_max`, set to the bound.
    pub clipped: usize,
    /// Root-mean-square rounding error, in weight LSB.
    pub rms_error: f64,
    /// Largest error (rounding or clipping), in weight LSB.
    pub max_error: f64,
}

/// An imported network.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The network file.
    pub cfg: NetworkConfig,
    /// Its weights and homeostatic thresholds, hidden layers then classifier, as in a weights
    /// file.
    pub learned: Learned,
    /// One per layer, hidden first.
    pub layers: Vec<LayerReport>,
    /// What else moved or was assumed, one line each.
    pub notes: Vec<String>,
    /// The graph as parsed (for a float simulation of it).
    pub float: FloatNet,
}

/// Quantise `graph` onto the chip.
pub fn import(graph: &Graph, opts: &ImportOptions) -> Result<Imported, NirError> {
    if !(opts.dt.is_finite() && opts.dt > 0.0) {
        return Err(NirError::Options(format!(
            "--dt {}: the time step must be a positive number of seconds",
            opts.dt
        )));
    }
    let mut notes = Vec::new();
    let float = parse(graph, &mut notes)?;
    let template = &opts.template;
    let weight_bits = opts.weight_bits.unwrap_or(template.weight_bits);
    if !(2..=16).contains(&weight_bits) {
        return Err(NirError::Options(format!(
            "--weight-bits {weight_bits} is out of range 2..=16"
        )));
    }
    let w_max = weight_max(weight_bits);
    let supervised = template.label_inputs() > 0;
    let classes = float.classifier.size;
    match (supervised, float.label_inputs) {
        (false, 0) => {}
        (false, _) => {
            return Err(NirError::Options(format!(
                "the graph has a label Input \"label\" but template network {:?} is \
                 self-supervised (label inputs need negatives = \"supervised\")",
                template.name
            )))
        }
        (true, 0) => notes.push(format!(
            "template {:?} is supervised but the graph has no \"label\" Input: the label \
             weights start at 0",
            template.name
        )),
        (true, n) if n != classes => {
            return Err(NirError::node(
                graph,
                "label",
                format!("{n} label inputs; the classifier has {classes} classes"),
            ))
        }
        (true, _) => {}
    }
    let template_layer =
        |l: usize| -> &LayerConfig { &template.hidden[l.min(template.hidden.len() - 1)] };
    if float.hidden.len() > template.hidden.len() {
        notes.push(format!(
            "template {:?} has {} hidden layers; layers {}..{} take the learning parameters of \
             its last",
            template.name,
            template.hidden.len(),
            template.hidden.len(),
            float.hidden.len() - 1
        ));
    }

    let mut layers = Vec::new();
    let mut hidden = Vec::new();
    let mut matrices = Vec::new();
    let mut homeostasis = Vec::new();
    let mut prev = float.inputs;
    for (l, layer) in float.hidden.iter().enumerate() {
        let base = template_layer(l);
        let q = quantise(graph, layer, base, opts, w_max, &mut notes)?;
        let rows = prev + template.label_inputs();
        let mut w = vec![0i16; rows * layer.size];
        for (p, values) in layer.projections.iter().zip(&q.weights) {
            let offset = match p.source {
                Source::Labels => prev,
                _ => 0,
            };
            scatter(&mut w, values, layer.size, p.inputs, offset);
        }
        matrices.push(w);
        homeostasis.push(q.homeostasis);
        hidden.push(LayerConfig {
            size: layer.size,
            leak_shift: q.report.leak_shift,
            threshold: q.report.threshold,
            init_range: base.init_range.min(w_max),
            ..base.clone()
        });
        layers.push(q.report);
        prev = layer.size;
    }
    let classifier_sees_input = float
        .classifier
        .projections
        .iter()
        .any(|p| p.source == Source::Pixels);
    let q = quantise(
        graph,
        &float.classifier,
        &template.classifier,
        opts,
        w_max,
        &mut notes,
    )?;
    let offset = if classifier_sees_input {
        float.inputs
    } else {
        0
    };
    let rows = offset + float.hidden.iter().map(|l| l.size).sum::<usize>();
    let mut c = vec![0i16; rows * classes];
    for (p, values) in float.classifier.projections.iter().zip(&q.weights) {
        let at = match p.source {
            Source::Pixels => 0,
            Source::Hidden(l) => offset + float.hidden[..l].iter().map(|h| h.size).sum::<usize>(),
            Source::Labels => unreachable!("parse refuses label inputs into the classifier"),
        };
        scatter(&mut c, values, classes, p.inputs, at);
    }
    for (l, h) in float.hidden.iter().enumerate() {
        if !float
            .classifier
            .projections
            .iter()
            .any(|p| p.source == Source::Hidden(l))
        {
            notes.push(format!(
                "{:?} does not feed the classifier: its classifier weights are 0",
                h.node
            ));
        }
    }
    matrices.push(c);
    homeostasis.push(q.homeostasis);
    layers.push(q.report);

    let cfg = NetworkConfig {
        name: opts.name.clone(),
        inputs: float.inputs,
        classes,
        weight_bits,
        classifier_sees_input,
        hidden,
        classifier: LayerConfig {
            size: classes,
            leak_shift: layers[layers.len() - 1].leak_shift,
            threshold: layers[layers.len() - 1].threshold,
            init_range: template.classifier.init_range.min(w_max),
            ..template.classifier.clone()
        },
        ..template.clone()
    };
    for (layer, base) in cfg.hidden.iter().chain([&cfg.classifier]).zip(
        (0..float.hidden.len())
            .map(template_layer)
            .chain([&template.classifier]),
    ) {
        if base.init_range > w_max {
            notes.push(format!(
                "the template's init_range {} is beyond {weight_bits}-bit weights: {}",
                base.init_range, layer.init_range
            ));
        }
        if layer.refractory > 0 {
            notes.push(format!(
                "refractory = {} steps from the template: NIR's LIF has none",
                layer.refractory
            ));
        }
    }
    // The config the chip takes: what the validator accepts, read back as a file would be.
    let cfg = NetworkConfig::from_toml_str(&cfg.to_toml(), "the imported network")
        .map_err(|e| NirError::Options(e.to_string()))?;
    Ok(Imported {
        cfg,
        learned: Learned {
            weights: matrices,
            homeostasis,
        },
        layers,
        notes,
        float,
    })
}

/// Write a projection's `(size, inputs)` weights into rows `offset..offset + inputs` of a
/// row-major `(rows, size)` matrix.
fn scatter(w: &mut [i16], values: &[i16], size: usize, inputs: usize, offset: usize) {
    for n in 0..size {
        for i in 0..inputs {
            w[(offset + i) * size + n] = values[n * inputs + i];
        }
    }
}

struct Quantised {
    report: LayerReport,
    /// Each neuron's homeostatic threshold.
    homeostasis: Vec<u16>,
    /// One per projection, `(size, inputs)` row-major.
    weights: Vec<Vec<i16>>,
}

/// One layer onto the chip's formats.
fn quantise(
    graph: &Graph,
    layer: &FloatLayer,
    template: &LayerConfig,
    opts: &ImportOptions,
    w_max: i16,
    notes: &mut Vec<String>,
) -> Result<Quantised, NirError> {
    let lif = layer.node.as_str();
    let err = |reason: String| NirError::node(graph, lif, reason);
    if let Some((n, t)) = layer.tau.iter().enumerate().find(|(_, &t)| t <= 0.0) {
        return Err(err(format!("tau[{n}] = {t}; a time constant is positive")));
    }
    if let Some((n, v)) = layer.v_threshold.iter().enumerate().find(|(_, &v)| v < 0.0) {
        return Err(err(format!(
            "v_threshold[{n}] = {v}; the chip's thresholds are 0 or more"
        )));
    }
    let n = layer.size as f64;
    let mean_tau = layer.tau.iter().sum::<f64>() / n;
    let shift = (mean_tau / opts.dt).log2().round().clamp(0.0, 15.0);
    let leak_shift = shift as u8;
    let chip_tau = opts.dt * f64::from(1u32 << leak_shift);
    let tau_error = layer
        .tau
        .iter()
        .map(|t| (chip_tau - t).abs() / t)
        .fold(0.0, f64::max);
    if tau_error > 1e-6 {
        notes.push(format!(
            "{lif:?}: tau {} s -> dt * 2^{leak_shift} = {chip_tau} s (largest error {:.1} %)",
            mean_tau,
            100.0 * tau_error
        ));
    }
    // The chip adds the whole current j with weight 2^-leak_shift; NIR adds dt/tau * r * I.
    let gain: Vec<f64> = layer
        .tau
        .iter()
        .zip(&layer.r)
        .map(|(t, r)| r * opts.dt / t * f64::from(1u32 << leak_shift))
        .collect();
    let effective: Vec<Vec<f64>> = layer
        .projections
        .iter()
        .map(|p| {
            p.weight
                .iter()
                .enumerate()
                .map(|(k, w)| w * gain[k / p.inputs])
                .collect()
        })
        .collect();
    // The layer's threshold is its lowest neuron's; each neuron's excess is its homeostatic
    // threshold h_n (the chip fires against theta + h_n).
    let base = layer
        .v_threshold
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let largest = effective
        .iter()
        .flatten()
        .fold(0.0f64, |m, w| m.max(w.abs()));
    let mut scale = if opts.keep_thresholds {
        // The graph's unit is the template's threshold (one weight LSB for a threshold of 0).
        f64::from(template.threshold.max(1))
    } else if largest > 0.0 {
        f64::from(w_max) / largest
    } else if base > 0.0 {
        f64::from(template.threshold) / base
    } else {
        1.0
    };
    let threshold = if opts.keep_thresholds {
        template.threshold
    } else {
        if base * scale > f64::from(i16::MAX) {
            let lower = f64::from(i16::MAX) / base;
            notes.push(format!(
                "{lif:?}: the threshold {base} at {scale} LSB per unit is beyond 32767; scale \
                 lowered to {lower}"
            ));
            scale = lower;
        }
        (base * scale).round() as i16
    };
    let homeostasis = layer
        .v_threshold
        .iter()
        .enumerate()
        .map(|(n, v)| {
            let h = (v * scale).round() - f64::from(threshold);
            if (0.0..=f64::from(u16::MAX)).contains(&h) {
                Ok(h as u16)
            } else if h < 0.0 {
                Err(err(format!(
                    "v_threshold[{n}] = {v} is below the template's threshold (1 unit with \
                     --keep-thresholds): leave the option out to scale the layer"
                )))
            } else {
                Err(err(format!(
                    "v_threshold[{n}] = {v} is {h} LSB above the layer's threshold; the chip \
                     holds up to 65535"
                )))
            }
        })
        .collect::<Result<Vec<u16>, _>>()?;
    let homeostasis_max = homeostasis.iter().copied().max().unwrap_or(0);
    if homeostasis_max > template.homeostasis_max {
        notes.push(format!(
            "{lif:?}: neuron thresholds reach {homeostasis_max} LSB above the layer's, held as \
             homeostatic thresholds; the template's homeostasis_max = {} clamps them at the \
             first CSDP learning step",
            template.homeostasis_max
        ));
    }
    let kept_in_lsb = template.homeostasis_step > 0 || template.adapt_step > 0;
    if threshold != template.threshold && kept_in_lsb {
        notes.push(format!(
            "{lif:?}: threshold {threshold} where the template has {}; its homeostasis and \
             adaptive-threshold settings (in weight LSB) are kept as they are \
             (--keep-thresholds keeps the template's threshold)",
            template.threshold
        ));
    }
    let (mut clipped, mut sum_sq, mut max_error, mut count) = (0usize, 0.0f64, 0.0f64, 0usize);
    let weights = effective
        .iter()
        .map(|ws| {
            ws.iter()
                .map(|w| {
                    let exact = w * scale;
                    let rounded = exact.round();
                    let q = rounded.clamp(-f64::from(w_max), f64::from(w_max));
                    if q != rounded {
                        clipped += 1;
                    }
                    let e = q - exact;
                    sum_sq += e * e;
                    max_error = max_error.max(e.abs());
                    count += 1;
                    q as i16
                })
                .collect()
        })
        .collect();
    Ok(Quantised {
        report: LayerReport {
            node: lif.to_string(),
            scale,
            leak_shift,
            tau_error,
            threshold,
            threshold_exact: base * scale,
            homeostasis_max,
            weights: count,
            clipped,
            rms_error: if count > 0 {
                (sum_sq / count as f64).sqrt()
            } else {
                0.0
            },
            max_error,
        },
        homeostasis,
        weights,
    })
}
