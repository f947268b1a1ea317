//! `GET /metrics`: the Prometheus text format (version 0.0.4) of the merged state.

use std::fmt::Write;

use super::{EdgeMonitor, ALARM_KINDS, LATENCY_BUCKETS_US};

/// A label value with `\`, `"` and newlines escaped.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn num(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{x}")
    }
}

impl EdgeMonitor {
    /// The metrics at `now`: requests by status, rows, warnings, the latency histogram,
    /// the drift statistic per column over the last day and whether it drifted, labelled
    /// performance, and the alarms (total by kind, and whether the last judged batch
    /// drifted). Counters are since deploy.
    pub fn metrics(&self, now: f64) -> String {
        let mut out = String::new();
        let m = &self.meta;
        let model = esc(&self.model);
        let head = |out: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        head(
            &mut out,
            "driftlab_requests_total",
            "counter",
            "Requests answered, by HTTP status.",
        );
        for (status, n) in &m.total.requests {
            let _ = writeln!(
                out,
                "driftlab_requests_total{{model=\"{model}\",status=\"{status}\"}} {n}"
            );
        }
        head(
            &mut out,
            "driftlab_errors_total",
            "counter",
            "Requests answered with a 4xx or 5xx, by status.",
        );
        for (status, n) in m.total.requests.iter().filter(|(k, _)| k.as_str() >= "400") {
            let _ = writeln!(
                out,
                "driftlab_errors_total{{model=\"{model}\",status=\"{status}\"}} {n}"
            );
        }
        head(&mut out, "driftlab_rows_total", "counter", "Rows scored.");
        let _ = writeln!(
            out,
            "driftlab_rows_total{{model=\"{model}\"}} {}",
            m.total.rows
        );
        head(
            &mut out,
            "driftlab_warnings_total",
            "counter",
            "Input warnings, by column and kind.",
        );
        for w in &m.total.warnings {
            let _ = writeln!(
                out,
                "driftlab_warnings_total{{model=\"{model}\",column=\"{}\",kind=\"{}\"}} {}",
                esc(&w.column),
                esc(&w.kind),
                w.count
            );
        }
        head(
            &mut out,
            "driftlab_predictions_total",
            "counter",
            "Rows by predicted class.",
        );
        for (c, n) in self.classes.iter().zip(&m.total.classes) {
            let _ = writeln!(
                out,
                "driftlab_predictions_total{{model=\"{model}\",class=\"{}\"}} {n}",
                esc(c)
            );
        }
        head(
            &mut out,
            "driftlab_request_duration_seconds",
            "histogram",
            "Time to answer /score, as the isolate measured it.",
        );
        let mut cumulative = 0;
        let total: u64 = m.total.latency.iter().sum();
        for (i, edge) in LATENCY_BUCKETS_US.iter().enumerate() {
            cumulative += m.total.latency.get(i).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "driftlab_request_duration_seconds_bucket{{model=\"{model}\",le=\"{}\"}} {cumulative}",
                num(*edge as f64 / 1e6)
            );
        }
        let _ = writeln!(
            out,
            "driftlab_request_duration_seconds_bucket{{model=\"{model}\",le=\"+Inf\"}} {total}"
        );
        let _ = writeln!(
            out,
            "driftlab_request_duration_seconds_count{{model=\"{model}\"}} {total}"
        );
        let [_, (_, day), _] = self.windows(now);
        let (report, _) = self.drift_of(&day);
        head(
            &mut out,
            "driftlab_drift_statistic",
            "gauge",
            "The drift test's statistic per input column over the last day (the test is a label).",
        );
        if let Some(r) = &report {
            for c in &r.columns {
                let _ = writeln!(
                    out,
                    "driftlab_drift_statistic{{model=\"{model}\",column=\"{}\",test=\"{}\"}} {}",
                    esc(&c.name),
                    c.test.name(),
                    num(c.statistic)
                );
            }
        }
        head(
            &mut out,
            "driftlab_drift_detected",
            "gauge",
            "1 when the column drifted over the last day.",
        );
        if let Some(r) = &report {
            for c in &r.columns {
                let _ = writeln!(
                    out,
                    "driftlab_drift_detected{{model=\"{model}\",column=\"{}\"}} {}",
                    esc(&c.name),
                    u8::from(c.drifted)
                );
            }
        }
        head(
            &mut out,
            "driftlab_dataset_drift",
            "gauge",
            "1 when the last judged batch drifted as a dataset.",
        );
        let drifted = m.last_batch_drifted;
        let _ = writeln!(
            out,
            "driftlab_dataset_drift{{model=\"{model}\"}} {}",
            u8::from(drifted)
        );
        head(
            &mut out,
            "driftlab_alarms_total",
            "counter",
            "Alarms raised, by kind.",
        );
        for kind in ALARM_KINDS {
            let name = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let n = m.alarms_total.get(&name).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "driftlab_alarms_total{{model=\"{model}\",kind=\"{name}\"}} {n}"
            );
        }
        if self.positive.is_some() {
            head(
                &mut out,
                "driftlab_labelled_rows_total",
                "counter",
                "Rows labelled late.",
            );
            let _ = writeln!(
                out,
                "driftlab_labelled_rows_total{{model=\"{model}\"}} {}",
                m.total.performance.rows
            );
            let p = m.total.performance;
            for (name, v) in [
                ("accuracy", p.accuracy()),
                ("recall", p.recall()),
                ("precision", p.precision()),
            ] {
                if let Some(v) = v {
                    head(
                        &mut out,
                        &format!("driftlab_labelled_{name}"),
                        "gauge",
                        &format!("The {name} of the labelled rows since deploy."),
                    );
                    let _ = writeln!(
                        out,
                        "driftlab_labelled_{name}{{model=\"{model}\"}} {}",
                        num(v)
                    );
                }
            }
        }
        out
    }
}
