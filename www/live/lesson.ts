// A short guided lesson on the circle data, in the guided tour's style (the same card,
// Next/Back, "Do it for me", the step in the URL as `#lesson=2`): a straight line cannot
// separate a ring from its centre; adding x² and y² lets the same linear model draw a
// circle; a small neural network finds the curve by itself, and you watch it do so.
// Every run is seeded, so a step reopened from a link replays the ones before it.
import { h } from '../dom';
import { stat } from '../format';

/** What the lesson asks of the page. */
export interface LessonPage {
  /** The circle data, noise 0 (resolves once it is loaded and the Model panel follows it). */
  loadCircle(): Promise<void>;
  /** Picks a model family. */
  setKind(kind: string): void;
  /** Sets the derived inputs (`x^2,y^2`, or `''`). */
  setFeatures(features: string): void;
  /** Trains the Model panel's settings (the Train button). */
  train(): Promise<void>;
  /** Plays the live view to the end of its epochs. */
  play(): Promise<void>;
  /** Shows the Model panel. */
  showModel(): void;
  /** Remembers the open step in the link (`null`: closed). */
  remember(step: number | null): void;
  /** The last model whose results are on screen: its kind and derived inputs. */
  lastRun(): { kind: string; features: string } | null;
}

interface Step {
  title: string;
  todo: string;
  why: string;
  /** The control to point at. */
  target: string;
  done: () => boolean;
  run: (page: LessonPage) => Promise<void>;
}

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T | null => document.querySelector<T>(selector);

let current: LessonPage | null = null;

/** The test accuracy on screen when the last model is a `kind` with `features` (a list), else null. */
function accuracyOf(kind: string, features: string[]): number | null {
  const run = current?.lastRun();
  if (!run || run.kind !== kind || run.features.split(',').filter(Boolean).sort().join(',') !== [...features].sort().join(',')) return null;
  const cell = $('#model-results tr[data-metric="accuracy"] td.num')?.textContent ?? '';
  const v = Number(cell);
  return cell !== '' && Number.isFinite(v) ? v : null;
}

function onCircle(): boolean {
  // the attribute, not the property: the form's `hidden` input (the network's hidden
  // layers) shadows `form.hidden`, as a form's named controls do
  return ($<HTMLSelectElement>('#dataset')?.value ?? '') === 'circles' && !($('#model-form')?.hasAttribute('hidden') ?? true);
}

function kind(): string {
  return $<HTMLSelectElement>('#model-kind')?.value ?? '';
}

function features(): string[] {
  return [...document.querySelectorAll<HTMLInputElement>('#model-features input:checked')].map((i) => i.value);
}

const STEPS: Step[] = [
  {
    title: 'A straight line on a circle',
    todo: 'The circle data is loaded: an inner blob of one class inside a ring of the other. Train a logistic regression on x and y (Train).',
    why: 'Logistic regression weighs the inputs and draws one straight line between the classes. No straight line separates a ring from its centre, so it does hardly better than a coin.',
    target: '#train',
    done: () => onCircle() && accuracyOf('logistic', []) !== null,
    run: async (page) => {
      await page.loadCircle();
      page.setKind('logistic');
      page.setFeatures('');
      await page.train();
    },
  },
  {
    title: 'Add x² and y²',
    todo: 'Tick x² and y² under Derived inputs and train the same logistic regression again.',
    why: 'x² + y² is the squared distance from the centre, so in the new inputs the classes are split by a straight line, and the same linear model draws a circle in x and y. Choosing the inputs is often worth more than choosing the model.',
    target: '#model-features',
    done: () => onCircle() && (accuracyOf('logistic', ['x^2', 'y^2']) ?? 0) > 0.9,
    run: async (page) => {
      page.setKind('logistic');
      page.setFeatures('x^2,y^2');
      await page.train();
    },
  },
  {
    title: 'Now try a hidden layer',
    todo: 'Untick the derived inputs, pick the mlp family (a small neural network, 4 and 2 neurons) and press Play in "Watch it learn".',
    why: 'Each hidden neuron draws its own line; the next layer combines them into a curve. Watch the pictures: the neurons find the ring from x and y alone, with nobody telling them about squares.',
    target: '.live-play',
    done: () => onCircle() && (accuracyOf('mlp', []) ?? 0) > 0.9,
    run: async (page) => {
      page.setFeatures('');
      page.setKind('mlp');
      await page.play();
    },
  },
];

export class Lesson {
  private readonly card: HTMLElement;
  private readonly title = h('h2', { id: 'lesson-title', tabindex: -1 });
  private readonly counter = h('p', { class: 'tour-count' });
  private readonly todo = h('p', { id: 'lesson-todo' });
  private readonly why = h('p', { class: 'tour-why' });
  private readonly state = h('p', { class: 'tour-state', 'aria-live': 'polite' });
  private readonly back = h('button', { type: 'button' }, 'Back');
  private readonly next = h('button', { type: 'button', class: 'primary' }, 'Next');
  private readonly doIt = h('button', { type: 'button', id: 'lesson-do' }, 'Do it for me');
  private step = 0;
  private busy = false;
  private timer: number | null = null;
  private highlighted: Element | null = null;

