//! The model registry: versions with lineage, champion and challenger, traffic modes,
//! a significance-tested comparison, promotion and roll-back.
//!
//! A [`Registry`] holds every registered [`Artifact`] with a [`ModelVersion`] card (`v1`,
//! `v2`, …: parent, data fingerprint, parameters, metrics, creation time). One version is
//! the **champion** (the first registered, until told otherwise), one may be the
//! **challenger**, and a [`TrafficMode`] says who answers:
//!
//! | mode | who answers | who is judged |
//! | --- | --- | --- |
//! | `champion` | the champion, every row | the champion |
//! | `canary` | the challenger on `percent` % of rows, the champion on the rest | each on its own rows (two-proportion z-test) |
//! | `shadow` | the champion, every row; the challenger scores every row too, but its answers are only recorded | both on the same rows (McNemar, and the z-test) |
//! | `ab` | as canary (50 % by default): an experiment rather than a rollout | each on its own rows (z-test) |
//!
//! Routing is deterministic: row `i` goes to the challenger when a seeded hash of `i`
//! (SplitMix64 of `seed ⊕ i`) falls below `percent / 100`, so replaying a stream routes
//! every row the same way, natively and in Wasm.
//!
//! [`Registry::serve`] answers a table of rows; [`Registry::record`] adds the true labels
//! of served rows; [`Registry::compare`] tests whether the challenger is better at
//! accuracy and says so in a sentence. [`Registry::promote`] makes the challenger the
//! champion; [`Registry::rollback`] brings the previous champion back. The whole registry
//! (artifacts included) is `Serialize`/`Deserialize`, for the page's IndexedDB.
//!
//! [`retrain`] (with the `train` feature) builds the next version from the monitor's
//! labelled batches with a window policy, its parent set to the champion.

#[cfg(feature = "train")]
mod retrain;
mod stats;

#[cfg(feature = "train")]
pub use retrain::{concat_tables, retrain, retrain_plan, RetrainPlan, WindowPolicy};
pub use stats::{binom_cdf_half, mcnemar, McNemar, MCNEMAR_EXACT_BELOW};

use serde::{Deserialize, Serialize};

use crate::artifact::{Artifact, ArtifactError};
use crate::drift::{z_test, TestResult};
use crate::metrics::TestMetrics;
use crate::monitor::class_index;
use crate::score::{Prediction, Task};
use crate::table::Table;

/// The `format` field of a serialized registry.
pub const FORMAT: &str = "driftlab.registry";
/// The registry format version written.
pub const VERSION: u32 = 1;

/// What went wrong in the registry. Each message says how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// No version by that id.
    #[error("no model version {0:?} in the registry: use a version name (v1, v2, …) or an artifact hash from the list")]
    UnknownVersion(String),
    /// Nothing registered yet.
    #[error("the registry has no champion: register a model first")]
    NoChampion,
    /// The mode or action needs a challenger.
    #[error("{0} needs a challenger: choose a challenger version first")]
    NoChallenger(&'static str),
    /// A traffic share out of range.
    #[error("traffic share {0} is invalid: use a percentage from 0 to 100")]
    InvalidPercent(f64),
    /// Nothing to roll back to.
    #[error("there is no previous champion to roll back to")]
    NothingToRollBack,
    /// The challenger is the champion.
    #[error("version {0} is already the champion: choose another version as the challenger")]
    SameVersion(String),
    /// Labels do not match the served rows.
    #[error("{served} rows were served but {labels} labels were given: give one label per served row, in order")]
    LabelCount {
        /// Rows served.
        served: usize,
        /// Labels given.
        labels: usize,
    },
    /// A label no version knows.
    #[error("row {row}: label {label:?} is not a class of version {version} ({classes})")]
    UnknownLabel {
        /// The served row index.
        row: u64,
        /// The label.
        label: String,
        /// The version.
        version: String,
        /// Its classes.
        classes: String,
    },
    /// The served rows are from another champion/challenger pair.
    #[error("these rows were served by {served}, but the registry now serves {now}: record labels before changing versions or modes")]
    Stale {
        /// Who served.
        served: String,
        /// Who serves now.
        now: String,
    },
    /// Only classifiers can be compared.
    #[error("version {0} is not a classifier: the registry compares classifiers on accuracy")]
    NotAClassifier(String),
    /// Scoring failed.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// A serialized registry is broken.
    #[error("the saved registry is not valid: {0}; clear it and register the models again")]
    Format(String),
    /// Retraining failed.
    #[error("{0}")]
    Retrain(String),
}

