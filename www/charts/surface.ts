// The output's picture, large: what the network answers over the two inputs (painted by
// the core in the worker, scaled up smoothly here), with the training rows on top (and
// the test rows, outlined, when asked). Canvas, not SVG: it is redrawn every frame.
// A frame costs two image copies: the rows are drawn once into a layer of their own (500
// circles stroked and filled each frame took several milliseconds of the main thread in
// software rendering), and the width is the one a ResizeObserver last reported, not read
// from the layout after the frame's other writes (which forced a layout of the page).
import { NEGATIVE, POSITIVE } from './network';

export interface SurfacePoint {
  x: number;
  y: number;
  target: number;
  test: boolean;
}

export class OutputSurface {
  private readonly canvas: HTMLCanvasElement;
  private readonly small: HTMLCanvasElement;
  private points: SurfacePoint[] = [];
  private ranges: { x: [number, number]; y: [number, number] } | null = null;
  private colour: (p: SurfacePoint) => string = () => '#777';
  /** The rows drawn once, and what they were drawn for. */
  private readonly layer: HTMLCanvasElement;
  private layerFor = '';
  private layerVersion = 0;
  /** The container's width, as last observed (0 until it is laid out). */
  private width = 0;
  showTest = false;

  constructor(container: HTMLElement, label: string) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'surface';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', label);
    this.small = document.createElement('canvas');
    this.layer = document.createElement('canvas');
    container.replaceChildren(this.canvas);
    new ResizeObserver((entries) => {
      this.width = entries[entries.length - 1]?.contentRect.width ?? this.width;
    }).observe(container);
  }

  /** The rows to draw, their axes' ranges, and whether targets are classes (else values). */
  setPoints(points: SurfacePoint[], x: [number, number], y: [number, number], classes: number): void {
    this.points = points;
    this.ranges = { x, y };
    this.layerVersion++;
    if (classes === 2) {
      this.colour = (p) => (p.target === 1 ? POSITIVE : NEGATIVE);
    } else if (classes > 2) {
      const palette = ['#f59322', '#0877bd', '#3ca951', '#a463f2', '#ff725c', '#6cc5b0', '#9c6b4e'];
      this.colour = (p) => palette[p.target % palette.length]!;
    } else {
      const values = points.map((p) => p.target);
      const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(values.length, 1)) || 1;
      this.colour = (p) => {
        const t = Math.max(-1, Math.min(1, (p.target - mean) / sd / 2));
        return t >= 0 ? mix(POSITIVE, t) : mix(NEGATIVE, -t);
      };
    }
  }

  /** Draws `image` (the output neuron's picture) and the rows. */
  draw(image: ImageData | null): void {
    // the first frame (before any observation) reads the layout once
    if (this.width === 0) this.width = this.canvas.parentElement?.clientWidth ?? 0;
    const size = Math.round(Math.min(this.width || 360, 420));
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    if (this.canvas.width !== size * dpr) {
      this.canvas.width = this.canvas.height = size * dpr;
      this.canvas.style.width = this.canvas.style.height = `${size}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (image) {
      if (this.small.width !== image.width || this.small.height !== image.height) {
        this.small.width = image.width;
        this.small.height = image.height;
      }
      this.small.getContext('2d')?.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.small, 0, 0, size, size);
    } else {
      ctx.fillStyle = '#e8eaeb';
      ctx.fillRect(0, 0, size, size);
    }
    if (!this.ranges) return;
    const key = `${size} ${dpr} ${this.showTest} ${this.layerVersion}`;
    if (key !== this.layerFor) {
      this.layerFor = key;
      this.layer.width = this.layer.height = size * dpr;
      const lctx = this.layer.getContext('2d');
      if (!lctx) return;
      lctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      this.drawPoints(lctx, size);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.layer, 0, 0);
  }

  /** The rows, on a transparent layer of `size` CSS pixels. */
  private drawPoints(ctx: CanvasRenderingContext2D, size: number): void {
    const r = this.ranges;
    if (!r) return;
    const px = (x: number) => ((x - r.x[0]) / (r.x[1] - r.x[0])) * size;
    const py = (y: number) => ((r.y[1] - y) / (r.y[1] - r.y[0])) * size;
    const radius = size < 300 ? 2.5 : 3.2;
    for (const p of this.points) {
      if (p.test && !this.showTest) continue;
      ctx.beginPath();
      ctx.arc(px(p.x), py(p.y), radius, 0, 2 * Math.PI);
      ctx.fillStyle = this.colour(p);
      ctx.fill();
      ctx.lineWidth = p.test ? 1.4 : 0.8;
      ctx.strokeStyle = p.test ? '#000' : '#fff';
      ctx.stroke();
    }
  }
}

/** `hex` mixed with the light grey of 0: `amount` 0 is the grey, 1 is the colour. */
function mix(hex: string, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const grey = [232, 234, 235];
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v, i) => Math.round(grey[i]! + (v - grey[i]!) * amount));
  return `rgb(${c.join(',')})`;
}
