//! The browser facade for the second half of the loop: the model registry (champion,
//! challenger, traffic modes), scenarios streamed through the deployed model, the
//! monitor's timeline and alarms, and retraining on fresh labels.
//!
//! Orchestration only: the registry routes and compares, the monitor watches, the scenario
//! generates, `retrain` trains. This module wires them per step and shapes the JSON.
//!
//! Batch and real-time scoring use the model that serves: the champion. A batch job keeps
//! the uploaded CSV here and scores it a chunk at a time through the core's CSV scorer
//! ([`crate::score::score_csv`]), so the page can show progress between chunks; the
//! output has the CLI's `score` columns.
//!
//! The monitor watches one model. When the champion changes (promotion, roll-back) the
//! next batch starts a new monitor *segment* for the new champion; the timeline the page
//! draws is every segment's batches and alarms, numbered by the scenario's batch (`t`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{to_js, Workbench};
use crate::monitor::{LabelledBatch, Monitor, MonitorOptions};
use crate::registry::{retrain, Arm, Registry, Served, TrafficMode, WindowPolicy};
use crate::scenario::{builtins, Generator, Scenario, ScenarioConfig};

/// The seed of the registry's traffic split.
const REGISTRY_SEED: u64 = 7;

/// The deploy-side state of a [`super::Workbench`].
#[derive(Default)]
pub(super) struct DeployState {
    registry: Option<Registry>,
    play: Option<Play>,
    batch: Option<BatchJob>,
}

/// An uploaded CSV being scored by the champion, a chunk per call.
struct BatchJob {
    version: String,
    artifact: crate::artifact::Artifact,
    file_name: String,
    input: Vec<u8>,
    /// The header line, terminator included.
    header: Vec<u8>,
    /// The byte where the next chunk starts.
    offset: usize,
    rows_done: u64,
    output: Vec<u8>,
    scoring_ms: f64,
}

/// Rows per batch-scoring call when the page does not say.
const BATCH_CHUNK_ROWS: usize = 2_000;

/// A scenario being played through the registry and watched by the monitor.
struct Play {
    name: String,
    seed: u64,
    scenario: Scenario,
    positive_name: Option<String>,
    /// Finished segments (earlier champions), oldest first.
    done: Vec<Segment>,
    /// The segment of the current champion.
    current: Segment,
    /// Served batches waiting for their labels, by scenario batch.
    pending: BTreeMap<usize, Served>,
    /// The next stream row (the routing key).
    next_row: u64,
    /// Labels that could not be added to the comparison because the versions or the mode
    /// changed between serving and labelling.
    stale: u64,
}

/// One champion's stretch of the timeline.
struct Segment {
    /// The version name.
    version: String,
    /// The scenario batch of the monitor's batch 0.
    offset: usize,
    monitor: Monitor,
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// `performance.now()` of the worker (or the page), falling back to `Date.now()`.
fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("performance"))
        .ok()
        .filter(|p| !p.is_undefined())
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &JsValue::from_str("now")).ok()?;
            let f: js_sys::Function = now.dyn_into().ok()?;
            f.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// The Wasm linear memory in bytes.
fn memory_bytes() -> Option<u64> {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().ok()?;
    let buffer: js_sys::ArrayBuffer = memory.buffer().dyn_into().ok()?;
    Some(u64::from(buffer.byte_length()))
}

#[derive(Serialize)]
struct VersionView<'a> {
    #[serde(flatten)]
    card: &'a crate::registry::ModelVersion,
    /// Names from this version back to its oldest registered ancestor.
    lineage: Vec<&'a str>,
    champion: bool,
    challenger: bool,
}

#[derive(Serialize)]
struct RegistryView<'a> {
    versions: Vec<VersionView<'a>>,
    champion: Option<&'a str>,
    challenger: Option<&'a str>,
    mode: TrafficMode,
    events: &'a [crate::registry::RegistryEvent],
    outcomes: &'a crate::registry::Outcomes,
}

