// The Model panel: choose what to predict, a model family and its hyperparameters (inputs
// generated from the core's own list, each with its doc line and default), the split and
// the preprocessing; train in the worker with stages and the loss as they arrive; then read
// the results and compare every model trained in this tab. A failed training says why in
// words and leaves the settings and the last results in place.
import { Cancelled, type WorkbenchClient } from '../client';
import type { ColumnInfo, DatasetInfo, DecisionGrid, Defaults, Loaded, KindInfo, ParamInfo, TrainOutcome, Progress, TrainSettings } from '../protocol';
import type { State, TaskChoice } from '../state';
import { byId, h } from '../dom';
import { LossLine, type LossPoint } from '../charts/loss';
import { PipelineEditor } from './pipeline';
import { ResultsView } from './results';
import { CompareTable, type CompareEntry } from './compare';
import { BoundaryMap } from '../charts/boundary';
import { message, showError } from '../errors';
import { LiveView, type LiveHost } from '../live/view';
import { crossName, crossesOf, renderCrosses } from '../live/crosses';

/** The part of the page state this panel owns. */
export type ModelSettings = Pick<State, 'model' | 'target' | 'task' | 'test' | 'trainSeed' | 'params' | 'prep' | 'trained' | 'features'>;

const TASK_WORDS: Record<TaskChoice, string> = {
  auto: 'auto (from the target)',
  classification: 'classification',
  regression: 'regression',
};

const STAGES = ['prepare', 'fit', 'evaluate'] as const;

/** Cells per side of the decision-boundary map, and the most data rows drawn over it. */
const BOUNDARY_CELLS = 60;
/** The least time between two maps drawn while a model trains (each is a chart rebuilt). */
const MAP_EVERY_MS = 150;
/** The least time between two redraws of the training loss line. */
const LOSS_EVERY_MS = 100;
const BOUNDARY_POINTS = 600;

type Control = HTMLInputElement | HTMLSelectElement;

function role(k: KindInfo): string {
  if (k.clusters) return 'clustering';
  if (k.classifies && k.regresses) return 'classifies or regresses';
  return k.classifies ? 'classifier' : 'regression';
}

/** An input for one hyperparameter, shaped by its range in words. */
function paramControl(p: ParamInfo, id: string, value: string): Control {
  if (p.range === 'true or false') {
    return h('select', { id, name: p.name },
      ...['true', 'false'].map((v) => h('option', { value: v, selected: v === value }, v)));
  }
  const choice = /^one of (.+)$/.exec(p.range);
  if (choice) {
    const options = choice[1]!.split(',').map((s) => s.trim());
    return h('select', { id, name: p.name },
      ...options.map((v) => h('option', { value: v, selected: v === value }, v)));
  }
  if (p.range.startsWith('a comma-separated list')) return h('input', { id, name: p.name, type: 'text', value, spellcheck: false });
  const int = /^an integer in \[(\d+), (\d+)\]$/.exec(p.range);
  if (int) return h('input', { id, name: p.name, type: 'number', step: 1, min: int[1], max: int[2], value, inputmode: 'numeric' });
  const num = /^a number in ([[(])([^,]+), ([^\]]+)\]$/.exec(p.range);
  const finite = (s: string | undefined) => (s !== undefined && Number.isFinite(Number(s)) ? s : null);
  return h('input', {
    id, name: p.name, type: 'number', step: 'any', inputmode: 'decimal', value,
    min: num && num[1] === '[' ? finite(num[2]) : null,
    max: num ? finite(num[3]) : null,
  });
}

export class ModelPanel {
  private kinds: KindInfo[] = [];
  /** The core's defaults (the split's share and seed), read with the model kinds. */
  private defaults: Defaults | null = null;
  private kindsReady: Promise<boolean> | null = null;
  private loaded: Loaded | null = null;
  private info: DatasetInfo | null = null;
  private settings: ModelSettings;
  private training = false;
  private ready: Promise<void> = Promise.resolve();
  /** Increases with each table, so a slow default pipeline never lands on a newer table. */
  private tableSeq = 0;

  private readonly live: LiveView;
  /** "Watch it learn": opens the live view for logistic regression and boosting. */
  private readonly liveOpen: HTMLButtonElement;
  /** Whether the live view was opened for a family that also trains with Train alone. */
  private watching = false;
  private readonly featureBox: HTMLElement;
  /** The two numeric input columns of the table, when it has exactly two. */
  private columns: [string, string] | null = null;
  private hiddenControls = new Set<string>();
  private shown: { kind: string; features: string } | null = null;
  /** Loads a built-in data set for the live view's data controls (set by the page). */
  dataLoader: Pick<LiveHost, 'data' | 'loadData'> | null = null;

