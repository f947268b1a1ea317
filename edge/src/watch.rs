//! Monitoring in the isolate: running summaries of what the scorer is asked and answers,
//! written as a sketch delta for the Durable Object (`driftlab::monitor::edge::Delta`,
//! whose docs say what each member means and where the merging happens).
//!
//! A request is summarised into its own [`Acc`] while it is scored and added to the
//! isolate's only when the whole request succeeded, so a refused request leaves no trace
//! but its status. Numeric values wait in a buffer of at most [`BUFFER`] values per column,
//! then go into the core's t-digest ([`Sketch`]); memory stays bounded whatever the
//! traffic between two deltas.

use driftlab::{
    monitor::edge::{DELTA_FORMAT, DELTA_VERSION, LATENCY_BUCKETS_US},
    prep::RowWarning,
    profile::Sketch,
    score::Prediction,
    table::{Cell, ColumnKind},
};

use crate::json;

/// Numeric values buffered per column before they are sketched.
const BUFFER: usize = 4096;
/// Category labels counted one by one per column (the rest are pooled).
const MAX_LABELS: usize = 1000;

enum Col {
    Num {
        missing: u64,
        infinite: u64,
        /// finite values summarised in `sketch` and `buffer`: count, mean, m2, min, max
        n: u64,
        mean: f64,
        m2: f64,
        min: f64,
        max: f64,
        integer: bool,
        buffer: Vec<f64>,
        sketch: Sketch,
    },
    Cat {
        missing: u64,
        labels: Vec<(String, u64)>,
    },
}

impl Col {
    fn new(kind: ColumnKind) -> Col {
        match kind {
            ColumnKind::Numeric => Col::Num {
                missing: 0,
                infinite: 0,
                n: 0,
                mean: 0.0,
                m2: 0.0,
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
                integer: true,
                buffer: Vec::new(),
                sketch: Sketch::default(),
            },
            _ => Col::Cat {
                missing: 0,
                labels: Vec::new(),
            },
        }
    }

    fn observe(&mut self, cell: &Cell<'_>) {
        match self {
            Col::Num {
                missing,
                infinite,
                n,
                mean,
                m2,
                min,
                max,
                integer,
                buffer,
                ..
            } => match cell {
                Cell::Number(x) if x.is_finite() => {
                    let x = *x;
                    *n += 1;
                    let d = x - *mean;
                    *mean += d / *n as f64;
                    *m2 += d * (x - *mean);
                    *min = min.min(x);
                    *max = max.max(x);
                    *integer &= x.fract() == 0.0;
                    buffer.push(x);
                }
                Cell::Number(x) if x.is_infinite() => *infinite += 1,
                Cell::Bool(b) => {
                    // a boolean in a numeric input is read as 0/1 by the pipeline
                    self.observe(&Cell::Number(f64::from(u8::from(*b))))
                }
                _ => *missing += 1,
            },
            Col::Cat { missing, labels } => {
                let label = match cell {
                    Cell::Category(s) => *s,
                    Cell::Bool(true) => "true",
                    Cell::Bool(false) => "false",
                    Cell::Missing => {
                        *missing += 1;
                        return;
                    }
                    Cell::Number(_) => "(number)",
                };
                add_label(labels, label, 1);
            }
        }
    }

    /// Adds another summary of the same column.
    fn add(&mut self, o: &mut Col) {
        match (self, o) {
            (
                Col::Num {
                    missing,
                    infinite,
                    n,
                    mean,
                    m2,
                    min,
                    max,
                    integer,
                    buffer,
                    sketch,
                },
                Col::Num {
                    missing: om,
                    infinite: oi,
                    n: on,
                    mean: omean,
                    m2: om2,
                    min: omin,
                    max: omax,
                    integer: oint,
                    buffer: obuf,
                    ..
                },
            ) => {
                *missing += *om;
                *infinite += *oi;
                if *on > 0 {
                    let (na, nb) = (*n as f64, *on as f64);
                    let total = na + nb;
                    let d = *omean - *mean;
                    *mean += d * nb / total;
                    *m2 += *om2 + d * d * na * nb / total;
                    *n += *on;
                    *min = min.min(*omin);
                    *max = max.max(*omax);
                    *integer &= *oint;
                    buffer.append(obuf);
                    if buffer.len() >= BUFFER {
                        flush(buffer, sketch);
                    }
                }
            }
            (
                Col::Cat { missing, labels },
                Col::Cat {
                    missing: om,
                    labels: ol,
                },
            ) => {
                *missing += *om;
                for (l, c) in ol.drain(..) {
                    add_label(labels, &l, c);
                }
            }
            _ => {}
        }
    }
}

