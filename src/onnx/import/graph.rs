//! The graph as the importer reads it: opsets checked, nodes in topological order, and
//! attributes and tensors read with their sizes checked against the bytes really there.
//!
//! Nothing here allocates by a size a file declares: a tensor's element count is the
//! product of its dims computed with checked arithmetic and compared with the data it
//! carries, so a file that declares a 2 GB tensor in a few bytes is refused before any
//! buffer of that size exists.

use std::collections::HashMap;

use super::ImportError;
use crate::onnx::proto::{self, tensor_proto::DataType, AttributeProto, NodeProto, TensorProto};

/// The opset versions of the default domain this importer reads (those skl2onnx and
/// onnxmltools write today, and the versions before them).
pub(super) const DEFAULT_OPSETS: std::ops::RangeInclusive<i64> = 1..=23;
/// The opset versions of `ai.onnx.ml` this importer reads.
pub(super) const ML_OPSETS: std::ops::RangeInclusive<i64> = 1..=5;

/// The most nodes a graph may have (a 100-tree forest is one node; an MLP a few dozen).
pub(super) const MAX_NODES: usize = 10_000;

/// A node, its domain normalised (`""` for the default domain, `ai.onnx.ml`).
pub(super) struct Node<'a> {
    pub(super) proto: &'a NodeProto,
    pub(super) op: &'a str,
    pub(super) domain: &'a str,
    /// The node's name, or a name made from its position when it has none.
    pub(super) name: String,
}

impl Node<'_> {
    /// The `i`-th input's value name (`None` when absent or empty: an optional input).
    pub(super) fn input(&self, i: usize) -> Option<&str> {
        self.proto
            .input
            .get(i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    fn attribute(&self, name: &str) -> Option<&AttributeProto> {
        self.proto
            .attribute
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
    }

    /// An error about this node.
    pub(super) fn bad(&self, what: impl Into<String>) -> ImportError {
        ImportError::Node {
            op: self.op.to_owned(),
            node: self.name.clone(),
            what: what.into(),
        }
    }

    /// An integer attribute, or `default`.
    pub(super) fn int(&self, name: &str, default: i64) -> i64 {
        self.attribute(name).and_then(|a| a.i).unwrap_or(default)
    }

    /// A float attribute, or `default`.
    pub(super) fn float(&self, name: &str, default: f32) -> f32 {
        self.attribute(name).and_then(|a| a.f).unwrap_or(default)
    }

    /// A string attribute, or `default`.
    pub(super) fn string(&self, name: &str, default: &str) -> Result<String, ImportError> {
        match self.attribute(name).and_then(|a| a.s.as_ref()) {
            Some(s) => String::from_utf8(s.clone())
                .map_err(|_| self.bad(format!("attribute {name} is not UTF-8 text"))),
            None => Ok(default.to_owned()),
        }
    }

    /// A float-list attribute as f64s (each f32 kept exactly); empty when absent. A
    /// tensor-valued attribute (`coefficients_as_tensor`) is read too.
    pub(super) fn floats(&self, name: &str) -> Result<Vec<f64>, ImportError> {
        if let Some(a) = self.attribute(name) {
            if let Some(t) = a.t.as_ref() {
                // a tensor-valued attribute (TreeEnsemble's nodes_splits, leaf_weights, nodes_modes)
                return Ok(tensor(t, &self.name)?.numbers(&self.name)?.to_vec());
            }
            return Ok(a.floats.iter().map(|&f| f64::from(f)).collect());
        }
        match self
            .attribute(&format!("{name}_as_tensor"))
            .and_then(|a| a.t.as_ref())
        {
            Some(t) => Ok(tensor(t, &self.name)?.numbers(&self.name)?.to_vec()),
            None => Ok(Vec::new()),
        }
    }

    /// An int-list attribute; empty when absent.
    pub(super) fn ints(&self, name: &str) -> &[i64] {
        self.attribute(name).map_or(&[], |a| &a.ints[..])
    }

    /// A string-list attribute; empty when absent.
    pub(super) fn strings(&self, name: &str) -> Result<Vec<String>, ImportError> {
        self.attribute(name).map_or(Ok(Vec::new()), |a| {
            a.strings
                .iter()
                .map(|s| {
                    String::from_utf8(s.clone()).map_err(|_| {
                        self.bad(format!("attribute {name} holds text that is not UTF-8"))
                    })
                })
                .collect()
        })
    }

    /// A tensor attribute (Constant's `value`).
    pub(super) fn tensor_attribute(&self, name: &str) -> Option<&TensorProto> {
        self.attribute(name).and_then(|a| a.t.as_ref())
    }
}

/// A constant tensor's values.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Values {
    /// Floats, doubles and integers, as f64 (f32s and integers below 2^53 exactly).
    Numbers(Vec<f64>),
    /// Text.
    Strings(Vec<String>),
}

