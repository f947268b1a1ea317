// The guided tour of the fraud story: load → train → deploy → play until recall collapses
// and an alarm fires → retrain → shadow → promote. A small step card says what to do and
// why it matters, highlights the control to use, and moves with Next/Back (buttons, or the
// arrow keys while the card has focus; Escape closes it). The step is in the URL
// (`#tour=5`), so a teacher's link reopens it: the runs are seeded and deterministic, so the
// earlier steps are replayed quickly in the worker, from a fresh registry.
import { h } from './dom';
import { stat } from './format';
import type { DeployHub } from './store/hub';
import type { Timeline } from './protocol';
import type { View } from './state';

interface Step {
  title: string;
  view: View;
  /** What to do, in a sentence or two. */
  todo: (tour: Tour) => string;
  /** Why it matters. */
  why: string;
  /** The control to use now (a CSS selector), or null. */
  target: (tour: Tour) => string | null;
  /** True once the step's action has happened. */
  done: (tour: Tour) => boolean;
  /** Performs the step's action (for "Do it for me" and for replaying earlier steps). */
  run: (tour: Tour) => Promise<void>;
  /** Called when the step is shown. */
  enter?: (tour: Tour) => void;
}

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T | null => document.querySelector<T>(selector);

function text(selector: string): string {
  return $(selector)?.textContent ?? '';
}

function visible(selector: string): boolean {
  const el = $(selector);
  return !!el && !el.hidden;
}

function alarmOf(t: Timeline | null, kind: string) {
  return t?.alarms.find((a) => a.kind === kind) ?? null;
}

