//! The portable, versioned model: one JSON document that holds everything needed to score
//! rows exactly as at training time, with no linfa and no training code.
//!
//! ```json
//! {"format": "driftlab.artifact", "version": 1, "schema": {...}, "pipeline": {...},
//!  "model": {"kind": "logistic", ...}, "classes": [...], "profile": {...},
//!  "metrics": {...}, "lineage": {...}, "hash": "fnv1a64:…"}
//! ```
//!
//! The hash is FNV-1a (64 bit) over the canonical JSON of the document without `hash`
//! (object keys sorted, no whitespace). [`Artifact::from_bytes`] refuses an unknown format,
//! a newer version, a hash mismatch, and arrays whose shapes disagree with the schema.
//!
//! **Members this version does not know** (at the top level or inside) are covered by the
//! hash: it is computed over the document *as read*, every member included, exactly as the
//! edge scorer's loader computes it (`edge/src/canonical.rs`). So a member added after the
//! hash was made is refused by both as a hash mismatch, and a member the hash covers (say,
//! written by a tool that adds notes) is accepted by both and ignored. Before this, the core
//! hashed only the members it knew, and the two loaders disagreed on such files.

use serde::{Deserialize, Serialize};

use crate::metrics::TestMetrics;
use crate::prep::{FittedPipeline, FittedStep, PrepError, RowWarning};
use crate::profile::Profile;
use crate::score::{Model, Prediction, ScoreError, Task};
use crate::table::{ColumnKind, Table};

/// The `format` value of every artifact.
pub const FORMAT: &str = "driftlab.artifact";

/// The newest artifact version this build reads (and writes, for artifacts that need it).
///
/// Version 2 (issue 15): an artifact whose pipeline keeps missing numbers for the model
/// (`keep` in a numeric step) or whose trees learned a side for missing values (`missing`
/// in a tree or a forest's tree) is written as version 2, so that an older driftlab refuses
/// it ("upgrade driftlab") rather than ignoring those members and scoring missing cells
/// otherwise. Every other artifact is written as version 1, byte for byte as before.
///
/// Version 3 (issue 17): an artifact whose pipeline binarizes a numeric column
/// (`binarize`), encodes a category as its number (an `ordinal` step) or normalises its
/// rows (`normalize`) — the steps an imported ONNX Binarizer, LabelEncoder or Normalizer
/// becomes — is written as version 3, for the same reason.
pub const VERSION: u32 = 3;

/// The version an artifact of this pipeline and model is written as (see [`VERSION`]).
fn version_for(pipeline: &FittedPipeline, model: &Model) -> u32 {
    let keeps = pipeline
        .inputs
        .iter()
        .any(|c| matches!(c.step, FittedStep::Numeric { keep: true, .. }));
    let learned = match model {
        Model::Tree(t) => t.missing.is_some(),
        Model::Forest(f) => f.trees.iter().any(|t| t.missing.is_some()),
        _ => false,
    };
    if pipeline.has_onnx_steps() {
        3
    } else if keeps || learned {
        2
    } else {
        1
    }
}

/// What is wrong with an artifact, or with rows scored by it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// Not JSON, or JSON of the wrong shape.
    #[error("not a driftlab artifact: {0}")]
    Json(String),
    /// The `format` field is not `driftlab.artifact`.
    #[error("unknown artifact format {0:?}; expected \"driftlab.artifact\" (is this a model file from driftlab?)")]
    Format(String),
    /// The artifact was written by a newer driftlab.
    #[error("artifact version {found} is newer than this driftlab reads ({supported}); upgrade driftlab")]
    NewerVersion {
        /// The version in the file.
        found: u32,
        /// The newest version supported.
        supported: u32,
    },
    /// The content does not match its hash.
    #[error("artifact hash mismatch (stored {stored}, computed {computed}): the file was modified or corrupted; re-export it")]
    HashMismatch {
        /// The stored hash.
        stored: String,
        /// The hash of the content.
        computed: String,
    },
    /// Arrays that disagree with the schema.
    #[error("artifact is inconsistent: {0}")]
    Shape(String),
    /// A JSON row given for scoring has the wrong shape (not an object, a column absent).
    #[error("{0}")]
    Row(String),
    /// Transforming rows failed.
    #[error(transparent)]
    Prep(#[from] PrepError),
    /// Scoring failed.
    #[error(transparent)]
    Score(#[from] ScoreError),
}

/// One input column the model reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchemaColumn {
    /// Column name.
    pub name: String,
    /// Column kind at training time.
    pub kind: ColumnKind,
    /// Categories seen in training (categorical and boolean columns).
    pub categories: Vec<String>,
}

