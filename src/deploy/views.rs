//! The session's requests and reports, as the page sends and reads them (its TypeScript
//! types are generated from these).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::artifact::{Artifact, SchemaColumn, Scored};
use crate::metrics::TestMetrics;
use crate::monitor::{Alarm, BatchReport, BatchSummary, LabelReport, PerformanceView};
use crate::profile::Profile;
use crate::registry::{Arm, ModelVersion, Outcomes, Registry, RegistryEvent, Served, TrafficMode};
use crate::scenario::TableDrift;
use crate::table::ColumnKind;

/// A registered version as the page lists it: its card, its lineage and its role.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct VersionView {
    /// The registry's card.
    #[serde(flatten)]
    pub card: ModelVersion,
    /// Names from this version back to its oldest registered ancestor.
    pub lineage: Vec<String>,
    /// It is the champion.
    pub champion: bool,
    /// It is the challenger.
    pub challenger: bool,
}

/// The registry: versions, roles, traffic, history and the outcomes counted so far.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct RegistryView {
    /// Every version, oldest first.
    pub versions: Vec<VersionView>,
    /// The champion's name.
    pub champion: Option<String>,
    /// The challenger's name.
    pub challenger: Option<String>,
    /// Who answers which rows.
    pub mode: TrafficMode,
    /// The history, oldest first.
    pub events: Vec<RegistryEvent>,
    /// Outcomes on labelled rows since the roles or the mode last changed (`null` for an
    /// empty registry).
    pub outcomes: Option<Outcomes>,
}

impl RegistryView {
    /// The view of `registry` (an empty one for `None`).
    pub fn of(registry: Option<&Registry>) -> RegistryView {
        let Some(r) = registry else {
            return RegistryView {
                versions: Vec::new(),
                champion: None,
                challenger: None,
                mode: TrafficMode::Champion,
                events: Vec::new(),
                outcomes: None,
            };
        };
        let champion = r.champion().map(|v| v.id.as_str());
        let challenger = r.challenger().map(|v| v.id.as_str());
        RegistryView {
            versions: r
                .versions()
                .iter()
                .map(|v| VersionView {
                    card: v.clone(),
                    lineage: r.lineage(&v.id).iter().map(|l| l.name.clone()).collect(),
                    champion: Some(v.id.as_str()) == champion,
                    challenger: Some(v.id.as_str()) == challenger,
                })
                .collect(),
            champion: r.champion().map(|v| v.name.clone()),
            challenger: r.challenger().map(|v| v.name.clone()),
            mode: r.mode(),
            events: r.events().to_vec(),
            outcomes: Some(*r.outcomes()),
        }
    }
}

/// Who answers: `champion`, `canary` or `ab` (with `percent`, else the default), `shadow`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct TrafficRequest {
    /// The mode.
    #[cfg_attr(ts, tsify(type = "'champion' | 'canary' | 'shadow' | 'ab'"))]
    pub mode: String,
    /// Share of the rows (0 to 100) the challenger answers in `canary` and `ab`.
    #[serde(default)]
    pub percent: Option<f64>,
}

/// How to retrain the champion on the labelled batches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct RetrainRequest {
    /// `recent` (the default), `all` or `reweighted`.
    #[serde(default)]
    #[cfg_attr(ts, tsify(type = "'recent' | 'all' | 'reweighted' | null"))]
    pub policy: Option<String>,
    /// Batches of a `recent` window (default in [`crate::defaults`]).
    #[serde(default)]
    pub batches: Option<usize>,
    /// Half-life in batches of a `reweighted` window (default in [`crate::defaults`]).
    #[serde(default)]
    pub half_life: Option<f64>,
    /// The time stamped on the new artifact (the core has no clock).
    #[serde(default)]
    pub created: String,
}

/// What retraining made: the new version, now the challenger.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct RetrainReport {
    /// The new version's name.
    pub version: String,
    /// Its registry note.
    pub note: String,
    /// The scenario batches it learnt from.
    pub batches: Vec<usize>,
    /// The rows it learnt from.
    pub rows: usize,
    /// Its test metrics on its held-out rows (`None` only if it was trained on every row).
    pub metrics: Option<TestMetrics>,
    /// Rows it trained on.
    pub train_rows: usize,
    /// Rows it was tested on.
    pub test_rows: usize,
}

/// A built-in scenario with its drift schedule.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ScenarioView {
    /// The name.
    pub name: String,
    /// What happens, in a sentence.
    pub description: String,
    /// Batches in the stream.
    pub batches: usize,
    /// Rows per batch.
    pub batch_size: usize,
    /// Steps between a batch and its labels.
    pub label_delay: usize,
    /// The target column.
    pub target: String,
    /// The drift level of each batch.
    pub drift: Vec<f64>,
}