fn add_label(labels: &mut Vec<(String, u64)>, label: &str, n: u64) {
    if let Some(e) = labels.iter_mut().find(|e| e.0 == label) {
        e.1 += n;
    } else if labels.len() < MAX_LABELS {
        labels.push((label.to_owned(), n));
    } else {
        add_label_pooled(labels, n);
    }
}

fn add_label_pooled(labels: &mut [(String, u64)], n: u64) {
    // past the cap, unseen labels are pooled under one name the profile cannot hold
    if let Some(e) = labels.iter_mut().find(|e| e.0 == "(other)") {
        e.1 += n;
    } else if let Some(last) = labels.last_mut() {
        *last = ("(other)".to_owned(), last.1 + n);
    }
}

fn flush(buffer: &mut Vec<f64>, sketch: &mut Sketch) {
    if buffer.is_empty() {
        return;
    }
    // LSD radix, as the core's profile sorts (several times faster than a comparison sort)
    radsort::sort(buffer);
    let s = Sketch::from_sorted_bounded(buffer);
    *sketch = sketch.merge(&s);
    buffer.clear();
}

/// The summaries of some requests (one request while it is scored; the isolate's since
/// its last delta).
pub(crate) struct Acc {
    rows: u64,
    columns: Vec<Col>,
    classes: Vec<u64>,
    /// CBPE's sums: rows, confidence, tp, predicted positive, Σ positive probability
    cbpe: (u64, f64, f64, f64, f64),
    warnings: Vec<(String, String, u64)>,
    predicted: Vec<u8>,
}

impl Acc {
    pub(crate) fn new(kinds: &[ColumnKind], classes: usize) -> Acc {
        Acc {
            rows: 0,
            columns: kinds.iter().map(|&k| Col::new(k)).collect(),
            classes: vec![0; classes],
            cbpe: (0, 0.0, 0.0, 0.0, 0.0),
            warnings: Vec::new(),
            predicted: Vec::new(),
        }
    }

    /// Records one scored row.
    pub(crate) fn observe(&mut self, cells: &[Cell<'_>], warnings: &[RowWarning], p: &Prediction) {
        self.rows += 1;
        for (c, cell) in self.columns.iter_mut().zip(cells) {
            c.observe(cell);
        }
        for w in warnings {
            match self
                .warnings
                .iter_mut()
                .find(|e| e.0 == w.column && e.1 == w.kind)
            {
                Some(e) => e.2 += 1,
                None => self.warnings.push((w.column.clone(), w.kind.clone(), 1)),
            }
        }
        if !self.classes.is_empty() {
            let class = (p.value as usize).min(self.classes.len() - 1);
            self.classes[class] += 1;
            let positive = usize::from(self.classes.len() >= 2);
            let pp = p.probabilities.get(positive).copied().unwrap_or(0.0);
            let conf = p.probabilities.get(class).copied().unwrap_or(0.0);
            if !p.probabilities.is_empty() {
                let s = &mut self.cbpe;
                s.0 += 1;
                s.1 += conf;
                if class == positive {
                    s.2 += pp;
                    s.3 += 1.0;
                }
                s.4 += pp;
            }
            let q = (pp.clamp(0.0, 1.0) * 255.0).round() as u8;
            hex(&mut self.predicted, class.min(255) as u8);
            hex(&mut self.predicted, q);
        }
    }

    /// Adds a request's summaries.
    pub(crate) fn add(&mut self, mut o: Acc) {
        self.rows += o.rows;
        for (a, b) in self.columns.iter_mut().zip(o.columns.iter_mut()) {
            a.add(b);
        }
        for (a, b) in self.classes.iter_mut().zip(&o.classes) {
            *a += b;
        }
        let (s, t) = (&mut self.cbpe, o.cbpe);
        s.0 += t.0;
        s.1 += t.1;
        s.2 += t.2;
        s.3 += t.3;
        s.4 += t.4;
        for (col, kind, n) in &o.warnings {
            match self
                .warnings
                .iter_mut()
                .find(|e| &e.0 == col && &e.1 == kind)
            {
                Some(e) => e.2 += n,
                // copied, not moved: `o` lives in the request's memory (see arena.rs)
                None => self.warnings.push((col.clone(), kind.clone(), *n)),
            }
        }
        self.predicted.append(&mut o.predicted);
    }

    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }
}

fn hex(out: &mut Vec<u8>, b: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push(DIGITS[usize::from(b >> 4)]);
    out.push(DIGITS[usize::from(b & 15)]);
}