#[derive(Deserialize)]
struct TrafficRequest {
    mode: String,
    percent: Option<f64>,
}

#[derive(Deserialize)]
struct RetrainRequest {
    #[serde(default)]
    policy: Option<String>,
    batches: Option<usize>,
    half_life: Option<f64>,
    #[serde(default)]
    created: String,
}

#[derive(Serialize)]
struct ScenarioView {
    name: &'static str,
    description: &'static str,
    batches: usize,
    batch_size: usize,
    label_delay: usize,
    target: &'static str,
    drift: Vec<f64>,
}

/// Who answered one batch, counted.
#[derive(Serialize, Default)]
struct ServedView {
    mode: TrafficMode,
    /// Rows served, by version name.
    served: BTreeMap<String, u64>,
    /// Rows scored in the shadows (not served), by version name.
    shadow: BTreeMap<String, u64>,
    /// Rows routed to the challenger.
    to_challenger: u64,
    /// Shadow rows where the challenger's label differs from the served one.
    disagree: u64,
}

fn served_view(s: &Served) -> ServedView {
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

/// `value` (a JSON object) with scenario batch numbers added: `t` for `batch`, `about_t`
/// for `about_batch`, and the `version` watched.
fn tagged<T: Serialize>(value: &T, offset: usize, version: &str) -> Result<Value, JsError> {
    let mut v = serde_json::to_value(value).map_err(js_err)?;
    if let Value::Object(map) = &mut v {
        for (from, to) in [("batch", "t"), ("about_batch", "about_t")] {
            if let Some(b) = map.get(from).and_then(Value::as_u64) {
                map.insert(to.into(), Value::from(b + offset as u64));
            }
        }
        map.insert("version".into(), Value::from(version));
    }
    Ok(v)
}

impl DeployState {
    fn registry(&self) -> Result<&Registry, JsError> {
        self.registry
            .as_ref()
            .ok_or_else(|| JsError::new("the registry is empty: train a model and deploy it first"))
    }

    fn registry_mut(&mut self) -> Result<&mut Registry, JsError> {
        self.registry
            .as_mut()
            .ok_or_else(|| JsError::new("the registry is empty: train a model and deploy it first"))
    }

    fn play(&self) -> Result<&Play, JsError> {
        self.play
            .as_ref()
            .ok_or_else(|| JsError::new("no scenario is playing: start one on the Monitor panel"))
    }

    fn registry_view(&self) -> Result<JsValue, JsError> {
        let Some(r) = &self.registry else {
            return to_js(&serde_json::json!({
                "versions": [], "champion": null, "challenger": null,
                "mode": {"mode": "champion"}, "events": [], "outcomes": null
            }));
        };
        let champion = r.champion().map(|v| v.id.as_str());
        let challenger = r.challenger().map(|v| v.id.as_str());
        let view = RegistryView {
            versions: r
                .versions()
                .iter()
                .map(|v| VersionView {
                    card: v,
                    lineage: r.lineage(&v.id).iter().map(|l| l.name.as_str()).collect(),
                    champion: Some(v.id.as_str()) == champion,
                    challenger: Some(v.id.as_str()) == challenger,
                })
                .collect(),
            champion: r.champion().map(|v| v.name.as_str()),
            challenger: r.challenger().map(|v| v.name.as_str()),
            mode: r.mode(),
            events: r.events(),
            outcomes: r.outcomes(),
        };
        to_js(&view)
    }

    fn monitor_options(positive_name: Option<String>) -> MonitorOptions {
        MonitorOptions {
            positive_name,
            ..MonitorOptions::default()
        }
    }
}

impl Play {
    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.done.iter().chain(std::iter::once(&self.current))
    }

    /// Every segment's labelled batches, renumbered by scenario batch.
    fn labelled(&self) -> Result<Vec<LabelledBatch>, JsError> {
        let mut out = Vec::new();
        for s in self.segments() {
            for b in s.monitor.labelled_batches().map_err(js_err)? {
                out.push(LabelledBatch {
                    batch: b.batch + s.offset,
                    table: b.table,
                });
            }
        }
        Ok(out)
    }

    fn timeline(&self) -> Result<Value, JsError> {
        let mut batches = Vec::new();
        let mut alarms = Vec::new();
        let mut segments = Vec::new();
        for s in self.segments() {
            let snap = s.monitor.snapshot();
            for b in &snap.batches {
                batches.push(tagged(b, s.offset, &s.version)?);
            }
            for a in &snap.alarms {
                alarms.push(tagged(a, s.offset, &s.version)?);
            }
            segments.push(serde_json::json!({
                "version": s.version,
                "offset": s.offset,
                "model": snap.model,
                "positive": snap.positive,
                "baseline": snap.baseline,
                "overall": snap.overall,
                "batches": snap.batches.len(),
            }));
        }
        let config = self.scenario.config();
        Ok(serde_json::json!({
            "scenario": self.name,
            "seed": self.seed,
            "position": self.scenario.position(),
            "total_steps": self.scenario.total_steps(),
            "batches_total": config.batches,
            "label_delay": config.label_delay,
            "drift_curve": config.drift_curve(),
            "finished": self.scenario.position() >= self.scenario.total_steps(),
            "stale_labels": self.stale,
            "drift_share_threshold": self.current.monitor.options().drift.drift_share,
            "window": self.current.monitor.options().window,
            "segments": segments,
            "batches": batches,
            "alarms": alarms,
        }))
    }
}

