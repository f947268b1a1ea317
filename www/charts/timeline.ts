// The Monitor's timeline charts, one small Observable Plot per question, all on the same
// x axis (the scenario's batch) with the alarms marked as red rules.
import * as Plot from '@observablehq/plot';
import type { TimelineAlarm, TimelineBatch, PsiBins, Timeline } from '../protocol';
import { stat } from '../format';

const WIDTH = 560;
const HEIGHT = 170;

export interface Point { t: number; value: number; series: string }

function base(title: string, t: Timeline, marks: Plot.Markish[], y: Plot.ScaleOptions = {}, legend = true): SVGSVGElement | HTMLElement {
  return batchPlot(title, t.alarms.map((a) => a.t), Math.max(t.batches_total - 1, 1), marks, y, legend);
}

/** A chart over batches 0..`last`, the alarms' batches marked as red rules. */
function batchPlot(title: string, alarms: number[], last: number, marks: Plot.Markish[], y: Plot.ScaleOptions, legend: boolean): SVGSVGElement | HTMLElement {
  return Plot.plot({
    width: WIDTH,
    height: HEIGHT,
    marginLeft: 44,
    marginBottom: 28,
    ariaLabel: title,
    x: { label: 'batch', domain: [0, last], ticks: 6 },
    y: { grid: true, ticks: 4, label: null, tickFormat: stat, ...y },
    color: { legend, type: 'categorical' },
    marks: [
      Plot.ruleX(alarms, { stroke: '#c0392b', strokeOpacity: 0.35, strokeWidth: 1.5 }),
      ...marks,
    ],
  });
}

function points(batches: TimelineBatch[], series: string, pick: (b: TimelineBatch) => number | null | undefined): Point[] {
  const out: Point[] = [];
  for (const b of batches) {
    const v = pick(b);
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ t: b.t, value: v, series });
  }
  return out;
}

function lines(data: Point[], dashed: string[] = []): Plot.Markish[] {
  const solid = data.filter((p) => !dashed.includes(p.series));
  const dash = data.filter((p) => dashed.includes(p.series));
  return [
    // z given outright: with one point per series (the first batches) Plot would warn that
    // the implicit z channel "has high cardinality"
    Plot.line(solid, { x: 't', y: 'value', stroke: 'series', z: 'series', strokeWidth: 2 }),
    Plot.dot(solid, { x: 't', y: 'value', stroke: 'series', r: 2 }),
    Plot.line(dash, { x: 't', y: 'value', stroke: 'series', z: 'series', strokeWidth: 2, strokeDasharray: '5,3' }),
  ];
}

/** Share of drifted features per batch against the dataset-drift threshold, with the scripted drift. */
export function driftChart(t: Timeline): Element {
  const data = [
    ...points(t.batches, 'drifted share of features', (b) => b.drift_share),
    ...t.drift_curve.slice(0, t.batches.length ? t.batches[t.batches.length - 1]!.t + 1 : 0)
      .map((v, i) => ({ t: i, value: v, series: 'scripted drift (the truth)' })),
  ];
  return base('Input drift per batch', t, [
    Plot.ruleY([t.drift_share_threshold], { stroke: 'currentColor', strokeDasharray: '2,3' }),
    Plot.text([t.drift_share_threshold], { x: 0, y: (d: number) => d, text: () => 'threshold', dy: -6, textAnchor: 'start', fill: 'currentColor' }),
    ...lines(data, ['scripted drift (the truth)']),
  ], { domain: [0, 1] });
}

/** Share of rows predicted positive and the mean positive probability. */
export function predictionChart(t: Timeline): Element {
  const data = [
    ...points(t.batches, 'predicted positive rate', (b) => b.prediction.positive_rate),
    ...points(t.batches, 'mean positive probability', (b) => b.prediction.mean_positive_probability),
  ];
  return base('Predictions per batch', t, lines(data, ['mean positive probability']));
}

/** Recall and accuracy from the late labels (window) next to the label-free CBPE estimates. */
export function performanceChart(t: Timeline): Element {
  const data = [
    ...points(t.batches, 'recall (labels)', (b) => b.window?.recall),
    ...points(t.batches, 'recall (estimate, no labels)', (b) => b.estimate.recall),
    ...points(t.batches, 'accuracy (labels)', (b) => b.window?.accuracy),
    ...points(t.batches, 'accuracy (estimate, no labels)', (b) => b.estimate.accuracy),
  ];
  return base('Performance: labelled vs estimated', t,
    lines(data, ['recall (estimate, no labels)', 'accuracy (estimate, no labels)']), { domain: [0, 1] });
}