/// What a watch carries over a delta.
pub(crate) struct Restart {
    isolate: String,
    model: String,
    inputs: Vec<(String, ColumnKind)>,
    classes: usize,
    seq: u64,
    next_row: u64,
}

/// The isolate's monitoring state.
pub(crate) struct Watch {
    pub(crate) isolate: String,
    pub(crate) short: String,
    model: String,
    names: Vec<String>,
    kinds: Vec<ColumnKind>,
    classes: usize,
    seq: u64,
    /// the next row number, and the first of the current delta
    pub(crate) next_row: u64,
    first_row: u64,
    requests: Vec<(u16, u64)>,
    latency: [u64; LATENCY_BUCKETS_US.len() + 1],
    pub(crate) acc: Acc,
}

impl Watch {
    pub(crate) fn new(
        isolate: &str,
        model: &str,
        inputs: &[(String, ColumnKind)],
        classes: usize,
    ) -> Watch {
        let kinds: Vec<ColumnKind> = inputs.iter().map(|i| i.1).collect();
        Watch {
            isolate: isolate.to_owned(),
            short: driftlab::monitor::edge::short_hash(model),
            model: model.to_owned(),
            names: inputs.iter().map(|i| i.0.clone()).collect(),
            acc: Acc::new(&kinds, classes),
            kinds,
            classes,
            seq: 0,
            next_row: 0,
            first_row: 0,
            requests: Vec::new(),
            latency: [0; LATENCY_BUCKETS_US.len() + 1],
        }
    }

    /// What the next watch carries over (copied out of the monitoring region).
    pub(crate) fn restart_parts(&self) -> Restart {
        Restart {
            isolate: self.isolate.clone(),
            model: self.model.clone(),
            inputs: self
                .names
                .iter()
                .cloned()
                .zip(self.kinds.iter().copied())
                .collect(),
            classes: self.classes,
            seq: self.seq,
            next_row: self.next_row,
        }
    }

    /// The watch after a delta, from what [`restart_parts`](Self::restart_parts) kept.
    pub(crate) fn restart(r: Restart) -> Watch {
        let mut w = Watch::new(&r.isolate, &r.model, &r.inputs, r.classes);
        w.seq = r.seq;
        w.next_row = r.next_row;
        w.first_row = r.next_row;
        w
    }

    /// A fresh per-request accumulator.
    pub(crate) fn request(&self) -> Acc {
        Acc::new(&self.kinds, self.classes)
    }

    /// Counts a request's status and time.
    pub(crate) fn record(&mut self, status: u16, micros: u64) {
        match self.requests.iter_mut().find(|e| e.0 == status) {
            Some(e) => e.1 += 1,
            None => self.requests.push((status, 1)),
        }
        let bucket = LATENCY_BUCKETS_US
            .iter()
            .position(|&e| micros <= e)
            .unwrap_or(LATENCY_BUCKETS_US.len());
        self.latency[bucket] += 1;
    }

    /// Requests since the last delta.
    pub(crate) fn pending_requests(&self) -> u64 {
        self.requests.iter().map(|e| e.1).sum()
    }