  private readonly form: HTMLFormElement;
  private readonly empty: HTMLElement;
  private readonly targetSelect: HTMLSelectElement;
  private readonly taskSelect: HTMLSelectElement;
  private readonly testInput: HTMLInputElement;
  private readonly seedInput: HTMLInputElement;
  private readonly kindSelect: HTMLSelectElement;
  private readonly kindAbout: HTMLElement;
  private readonly paramsBox: HTMLElement;
  private readonly prepSummary: HTMLElement;
  private readonly trainButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly timeLeft: HTMLElement;
  /** When the current stage started, and its name (for the time left). */
  private stageStart = { stage: '', at: 0 };
  /** The last supervised family chosen, to come back to when a target is picked again. */
  private supervised = 'logistic';
  /** The settings (as JSON) of the last model trained, so the link can say "trained". */
  private trainedWith: string | null = null;
  /** A link said a model was trained with its settings: train it once the table is ready. */
  private pendingTrain: boolean;
  private readonly progressBox: HTMLElement;
  private readonly progressBar: HTMLProgressElement;
  private readonly stageList: HTMLElement;
  private readonly error: HTMLElement;
  private readonly status: HTMLElement;
  private readonly results: HTMLElement;
  private readonly pipeline: PipelineEditor;
  private readonly resultsView: ResultsView;
  private readonly compare: CompareTable;
  private readonly loss: LossLine;
  private readonly boundarySection: HTMLElement;
  private readonly boundary: BoundaryMap;
  /** The newest map sent mid-training, not drawn yet, and the timer that will draw it. */
  private mapDue: { grid: DecisionGrid; step: number; kind: string } | null = null;
  private mapTimer = 0;
  /** The timer that draws the loss line next, and the points it draws. */
  private lossTimer = 0;
  private lossDue: LossPoint[] | null = null;

