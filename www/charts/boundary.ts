// The decision boundary of a classifier on two numeric inputs: the core's grid of
// predictions as a raster (each cell in its class colour, paler where the model is less
// sure), with the data rows drawn over it in their true class colour.
import * as Plot from '@observablehq/plot';
import type { DecisionGrid } from '../protocol';
import { percent, stat, truncate } from '../format';

/** Class colours (Observable's ten-colour scheme), by class index. */
export const CLASS_COLOURS = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0'];

function colour(k: number): string {
  return CLASS_COLOURS[k % CLASS_COLOURS.length]!;
}

/** `hex` mixed with white: `amount` 0 is white, 1 is the colour. */
function tint(hex: string, amount: number): string {
  return `rgb(${tintRgb(hex, amount).join(',')})`;
}

/** {@link tint} as numbers. */
function tintRgb(hex: string, amount: number): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  const mix = (c: number) => Math.round(255 + (c - 255) * amount);
  return [mix((n >> 16) & 255), mix((n >> 8) & 255), mix(n & 255)];
}

/** What a chart's frame depends on: the cells, the ranges, the classes, the axes and the rows drawn. */
function frameOf(grid: DecisionGrid): string {
  return JSON.stringify([grid.size, grid.x_range, grid.y_range, grid.classes, grid.x, grid.y, grid.points.length]);
}

interface Sample {
  x: number;
  y: number;
  fill: string;
}

export interface BoundaryOptions {
  width?: number;
  height?: number;
}

export class BoundaryMap {
  /** The frame of the chart on screen (size, ranges, classes, axes), for {@link BoundaryMap.repaint}. */
  private drawn = '';

  constructor(
    private readonly container: HTMLElement,
    private readonly options: BoundaryOptions = {},
  ) {}

  /**
   * Repaints only the cells of the chart on screen with `grid` when it has the same frame
   * (a model still training on the same table): its raster image is replaced by one this
   * draws itself, pixel for pixel what Plot draws (the same colours, the same order),
   * in about a millisecond, where rebuilding the chart with its 600 rows costs the main
   * thread 50–250 ms on this machine. False when there is no such chart: call update.
   */
  repaint(grid: DecisionGrid, title: string): boolean {
    const image = this.container.querySelector('svg image');
    if (!image || this.drawn !== frameOf(grid)) return false;
    const { size } = grid;
    const k = Math.max(grid.classes.length, 2);
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext('2d');
    if (!ctx) return false;
    const pixels = ctx.createImageData(size, size);
    grid.class.forEach((c, n) => {
      const sure = Math.max(0, Math.min(1, ((grid.confidence[n] ?? 1) - 1 / k) / (1 - 1 / k)));
      const [r, g, b] = tintRgb(colour(c), 0.12 + 0.5 * sure);
      // the grid's order, bottom row first: Plot's raster image is in it too (its y scale
      // turns the image upright), so the pixels are the same
      const at = n * 4;
      pixels.data[at] = r;
      pixels.data[at + 1] = g;
      pixels.data[at + 2] = b;
      pixels.data[at + 3] = 255;
    });
    ctx.putImageData(pixels, 0, 0);
    image.setAttribute('href', canvas.toDataURL());
    this.container.querySelector('svg')?.setAttribute('aria-label', title);
    this.container.dataset.grid = JSON.stringify({ size, x_range: grid.x_range, y_range: grid.y_range, classes: grid.classes, class: grid.class });
    return true;
  }

  update(grid: DecisionGrid, title: string): void {
    this.drawn = frameOf(grid);
    const { size, x_range: xr, y_range: yr } = grid;
    const k = Math.max(grid.classes.length, 2);
    const dx = (xr[1] - xr[0]) / size;
    const dy = (yr[1] - yr[0]) / size;
    const cells: Sample[] = grid.class.map((c, n) => {
      const sure = Math.max(0, Math.min(1, ((grid.confidence[n] ?? 1) - 1 / k) / (1 - 1 / k)));
      return {
        x: xr[0] + ((n % size) + 0.5) * dx,
        y: yr[0] + (Math.floor(n / size) + 0.5) * dy,
        fill: tint(colour(c), 0.12 + 0.5 * sure),
      };
    });
    const index = new Map(grid.classes.map((c, i) => [c, i]));
    const points = grid.points.map((p) => ({
      x: p.x,
      y: p.y,
      label: p.label ?? '(none)',
      fill: p.label !== null && index.has(p.label) ? colour(index.get(p.label)!) : '#777',
    }));
    const area = grid.classes.map((_, i) => grid.class.filter((c) => c === i).length);
    const chart = Plot.plot({
      width: this.options.width ?? 440,
      height: this.options.height ?? 400,
      marginLeft: 46,
      marginBottom: 38,
      ariaLabel: title,
      ariaDescription: grid.classes.map((c, i) => `class ${c} covers ${percent(area[i] ?? 0, grid.class.length)} of the map`).join('; '),
      x: { domain: xr, label: `${truncate(grid.x, 24)} →`, tickFormat: (v: number) => stat(v) },
      y: { domain: yr, label: `↑ ${truncate(grid.y, 24)}`, tickFormat: (v: number) => stat(v) },
      color: { type: 'identity' },
      marks: [
        Plot.raster(cells, {
          x: 'x', y: 'y', fill: 'fill', width: size, height: size,
          x1: xr[0], x2: xr[1], y1: yr[0], y2: yr[1], interpolate: 'none', imageRendering: 'pixelated',
        }),
        Plot.dot(points, { x: 'x', y: 'y', fill: 'fill', stroke: 'white', strokeWidth: 0.8, r: 3, title: 'label' }),
        Plot.frame({ stroke: 'var(--chart-muted)' }),
      ],
    });
    const legend = document.createElement('ul');
    legend.className = 'legend';
    legend.setAttribute('aria-label', 'Classes');
    grid.classes.forEach((c, i) => {
      const li = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colour(i);
      li.append(swatch, document.createTextNode(`${truncate(c, 20)} (${percent(area[i] ?? 0, grid.class.length)} of the map)`));
      legend.append(li);
    });
    this.container.replaceChildren(chart, legend);
    // the drawn classes, for tools and tests that check the map against the scorer
    this.container.dataset.grid = JSON.stringify({ size, x_range: xr, y_range: yr, classes: grid.classes, class: grid.class });
  }

  clear(text: string): void {
    this.drawn = '';
    delete this.container.dataset.grid;
    this.container.replaceChildren(document.createTextNode(text));
  }
}
