//! NIR, the Neuromorphic Intermediate Representation (`nir` 1.0 on PyPI): a trained network
//! leaves the chip as a NIR graph ([`export`]) and a graph trained elsewhere becomes a network
//! file and weights the chip loads and trains further ([`import`]). `docs/nir.md` states the
//! mapping and its approximations.
//!
//! [`Graph`] is the graph as a NIR file holds it: nodes by name, each with its type and its
//! parameters as arrays, and the edges. Module `file` reads and writes it as HDF5 in the layout
//! of `nir.write` (feature `nir`, through the system's HDF5 library); the rest is plain Rust
//! and works without it.

use std::collections::BTreeMap;

pub mod export;
#[cfg(feature = "nir")]
pub mod file;
pub mod import;
pub mod simulate;
#[cfg(test)]
mod tests;

/// The NIR version written into exported files.
pub const NIR_VERSION: &str = "1.0.8";

/// The default time step of the physical units, in seconds: a chip step is `dt`.
pub const DEFAULT_DT: f64 = 1e-3;

/// The element type an array is stored with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// 32-bit float (weights and neuron parameters, as PyTorch-based tools use them).
    F32,
    /// 64-bit float.
    F64,
    /// 64-bit signed integer (shapes).
    I64,
}

/// A parameter: its shape (empty for a scalar) and its elements in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// Dimensions; `[]` for a scalar.
    pub shape: Vec<usize>,
    /// `shape.iter().product()` elements, row-major.
    pub data: Vec<f64>,
    /// How the array is stored in a file.
    pub dtype: DType,
}

impl Array {
    /// A 1-D array.
    pub fn vector(data: Vec<f64>, dtype: DType) -> Self {
        Self {
            shape: vec![data.len()],
            data,
            dtype,
        }
    }

    /// A 1-D array of `n` copies of `value`.
    pub fn filled(n: usize, value: f64, dtype: DType) -> Self {
        Self::vector(vec![value; n], dtype)
    }

    /// A `rows x cols` matrix from row-major elements.
    pub fn matrix(rows: usize, cols: usize, data: Vec<f64>, dtype: DType) -> Self {
        debug_assert_eq!(data.len(), rows * cols);
        Self {
            shape: vec![rows, cols],
            data,
            dtype,
        }
    }

    /// The shape as NIR prints it: `(3, 4)`, `()` for a scalar.
    pub fn shape_text(&self) -> String {
        shape_text(&self.shape)
    }
}

/// A shape as NIR prints it: `(3, 4)`, `(5,)`, `()`.
pub fn shape_text(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// One node of a graph: its NIR type (`"Input"`, `"Affine"`, `"LIF"`, ...) and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The NIR type name.
    pub kind: String,
    /// Parameters by name (`weight`, `tau`, `shape`, ...). Nodes of a type this crate does not
    /// map keep none: they are only named in errors.
    pub params: BTreeMap<String, Array>,
}

impl Node {
    /// A node of type `kind` with `params`.
    pub fn new(kind: &str, params: impl IntoIterator<Item = (&'static str, Array)>) -> Self {
        Self {
            kind: kind.to_string(),
            params: params
                .into_iter()
                .map(|(name, array)| (name.to_string(), array))
                .collect(),
        }
    }
}

/// A NIR graph: named nodes and directed edges between them (a node's inputs are summed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    /// Nodes by name.
    pub nodes: BTreeMap<String, Node>,
    /// `(source, target)` pairs.
    pub edges: Vec<(String, String)>,
}

impl Graph {
    /// Add a node.
    pub fn node(&mut self, name: &str, node: Node) {
        self.nodes.insert(name.to_string(), node);
    }

    /// Add an edge.
    pub fn edge(&mut self, from: &str, to: &str) {
        self.edges.push((from.to_string(), to.to_string()));
    }
}

/// Why a NIR graph or file cannot be used. Every message is one line naming the file or the
/// node.
#[derive(Debug, thiserror::Error)]
pub enum NirError {
    /// The file cannot be read or written, or is not a NIR file.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A node the chip cannot take, or a node that does not fit its neighbours.
    #[error("node {node:?} ({kind}): {reason}")]
    Node {
        /// The node's name.
        node: String,
        /// Its NIR type.
        kind: String,
        /// What is wrong.
        reason: String,
    },
    /// The graph as a whole (no output, a cycle, ...).
    #[error("graph: {0}")]
    Graph(String),
    /// The template network or an option does not fit the graph.
    #[error("{0}")]
    Options(String),
}

impl NirError {
    /// A node error for `name` of `graph`.
    pub(crate) fn node(graph: &Graph, name: &str, reason: impl Into<String>) -> Self {
        NirError::Node {
            node: name.to_string(),
            kind: graph
                .nodes
                .get(name)
                .map_or_else(|| "missing".to_string(), |n| n.kind.clone()),
            reason: reason.into(),
        }
    }
}
