//! driftlab's own exports, imported back.
//!
//! An export (`crate::onnx::export`) writes its graph from the artifact's pipeline and
//! model, and also keeps the artifact itself, as JSON, in the model's metadata
//! (`driftlab.model`). Reading
//! that graph back operator by operator (`stripped/`, for a file that lost the entry)
//! loses what the graph rounds to float (the linear families' `f32` coefficients) and what
//! it never held (training ranges, a kept column's fill). So a file that carries the entry is
//! read from it (by the artifact's own reader, which checks its hash): the pipeline, the
//! model and the class names are the artifact's own (its profile and lineage are not
//! taken: the reference table and the import give those, as for any import), and
//! an imported model scores bit for bit as the one exported.
//!
//! The entry is trusted only as far as the graph bears it out: the artifact it gives is
//! exported again and the new graph must equal the file's, node for node and weight for
//! weight (all but the graph's doc string, which names the artifact's hash). A graph edited
//! after the export, or an entry edited to say something else, is refused with a sentence
//! that says so; a file without the entry is read operator by operator (`stripped/`) when
//! its producer is driftlab, and by the general graph walk (`build`) otherwise.

use super::build::Imported;
use super::ImportError;
use crate::artifact::Artifact;
use crate::onnx::proto::ModelProto;
use crate::table::Table;

use crate::onnx::export::MODEL_KEY as KEY;

/// The embedded model's JSON, when the file carries one.
pub(super) fn embedded(model: &ModelProto) -> Option<&str> {
    model
        .metadata_props
        .iter()
        .find(|p| p.key.as_deref() == Some(KEY))
        .and_then(|p| p.value.as_deref())
}

/// Reads the embedded model; the reference must hold its input columns, of the same kinds,
/// and `target` (when given) must be the one it was trained for.
pub(super) fn read(
    model: &ModelProto,
    text: &str,
    reference: &Table,
    target: Option<&str>,
) -> Result<Imported, ImportError> {
    // the artifact's own reader (its hash checked): a second deserializer of every model
    // would cost the page's module kilobytes
    let e = Artifact::from_bytes(text.as_bytes()).map_err(|e| {
        ImportError::Graph(format!(
            "the metadata entry {KEY:?} (written by driftlab's export) is not a driftlab model: {e}; export the model again"
        ))
    })?;
    if let Some(t) = target {
        if e.pipeline.target.as_deref() != Some(t) {
            return Err(ImportError::Inputs(format!(
                "the model was exported from driftlab with the target {:?}, not {t:?}: pass --target {}",
                e.pipeline.target.as_deref().unwrap_or(""),
                e.pipeline.target.as_deref().unwrap_or("(none)")
            )));
        }
    }
    for c in &e.pipeline.inputs {
        let found = reference.columns().iter().find(|r| r.name == c.name);
        match found {
            None => {
                return Err(ImportError::Inputs(format!(
                    "the model reads the column {:?}, which the reference table lacks: give the table it was trained on",
                    c.name
                )))
            }
            Some(r) if r.kind() != c.kind => {
                return Err(ImportError::Inputs(format!(
                    "the model reads the column {:?} as {:?}, the reference table holds it as {:?}: give the table it was trained on",
                    c.name, c.kind, r.kind()
                )))
            }
            Some(_) => {}
        }
    }
    let mut operators: Vec<String> = Vec::new();
    for n in model.graph.iter().flat_map(|g| &g.node) {
        let op = n.op_type.clone().unwrap_or_default();
        if !operators.contains(&op) {
            operators.push(op);
        }
    }
    Ok(Imported {
        pipeline: e.pipeline,
        model: e.model,
        classes: e.classes,
        operators,
    })
}

/// Whether the artifact made from the embedded model exports to the file's graph.
pub(super) fn check(
    model: &ModelProto,
    artifact: &crate::artifact::Artifact,
) -> Result<(), ImportError> {
    let mut again = crate::onnx::export::export(artifact).map_err(|e| {
        ImportError::Graph(format!(
            "the model embedded by driftlab's export cannot be exported again ({e}), so its graph cannot be checked"
        ))
    })?;
    // compared as encoded bytes, the doc string (it names the artifact's hash) taken from
    // the file: prost's derived equality over every ONNX message would cost the page's
    // module kilobytes, the encoder is there already
    if let (Some(a), Some(m)) = (again.graph.as_mut(), model.graph.as_ref()) {
        a.doc_string.clone_from(&m.doc_string);
    }
    let bytes = |m: &ModelProto| {
        let mut out = m
            .graph
            .as_ref()
            .map(prost::Message::encode_to_vec)
            .unwrap_or_default();
        for o in &m.opset_import {
            out.extend(prost::Message::encode_to_vec(o));
        }
        out
    };
    if bytes(&again) != bytes(model) {
        return Err(ImportError::Graph(format!(
            "the file was written by driftlab's export, but its graph is not the one its embedded model ({KEY:?}) exports to: it was changed after the export; export the model from driftlab again, or remove the {KEY:?} entry to have the graph read operator by operator"
        )));
    }
    Ok(())
}
