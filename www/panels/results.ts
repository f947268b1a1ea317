// The test results of one trained model: the metrics table, and for classifiers the
// confusion matrix, ROC, precision–recall and calibration charts and the threshold explorer;
// for regressors and clusterings, their metrics with a plain reading of them.
import type { WorkbenchClient } from '../client';
import type {
  BinaryCurves, ClassificationMetrics, ClusteringMetrics, RegressionMetrics, TrainOutcome,
} from '../protocol';
import { h, type Child } from '../dom';
import { count, stat } from '../format';
import { ConfusionGrid } from '../charts/confusion';
import { CalibrationChart } from '../charts/calibration';
import { PrChart, RocChart } from '../charts/curves';
import { ImportanceChart } from '../charts/importance';
import { ThresholdExplorer, type Costs } from './threshold';

/** What the model was trained on, for headings and sentences. */
export interface RunContext {
  dataset: string;
  target: string | null;
}

type Row = [key: string, label: string, value: number | null, explain: string];

const CLASSIFICATION: Array<[keyof ClassificationMetrics, string, string]> = [
  ['accuracy', 'accuracy', 'share of test rows predicted right; flattering when one class is rare'],
  ['precision', 'precision', 'of the rows flagged positive, the share that were (binary: the positive class; else the mean over classes)'],
  ['recall', 'recall', 'of the positive rows, the share that were flagged'],
  ['f1', 'F1', 'the harmonic mean of precision and recall'],
  ['roc_auc', 'ROC AUC', 'the chance that a random positive row scores above a random negative one'],
  ['average_precision', 'average precision', 'the area under the precision–recall curve; honest when positives are rare'],
  ['log_loss', 'log loss', 'punishes confident wrong probabilities; lower is better'],
  ['brier', 'Brier score', 'mean squared error of the probabilities; lower is better'],
  ['macro_f1', 'macro F1', 'F1 averaged over classes, each counting the same'],
  ['weighted_f1', 'weighted F1', 'F1 averaged over classes, weighted by their rows'],
];

const REGRESSION: Array<[keyof RegressionMetrics, string, string]> = [
  ['r2', 'R²', 'share of the target’s variance the model explains on test rows (1 is perfect, 0 is no better than the mean)'],
  ['rmse', 'RMSE', 'root mean squared error, in the target’s units; large misses weigh more'],
  ['mae', 'MAE', 'mean absolute error, in the target’s units'],
  ['mape', 'MAPE', 'mean absolute error as a share of the true value'],
];

const CLUSTERING: Array<[keyof ClusteringMetrics, string, string]> = [
  ['inertia', 'inertia', 'sum of squared distances of rows to their cluster centre; lower is tighter'],
  ['silhouette', 'silhouette', 'from −1 to 1: how much closer rows are to their own cluster than to the next; over 2,000 test rows, measured on a seeded sample of 2,000 (it compares every pair of rows)'],
];

function metricsTable(rows: Row[]): HTMLElement {
  return h('div', { class: 'table-wrap metrics-wrap' },
    h('table', { id: 'metrics', class: 'metrics' },
      h('caption', {}, 'Measured on the held-out test rows'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'What it says'))),
      h('tbody', {}, ...rows.map(([key, label, value, explain]) =>
        h('tr', { 'data-metric': key },
          h('th', { scope: 'row' }, label),
          h('td', { class: 'num' }, value === null ? 'n/a' : stat(value)),
          h('td', { class: 'explain' }, explain)))),
    ));
}

function pick<T>(metrics: T, list: Array<[keyof T, string, string]>): Row[] {
  return list.map(([key, label, explain]) => {
    const v = metrics[key];
    return [String(key), label, typeof v === 'number' ? v : null, explain];
  });
}

function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { 'aria-labelledby': id }, h('h3', { id }, title), ...children);
}

/** What a positive row is called in sentences. */
function nounFor(target: string | null, label: string): string {
  if (target && /fraud/i.test(target)) return 'fraud';
  return `“${label}” row`;
}

export class ResultsView {
  /** Costs carry over from one model to the next, so comparisons stay fair. */
  private costs: Costs = { fp: 1, fn: 10 };
  /** Increases with each drawing of the curves, so a stale one stops. */
  private drawing = 0;

