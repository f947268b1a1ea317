//! Late labels at the edge: the rows kept for them, and `POST /labels` joined all or
//! nothing.
//!
//! A row id is `<model>-<isolate>-<n>`: the first 8 hex digits of the artifact hash, the
//! isolate's id and the row's number in that isolate. The Durable Object keeps, per delta,
//! a [`Segment`]: the isolate, the first row number, the time, and one predicted class and
//! one "labelled" flag per row; ids resolve to a segment by isolate and range, so no id is
//! stored.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::monitor::performance::{Labelled, Performance, Rules};
use crate::monitor::{alarms, class_index};

use super::{Delta, EdgeMonitor, EdgeMonitorError};

/// The predictions of one delta, kept for their labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The isolate.
    pub isolate: String,
    /// Its first row number.
    pub first: u64,
    /// When it was merged (ms since the epoch).
    pub time: f64,
    /// Per row: the predicted class index, two hex digits.
    pub classes: String,
    /// Per row: `1` once labelled, else `0`.
    pub labelled: String,
}

impl Segment {
    /// Its storage key.
    pub fn key(&self) -> String {
        format!("seg:{}:{}", self.isolate, self.first)
    }

    fn rows(&self) -> u64 {
        self.labelled.len() as u64
    }

    /// Rows not yet labelled.
    pub fn awaiting(&self) -> u64 {
        self.labelled.bytes().filter(|&b| b == b'0').count() as u64
    }

    fn class_of(&self, i: usize) -> Option<usize> {
        let hex = self.classes.get(2 * i..2 * i + 2)?;
        usize::from_str_radix(hex, 16).ok()
    }
}

/// What `POST /labels` joined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelsAnswer {
    /// Labels joined.
    pub joined: usize,
    /// Performance on them.
    pub performance: crate::monitor::PerformanceView,
    /// Alarms they raised.
    pub alarms: Vec<crate::monitor::Alarm>,
}

fn refuse(status: u16, row: Option<usize>, message: String) -> EdgeMonitorError {
    EdgeMonitorError::BadLabels {
        message,
        row,
        status,
    }
}

/// `(id, label)` pairs of a JSON body (`{"labels": [{"id", "label"}, ...]}` or the array
/// alone) or a CSV body with `id` and `label` columns.
fn parse(body: &[u8], csv: bool, max: usize) -> Result<Vec<(String, String)>, EdgeMonitorError> {
    let too_many = || {
        refuse(
            413,
            None,
            format!("more than {max} labels in one request: send them in batches of at most {max}"),
        )
    };
    if csv {
        let mut r = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(body);
        let headers = r
            .headers()
            .map_err(|e| refuse(400, None, format!("the CSV body cannot be read: {e}")))?
            .clone();
        let at = |name: &str| headers.iter().position(|h| h == name);
        let (Some(id), Some(label)) = (at("id"), at("label")) else {
            return Err(refuse(
                400,
                None,
                "the CSV header needs the columns id and label (the id from /score's answer, the true class)".into(),
            ));
        };
        let mut out = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| refuse(400, Some(i), format!("CSV row {i}: {e}")))?;
            if out.len() == max {
                return Err(too_many());
            }
            out.push((
                rec.get(id).unwrap_or("").to_owned(),
                rec.get(label).unwrap_or("").to_owned(),
            ));
        }
        return Ok(out);
    }
    let doc: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        refuse(
            400,
            None,
            format!("the body is not JSON ({e}): send {{\"labels\": [{{\"id\": \"…\", \"label\": \"…\"}}, …]}} or a CSV with id and label columns"),
        )
    })?;
    let entries = match &doc {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => match o.get("labels") {
            Some(serde_json::Value::Array(a)) => a,
            _ => {
                return Err(refuse(
                    400,
                    None,
                    "the body has no \"labels\" array: send {\"labels\": [{\"id\": \"…\", \"label\": \"…\"}, …]}".into(),
                ))
            }
        },
        _ => return Err(refuse(400, None, "send a JSON object with a \"labels\" array".into())),
    };
    if entries.len() > max {
        return Err(too_many());
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let id = e.get("id").and_then(|v| v.as_str()).ok_or_else(|| {
                refuse(400, Some(i), format!("label {i} has no \"id\" string: give the id /score returned with the row"))
            })?;
            let label = match e.get("label") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Bool(b)) => b.to_string(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => {
                    return Err(refuse(
                        400,
                        Some(i),
                        format!("label {i} (id {id:?}): the label must be a class label (a string, a number or a boolean)"),
                    ))
                }
            };
            Ok((id.to_owned(), label))
        })
        .collect()
}

impl EdgeMonitor {
    /// Keeps a delta's predicted classes for their labels, and forgets the rows past the
    /// bounds (rows and hours).
    pub(super) fn keep_for_labels(&mut self, d: &Delta, now: f64) {
        if d.rows > 0 {
            let classes: String = d
                .predicted
                .as_bytes()
                .chunks_exact(4)
                .flat_map(|c| [c[0] as char, c[1] as char])
                .collect();
            let s = Segment {
                isolate: d.isolate.clone(),
                first: d.first_row,
                time: now,
                classes,
                labelled: "0".repeat(d.rows as usize),
            };
            self.changed.insert(s.key());
            self.segments.push_back(s);
        }
        self.forget_old(now);
    }

    fn forget_old(&mut self, now: f64) {
        let mut kept: u64 = self.segments.iter().map(Segment::rows).sum();
        let oldest = now - self.options.label_hours * 3_600_000.0;
        while let Some(s) = self.segments.front() {
            if kept <= self.options.label_rows && s.time >= oldest {
                break;
            }
            kept -= s.rows();
            let key = s.key();
            self.segments.pop_front();
            self.changed.remove(&key);
            self.removed.insert(key);
        }
    }