/// A session read back: the registry and the timeline of the scenario it was playing.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct SessionRestored {
    /// The registry.
    pub registry: RegistryView,
    /// The scenario's timeline, where it stopped.
    pub timeline: Timeline,
}

/// A scenario drawn from the loaded table: what changes, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct TableScenarioRequest {
    /// What changes at full drift.
    pub drift: TableDrift,
    /// `abrupt` (the default), `gradual`, `incremental` or `recurring`.
    #[serde(default)]
    #[cfg_attr(
        ts,
        tsify(type = "'abrupt' | 'gradual' | 'incremental' | 'recurring' | null")
    )]
    pub schedule: Option<String>,
    /// Batches (default in [`crate::defaults`]).
    #[serde(default)]
    pub batches: Option<usize>,
    /// Rows per batch (default in [`crate::defaults`]).
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// The seed of the stream (the scenarios' default when absent).
    #[serde(default)]
    pub seed: Option<f64>,
}

/// Who answered one batch, counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ServedView {
    /// The mode in force.
    pub mode: TrafficMode,
    /// Rows served, by version name.
    pub served: BTreeMap<String, u64>,
    /// Rows scored in the shadows (not served), by version name.
    pub shadow: BTreeMap<String, u64>,
    /// Rows routed to the challenger.
    pub to_challenger: u64,
    /// Shadow rows where the challenger's label differs from the served one.
    pub disagree: u64,
}

impl From<&Served> for ServedView {
    fn from(s: &Served) -> ServedView {
        let mut v = ServedView {
            mode: s.mode,
            ..ServedView::default()
        };
        for r in &s.rows {
            *v.served.entry(r.served.version.clone()).or_default() += 1;
            v.to_challenger += u64::from(r.arm == Arm::Challenger);
            if let Some(sh) = &r.shadow {
                *v.shadow.entry(sh.version.clone()).or_default() += 1;
                v.disagree += u64::from(sh.label != r.served.label);
            }
        }
        v
    }
}

/// A monitor's report with the scenario's batch numbers beside the monitor's own: `t` for
/// `batch`, `about_t` for an alarm's `about_batch`, and the `version` whose monitor wrote it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[cfg_attr(
    ts,
    tsify(type = "T & { t: number; about_t?: number; version: string }")
)]
pub struct Tagged<T> {
    /// The monitor's report.
    #[serde(flatten)]
    pub report: T,
    /// The scenario batch of the report's `batch`.
    pub t: usize,
    /// The scenario batch of an alarm's `about_batch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about_t: Option<usize>,
    /// The version whose monitor wrote it.
    pub version: String,
}

/// A monitor report numbered by the monitor's batches.
pub trait Numbered {
    /// The monitor's batch of the report.
    fn batch(&self) -> usize;
    /// The batch an alarm is about, for alarms.
    fn about_batch(&self) -> Option<usize> {
        None
    }
}

impl Numbered for BatchReport {
    fn batch(&self) -> usize {
        self.batch
    }
}

impl Numbered for LabelReport {
    fn batch(&self) -> usize {
        self.batch
    }
}

impl Numbered for BatchSummary {
    fn batch(&self) -> usize {
        self.batch
    }
}

impl Numbered for Alarm {
    fn batch(&self) -> usize {
        self.batch
    }
    fn about_batch(&self) -> Option<usize> {
        Some(self.about_batch)
    }
}

impl<T: Numbered> Tagged<T> {
    /// `report` of the segment that starts at scenario batch `offset`, watching `version`.
    pub fn new(report: T, offset: usize, version: &str) -> Tagged<T> {
        Tagged {
            t: report.batch() + offset,
            about_t: report.about_batch().map(|b| b + offset),
            version: version.to_owned(),
            report,
        }
    }
}

/// The batch of one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct StepBatch {
    /// The scenario batch.
    pub t: usize,
    /// The drift its rows were drawn at.
    pub drift: f64,
    /// Its rows.
    pub rows: usize,
    /// Who answered them.
    pub served: ServedView,
    /// What the champion's monitor saw.
    pub report: Tagged<BatchReport>,
}

/// What one step brought.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct StepReport {
    /// The step played.
    pub step: usize,
    /// The scenario is over.
    pub finished: bool,
    /// The step's batch (`null` in the steps that only release labels).
    pub batch: Option<StepBatch>,
    /// The labels released at this step, as the monitors took them.
    pub labels: Vec<Tagged<LabelReport>>,
    /// Alarms raised at this step.
    pub alarms: Vec<Tagged<Alarm>>,
    /// Labels the comparison could not take so far (see [`Timeline::stale_labels`]).
    pub stale: u64,
}

