//! NIR files: a [`Graph`] in HDF5, laid out as `nir.write` lays it out (NIR 1.0):
//!
//! | path | content |
//! |---|---|
//! | `/version` | variable-length UTF-8 string, `"1.0.8"` |
//! | `/node/type` | `"NIRGraph"` |
//! | `/node/nodes/NAME/type` | the node's type, `"Affine"`, `"LIF"`, ... |
//! | `/node/nodes/NAME/PARAM` | each parameter, an array of its shape (gzip, as `nir.write`) |
//! | `/node/edges` | `(E, 2)` variable-length UTF-8 strings, source then target |
//!
//! Reading takes the parameters of the node types the chip maps (`Input`, `Output`, `Affine`,
//! `Linear`, `LIF`); any other node is kept with its type only, for the import to refuse by
//! name. Sub-groups of a node (`metadata`) are skipped.

use std::path::Path;
use std::str::FromStr;

use hdf5::types::{FloatSize, TypeDescriptor, VarLenAscii, VarLenUnicode};

use super::{Array, DType, Graph, NirError, Node, NIR_VERSION};

/// The largest parameter read, in elements: a bound on what a file can make us allocate
/// (a 4096 x 4096 layer is 16 M).
pub const MAX_ELEMENTS: usize = 1 << 26;

/// Node types whose parameters are read.
const MAPPED: [&str; 5] = ["Input", "Output", "Affine", "Linear", "LIF"];

fn file_error(path: &Path, reason: impl std::fmt::Display) -> NirError {
    NirError::File {
        path: path.display().to_string(),
        reason: one_line(reason),
    }
}

