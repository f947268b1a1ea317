//! A scenario played through the registry: one step at a time, each batch served by the
//! registry's routing and observed by the champion's monitor segment, each late label
//! sent to the segment that observed its batch and to the registry's comparison.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::views::{SegmentView, StepBatch, StepReport, Tagged, Timeline};
use super::{DeployError, Meter};
use crate::artifact::Artifact;
use crate::monitor::{LabelledBatch, Monitor, MonitorOptions, MonitorState};
use crate::registry::{Registry, Served};
use crate::scenario::{Generator, Scenario, ScenarioConfig, MAX_BATCHES};
use crate::table::Table;

/// The `format` of a saved play.
pub const PLAY_FORMAT: &str = "driftlab.play";
/// The newest saved-play version this build reads and writes.
pub const PLAY_VERSION: u32 = 1;
/// Most labelled batches a restored play regenerates for retraining (the monitor keeps
/// the rows of the batches it observes after the restore itself).
const REGENERATED_BATCHES: usize = 100;

/// A saved segment: the version and its monitor's whole state.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedSegment {
    version: String,
    offset: usize,
    monitor: MonitorState,
}

/// A play saved by [`Play::save`]: the scenario (its configuration, how far it was played,
/// the batches added after its end), every segment's monitor state, the served batches
/// waiting for labels and the counters. The rows are not in it: the stream is seeded, so
/// [`Play::restore`] plays the scenario again up to the same step (without the monitor)
/// and gets the same batches back — for the labels still owed and for retraining.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlayState {
    format: String,
    version: u32,
    config: ScenarioConfig,
    /// The fingerprint of the table a table scenario draws from.
    table: Option<u64>,
    position: usize,
    /// Each extension past the script: the step it was made at, the batches it added.
    #[serde(default)]
    extensions: Vec<(usize, usize)>,
    positive_name: Option<String>,
    done: Vec<SavedSegment>,
    current: SavedSegment,
    pending: BTreeMap<usize, Served>,
    next_row: u64,
    stale: u64,
}

impl PlayState {
    /// The scenario saved.
    pub fn config(&self) -> &ScenarioConfig {
        &self.config
    }

    /// The fingerprint of the table the saved scenario draws from (table scenarios).
    pub fn table(&self) -> Option<u64> {
        self.table
    }
}

/// One champion's stretch of the timeline: its monitor, from the scenario batch `offset` on.
#[derive(Debug)]
pub struct Segment {
    /// The version name.
    pub version: String,
    /// The scenario batch of the monitor's batch 0.
    pub offset: usize,
    /// The monitor of this version.
    pub monitor: Monitor,
}

/// A scenario being played through the registry and watched by the monitor.
#[derive(Debug)]
pub struct Play {
    name: String,
    seed: u64,
    scenario: Scenario,
    positive_name: Option<String>,
    /// Finished segments (earlier champions), oldest first.
    done: Vec<Segment>,
    /// The segment of the current champion.
    pub(super) current: Segment,
    /// Served batches waiting for their labels, by scenario batch.
    pending: BTreeMap<usize, Served>,
    /// The next stream row (the routing key).
    next_row: u64,
    /// Labels that could not be added to the comparison because the versions or the mode
    /// changed between serving and labelling.
    stale: u64,
    /// The fingerprint of the table a table scenario draws from.
    table: Option<u64>,
    /// Labelled batches played before a restore, played again from the seed: the monitor
    /// restored has their summaries but not their rows.
    regenerated: Vec<LabelledBatch>,
    /// Batches played before a restore whose labels are still owed, played again: they
    /// join `regenerated` when their labels arrive.
    unlabelled: BTreeMap<usize, crate::scenario::Batch>,
}

fn monitor_options(positive_name: Option<String>) -> MonitorOptions {
    MonitorOptions {
        positive_name,
        ..MonitorOptions::default()
    }
}

/// A scenario seed from JavaScript: a whole number it can hold exactly.
pub(super) fn check_seed(s: f64) -> Result<u64, DeployError> {
    if (0.0..=9_007_199_254_740_991.0).contains(&s) && s.fract() == 0.0 {
        Ok(s as u64)
    } else {
        Err(DeployError::BadSeed(s))
    }
}

