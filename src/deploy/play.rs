//! A scenario played through the registry: one step at a time, each batch served by the
//! registry's routing and observed by the champion's monitor segment, each late label
//! sent to the segment that observed its batch and to the registry's comparison.

use std::collections::BTreeMap;

use super::views::{SegmentView, StepBatch, StepReport, Tagged, Timeline};
use super::{DeployError, Meter};
use crate::artifact::Artifact;
use crate::monitor::{LabelledBatch, Monitor, MonitorOptions};
use crate::registry::{Registry, Served};
use crate::scenario::{Generator, Scenario, ScenarioConfig};

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
}

fn monitor_options(positive_name: Option<String>) -> MonitorOptions {
    MonitorOptions {
        positive_name,
        ..MonitorOptions::default()
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
            if !(0.0..=9_007_199_254_740_991.0).contains(&s) {
                return Err(DeployError::BadSeed(s));
            }
            config.seed = s as u64;
        }
        let fraud = matches!(config.generator, Generator::Fraud);
        let positive_name = fraud.then(|| "fraud".to_owned());
        let scenario = Scenario::new(config)?;
        // A model trained on other columns cannot answer this scenario's rows: say so now.
        let probe = scenario.reference(5, 0.0, 1)?;
        artifact
            .score_table(&probe)
            .map_err(|e| DeployError::ScenarioMismatch {
                champion: champion.to_owned(),
                scenario: name.to_owned(),
                error: e.to_string(),
                columns: if fraud {
                    "fraud"
                } else {
                    "mean-shift columns x1…"
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
        })
    }

    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.done.iter().chain(std::iter::once(&self.current))
    }

    /// Every segment's labelled batches, renumbered by scenario batch.
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
            batches_total: config.batches,
            label_delay: config.label_delay,
            drift_curve: config.drift_curve(),
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