/// The input schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// The input columns, in pipeline order.
    pub columns: Vec<SchemaColumn>,
    /// The target column, if any.
    pub target: Option<String>,
    /// The model's task.
    pub task: Task,
    /// The transformed feature names.
    pub features: Vec<String>,
}

/// Where the model came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Lineage {
    /// The driftlab version that trained it.
    pub driftlab_version: String,
    /// When, as stamped by the caller (the core has no clock).
    pub created: String,
    /// FNV-1a fingerprint of the training table (hex).
    pub dataset_fingerprint: String,
    /// The model kind.
    pub model_kind: String,
    /// The resolved hyperparameters.
    #[cfg_attr(ts, tsify(type = "Record<string, unknown>"))]
    pub params: serde_json::Value,
    /// The seed of the split and the trainer.
    pub seed: u64,
    /// The test fraction.
    pub test_fraction: f64,
    /// Training rows.
    pub train_rows: usize,
    /// Test rows.
    pub test_rows: usize,
    /// The hash of the artifact this one retrains, if any.
    pub parent: Option<String>,
}

/// The portable model. Build it with training (`train::train`) or [`Artifact::from_bytes`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written.
    pub version: u32,
    /// The input schema.
    pub schema: Schema,
    /// The fitted preprocessing.
    pub pipeline: FittedPipeline,
    /// The model in plain parameters.
    pub model: Model,
    /// Class labels by class index (classifiers); empty otherwise.
    pub classes: Vec<String>,
    /// The training profile: the drift reference.
    pub profile: Profile,
    /// Test metrics.
    pub metrics: Option<TestMetrics>,
    /// Lineage.
    pub lineage: Lineage,
    /// `fnv1a64:<16 hex digits>` over the canonical JSON without this field.
    #[serde(default)]
    pub hash: String,
}

/// A scored row: the prediction, its label, and the policies applied to its inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Scored {
    /// The raw prediction (class index, value or cluster).
    pub prediction: Prediction,
    /// The class label (classifiers).
    pub label: Option<String>,
    /// Inputs outside the reference: unseen categories, missing or out-of-range values.
    pub warnings: Vec<RowWarning>,
}

/// 64-bit FNV-1a of `bytes`: the hash behind [`Artifact::hash`] (over the canonical JSON
/// without `hash`). The edge scorer keeps its own copy (no serde there); its tests check
/// that the two agree.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = crate::table::Fnv::default();
    h.write(bytes);
    h.0
}

impl Artifact {
    /// Assembles an artifact (schema from the pipeline, hash computed) and validates it.
    pub fn new(
        _table: &Table,
        pipeline: FittedPipeline,
        model: Model,
        classes: Vec<String>,
        profile: Profile,
        metrics: Option<TestMetrics>,
        lineage: Lineage,
    ) -> Result<Artifact, ArtifactError> {
        let columns = pipeline
            .inputs
            .iter()
            .map(|c| SchemaColumn {
                name: c.name.clone(),
                kind: c.kind,
                categories: match &c.step {
                    FittedStep::OneHot { categories, .. } => categories.clone(),
                    _ => Vec::new(),
                },
            })
            .collect();
        let schema = Schema {
            columns,
            target: pipeline.target.clone(),
            task: model.task(),
            features: pipeline.features.clone(),
        };
        let mut a = Artifact {
            format: FORMAT.to_string(),
            version: version_for(&pipeline, &model),
            schema,
            pipeline,
            model,
            classes,
            profile,
            metrics,
            lineage,
            hash: String::new(),
        };
        a.validate()?;
        a.hash = a.content_hash()?;
        Ok(a)
    }

    /// The hash of the content: `fnv1a64:` and 16 hex digits.
    pub fn content_hash(&self) -> Result<String, ArtifactError> {
        let v = serde_json::to_value(self).map_err(|e| ArtifactError::Json(e.to_string()))?;
        Ok(hash_of_document(&v))
    }