impl Play {
    /// Starts scenario `name` (seeded with `seed`, else its own seed), watched by a monitor
    /// of `champion`'s `artifact`; refuses a champion that cannot score the scenario's rows.
    pub fn start(
        name: &str,
        seed: Option<f64>,
        champion: &str,
        artifact: &Artifact,
    ) -> Result<Play, DeployError> {
        let mut config = ScenarioConfig::builtin(name)?;
        if let Some(s) = seed {
            config.seed = check_seed(s)?;
        }
        Play::start_config(config, None, champion, artifact)
    }

    /// Starts `config` (drawn from `table` when its generator is a table's), watched by a
    /// monitor of `champion`'s `artifact`; refuses a champion that cannot score its rows.
    pub fn start_config(
        config: ScenarioConfig,
        table: Option<&Table>,
        champion: &str,
        artifact: &Artifact,
    ) -> Result<Play, DeployError> {
        let fraud = matches!(config.generator, Generator::Fraud);
        let positive_name = fraud.then(|| "fraud".to_owned());
        let name = config.name.clone();
        let (scenario, fingerprint) = match (&config.generator, table) {
            (Generator::Table(_), Some(t)) => {
                (Scenario::with_table(config, t)?, Some(t.fingerprint()))
            }
            (Generator::Table(_), None) => return Err(DeployError::NoTable),
            _ => (Scenario::new(config)?, None),
        };
        // A model trained on other columns cannot answer this scenario's rows: say so now.
        let probe = scenario.reference(5, 0.0, 1)?;
        artifact
            .score_table(&probe)
            .map_err(|e| DeployError::ScenarioMismatch {
                champion: champion.to_owned(),
                scenario: name.clone(),
                error: e.to_string(),
                columns: match scenario.config().generator {
                    Generator::Fraud => "fraud",
                    Generator::Table(_) => "the loaded table",
                    _ => "mean-shift columns x1…",
                },
            })?;
        let monitor = Monitor::new(artifact, monitor_options(positive_name.clone()))?;
        Ok(Play {
            name: scenario.config().name.clone(),
            seed: scenario.config().seed,
            scenario,
            positive_name,
            done: Vec::new(),
            current: Segment {
                version: champion.to_owned(),
                offset: 0,
                monitor,
            },
            pending: BTreeMap::new(),
            next_row: 0,
            stale: 0,
            table: fingerprint,
            regenerated: Vec::new(),
            unlabelled: BTreeMap::new(),
        })
    }

    /// Adds `batches` batches after the stream's end (see [`Scenario::extend`]).
    pub fn extend(&mut self, batches: usize) {
        self.scenario.extend(batches);
    }

    /// Whether the scenario draws from a table.
    pub fn table(&self) -> Option<u64> {
        self.table
    }

    /// The play's state, to continue later with [`Play::restore`].
    pub fn save(&self) -> PlayState {
        let seg = |s: &Segment| SavedSegment {
            version: s.version.clone(),
            offset: s.offset,
            monitor: s.monitor.save(),
        };
        PlayState {
            format: PLAY_FORMAT.to_owned(),
            version: PLAY_VERSION,
            config: self.scenario.config().clone(),
            table: self.table,
            position: self.scenario.position(),
            extensions: self.scenario.extensions().to_vec(),
            positive_name: self.positive_name.clone(),
            done: self.done.iter().map(seg).collect(),
            current: seg(&self.current),
            pending: self.pending.clone(),
            next_row: self.next_row,
            stale: self.stale,
        }
    }