  constructor(private readonly page: LessonPage) {
    // the steps read the page through it
    current = this.page;
    const close = h('button', { type: 'button', class: 'tour-close', 'aria-label': 'Close the lesson' }, '×');
    close.addEventListener('click', () => this.close());
    this.back.addEventListener('click', () => this.go(this.step - 1));
    this.next.addEventListener('click', () => (this.step === STEPS.length - 1 ? this.close() : this.go(this.step + 1)));
    this.doIt.addEventListener('click', () => void this.doStep());
    this.card = h('section', { id: 'lesson', class: 'tour-card', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'lesson-title', 'aria-describedby': 'lesson-todo', hidden: true },
      close, this.counter, this.title, this.todo, this.why, this.state,
      h('div', { class: 'tour-buttons' }, this.back, this.doIt, this.next));
    this.card.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      if (e.key === 'ArrowRight' && !this.next.disabled) this.next.click();
      else if (e.key === 'ArrowLeft' && !this.back.disabled) this.back.click();
      else if (e.key === 'Escape') this.close();
    });
    document.body.append(this.card);
    // a short word on phones, where it shares the header's first row with the tour's button
    const start = h('button', { type: 'button', id: 'lesson-start', class: 'tour-start', 'aria-label': 'Neural network lesson' },
      h('span', { class: 'long' }, 'Neural network lesson'), h('span', { class: 'short' }, 'Lesson'));
    start.addEventListener('click', () => void this.open(1));
    document.querySelector('header.site')?.append(start);
  }

  /** Opens step `n` (1-based); a later step replays the earlier ones first (seeded runs). */
  async open(n: number): Promise<void> {
    const index = Math.min(Math.max(n, 1), STEPS.length) - 1;
    this.card.hidden = false;
    this.page.showModel();
    if (!onCircle()) await this.page.loadCircle();
    for (let i = 0; i < index; i++) {
      if (STEPS[i]!.done()) continue;
      this.busy = true;
      this.title.textContent = `Reopening step ${index + 1}`;
      this.todo.textContent = `Replaying step ${i + 1} (${STEPS[i]!.title}) first: the runs are seeded.`;
      try {
        await STEPS[i]!.run(this.page);
      } catch {
        break;
      } finally {
        this.busy = false;
      }
    }
    this.go(index);
  }

  /** `n` from the URL, or `null` to close. */
  apply(n: number | null): void {
    if (n === null) {
      if (!this.card.hidden) this.close();
    } else if (this.card.hidden || n - 1 !== this.step) {
      void this.open(n);
    }
  }

  close(): void {
    this.card.hidden = true;
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    this.mark(null);
    this.page.remember(null);
  }

  private go(index: number): void {
    if (index < 0 || index >= STEPS.length) return;
    this.step = index;
    const s = STEPS[index]!;
    this.page.remember(index + 1);
    this.counter.textContent = `Lesson step ${index + 1} of ${STEPS.length}`;
    this.title.textContent = s.title;
    this.todo.textContent = s.todo;
    this.why.textContent = `Why: ${s.why}`;
    this.card.dataset.step = String(index + 1);
    this.refresh();
    this.title.focus();
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = window.setInterval(() => this.refresh(), 300);
  }

  private async doStep(): Promise<void> {
    this.busy = true;
    this.doIt.disabled = true;
    try {
      await STEPS[this.step]!.run(this.page);
    } catch (err) {
      this.state.textContent = `That did not work: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.busy = false;
      this.refresh();
    }
  }

  private refresh(): void {
    if (this.card.hidden || this.busy) return;
    const s = STEPS[this.step]!;
    const done = s.done();
    const acc = accuracyOf(kind(), features());
    this.card.dataset.done = String(done);
    this.state.textContent = done ? `✓ Done${acc !== null ? ` (test accuracy ${stat(acc)})` : ''}. ${this.step === STEPS.length - 1 ? '' : 'Press Next.'}` : '';
    this.back.disabled = this.step === 0;
    this.next.disabled = !done;
    this.next.textContent = this.step === STEPS.length - 1 ? 'Close' : 'Next';
    this.doIt.hidden = done;
    this.doIt.disabled = false;
    this.mark(done ? null : s.target);
  }

  private mark(selector: string | null): void {
    const el = selector ? $(selector) : null;
    if (el === this.highlighted) return;
    this.highlighted?.classList.remove('tour-target');
    this.highlighted = el;
    el?.classList.add('tour-target');
  }
}
