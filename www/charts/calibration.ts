// A reliability diagram: in each bin of predicted probability, the share of rows that really
// were positive. Points on the diagonal mean the probabilities can be taken at their word.
import * as Plot from '@observablehq/plot';
import type { CalibrationBin } from '../protocol';
import { count, stat } from '../format';

export interface CalibrationOptions {
  label: string;
  width?: number;
  height?: number;
}

interface Point {
  predicted: number;
  observed: number;
  count: number;
  lower: number;
  upper: number;
}

export class CalibrationChart {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: CalibrationOptions,
  ) {}

  update(bins: CalibrationBin[]): void {
    const data: Point[] = [];
    for (const b of bins) {
      if (b.count === 0 || b.mean_predicted === null || b.fraction_positive === null) continue;
      data.push({ predicted: b.mean_predicted, observed: b.fraction_positive, count: b.count, lower: b.lower, upper: b.upper });
    }
    if (data.length === 0) {
      this.container.replaceChildren(document.createTextNode('No calibration bins: the model gave no probabilities.'));
      return;
    }
    const unit = { domain: [0, 1] as [number, number], ticks: 5, tickFormat: (v: number) => stat(v) };
    const chart = Plot.plot({
      width: this.options.width ?? 320,
      height: this.options.height ?? 280,
      marginLeft: 44,
      marginBottom: 38,
      ariaLabel: `Calibration of the predicted probability of class ${this.options.label}`,
      ariaDescription: `${data.length} non-empty bins of ${bins.length}`,
      x: { ...unit, label: 'mean predicted probability →' },
      y: { ...unit, label: '↑ observed share positive', grid: true },
      r: { range: [2.5, 9] },
      marks: [
        Plot.line([[0, 0], [1, 1]], { stroke: 'var(--chart-muted)', strokeDasharray: '4 3' }),
        Plot.line(data, { x: 'predicted', y: 'observed', stroke: 'var(--chart-fill)', strokeOpacity: 0.6 }),
        Plot.dot(data, {
          x: 'predicted', y: 'observed', r: 'count', fill: 'var(--chart-fill)', stroke: 'white',
          title: (d: Point) => `${stat(d.lower)}–${stat(d.upper)}: ${count(d.count)} rows, predicted ${stat(d.predicted)}, observed ${stat(d.observed)}`,
        }),
      ],
    });
    this.container.replaceChildren(chart);
  }
}
