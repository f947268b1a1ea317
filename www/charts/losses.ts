// The live view's loss curves, train and test, one point per frame: a small canvas drawn
// again each frame (Observable Plot rebuilds its SVG, too slow at ten frames a second).
import { stat } from '../format';

export interface LossSample {
  epoch: number;
  train: number;
  test: number;
  /** Boosting's loss on the rows it held out to stop early, when it holds some out. */
  validation?: number | null;
}

export class LossCurves {
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly test: HTMLSpanElement;
  private readonly train: HTMLSpanElement;
  private readonly validation: HTMLSpanElement;
  /** The container's width, as a ResizeObserver last reported it (0 before). */
  private width = 0;

  constructor(container: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'loss-curves';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Training and test loss by epoch');
    this.caption = document.createElement('p');
    this.caption.className = 'loss-caption';
    this.test = document.createElement('span');
    this.test.className = 'loss-test';
    this.train = document.createElement('span');
    this.train.className = 'loss-train';
    this.validation = document.createElement('span');
    this.validation.className = 'loss-validation';
    container.replaceChildren(this.caption, this.canvas);
    new ResizeObserver((entries) => {
      this.width = entries[entries.length - 1]?.contentRect.width ?? this.width;
    }).observe(container);
  }

  /**
   * Draws the curves. Each frame changes two texts in place and redraws a canvas; the
   * width comes from the ResizeObserver, so a frame never asks the layout for it after
   * writing (a forced layout of the whole page each frame).
   */
  draw(samples: LossSample[]): void {
    const last = samples[samples.length - 1];
    if (last) {
      this.test.textContent = `Test loss ${stat(last.test)}`;
      this.train.textContent = `Training loss ${stat(last.train)}`;
      const v = last.validation;
      this.validation.textContent = typeof v === 'number' && Number.isFinite(v) ? `Validation loss ${stat(v)} (dashed)` : '';
      if (this.caption.childNodes.length === 0) this.caption.append(this.test, ' ', this.train, ' ', this.validation);
    } else {
      this.caption.replaceChildren();
    }
    if (this.width === 0) this.width = this.canvas.parentElement?.clientWidth ?? 0;
    const width = Math.round(Math.min(this.width || 300, 420));
    const height = 70;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    if (this.canvas.width !== width * dpr) {
      this.canvas.width = width * dpr;
      this.canvas.height = height * dpr;
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const finite = samples.filter((s) => Number.isFinite(s.train) && Number.isFinite(s.test));
    if (finite.length < 2) return;
    const valid = (s: LossSample) => (typeof s.validation === 'number' && Number.isFinite(s.validation) ? s.validation : 0);
    const top = Math.max(...finite.map((s) => Math.max(s.train, s.test, valid(s))), 1e-9);
    const first = finite[0]!.epoch;
    const span = Math.max(finite[finite.length - 1]!.epoch - first, 1);
    const line = (of: (s: LossSample) => number | null | undefined, colour: string, widthPx: number, dash: number[] = []) => {
      ctx.beginPath();
      let started = false;
      for (const s of finite) {
        const v = of(s);
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        const x = ((s.epoch - first) / span) * (width - 2) + 1;
        const y = height - 2 - (v / top) * (height - 4);
        if (!started) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
        started = true;
      }
      ctx.setLineDash(dash);
      ctx.strokeStyle = colour;
      ctx.lineWidth = widthPx;
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line((s) => s.train, '#999', 1.5);
    line((s) => s.test, '#000', 1.5);
    line((s) => s.validation, '#555', 1.2, [4, 3]);
  }
}