/// A registered version's card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ModelVersion {
    /// `v1`, `v2`, … in order of registration.
    pub name: String,
    /// The artifact hash (the stable id).
    pub id: String,
    /// The parent's artifact hash (the version this one retrains), if any.
    pub parent: Option<String>,
    /// The parent's name, when it is in the registry.
    pub parent_name: Option<String>,
    /// Fingerprint of the training data.
    pub dataset_fingerprint: String,
    /// The model kind.
    pub model_kind: String,
    /// The training parameters.
    #[cfg_attr(ts, tsify(type = "Record<string, unknown>"))]
    pub params: serde_json::Value,
    /// Test metrics at training time.
    pub metrics: Option<TestMetrics>,
    /// Creation time, as stamped by the caller at training.
    pub created: String,
    /// A note (e.g. "retrained on the last 5 batches").
    pub note: String,
}

/// Who answers which rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(ts, derive(tsify::Tsify))]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum TrafficMode {
    /// The champion answers everything.
    #[default]
    Champion,
    /// `percent` % of rows to the challenger.
    Canary {
        /// Share to the challenger, 0 to 100.
        percent: f64,
    },
    /// The champion answers; the challenger scores every row in the shadows.
    Shadow,
    /// An A/B split: `percent` % of rows to the challenger (50 is usual).
    Ab {
        /// Share to the challenger, 0 to 100.
        percent: f64,
    },
}

/// Which version answered a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// The champion.
    Champion,
    /// The challenger.
    Challenger,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The version (name) that gave it.
    pub version: String,
    /// The class label (or value as text).
    pub label: Option<String>,
    /// The raw prediction.
    pub prediction: Prediction,
}

/// One served row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServedRow {
    /// The row's index in the stream (the routing key).
    pub row: u64,
    /// Who answered.
    pub arm: Arm,
    /// The answer served.
    pub served: Answer,
    /// In shadow mode, the challenger's unserved answer.
    pub shadow: Option<Answer>,
}

/// What [`Registry::serve`] returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Served {
    /// The mode in force.
    pub mode: TrafficMode,
    /// The champion's id.
    pub champion: String,
    /// The challenger's id, if any.
    pub challenger: Option<String>,
    /// One entry per input row.
    pub rows: Vec<ServedRow>,
}

/// Outcomes of one version on labelled rows.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ArmStats {
    /// Labelled rows it answered (or shadow-scored).
    pub rows: u64,
    /// Rows it got right.
    pub correct: u64,
    /// Positives it caught.
    pub tp: u64,
    /// Positives it missed.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Negatives it flagged.
    pub fp: u64,
}

impl ArmStats {
    fn accuracy(&self) -> Option<f64> {
        (self.rows > 0).then(|| self.correct as f64 / self.rows as f64)
    }
    fn recall(&self) -> Option<f64> {
        let p = self.tp + self.fn_;
        (p > 0).then(|| self.tp as f64 / p as f64)
    }
}

/// Counts gathered since the champion, the challenger or the mode last changed.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Outcomes {
    /// The champion's outcomes.
    pub champion: ArmStats,
    /// The challenger's outcomes.
    pub challenger: ArmStats,
    /// Paired rows (shadow mode): both right.
    pub both_right: u64,
    /// Paired rows: only the champion right.
    pub champion_only: u64,
    /// Paired rows: only the challenger right.
    pub challenger_only: u64,
    /// Paired rows: both wrong.
    pub both_wrong: u64,
}