/** Waits until `ready()` or throws after `ms`. */
async function until(ready: () => boolean, what: string, ms = 90_000): Promise<void> {
  const start = performance.now();
  while (!ready()) {
    const err = $('#model-error:not([hidden]), #deploy-error:not([hidden]), #monitor-error:not([hidden]), #feedback-error:not([hidden])');
    if (err?.textContent) throw new Error(`${what}: ${err.textContent}`);
    if (performance.now() - start > ms) throw new Error(`${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 60));
  }
}

/** Clicks a button once it exists and is enabled (panels enable theirs as data arrives). */
async function click(selector: string): Promise<void> {
  await until(() => { const b = $<HTMLButtonElement>(selector); return !!b && !b.disabled; }, `${selector} to be ready`, 30_000);
  $<HTMLButtonElement>(selector)!.click();
}

const SCENARIO = 'fraud-abrupt';
const SEED = 42;

/** The fraud table with the tour's seed is loaded (the Model panel shows its form). */
function fraudLoaded(): boolean {
  return visible('#model-form') && $<HTMLSelectElement>('#dataset')?.value === 'fraud' &&
    $<HTMLInputElement>('#seed')?.value === String(SEED) && /fraud/i.test(text('#table-title'));
}

const STEPS: Step[] = [
  {
    title: 'Load the fraud data',
    view: 'data',
    todo: (t) => STEPS[0]!.done(t)
      ? 'The fraud data set is loaded: 5,000 card transactions, about 2% of them fraud. Look at the profile of is_fraud, then press Next.'
      : `Choose the Fraud dataset with seed ${SEED} (the tour's runs are seeded) and press Load.`,
    why: 'A model only knows the data it learned from. This table becomes the reference that every later batch is compared with.',
    target: (t) => STEPS[0]!.done(t) ? null
      : $<HTMLSelectElement>('#dataset')?.value !== 'fraud' ? '#dataset'
        : $<HTMLInputElement>('#seed')?.value !== String(SEED) ? '#seed' : '#dataset-form button[type="submit"]',
    done: () => fraudLoaded(),
    run: async () => {
      const select = $<HTMLSelectElement>('#dataset');
      const seed = $<HTMLInputElement>('#seed');
      if (select && seed && (select.value !== 'fraud' || seed.value !== String(SEED) || !visible('#model-form'))) {
        select.value = 'fraud';
        seed.value = String(SEED);
        $<HTMLFormElement>('#dataset-form')?.requestSubmit();
      }
      await until(fraudLoaded, 'loading the fraud data');
    },
  },
  {
    title: 'Train a model',
    view: 'model',
    todo: () => $<HTMLSelectElement>('#model-kind')?.value !== 'logistic'
      ? 'Choose "logistic" as the Family, then press Train.'
      : 'Press Train. The logistic regression learns which transactions are fraud from three quarters of the rows and is tested on the rest.',
    why: 'Look at recall, not accuracy: a model that never says "fraud" is 98% accurate and useless. Recall is the share of fraud it catches.',
    target: () => /^Trained logistic/.test(text('#model-status')) ? null
      : $<HTMLSelectElement>('#model-kind')?.value !== 'logistic' ? '#model-kind' : '#train',
    done: () => /^Trained logistic/.test(text('#model-status')),
    run: async () => {
      await until(() => ($<HTMLSelectElement>('#model-kind')?.options.length ?? 0) > 0, 'the model families');
      const kind = $<HTMLSelectElement>('#model-kind');
      if (kind && kind.value !== 'logistic') {
        kind.value = 'logistic';
        kind.dispatchEvent(new Event('change', { bubbles: true }));
      }
      await click('#train');
      await until(() => /^Trained logistic/.test(text('#model-status')), 'training');
    },
  },
  {
    title: 'Deploy it',
    view: 'deploy',
    todo: (t) => t.hub.registry?.champion && t.deployedHere
      ? `Deployed: ${t.hub.registry.champion} is the champion, the version that answers the traffic. Press Next.`
      : t.hub.registry && t.hub.registry.versions.length > 0 && !t.deployedHere
      ? `This browser's registry already holds ${t.hub.registry.versions.length} version(s). Press "Clear the registry" first, then "Deploy the last trained model".`
      : 'Press "Deploy the last trained model". It becomes v1, the champion: the version that answers the traffic.',
    why: 'The registry keeps every version with its data fingerprint, settings and metrics, so you can always say which model answered and go back to it.',
    target: (t) => t.hub.registry?.champion && t.deployedHere ? null
      : t.hub.registry && t.hub.registry.versions.length > 0 && !t.hub.registry.champion ? '#deploy-last'
      : t.hub.registry && t.hub.registry.versions.length > 0 && !t.deployedHere ? '#clear-registry' : '#deploy-last',
    done: (t) => !!t.hub.registry?.champion && t.deployedHere,
    run: async (t) => {
      if ((t.hub.registry?.versions.length ?? 0) > 0) await t.hub.clear();
      await click('#deploy-last');
      await until(() => !!t.hub.registry?.champion, 'deploying');
    },
    enter: (t) => t.watchDeploy(),
  },
  {
    title: 'Play the world changing',
    view: 'monitor',
    todo: (t) => {
      const tl = t.hub.timeline;
      const recall = alarmOf(tl, 'recall_drop');
      if (recall) {
        const drift = alarmOf(tl, 'data_drift');
        const b = tl!.batches.find((x) => x.t === recall.about_t);
        return `The recall alarm fired at batch ${recall.t}` + (drift ? `, after the data-drift alarm at batch ${drift.t}` : '') +
          (b?.window ? `: over the last labelled batches recall is ${stat(b.window.recall ?? NaN)} while accuracy is still ${stat(b.window.accuracy ?? NaN)}` : '') + '. The tour paused the stream. Press Next.';
      }
      if (!tl) return 'The fraud-abrupt scenario is chosen. Press Start, then Play, and watch the charts.';
      return `Press Play (or Step). At batch 10 customers move online and fraudsters change their ways; labels arrive ${tl.label_delay} batches late. The tour pauses when the recall alarm fires.`;
    },
    why: 'Nothing crashes when the world moves on: the model keeps answering, accuracy barely moves, and it misses most of the fraud. Only watching the inputs and the late labels shows it.',
    target: (t) => !t.hub.timeline || t.hub.timeline.scenario !== SCENARIO ? '#scenario-start'
      : alarmOf(t.hub.timeline, 'recall_drop') ? null : t.hub.playing ? '#chart-performance' : '#play',
    done: (t) => !!alarmOf(t.hub.timeline, 'recall_drop'),
    enter: () => {
      const select = $<HTMLSelectElement>('#scenario');
      if (select && [...select.options].some((o) => o.value === SCENARIO) && select.value !== SCENARIO) {
        select.value = SCENARIO;
        select.dispatchEvent(new Event('change'));
      }
      const seed = $<HTMLInputElement>('#scenario-seed');
      if (seed) seed.value = String(SEED);
    },
    run: async (t) => {
      await until(() => [...($<HTMLSelectElement>('#scenario')?.options ?? [])].some((o) => o.value === SCENARIO), 'the scenario list');
      await t.hub.start(SCENARIO, SEED);
      const speed = t.hub.speed;
      t.hub.speed = 'fastest';
      try {
        await t.hub.play((last) => last.alarms.some((a) => a.kind === 'recall_drop'));
      } finally {
        t.hub.speed = speed;
      }
      if (t.hub.error) throw new Error(t.hub.error);
    },
  },
  {
    title: 'Retrain on the fresh labels',
    view: 'feedback',
    todo: () => 'Keep "Recent batches only" and 5 batches, and press Retrain: a new version learns from the labelled rows of the changed world.',
    why: 'The late labels are the cure: they are examples of the world as it is now. Training on the recent ones forgets the old fraud pattern that no longer happens.',
    target: (t) => t.hub.registry?.challenger ? null : '#retrain',
    done: (t) => !!t.hub.registry?.challenger,
    run: async (t) => {
      await click('#retrain');
      await until(() => !!t.hub.registry?.challenger && !!$('#retrain-result .retrained'), 'retraining');
    },
  },
  {
    title: 'Shadow the new version',
    view: 'feedback',
    todo: (t) => t.hub.registry?.mode.mode !== 'shadow'
      ? 'Press "Shadow it" (step 2): the champion keeps answering every row, the new version scores the same rows unseen.'
      : !t.shadowPlayed() ? 'Press "Play 6 batches" (step 3) so that both versions see the same rows and their labels arrive.'
        : !$('#feedback-verdict .verdict') ? 'Press "Compare" (step 4): McNemar\'s test on the rows both versions scored.' : `The verdict: ${text('#feedback-verdict .verdict-text')} Press Next.`,
    why: 'A shadow test costs nothing in quality: customers still get the old answers while the new model is judged on exactly the same rows.',
    target: (t) => t.hub.registry?.mode.mode !== 'shadow' ? '#feedback-shadow'
      : !t.shadowPlayed() ? (t.hub.playing ? null : '#feedback-play') : $('#feedback-verdict .verdict') ? null : '#feedback-compare',
    done: (t) => t.hub.registry?.mode.mode === 'shadow' && !!$('#feedback-verdict .verdict') && !t.hub.playing,
    run: async (t) => {
      await click('#feedback-shadow');
      await until(() => t.hub.registry?.mode.mode === 'shadow', 'shadow mode');
      const start = t.hub.timeline?.batches.length ?? 0;
      const speed = t.hub.speed;
      t.hub.speed = 'fastest';
      try {
        await t.hub.play((last) => (last.batch?.t ?? 0) >= start + 5);
      } finally {
        t.hub.speed = speed;
      }
      await click('#feedback-compare');
      await until(() => !!$('#feedback-verdict .verdict'), 'the comparison');
    },
  },
  {
    title: 'Promote it',
    view: 'feedback',
    todo: (t) => t.promoted()
      ? `${t.hub.registry?.champion} answers now. Press "Play 6 batches" and watch recall climb back on the chart, then press Next.`
      : 'The challenger won on the same rows. Press "Promote" (step 5): from the next batch on it answers the traffic.',
    why: 'Promotion is a registry change, not a rebuild: the old version stays one click away (Roll back on the Deploy panel).',
    target: (t) => t.promoted() ? (t.hub.playing ? '#feedback-chart' : '#feedback-play') : '#feedback-promote',
    done: (t) => t.promoted(),
    run: async (t) => {
      await click('#feedback-promote');
      await until(() => t.promoted(), 'promotion');
    },
  },
  {
    title: 'The loop, closed',
    view: 'deploy',
    todo: (t) => `The registry shows ${t.hub.registry?.versions.map((v) => v.name).join(' and ') ?? 'the versions'} with their lineage. It is kept in this browser: reload the page and it is still here. The tour is over; press Close.`,
    why: 'Data → model → deployment → monitoring → feedback → a new model: a production model is never finished, it is watched and renewed.',
    target: () => '#registry',
    done: () => true,
    run: async () => {},
  },
];

export class Tour {
  private readonly card: HTMLElement;
  private readonly title = h('h2', { id: 'tour-title', tabindex: -1 });
  private readonly counter = h('p', { class: 'tour-count' });
  private readonly todo = h('p', { class: 'tour-todo', id: 'tour-todo' });
  private readonly why = h('p', { class: 'tour-why' });
  private readonly state = h('p', { class: 'tour-state', role: 'status' });
  private readonly back = h('button', { type: 'button', id: 'tour-back' }, 'Back');
  private readonly next = h('button', { type: 'button', id: 'tour-next', class: 'primary' }, 'Next');
  private readonly doIt = h('button', { type: 'button', id: 'tour-do' }, 'Do it for me');
  private step = 0;
  private timer: number | null = null;
  private busy = false;
  private highlighted: Element | null = null;
  /** Set once the champion was deployed with the tour open (not found in the saved registry). */
  deployedHere = false;
  private shadowStart: number | null = null;
  /** Why the last replay stopped, shown until the tour moves on. */
  private replayError: string | null = null;

  constructor(readonly hub: DeployHub, private readonly show: (view: View) => void, private readonly remember: (step: number | null) => void) {
    const close = h('button', { type: 'button', id: 'tour-close', class: 'tour-close', 'aria-label': 'Close the tour' }, '×');
    close.addEventListener('click', () => this.close());
    this.back.addEventListener('click', () => { this.replayError = null; this.go(this.step - 1); });
    this.next.addEventListener('click', () => { this.replayError = null; if (this.step === STEPS.length - 1) this.close(); else this.go(this.step + 1); });
    this.doIt.addEventListener('click', () => void this.doStep());
    this.card = h('section', { id: 'tour', class: 'tour-card', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'tour-title', 'aria-describedby': 'tour-todo', hidden: true },
      close, this.counter, this.title, this.todo, this.why, this.state,
      h('div', { class: 'tour-buttons' }, this.back, this.doIt, this.next),
      h('p', { class: 'tour-keys hint' }, 'Keys: ← → move between steps while the card has focus; Esc closes the tour.'));
    this.card.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      if (e.key === 'ArrowRight' && !this.next.disabled) { e.preventDefault(); this.next.click(); }
      else if (e.key === 'ArrowLeft' && !this.back.disabled) { e.preventDefault(); this.back.click(); }
      else if (e.key === 'Escape') { e.preventDefault(); this.close(); }
    });
    document.body.append(this.card);
    // Escape closes the card from anywhere on the page (it is not modal).
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !this.card.hidden && !e.defaultPrevented) this.close();
    });
    const start = h('button', { type: 'button', id: 'tour-start', class: 'tour-start' }, 'Take the tour');
    start.addEventListener('click', () => void this.open(1));
    document.querySelector('header.site')?.append(start);
    hub.onTimeline(() => {
      // step 4: pause the stream for the newcomer when the recall alarm fires
      if (!this.card.hidden && this.step === 3 && this.hub.playing && alarmOf(this.hub.timeline, 'recall_drop')) this.hub.stop();
      this.refresh();
    });
    hub.onRegistry(() => this.refresh());
  }

  /** Opens step `n` (1-based). Reopening a later step replays the earlier ones first. */
  async open(n: number): Promise<void> {
    const index = Math.min(Math.max(n, 1), STEPS.length) - 1;
    this.card.hidden = false;
    this.replayError = null;
    if (index > 0 && !this.reached(index)) {
      await this.replay(index);
    }
    this.go(index);
  }

  close(): void {
    this.card.hidden = true;
    this.stopTimer();
    this.mark(null);
    this.remember(null);
  }

  /** `n` from the URL (`#tour=n`), or null to close. */
  apply(n: number | null): void {
    if (n === null) {
      if (!this.card.hidden) this.close();
      return;
    }
    if (this.card.hidden || n - 1 !== this.step) void this.open(n);
  }

  watchDeploy(): void {
    // only once the saved registry has been read: a registry not read yet is not empty
    const r = this.hub.registry;
    if (r && (!r.champion || r.versions.length === 0)) this.deployedHere = true;
  }

  shadowPlayed(): boolean {
    const b = this.hub.timeline?.batches.length ?? 0;
    if (this.hub.registry?.mode.mode === 'shadow' && this.shadowStart === null) this.shadowStart = b;
    return this.shadowStart !== null && b >= this.shadowStart + 6 && !this.hub.playing;
  }

  /** True when the champion is a retrained version (it has a parent). */
  promoted(): boolean {
    return !!this.hub.registry?.versions.some((v) => v.champion && v.parent_name);
  }

  /** True when every step before `index` is done already (no replay needed). */
  private reached(index: number): boolean {
    return STEPS.slice(0, index).every((s) => s.done(this));
  }

  private async replay(index: number): Promise<void> {
    this.busy = true;
    this.title.textContent = `Reopening step ${index + 1}`;
    this.counter.textContent = `Step ${index + 1} of ${STEPS.length}`;
    this.why.textContent = '';
    this.setButtons(true);
    this.card.dataset.replaying = 'true';
    try {
      await until(() => this.hub.registry !== null, 'restoring the registry');
      for (let i = 0; i < index; i++) {
        const s = STEPS[i]!;
        this.todo.textContent = `This link opens step ${index + 1}. The runs are seeded, so the steps before it are replayed quickly in the worker (from a fresh registry): ${i + 1}. ${s.title}…`;
        this.show(s.view);
        s.enter?.(this);
        if (i === 2) {
          // a fresh registry, so that the versions are v1, v2, … as in the walk
          this.deployedHere = true;
          await s.run(this);
        } else if (!s.done(this)) {
          await s.run(this);
        }
      }
    } catch (err) {
      this.replayError = `Replaying stopped: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.busy = false;
      delete this.card.dataset.replaying;
    }
  }

  private async doStep(): Promise<void> {
    const s = STEPS[this.step]!;
    this.busy = true;
    this.setButtons(true);
    try {
      if (this.step === 2) this.deployedHere = true;
      await s.run(this);
    } catch (err) {
      this.state.textContent = `That did not work: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.busy = false;
      this.refresh();
    }
  }

  private go(index: number): void {
    if (index < 0 || index >= STEPS.length) return;
    this.step = index;
    const s = STEPS[index]!;
    this.show(s.view);
    s.enter?.(this);
    this.remember(index + 1);
    this.counter.textContent = `Step ${index + 1} of ${STEPS.length}`;
    this.title.textContent = s.title;
    this.why.textContent = `Why it matters: ${s.why}`;
    this.card.dataset.step = String(index + 1);
    this.refresh();
    this.title.focus();
    this.startTimer();
  }

  /** Re-reads the page: what to do now, which control to highlight, whether it is done. */
  private refresh(): void {
    if (this.card.hidden || this.busy) return;
    const s = STEPS[this.step]!;
    if (this.step === 2 && this.hub.registry && this.hub.registry.versions.length === 0) this.deployedHere = true;
    const done = s.done(this);
    this.todo.textContent = s.todo(this);
    this.card.dataset.done = String(done);
    this.state.textContent = this.replayError ?? (done ? (this.step === STEPS.length - 1 ? '' : '✓ Done. Press Next.') : '');
    this.setButtons(false);
    this.next.disabled = !done;
    this.next.textContent = this.step === STEPS.length - 1 ? 'Close' : 'Next';
    this.doIt.hidden = done;
    this.mark(s.target(this));
    this.dodge();
  }

  /** Moves the card to the top of the screen while it would cover the control it points at. */
  private dodge(): void {
    const el = this.highlighted;
    if (!el) {
      this.card.classList.remove('at-top');
      return;
    }
    const t = el.getBoundingClientRect();
    const h = this.card.offsetHeight + 16;
    const visible = (top: number, bottom: number) => Math.max(0, Math.min(bottom, t.bottom) - Math.max(top, t.top));
    // how much of the target each place of the card would cover: the card takes the other
    const underBottom = visible(window.innerHeight - h, window.innerHeight);
    const underTop = visible(0, h);
    this.card.classList.toggle('at-top', underBottom > 0 && underTop < underBottom);
  }

  private setButtons(disabled: boolean): void {
    this.back.disabled = disabled || this.step === 0;
    this.next.disabled = disabled;
    this.doIt.disabled = disabled;
  }

  private mark(selector: string | null): void {
    const el = selector ? $(selector) : null;
    if (el === this.highlighted) return;
    this.highlighted?.classList.remove('tour-target');
    this.highlighted = el;
    if (el) {
      el.classList.add('tour-target');
      this.card.dataset.target = selector!;
      // the top of the target in view: the card sits at the bottom of the screen
      el.scrollIntoView({ block: 'start', behavior: 'smooth' });
    } else {
      delete this.card.dataset.target;
    }
  }

  private startTimer(): void {
    this.stopTimer();
    this.timer = window.setInterval(() => this.refresh(), 250);
  }

  private stopTimer(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }
}

