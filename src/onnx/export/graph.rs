//! A small builder of ONNX graphs: nodes with fresh names, typed initializers and
//! attributes, so that the pipeline and the families write `g.op("Sub", &[x, c], [])`
//! instead of prost structs.

use std::collections::BTreeSet;

use crate::onnx::proto::{
    attribute_proto::AttributeType, tensor_proto::DataType, tensor_shape_proto, type_proto,
    AttributeProto, NodeProto, TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};

/// The `ai.onnx.ml` domain.
pub(super) const ML: &str = "ai.onnx.ml";

/// A graph under construction.
#[derive(Default)]
pub(super) struct Graph {
    /// The nodes, in topological order (each reads only earlier outputs, inputs or
    /// initializers).
    pub nodes: Vec<NodeProto>,
    /// The constants.
    pub initializers: Vec<TensorProto>,
    /// Names the graph must not reuse (its inputs and outputs).
    reserved: BTreeSet<String>,
    count: usize,
}

impl Graph {
    /// A graph whose fresh names avoid `reserved` (the input and output names).
    pub fn new(reserved: impl IntoIterator<Item = String>) -> Graph {
        Graph {
            reserved: reserved.into_iter().collect(),
            ..Graph::default()
        }
    }

    /// A name not used yet: `stem` and a number.
    pub fn fresh(&mut self, stem: &str) -> String {
        loop {
            self.count += 1;
            let name = format!("{stem}_{}", self.count);
            if !self.reserved.contains(&name) {
                return name;
            }
        }
    }

    /// Adds a node of `domain` (`""` or [`ML`]) with `outputs` fresh outputs.
    pub fn node(
        &mut self,
        domain: &str,
        op: &str,
        inputs: &[&str],
        outputs: usize,
        attrs: Vec<AttributeProto>,
    ) -> Vec<String> {
        let out: Vec<String> = (0..outputs)
            .map(|_| self.fresh(&op.to_ascii_lowercase()))
            .collect();
        self.node_into(domain, op, inputs, &out, attrs);
        out
    }

    /// Adds a node writing the given output names.
    pub fn node_into(
        &mut self,
        domain: &str,
        op: &str,
        inputs: &[&str],
        outputs: &[String],
        attrs: Vec<AttributeProto>,
    ) {
        let name = self.fresh(op);
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.to_vec(),
            name: Some(name),
            op_type: Some(op.to_string()),
            domain: Some(domain.to_string()),
            attribute: attrs,
            ..NodeProto::default()
        });
    }

    /// A default-domain node with one output.
    pub fn op(&mut self, op: &str, inputs: &[&str], attrs: Vec<AttributeProto>) -> String {
        self.node("", op, inputs, 1, attrs).remove(0)
    }

    fn constant(&mut self, stem: &str, mut t: TensorProto) -> String {
        let name = self.fresh(stem);
        t.name = Some(name.clone());
        self.initializers.push(t);
        name
    }

    /// A double constant of shape `dims`.
    pub fn doubles(&mut self, stem: &str, dims: &[usize], values: &[f64]) -> String {
        self.constant(stem, doubles(dims, values))
    }

    /// A float constant of shape `dims`.
    pub fn floats(&mut self, stem: &str, dims: &[usize], values: &[f32]) -> String {
        self.constant(
            stem,
            TensorProto {
                dims: dims64(dims),
                data_type: Some(DataType::Float as i32),
                float_data: values.to_vec(),
                ..TensorProto::default()
            },
        )
    }

    /// An int64 constant of shape `dims`.
    pub fn ints(&mut self, stem: &str, dims: &[usize], values: &[i64]) -> String {
        self.constant(
            stem,
            TensorProto {
                dims: dims64(dims),
                data_type: Some(DataType::Int64 as i32),
                int64_data: values.to_vec(),
                ..TensorProto::default()
            },
        )
    }

    /// A string constant of shape `dims`.
    pub fn strings(&mut self, stem: &str, dims: &[usize], values: &[String]) -> String {
        self.constant(
            stem,
            TensorProto {
                dims: dims64(dims),
                data_type: Some(DataType::String as i32),
                string_data: values.iter().map(|s| s.as_bytes().to_vec()).collect(),
                ..TensorProto::default()
            },
        )
    }
}

fn dims64(dims: &[usize]) -> Vec<i64> {
    dims.iter().map(|&d| d as i64).collect()
}

/// A double tensor (for initializers and `*_as_tensor` attributes).
pub(super) fn doubles(dims: &[usize], values: &[f64]) -> TensorProto {
    TensorProto {
        dims: dims64(dims),
        data_type: Some(DataType::Double as i32),
        double_data: values.to_vec(),
        ..TensorProto::default()
    }
}

fn attr(name: &str, kind: AttributeType) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_string()),
        r#type: Some(kind as i32),
        ..AttributeProto::default()
    }
}

/// An `int` attribute.
pub(super) fn int(name: &str, v: i64) -> AttributeProto {
    AttributeProto {
        i: Some(v),
        ..attr(name, AttributeType::Int)
    }
}

/// An `ints` attribute.
pub(super) fn ints(name: &str, v: Vec<i64>) -> AttributeProto {
    AttributeProto {
        ints: v,
        ..attr(name, AttributeType::Ints)
    }
}

/// A `floats` attribute.
pub(super) fn floats(name: &str, v: Vec<f32>) -> AttributeProto {
    AttributeProto {
        floats: v,
        ..attr(name, AttributeType::Floats)
    }
}

/// A `float` attribute.
pub(super) fn float(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        f: Some(v),
        ..attr(name, AttributeType::Float)
    }
}

/// A `string` attribute.
pub(super) fn string(name: &str, v: &str) -> AttributeProto {
    AttributeProto {
        s: Some(v.as_bytes().to_vec()),
        ..attr(name, AttributeType::String)
    }
}

/// A `strings` attribute.
pub(super) fn strings(name: &str, v: &[&str]) -> AttributeProto {
    AttributeProto {
        strings: v.iter().map(|s| s.as_bytes().to_vec()).collect(),
        ..attr(name, AttributeType::Strings)
    }
}

/// A `tensor` attribute.
pub(super) fn tensor(name: &str, t: TensorProto) -> AttributeProto {
    AttributeProto {
        t: Some(t),
        ..attr(name, AttributeType::Tensor)
    }
}

/// A graph input or output: a tensor of `elem` whose first dimension is the batch (`N`)
/// and whose others are `rest` (`None`: no second dimension).
pub(super) fn value_info(name: &str, elem: DataType, rest: Option<usize>) -> ValueInfoProto {
    use tensor_shape_proto::{dimension::Value, Dimension};
    let mut dim = vec![Dimension {
        value: Some(Value::DimParam("N".into())),
        ..Dimension::default()
    }];
    if let Some(d) = rest {
        dim.push(Dimension {
            value: Some(Value::DimValue(d as i64)),
            ..Dimension::default()
        });
    }
    ValueInfoProto {
        name: Some(name.to_string()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(elem as i32),
                shape: Some(TensorShapeProto { dim }),
            })),
            ..TypeProto::default()
        }),
        ..ValueInfoProto::default()
    }
}