/// HDF5's messages can span lines; ours are one.
fn one_line(text: impl std::fmt::Display) -> String {
    text.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Write `graph` to `path` (through a temporary file beside it, renamed at the end: an
/// existing file is replaced only by a whole new one).
pub fn write(path: &Path, graph: &Graph) -> Result<(), NirError> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".part");
    let temp = Path::new(&temp);
    let result = write_to(temp, graph).and_then(|()| {
        std::fs::rename(temp, path).map_err(|e| file_error(path, format!("cannot write: {e}")))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(temp);
    }
    result
}

fn write_to(path: &Path, graph: &Graph) -> Result<(), NirError> {
    let err = |what: &str, e: hdf5::Error| file_error(path, format!("cannot write {what}: {e}"));
    let file = hdf5::File::create(path).map_err(|e| err("the file", e))?;
    write_string(&file, "version", NIR_VERSION).map_err(|e| err("/version", e))?;
    let root = file.create_group("node").map_err(|e| err("/node", e))?;
    write_string(&root, "type", "NIRGraph").map_err(|e| err("/node/type", e))?;
    let nodes = root
        .create_group("nodes")
        .map_err(|e| err("/node/nodes", e))?;
    for (name, node) in &graph.nodes {
        let at = format!("/node/nodes/{name}");
        let group = nodes.create_group(name).map_err(|e| err(&at, e))?;
        write_string(&group, "type", &node.kind).map_err(|e| err(&at, e))?;
        for (param, array) in &node.params {
            write_array(&group, param, array).map_err(|e| err(&format!("{at}/{param}"), e))?;
        }
    }
    let edges = graph
        .edges
        .iter()
        .flat_map(|(a, b)| [a, b])
        .map(|s| VarLenUnicode::from_str(s).map_err(|e| file_error(path, e)))
        .collect::<Result<Vec<_>, _>>()?;
    root.new_dataset::<VarLenUnicode>()
        .shape((graph.edges.len(), 2))
        .create("edges")
        .and_then(|d| d.write_raw(&edges))
        .map_err(|e| err("/node/edges", e))?;
    file.close().map_err(|e| err("the file", e))
}

fn write_string(group: &hdf5::Group, name: &str, value: &str) -> hdf5::Result<()> {
    let value = VarLenUnicode::from_str(value).map_err(|e| hdf5::Error::from(e.to_string()))?;
    group
        .new_dataset::<VarLenUnicode>()
        .shape(())
        .create(name)?
        .write_scalar(&value)
}

fn write_array(group: &hdf5::Group, name: &str, array: &Array) -> hdf5::Result<()> {
    fn put<T: hdf5::H5Type + Copy>(
        group: &hdf5::Group,
        name: &str,
        shape: &[usize],
        data: &[T],
    ) -> hdf5::Result<()> {
        let builder = group.new_dataset::<T>();
        // gzip like nir.write; HDF5 compresses chunked arrays only.
        let builder = if shape.is_empty() || data.is_empty() {
            builder
        } else {
            builder.deflate(4)
        };
        let dataset = builder.shape(shape).create(name)?;
        dataset.write_raw(data)
    }
    let shape = array.shape.as_slice();
    match array.dtype {
        DType::F32 => {
            let data: Vec<f32> = array.data.iter().map(|&x| x as f32).collect();
            put(group, name, shape, &data)
        }
        DType::F64 => put(group, name, shape, &array.data),
        DType::I64 => {
            let data: Vec<i64> = array.data.iter().map(|&x| x as i64).collect();
            put(group, name, shape, &data)
        }
    }
}

/// Read the graph of the NIR file `path`.
pub fn read(path: &Path) -> Result<Graph, NirError> {
    let meta =
        std::fs::metadata(path).map_err(|e| file_error(path, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(file_error(path, "not a regular file"));
    }
    let file = hdf5::File::open(path)
        .map_err(|e| file_error(path, format!("cannot be read as HDF5 ({e})")))?;
    let not_nir = |what: String| file_error(path, format!("not a NIR graph: {what}"));
    let root = file
        .group("node")
        .map_err(|e| not_nir(format!("no group /node ({e})")))?;
    let kind = read_string(&root, "type").map_err(|e| not_nir(format!("/node/type: {e}")))?;
    if kind != "NIRGraph" {
        return Err(not_nir(format!("/node/type is {kind:?}, not \"NIRGraph\"")));
    }
    let nodes = root
        .group("nodes")
        .map_err(|e| not_nir(format!("no group /node/nodes ({e})")))?;
    let mut graph = Graph::default();
    let names = nodes
        .member_names()
        .map_err(|e| not_nir(format!("/node/nodes: {e}")))?;
    for name in names {
        let at = format!("/node/nodes/{name}");
        let group = nodes
            .group(&name)
            .map_err(|e| not_nir(format!("{at} is not a group ({e})")))?;
        let kind = read_string(&group, "type").map_err(|e| not_nir(format!("{at}/type: {e}")))?;
        let mut node = Node {
            kind,
            params: Default::default(),
        };
        if MAPPED.contains(&node.kind.as_str()) {
            for param in group
                .member_names()
                .map_err(|e| not_nir(format!("{at}: {e}")))?
            {
                if param == "type" {
                    continue;
                }
                let Ok(dataset) = group.dataset(&param) else {
                    continue; // a sub-group: metadata
                };
                let array = read_array(&dataset).map_err(|reason| NirError::Node {
                    node: name.clone(),
                    kind: node.kind.clone(),
                    reason: format!("{param}: {reason}"),
                })?;
                node.params.insert(param, array);
            }
        }
        graph.nodes.insert(name, node);
    }
    graph.edges = read_edges(&root).map_err(|e| not_nir(format!("/node/edges: {e}")))?;
    Ok(graph)
}

/// A scalar string dataset (variable-length, as h5py writes strings).
fn read_string(group: &hdf5::Group, name: &str) -> Result<String, String> {
    let dataset = group.dataset(name).map_err(one_line)?;
    let descriptor = dataset
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(one_line)?;
    if !dataset.shape().is_empty() {
        return Err(format!(
            "shape {}, not a scalar",
            super::shape_text(&dataset.shape())
        ));
    }
    match descriptor {
        TypeDescriptor::VarLenUnicode => dataset
            .read_scalar::<VarLenUnicode>()
            .map(|s| s.as_str().to_string()),
        TypeDescriptor::VarLenAscii => dataset
            .read_scalar::<VarLenAscii>()
            .map(|s| s.as_str().to_string()),
        other => return Err(format!("{other}, not a variable-length string")),
    }
    .map_err(one_line)
}

/// The edges: an `(E, 2)` dataset of strings (an empty graph's may be an empty array).
fn read_edges(root: &hdf5::Group) -> Result<Vec<(String, String)>, String> {
    let dataset = root.dataset("edges").map_err(one_line)?;
    let shape = dataset.shape();
    if shape.iter().product::<usize>() == 0 {
        return Ok(Vec::new());
    }
    if shape.len() != 2 || shape[1] != 2 {
        return Err(format!(
            "shape {}, not (edges, 2)",
            super::shape_text(&shape)
        ));
    }
    if shape[0] > MAX_ELEMENTS {
        return Err(format!("{} edges, more than {MAX_ELEMENTS}", shape[0]));
    }
    let descriptor = dataset
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(one_line)?;
    let names: Vec<String> = match descriptor {
        TypeDescriptor::VarLenUnicode => dataset
            .read_raw::<VarLenUnicode>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        TypeDescriptor::VarLenAscii => dataset
            .read_raw::<VarLenAscii>()
            .map(|v| v.iter().map(|s| s.as_str().to_string()).collect()),
        other => return Err(format!("{other}, not variable-length strings")),
    }
    .map_err(one_line)?;
    Ok(names
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect())
}

/// A numeric dataset as an [`Array`].
fn read_array(dataset: &hdf5::Dataset) -> Result<Array, String> {
    let descriptor = dataset
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(one_line)?;
    let dtype = match descriptor {
        TypeDescriptor::Float(FloatSize::U4) => DType::F32,
        TypeDescriptor::Float(_) => DType::F64,
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Boolean => {
            DType::I64
        }
        other => return Err(format!("{other}, not a number array")),
    };
    let shape = dataset.shape();
    let elements = shape.iter().product::<usize>();
    if elements > MAX_ELEMENTS {
        return Err(format!(
            "shape {} ({elements} elements), more than {MAX_ELEMENTS}",
            super::shape_text(&shape)
        ));
    }
    let data = match descriptor {
        TypeDescriptor::Boolean => dataset
            .read_raw::<bool>()
            .map(|v| v.into_iter().map(|b| f64::from(u8::from(b))).collect()),
        _ => dataset.read_raw::<f64>(),
    }
    .map_err(one_line)?;
    Ok(Array { shape, data, dtype })
}
