// The comparison table: every model trained in this tab, side by side — its quality on
// the test rows, the size of its artifact and how long it took to train in this browser —
// each with its artifact to download.
import type { ClassificationMetrics, ClusteringMetrics, RegressionMetrics, TrainOutcome } from '../types';
import { h } from '../dom';
import { count, stat } from '../format';
import { kilobytes, shortHash, type RunContext } from './results';

interface Entry {
  n: number;
  outcome: TrainOutcome;
  ctx: RunContext;
  params: Record<string, string>;
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

/** Saves text as a file through a same-origin Blob URL (nothing is uploaded). */
function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export class CompareTable {
  private entries: Entry[] = [];
  private readonly body: HTMLTableSectionElement;
  private readonly table: HTMLTableElement;
  private readonly empty: HTMLElement;

  constructor(container: HTMLElement) {
    this.body = h('tbody', {});
    this.table = h('table', { id: 'compare', class: 'compare', hidden: true },
      h('caption', {}, 'Models trained in this tab; the newest is last'),
      h('thead', {}, h('tr', {},
        ...['#', 'model', 'data → target', 'main metric', 'also', 'test rows', 'artifact size', 'training time', 'artifact']
          .map((t) => h('th', { scope: 'col' }, t)))),
      this.body,
    );
    this.empty = h('p', { class: 'note' }, 'Each model you train is added here, so you can weigh quality against size and speed.');
    container.replaceChildren(this.empty, h('div', { class: 'table-wrap' }, this.table));
  }

  add(outcome: TrainOutcome, ctx: RunContext, params: Record<string, string>): void {
    const entry: Entry = { n: this.entries.length + 1, outcome, ctx, params };
    this.entries.push(entry);
    const { main, other } = headline(outcome);
    const settings = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ');
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Download the artifact of model ${entry.n} (${outcome.kind})` }, 'Download');
    button.addEventListener('click', () => download(outcome.artifact, fileName(entry)));
    this.body.append(h('tr', { 'data-kind': outcome.kind },
      h('td', { class: 'num' }, entry.n),
      h('th', { scope: 'row' }, outcome.kind, settings ? h('span', { class: 'col-kind' }, settings) : null),
      h('td', {}, `${ctx.dataset}${ctx.target ? ` → ${ctx.target}` : ''}`),
      h('td', { class: 'metric' }, main),
      h('td', {}, other),
      h('td', { class: 'num' }, count(outcome.evaluation.test_rows)),
      h('td', { class: 'num', 'data-bytes': outcome.artifact_bytes }, kilobytes(outcome.artifact_bytes)),
      h('td', { class: 'num' }, `${count(Math.round(outcome.train_ms))} ms`),
      h('td', {}, button),
    ));
    this.table.hidden = false;
    this.empty.hidden = true;
  }
}