/// One champion's stretch of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct SegmentView {
    /// The version watched.
    pub version: String,
    /// The scenario batch of its first batch.
    pub offset: usize,
    /// The model's hash.
    pub model: String,
    /// The positive class.
    pub positive: String,
    /// Its baseline performance, once complete.
    pub baseline: Option<PerformanceView>,
    /// Its performance over all its labelled rows.
    pub overall: PerformanceView,
    /// Batches it observed.
    pub batches: usize,
}

/// The whole timeline of the scenario being played.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Timeline {
    /// The scenario.
    pub scenario: String,
    /// Its seed.
    pub seed: u64,
    /// The next step.
    pub position: usize,
    /// Steps in all (batches, then the steps that only release labels).
    pub total_steps: usize,
    /// Batches in all (the scripted ones and those added to play on).
    pub batches_total: usize,
    /// Batches the scenario scripted; those after them go on in the last regime.
    pub batches_scripted: usize,
    /// Steps between a batch and its labels.
    pub label_delay: usize,
    /// The scripted drift of each batch.
    pub drift_curve: Vec<f64>,
    /// The scenario is over.
    pub finished: bool,
    /// Labels the champion/challenger comparison could not take, because the versions or
    /// the traffic mode changed between serving and labelling.
    pub stale_labels: u64,
    /// The share of drifted features that makes a batch drifted.
    pub drift_share_threshold: f64,
    /// Labelled batches in the performance window.
    pub window: usize,
    /// Each champion's stretch.
    pub segments: Vec<SegmentView>,
    /// Every batch observed.
    pub batches: Vec<Tagged<BatchSummary>>,
    /// Every alarm, oldest first per segment.
    pub alarms: Vec<Tagged<Alarm>>,
}

/// One input of the single-row form.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct FormField {
    /// The input column.
    pub name: String,
    /// Its kind.
    pub kind: ColumnKind,
    /// The categories seen in training.
    pub categories: Vec<String>,
    /// The typical value: the training median, or the most frequent category.
    #[cfg_attr(ts, tsify(type = "number | string | boolean | null"))]
    pub default: serde_json::Value,
    /// The training minimum (numeric inputs).
    pub min: Option<f64>,
    /// The training maximum (numeric inputs).
    pub max: Option<f64>,
}

impl FormField {
    /// `column`'s default and range from the reference `profile`.
    fn of(column: &SchemaColumn, profile: &Profile) -> FormField {
        use serde_json::Value;
        let p = profile.columns.iter().find(|c| c.name == column.name);
        let numeric = p.and_then(|c| c.numeric.as_ref());
        let top = p
            .and_then(|c| c.categories.as_ref())
            .and_then(|c| c.top.first())
            .map(|c| c.value.clone());
        let default = match column.kind {
            ColumnKind::Numeric => numeric
                .and_then(|n| n.quantiles.iter().find(|q| q.q == 0.5).map(|q| q.value))
                .or(numeric.map(|n| n.mean))
                .map_or(Value::Null, Value::from),
            ColumnKind::Boolean => Value::from(top.as_deref() == Some("true")),
            _ => top
                .or_else(|| column.categories.first().cloned())
                .map_or(Value::Null, Value::from),
        };
        FormField {
            name: column.name.clone(),
            kind: column.kind,
            categories: column.categories.clone(),
            default,
            min: numeric.map(|n| n.min),
            max: numeric.map(|n| n.max),
        }
    }
}

/// The single-row form of the serving model.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ServingForm {
    /// The version that answers.
    pub version: String,
    /// Its target column.
    pub target: Option<String>,
    /// Its classes.
    pub classes: Vec<String>,
    /// One field per input column.
    pub fields: Vec<FormField>,
}

impl ServingForm {
    /// The form of `artifact`, served as `version`.
    pub fn of(version: String, artifact: &Artifact) -> ServingForm {
        ServingForm {
            version,
            target: artifact.schema.target.clone(),
            classes: artifact.classes.clone(),
            fields: artifact
                .schema
                .columns
                .iter()
                .map(|c| FormField::of(c, &artifact.profile))
                .collect(),
        }
    }
}

/// Rows scored in real time by the serving model.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ServingScore {
    /// The version that answered.
    pub version: String,
    /// Its classes.
    pub classes: Vec<String>,
    /// The scoring call's time, in milliseconds.
    pub latency_ms: f64,
    /// One per row.
    pub predictions: Vec<Scored>,
}