    /// The play saved as `state`, its monitors watching the registry's versions they were
    /// saved with, its scenario played again from the seed up to the saved step (`table`
    /// for a scenario drawn from a table: the one it was saved with, by fingerprint).
    pub fn restore(
        state: PlayState,
        registry: &Registry,
        table: Option<&Table>,
    ) -> Result<Play, DeployError> {
        let bad = |m: String| DeployError::BadSave(m);
        if state.format != PLAY_FORMAT || state.version == 0 || state.version > PLAY_VERSION {
            return Err(bad(format!(
                "format {:?} version {} is not {PLAY_FORMAT:?} version 1 to {PLAY_VERSION}",
                state.format, state.version
            )));
        }
        let mut scenario = match (&state.config.generator, table) {
            (Generator::Table(_), Some(t)) => {
                if Some(t.fingerprint()) != state.table {
                    return Err(DeployError::OtherTable);
                }
                Scenario::with_table(state.config.clone(), t)?
            }
            (Generator::Table(_), None) => return Err(DeployError::NoTable),
            _ => Scenario::new(state.config.clone())?,
        };
        let added: usize = state.extensions.iter().map(|e| e.1).sum();
        if added > MAX_BATCHES || state.extensions.iter().any(|e| e.0 > state.position) {
            return Err(bad(
                "its extensions past the script do not fit its steps".into()
            ));
        }
        let mut regenerated = Vec::new();
        let mut played: BTreeMap<usize, crate::scenario::Batch> = BTreeMap::new();
        for at in 0..state.position {
            // extensions are made between steps: play them again where they were made
            for &(_, batches) in state.extensions.iter().filter(|e| e.0 == at) {
                scenario.extend(batches);
            }
            let Some(step) = scenario.next_step()? else {
                return Err(bad(format!(
                    "it was played to step {} of a scenario of {at} steps",
                    state.position
                )));
            };
            if let Some(b) = step.batch {
                played.insert(b.index, b);
            }
            for r in step.released {
                if let Some(b) = played.remove(&r.batch) {
                    regenerated.push(LabelledBatch {
                        batch: b.index,
                        table: b.labelled()?,
                    });
                    if regenerated.len() > REGENERATED_BATCHES {
                        regenerated.remove(0);
                    }
                }
            }
        }
        for &(_, batches) in state.extensions.iter().filter(|e| e.0 == state.position) {
            scenario.extend(batches);
        }
        let monitor = |s: SavedSegment| -> Result<Segment, DeployError> {
            let artifact = registry.artifact(s.monitor.model()).ok_or_else(|| {
                bad(format!(
                    "the registry has no version {:?} any more",
                    s.version
                ))
            })?;
            Ok(Segment {
                version: s.version,
                offset: s.offset,
                monitor: Monitor::restore(artifact, s.monitor)?,
            })
        };
        let done = state
            .done
            .into_iter()
            .map(monitor)
            .collect::<Result<Vec<_>, _>>()?;
        let current = monitor(state.current)?;
        Ok(Play {
            name: scenario.config().name.clone(),
            seed: scenario.config().seed,
            scenario,
            positive_name: state.positive_name,
            done,
            current,
            pending: state.pending,
            next_row: state.next_row,
            stale: state.stale,
            table: state.table,
            regenerated,
            unlabelled: played,
        })
    }

    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.done.iter().chain(std::iter::once(&self.current))
    }

    /// Every segment's labelled batches, renumbered by scenario batch (after a restore,
    /// the batches labelled before it come from the stream played again).
    pub fn labelled(&self) -> Result<Vec<LabelledBatch>, DeployError> {
        let mut out = Vec::new();
        for s in self.segments() {
            for b in s.monitor.labelled_batches()? {
                out.push(LabelledBatch {
                    batch: b.batch + s.offset,
                    table: b.table,
                });
            }
        }
        for b in &self.regenerated {
            if !out.iter().any(|o| o.batch == b.batch) {
                out.push(b.clone());
            }
        }
        out.sort_by_key(|b| b.batch);
        Ok(out)
    }

    /// Every segment's batches and alarms, numbered by scenario batch.
    pub fn timeline(&self) -> Timeline {
        let mut batches = Vec::new();
        let mut alarms = Vec::new();
        let mut segments = Vec::new();
        for s in self.segments() {
            let snap = s.monitor.snapshot();
            segments.push(SegmentView {
                version: s.version.clone(),
                offset: s.offset,
                model: snap.model,
                positive: snap.positive,
                baseline: snap.baseline,
                overall: snap.overall,
                batches: snap.batches.len(),
            });
            batches.extend(
                snap.batches
                    .into_iter()
                    .map(|b| Tagged::new(b, s.offset, &s.version)),
            );
            alarms.extend(
                snap.alarms
                    .into_iter()
                    .map(|a| Tagged::new(a, s.offset, &s.version)),
            );
        }
        let config = self.scenario.config();
        let options = self.current.monitor.options();
        Timeline {
            scenario: self.name.clone(),
            seed: self.seed,
            position: self.scenario.position(),
            total_steps: self.scenario.total_steps(),
            batches_total: self.scenario.batches_total(),
            batches_scripted: config.batches,
            label_delay: config.label_delay,
            drift_curve: (0..self.scenario.batches_total())
                .map(|t| config.schedule.drift_at(t))
                .collect(),
            finished: self.finished(),
            stale_labels: self.stale,
            drift_share_threshold: options.drift.drift_share,
            window: options.window,
            segments,
            batches,
            alarms,
        }
    }

    fn finished(&self) -> bool {
        self.scenario.position() >= self.scenario.total_steps()
    }

    /// The scenario being played.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Plays one step (see [`super::Session::step`]).
    pub fn step(
        &mut self,
        registry: &mut Registry,
        meter: &mut dyn Meter,
    ) -> Result<StepReport, DeployError> {
        let Some(step) = self.scenario.next_step()? else {
            return Ok(StepReport {
                step: self.scenario.position(),
                finished: true,
                batch: None,
                labels: Vec::new(),
                alarms: Vec::new(),
                stale: self.stale,
            });
        };
        let mut alarms = Vec::new();
        let mut batch_view = None;
        if let Some(batch) = &step.batch {
            let champion = registry.champion().ok_or(DeployError::NoChampion)?.clone();
            // A new champion gets its own monitor from this batch on.
            if champion.id != self.current.monitor.artifact().hash {
                let artifact = registry
                    .artifact(&champion.id)
                    .ok_or(DeployError::ChampionArtifactMissing)?;
                let monitor = Monitor::new(artifact, monitor_options(self.positive_name.clone()))?;
                let old = std::mem::replace(
                    &mut self.current,
                    Segment {
                        version: champion.name.clone(),
                        offset: batch.index,
                        monitor,
                    },
                );
                self.done.push(old);
            }
            let served = registry.serve(&batch.features, self.next_row)?;
            self.next_row += batch.features.rows() as u64;
            let seg = &mut self.current;
            let mut clock = || meter.now_ms();
            let report = seg
                .monitor
                .observe_with_clock(&batch.features, &mut clock)?;
            if let Some(ms) = report.scoring_ms {
                seg.monitor
                    .record_timing(report.batch, ms, meter.memory_bytes())?;
            }
            alarms.extend(
                report
                    .alarms
                    .iter()
                    .map(|a| Tagged::new(a.clone(), seg.offset, &seg.version)),
            );
            batch_view = Some(StepBatch {
                t: batch.index,
                drift: batch.drift,
                rows: batch.features.rows(),
                served: (&served).into(),
                report: Tagged::new(report, seg.offset, &seg.version),
            });
            self.pending.insert(batch.index, served);
        }
        let mut labels = Vec::new();
        for r in &step.released {
            if let Some(b) = self.unlabelled.remove(&r.batch) {
                self.regenerated.push(LabelledBatch {
                    batch: b.index,
                    table: b.labelled()?,
                });
            }
            if let Some(served) = self.pending.remove(&r.batch) {
                if registry.record(&served, &r.labels).is_err() {
                    self.stale += 1;
                }
            }
            // The batch belongs to the current segment only if observed by its monitor.
            let seg = &mut self.current;
            if r.batch >= seg.offset {
                let report = seg.monitor.label(r.batch - seg.offset, &r.labels)?;
                alarms.extend(
                    report
                        .alarms
                        .iter()
                        .map(|a| Tagged::new(a.clone(), seg.offset, &seg.version)),
                );
                labels.push(Tagged::new(report, seg.offset, &seg.version));
            } else if let Some(old) =
                self.done.iter_mut().rev().find(|s| {
                    r.batch >= s.offset && r.batch - s.offset < s.monitor.batches_observed()
                })
            {
                // Labels of a batch the previous champion answered complete its record.
                let report = old.monitor.label(r.batch - old.offset, &r.labels)?;
                labels.push(Tagged::new(report, old.offset, &old.version));
            }
        }
        Ok(StepReport {
            step: step.step,
            finished: self.finished(),
            batch: batch_view,
            labels,
            alarms,
            stale: self.stale,
        })
    }
}