/** Scoring time per batch in milliseconds. */
export function latencyChart(t: Timeline): Element {
  const data = points(t.batches, 'scoring ms', (b) => b.scoring_ms);
  return base('Scoring time per batch (ms)', t, [
    Plot.rectY(data, { x1: (d: Point) => d.t - 0.4, x2: (d: Point) => d.t + 0.4, y: 'value', fill: 'var(--chart-fill)' }),
  ], {}, false);
}

/** DDM's p + s on the error stream against its warning and drift levels. */
export function ddmChart(t: Timeline): Element {
  const data = [
    ...points(t.batches, 'p + s', (b) => b.ddm?.ps),
    ...points(t.batches, 'warning level', (b) => b.ddm?.warning_level),
    ...points(t.batches, 'drift level', (b) => b.ddm?.drift_level),
  ];
  return base("DDM: error rate p + s and its bands", t, lines(data, ['warning level', 'drift level']));
}

/**
 * ADWIN's window over the stream of rows: its width grows by one per row and drops where
 * ADWIN cuts off the older part whose mean differs; each cut is marked.
 */
export function adwinChart(t: Timeline): Element {
  const trace = t.batches.flatMap((b) => b.adwin_trace.map(([row, width]) => ({ row, width, version: b.version })));
  const cuts = t.batches.flatMap((b) => b.adwin_cuts.map((c) => ({ ...c, t: b.t })));
  const rows = t.batches.reduce((n, b) => n + b.rows, 0);
  const perBatch = t.batches[0]?.rows ?? 1;
  return Plot.plot({
    width: WIDTH,
    height: HEIGHT,
    marginLeft: 52,
    marginBottom: 28,
    ariaLabel: "ADWIN's window width over the stream",
    x: { label: 'rows seen', domain: [0, Math.max(perBatch * t.batches_total, rows, 1)], ticks: 6 },
    y: { grid: true, ticks: 4, label: 'window (rows)', tickFormat: stat },
    color: { legend: t.segments.length > 1, type: 'categorical' },
    marks: [
      Plot.ruleX(cuts, { x: 'position', stroke: '#c0392b', strokeWidth: 1.5 }),
      Plot.line(trace, { x: 'row', y: 'width', stroke: 'version', z: 'version', strokeWidth: 2 }),
      Plot.dot(cuts, { x: 'position', y: 'width_after', fill: '#c0392b', r: 3, title: (c: { t: number; width_before: number; width_after: number }) => `batch ${c.t}: cut from ${c.width_before} to ${c.width_after} rows` }),
    ],
  });
}

/** Reference vs current shares per PSI bin of one feature, for the latest batch. */
export function psiChart(bins: PsiBins): Element {
  const data = bins.bins.flatMap((b) => [
    { bin: b.label, share: b.reference, which: 'reference (training)' },
    { bin: b.label, share: b.current, which: 'current batch' },
  ]);
  return Plot.plot({
    width: WIDTH,
    height: HEIGHT + 40,
    marginLeft: 44,
    marginBottom: 56,
    ariaLabel: `PSI bins of ${bins.column}`,
    caption: 'bars: this batch · black ticks: the training rows',
    x: { label: null, tickRotate: -30, domain: bins.bins.map((b) => b.label) },
    y: { grid: true, ticks: 4, label: 'share', tickFormat: stat },
    color: { legend: true },
    marks: [
      // bars: the current batch; black ticks: the training reference (not stacked)
      Plot.barY(data.filter((d) => d.which === 'current batch'), { x: 'bin', y: 'share', fill: 'which', fillOpacity: 0.7 }),
      Plot.tickY(data.filter((d) => d.which !== 'current batch'), { x: 'bin', y: 'share', stroke: 'currentColor', strokeWidth: 3 }),
    ],
  });
}

/**
 * A chart of an attached edge bundle's judged batches (www/panels/attach.ts): the x axis is
 * the monitor's batch, as the scenario charts', with the alarms as red rules.
 */
export function edgeChart(title: string, data: Point[], alarms: number[], dashed: string[] = [], y: Plot.ScaleOptions = {}): Element {
  return batchPlot(title, alarms, data.reduce((m, p) => Math.max(m, p.t), 1), lines(data, dashed), y, true);
}

/** A one-line description of an alarm's kind. */
export function kindLabel(a: Pick<TimelineAlarm, 'kind'>): string {
  return {
    data_drift: 'data drift',
    drift_trend: 'drift trend (Page-Hinkley)',
    prediction_drift: 'prediction drift (ADWIN)',
    recall_drop: 'recall drop',
    accuracy_drop: 'accuracy drop',
    error_rate: 'error rate (DDM)',
  }[a.kind];
}