    /// Checks that the arrays agree with the schema.
    pub fn validate(&self) -> Result<(), ArtifactError> {
        let width = self.pipeline.features.len();
        if self.schema.features != self.pipeline.features {
            return Err(ArtifactError::Shape(
                "schema features differ from the pipeline's".into(),
            ));
        }
        if self.schema.columns.len() != self.pipeline.inputs.len()
            || self
                .schema
                .columns
                .iter()
                .zip(&self.pipeline.inputs)
                .any(|(s, p)| s.name != p.name)
        {
            return Err(ArtifactError::Shape(
                "schema columns differ from the pipeline's inputs".into(),
            ));
        }
        if let Some((s, p)) =
            self.schema
                .columns
                .iter()
                .zip(&self.pipeline.inputs)
                .find(|(s, p)| {
                    s.kind != p.kind
                        || match &p.step {
                            FittedStep::OneHot { categories, .. } => &s.categories != categories,
                            _ => !s.categories.is_empty(),
                        }
                })
        {
            return Err(ArtifactError::Shape(format!(
                "schema column {:?} ({}) differs from the pipeline's ({})",
                s.name, s.kind, p.kind
            )));
        }
        // feature names and widths, scales, sorted categories (fuzz: a pipeline whose
        // feature list disagreed with its steps passed, and rows came out the wrong width)
        self.pipeline.validate().map_err(|e| {
            ArtifactError::Shape(match e {
                PrepError::Inconsistent(m) => m,
                e => e.to_string(),
            })
        })?;
        // the class count before the model's own checks, which multiply it by the node or
        // feature count (a claimed 2^64 - 1 classes must not overflow)
        if self.model.task() == Task::Classification && self.classes.len() != self.model.n_outputs()
        {
            return Err(ArtifactError::Shape(format!(
                "{} class labels for a model of {} classes",
                self.classes.len(),
                self.model.n_outputs()
            )));
        }
        self.model
            .validate(width)
            .map_err(|e| ArtifactError::Shape(e.to_string()))?;
        if self.schema.task != self.model.task() {
            return Err(ArtifactError::Shape(
                "schema task differs from the model's".into(),
            ));
        }
        Ok(())
    }

