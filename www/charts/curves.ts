// ROC and precision–recall curves of one class's score, drawn from the core's curve points.
// The core sends them thinned for drawing (`src/metrics/thin.rs`: at most ~2,000 points,
// within half a pixel of the full curve); the AUC and AP it sends come from the full curves.
import * as Plot from '@observablehq/plot';
import type { BinaryCurves } from '../protocol';
import { stat } from '../format';

export interface CurveOptions {
  /** What the positive class is called in labels, e.g. `1` or `virginica`. */
  label: string;
  width?: number;
  height?: number;
}

interface Point {
  x: number;
  y: number;
  threshold: number | undefined;
}

function points(xs: number[], ys: number[], thresholds: number[]): Point[] {
  const out: Point[] = [];
  xs.forEach((x, i) => {
    const y = ys[i];
    if (y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) return;
    out.push({ x, y, threshold: thresholds[i] });
  });
  return out;
}

/** At most `max` of `data`, evenly spread by index, the first and the last kept: the points
 *  the pointer can land on. Every point would cost a `title` (three number formats) and
 *  Plot's channels each: a pointer dot per point of a fraud model's 25,000-point curves
 *  held the page's main thread for 457 ms in one task (`benches/node/page.mjs`); the line
 *  itself goes through every point the core sent. */
export function thin<T>(data: T[], max = 400): T[] {
  if (data.length <= max) return data;
  const out: T[] = [];
  const step = (data.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(data[Math.round(i * step)] as T);
  return out;
}

function empty(container: HTMLElement, text: string): void {
  container.replaceChildren(document.createTextNode(text));
}

const unit = { domain: [0, 1] as [number, number], ticks: 5, tickFormat: (v: number) => stat(v) };

/** The ROC curve: true-positive rate against false-positive rate, with the chance diagonal. */
export class RocChart {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: CurveOptions,
  ) {}

  update(curves: BinaryCurves, auc: number | null): void {
    if (!curves.roc) {
      empty(this.container, 'No ROC curve: the test rows hold one class only.');
      return;
    }
    const data = points(curves.roc.fpr, curves.roc.tpr, curves.roc.thresholds);
    const chart = Plot.plot({
      width: this.options.width ?? 320,
      height: this.options.height ?? 280,
      marginLeft: 44,
      marginBottom: 38,
      ariaLabel: `ROC curve for class ${this.options.label}`,
      ariaDescription: auc === null ? `${data.length} points` : `area under the curve ${stat(auc)}`,
      x: { ...unit, label: 'false-positive rate →' },
      y: { ...unit, label: '↑ true-positive rate', grid: true },
      marks: [
        Plot.line([[0, 0], [1, 1]], { stroke: 'var(--chart-muted)', strokeDasharray: '4 3' }),
        Plot.line(data, { x: 'x', y: 'y', stroke: 'var(--chart-fill)', strokeWidth: 2, curve: 'step-after' }),
        Plot.dot(thin(data), Plot.pointer({
          x: 'x', y: 'y', r: 4, fill: 'var(--chart-fill)',
          title: (d: Point) => `threshold ${d.threshold === undefined ? '?' : stat(d.threshold)}: FPR ${stat(d.x)}, TPR ${stat(d.y)}`,
        })),
        auc === null ? null : Plot.text([`AUC ${stat(auc)}`], { frameAnchor: 'bottom-right', dx: -6, dy: -6, fill: 'currentColor' }),
      ],
    });
    this.container.replaceChildren(chart);
  }
}

/** The precision–recall curve, with the share of positives as the no-skill line. */
export class PrChart {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: CurveOptions,
  ) {}

  update(curves: BinaryCurves, averagePrecision: number | null, baseRate: number | null): void {
    if (!curves.pr) {
      empty(this.container, 'No precision–recall curve: the test rows hold no positive row.');
      return;
    }
    const data = points(curves.pr.recall, curves.pr.precision, curves.pr.thresholds);
    const chart = Plot.plot({
      width: this.options.width ?? 320,
      height: this.options.height ?? 280,
      marginLeft: 44,
      marginBottom: 38,
      ariaLabel: `Precision–recall curve for class ${this.options.label}`,
      ariaDescription: averagePrecision === null ? `${data.length} points` : `average precision ${stat(averagePrecision)}`,
      x: { ...unit, label: 'recall →' },
      y: { ...unit, label: '↑ precision', grid: true },
      marks: [
        baseRate === null ? null : Plot.ruleY([baseRate], { stroke: 'var(--chart-muted)', strokeDasharray: '4 3' }),
        Plot.line(data, { x: 'x', y: 'y', stroke: 'var(--chart-fill)', strokeWidth: 2, curve: 'step-before' }),
        Plot.dot(thin(data), Plot.pointer({
          x: 'x', y: 'y', r: 4, fill: 'var(--chart-fill)',
          title: (d: Point) => `threshold ${d.threshold === undefined ? '?' : stat(d.threshold)}: recall ${stat(d.x)}, precision ${stat(d.y)}`,
        })),
        averagePrecision === null ? null
          : Plot.text([`AP ${stat(averagePrecision)}`], { frameAnchor: 'bottom-left', dx: 6, dy: -6, fill: 'currentColor' }),
      ],
    });
    this.container.replaceChildren(chart);
  }
}
