// The live view's loss curves, train and test, one point per frame: a small canvas drawn
// again each frame (Observable Plot rebuilds its SVG, too slow at ten frames a second).
import { stat } from '../format';

export interface LossSample {
  epoch: number;
  train: number;
  test: number;
}

export class LossCurves {
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;

  constructor(container: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'loss-curves';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Training and test loss by epoch');
    this.caption = document.createElement('p');
    this.caption.className = 'loss-caption';
    container.replaceChildren(this.caption, this.canvas);
  }

  draw(samples: LossSample[]): void {
    const last = samples[samples.length - 1];
    this.caption.replaceChildren();
    if (last) {
      const test = document.createElement('span');
      test.className = 'loss-test';
      test.textContent = `Test loss ${stat(last.test)}`;
      const train = document.createElement('span');
      train.className = 'loss-train';
      train.textContent = `Training loss ${stat(last.train)}`;
      this.caption.append(test, ' ', train);
    }
    const width = Math.round(Math.min(this.canvas.parentElement?.clientWidth ?? 300, 420));
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
    const top = Math.max(...finite.map((s) => Math.max(s.train, s.test)), 1e-9);
    const first = finite[0]!.epoch;
    const span = Math.max(finite[finite.length - 1]!.epoch - first, 1);
    const line = (key: 'train' | 'test', colour: string, widthPx: number) => {
      ctx.beginPath();
      finite.forEach((s, i) => {
        const x = ((s.epoch - first) / span) * (width - 2) + 1;
        const y = height - 2 - (s[key] / top) * (height - 4);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.strokeStyle = colour;
      ctx.lineWidth = widthPx;
      ctx.stroke();
    };
    line('train', '#999', 1.5);
    line('test', '#000', 1.5);
  }
}
