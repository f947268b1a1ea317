// The comparison table: every model trained in this tab, side by side — its quality on
// the test rows, the size of its artifact, how long it took to train, its batch-scoring
// latency per row measured live in this browser's worker, and what a million predictions
// would cost on an edge worker at an editable price — with a quality-vs-latency chart and
// each model's artifact to download.
import * as Plot from '@observablehq/plot';
import type { ClassificationMetrics, ClusteringMetrics, RegressionMetrics, ScoringLatency, TrainOutcome, TrainSettings } from '../protocol';
import { h, saveFile } from '../dom';
import { count, stat } from '../format';
import { kilobytes, shortHash, type RunContext } from './results';

export interface CompareEntry {
  n: number;
  outcome: TrainOutcome;
  ctx: RunContext;
  params: Record<string, string>;
  /** What was asked of the trainer (replayed when a project file is opened). */
  request: TrainSettings;
  /** Measured after training; `null` while measuring or when it failed. */
  latency: ScoringLatency | null;
}
type Entry = CompareEntry;

/** The edge price the cost column assumes; every number is editable in the page. */
export interface Pricing {
  /** US dollars per million requests. */
  perMillionRequests: number;
  /** US dollars per million CPU milliseconds. */
  perMillionCpuMs: number;
  /** Rows scored per request (a batch endpoint amortises the request price). */
  rowsPerRequest: number;
}

/** Cloudflare Workers, Standard usage model, beyond the included amounts (list prices, 2024). */
export const DEFAULT_PRICING: Pricing = { perMillionRequests: 0.3, perMillionCpuMs: 0.02, rowsPerRequest: 1 };
const PRICING_SOURCE = 'https://developers.cloudflare.com/workers/platform/pricing/';

/** US dollars for a million predictions at `usPerRow` µs of CPU each. */
export function costPerMillion(usPerRow: number, p: Pricing): number {
  const requests = 1e6 / Math.max(1, p.rowsPerRequest);
  const cpuMs = (usPerRow * 1e6) / 1000;
  return (requests / 1e6) * p.perMillionRequests + (cpuMs / 1e6) * p.perMillionCpuMs;
}

function dollars(x: number): string {
  return x >= 0.01 ? `$${x.toFixed(2)}` : `$${x.toPrecision(2)}`;
}

function micros(us: number): string {
  return `${us >= 100 ? count(Math.round(us)) : us.toPrecision(2)} µs`;
}

/** The number the chart plots as quality: accuracy, R² or silhouette. */
function quality(outcome: TrainOutcome): { value: number | null; name: string } {
  const ev = outcome.evaluation;
  if (ev.task === 'classification') return { value: (ev.metrics as ClassificationMetrics).accuracy, name: 'accuracy' };
  if (ev.task === 'regression') return { value: (ev.metrics as RegressionMetrics).r2, name: 'R²' };
  return { value: (ev.metrics as ClusteringMetrics).silhouette, name: 'silhouette' };
}

/** The headline metric of a run and a second one worth seeing next to it. */
function headline(outcome: TrainOutcome): { main: string; other: string } {
  const ev = outcome.evaluation;
  if (ev.task === 'classification') {
    const m = ev.metrics as ClassificationMetrics;
    return { main: `accuracy ${stat(m.accuracy)}`, other: m.roc_auc === null ? `macro F1 ${stat(m.macro_f1)}` : `ROC AUC ${stat(m.roc_auc)}` };
  }
  if (ev.task === 'regression') {
    const m = ev.metrics as RegressionMetrics;
    return { main: `R² ${stat(m.r2)}`, other: `RMSE ${stat(m.rmse)}` };
  }
  const m = ev.metrics as ClusteringMetrics;
  return { main: m.silhouette === null ? 'silhouette n/a' : `silhouette ${stat(m.silhouette)}`, other: `inertia ${stat(m.inertia)}` };
}

function fileName(entry: Entry): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
  return `driftlab-${safe(entry.ctx.dataset)}-${safe(entry.outcome.kind)}-${shortHash(entry.outcome.hash)}.json`;
}