/// A constant tensor: an initializer or a Constant node's value.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Tensor {
    pub(super) dims: Vec<usize>,
    pub(super) values: Values,
}

impl Tensor {
    /// The numbers, or an error naming `node`.
    pub(super) fn numbers(&self, node: &str) -> Result<&[f64], ImportError> {
        match &self.values {
            Values::Numbers(v) => Ok(v),
            Values::Strings(_) => Err(ImportError::Graph(format!(
                "node {node:?} reads a text tensor where it needs numbers"
            ))),
        }
    }
}

/// Reads a tensor, checking that its data holds exactly the elements its dims declare.
pub(super) fn tensor(t: &TensorProto, at: &str) -> Result<Tensor, ImportError> {
    let name = t.name.as_deref().unwrap_or("");
    let bad = |what: String| {
        ImportError::Graph(format!(
            "tensor {name:?} (at {at:?}) {what}; the file is damaged or was not written by an ONNX exporter"
        ))
    };
    if !t.external_data.is_empty() || t.data_location == Some(1) {
        return Err(bad(
            "keeps its data in an external file, which an import cannot read: save the model with its weights inside".into(),
        ));
    }
    let mut count: usize = 1;
    let mut dims = Vec::with_capacity(t.dims.len().min(8));
    for &d in &t.dims {
        let d = usize::try_from(d).map_err(|_| bad(format!("has a negative dimension {d}")))?;
        count = count
            .checked_mul(d)
            .ok_or_else(|| bad("declares more elements than a computer can hold".into()))?;
        dims.push(d);
    }
    let ty = t.data_type.unwrap_or(0);
    let raw = t.raw_data.as_deref();
    let check = |have: usize| {
        if have == count {
            Ok(())
        } else {
            Err(bad(format!(
                "declares {count} elements (dims {:?}) but holds {have}",
                t.dims
            )))
        }
    };
    let from_raw = |width: usize, read: &dyn Fn(&[u8]) -> f64| -> Result<Vec<f64>, ImportError> {
        let raw = raw.unwrap_or(&[]);
        if !raw.len().is_multiple_of(width) {
            return Err(bad(format!(
                "has {} raw bytes, not a whole number of {width}-byte values",
                raw.len()
            )));
        }
        check(raw.len() / width)?;
        Ok(raw.chunks_exact(width).map(read).collect())
    };
    let values = match DataType::try_from(ty) {
        Ok(DataType::Float) if raw.is_some() => Values::Numbers(from_raw(4, &|b| {
            f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })?),
        Ok(DataType::Float) => {
            check(t.float_data.len())?;
            Values::Numbers(t.float_data.iter().map(|&f| f64::from(f)).collect())
        }
        Ok(DataType::Double) if raw.is_some() => Values::Numbers(from_raw(8, &|b| {
            f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        })?),
        Ok(DataType::Double) => {
            check(t.double_data.len())?;
            Values::Numbers(t.double_data.clone())
        }
        Ok(DataType::Int64) if raw.is_some() => Values::Numbers(from_raw(8, &|b| {
            i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f64
        })?),
        Ok(DataType::Int64) => {
            check(t.int64_data.len())?;
            Values::Numbers(t.int64_data.iter().map(|&i| i as f64).collect())
        }
        Ok(DataType::Int32) if raw.is_some() => Values::Numbers(from_raw(4, &|b| {
            f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })?),
        Ok(DataType::Int32) => {
            check(t.int32_data.len())?;
            Values::Numbers(t.int32_data.iter().map(|&i| f64::from(i)).collect())
        }
        Ok(DataType::Uint8) if raw.is_some() => Values::Numbers(from_raw(1, &|b| f64::from(b[0]))?),
        Ok(DataType::Uint8) => {
            check(t.int32_data.len())?;
            Values::Numbers(t.int32_data.iter().map(|&i| f64::from(i)).collect())
        }
        Ok(DataType::String) => {
            check(t.string_data.len())?;
            Values::Strings(
                t.string_data
                    .iter()
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect(),
            )
        }
        _ => {
            return Err(bad(format!(
                "has element type {ty}, which the import does not read (it reads float, double, uint8, int32, int64 and string tensors)"
            )))
        }
    };
    Ok(Tensor { dims, values })
}

/// The graph: checked opsets, constants by name, nodes in an order where every node comes
/// after the nodes whose outputs it reads.
pub(super) struct Graph<'a> {
    pub(super) proto: &'a proto::GraphProto,
    pub(super) nodes: Vec<Node<'a>>,
    pub(super) constants: HashMap<&'a str, Tensor>,
}