    /// The artifact as pretty JSON.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ArtifactError> {
        serde_json::to_vec_pretty(self).map_err(|e| ArtifactError::Json(e.to_string()))
    }

    /// Reads and checks an artifact: format, version, hash, shapes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifact, ArtifactError> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            version: Option<u32>,
        }
        let head: Head =
            serde_json::from_slice(bytes).map_err(|e| ArtifactError::Json(e.to_string()))?;
        let format = head.format.unwrap_or_default();
        if format != FORMAT {
            return Err(ArtifactError::Format(format));
        }
        let version = head.version.unwrap_or(0);
        if version > VERSION {
            return Err(ArtifactError::NewerVersion {
                found: version,
                supported: VERSION,
            });
        }
        // typed first: a member given twice, a wrong type or an unknown kind is named here
        let a: Artifact =
            serde_json::from_slice(bytes).map_err(|e| ArtifactError::Json(e.to_string()))?;
        // then the hash of the document as read, unknown members included (as the edge
        // computes it); nesting deeper than 128 levels anywhere is refused here
        let doc: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| ArtifactError::Json(e.to_string()))?;
        let computed = hash_of_document(&doc);
        if a.hash != computed {
            return Err(ArtifactError::HashMismatch {
                stored: a.hash.clone(),
                computed,
            });
        }
        a.validate()?;
        Ok(a)
    }

    /// Attaches a class label to a prediction.
    fn label(&self, p: &Prediction) -> Option<String> {
        match self.model.task() {
            Task::Classification => self.classes.get(p.value as usize).cloned(),
            _ => None,
        }
    }

    /// Scores every row of `table` (which must have the schema's columns; extra columns,
    /// such as the target, are ignored).
    pub fn score_table(&self, table: &Table) -> Result<Vec<Scored>, ArtifactError> {
        let (x, warnings) = self.pipeline.transform_with_warnings(table)?;
        let preds = self.model.predict_batch(x.data(), x.cols().max(1))?;
        Ok(preds
            .into_iter()
            .zip(warnings)
            .map(|(prediction, warnings)| Scored {
                label: self.label(&prediction),
                prediction,
                warnings,
            })
            .collect())
    }

    /// Scores JSON rows (`{"column": value}` objects, as a form or an HTTP client sends
    /// them), reading each cell as the edge scorer does: `null` and a blank string are
    /// missing, `"true"`/`"false"` (any case) are booleans in a boolean column, other
    /// strings are categories, numbers are numbers; a column the model was trained with
    /// must be present (an error otherwise). Rows in errors are 1-based positions in `rows`.
    pub fn score_json_rows(
        &self,
        rows: &[serde_json::Value],
    ) -> Result<Vec<Scored>, ArtifactError> {
        use crate::table::Cell;
        use serde_json::Value;
        let inputs = &self.pipeline.inputs;
        let mut out = Vec::with_capacity(rows.len());
        let (mut cells, mut features) = (
            Vec::with_capacity(inputs.len()),
            Vec::with_capacity(self.pipeline.width()),
        );
        for (i, row) in rows.iter().enumerate() {
            let object = row.as_object().ok_or_else(|| {
                ArtifactError::Row(format!(
                    "row {}: each row must be an object of column: value",
                    i + 1
                ))
            })?;
            cells.clear();
            for input in inputs {
                let boolean = input.kind == crate::table::ColumnKind::Boolean;
                cells.push(match object.get(&input.name) {
                    None => {
                        return Err(ArtifactError::Row(format!(
                            "row {} has no column {:?}, which the model was trained with: add it (null is fine: it is imputed and flagged)",
                            i + 1,
                            input.name
                        )))
                    }
                    Some(Value::Null) => Cell::Missing,
                    Some(Value::Bool(b)) => Cell::Bool(*b),
                    Some(Value::Number(n)) => n.as_f64().map_or(Cell::Missing, Cell::Number),
                    Some(Value::String(s)) if s.trim().is_empty() => Cell::Missing,
                    Some(Value::String(s)) if boolean && s.trim().eq_ignore_ascii_case("true") => {
                        Cell::Bool(true)
                    }
                    Some(Value::String(s)) if boolean && s.trim().eq_ignore_ascii_case("false") => {
                        Cell::Bool(false)
                    }
                    Some(Value::String(s)) => Cell::Category(s),
                    Some(_) => {
                        return Err(ArtifactError::Prep(PrepError::BadCell {
                            row: i + 1,
                            column: input.name.clone(),
                            value: "a list or an object".into(),
                            expected: "a number, a string, true/false or null",
                        }))
                    }
                });
            }
            features.clear();
            let mut warnings = Vec::new();
            self.pipeline
                .transform_row_into(&cells, i + 1, &mut features, &mut warnings)?;
            let prediction = self.model.predict_row(&features)?;
            out.push(Scored {
                label: self.label(&prediction),
                prediction,
                warnings,
            });
        }
        Ok(out)
    }

    /// Scores already-transformed feature rows (row-major, `features` wide).
    pub fn score_features(&self, data: &[f64]) -> Result<Vec<Prediction>, ArtifactError> {
        Ok(self
            .model
            .predict_batch(data, self.pipeline.features.len().max(1))?)
    }
}

/// JSON with object keys sorted and no whitespace.
/// The content hash of an artifact document: every member but the top-level `hash`.
fn hash_of_document(v: &serde_json::Value) -> String {
    let canonical = match v.as_object() {
        Some(o) if o.contains_key("hash") => {
            // the top level without `hash`, written as write_canonical writes an object
            let mut keys: Vec<&String> = o.keys().filter(|k| *k != "hash").collect();
            keys.sort();
            let mut out = String::from("{");
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String((*k).clone()).to_string());
                out.push(':');
                write_canonical(&o[*k], &mut out);
            }
            out.push('}');
            out
        }
        _ => canonical_json(v),
    };
    format!("fnv1a64:{:016x}", fnv1a64(canonical.as_bytes()))
}

fn canonical_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write_canonical(&map[*k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_known_values() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn unknown_format_and_newer_version_are_refused() {
        assert!(matches!(
            Artifact::from_bytes(br#"{"format":"x","version":1}"#),
            Err(ArtifactError::Format(_))
        ));
        assert!(matches!(
            Artifact::from_bytes(br#"{"format":"driftlab.artifact","version":99}"#),
            Err(ArtifactError::NewerVersion { found: 99, .. })
        ));
        assert!(matches!(
            Artifact::from_bytes(b"nope"),
            Err(ArtifactError::Json(_))
        ));
    }
}