export class CompareTable {
  private entries: Entry[] = [];
  private pricing: Pricing = { ...DEFAULT_PRICING };
  private readonly body: HTMLTableSectionElement;
  private readonly table: HTMLTableElement;
  private readonly empty: HTMLElement;
  private readonly chart: HTMLElement;
  private readonly pricingForm: HTMLElement;

  constructor(container: HTMLElement) {
    this.body = h('tbody', {});
    this.table = h('table', { id: 'compare', class: 'compare', hidden: true },
      h('caption', {}, 'Models trained in this tab; the newest is last'),
      h('thead', {}, h('tr', {},
        // the artifact's Download next to the model, where it cannot scroll out of sight
        ...['#', 'model', 'artifact', 'data → target', 'main metric', 'also', 'test rows', 'artifact size', 'training time',
          'scoring µs/row', 'cost / 1M predictions']
          .map((t) => h('th', { scope: 'col' }, t)))),
      this.body,
    );
    this.empty = h('p', { class: 'note' }, 'Each model you train is added here, so you can weigh quality against size and speed.');
    this.chart = h('div', { id: 'compare-chart', class: 'chart', hidden: true });
    this.pricingForm = this.pricingControls();
    container.replaceChildren(
      h('p', { class: 'lede' },
        'A better score is worth having only if it pays for itself: a model that is a point more accurate but ten times slower or larger costs more on every request, for as long as it serves. Scoring latency is measured here, in this browser, on the test rows.'),
      this.empty,
      h('div', { class: 'table-wrap' }, this.table),
      this.pricingForm,
      this.chart,
    );
  }

  /** Every model trained in this tab, oldest first. */
  list(): readonly Entry[] {
    return this.entries;
  }