/// Checks the opsets a model imports: the default domain and `ai.onnx.ml`, at versions
/// this importer reads.
pub(super) fn check_opsets(model: &proto::ModelProto) -> Result<(), ImportError> {
    for o in &model.opset_import {
        let domain = o.domain.as_deref().unwrap_or("");
        let version = o.version.unwrap_or(0);
        let range = match domain {
            "" | "ai.onnx" => &DEFAULT_OPSETS,
            "ai.onnx.ml" => &ML_OPSETS,
            _ => {
                return Err(ImportError::Opset {
                    domain: domain.to_owned(),
                    version,
                    supported: "the default domain (opsets 1–23) and ai.onnx.ml (1–5)".into(),
                })
            }
        };
        if !range.contains(&version) {
            return Err(ImportError::Opset {
                domain: if domain.is_empty() {
                    "ai.onnx (the default domain)".into()
                } else {
                    domain.to_owned()
                },
                version,
                supported: format!("versions {} to {}", range.start(), range.end()),
            });
        }
    }
    Ok(())
}

impl<'a> Graph<'a> {
    /// Reads the graph: constants, then the nodes sorted topologically (Kahn's algorithm);
    /// a cycle or a value read but never made is an error that names the node.
    pub(super) fn new(g: &'a proto::GraphProto) -> Result<Graph<'a>, ImportError> {
        if g.node.len() > MAX_NODES {
            return Err(ImportError::Graph(format!(
                "the graph has {} nodes; the import reads at most {MAX_NODES} (tabular models have a few dozen)",
                g.node.len()
            )));
        }
        let mut constants = HashMap::new();
        for t in &g.initializer {
            let name = t.name.as_deref().unwrap_or("");
            constants.insert(name, tensor(t, name)?);
        }
        if !g.sparse_initializer.is_empty() {
            return Err(ImportError::Graph(
                "the graph has sparse initializers, which the import does not read".into(),
            ));
        }
        let nodes: Vec<Node<'a>> = g
            .node
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let domain = match n.domain.as_deref().unwrap_or("") {
                    "ai.onnx" => "",
                    d => d,
                };
                Node {
                    proto: n,
                    op: n.op_type.as_deref().unwrap_or(""),
                    domain,
                    name: match n.name.as_deref() {
                        Some(s) if !s.is_empty() => s.to_owned(),
                        _ => format!("#{i} (unnamed)"),
                    },
                }
            })
            .collect();
        // who makes each value
        let mut maker: HashMap<&str, usize> = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            for o in n.proto.output.iter().filter(|o| !o.is_empty()) {
                if maker.insert(o.as_str(), i).is_some() || constants.contains_key(o.as_str()) {
                    return Err(ImportError::Graph(format!(
                        "value {o:?} is made twice (again by node {:?}); an ONNX graph gives every value one maker",
                        n.name
                    )));
                }
            }
        }
        let inputs: std::collections::HashSet<&str> =
            g.input.iter().filter_map(|v| v.name.as_deref()).collect();
        let mut waiting = vec![0usize; nodes.len()];
        let mut readers: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
        for (i, n) in nodes.iter().enumerate() {
            for input in n.proto.input.iter().filter(|s| !s.is_empty()) {
                match maker.get(input.as_str()) {
                    Some(&m) => {
                        waiting[i] += 1;
                        readers[m].push(i);
                    }
                    None if constants.contains_key(input.as_str())
                        || inputs.contains(input.as_str()) => {}
                    None => {
                        return Err(ImportError::Graph(format!(
                        "node {:?} ({}) reads {input:?}, which no node, input or initializer makes",
                        n.name, n.op
                    )))
                    }
                }
            }
        }
        // Kahn, smallest index first so that the order is the file's where it can be
        let mut ready: std::collections::BTreeSet<usize> =
            (0..nodes.len()).filter(|&i| waiting[i] == 0).collect();
        let mut order = Vec::with_capacity(nodes.len());
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &r in &readers[i] {
                waiting[r] -= 1;
                if waiting[r] == 0 {
                    ready.insert(r);
                }
            }
        }
        if order.len() != nodes.len() {
            let stuck = (0..nodes.len()).find(|&i| waiting[i] > 0).unwrap_or(0);
            return Err(ImportError::Graph(format!(
                "the graph has a cycle through node {:?} ({}): a node reads, through other nodes, its own output; ONNX graphs are acyclic",
                nodes[stuck].name, nodes[stuck].op
            )));
        }
        let mut slots: Vec<Option<Node<'a>>> = nodes.into_iter().map(Some).collect();
        let nodes = order.into_iter().filter_map(|i| slots[i].take()).collect();
        Ok(Graph {
            proto: g,
            nodes,
            constants,
        })
    }
}
