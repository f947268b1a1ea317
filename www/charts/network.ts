// The network diagram of the live view: a column of neurons per layer (the input features,
// each hidden layer, the outputs), each neuron a small picture of what it computes over the
// two inputs when there are two (painted by the core in the worker), and one link per
// weight whose width shows its size and whose colour its sign (blue positive, orange
// negative, TensorFlow Playground's scale). Hovering a link or a neuron shows its value.
// The layout is built once per network shape; a frame only changes attributes and pixels,
// so drawing one stays far below a frame's budget.

const SVG = 'http://www.w3.org/2000/svg';
export const POSITIVE = '#0877bd';
export const NEGATIVE = '#f59322';

export interface NetworkFrame {
  sizes: number[];
  weights: number[][];
  biases: number[][];
}

interface Link {
  path: SVGPathElement;
  layer: number;
  to: number;
  from: number;
}

export class NetworkDiagram {
  private readonly svg: SVGSVGElement;
  private readonly nodes: HTMLElement;
  private readonly hover: HTMLElement;
  private canvases: HTMLCanvasElement[] = [];
  private links: Link[] = [];
  private names: string[][] = [];
  private frame: NetworkFrame | null = null;
  private shape = '';

  constructor(private readonly container: HTMLElement) {
    container.classList.add('network');
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'network-links');
    this.svg.setAttribute('aria-hidden', 'true');
    this.nodes = document.createElement('div');
    this.nodes.className = 'network-nodes';
    this.hover = document.createElement('p');
    this.hover.className = 'hint network-hover';
    this.hover.setAttribute('aria-live', 'polite');
    this.hover.textContent = 'Hover a link or a neuron to read its weight or bias.';
    container.replaceChildren(this.svg, this.nodes, this.hover);
    this.svg.addEventListener('pointerover', (e) => {
      const i = Number((e.target as Element).getAttribute('data-link'));
      const link = Number.isInteger(i) ? this.links[i] : undefined;
      if (!link || !this.frame) return;
      const w = this.frame.weights[link.layer]?.[link.to * (this.frame.sizes[link.layer] ?? 0) + link.from] ?? NaN;
      this.hover.textContent = `weight ${this.names[link.layer]?.[link.from]} → ${this.names[link.layer + 1]?.[link.to]}: ${w.toFixed(3)}`;
    });
  }

  /** Lays out a network of `sizes` (inputs first) named by `features`; `pictures` puts a canvas of `grid` pixels in each neuron. */
  build(features: string[], sizes: number[], classes: string[], pictures: boolean, grid: number): void {
    const shape = JSON.stringify([features, sizes, classes, pictures, grid]);
    if (shape === this.shape) return;
    this.shape = shape;
    const width = Math.max(this.container.clientWidth, 280);
    const node = pictures ? (width < 480 ? 26 : 34) : 14;
    const gap = pictures ? 10 : 8;
    const tallest = Math.max(...sizes);
    const height = tallest * (node + gap) + 20;
    const columns = sizes.length;
    // room on the left for the inputs' names and on the right for the outputs'
    const xOf = (l: number) => 62 + (l * (width - 62 - 78)) / Math.max(columns - 1, 1);
    const yOf = (l: number, k: number) => 10 + ((tallest - (sizes[l] ?? 0)) * (node + gap)) / 2 + k * (node + gap);
    this.names = sizes.map((n, l) => Array.from({ length: n }, (_, k) =>
      l === 0 ? (features[k] ?? `x${k + 1}`)
        // one output of two classes (logistic regression, boosting) is the second's probability
        : l === columns - 1 ? (classes.length > 0 ? `p(${(n === 1 && classes.length === 2 ? classes[1] : classes[k]) ?? k})` : 'output')
          : `h${l}.${k + 1}`));
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.container.style.setProperty('--network-height', `${height}px`);
    this.canvases = [];
    this.links = [];
    const paths: SVGPathElement[] = [];
    for (let l = 0; l + 1 < columns; l++) {
      for (let to = 0; to < (sizes[l + 1] ?? 0); to++) {
        for (let from = 0; from < (sizes[l] ?? 0); from++) {
          const x1 = xOf(l) + node / 2, y1 = yOf(l, from) + node / 2;
          const x2 = xOf(l + 1) - node / 2, y2 = yOf(l + 1, to) + node / 2;
          const mx = (x1 + x2) / 2;
          const path = document.createElementNS(SVG, 'path');
          path.setAttribute('d', `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
          path.setAttribute('data-link', String(this.links.length));
          this.links.push({ path, layer: l, to, from });
          paths.push(path);
        }
      }
    }
    this.svg.replaceChildren(...paths);
    const boxes: HTMLElement[] = [];
    sizes.forEach((n, l) => {
      for (let k = 0; k < n; k++) {
        const box = document.createElement('div');
        box.className = `neuron${l === 0 ? ' input' : l === columns - 1 ? ' output' : ''}`;
        box.style.left = `${xOf(l) - node / 2}px`;
        box.style.top = `${yOf(l, k)}px`;
        box.style.width = box.style.height = `${node}px`;
        const name = this.names[l]![k]!;
        box.tabIndex = 0;
        box.setAttribute('aria-label', name);
        const show = () => {
          const b = l > 0 ? this.frame?.biases[l - 1]?.[k] : undefined;
          this.hover.textContent = b === undefined ? name : `${name}: bias ${b.toFixed(3)}`;
        };
        box.addEventListener('pointerover', show);
        box.addEventListener('focus', show);
        if (pictures) {
          const canvas = document.createElement('canvas');
          canvas.width = canvas.height = grid;
          box.append(canvas);
          this.canvases.push(canvas);
        }
        if (l === 0 || l === columns - 1) {
          const label = document.createElement('span');
          label.className = 'neuron-label';
          label.textContent = name;
          box.append(label);
        }
        boxes.push(box);
      }
    });
    this.nodes.replaceChildren(...boxes);
  }

  /** Draws the frame's weights and, when given, each neuron's picture (in layer order). */
  update(frame: NetworkFrame, images: ImageData[] | null): void {
    this.frame = frame;
    for (const link of this.links) {
      const at = frame.weights[link.layer]?.[link.to * (frame.sizes[link.layer] ?? 0) + link.from];
      // a model without weights (boosted trees) draws no links
      link.path.style.visibility = at === undefined ? 'hidden' : '';
      const w = at ?? 0;
      const width = Math.min(0.4 + Math.abs(w) * 1.6, 7);
      link.path.setAttribute('stroke', w >= 0 ? POSITIVE : NEGATIVE);
      link.path.setAttribute('stroke-width', width.toFixed(2));
    }
    if (images) {
      images.forEach((image, i) => this.canvases[i]?.getContext('2d')?.putImageData(image, 0, 0));
    }
  }

  clear(): void {
    this.shape = '';
    this.frame = null;
    this.svg.replaceChildren();
    this.nodes.replaceChildren();
  }
}