/// One input of the single-row form: the schema column, its default (the training
/// median, or the most frequent category) and its training range.
#[derive(Serialize)]
struct FormField {
    name: String,
    kind: crate::table::ColumnKind,
    categories: Vec<String>,
    default: Value,
    min: Option<f64>,
    max: Option<f64>,
}

/// `name`'s default and range from the reference profile.
fn form_field(
    column: &crate::artifact::SchemaColumn,
    profile: &crate::profile::Profile,
) -> FormField {
    let p = profile.columns.iter().find(|c| c.name == column.name);
    let numeric = p.and_then(|c| c.numeric.as_ref());
    let top = p
        .and_then(|c| c.categories.as_ref())
        .and_then(|c| c.top.first())
        .map(|c| c.value.clone());
    let default = match column.kind {
        crate::table::ColumnKind::Numeric => numeric
            .and_then(|n| n.quantiles.iter().find(|q| q.q == 0.5).map(|q| q.value))
            .or(numeric.map(|n| n.mean))
            .map_or(Value::Null, Value::from),
        crate::table::ColumnKind::Boolean => Value::from(top.as_deref() == Some("true")),
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

impl DeployState {
    /// The champion's name and artifact: the model that answers batch and single rows.
    fn serving(&self) -> Result<(String, &crate::artifact::Artifact), JsError> {
        let r = self.registry()?;
        let champion = r
            .champion()
            .ok_or_else(|| JsError::new("the registry has no champion: deploy a model first"))?;
        let artifact = r
            .artifact(&champion.id)
            .ok_or_else(|| JsError::new("the champion's artifact is missing"))?;
        Ok((champion.name.clone(), artifact))
    }
}

impl BatchJob {
    fn progress(&self, done: bool) -> Value {
        serde_json::json!({
            "version": self.version,
            "file_name": self.file_name,
            "rows_done": self.rows_done,
            "bytes_done": self.offset,
            "bytes_total": self.input.len(),
            "scoring_ms": self.scoring_ms,
            "done": done,
        })
    }

    /// Scores up to `max_rows` more rows; returns true when the file is finished.
    fn next(&mut self, max_rows: usize) -> Result<bool, JsError> {
        use crate::artifact::ArtifactError;
        use crate::score::StreamError;
        let rest = &self.input[self.offset..];
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(rest);
        let mut record = csv::ByteRecord::new();
        let mut n = 0;
        while n < max_rows
            && reader
                .read_byte_record(&mut record)
                .map_err(|e| JsError::new(&format!("{}: {e}", self.file_name)))?
        {
            n += 1;
        }
        let end = reader.position().byte() as usize;
        if n == 0 {
            if self.rows_done == 0 {
                return Err(JsError::new(&format!(
                    "{} has a header but no rows: add data rows below the header",
                    self.file_name
                )));
            }
            return Ok(true);
        }
        let mut chunk = Vec::with_capacity(self.header.len() + end);
        chunk.extend_from_slice(&self.header);
        chunk.extend_from_slice(&rest[..end]);
        // rows and lines of errors inside the chunk are moved back to the file's
        let rows_before = self.rows_done as usize;
        let lines_before = self.input[..self.offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        let mut out = Vec::new();
        let t0 = now_ms();
        crate::score::score_csv(&self.artifact, chunk.as_slice(), &mut out, &mut |_, _| {})
            .map_err(|e| match e {
                StreamError::Table(t) => {
                    js_err(t.shifted(rows_before, lines_before.saturating_sub(1)))
                }
                StreamError::Artifact(ArtifactError::Prep(p)) => js_err(p.shifted(rows_before)),
                other => js_err(other),
            })?;
        self.scoring_ms += now_ms() - t0;
        // every chunk's output starts with the header; keep the first one only
        let body = if self.rows_done == 0 {
            &out[..]
        } else {
            let cut = out
                .iter()
                .position(|&b| b == b'\n')
                .map_or(out.len(), |i| i + 1);
            &out[cut..]
        };
        self.output.extend_from_slice(body);
        self.rows_done += n as u64;
        self.offset += end;
        Ok(self.offset >= self.input.len())
    }
}

#[wasm_bindgen]
impl Workbench {
    /// The single-row form of the serving model (the champion): `{version, classes,
    /// fields: [{name, kind, categories, default, min, max}]}`, defaults and ranges from the
    /// model's reference profile.
    #[wasm_bindgen(js_name = servingForm)]
    pub fn serving_form(&self) -> Result<JsValue, JsError> {
        let (version, a) = self.deploy.serving()?;
        let fields: Vec<FormField> = a
            .schema
            .columns
            .iter()
            .map(|c| form_field(c, &a.profile))
            .collect();
        to_js(&serde_json::json!({
            "version": version,
            "target": a.schema.target,
            "classes": a.classes,
            "fields": fields,
        }))
    }

    /// Scores rows (`[{column: value}]`) in real time with the serving model (the
    /// champion): `{version, classes, latency_ms, predictions: [{prediction, label,
    /// warnings}]}`; `latency_ms` is the scoring call's time in the worker.
    #[wasm_bindgen(js_name = scoreServing)]
    pub fn score_serving(&self, rows: JsValue) -> Result<JsValue, JsError> {
        let rows: Vec<Value> = serde_wasm_bindgen::from_value(rows)
            .map_err(|e| JsError::new(&format!("rows: {e}")))?;
        let (version, a) = self.deploy.serving()?;
        let t0 = now_ms();
        let scored = a.score_json_rows(&rows).map_err(js_err)?;
        let latency_ms = now_ms() - t0;
        to_js(&serde_json::json!({
            "version": version,
            "classes": a.classes,
            "latency_ms": latency_ms,
            "predictions": scored,
        }))
    }

    /// Starts scoring an uploaded CSV with the serving model (the champion) in batch;
    /// `batchNext` scores it a chunk at a time. Returns the job's progress.
    #[wasm_bindgen(js_name = batchStart)]
    pub fn batch_start(&mut self, bytes: Vec<u8>, file_name: &str) -> Result<JsValue, JsError> {
        self.deploy.batch = None;
        let (version, artifact) = self.deploy.serving()?;
        let artifact = artifact.clone();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
        let mut header = csv::ByteRecord::new();
        let has_header = reader
            .read_byte_record(&mut header)
            .map_err(|e| JsError::new(&format!("{file_name}: {e}")))?;
        if !has_header {
            return Err(JsError::new(&format!(
                "{file_name} is empty: choose a CSV file with a header row and data rows"
            )));
        }
        let end = reader.position().byte() as usize;
        let job = BatchJob {
            version,
            artifact,
            file_name: file_name.to_owned(),
            header: bytes[..end].to_vec(),
            input: bytes,
            offset: end,
            rows_done: 0,
            output: Vec::new(),
            scoring_ms: 0.0,
        };
        let view = job.progress(false);
        self.deploy.batch = Some(job);
        to_js(&view)
    }

    /// Scores the next `rows` rows (2,000 if absent) of the batch job; returns its progress
    /// (`done` once every row is scored). An error ends the job.
    #[wasm_bindgen(js_name = batchNext)]
    pub fn batch_next(&mut self, rows: Option<usize>) -> Result<JsValue, JsError> {
        let job = self
            .deploy
            .batch
            .as_mut()
            .ok_or_else(|| JsError::new("no batch job: choose a CSV file to score first"))?;
        match job.next(rows.unwrap_or(BATCH_CHUNK_ROWS).max(1)) {
            Ok(done) => to_js(&job.progress(done)),
            Err(e) => {
                self.deploy.batch = None;
                Err(e)
            }
        }
    }

    /// The scored CSV of a finished batch job (`prediction`, `p_<class>` per class, as the
    /// CLI's `score` writes it); ends the job.
    #[wasm_bindgen(js_name = batchResult)]
    pub fn batch_result(&mut self) -> Result<String, JsError> {
        let job = self
            .deploy
            .batch
            .take()
            .ok_or_else(|| JsError::new("no batch job: choose a CSV file to score first"))?;
        if job.offset < job.input.len() || job.rows_done == 0 {
            let rows = job.rows_done;
            self.deploy.batch = Some(job);
            return Err(JsError::new(&format!(
                "the batch job is not finished ({rows} rows scored so far): keep calling batchNext"
            )));
        }
        String::from_utf8(job.output).map_err(js_err)
    }

    /// Drops the batch job, if any.
    #[wasm_bindgen(js_name = batchCancel)]
    pub fn batch_cancel(&mut self) {
        self.deploy.batch = None;
    }

    /// Registers the last trained model in the registry (the first becomes the champion)
    /// and returns the registry.
    #[wasm_bindgen(js_name = deployLast)]
    pub fn deploy_last(&mut self, note: Option<String>) -> Result<JsValue, JsError> {
        let trained = self
            .trained
            .as_ref()
            .ok_or_else(|| JsError::new("train a model on the Model panel first"))?;
        if trained.artifact.model.task() != crate::score::Task::Classification {
            return Err(JsError::new(
                "the registry serves classifiers: train a classifier (logistic, tree, forest, …) to deploy it",
            ));
        }
        let registry = self
            .deploy
            .registry
            .get_or_insert_with(|| Registry::new(REGISTRY_SEED));
        let note = note.unwrap_or_default();
        registry
            .register(trained.artifact.clone(), &note)
            .map_err(js_err)?;
        self.deploy.registry_view()
    }

    /// The registry: `{versions: [card + {lineage, champion, challenger}], champion,
    /// challenger, mode, events, outcomes}`.
    pub fn registry(&self) -> Result<JsValue, JsError> {
        self.deploy.registry_view()
    }

    /// The registry as JSON text (artifacts included), for IndexedDB.
    #[wasm_bindgen(js_name = registrySave)]
    pub fn registry_save(&self) -> Result<String, JsError> {
        let bytes = self.deploy.registry()?.to_bytes().map_err(js_err)?;
        String::from_utf8(bytes).map_err(js_err)
    }

    /// Replaces the registry with one saved by `registrySave`; returns it.
    #[wasm_bindgen(js_name = registryLoad)]
    pub fn registry_load(&mut self, text: &str) -> Result<JsValue, JsError> {
        let r = Registry::from_bytes(text.as_bytes()).map_err(js_err)?;
        self.deploy.registry = Some(r);
        self.deploy.registry_view()
    }

    /// Forgets every version (and stops the scenario).
    #[wasm_bindgen(js_name = registryClear)]
    pub fn registry_clear(&mut self) -> Result<JsValue, JsError> {
        self.deploy.registry = None;
        self.deploy.play = None;
        self.deploy.registry_view()
    }

    /// Chooses the challenger by name or hash (`null` for none).
    #[wasm_bindgen(js_name = setChallenger)]
    pub fn set_challenger(&mut self, id: Option<String>) -> Result<JsValue, JsError> {
        self.deploy
            .registry_mut()?
            .set_challenger(id.as_deref())
            .map_err(js_err)?;
        self.deploy.registry_view()
    }

    /// Sets the traffic mode: `{mode: 'champion' | 'canary' | 'shadow' | 'ab', percent?}`.
    #[wasm_bindgen(js_name = setTraffic)]
    pub fn set_traffic(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        let req: TrafficRequest = serde_wasm_bindgen::from_value(request)
            .map_err(|e| JsError::new(&format!("traffic: {e}")))?;
        let mode = match req.mode.as_str() {
            "champion" => TrafficMode::Champion,
            "shadow" => TrafficMode::Shadow,
            "canary" => TrafficMode::Canary {
                percent: req.percent.unwrap_or(10.0),
            },
            "ab" => TrafficMode::Ab {
                percent: req.percent.unwrap_or(50.0),
            },
            other => {
                return Err(JsError::new(&format!(
                    "unknown traffic mode {other:?}: use champion, canary, shadow or ab"
                )))
            }
        };
        self.deploy.registry_mut()?.set_mode(mode).map_err(js_err)?;
        self.deploy.registry_view()
    }

    /// Makes the challenger the champion.
    pub fn promote(&mut self) -> Result<JsValue, JsError> {
        self.deploy.registry_mut()?.promote().map_err(js_err)?;
        self.deploy.registry_view()
    }

    /// Brings back the previous champion.
    pub fn rollback(&mut self) -> Result<JsValue, JsError> {
        self.deploy.registry_mut()?.rollback().map_err(js_err)?;
        self.deploy.registry_view()
    }

    /// Champion against challenger on the labelled rows served so far, at level `alpha`.
    pub fn compare(&self, alpha: f64) -> Result<JsValue, JsError> {
        to_js(&self.deploy.registry()?.compare(alpha).map_err(js_err)?)
    }

    /// The built-in scenarios with their drift schedule.
    pub fn scenarios(&self) -> Result<JsValue, JsError> {
        let mut out = Vec::new();
        for info in builtins() {
            let c = ScenarioConfig::builtin(info.name).map_err(js_err)?;
            out.push(ScenarioView {
                name: info.name,
                description: info.description,
                batches: c.batches,
                batch_size: c.batch_size,
                label_delay: c.label_delay,
                target: c.generator.target(),
                drift: c.drift_curve(),
            });
        }
        to_js(&out)
    }

    /// Starts (or restarts) scenario `name` with `seed` (42 if absent), watched by a
    /// fresh monitor of the champion. Returns the (empty) timeline.
    #[wasm_bindgen(js_name = startScenario)]
    pub fn start_scenario(&mut self, name: &str, seed: Option<f64>) -> Result<JsValue, JsError> {
        let mut config = ScenarioConfig::builtin(name).map_err(js_err)?;
        if let Some(s) = seed {
            if !(0.0..=9_007_199_254_740_991.0).contains(&s) {
                return Err(JsError::new(&format!(
                    "seed {s} is invalid: use a whole number from 0"
                )));
            }
            config.seed = s as u64;
        }
        let positive_name = matches!(config.generator, Generator::Fraud).then(|| "fraud".into());
        let scenario = Scenario::new(config).map_err(js_err)?;
        let registry = self.deploy.registry()?;
        let champion = registry
            .champion()
            .ok_or_else(|| JsError::new("the registry has no champion: deploy a model first"))?;
        let artifact = registry
            .artifact(&champion.id)
            .ok_or_else(|| JsError::new("the champion's artifact is missing"))?;
        // A model trained on other columns cannot answer this scenario's rows: say so now.
        let probe = scenario.reference(5, 0.0, 1).map_err(js_err)?;
        artifact.score_table(&probe).map_err(|e| {
            JsError::new(&format!(
                "champion {} cannot score the {name} scenario's rows ({e}): train on the dataset with the same columns ({}) and deploy that model",
                champion.name,
                if matches!(scenario.config().generator, Generator::Fraud) { "fraud" } else { "mean-shift columns x1…" }
            ))
        })?;
        let monitor = Monitor::new(
            artifact,
            DeployState::monitor_options(positive_name.clone()),
        )
        .map_err(js_err)?;
        let play = Play {
            name: scenario.config().name.clone(),
            seed: scenario.config().seed,
            scenario,
            positive_name,
            done: Vec::new(),
            current: Segment {
                version: champion.name.clone(),
                offset: 0,
                monitor,
            },
            pending: BTreeMap::new(),
            next_row: 0,
            stale: 0,
        };
        let view = play.timeline()?;
        self.deploy.play = Some(play);
        to_js(&view)
    }

    /// Plays one step: the step's batch is served through the registry's routing and
    /// observed by the monitor of the champion; the labels released at this step go to the
    /// monitor and to the champion/challenger comparison. Returns `{step, finished, batch:
    /// {t, drift, rows, served, report} | null, labels: [label reports], alarms: [new
    /// alarms], stale}`.
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        let DeployState { registry, play, .. } = &mut self.deploy;
        let registry = registry.as_mut().ok_or_else(|| {
            JsError::new("the registry is empty: train a model and deploy it first")
        })?;
        let play = play.as_mut().ok_or_else(|| {
            JsError::new("no scenario is playing: start one on the Monitor panel")
        })?;
        let Some(step) = play.scenario.next_step().map_err(js_err)? else {
            return to_js(&serde_json::json!({
                "step": play.scenario.position(), "finished": true, "batch": null,
                "labels": [], "alarms": [], "stale": play.stale
            }));
        };
        let mut alarms = Vec::new();
        let mut batch_view = Value::Null;
        if let Some(batch) = &step.batch {
            let champion = registry
                .champion()
                .ok_or_else(|| JsError::new("the registry has no champion"))?
                .clone();
            // A new champion gets its own monitor from this batch on.
            if champion.id != play.current.monitor.artifact().hash {
                let artifact = registry
                    .artifact(&champion.id)
                    .ok_or_else(|| JsError::new("the champion's artifact is missing"))?;
                let monitor = Monitor::new(
                    artifact,
                    DeployState::monitor_options(play.positive_name.clone()),
                )
                .map_err(js_err)?;
                let old = std::mem::replace(
                    &mut play.current,
                    Segment {
                        version: champion.name.clone(),
                        offset: batch.index,
                        monitor,
                    },
                );
                play.done.push(old);
            }
            let served = registry
                .serve(&batch.features, play.next_row)
                .map_err(js_err)?;
            play.next_row += batch.features.rows() as u64;
            let seg = &mut play.current;
            let mut clock = now_ms;
            let report = seg
                .monitor
                .observe_with_clock(&batch.features, &mut clock)
                .map_err(js_err)?;
            if let Some(ms) = report.scoring_ms {
                seg.monitor
                    .record_timing(report.batch, ms, memory_bytes())
                    .map_err(js_err)?;
            }
            for a in &report.alarms {
                alarms.push(tagged(a, seg.offset, &seg.version)?);
            }
            batch_view = serde_json::json!({
                "t": batch.index,
                "drift": batch.drift,
                "rows": batch.features.rows(),
                "served": served_view(&served),
                "report": tagged(&report, seg.offset, &seg.version)?,
            });
            play.pending.insert(batch.index, served);
        }
        let mut labels = Vec::new();
        for r in &step.released {
            if let Some(served) = play.pending.remove(&r.batch) {
                if registry.record(&served, &r.labels).is_err() {
                    play.stale += 1;
                }
            }
            // The batch belongs to the current segment only if observed by its monitor.
            let seg = &mut play.current;
            if r.batch >= seg.offset {
                let report = seg
                    .monitor
                    .label(r.batch - seg.offset, &r.labels)
                    .map_err(js_err)?;
                for a in &report.alarms {
                    alarms.push(tagged(a, seg.offset, &seg.version)?);
                }
                labels.push(tagged(&report, seg.offset, &seg.version)?);
            } else if let Some(old) =
                play.done.iter_mut().rev().find(|s| {
                    r.batch >= s.offset && r.batch - s.offset < s.monitor.batches_observed()
                })
            {
                // Labels of a batch the previous champion answered complete its record.
                let report = old
                    .monitor
                    .label(r.batch - old.offset, &r.labels)
                    .map_err(js_err)?;
                labels.push(tagged(&report, old.offset, &old.version)?);
            }
        }
        let finished = play.scenario.position() >= play.scenario.total_steps();
        to_js(&serde_json::json!({
            "step": step.step,
            "finished": finished,
            "batch": batch_view,
            "labels": labels,
            "alarms": alarms,
            "stale": play.stale,
        }))
    }

    /// The whole timeline of the playing scenario: `{scenario, seed, position, total_steps,
    /// drift_curve, finished, segments, batches: [batch summaries + {t, version}], alarms:
    /// [alarms + {t, about_t, version}]}` (`null` when nothing plays).
    pub fn timeline(&self) -> Result<JsValue, JsError> {
        match &self.deploy.play {
            Some(p) => to_js(&p.timeline()?),
            None => Ok(JsValue::NULL),
        }
    }

    /// The current monitor's snapshot, exactly as the core gives it (batch numbers count
    /// from the current champion's first batch).
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        to_js(&self.deploy.play()?.current.monitor.snapshot())
    }

    /// Retrains the champion on labelled batches: `{policy: 'recent' | 'all' |
    /// 'reweighted', batches?, half_life?, created}`. Registers the new version as the
    /// challenger and returns `{version, note, batches, rows, evaluation, registry}`.
    pub fn retrain(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        let req: RetrainRequest = serde_wasm_bindgen::from_value(request)
            .map_err(|e| JsError::new(&format!("retraining request: {e}")))?;
        let policy = match req.policy.as_deref().unwrap_or("recent") {
            "recent" => WindowPolicy::Recent {
                batches: req.batches.unwrap_or(5),
            },
            "all" => WindowPolicy::All,
            "reweighted" => WindowPolicy::Reweighted {
                half_life: req.half_life.unwrap_or(3.0),
            },
            other => {
                return Err(JsError::new(&format!(
                    "unknown window policy {other:?}: use recent, all or reweighted"
                )))
            }
        };
        let play = self.deploy.play()?;
        let labelled = play.labelled()?;
        if labelled.is_empty() {
            return Err(JsError::new(
                "no labelled batches yet: play the scenario until labels arrive",
            ));
        }
        let registry = self.deploy.registry()?;
        let champion = registry
            .champion()
            .and_then(|c| registry.artifact(&c.id))
            .ok_or_else(|| JsError::new("the registry has no champion"))?;
        let (artifact, evaluation, plan) =
            retrain(champion, &labelled, &policy, &req.created).map_err(js_err)?;
        let registry = self.deploy.registry_mut()?;
        let card = registry
            .register(artifact, &plan.note)
            .map_err(js_err)?
            .clone();
        registry.set_challenger(Some(&card.name)).map_err(js_err)?;
        let out = serde_json::json!({
            "version": card.name,
            "note": plan.note,
            "batches": plan.batches,
            "rows": plan.table.rows(),
            "metrics": evaluation.metrics,
            "train_rows": evaluation.train_rows.len(),
            "test_rows": evaluation.test_rows.len(),
        });
        to_js(&out)
    }
}