    /// Writes the delta of everything since the last one and starts the next.
    pub(crate) fn take_delta(&mut self) -> Vec<u8> {
        self.seq += 1;
        let acc = std::mem::replace(&mut self.acc, Acc::new(&self.kinds, self.classes));
        let mut out = Vec::with_capacity(512 + acc.predicted.len());
        out.extend_from_slice(b"{\"format\":");
        json::write_str(&mut out, DELTA_FORMAT);
        out.extend_from_slice(b",\"version\":");
        json::write_u64(&mut out, u64::from(DELTA_VERSION));
        out.extend_from_slice(b",\"model\":");
        json::write_str(&mut out, &self.model);
        out.extend_from_slice(b",\"isolate\":");
        json::write_str(&mut out, &self.isolate);
        out.extend_from_slice(b",\"seq\":");
        json::write_u64(&mut out, self.seq);
        out.extend_from_slice(b",\"requests\":{");
        self.requests.sort_unstable();
        for (i, (status, n)) in self.requests.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            json::write_u64(&mut out, u64::from(*status));
            out.extend_from_slice(b"\":");
            json::write_u64(&mut out, *n);
        }
        out.extend_from_slice(b"},\"rows\":");
        json::write_u64(&mut out, acc.rows);
        out.extend_from_slice(b",\"first_row\":");
        json::write_u64(&mut out, self.first_row);
        out.extend_from_slice(b",\"latency\":");
        write_u64s(&mut out, &self.latency);
        out.extend_from_slice(b",\"columns\":[");
        let mut columns = acc.columns;
        for (i, (col, name)) in columns.iter_mut().zip(&self.names).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"name\":");
            json::write_str(&mut out, name);
            out.extend_from_slice(b",\"kind\":");
            json::write_str(
                &mut out,
                match self.kinds[i] {
                    ColumnKind::Numeric => "numeric",
                    ColumnKind::Categorical => "categorical",
                    ColumnKind::Boolean => "boolean",
                },
            );
            match col {
                Col::Num {
                    missing,
                    infinite,
                    n,
                    mean,
                    m2,
                    min,
                    max,
                    integer,
                    buffer,
                    sketch,
                } => {
                    flush(buffer, sketch);
                    let (lo, hi) = if *n > 0 { (*min, *max) } else { (0.0, 0.0) };
                    out.extend_from_slice(b",\"count\":");
                    json::write_u64(&mut out, *n + *infinite);
                    out.extend_from_slice(b",\"missing\":");
                    json::write_u64(&mut out, *missing);
                    out.extend_from_slice(b",\"infinite\":");
                    json::write_u64(&mut out, *infinite);
                    out.extend_from_slice(b",\"moments\":");
                    write_f64s(&mut out, &[lo, hi, *mean, *m2]);
                    out.extend_from_slice(b",\"integer\":");
                    out.extend_from_slice(if *integer { b"true" } else { b"false" });
                    out.extend_from_slice(b",\"sketch\":{\"count\":");
                    json::write_u64(&mut out, sketch.count);
                    out.extend_from_slice(b",\"min\":");
                    json::write_f64(&mut out, if *n > 0 { sketch.min } else { 0.0 });
                    out.extend_from_slice(b",\"max\":");
                    json::write_f64(&mut out, if *n > 0 { sketch.max } else { 0.0 });
                    out.extend_from_slice(b",\"centroids\":[");
                    for (j, c) in sketch.centroids.iter().enumerate() {
                        if j > 0 {
                            out.push(b',');
                        }
                        write_f64s(&mut out, c);
                    }
                    out.extend_from_slice(b"]}}");
                }
                Col::Cat { missing, labels } => {
                    let count: u64 = labels.iter().map(|l| l.1).sum();
                    out.extend_from_slice(b",\"count\":");
                    json::write_u64(&mut out, count);
                    out.extend_from_slice(b",\"missing\":");
                    json::write_u64(&mut out, *missing);
                    out.extend_from_slice(b",\"categories\":[");
                    for (j, (l, c)) in labels.iter().enumerate() {
                        if j > 0 {
                            out.push(b',');
                        }
                        out.push(b'[');
                        json::write_str(&mut out, l);
                        out.push(b',');
                        json::write_u64(&mut out, *c);
                        out.push(b']');
                    }
                    out.extend_from_slice(b"]}");
                }
            }
        }
        out.extend_from_slice(b"],\"classes\":");
        write_u64s(&mut out, &acc.classes);
        out.extend_from_slice(b",\"cbpe\":");
        let s = acc.cbpe;
        if self.classes > 0 {
            out.extend_from_slice(b"{\"rows\":");
            json::write_u64(&mut out, s.0);
            for (name, v) in [
                ("confidence", s.1),
                ("tp", s.2),
                ("predicted_positive", s.3),
                ("sum_positive", s.4),
            ] {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"\":");
                json::write_f64(&mut out, v);
            }
            out.push(b'}');
        } else {
            out.extend_from_slice(b"null");
        }
        out.extend_from_slice(b",\"warnings\":[");
        for (i, (col, kind, n)) in acc.warnings.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"column\":");
            json::write_str(&mut out, col);
            out.extend_from_slice(b",\"kind\":");
            json::write_str(&mut out, kind);
            out.extend_from_slice(b",\"count\":");
            json::write_u64(&mut out, *n);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"predicted\":\"");
        out.extend_from_slice(&acc.predicted);
        out.extend_from_slice(b"\"}");
        self.first_row = self.next_row;
        self.requests.clear();
        self.latency = [0; LATENCY_BUCKETS_US.len() + 1];
        out
    }
}

fn write_u64s(out: &mut Vec<u8>, xs: &[u64]) {
    out.push(b'[');
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::write_u64(out, *x);
    }
    out.push(b']');
}

fn write_f64s(out: &mut Vec<u8>, xs: &[f64]) {
    out.push(b'[');
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::write_f64(out, *x);
    }
    out.push(b']');
}
