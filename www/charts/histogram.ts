// A histogram of one numeric column from its profile's bin edges and counts.
import * as Plot from '@observablehq/plot';
import type { Histogram as HistogramData } from '../protocol';
import { count, stat } from '../format';

export interface HistogramOptions {
  /** The column's name, used in the chart's accessible label. */
  label: string;
  width?: number;
  height?: number;
}

interface Bin {
  x1: number;
  x2: number;
  count: number;
}

export class Histogram {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: HistogramOptions,
  ) {}

  update(data: HistogramData): void {
    const bins: Bin[] = [];
    data.counts.forEach((n, i) => {
      const x1 = data.edges[i];
      const x2 = data.edges[i + 1];
      if (x1 === undefined || x2 === undefined || !Number.isFinite(x1) || !Number.isFinite(x2)) return;
      // A constant column has one zero-width bin; give it some width to be visible.
      bins.push(x1 === x2 ? { x1: x1 - 0.5, x2: x2 + 0.5, count: n } : { x1, x2, count: n });
    });
    if (bins.length === 0) {
      this.container.replaceChildren(document.createTextNode('No finite values to chart.'));
      return;
    }
    const chart = Plot.plot({
      width: this.options.width ?? 340,
      height: this.options.height ?? 130,
      marginLeft: 40,
      marginRight: 12,
      marginBottom: 26,
      ariaLabel: `Histogram of ${this.options.label}`,
      ariaDescription: `${bins.length} bins from ${stat(bins[0]!.x1)} to ${stat(bins[bins.length - 1]!.x2)}`,
      x: { label: null, ticks: 4, tickFormat: stat },
      y: { label: null, grid: true, ticks: 3, tickFormat: '~s' },
      marks: [
        Plot.rectY(bins, {
          x1: 'x1',
          x2: 'x2',
          y: 'count',
          fill: 'var(--chart-fill)',
          insetLeft: 0.5,
          insetRight: 0.5,
          title: (d: Bin) => `${stat(d.x1)} to ${stat(d.x2)}: ${count(d.count)} rows`,
        }),
        Plot.ruleY([0], { stroke: 'var(--chart-axis)' }),
      ],
    });
    this.container.replaceChildren(chart);
  }
}