    /// Joins late labels (a JSON or CSV body, see the [module docs](self)) at `now`. All or
    /// nothing: an id that is malformed, of another model, unknown (never answered, or
    /// forgotten past the bounds), repeated in the body or already labelled, or a label
    /// that is not a class, refuses the whole request with the entry and the fix.
    pub fn labels(
        &mut self,
        body: &[u8],
        csv: bool,
        now: f64,
    ) -> Result<LabelsAnswer, EdgeMonitorError> {
        let Some(positive) = self.positive else {
            return Err(refuse(
                422,
                None,
                format!(
                    "this is a {} model: labels are joined for classifiers only",
                    self.kind
                ),
            ));
        };
        self.forget_old(now);
        let pairs = parse(body, csv, self.options.max_labels)?;
        if pairs.is_empty() {
            return Err(refuse(400, None, "no labels in the body".into()));
        }
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(pairs.len());
        let mut plan = Vec::with_capacity(pairs.len());
        for (i, (id, label)) in pairs.iter().enumerate() {
            if let Some(j) = seen.insert(id.as_str(), i) {
                return Err(refuse(
                    400,
                    Some(i),
                    format!("label {i}: id {id:?} is also label {j}: send each row's label once"),
                ));
            }
            let mut parts = id.splitn(3, '-');
            let (Some(model), Some(isolate), Some(n)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(refuse(400, Some(i), format!("label {i}: {id:?} is not a row id (the ids /score returns look like {}-<isolate>-<n>)", self.short)));
            };
            let Ok(n) = n.parse::<u64>() else {
                return Err(refuse(400, Some(i), format!("label {i}: {id:?} is not a row id (the ids /score returns look like {}-<isolate>-<n>)", self.short)));
            };
            if model != self.short {
                return Err(refuse(409, Some(i), format!("label {i}: id {id:?} is a row of model {model}, and this bundle serves {}: post it to that model's /labels", self.short)));
            }
            let class = class_index(&self.classes, label).ok_or_else(|| {
                refuse(422, Some(i), format!("label {i} (id {id:?}): {label:?} is not a class of this model; use one of {}", self.classes.join(", ")))
            })?;
            let at = self
                .segments
                .iter()
                .position(|s| s.isolate == isolate && n >= s.first && n < s.first + s.rows())
                .ok_or_else(|| {
                    refuse(422, Some(i), format!(
                        "label {i}: id {id:?} is not a row this monitor keeps: it was never answered, or it is older than {} hours or than the last {} rows (labels join within that window)",
                        self.options.label_hours, self.options.label_rows
                    ))
                })?;
            let row = (n - self.segments[at].first) as usize;
            if self.segments[at].labelled.as_bytes().get(row) == Some(&b'1') {
                return Err(refuse(
                    409,
                    Some(i),
                    format!("label {i}: id {id:?} was labelled already: a row is labelled once"),
                ));
            }
            let predicted = self.segments[at].class_of(row).unwrap_or(usize::MAX);
            plan.push((at, row, predicted, class));
        }
        // every label checked: join them
        let mut perf = Performance::default();
        let mut errors = Vec::with_capacity(plan.len());
        for &(at, row, predicted, label) in &plan {
            let s = &mut self.segments[at];
            s.labelled.replace_range(row..row + 1, "1");
            let time = s.time;
            let key = s.key();
            self.changed.insert(key);
            perf.count(predicted, label, positive);
            let mut one = Performance::default();
            one.count(predicted, label, positive);
            self.meta.total.performance.add(&one);
            let hour = (time / 3_600_000.0).floor() * 3_600_000.0;
            if let Some(w) = self.hours.iter_mut().find(|w| w.start == hour) {
                w.performance.add(&one);
                self.changed.insert(super::hour_key(w.start));
            }
            errors.push(predicted != label);
        }
        self.meta.label_posts += 1;
        let batch = self.meta.batches;
        let mut raised: Vec<_> = self
            .meta
            .error_rate
            .watch(errors)
            .iter()
            .map(|f| alarms::error_rate(batch, batch, f))
            .collect();
        self.meta.labelled.push_back((now, perf));
        while self.meta.labelled.len() > super::MAX_LABELLED_BATCHES {
            self.meta.labelled.pop_front();
        }
        let o = &self.options.monitor;
        let rules = Rules {
            window: o.window,
            window_seconds: o.window_seconds,
            recall_drop: o.recall_drop,
            accuracy_drop: o.accuracy_drop,
            min_positives: o.min_positives,
        };
        let labelled: Vec<Labelled> = self
            .meta
            .labelled
            .iter()
            .map(|&(time, performance)| Labelled { time, performance })
            .collect();
        let found = self.meta.performance.judge(&labelled, &rules);
        if let Some(drop) = found.recall_drop {
            raised.push(alarms::recall_drop(
                batch,
                batch,
                rules.window,
                drop.recall,
                drop.accuracy,
                rules.accuracy_drop,
                &self.positive_name,
            ));
        }
        if let Some(accuracy) = found.accuracy_drop {
            raised.push(alarms::accuracy_drop(batch, batch, rules.window, accuracy));
        }
        for a in &raised {
            self.raise(a.clone());
        }
        self.changed.insert("meta".into());
        Ok(LabelsAnswer {
            joined: plan.len(),
            performance: perf.view(),
            alarms: raised,
        })
    }
}
