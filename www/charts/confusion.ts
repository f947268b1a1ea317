// The confusion matrix as a heat grid: an HTML table (so screen readers read real numbers),
// each cell shaded by its share of its true-label row. Rows are the true label.
import type { ConfusionMatrix } from '../protocol';
import { h } from '../dom';
import { count, percent, truncate } from '../format';

export interface ConfusionOptions {
  /** What the target is called, for the caption. */
  target: string;
}

export class ConfusionGrid {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: ConfusionOptions,
  ) {}

  update(data: ConfusionMatrix): void {
    const label = (l: string) => truncate(l === '' ? '(empty)' : l, 18);
    const head = h('tr', {},
      h('th', { scope: 'col', class: 'corner' }, 'true ↓ · predicted →'),
      ...data.labels.map((l) => h('th', { scope: 'col', title: l }, label(l))),
    );
    const rows = data.matrix.map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0);
      const name = data.labels[i] ?? String(i);
      return h('tr', {},
        h('th', { scope: 'row', title: name }, label(name)),
        ...row.map((n, j) => {
          const share = total > 0 ? n / total : 0;
          const correct = i === j;
          const td = h('td', {
            class: `heat ${correct ? 'diag' : 'off'}${share > 0.55 ? ' dark' : ''}`,
            title: `true ${name}, predicted ${data.labels[j] ?? j}: ${count(n)} rows (${percent(n, total)} of the row)`,
          }, h('span', { class: 'n' }, count(n)), h('span', { class: 'share' }, percent(n, total)));
          // Shade by the share of the row: green on the diagonal, red off it.
          const hue = correct ? 140 : 0;
          td.style.backgroundColor = n === 0 ? '' : `hsl(${hue} 55% ${Math.round(96 - 58 * share)}%)`;
          return td;
        }),
      );
    });
    this.container.replaceChildren(
      h('table', { class: 'confusion', id: 'confusion' },
        h('caption', {}, `Test rows by true ${this.options.target} (rows) and prediction (columns)`),
        h('thead', {}, head),
        h('tbody', {}, ...rows),
      ),
    );
  }
}