  add(outcome: TrainOutcome, ctx: RunContext, params: Record<string, string>, request: TrainSettings): Entry {
    const entry: Entry = { n: this.entries.length + 1, outcome, ctx, params, request, latency: null };
    this.entries.push(entry);
    const { main, other } = headline(outcome);
    const settings = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ');
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Download the artifact of model ${entry.n} (${outcome.kind})` }, 'Download');
    button.addEventListener('click', () => saveFile(outcome.artifact, fileName(entry), 'application/json'));
    this.body.append(h('tr', { 'data-kind': outcome.kind, 'data-n': entry.n },
      h('td', { class: 'num' }, entry.n),
      h('th', { scope: 'row' }, outcome.kind, settings ? h('span', { class: 'col-kind' }, settings) : null),
      h('td', {}, button),
      h('td', {}, `${ctx.dataset}${ctx.target ? ` → ${ctx.target}` : ''}`),
      h('td', { class: 'metric' }, main),
      h('td', {}, other),
      h('td', { class: 'num' }, count(outcome.evaluation.test_rows)),
      h('td', { class: 'num', 'data-bytes': outcome.artifact_bytes }, kilobytes(outcome.artifact_bytes)),
      h('td', { class: 'num' }, `${count(Math.round(outcome.train_ms))} ms`),
      h('td', { class: 'num latency' }, 'measuring…'),
      h('td', { class: 'num cost' }, '…'),
    ));
    this.table.hidden = false;
    this.empty.hidden = true;
    return entry;
  }

  /** Fills in the measured scoring latency of entry `n` (or says why there is none). */
  setLatency(n: number, latency: ScoringLatency | null, why = 'not measured'): void {
    const entry = this.entries.find((e) => e.n === n);
    const row = this.body.querySelector<HTMLTableRowElement>(`tr[data-n="${n}"]`);
    if (!entry || !row) return;
    entry.latency = latency;
    const cell = row.querySelector<HTMLElement>('td.latency')!;
    if (latency) {
      cell.textContent = micros(latency.us_per_row);
      cell.dataset.us = String(latency.us_per_row);
      cell.title = `median of ${latency.repetitions} repetitions, each ${count(latency.batches)} × ${count(latency.rows)} test rows`;
    } else {
      cell.textContent = why;
    }
    this.redraw();
  }

  private pricingControls(): HTMLElement {
    const field = (key: keyof Pricing, label: string, step: string) => {
      const id = `price-${key}`;
      const input = h('input', { id, type: 'number', min: 0, step, inputmode: 'decimal', value: this.pricing[key] });
      input.addEventListener('input', () => {
        const v = Number(input.value);
        if (input.value === '' || !Number.isFinite(v) || v < 0) return;
        this.pricing = { ...this.pricing, [key]: key === 'rowsPerRequest' ? Math.max(1, Math.round(v)) : v };
        this.redraw();
      });
      return h('div', { class: 'field' }, h('label', { for: id }, label), input);
    };
    return h('fieldset', { class: 'controls pricing', hidden: true },
      h('legend', {}, 'Pricing assumption for the cost column'),
      field('perMillionRequests', '$ per million requests', '0.01'),
      field('perMillionCpuMs', '$ per million CPU-ms', '0.001'),
      field('rowsPerRequest', 'rows per request', '1'),
      h('p', { class: 'hint' },
        'An assumption, not a quote: the defaults are Cloudflare Workers’ Standard list prices beyond the included amounts (',
        h('a', { href: PRICING_SOURCE, rel: 'noreferrer', target: '_blank' }, 'their pricing page'),
        '). CPU time is this browser’s measured batch-scoring time per row; an edge worker runs the same Wasm, so expect the same order of magnitude, not the same number.'),
    );
  }

  private redraw(): void {
    for (const entry of this.entries) {
      const cell = this.body.querySelector<HTMLElement>(`tr[data-n="${entry.n}"] td.cost`);
      if (!cell) continue;
      if (entry.latency) {
        const c = costPerMillion(entry.latency.us_per_row, this.pricing);
        cell.textContent = dollars(c);
        cell.dataset.dollars = String(c);
      } else if (cell.textContent === '…' && this.body.querySelector(`tr[data-n="${entry.n}"] td.latency`)?.textContent !== 'measuring…') {
        cell.textContent = 'n/a';
      }
    }
    const measured = this.entries.filter((e) => e.latency && quality(e.outcome).value !== null);
    this.pricingForm.hidden = measured.length === 0;
    this.chart.hidden = measured.length === 0;
    if (measured.length === 0) return;
    const names = [...new Set(measured.map((e) => quality(e.outcome).name))];
    const data = measured.map((e) => ({
      us: e.latency!.us_per_row,
      q: quality(e.outcome).value!,
      kb: e.outcome.artifact_bytes / 1000,
      label: `#${e.n} ${e.outcome.kind}`,
      cost: costPerMillion(e.latency!.us_per_row, this.pricing),
    }));
    const chart = Plot.plot({
      width: 520,
      height: 300,
      marginLeft: 50,
      marginBottom: 40,
      ariaLabel: 'Quality against scoring latency per row',
      ariaDescription: data.map((d) => `${d.label}: ${names.join('/')} ${stat(d.q)} at ${micros(d.us)} per row, ${stat(d.kb)} KB`).join('; '),
      inset: 24,
      x: { type: 'log', label: 'scoring latency per row (µs, log scale) →', grid: true, tickFormat: (v: number) => stat(v) },
      y: { label: `↑ ${names.join(' / ')} on the test rows`, grid: true, tickFormat: (v: number) => stat(v) },
      r: { range: [4, 16], label: 'artifact KB' },
      marks: [
        Plot.dot(data, { x: 'us', y: 'q', r: 'kb', fill: 'var(--chart-fill)', fillOpacity: 0.6, stroke: 'var(--chart-fill)' }),
        Plot.text(data, { x: 'us', y: 'q', text: 'label', dy: -20, fontSize: 11 }),
        Plot.tip(data, Plot.pointer({
          x: 'us', y: 'q',
          title: (d: (typeof data)[number]) => `${d.label}\n${names.join('/')} ${stat(d.q)}\n${micros(d.us)}/row\n${stat(d.kb)} KB\n${dollars(d.cost)} per 1M`,
        })),
      ],
    });
    this.chart.replaceChildren(
      h('p', { class: 'hint' }, 'Up and to the left is better; a bigger dot is a bigger artifact.'),
      chart,
    );
  }
}