/// One version's side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct ArmReport {
    /// The version name.
    pub version: String,
    /// The counts.
    pub stats: ArmStats,
    /// Accuracy.
    pub accuracy: Option<f64>,
    /// Recall of the positive class.
    pub recall: Option<f64>,
}

/// Champion against challenger on the labelled rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct Comparison {
    /// The champion.
    pub champion: ArmReport,
    /// The challenger.
    pub challenger: Option<ArmReport>,
    /// Two-proportion z-test on accuracy; `statistic > 0` when the challenger is more
    /// accurate.
    pub z_test: Option<TestResult>,
    /// McNemar on paired rows (shadow mode).
    pub mcnemar: Option<McNemar>,
    /// The significance level.
    pub alpha: f64,
    /// Which test the verdict rests on: `mcnemar`, `z` or `none`.
    pub test: String,
    /// `challenger`, `champion` or `undecided`.
    pub better: String,
    /// One plain sentence.
    pub verdict: String,
}

/// One entry of the registry's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(ts, derive(tsify::Tsify))]
pub struct RegistryEvent {
    /// 1-based order.
    pub seq: u64,
    /// `register`, `champion`, `challenger`, `mode`, `promote` or `rollback`.
    pub action: String,
    /// The version concerned.
    pub version: Option<String>,
    /// A sentence.
    pub message: String,
}

/// Model versions, champion and challenger, traffic. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registry {
    format: String,
    version: u32,
    seed: u64,
    versions: Vec<ModelVersion>,
    artifacts: Vec<Artifact>,
    champion: Option<String>,
    challenger: Option<String>,
    mode: TrafficMode,
    previous: Vec<String>,
    outcomes: Outcomes,
    events: Vec<RegistryEvent>,
}

