// The live view: a neural network (`mlp`) you watch learn — and logistic regression (a
// frame per L-BFGS iteration, the weights as links) and boosting (a frame per tree), opened
// with "Watch it learn" beside Train. The worker trains it a few
// steps at a time (`liveStep`) and paints every neuron over the two inputs (`livePaint`,
// the core's numbers coloured in the worker); this thread only draws what arrives — the
// network diagram, the output's picture with the data on top, the train and test loss —
// and asks for the next frame once the browser has painted, so the page never waits on
// training and a frame costs it a few milliseconds. Play, pause, step one epoch, reset and
// a speed (epochs per frame); the 2-D data controls (data set, noise, training share,
// points, regenerate) sit above it and the derived inputs (x², y², x·y, sin x, sin y) in
// the form (every family can use them): TensorFlow Playground's controls. When the run reaches its epochs (or on "Use this
// network") the network becomes the panel's model, with its metrics, in Compare and ready
// to deploy; its artifact is the one Train gives for the same settings and epochs.
//
// A teacher hides controls through the link: `hide=noise,features,layers` (names in
// `CONTROLS`); a link with `play=1` starts playing on open, so it replays the run.
import type { WorkbenchClient } from '../client';
import type { LiveFrame, LiveStart, TrainOutcome, TrainSettings } from '../protocol';
import { h } from '../dom';
import { stat } from '../format';
import { message, showError } from '../errors';
import { NetworkDiagram } from '../charts/network';
import { OutputSurface } from '../charts/surface';
import { LossCurves, type LossSample } from '../charts/losses';

/** The controls a link can hide (`hide=…`). */
export const CONTROLS = ['data', 'noise', 'ratio', 'points', 'regenerate', 'features', 'layers', 'speed', 'step', 'reset', 'test-data'] as const;

/** The 2-D data sets the live view offers, TensorFlow Playground's six and two more. */
const SETS: [string, string][] = [
  ['circles', 'Circle'], ['xor', 'Exclusive or'], ['gaussian', 'Two Gaussians'], ['spirals', 'Spiral'],
  ['moons', 'Moons'], ['plane', 'Plane (regression)'], ['multi-gaussian', 'Six Gaussians (regression)'],
];

/** Pixels per side of each neuron's picture (the output's is the same, scaled up). */
export const GRID = 40;

/** What the live view asks of the page around it. */
export interface LiveHost {
  /** The training request the Model panel's settings make now (`null`, with an error shown, when one is invalid). */
  request(): TrainSettings | null;
  /** The run ended (or was stopped) and its network is the current model. */
  finished(outcome: TrainOutcome, request: TrainSettings): Promise<void>;
  /** Sets a hyperparameter as the panel's input would. */
  setParam(name: string, value: string): void;
  /** Sets the test share. */
  setTest(share: number): void;
  /** The built-in data on screen, if any. */
  data(): { dataset: string; rows: number | null; seed: number; noise: number | null } | null;
  /** Loads another built-in data set (or the same with other options). */
  loadData(choice: { dataset: string; rows: number | null; seed: number; noise: number | null }): Promise<void>;
}

interface Stats {
  frames: number;
  started: number;
  longest: number;
}

