// A bar chart of a categorical or boolean column's most frequent values, with the rest
// gathered in one "others" bar.
import * as Plot from '@observablehq/plot';
import type { CategoryStats } from '../protocol';
import { count, truncate } from '../format';

export interface BarsOptions {
  /** The column's name, used in the chart's accessible label. */
  label: string;
  width?: number;
  /** Categories drawn one by one; the rest share one bar. Default 8. */
  maxBars?: number;
}

interface Bar {
  i: number;
  label: string;
  count: number;
  other: boolean;
}

const MAX_LABEL = 16;
const MAX_BARS = 8;

export class Bars {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: BarsOptions,
  ) {}

  update(data: CategoryStats): void {
    const shown = data.top.slice(0, this.options.maxBars ?? MAX_BARS);
    const bars: Bar[] = shown.map((c, i) => ({
      i,
      label: c.value === '' ? '(empty)' : c.value,
      count: c.count,
      other: false,
    }));
    const restCount = data.other + data.top.slice(shown.length).reduce((sum, c) => sum + c.count, 0);
    if (restCount > 0) {
      const rest = Math.max(data.distinct - shown.length, 1);
      bars.push({ i: bars.length, label: `(${count(rest)} other${rest === 1 ? '' : 's'})`, count: restCount, other: true });
    }
    if (bars.length === 0) {
      this.container.replaceChildren(document.createTextNode('No values to chart.'));
      return;
    }
    const longest = Math.max(...bars.map((b) => Math.min(b.label.length, MAX_LABEL)));
    const labelOf = (i: number) => truncate(bars[i]?.label ?? '', MAX_LABEL);
    // Labels are drawn by Plot as SVG text, so they are never parsed as markup.
    const chart = Plot.plot({
      width: this.options.width ?? 340,
      height: 20 * bars.length + 30,
      marginTop: 6,
      marginBottom: 24,
      marginLeft: Math.min(Math.max(Math.ceil(6.5 * longest) + 14, 36), 124),
      marginRight: 12,
      ariaLabel: `Most frequent values of ${this.options.label}`,
      x: { label: null, grid: true, ticks: 3, tickFormat: '~s' },
      y: { label: null, domain: bars.map((b) => b.i), tickFormat: labelOf },
      marks: [
        Plot.barX(
          bars.filter((b) => !b.other),
          { x: 'count', y: 'i', fill: 'var(--chart-fill)', title: (b: Bar) => `${b.label}: ${count(b.count)} rows` },
        ),
        Plot.barX(
          bars.filter((b) => b.other),
          { x: 'count', y: 'i', fill: 'var(--chart-muted)', title: (b: Bar) => `${b.label}: ${count(b.count)} rows` },
        ),
        Plot.ruleX([0], { stroke: 'var(--chart-axis)' }),
      ],
    });
    this.container.replaceChildren(chart);
  }
}