/// SplitMix64: a small, well-mixed 64-bit hash.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Registry {
    /// An empty registry; `seed` keys the traffic split.
    pub fn new(seed: u64) -> Registry {
        Registry {
            format: FORMAT.to_owned(),
            version: VERSION,
            seed,
            versions: Vec::new(),
            artifacts: Vec::new(),
            champion: None,
            challenger: None,
            mode: TrafficMode::Champion,
            previous: Vec::new(),
            outcomes: Outcomes::default(),
            events: Vec::new(),
        }
    }

    fn event(&mut self, action: &str, version: Option<&str>, message: String) {
        let seq = self.events.len() as u64 + 1;
        self.events.push(RegistryEvent {
            seq,
            action: action.to_owned(),
            version: version.map(str::to_owned),
            message,
        });
    }

    fn index(&self, id: &str) -> Result<usize, RegistryError> {
        let id = id.trim();
        self.versions
            .iter()
            .position(|v| v.id == id || v.name.eq_ignore_ascii_case(id))
            .ok_or_else(|| RegistryError::UnknownVersion(id.to_owned()))
    }

    fn name_of(&self, id: &str) -> String {
        self.index(id)
            .map_or_else(|_| id.to_owned(), |i| self.versions[i].name.clone())
    }

    /// Registers `artifact` and returns its card. Registering the same artifact again
    /// returns the existing card. The first version becomes the champion.
    pub fn register(
        &mut self,
        artifact: Artifact,
        note: &str,
    ) -> Result<&ModelVersion, RegistryError> {
        if let Ok(i) = self.index(&artifact.hash) {
            return Ok(&self.versions[i]);
        }
        if artifact.hash.is_empty() {
            return Err(RegistryError::Format(
                "the artifact has no hash (build it with training or Artifact::from_bytes)".into(),
            ));
        }
        let name = format!("v{}", self.versions.len() + 1);
        let parent = artifact.lineage.parent.clone();
        let parent_name = parent
            .as_deref()
            .and_then(|p| self.index(p).ok())
            .map(|i| self.versions[i].name.clone());
        let card = ModelVersion {
            name: name.clone(),
            id: artifact.hash.clone(),
            parent,
            parent_name: parent_name.clone(),
            dataset_fingerprint: artifact.lineage.dataset_fingerprint.clone(),
            model_kind: artifact.lineage.model_kind.clone(),
            params: artifact.lineage.params.clone(),
            metrics: artifact.metrics.clone(),
            created: artifact.lineage.created.clone(),
            note: note.to_owned(),
        };
        let id = card.id.clone();
        self.versions.push(card);
        self.artifacts.push(artifact);
        let from = parent_name.map_or(String::new(), |p| format!(", retrained from {p}"));
        self.event("register", Some(&id), format!("registered {name}{from}"));
        if self.champion.is_none() {
            self.champion = Some(id.clone());
            self.event("champion", Some(&id), format!("{name} is the champion"));
        }
        let i = self.versions.len() - 1;
        Ok(&self.versions[i])
    }

    /// Every version, in order of registration.
    pub fn versions(&self) -> &[ModelVersion] {
        &self.versions
    }

    /// A version's card, by name (`v2`) or hash.
    pub fn version(&self, id: &str) -> Option<&ModelVersion> {
        self.index(id).ok().map(|i| &self.versions[i])
    }

    /// A version's artifact, by name or hash.
    pub fn artifact(&self, id: &str) -> Option<&Artifact> {
        self.index(id).ok().map(|i| &self.artifacts[i])
    }

    /// The lineage of a version: itself, its parent, its parent's parent, … (those in the
    /// registry).
    pub fn lineage(&self, id: &str) -> Vec<&ModelVersion> {
        let mut out = Vec::new();
        let mut next = self.index(id).ok();
        while let Some(i) = next {
            if out.len() > self.versions.len() {
                break; // a cycle in a hand-edited registry
            }
            let v = &self.versions[i];
            out.push(v);
            next = v.parent.as_deref().and_then(|p| self.index(p).ok());
        }
        out
    }

    /// The champion's card.
    pub fn champion(&self) -> Option<&ModelVersion> {
        self.champion.as_deref().and_then(|c| self.version(c))
    }

    /// The challenger's card.
    pub fn challenger(&self) -> Option<&ModelVersion> {
        self.challenger.as_deref().and_then(|c| self.version(c))
    }

    /// The traffic mode.
    pub fn mode(&self) -> TrafficMode {
        self.mode
    }

    /// The history of actions.
    pub fn events(&self) -> &[RegistryEvent] {
        &self.events
    }

    /// The outcomes gathered since the last change of champion, challenger or mode.
    pub fn outcomes(&self) -> &Outcomes {
        &self.outcomes
    }

    fn reset_outcomes(&mut self) {
        self.outcomes = Outcomes::default();
    }

    /// Makes `id` the champion directly (the previous one can be rolled back to).
    pub fn set_champion(&mut self, id: &str) -> Result<(), RegistryError> {
        let i = self.index(id)?;
        let new = self.versions[i].id.clone();
        if self.champion.as_deref() == Some(new.as_str()) {
            return Ok(());
        }
        if let Some(old) = self.champion.take() {
            self.previous.push(old);
        }
        if self.challenger.as_deref() == Some(new.as_str()) {
            self.challenger = None;
            self.mode = TrafficMode::Champion;
        }
        self.champion = Some(new.clone());
        self.reset_outcomes();
        let name = self.versions[i].name.clone();
        self.event("champion", Some(&new), format!("{name} is the champion"));
        Ok(())
    }

    /// Sets (or with `None` clears) the challenger. Clearing it returns all traffic to
    /// the champion.
    pub fn set_challenger(&mut self, id: Option<&str>) -> Result<(), RegistryError> {
        match id {
            None => {
                self.challenger = None;
                self.mode = TrafficMode::Champion;
                self.event("challenger", None, "no challenger".into());
            }
            Some(id) => {
                let i = self.index(id)?;
                let new = self.versions[i].id.clone();
                if self.champion.as_deref() == Some(new.as_str()) {
                    return Err(RegistryError::SameVersion(self.versions[i].name.clone()));
                }
                let name = self.versions[i].name.clone();
                self.challenger = Some(new.clone());
                self.event(
                    "challenger",
                    Some(&new),
                    format!("{name} is the challenger"),
                );
            }
        }
        self.reset_outcomes();
        Ok(())
    }

    /// Sets the traffic mode (percentages in `[0, 100]`; every mode but `champion` needs a
    /// challenger). The outcomes gathered so far are cleared.
    pub fn set_mode(&mut self, mode: TrafficMode) -> Result<(), RegistryError> {
        if let TrafficMode::Canary { percent } | TrafficMode::Ab { percent } = mode {
            if !(percent.is_finite() && (0.0..=100.0).contains(&percent)) {
                return Err(RegistryError::InvalidPercent(percent));
            }
        }
        if mode != TrafficMode::Champion && self.challenger.is_none() {
            return Err(RegistryError::NoChallenger(match mode {
                TrafficMode::Canary { .. } => "canary",
                TrafficMode::Shadow => "shadow",
                _ => "an A/B test",
            }));
        }
        self.mode = mode;
        self.reset_outcomes();
        let text = match mode {
            TrafficMode::Champion => "all traffic to the champion".to_owned(),
            TrafficMode::Canary { percent } => format!("canary: {percent}% to the challenger"),
            TrafficMode::Shadow => "shadow: the challenger scores every row, unserved".into(),
            TrafficMode::Ab { percent } => format!("A/B: {percent}% to the challenger"),
        };
        self.event("mode", None, text);
        Ok(())
    }

    /// Who answers stream row `row` in the current mode.
    pub fn route(&self, row: u64) -> Arm {
        let percent = match self.mode {
            TrafficMode::Canary { percent } | TrafficMode::Ab { percent } => percent,
            _ => return Arm::Champion,
        };
        if self.challenger.is_none() {
            return Arm::Champion;
        }
        let h = splitmix64(self.seed ^ splitmix64(row));
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        if u < percent / 100.0 {
            Arm::Challenger
        } else {
            Arm::Champion
        }
    }

    fn scored(&self, id: &str, table: &Table) -> Result<Vec<Answer>, RegistryError> {
        let i = self.index(id)?;
        let a = &self.artifacts[i];
        let name = self.versions[i].name.clone();
        Ok(a.score_table(table)?
            .into_iter()
            .map(|s| Answer {
                version: name.clone(),
                label: s.label.or_else(|| Some(format!("{}", s.prediction.value))),
                prediction: s.prediction,
            })
            .collect())
    }

    /// Answers every row of `table` (stream rows `first_row`, `first_row + 1`, …) in the
    /// current mode. In shadow mode the challenger's answers ride along in
    /// [`ServedRow::shadow`] and are never served.
    pub fn serve(&self, table: &Table, first_row: u64) -> Result<Served, RegistryError> {
        let champion = self.champion.clone().ok_or(RegistryError::NoChampion)?;
        let champ = self.scored(&champion, table)?;
        let needs_challenger = self.mode != TrafficMode::Champion && self.challenger.is_some();
        let chall = match (&self.challenger, needs_challenger) {
            (Some(c), true) => Some(self.scored(c, table)?),
            _ => None,
        };
        let shadow = self.mode == TrafficMode::Shadow;
        let mut rows = Vec::with_capacity(champ.len());
        let mut chall = chall.map(|v| v.into_iter());
        for (i, answer) in champ.into_iter().enumerate() {
            let row = first_row.saturating_add(i as u64);
            let other = chall.as_mut().and_then(Iterator::next);
            let arm = self.route(row);
            let (arm, served, shadow_answer) = match (arm, other) {
                (_, Some(o)) if shadow => (Arm::Champion, answer, Some(o)),
                (Arm::Challenger, Some(o)) => (Arm::Challenger, o, None),
                _ => (Arm::Champion, answer, None),
            };
            rows.push(ServedRow {
                row,
                arm,
                served,
                shadow: shadow_answer,
            });
        }
        Ok(Served {
            mode: self.mode,
            champion,
            challenger: self.challenger.clone(),
            rows,
        })
    }

    fn positive(&self, id: &str) -> Option<String> {
        let a = self.artifact(id)?;
        a.classes.get(usize::from(a.classes.len() >= 2)).cloned()
    }

    /// Adds the true labels of `served` rows (one per row, in order) to the outcomes.
    /// The rows must have been served by the current champion and challenger.
    pub fn record<S: AsRef<str>>(
        &mut self,
        served: &Served,
        labels: &[S],
    ) -> Result<(), RegistryError> {
        if labels.len() != served.rows.len() {
            return Err(RegistryError::LabelCount {
                served: served.rows.len(),
                labels: labels.len(),
            });
        }
        let now = self.champion.clone().ok_or(RegistryError::NoChampion)?;
        if served.champion != now
            || served.mode != self.mode
            || served.challenger != self.challenger
        {
            return Err(RegistryError::Stale {
                served: self.name_of(&served.champion),
                now: self.name_of(&now),
            });
        }
        let positive = self.positive(&now);
        let mut out = self.outcomes;
        for (r, label) in served.rows.iter().zip(labels) {
            let label = label.as_ref();
            let right = |answer: &Answer| -> Result<bool, RegistryError> {
                let a = self
                    .artifact(&answer.version)
                    .ok_or_else(|| RegistryError::UnknownVersion(answer.version.clone()))?;
                if a.model.task() != Task::Classification {
                    return Err(RegistryError::NotAClassifier(answer.version.clone()));
                }
                let truth =
                    class_index(&a.classes, label).ok_or_else(|| RegistryError::UnknownLabel {
                        row: r.row,
                        label: label.to_owned(),
                        version: answer.version.clone(),
                        classes: a.classes.join(", "),
                    })?;
                Ok(answer.prediction.value == truth as f64)
            };
            let is_pos = positive
                .as_deref()
                .is_some_and(|p| class_index(std::slice::from_ref(&p.to_owned()), label).is_some());
            let tally = |s: &mut ArmStats, answer: &Answer, ok: bool| {
                s.rows += 1;
                s.correct += u64::from(ok);
                let said_pos = answer.label.as_deref() == positive.as_deref();
                match (is_pos, said_pos) {
                    (true, true) => s.tp += 1,
                    (true, false) => s.fn_ += 1,
                    (false, true) => s.fp += 1,
                    (false, false) => {}
                }
            };
            let served_ok = right(&r.served)?;
            match r.arm {
                Arm::Champion => tally(&mut out.champion, &r.served, served_ok),
                Arm::Challenger => tally(&mut out.challenger, &r.served, served_ok),
            }
            if let Some(sh) = &r.shadow {
                let ok = right(sh)?;
                tally(&mut out.challenger, sh, ok);
                match (served_ok, ok) {
                    (true, true) => out.both_right += 1,
                    (true, false) => out.champion_only += 1,
                    (false, true) => out.challenger_only += 1,
                    (false, false) => out.both_wrong += 1,
                }
            }
        }
        self.outcomes = out;
        Ok(())
    }

    /// Compares champion and challenger on the recorded outcomes at level `alpha` (0.05 if
    /// not in `(0, 1)`): McNemar when rows are paired (shadow mode), else the pooled
    /// two-proportion z-test on accuracy; with a one-sentence verdict.
    pub fn compare(&self, alpha: f64) -> Result<Comparison, RegistryError> {
        let alpha = if alpha > 0.0 && alpha < 1.0 {
            alpha
        } else {
            0.05
        };
        let champion = self.champion().ok_or(RegistryError::NoChampion)?;
        let o = &self.outcomes;
        let arm = |v: &ModelVersion, s: &ArmStats| ArmReport {
            version: v.name.clone(),
            stats: *s,
            accuracy: s.accuracy(),
            recall: s.recall(),
        };
        let champ = arm(champion, &o.champion);
        let chall = self.challenger().map(|v| arm(v, &o.challenger));
        let z = match &chall {
            Some(c) if c.stats.rows > 0 && champ.stats.rows > 0 => z_test(
                c.stats.correct,
                c.stats.rows,
                champ.stats.correct,
                champ.stats.rows,
            )
            .ok(),
            _ => None,
        };
        let paired = o.both_right + o.champion_only + o.challenger_only + o.both_wrong;
        let mc = (paired > 0).then(|| {
            mcnemar(
                o.both_right,
                o.champion_only,
                o.challenger_only,
                o.both_wrong,
            )
        });
        let pct = |x: Option<f64>| x.map_or("n/a".to_owned(), |x| format!("{:.1}%", 100.0 * x));
        let p_text = |p: f64| {
            if p < 1e-4 {
                format!("{p:.1e}")
            } else {
                format!("{p:.4}")
            }
        };
        let (test, better, verdict) = match (&chall, mc, z) {
            (None, _, _) => (
                "none",
                "undecided",
                format!("{} is the only model in service: register a challenger to compare.", champ.version),
            ),
            (Some(c), _, _) if c.stats.rows == 0 || champ.stats.rows == 0 => (
                "none",
                "undecided",
                "No labelled rows for both versions yet: serve rows and record their labels to compare.".to_owned(),
            ),
            (Some(c), Some(m), _) => {
                let head = format!(
                    "On the same {paired} rows the challenger {} was right {} of the time and the champion {} {}; where only one was right, the challenger won {} times and the champion {} (McNemar{}, p = {})",
                    c.version,
                    pct(c.accuracy),
                    champ.version,
                    pct(champ.accuracy),
                    m.challenger_only,
                    m.champion_only,
                    if m.exact { " exact" } else { "" },
                    p_text(m.p_value)
                );
                let (better, tail) = decide(m.p_value, alpha, m.challenger_only as f64 - m.champion_only as f64);
                ("mcnemar", better, format!("{head}: {tail}"))
            }
            (Some(c), None, Some(z)) => {
                let head = format!(
                    "The challenger {} was right on {} of its {} rows and the champion {} on {} of its {} (two-proportion z = {:.2}, p = {})",
                    c.version,
                    pct(c.accuracy),
                    c.stats.rows,
                    champ.version,
                    pct(champ.accuracy),
                    champ.stats.rows,
                    z.statistic,
                    p_text(z.p_value)
                );
                let (better, tail) = decide(z.p_value, alpha, z.statistic);
                ("z", better, format!("{head}: {tail}"))
            }
            (Some(_), None, None) => (
                "none",
                "undecided",
                "The comparison could not be computed from the recorded rows.".to_owned(),
            ),
        };
        Ok(Comparison {
            champion: champ,
            challenger: chall,
            z_test: z,
            mcnemar: mc,
            alpha,
            test: test.to_owned(),
            better: better.to_owned(),
            verdict,
        })
    }

    /// Makes the challenger the champion (the old champion can be rolled back to); all
    /// traffic goes to the new champion.
    pub fn promote(&mut self) -> Result<(), RegistryError> {
        let new = self
            .challenger
            .take()
            .ok_or(RegistryError::NoChallenger("promotion"))?;
        if let Some(old) = self.champion.take() {
            self.previous.push(old);
        }
        self.champion = Some(new.clone());
        self.mode = TrafficMode::Champion;
        self.reset_outcomes();
        let name = self.name_of(&new);
        self.event(
            "promote",
            Some(&new),
            format!("{name} promoted to champion"),
        );
        Ok(())
    }

    /// Brings back the previous champion; the current one leaves service (it stays
    /// registered). All traffic goes to the restored champion.
    pub fn rollback(&mut self) -> Result<(), RegistryError> {
        let back = self
            .previous
            .pop()
            .ok_or(RegistryError::NothingToRollBack)?;
        let old = self.champion.replace(back.clone());
        self.challenger = None;
        self.mode = TrafficMode::Champion;
        self.reset_outcomes();
        let name = self.name_of(&back);
        let from = old.map_or(String::new(), |o| {
            format!(" (replacing {})", self.name_of(&o))
        });
        self.event(
            "rollback",
            Some(&back),
            format!("rolled back to {name}{from}"),
        );
        Ok(())
    }

    /// The registry as JSON bytes (artifacts included).
    pub fn to_bytes(&self) -> Result<Vec<u8>, RegistryError> {
        serde_json::to_vec(self).map_err(|e| RegistryError::Format(e.to_string()))
    }

    /// Reads a registry written by [`Registry::to_bytes`] and checks it: format, version,
    /// one artifact per card with matching hashes, champion and challenger registered.
    pub fn from_bytes(bytes: &[u8]) -> Result<Registry, RegistryError> {
        let r: Registry =
            serde_json::from_slice(bytes).map_err(|e| RegistryError::Format(e.to_string()))?;
        if r.format != FORMAT {
            return Err(RegistryError::Format(format!(
                "format {:?} is not {FORMAT}",
                r.format
            )));
        }
        if r.version > VERSION {
            return Err(RegistryError::Format(format!(
                "version {} is newer than this driftlab reads ({VERSION}); update driftlab",
                r.version
            )));
        }
        if r.versions.len() != r.artifacts.len()
            || r.versions
                .iter()
                .zip(&r.artifacts)
                .any(|(v, a)| v.id != a.hash)
        {
            return Err(RegistryError::Format(
                "the version cards and the artifacts disagree".into(),
            ));
        }
        for a in &r.artifacts {
            let computed = a.content_hash()?;
            if computed != a.hash {
                return Err(RegistryError::Format(format!(
                    "artifact {} was changed",
                    a.hash
                )));
            }
            a.validate()?;
        }
        for id in r.champion.iter().chain(&r.challenger).chain(&r.previous) {
            r.index(id)?;
        }
        if r.challenger.is_none() && r.mode != TrafficMode::Champion {
            return Err(RegistryError::Format(
                "a traffic mode without a challenger".into(),
            ));
        }
        Ok(r)
    }
}