  constructor(
    private readonly client: WorkbenchClient,
    initial: State,
    /** Called when a setting changes, so the page can update the link. */
    private readonly onSettings: (settings: ModelSettings) => void,
  ) {
    this.settings = pickSettings(initial);
    this.pendingTrain = initial.trained;
    this.form = byId('model-form');
    this.empty = byId('model-empty');
    this.targetSelect = byId('model-target');
    this.taskSelect = byId('model-task');
    this.testInput = byId('test-fraction');
    this.seedInput = byId('split-seed');
    this.kindSelect = byId('model-kind');
    this.kindAbout = byId('model-kind-about');
    this.paramsBox = byId('model-params');
    this.prepSummary = byId('prep-summary');
    this.trainButton = byId('train');
    this.cancelButton = byId('train-cancel');
    this.timeLeft = byId('train-left');
    this.cancelButton.addEventListener('click', () => {
      this.status.textContent = 'Cancelling…';
      this.client.cancel();
    });
    this.progressBox = byId('train-progress');
    this.progressBar = byId('train-bar');
    this.stageList = byId('train-stages');
    this.error = byId('model-error');
    this.status = byId('model-status');
    this.results = byId('model-results');
    this.pipeline = new PipelineEditor(byId('model-pipeline'), () => {
      this.updatePrepSummary();
      this.settings = { ...this.settings, prep: this.pipeline.changes() };
      this.emit();
    });
    this.resultsView = new ResultsView(this.results, client);
    this.compare = new CompareTable(byId('compare-box'));
    this.loss = new LossLine(byId('loss-chart'));
    this.boundarySection = byId('boundary-section');
    this.boundary = new BoundaryMap(byId('boundary'));
    this.live = new LiveView(byId('live-section'), client, this.liveHost());
    this.liveOpen = byId('live-open') as HTMLButtonElement;
    this.liveOpen.addEventListener('click', () => {
      this.watching = true;
      this.followLive();
    });
    this.featureBox = byId('model-features');
    client.onCrash((text, why) => {
      if (why === 'cancel') {
        this.status.textContent = `${text} Earlier models are kept in the comparison and the registry.`;
        return;
      }
      this.status.textContent = '';
      showError(this.error, text);
      // the restored model and table answer again: redraw the map from the new worker
      if (!this.boundarySection.hidden && /restored/.test(text)) {
        void this.client.model('decisionGrid', BOUNDARY_CELLS, BOUNDARY_POINTS).then(
          (grid) => this.boundary.update(grid, `Decision boundary over ${grid.x} and ${grid.y} (restored model)`),
          () => this.boundary.clear('The map could not be redrawn after the restart; train again.'));
      }
    });

    this.taskSelect.replaceChildren(...(Object.keys(TASK_WORDS) as TaskChoice[])
      .map((t) => h('option', { value: t }, TASK_WORDS[t])));

    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.train();
    });
    this.kindSelect.addEventListener('change', () => {
      this.settings = { ...this.settings, model: this.kindSelect.value, params: {} };
      if (this.kindSelect.value !== 'kmeans') this.supervised = this.kindSelect.value;
      // k-means groups rows without a target; a supervised family needs one
      if (this.kindSelect.value === 'kmeans' && this.target() !== null) this.setTarget('');
      else if (this.kindSelect.value !== 'kmeans' && this.target() === null) {
        const guess = this.info?.target ?? this.loaded?.target_guess ?? this.loaded?.columns[this.loaded.columns.length - 1]?.name ?? null;
        if (guess) this.setTarget(guess);
      }
      this.renderParams();
      this.emit();
      this.followLive();
    });
    this.targetSelect.addEventListener('change', () => {
      this.setTarget(this.targetSelect.value);
      // no target means clustering; a target after none brings the last supervised family back
      const kind = this.targetSelect.value === '' ? 'kmeans' : this.settings.model === 'kmeans' ? this.supervised : null;
      if (kind && kind !== this.settings.model && this.kinds.some((k) => k.kind === kind)) {
        this.settings = { ...this.settings, model: kind, params: {} };
        this.kindSelect.value = kind;
        this.renderParams();
        this.status.textContent = kind === 'kmeans'
          ? 'No target: the family is now k-means, which groups rows without one.'
          : `With a target, the family is ${kind} again.`;
      }
      this.emit();
      void this.refreshPipeline(true);
    });
    this.taskSelect.addEventListener('change', () => {
      this.settings = { ...this.settings, task: this.taskSelect.value as TaskChoice };
      this.emit();
    });
    this.testInput.addEventListener('change', () => {
      const v = Number(this.testInput.value);
      if (this.testInput.value !== '' && v >= 0.05 && v <= 0.9) {
        const test = Math.round(v * 10000) / 10000;
        this.settings = { ...this.settings, test: test === this.defaults?.test_fraction ? null : test };
        this.emit();
      }
    });
    this.seedInput.addEventListener('change', () => {
      if (/^\d+$/.test(this.seedInput.value.trim())) {
        const seed = Number(this.seedInput.value);
        this.settings = { ...this.settings, trainSeed: seed === this.defaults?.seed ? null : seed };
        this.emit();
      }
    });
  }

  /**
   * Sets the target (`''` for none) in the settings and the select. In the settings `null`
   * is the dataset's own (or guessed) target, which a link leaves out, and `''` is none.
   */
  private setTarget(chosen: string): void {
    const fallback = this.fallbackTarget();
    const target = chosen === '' ? (fallback === null ? null : '') : chosen === fallback ? null : chosen;
    this.settings = { ...this.settings, target };
    this.targetSelect.value = chosen;
  }

  /** The dataset's own target, or the one guessed from a file's columns. */
  private fallbackTarget(): string | null {
    return this.info ? this.info.target ?? null : this.loaded?.target_guess ?? null;
  }

  /** Follows the table the Data panel loaded. */
  setTable(loaded: Loaded, info: DatasetInfo | null): Promise<void> {
    this.ready = this.follow(loaded, info);
    return this.ready;
  }

  private async follow(loaded: Loaded, info: DatasetInfo | null): Promise<void> {
    const seq = ++this.tableSeq;
    const changed = this.loaded?.name !== loaded.name;
    // a link's preprocessing belongs to the table it was made on, not to the next one
    if (this.loaded && changed && Object.keys(this.settings.prep).length > 0) {
      this.settings = { ...this.settings, prep: {} };
      this.emit();
    }
    this.loaded = loaded;
    this.info = info;
    if (!(await this.ensureKinds()) || seq !== this.tableSeq) return;
    // A target from a link that this table lacks falls back to the dataset's own.
    const t = this.settings.target;
    if (t !== null && t !== '' && !loaded.columns.some((c) => c.name === t)) {
      this.settings = { ...this.settings, target: null };
      this.emit();
    }
    // a file with a target guessed trains a supervised family; one without, k-means
    if (changed && !info && this.kinds.length > 0) {
      const want = this.target() === null ? 'kmeans' : this.settings.model === 'kmeans' ? this.supervised : null;
      if (want && want !== this.settings.model) {
        this.settings = { ...this.settings, model: want, params: {} };
        this.emit();
      }
    }
    this.empty.hidden = true;
    // not `form.hidden`: the mlp's `hidden` input shadows that property on a form
    this.form.removeAttribute('hidden');
    this.renderTargets(loaded.columns, this.info ? null : loaded.target_guess ?? null);
    this.applyControls();
    await this.refreshPipeline(!changed);
    if (seq !== this.tableSeq) return;
    const numeric = loaded.columns.filter((c) => c.kind === 'numeric' && c.name !== this.target());
    this.columns = numeric.length === 2 ? [numeric[0]!.name, numeric[1]!.name] : null;
    this.renderFeatures();
    this.live.setTable(this.columns);
    this.followLive();
    if (this.pendingTrain) {
      // the link's model: seeded, so training it again gives the same results
      this.pendingTrain = false;
      this.status.textContent = 'This link holds a trained model: training it again with its settings…';
      void this.train();
    }
  }

  /** The derived-input checkboxes, for a table of two numeric inputs. */
  private renderFeatures(): void {
    renderCrosses(this.featureBox, this.columns, this.settings.features, (features) => this.setFeatures(features));
    if (this.hiddenControls.has('features')) this.featureBox.hidden = true;
  }

  /** Sets the derived inputs (`x^2,y^2`), as the checkboxes do. */
  setFeatures(features: string): void {
    this.settings = { ...this.settings, features };
    this.renderFeatures();
    this.emit();
    this.followLive();
  }

  /**
   * Shows the live view for the neural network (always) and for logistic regression and
   * boosting on two numeric inputs once "Watch it learn" (or a link with `play=1`) asks,
   * and keeps its model in step with the settings.
   */
  private followLive(): void {
    const kind = this.kindSelect.value;
    const stepwise = (kind === 'logistic' || kind === 'boosting') && this.columns !== null && this.loaded !== null;
    if (!stepwise) this.watching = false;
    this.liveOpen.hidden = !stepwise || this.watching;
    const on = this.loaded !== null && (kind === 'mlp' || (stepwise && this.watching));
    if (on !== this.live.isActive()) {
      this.live.setActive(on);
      if (on) void this.live.reset();
    } else if (on) {
      this.live.settingsChanged();
    }
  }

  /** Hides the live view's controls a teacher's link names (`hide=…`). */
  hideControls(names: string): void {
    this.live.setHidden(names);
    const hidden = new Set(names.split(',').filter(Boolean));
    this.hiddenControls = hidden;
    this.renderFeatures();
    for (const field of this.paramsBox.querySelectorAll<HTMLElement>('.field.param')) {
      const name = field.querySelector<HTMLElement>('input, select')?.getAttribute('name') ?? '';
      field.hidden = hidden.has(name);
    }
  }

  /** Starts playing the live view (a link with `play=1`), once it is ready. */
  async playLive(): Promise<void> {
    await this.ready;
    // a kind picked a moment ago (the lesson's "Do it for me") may not have shown the view yet
    if (this.kindSelect.value === 'logistic' || this.kindSelect.value === 'boosting') this.watching = true;
    this.followLive();
    if (this.live.isActive()) await this.live.play();
  }

  /** The live view (for the lesson and the tests). */
  liveView(): LiveView {
    return this.live;
  }

  /** The last model whose results are on screen: its kind and derived inputs. */
  lastRun(): { kind: string; features: string } | null {
    return this.shown;
  }

  /** Picks a model family, as the menu does. */
  setKind(kind: string): void {
    if (this.kindSelect.value === kind) return;
    this.kindSelect.value = kind;
    this.kindSelect.dispatchEvent(new Event('change'));
  }

  /** Trains the form's settings, as the Train button does. */
  trainNow(): Promise<void> {
    return this.train();
  }

  private liveHost(): LiveHost {
    return {
      request: () => this.buildRequest(),
      finished: async (outcome, request) => {
        const n = await this.show(outcome, request);
        void this.measure(n);
      },
      setParam: (name, value) => {
        const params = { ...this.settings.params, [name]: value };
        const kind = this.kinds.find((k) => k.kind === this.settings.model);
        if (kind?.params.find((p) => p.name === name)?.default === value) delete params[name];
        this.settings = { ...this.settings, params };
        const input = this.paramsBox.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`);
        if (input) input.value = value;
        this.emit();
        this.followLive();
      },
      setTest: (share) => {
        this.settings = { ...this.settings, test: share === this.defaults?.test_fraction ? null : share };
        this.testInput.value = String(share);
        this.emit();
        this.followLive();
      },
      data: () => this.dataLoader?.data() ?? null,
      loadData: (choice) => this.dataLoader?.loadData(choice) ?? Promise.resolve(),
    };
  }

  /** Applies a state read from the link (a pasted or edited hash). */
  apply(state: State): void {
    const next = pickSettings(state);
    const kindChanged = next.model !== this.settings.model || JSON.stringify(next.params) !== JSON.stringify(this.settings.params);
    const targetChanged = next.target !== this.settings.target || JSON.stringify(next.prep) !== JSON.stringify(this.settings.prep);
    const featuresChanged = next.features !== this.settings.features;
    this.settings = next;
    if (!this.loaded || this.kinds.length === 0) return;
    this.applyControls(kindChanged);
    if (targetChanged) this.ready = this.refreshPipeline(true);
    if (featuresChanged) this.renderFeatures();
    if (kindChanged || featuresChanged) this.followLive();
  }

  private ensureKinds(): Promise<boolean> {
    this.kindsReady ??= Promise.all([this.client.data('modelKinds'), this.client.defaults()]).then(
      ([kinds, defaults]) => {
        this.kinds = kinds;
        this.defaults = defaults;
        this.kindSelect.replaceChildren(...kinds.map((k) =>
          h('option', { value: k.kind }, `${k.kind} — ${role(k)}`)));
        return true;
      },
      (err: unknown) => {
        this.kindsReady = null;
        showError(this.error, `The list of models could not be read: ${message(err)}`);
        return false;
      },
    );
    return this.kindsReady;
  }

  /** The target the settings mean: `null` is the dataset's own, `''` is none (clustering). */
  private target(): string | null {
    const t = this.settings.target;
    if (t === '') return null;
    return t ?? this.fallbackTarget();
  }

  private renderTargets(columns: ColumnInfo[], guess: string | null): void {
    this.targetSelect.replaceChildren(
      h('option', { value: '' }, '(none: clustering)'),
      ...columns.map((c) => h('option', { value: c.name }, `${c.name} (${c.kind})${c.name === guess ? ' — guessed' : ''}`)),
    );
  }

  /** Puts the settings into the form controls. */
  private applyControls(renderParams = true): void {
    this.targetSelect.value = this.target() ?? '';
    this.taskSelect.value = this.settings.task;
    this.testInput.value = String(this.settings.test ?? this.defaults?.test_fraction ?? '');
    this.seedInput.value = String(this.settings.trainSeed ?? this.defaults?.seed ?? '');
    if (!this.kinds.some((k) => k.kind === this.settings.model)) {
      const asked = this.settings.model;
      this.settings = { ...this.settings, model: this.kinds[0]?.kind ?? 'logistic', params: {} };
      showError(this.error, `There is no model kind called “${asked}”; showing ${this.settings.model} instead.`);
      this.emit();
    }
    this.kindSelect.value = this.settings.model;
    if (renderParams || this.paramsBox.childElementCount === 0) this.renderParams();
  }

  private renderParams(): void {
    const kind = this.kinds.find((k) => k.kind === this.kindSelect.value);
    this.kindAbout.textContent = kind?.about ?? '';
    if (!kind) {
      this.paramsBox.replaceChildren();
      return;
    }
    if (kind.params.length === 0) {
      this.paramsBox.replaceChildren(h('p', { class: 'note' }, 'No hyperparameters.'));
      return;
    }
    this.paramsBox.replaceChildren(...kind.params.map((p) => {
      const id = `param-${p.name}`;
      const value = this.settings.params[p.name] ?? p.default;
      const control = paramControl(p, id, value);
      control.setAttribute('aria-describedby', `${id}-doc`);
      control.addEventListener('change', () => {
        const v = control.value.trim();
        const params = { ...this.settings.params };
        if (v === '' || v === p.default) delete params[p.name];
        else params[p.name] = v;
        this.settings = { ...this.settings, params };
        this.emit();
      });
      return h('div', { class: 'field param' },
        h('label', { for: id }, p.name),
        control,
        h('span', { class: 'hint', id: `${id}-doc` }, `${p.doc}. Default ${p.default}; ${p.range}.`),
      );
    }));
  }

  private async refreshPipeline(keepEdits: boolean): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) return;
    const seq = this.tableSeq;
    const target = this.target();
    try {
      const spec = await this.client.data('defaultPipeline', target);
      if (seq !== this.tableSeq || this.loaded !== loaded) return;
      this.pipeline.set(loaded.columns, spec, keepEdits);
      const unused = this.pipeline.applyChanges(this.settings.prep);
      if (unused.length > 0) {
        showError(this.error, `The link’s preprocessing for ${unused.map((c) => `“${c}”`).join(', ')} does not fit this table and was left at the defaults.`);
      }
      const prep = this.pipeline.changes();
      if (JSON.stringify(prep) !== JSON.stringify(this.settings.prep)) {
        this.settings = { ...this.settings, prep };
        this.emit();
      }
      this.updatePrepSummary();
    } catch (err) {
      showError(this.error, `The default preprocessing could not be read: ${message(err)}`);
    }
  }

  private updatePrepSummary(): void {
    this.prepSummary.textContent = `(${this.pipeline.summary()})`;
  }

  /** Reads the hyperparameter inputs; `null` (with the error shown) when one is not a number. */
  private readParams(): Record<string, string> | null {
    const out: Record<string, string> = {};
    for (const control of this.paramsBox.querySelectorAll<Control>('input, select')) {
      if (control instanceof HTMLInputElement && control.validity.badInput) {
        showError(this.error, `${control.name} must be a number.`);
        control.focus();
        return null;
      }
      const v = control.value.trim();
      if (v !== '') out[control.name] = v;
    }
    return out;
  }

  /** Every model trained in this tab (for a project file). */
  runs(): readonly CompareEntry[] {
    return this.compare.list();
  }

  /** Settles when the last table handed to `setTable` has its form and pipeline ready. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Shows a line of news (a project opened, …) in the panel's status. */
  say(text: string, isError = false): void {
    if (isError) showError(this.error, text);
    else this.status.textContent = text;
  }

  /** Puts saved runs back into the comparison (their latency as measured then). */
  restoreRuns(runs: readonly CompareEntry[]): void {
    for (const r of runs) {
      const entry = this.compare.add(r.outcome, r.ctx, r.params, r.request);
      if (r.latency) this.compare.setLatency(entry.n, r.latency);
    }
  }

  private async train(): Promise<void> {
    if (this.training || !this.loaded) return;
    const request = this.buildRequest();
    if (request) await this.run(request);
  }

  /** The training request the form makes now; `null` (with the error shown) when a setting is invalid. */
  private buildRequest(): TrainSettings | null {
    if (!this.loaded) return null;
    const params = this.readParams();
    if (!params) return null;
    const test = Number(this.testInput.value);
    if (!(test >= 0.05 && test <= 0.9)) {
      showError(this.error, 'The test share must be a number between 0.05 and 0.9.');
      this.testInput.focus();
      return null;
    }
    if (!/^\d+$/.test(this.seedInput.value.trim())) {
      showError(this.error, 'The split seed must be a whole number.');
      this.seedInput.focus();
      return null;
    }
    const target = this.target();
    const kind = this.kindSelect.value;
    const request: TrainSettings = {
      target,
      model: kind,
      params,
      // the core's defaults are not sent: it fills them in itself
      test_fraction: test === this.defaults?.test_fraction ? undefined : test,
      seed: Number(this.seedInput.value) === this.defaults?.seed ? undefined : Number(this.seedInput.value),
      pipeline: { ...this.pipeline.spec(), target, crosses: crossesOf(this.settings.features) },
      task: this.taskSelect.value as TaskChoice,
      created: new Date().toISOString(),
    };
    return request;
  }

  /**
   * Trains `request` on the loaded table and shows the results; returns the outcome, or
   * `null` when it failed (the error is shown). A project file replays a saved request.
   */
  async run(request: TrainSettings): Promise<TrainOutcome | null> {
    if (this.training || !this.loaded) return null;
    const { model: kind } = request;
    const ctx = { dataset: this.info?.name ?? this.loaded.name, target: request.target ?? null };
    const changed = Object.fromEntries(Object.entries(request.params ?? {}).map(([k, v]) => [k, String(v)]).filter(([k, v]) =>
      this.kinds.find((x) => x.kind === kind)?.params.find((p) => p.name === k)?.default !== v));

    this.training = true;
    this.trainButton.disabled = true;
    this.cancelButton.hidden = false;
    showError(this.error, null);
    this.startProgress();
    this.status.textContent = `Training ${kind}…`;
    const losses: LossPoint[] = [];
    let measureAfter: number | null = null;
    // Progress travels on its own message channel, so a last event can arrive after the
    // result; once the result is in, late events must not overwrite the final status.
    let settled = false;
    try {
      const outcome = await this.client.train(request, (p) => {
        if (!settled) this.onProgress(p, losses);
      }).finally(() => {
        settled = true;
        this.mapDue = null;
      });
      this.finishProgress(true);
      this.status.textContent = `Trained ${kind} in ${Math.round(outcome.train_ms)} ms.`;
      this.trainedWith = settingsKey(this.settings);
      this.emit();
      measureAfter = await this.show(outcome, request, changed, ctx);
      return outcome;
    } catch (err) {
      this.finishProgress(false);
      if (err instanceof Cancelled) {
        this.status.textContent = `Training ${kind} was cancelled. ${err.message} Earlier models are kept.`;
        return null;
      }
      this.status.textContent = '';
      showError(this.error, `Training ${kind} failed: ${message(err)}`);
      return null;
    } finally {
      this.training = false;
      this.trainButton.disabled = false;
      this.cancelButton.hidden = true;
      this.timeLeft.textContent = '';
      // the latency is measured after Train is free again (bounded in the worker)
      if (measureAfter !== null) void this.measure(measureAfter);
    }
  }

  /**
   * Shows a trained model's results, adds it to Compare and draws its map; returns its
   * number in Compare, for the latency measurement the caller starts once Train is free.
   */
  private async show(
    outcome: TrainOutcome,
    request: TrainSettings,
    changed: Record<string, string> = this.changedParams(request),
    ctx = { dataset: this.info?.name ?? this.loaded?.name ?? '', target: request.target ?? null },
  ): Promise<number> {
    // Receiving the result (a large message) is one task; each view below gets its own,
    // so the main thread never holds the page for long.
    await nextTask();
    this.resultsView.show(outcome, ctx);
    this.results.dataset.hash = outcome.hash;
    this.shown = { kind: request.model, features: (request.pipeline?.crosses ?? []).map(crossName).join(',') };
    await nextTask();
    const entry = this.compare.add(outcome, ctx, changed, request);
    // the live view's output picture is the network's map
    if (request.model === 'mlp' && this.live.isActive()) {
      this.boundarySection.hidden = true;
    } else {
      await this.drawBoundary(outcome, request.model);
    }
    return entry.n;
  }

  private changedParams(request: TrainSettings): Record<string, string> {
    return Object.fromEntries(Object.entries(request.params ?? {}).map(([k, v]) => [k, String(v)]).filter(([k, v]) =>
      this.kinds.find((x) => x.kind === request.model)?.params.find((p) => p.name === k)?.default !== v));
  }

  /** Redraws the decision-boundary map for a classifier on exactly two numeric inputs. */
  private async drawBoundary(outcome: TrainOutcome, kind: string): Promise<void> {
    const twoD = outcome.evaluation.task === 'classification' && outcome.features.length === 2;
    if (!twoD) {
      this.boundarySection.hidden = true;
      this.boundary.clear('');
      return;
    }
    try {
      const grid = await this.client.model('decisionGrid', BOUNDARY_CELLS, BOUNDARY_POINTS);
      this.boundarySection.hidden = false;
      this.boundary.update(grid, `Decision boundary of ${kind} over ${grid.x} and ${grid.y}`);
    } catch (err) {
      // e.g. two features from one categorical column: no map, and a line saying why
      this.boundarySection.hidden = false;
      this.boundary.clear(`No decision map for this model: ${message(err)}`);
    }
  }

  /** Measures the batch-scoring latency of the model just trained, for the comparison. */
  private async measure(n: number): Promise<void> {
    try {
      this.compare.setLatency(n, await this.client.measureScoring());
    } catch (err) {
      this.compare.setLatency(n, null, `not measured: ${message(err)}`);
    }
  }

  /**
   * A map the trainer sent mid-training (boosting on two inputs, the trees so far), drawn
   * at the next animation frame at most every MAP_EVERY_MS: events that arrive faster
   * replace the one waiting, so the page draws the newest and never queues draws.
   */
  private queueMap(grid: DecisionGrid, step: number, kind: string): void {
    const first = this.mapDue === null && !this.mapTimer;
    this.mapDue = { grid, step, kind };
    if (this.mapTimer) return;
    const wait = first ? 0 : MAP_EVERY_MS;
    this.mapTimer = setTimeout(() => requestAnimationFrame(() => {
      this.mapTimer = 0;
      const due = this.mapDue;
      this.mapDue = null;
      if (!due || !this.training) return;
      this.boundarySection.hidden = false;
      const title = `Decision boundary of ${due.kind} after ${due.step} iteration${due.step > 1 ? 's' : ''} (training)`;
      // the chart on screen repainted in place when it fits; else built once
      if (!this.boundary.repaint(due.grid, title)) this.boundary.update(due.grid, title);
      // for tests and tools: the iteration the map on screen shows
      this.boundarySection.dataset.step = String(due.step);
    }), wait) as unknown as number;
  }

  private startProgress(): void {
    this.lossDue = null;
    this.stageStart = { stage: '', at: performance.now() };
    this.timeLeft.textContent = '';
    this.progressBox.hidden = false;
    this.progressBar.value = 0;
    this.loss.update([]);
    for (const li of this.stageList.querySelectorAll('li')) {
      li.className = '';
      li.removeAttribute('aria-current');
    }
  }

  private onProgress(p: Progress, losses: LossPoint[]): void {
    if (p.map) this.queueMap(p.map, p.step, this.kindSelect.value);
    const index = STAGES.indexOf(p.stage as (typeof STAGES)[number]);
    const within = p.total ? Math.min(p.step / p.total, 1) : 0;
    if (index >= 0) {
      this.progressBar.value = (index + within) / STAGES.length;
      this.stageList.querySelectorAll('li').forEach((li, i) => {
        li.className = i < index ? 'done' : i === index ? 'current' : '';
        if (i === index) li.setAttribute('aria-current', 'step');
        else li.removeAttribute('aria-current');
      });
    }
    this.status.textContent = `Training: ${p.stage}${p.total ? ` ${p.step}/${p.total}` : ''}…`;
    const now = performance.now();
    if (p.stage !== this.stageStart.stage) this.stageStart = { stage: p.stage, at: now };
    // time left where the stage counts its steps (iterations, trees, machines)
    if (p.total && p.step > 0 && p.step < p.total) {
      const left = ((now - this.stageStart.at) / p.step) * (p.total - p.step);
      this.timeLeft.textContent = `about ${left < 1500 ? '1 s' : `${Math.round(left / 1000)} s`} left in ${p.stage}`;
    } else {
      this.timeLeft.textContent = '';
    }
    if (p.loss !== null && Number.isFinite(p.loss)) {
      losses.push({ step: losses.length + 1, loss: p.loss });
      // one chart per LOSS_EVERY_MS at most: boosting sends an event per tree, and a chart
      // rebuilt for each (5–20 ms apiece here) queued up into long tasks
      this.lossDue = losses;
      if (!this.lossTimer) {
        this.lossTimer = setTimeout(() => requestAnimationFrame(() => this.flushLoss()), LOSS_EVERY_MS) as unknown as number;
      }
    }
  }

  /** Draws the loss line now, if points wait for it. */
  private flushLoss(): void {
    clearTimeout(this.lossTimer);
    this.lossTimer = 0;
    const due = this.lossDue;
    this.lossDue = null;
    if (due) this.loss.update(due);
  }

  private finishProgress(ok: boolean): void {
    this.flushLoss();
    if (ok) this.progressBar.value = 1;
    this.stageList.querySelectorAll('li').forEach((li) => {
      if (ok) li.className = 'done';
      else if (li.className === 'current') li.className = 'failed';
      li.removeAttribute('aria-current');
    });
  }

  private emit(): void {
    this.settings = { ...this.settings, trained: this.trainedWith !== null && this.trainedWith === settingsKey(this.settings) };
    this.onSettings({ ...this.settings });
  }
}

/** Resolves in a later macrotask, after the browser has had a chance to paint. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function pickSettings(s: State): ModelSettings {
  return {
    model: s.model, target: s.target, task: s.task, test: s.test, trainSeed: s.trainSeed,
    params: { ...s.params }, prep: { ...s.prep }, trained: s.trained, features: s.features,
  };
}

/** The settings that make a model, as a key (without the `trained` flag itself). */
function settingsKey(s: ModelSettings): string {
  const { trained: _trained, ...rest } = s;
  return JSON.stringify(rest);
}
