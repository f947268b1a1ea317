// Precision, recall and the expected cost of one scored row across decision thresholds,
// with the chosen threshold and the cheapest one marked.
import * as Plot from '@observablehq/plot';
import type { ThresholdTable } from '../protocol';
import { stat } from '../format';

export interface ThresholdChartOptions {
  label: string;
  width?: number;
}

interface Line {
  threshold: number;
  value: number;
  series: string;
}

export class ThresholdChart {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: ThresholdChartOptions,
  ) {}

  update(table: ThresholdTable, threshold: number): void {
    const rows = table.rows;
    const best = rows[table.best];
    if (rows.length === 0 || !best) {
      this.container.replaceChildren();
      return;
    }
    const rates: Line[] = rows.flatMap((r) => [
      { threshold: r.threshold, value: r.precision, series: 'precision' },
      { threshold: r.threshold, value: r.recall, series: 'recall' },
    ]);
    const width = this.options.width ?? 420;
    const x = { domain: [0, 1] as [number, number], label: 'threshold →', ticks: 10, tickFormat: (v: number) => stat(v) };
    const top = Plot.plot({
      width,
      height: 190,
      marginLeft: 44,
      marginBottom: 34,
      ariaLabel: `Precision and recall of class ${this.options.label} by threshold`,
      x,
      y: { domain: [0, 1], label: '↑ share', grid: true, ticks: 5 },
      color: { domain: ['precision', 'recall'], range: ['#0b5cad', '#c2410c'], legend: true },
      marks: [
        Plot.line(rates, { x: 'threshold', y: 'value', stroke: 'series', strokeWidth: 2 }),
        Plot.ruleX([threshold], { stroke: 'currentColor', strokeWidth: 1.5 }),
        Plot.ruleX([0.5], { stroke: 'var(--chart-muted)', strokeDasharray: '3 3' }),
      ],
    });
    const cost = Plot.plot({
      width,
      height: 160,
      marginLeft: 44,
      marginBottom: 34,
      ariaLabel: `Expected cost per row by threshold (false positive ${stat(table.cost_fp)}, false negative ${stat(table.cost_fn)})`,
      ariaDescription: `cheapest at threshold ${stat(best.threshold)}: ${stat(best.expected_cost)} per row`,
      x,
      y: { label: '↑ expected cost per row', grid: true, ticks: 4, tickFormat: stat, zero: true },
      marks: [
        Plot.line(rows, { x: 'threshold', y: 'expected_cost', stroke: '#6d28d9', strokeWidth: 2 }),
        Plot.ruleX([threshold], { stroke: 'currentColor', strokeWidth: 1.5 }),
        Plot.ruleX([0.5], { stroke: 'var(--chart-muted)', strokeDasharray: '3 3' }),
        Plot.dot([best], { x: 'threshold', y: 'expected_cost', r: 5, fill: '#6d28d9', title: () => `cheapest: ${stat(best.threshold)}` }),
      ],
    });
    this.container.replaceChildren(top, cost);
  }
}