fn decide(p: f64, alpha: f64, direction: f64) -> (&'static str, String) {
    if p < alpha && direction > 0.0 {
        (
            "challenger",
            format!("below {alpha}, the challenger is significantly better: promote it."),
        )
    } else if p < alpha && direction < 0.0 {
        ("champion", format!("below {alpha}, the champion is significantly better: keep it and retire the challenger."))
    } else {
        (
            "undecided",
            format!(
                "not below {alpha}, no significant difference yet: keep collecting labelled rows."
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_stable() {
        // Reference values of SplitMix64 (Vigna) for state 0 → first output.
        assert_eq!(splitmix64(0), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn routing_without_a_challenger_is_the_champion() {
        let r = Registry::new(1);
        assert_eq!(r.route(5), Arm::Champion);
        assert!(matches!(r.compare(0.05), Err(RegistryError::NoChampion)));
    }

    #[test]
    fn decisions() {
        assert_eq!(decide(0.01, 0.05, 1.0).0, "challenger");
        assert_eq!(decide(0.01, 0.05, -1.0).0, "champion");
        assert_eq!(decide(0.2, 0.05, 1.0).0, "undecided");
    }

    #[test]
    fn broken_bytes_are_refused() {
        assert!(Registry::from_bytes(b"nope").is_err());
        let mut r = Registry::new(1);
        r.format = "x".into();
        assert!(Registry::from_bytes(&r.to_bytes().unwrap()).is_err());
        let ok = Registry::new(2);
        assert_eq!(Registry::from_bytes(&ok.to_bytes().unwrap()).unwrap(), ok);
    }
}