/** Capitalised. */
const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class LiveView {
  private readonly diagram: NetworkDiagram;
  private readonly surface: OutputSurface;
  private readonly losses: LossCurves;
  private readonly playButton: HTMLButtonElement;
  private readonly stepButton: HTMLButtonElement;
  private readonly resetButton: HTMLButtonElement;
  private readonly useButton: HTMLButtonElement;
  private readonly speed: HTMLSelectElement;
  private readonly epochText: HTMLElement;
  private readonly fpsText: HTMLElement;
  private readonly error: HTMLElement;
  private readonly note: HTMLElement;
  private readonly dataBar: HTMLElement;
  private readonly layerBox: HTMLElement;
  private readonly surfaceBox: HTMLElement;
  private started: LiveStart | null = null;
  private startedWith = '';
  private request: TrainSettings | null = null;
  private samples: LossSample[] = [];
  private playing = false;
  private busy = false;
  /** The reset in flight, which Play and Step wait for. */
  private pending: Promise<unknown> = Promise.resolve();
  private active = false;
  private hidden = new Set<string>();
  private epochs = 100;
  /** What a step is (`epoch`, `iteration`, `tree`) and the parameter that counts them. */
  private unit = 'epoch';
  private param = 'epochs';
  private last: LiveFrame | null = null;
  private readonly lede: HTMLElement;
  private columns: [string, string] | null = null;
  /** Frames drawn and the longest one, since Play (read by the e2e test). */
  readonly stats: Stats = { frames: 0, started: 0, longest: 0 };

  constructor(
    private readonly root: HTMLElement,
    private readonly client: WorkbenchClient,
    private readonly host: LiveHost,
  ) {
    this.playButton = h('button', { type: 'button', class: 'primary live-play', 'aria-label': 'Play' }, 'Play');
    this.stepButton = h('button', { type: 'button', 'data-control': 'step', class: 'live-step' }, 'Step one epoch');
    this.resetButton = h('button', { type: 'button', 'data-control': 'reset' }, 'Reset');
    this.useButton = h('button', { type: 'button', disabled: true, class: 'live-use' }, 'Use this network');
    this.speed = h('select', { id: 'live-speed', 'aria-label': 'Steps per frame' },
      ...[1, 2, 5, 10, 25, 50].map((n) => h('option', { value: n, selected: n === 2 }, `${n} epoch${n > 1 ? 's' : ''} a frame`)));
    this.epochText = h('span', { class: 'live-epoch', 'aria-live': 'off' }, 'Epoch 0');
    this.fpsText = h('span', { class: 'hint live-fps' });
    this.error = h('div', { class: 'error', role: 'alert', hidden: true });
    this.note = h('p', { class: 'hint live-note' });
    this.dataBar = h('div', { class: 'live-data', 'data-control': 'data' });
    this.layerBox = h('div', { class: 'live-layers', 'data-control': 'layers' });
    const networkBox = h('div', { class: 'live-network' });
    this.surfaceBox = h('div', { class: 'live-surface' });
    const lossBox = h('div', { class: 'live-loss' });
    const testToggle = h('label', { class: 'check', 'data-control': 'test-data' },
      h('input', { type: 'checkbox', id: 'live-show-test' }), ' Show test data');
    root.replaceChildren(
      h('h3', { id: 'live-title' }, 'Watch it learn'),
      this.lede = h('p', { class: 'lede' }),
      this.dataBar,
      h('div', { class: 'live-controls' },
        this.playButton, this.stepButton, this.resetButton,
        h('span', { 'data-control': 'speed' }, this.speed), this.epochText, this.fpsText, this.useButton),
      this.error,
      h('div', { class: 'live-body' },
        h('div', { class: 'live-left' }, this.layerBox, networkBox),
        h('div', { class: 'live-right' },
          h('h4', {}, 'Output'), lossBox, this.surfaceBox, testToggle, this.note)),
    );
    this.setUnit('epoch', 'epochs');
    this.diagram = new NetworkDiagram(networkBox);
    this.surface = new OutputSurface(this.surfaceBox, 'What the network answers over the two inputs, with the data on top');
    this.losses = new LossCurves(lossBox);
    this.playButton.addEventListener('click', () => void (this.playing ? this.pause() : this.play()));
    this.stepButton.addEventListener('click', () => void this.step());
    this.resetButton.addEventListener('click', () => void this.reset());
    this.useButton.addEventListener('click', () => void this.finish());
    testToggle.querySelector('input')!.addEventListener('change', (e) => {
      this.surface.showTest = (e.target as HTMLInputElement).checked;
      this.surface.draw(null);
      void this.repaint();
    });
  }

  /** Names the steps (`epoch`, `iteration`, `tree`) in the controls and the text. */
  private setUnit(unit: string, param: string): void {
    this.unit = unit;
    this.param = param;
    const many = (n: number) => `${n} ${unit}${n > 1 ? 's' : ''} a frame`;
    for (const o of this.speed.options) o.textContent = many(Number(o.value));
    this.stepButton.textContent = `Step one ${unit}`;
    this.speed.setAttribute('aria-label', `${title(unit)}s per frame`);
    const network = unit === 'epoch';
    this.useButton.textContent = network ? 'Use this network' : 'Use this model';
    this.lede.textContent = unit === 'epoch'
      ? 'Each picture shows what one neuron answers over the two inputs, blue for positive and orange for negative; '
        + 'the links between them are the weights, thicker for larger. Press Play and watch the pictures change as the '
        + 'loss falls. Change the network, the inputs, the noise or the learning rate and play again.'
      : unit === 'iteration'
        ? 'Logistic regression has no hidden neurons: each input links straight to the output, the link\'s width and '
          + 'colour its weight. A frame is one iteration of the solver (L-BFGS): watch the weights grow and the line '
          + 'turn until the loss stops falling. Add x² and y² and a line becomes a circle.'
        : 'Boosting adds one small tree at a time, each fitted to what the trees before it got wrong. A frame is one '
          + 'tree: watch the map sharpen, square by square, while the training loss falls; the test loss tells when '
          + 'more trees stop helping (early stopping keeps the trees up to the best validation loss).';
  }

  /** Shows the view for the `mlp` kind, or hides it (and stops playing). */
  setActive(active: boolean): void {
    this.active = active;
    this.root.hidden = !active;
    if (!active) this.pause();
  }

  /** Whether the view is on screen. */
  isActive(): boolean {
    return this.active;
  }

  /** Hides the controls a teacher's link names. */
  setHidden(names: string): void {
    this.hidden = new Set(names.split(',').map((s) => s.trim()).filter(Boolean));
    for (const el of this.root.querySelectorAll<HTMLElement>('[data-control]')) {
      el.hidden = this.hidden.has(el.dataset.control ?? '');
    }
  }

  /**
   * Follows the loaded table: the 2-D controls for its two numeric columns (`columns`),
   * and a fresh, untrained network.
   */
  setTable(columns: [string, string] | null): void {
    this.columns = columns;
    this.renderData();
    this.started = null;
    this.startedWith = '';
    this.pause();
  }

  /** The settings changed: the next Play starts a fresh network. */
  settingsChanged(): void {
    const request = this.host.request();
    if (request && JSON.stringify(this.core(request)) !== this.startedWith && !this.playing) void this.reset();
  }

  private renderData(): void {
    const d = this.host.data();
    const twoD = !!d && SETS.some(([name]) => name === d.dataset);
    if (!d || !twoD) {
      this.dataBar.replaceChildren(h('p', { class: 'hint' },
        'The data controls work on the 2-D sets (circle, xor, gaussian, spiral, plane, six gaussians); ',
        'this table trains live too, without pictures.'),
      h('button', { type: 'button', class: 'live-load-circle' }, 'Load the circle data'));
      this.dataBar.querySelector('button')!.addEventListener('click', () =>
        void this.host.loadData({ dataset: 'circles', rows: 400, seed: 42, noise: 0 }));
      return;
    }
    const request = this.host.request();
    const share = Math.round((1 - (request?.test_fraction ?? 0.25)) * 100);
    const noise = d.noise ?? 0;
    const points = d.rows ?? 400;
    const setSelect = h('select', { id: 'live-dataset', 'aria-label': 'Data set' },
      ...SETS.map(([name, title]) => h('option', { value: name, selected: name === d.dataset }, title)));
    const noiseInput = h('input', { id: 'live-noise', type: 'range', min: 0, max: 0.5, step: 0.05, value: noise });
    const ratioInput = h('input', { id: 'live-ratio', type: 'range', min: 10, max: 90, step: 10, value: share });
    const pointsInput = h('input', { id: 'live-points', type: 'range', min: 50, max: 1000, step: 50, value: points });
    const regenerate = h('button', { type: 'button', 'data-control': 'regenerate' }, 'Regenerate');
    const noiseOut = h('output', { for: 'live-noise' }, String(noise));
    const ratioOut = h('output', { for: 'live-ratio' }, `${share}%`);
    const pointsOut = h('output', { for: 'live-points' }, String(points));
    this.dataBar.replaceChildren(
      h('label', { class: 'field' }, 'Data ', setSelect),
      h('label', { class: 'field', 'data-control': 'noise' }, 'Noise ', noiseInput, noiseOut),
      h('label', { class: 'field', 'data-control': 'ratio' }, 'Training share ', ratioInput, ratioOut),
      h('label', { class: 'field', 'data-control': 'points' }, 'Points ', pointsInput, pointsOut),
      regenerate,
    );
    const load = (patch: Partial<{ dataset: string; rows: number | null; seed: number; noise: number | null }>) => {
      const now = this.host.data();
      if (!now) return;
      void this.host.loadData({ ...now, ...patch });
    };
    setSelect.addEventListener('change', () => load({ dataset: setSelect.value }));
    noiseInput.addEventListener('input', () => { noiseOut.textContent = noiseInput.value; });
    noiseInput.addEventListener('change', () => load({ noise: Number(noiseInput.value) }));
    ratioInput.addEventListener('input', () => { ratioOut.textContent = `${ratioInput.value}%`; });
    ratioInput.addEventListener('change', () => this.host.setTest(Math.round(100 - Number(ratioInput.value)) / 100));
    pointsInput.addEventListener('input', () => { pointsOut.textContent = pointsInput.value; });
    pointsInput.addEventListener('change', () => load({ rows: Number(pointsInput.value) }));
    regenerate.addEventListener('click', () => load({ seed: ((this.host.data()?.seed ?? 0) + 1) % 2 ** 32 }));
    this.setHidden([...this.hidden].join(','));
  }

  private renderLayers(request: TrainSettings): void {
    const hidden = String(request.params?.hidden ?? '4,2');
    const sizes = hidden === 'none' || hidden === '' ? [] : hidden.split(',').map(Number);
    const set = (next: number[]) => this.host.setParam('hidden', next.length === 0 ? 'none' : next.join(','));
    const add = h('button', { type: 'button', 'aria-label': 'Add a hidden layer', disabled: sizes.length >= 6 }, '+ layer');
    const remove = h('button', { type: 'button', 'aria-label': 'Remove a hidden layer', disabled: sizes.length === 0 }, '− layer');
    add.addEventListener('click', () => set([...sizes, 2]));
    remove.addEventListener('click', () => set(sizes.slice(0, -1)));
    this.layerBox.replaceChildren(
      h('span', {}, `${sizes.length} hidden layer${sizes.length === 1 ? '' : 's'}`), add, remove,
      ...sizes.map((n, i) => {
        const more = h('button', { type: 'button', 'aria-label': `More neurons in layer ${i + 1}`, disabled: n >= 8 }, '+');
        const fewer = h('button', { type: 'button', 'aria-label': `Fewer neurons in layer ${i + 1}`, disabled: n <= 1 }, '−');
        more.addEventListener('click', () => set(sizes.map((s, j) => (j === i ? s + 1 : s))));
        fewer.addEventListener('click', () => set(sizes.map((s, j) => (j === i ? s - 1 : s))));
        return h('span', { class: 'layer-size' }, `layer ${i + 1}: ${n} `, fewer, more);
      }),
    );
  }

  /** The part of a request that decides the network (not its creation time). */
  private core(r: TrainSettings): unknown {
    return { ...r, created: undefined };
  }

  /** A fresh, untrained network for the current settings. */
  reset(): Promise<boolean> {
    const run = this.pending.then(() => this.restart());
    this.pending = run.catch(() => false);
    return run;
  }

  private async restart(): Promise<boolean> {
    this.pause();
    const request = this.host.request();
    if (!request) return false;
    if (request.model !== 'mlp' && request.model !== 'logistic' && request.model !== 'boosting') return false;
    if (request.model === 'mlp') this.renderLayers(request);
    else this.layerBox.replaceChildren();
    this.busy = true;
    showError(this.error, null);
    try {
      const start = await this.client.model('liveStart', request, GRID);
      this.started = start;
      this.request = request;
      this.startedWith = JSON.stringify(this.core(request));
      this.setUnit(start.unit, start.param);
      this.epochs = start.planned;
      this.samples = [];
      this.last = start.frame;
      this.useButton.disabled = true;
      this.diagram.build(start.features, start.frame.sizes, start.classes, start.grid, GRID);
      this.surfaceBox.hidden = !start.grid;
      const cols = this.columns;
      if (start.grid && cols && start.points.length > 0) {
        const xs = start.points.map((p) => p.x);
        const ys = start.points.map((p) => p.y);
        const pad = (lo: number, hi: number): [number, number] => {
          const d = hi > lo ? (hi - lo) * 0.05 : 0.5;
          return [lo - d, hi + d];
        };
        this.surface.setPoints(start.points, pad(Math.min(...xs), Math.max(...xs)), pad(Math.min(...ys), Math.max(...ys)), start.classes.length);
      }
      this.note.textContent = start.grid ? '' : `This table has more than two inputs: the ${start.unit === 'epoch' ? 'network' : 'model'} is drawn without pictures.`;
      await this.draw(start.frame);
      return true;
    } catch (err) {
      this.started = null;
      showError(this.error, `${request.model === 'mlp' ? 'The network' : 'The model'} could not start: ${message(err)}`);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Plays until the run's end (its epochs, the solver's convergence, the last tree), a divergence or Pause. */
  async play(): Promise<void> {
    await this.pending;
    if (this.playing || this.busy) return;
    const request = this.host.request();
    if (!request) return;
    if (!this.started || JSON.stringify(this.core(request)) !== this.startedWith) {
      if (!(await this.reset())) return;
    }
    this.playing = true;
    this.playButton.textContent = 'Pause';
    this.playButton.setAttribute('aria-label', 'Pause');
    this.useButton.disabled = true;
    this.stats.frames = 0;
    this.stats.longest = 0;
    this.stats.started = performance.now();
    while (this.playing) {
      if (this.last?.done) break;
      const left = this.epochs - (this.last?.epoch ?? 0);
      const frame = await this.advance(Math.max(1, Math.min(Number(this.speed.value), left)));
      if (!frame) break;
      this.stats.frames++;
      const seconds = (performance.now() - this.stats.started) / 1000;
      if (seconds > 0.5) this.fpsText.textContent = `${(this.stats.frames / seconds).toFixed(0)} frames/s`;
      // for tools: frames a second since Play, up to the last frame
      this.root.dataset.fps = (this.stats.frames / Math.max(seconds, 1e-3)).toFixed(1);
      if (frame.diverged || frame.done) break;
      // the next frame once this one is on screen
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    const wasPlaying = this.playing;
    this.pause();
    if (wasPlaying && this.last?.done && !this.last.diverged && this.last.epoch > 0) await this.finish();
  }

  pause(): void {
    this.playing = false;
    this.playButton.textContent = 'Play';
    this.playButton.setAttribute('aria-label', 'Play');
    this.useButton.disabled = !this.started || this.samples.length === 0;
  }

  /** One step: an epoch, an iteration or a tree. */
  async step(): Promise<void> {
    await this.pending;
    if (this.playing || this.busy) return;
    const request = this.host.request();
    if (!request) return;
    if (!this.started || JSON.stringify(this.core(request)) !== this.startedWith) {
      if (!(await this.reset())) return;
    }
    await this.advance(1);
    this.pause();
  }

  /** Trains `epochs` more and draws the frame; `null` after an error (shown). */
  private async advance(epochs: number): Promise<LiveFrame | null> {
    this.busy = true;
    try {
      const frame = await this.client.model('liveStep', epochs);
      await this.draw(frame);
      return frame;
    } catch (err) {
      showError(this.error, `Training stopped: ${message(err)}`);
      return null;
    } finally {
      this.busy = false;
    }
  }

  private async draw(frame: LiveFrame): Promise<void> {
    const images = this.started?.grid ? await this.client.model('livePaint') : null;
    const t0 = performance.now();
    this.last = frame;
    if (frame.epoch > 0 || this.samples.length === 0) {
      const last = this.samples[this.samples.length - 1];
      if (!last || last.epoch !== frame.epoch) {
        this.samples.push({ epoch: frame.epoch, train: frame.train_loss, test: frame.test_loss, validation: frame.validation_loss });
      }
    }
    this.diagram.update(frame, images);
    this.surface.draw(images ? images[images.length - (this.outputs(frame))] ?? null : null);
    this.losses.draw(this.samples);
    const stopped = frame.done && frame.epoch < this.epochs && !frame.diverged
      ? (this.unit === 'tree' ? ' (early stopping)' : ' (converged)') : '';
    this.epochText.textContent = `${title(this.unit)} ${frame.epoch} of ${this.epochs}${stopped}`;
    // for tests and tools: the epoch on screen and the frames drawn since Play
    this.root.dataset.epoch = String(frame.epoch);
    this.root.dataset.frames = String(this.stats.frames);
    if (frame.diverged) showError(this.error, `Training stopped: ${frame.diverged}`);
    this.stats.longest = Math.max(this.stats.longest, performance.now() - t0);
  }

  /** Which output picture the large map shows, counted from the end: class 1's of two, else the first output. */
  private outputs(frame: LiveFrame): number {
    const k = frame.sizes[frame.sizes.length - 1] ?? 1;
    return k === 2 ? 1 : k;
  }

  private async repaint(): Promise<void> {
    if (!this.started?.grid || this.busy) return;
    const images = await this.client.model('livePaint');
    const k = this.started.frame.sizes[this.started.frame.sizes.length - 1] ?? 1;
    this.surface.draw(images[images.length - (k === 2 ? 1 : k)] ?? null);
  }

  /** Makes the model as it stands the panel's model. */
  async finish(): Promise<void> {
    if (!this.started || !this.request || this.samples.length === 0 || this.busy) return;
    this.pause();
    this.useButton.disabled = true;
    this.busy = true;
    try {
      const started = performance.now();
      const result = await this.client.model('liveFinish');
      const epochs = this.samples[this.samples.length - 1]!.epoch;
      // what a link (and Train) needs to make this model: the steps run, or the request as
      // given once a logistic or boosting run reached its end
      const repro = String(this.last?.repro ?? epochs);
      const params = { ...this.request.params };
      if (params[this.param] !== undefined || repro !== String(this.epochs)) params[this.param] = repro;
      const request = { ...this.request, params };
      await this.host.finished({ ...result, train_ms: performance.now() - started }, request);
      this.root.dataset.hash = result.hash;
      const what = this.unit === 'epoch' ? 'The network' : this.unit === 'tree' ? 'The trees' : 'The model';
      this.note.textContent = `${what} at ${this.unit} ${epochs} ${this.unit === 'tree' ? 'are' : 'is'} the current model (test loss ${stat(this.samples[this.samples.length - 1]!.test)}).`;
    } catch (err) {
      showError(this.error, `${this.unit === 'epoch' ? 'The network' : 'The model'} could not be kept: ${message(err)}`);
    } finally {
      this.busy = false;
    }
  }
}