  constructor(
    private readonly container: HTMLElement,
    private readonly client: WorkbenchClient,
  ) {}

  show(outcome: TrainOutcome, ctx: RunContext): void {
    const ev = outcome.evaluation;
    const head = h('div', { class: 'run-head' },
      h('h3', { id: 'run-title' }, `${outcome.kind} on ${ctx.dataset}${ctx.target ? ` → ${ctx.target}` : ''}`),
      h('p', { class: 'meta' },
        `${count(ev.train_rows)} training rows, ${count(ev.test_rows)} test rows · ${outcome.features.length} features after preprocessing · trained in ${
          count(Math.round(outcome.train_ms))} ms · artifact ${kilobytes(outcome.artifact_bytes)} · hash ${shortHash(outcome.hash)}`),
    );
    const parts: HTMLElement[] = [head];
    if (ev.task === 'classification') parts.push(...this.classification(outcome, ctx));
    else if (ev.task === 'regression') parts.push(...regression(ev.metrics as RegressionMetrics, ctx, ev.test_rows));
    else parts.push(...clustering(ev.metrics as ClusteringMetrics));
    if (outcome.importance) parts.push(importance(outcome.features, outcome.importance));
    this.container.replaceChildren(...parts);
  }

  private classification(outcome: TrainOutcome, ctx: RunContext): HTMLElement[] {
    const m = outcome.evaluation.metrics as ClassificationMetrics;
    const target = ctx.target ?? 'target';
    const grid = h('div', { class: 'confusion-wrap' });
    new ConfusionGrid(grid, { target }).update(m.confusion_matrix);
    const perClass = h('div', { class: 'table-wrap' },
      h('table', { class: 'per-class' },
        h('caption', {}, 'Per class'),
        h('thead', {}, h('tr', {}, ...['class', 'precision', 'recall', 'F1', 'test rows'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...m.per_class.map((c) => h('tr', {},
          h('th', { scope: 'row' }, c.label), h('td', { class: 'num' }, stat(c.precision)), h('td', { class: 'num' }, stat(c.recall)),
          h('td', { class: 'num' }, stat(c.f1)), h('td', { class: 'num' }, count(c.support))))),
      ));
    const out: HTMLElement[] = [
      h('div', { class: 'result-grid' },
        section('metrics-title', 'Metrics', metricsTable(pick(m, CLASSIFICATION))),
        section('confusion-title', 'Confusion matrix', grid, perClass),
      ),
    ];
    const curves = outcome.evaluation.curves;
    if (curves.length === 0) {
      out.push(h('p', { class: 'note' }, 'This model gives no class probabilities, so there are no curves or thresholds to show.'));
      return out;
    }
    const curvesBox = h('div', {});
    const thresholdBox = h('div', {});
    const draw = (c: BinaryCurves) => {
      const positive = outcome.classes.indexOf(c.positive);
      const roc = h('figure', { class: 'chart', id: 'roc' });
      const pr = h('figure', { class: 'chart', id: 'pr' });
      const cal = h('figure', { class: 'chart', id: 'calibration' });
      const binary = curves.length === 1;
      const row = m.confusion_matrix.matrix[positive] ?? [];
      const all = m.confusion_matrix.matrix.flat().reduce((a, b) => a + b, 0);
      const base = all > 0 ? row.reduce((a, b) => a + b, 0) / all : null;
      // One chart per task, so the main thread never stalls for all of them at once.
      const token = ++this.drawing;
      const steps = [
        () => new RocChart(roc, { label: c.positive }).update(c, binary ? m.roc_auc : null),
        () => new PrChart(pr, { label: c.positive }).update(c, binary ? m.average_precision : null, base),
        () => new CalibrationChart(cal, { label: c.positive }).update(c.calibration),
      ];
      inTurn(() => token === this.drawing, steps);
      curvesBox.replaceChildren(h('div', { class: 'curves' },
        h('div', {}, h('h4', {}, 'ROC curve'), roc,
          h('p', { class: 'hint' }, 'Each point is a threshold: how many positives it catches against how many negatives it flags. The dashed line is guessing.')),
        h('div', {}, h('h4', {}, 'Precision–recall'), pr,
          h('p', { class: 'hint' }, 'When positives are rare, this shows the price of catching more of them; the dashed line is their share.')),
        h('div', {}, h('h4', {}, 'Calibration'), cal,
          h('p', { class: 'hint' }, 'Dots on the diagonal mean a predicted 0.3 really comes true about 30% of the time; dot size is the rows in the bin.')),
      ));
      if (positive < 0) {
        thresholdBox.replaceChildren(h('p', { class: 'note' }, `The class ${c.positive} is not among the model's classes.`));
        return;
      }
      thresholdBox.replaceChildren();
      steps.push(() => {
        const explorer = new ThresholdExplorer(this.client, {
          positive, label: c.positive, noun: nounFor(ctx.target, c.positive), initial: c.thresholds,
        }, this.costs, (costs) => { this.costs = costs; });
        thresholdBox.replaceChildren(explorer.element);
      });
    };
    const first = curves[0]!;
    let chooser: HTMLElement | null = null;
    if (curves.length > 1) {
      const select = h('select', { id: 'positive-class' },
        ...curves.map((c, i) => h('option', { value: i }, c.positive)));
      select.addEventListener('change', () => {
        const c = curves[Number(select.value)];
        if (c) draw(c);
      });
      chooser = h('div', { class: 'field inline' },
        h('label', { for: 'positive-class' }, 'Positive class'), select,
        h('span', { class: 'hint' }, 'one class against the rest'));
    }
    draw(first);
    out.push(section('curves-title', 'Curves', chooser, curvesBox), thresholdBox);
    return out;
  }
}

/** Runs `steps` (read as it goes, so steps pushed later run too) one per macrotask while `current()` holds. */
function inTurn(current: () => boolean, steps: Array<() => void>, from = 0): void {
  setTimeout(() => {
    const next = steps[from];
    if (!next || !current()) return;
    next();
    inTurn(current, steps, from + 1);
  }, 0);
}

/** Which inputs the model leaned on (boosting: each input's share of the split gain). */
function importance(features: readonly string[], shares: readonly number[]): HTMLElement {
  const figure = h('figure', { class: 'chart', id: 'importance' });
  new ImportanceChart(figure).update(features, shares);
  return section('importance-title', 'Feature importance', figure,
    h('p', { class: 'hint' },
      'How much each input’s splits reduced the training loss, as a share of all splits. It says what the trees used, not what causes the target: of two inputs that carry the same signal, one may take all the credit.'));
}

function regression(m: RegressionMetrics, ctx: RunContext, testRows: number): HTMLElement[] {
  const target = ctx.target ?? 'the target';
  const share = Math.round(Math.max(0, Math.min(1, m.r2)) * 100);
  return [
    section('metrics-title', 'Metrics', metricsTable(pick(m, REGRESSION)),
      h('p', { class: 'note', id: 'regression-note' },
        `Predicted against actual: on ${count(testRows)} test rows the model explains about ${share}% of the variation in ${target} (R² ${stat(m.r2)}). `,
        `A typical miss is ${stat(m.rmse)} (RMSE), ${stat(m.mae)} on average (MAE), in ${target}’s own units. `,
        m.r2 < 0 ? 'An R² below zero means predicting the mean would do better. ' : '',
        'A regressor has no ROC, precision–recall or calibration curve and no threshold to set.'),
    ),
  ];
}

function clustering(m: ClusteringMetrics): HTMLElement[] {
  return [
    section('metrics-title', 'Metrics', metricsTable(pick(m, CLUSTERING)),
      h('p', { class: 'note' }, 'A clustering has no labels to be right or wrong about: these say how compact and separate the clusters are on the test rows.')),
  ];
}

export function kilobytes(bytes: number): string {
  return bytes < 1024 ? `${count(bytes)} B` : `${stat(bytes / 1024)} KB`;
}

/** The hex digits of an artifact hash (`fnv1a64:0123…`), shortened to `n`. */
export function shortHash(hash: string, n = 8): string {
  return (hash.split(':').pop() ?? hash).slice(0, n);
}
