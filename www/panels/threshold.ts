// The threshold explorer: a slider for the decision threshold and a cost for each kind of
// mistake. Changing a cost asks the core for a fresh threshold table (debounced); moving the
// slider reads the table already here, so precision, recall and expected cost follow live.
import type { WorkbenchClient } from '../client';
import type { ThresholdRow, ThresholdTable } from '../protocol';
import { h } from '../dom';
import { count, percent, stat } from '../format';
import { ThresholdChart } from '../charts/thresholds';

export interface Costs {
  fp: number;
  fn: number;
}

export interface ThresholdContext {
  /** Index of the positive class in the model's classes. */
  positive: number;
  /** The positive class's label. */
  label: string;
  /** What a positive row is called in sentences (“fraud”, ““virginica” row”). */
  noun: string;
  /** The unit-cost table that came with training, shown until the first answer arrives. */
  initial: ThresholdTable;
}

const DEBOUNCE_MS = 200;

function nearest(rows: ThresholdRow[], t: number): ThresholdRow | undefined {
  let best: ThresholdRow | undefined;
  for (const r of rows) if (!best || Math.abs(r.threshold - t) < Math.abs(best.threshold - t)) best = r;
  return best;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export class ThresholdExplorer {
  private table: ThresholdTable;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private readonly slider: HTMLInputElement;
  private readonly value: HTMLOutputElement;
  private readonly costFp: HTMLInputElement;
  private readonly costFn: HTMLInputElement;
  private readonly readout: HTMLElement;
  private readonly story: HTMLElement;
  private readonly problem: HTMLElement;
  private readonly chart: ThresholdChart;
  readonly element: HTMLElement;

  constructor(
    private readonly client: WorkbenchClient,
    private readonly ctx: ThresholdContext,
    private readonly costs: Costs,
    /** Called with the new costs, so the next model starts from them. */
    private readonly onCosts: (costs: Costs) => void,
  ) {
    this.table = ctx.initial;
    this.slider = h('input', {
      id: 'threshold', type: 'range', min: 0, max: 1, step: 0.01, value: 0.5,
      'aria-describedby': 'threshold-readout',
    });
    this.value = h('output', { id: 'threshold-value', for: 'threshold' }, '0.50');
    this.costFp = h('input', { id: 'cost-fp', type: 'number', min: 0, step: 'any', value: costs.fp, inputmode: 'decimal' });
    this.costFn = h('input', { id: 'cost-fn', type: 'number', min: 0, step: 'any', value: costs.fn, inputmode: 'decimal' });
    const useBest = h('button', { type: 'button', id: 'use-best', class: 'secondary' }, 'Use the cheapest threshold');
    this.readout = h('div', { id: 'threshold-readout', class: 'readout', 'aria-live': 'polite' });
    this.story = h('p', { id: 'threshold-story', class: 'story' });
    this.problem = h('p', { class: 'error', role: 'alert', hidden: true });
    const chartBox = h('div', { class: 'chart wide', id: 'threshold-chart' });
    this.chart = new ThresholdChart(chartBox, { label: ctx.label });

    this.element = h('section', { 'aria-labelledby': 'threshold-title', class: 'threshold' },
      h('h3', { id: 'threshold-title' }, 'Threshold and the cost of mistakes'),
      h('p', { class: 'note' },
        `A row is flagged as ${ctx.noun} when its predicted probability of class ${ctx.label} reaches the threshold. `,
        'A lower threshold catches more but raises more false alarms; the costs say which mistakes hurt more.'),
      h('div', { class: 'controls threshold-controls' },
        h('div', { class: 'field slider' },
          h('label', { for: 'threshold' }, 'Threshold ', this.value),
          this.slider,
        ),
        h('div', { class: 'field' },
          h('label', { for: 'cost-fp' }, 'Cost of a false alarm'),
          this.costFp,
          h('span', { class: 'hint' }, 'false positive'),
        ),
        h('div', { class: 'field' },
          h('label', { for: 'cost-fn' }, `Cost of a missed ${ctx.noun}`),
          this.costFn,
          h('span', { class: 'hint' }, 'false negative'),
        ),
        useBest,
      ),
      this.problem,
      h('div', { class: 'threshold-body' }, h('div', {}, this.readout, this.story), chartBox),
    );

    this.slider.addEventListener('input', () => this.draw());
    const costsChanged = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.refresh(), DEBOUNCE_MS);
    };
    this.costFp.addEventListener('input', costsChanged);
    this.costFn.addEventListener('input', costsChanged);
    useBest.addEventListener('click', () => {
      const best = this.table.rows[this.table.best];
      if (best) this.slider.value = String(best.threshold);
      this.draw();
    });
    this.draw();
    void this.refresh();
  }

  /** Asks the core for the table under the current costs. */
  private async refresh(): Promise<void> {
    const fp = Number(this.costFp.value);
    const fn = Number(this.costFn.value);
    if (this.costFp.value.trim() === '' || this.costFn.value.trim() === '' ||
        !Number.isFinite(fp) || !Number.isFinite(fn) || fp < 0 || fn < 0) {
      this.showProblem('Each cost must be a number of zero or more.');
      return;
    }
    const seq = ++this.seq;
    try {
      const table = await this.client.model('thresholds', this.ctx.positive, fp, fn);
      if (seq !== this.seq) return;
      this.table = table;
      this.showProblem(null);
      this.onCosts({ fp, fn });
      this.draw();
    } catch (err) {
      if (seq === this.seq) this.showProblem(`The threshold table could not be computed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private showProblem(text: string | null): void {
    this.problem.textContent = text ?? '';
    this.problem.hidden = text === null;
  }

  private draw(): void {
    const t = Number(this.slider.value);
    this.value.textContent = t.toFixed(2);
    const table = this.table;
    const row = nearest(table.rows, t);
    const best = table.rows[table.best];
    const usual = nearest(table.rows, 0.5);
    if (!row || !best || !usual) {
      this.readout.replaceChildren(h('p', { class: 'note' }, 'No threshold table for this model.'));
      return;
    }
    const positives = row.tp + row.fn_;
    const total = row.tp + row.fp + row.tn + row.fn_;
    const item = (label: string, value: string, id?: string) =>
      h('div', id ? { id } : {}, h('dt', {}, label), h('dd', {}, value));
    this.readout.replaceChildren(
      h('dl', { class: 'stats readout-stats' },
        item('precision', stat(row.precision), 'readout-precision'),
        item('recall', stat(row.recall), 'readout-recall'),
        item(`${this.ctx.noun} caught`, `${count(row.tp)} of ${count(positives)}`),
        item(`${this.ctx.noun} missed`, count(row.fn_)),
        item('false alarms', count(row.fp)),
        item('rows flagged', count(row.tp + row.fp)),
      ),
      h('p', { id: 'expected-cost', class: 'expected-cost' },
        `Expected cost: ${stat(row.expected_cost)} per row (${stat(row.cost)} over ${count(total)} test rows) at threshold ${t.toFixed(2)}, `,
        `with a false alarm costing ${stat(table.cost_fp)} and a missed ${this.ctx.noun} ${stat(table.cost_fn)}.`),
    );
    this.story.textContent = this.tell(usual, best, positives);
    this.chart.update(table, t);
  }

  /** The trade-off in words: the usual 0.5 against the cheapest threshold for these costs. */
  private tell(usual: ThresholdRow, best: ThresholdRow, positives: number): string {
    const noun = this.ctx.noun;
    const at = (r: ThresholdRow) =>
      `catches ${count(r.tp)} of ${count(positives)} (${percent(r.tp, positives)}), misses ${count(r.fn_)} and raises ${
        plural(r.fp, 'false alarm')}, for ${stat(r.expected_cost)} per row`;
    const first = `At the usual threshold of 0.50 the model ${at(usual)}.`;
    if (positives === 0) return `The test rows hold no ${noun}, so recall and the cost of a miss cannot be judged.`;
    if (Math.abs(best.threshold - usual.threshold) < 1e-9 || best.cost >= usual.cost) {
      return `${first} For these costs 0.50 is already the cheapest threshold; raise the cost of a missed ${noun} to see the balance move.`;
    }
    const move = best.threshold < usual.threshold ? 'Lowering' : 'Raising';
    return `${first} ${move} it to ${best.threshold.toFixed(2)} ${at(best)}: ${
      best.threshold < usual.threshold ? `more ${noun} caught, paid for with false alarms` : 'fewer false alarms, paid for with misses'
    }, and the cheapest choice for these costs.`;
  }
}
