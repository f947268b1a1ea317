// The training loss as it arrives from the worker: a line once there are two values, a
// number before that.
import * as Plot from '@observablehq/plot';
import { stat } from '../format';

export interface LossPoint {
  step: number;
  loss: number;
}

export class LossLine {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: { width?: number; height?: number } = {},
  ) {}

  update(points: LossPoint[]): void {
    const last = points[points.length - 1];
    if (!last) {
      this.container.replaceChildren();
      return;
    }
    const caption = document.createElement('p');
    caption.className = 'note loss-value';
    caption.textContent = `training loss ${stat(last.loss)}`;
    if (points.length < 2) {
      this.container.replaceChildren(caption);
      return;
    }
    const chart = Plot.plot({
      width: this.options.width ?? 280,
      height: this.options.height ?? 110,
      marginLeft: 44,
      marginBottom: 24,
      ariaLabel: 'Training loss',
      ariaDescription: `${points.length} values, last ${stat(last.loss)}`,
      x: { label: null, ticks: 4 },
      y: { label: null, grid: true, ticks: 3, tickFormat: stat },
      marks: [
        Plot.line(points, { x: 'step', y: 'loss', stroke: 'var(--chart-fill)', strokeWidth: 2 }),
        Plot.dot([last], { x: 'step', y: 'loss', fill: 'var(--chart-fill)' }),
      ],
    });
    this.container.replaceChildren(chart, caption);
  }
}
