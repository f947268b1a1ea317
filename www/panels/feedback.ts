// The Feedback panel: the labels that arrived late become training rows for the next
// version. Five numbered steps, each a card with its button and what it did: retrain on a
// window (which batches it takes is shown before and after), shadow the new version, play
// batches so both answer the same rows and their labels arrive (on past the scenario's
// end if needed: the stream goes on in its last regime), compare, promote — and a
// promotion without a comparison asks first and says what is missing.
import { h, byId } from '../dom';
import { count, stat } from '../format';
import type { Comparison, RetrainRequest } from '../protocol';
import type { DeployHub } from '../store/hub';
import { message, showError } from '../errors';
import { performanceChart } from '../charts/timeline';
import { verdictView } from './deploy';

/** Batches "Play" plays in the shadow step and after a promotion. */
const PLAY_BATCHES = 6;

export class FeedbackPanel {
  private readonly root = byId('feedback-root');
  private readonly policy = h('select', { id: 'retrain-policy', name: 'policy' },
    h('option', { value: 'recent' }, 'Recent batches only'),
    h('option', { value: 'all' }, 'Every labelled batch'),
    h('option', { value: 'reweighted' }, 'All, the recent weighted more'));
  private readonly batches = h('input', { id: 'retrain-batches', type: 'number', min: 1, step: 1, inputmode: 'numeric' });
  private readonly window = h('p', { id: 'retrain-window', class: 'hint' });
  private readonly status = h('p', { id: 'feedback-status', class: 'status', role: 'status' });
  private readonly error = h('div', { id: 'feedback-error', class: 'error', role: 'alert', hidden: true });
  private readonly result = h('div', { id: 'retrain-result' });
  private readonly verdict = h('div', { id: 'feedback-verdict' });
  private readonly chart = h('div', { id: 'feedback-chart', class: 'chart' });
  private readonly labelled = h('p', { id: 'feedback-labelled', class: 'note' });
  private readonly confirm = h('div', { id: 'promote-confirm', class: 'confirm', role: 'alertdialog', 'aria-labelledby': 'promote-confirm-text', hidden: true });
  private readonly steps: Record<'retrain' | 'shadow' | 'play' | 'compare' | 'promote', HTMLElement>;
  /** The last comparison made on this panel, with the challenger it judged. */
  private compared: { challenger: string | null; result: Comparison } | null = null;

  constructor(private readonly hub: DeployHub) {
    const retrain = h('button', { id: 'retrain', type: 'button', class: 'primary' }, 'Retrain');
    retrain.addEventListener('click', () => void this.retrain());
    const shadow = h('button', { id: 'feedback-shadow', type: 'button', class: 'primary' }, 'Shadow it');
    shadow.addEventListener('click', () => void this.guard(async () => {
      await hub.setTraffic({ mode: 'shadow' });
      this.status.textContent = 'Shadow mode: the champion still answers every row; the challenger scores the same rows unseen. Play some batches so labels arrive.';
    }));
    const play = h('button', { id: 'feedback-play', type: 'button', class: 'primary' }, `Play ${PLAY_BATCHES} batches`);
    play.addEventListener('click', () => void this.guard(async () => {
      await hub.playBatches(PLAY_BATCHES);
      if (hub.error) throw new Error(hub.error);
    }));
    const compare = h('button', { id: 'feedback-compare', type: 'button', class: 'primary' }, 'Compare');
    compare.addEventListener('click', () => void this.guard(async () => {
      const c = await hub.client.deploy('compare', null);
      this.compared = { challenger: hub.registry?.challenger ?? null, result: c };
      this.verdict.replaceChildren(verdictView(c));
      this.render();
    }));
    const promote = h('button', { id: 'feedback-promote', type: 'button', class: 'primary' }, 'Promote');
    promote.addEventListener('click', () => void this.guard(async () => {
      const missing = this.missingForPromotion();
      if (missing) {
        this.ask(missing);
        return;
      }
      await this.promote();
    }));
    this.policy.addEventListener('change', () => {
      this.batches.disabled = this.policy.value !== 'recent';
      this.describeWindow();
    });
    this.batches.addEventListener('input', () => this.describeWindow());
    const step = (n: number, title: string, what: string, ...controls: (HTMLElement | null)[]) =>
      h('li', { class: 'step', 'data-step': n },
        h('div', { class: 'step-head' }, h('span', { class: 'step-number', 'aria-hidden': 'true' }, String(n)), h('strong', {}, title)),
        h('p', { class: 'hint' }, what),
        ...controls);
    this.steps = {
      retrain: step(1, 'Retrain', 'A new version learns from labelled batches of the stream; it becomes the challenger.',
        h('div', { class: 'controls' },
          h('div', { class: 'field' }, h('label', { for: 'retrain-policy' }, 'Train on'), this.policy),
          h('div', { class: 'field' }, h('label', { for: 'retrain-batches' }, 'Batches'), this.batches)),
        this.window, retrain),
      shadow: step(2, 'Shadow', 'The champion keeps answering; the challenger scores the same rows unseen.', shadow),
      play: step(3, 'Play', 'Both versions see the same rows and their labels arrive (the stream goes on past its script if needed).', play),
      compare: step(4, 'Compare', 'McNemar\u2019s test on the rows both versions scored.', compare),
      promote: step(5, 'Promote', 'From the next batch on the challenger answers; the old version stays one click away (Roll back).', promote),
    };
    this.root.replaceChildren(
      this.labelled,
      this.error,
      this.status,
      h('ol', { class: 'steps', 'aria-label': 'Feedback steps' }, ...Object.values(this.steps)),
      this.confirm,
      this.result,
      this.verdict,
      h('figure', { class: 'card monitor-chart' },
        h('figcaption', {}, h('strong', {}, 'Performance'), ' ', h('span', { class: 'hint' }, 'the same chart as on the Monitor panel: after a promotion, play on and recall should climb back.')),
        this.chart),
    );
    hub.onTimeline(() => this.render());
    hub.onRegistry(() => {
      // a model was deployed or promoted elsewhere: an old "registry is empty" is stale
      if (hub.registry?.champion) showError(this.error, null);
      this.render();
    });
    this.render();
    void hub.client.defaults().then((d) => {
      if (this.batches.value === '') this.batches.value = String(d.retrain_batches);
      this.describeWindow();
    }, () => {});
  }

  /** What a promotion would go ahead without, in a sentence; `null` when it has a verdict. */
  private missingForPromotion(): string | null {
    const r = this.hub.registry;
    if (!r?.challenger) return null; // the core says there is no challenger
    const c = this.compared;
    if (!c || c.challenger !== r.challenger) {
      return `${r.challenger} has not been compared with ${r.champion ?? 'the champion'} yet: nothing shows it is better on the current traffic.`;
    }
    if (c.result.test === 'none') return `The comparison has no test yet: ${c.result.verdict}`;
    if (c.result.better === 'champion') return `The comparison says the champion is better: ${c.result.verdict}`;
    return null;
  }

  private ask(missing: string): void {
    const yes = h('button', { id: 'promote-anyway', type: 'button' }, 'Promote anyway');
    const no = h('button', { id: 'promote-cancel', type: 'button', class: 'primary' }, 'Not yet');
    yes.addEventListener('click', () => void this.guard(async () => {
      this.confirm.hidden = true;
      await this.promote();
    }));
    no.addEventListener('click', () => {
      this.confirm.hidden = true;
      this.status.textContent = 'Not promoted. Shadow the challenger, play some batches and compare first.';
    });
    this.confirm.replaceChildren(
      h('p', { id: 'promote-confirm-text' }, `${missing} Promote it all the same?`),
      h('div', { class: 'row-buttons' }, no, yes));
    this.confirm.hidden = false;
    no.focus();
  }

  private async promote(): Promise<void> {
    const r = await this.hub.promote();
    this.status.textContent = `${r.champion} is the champion; from the next batch on the monitor watches it. Press "Play ${PLAY_BATCHES} batches" and watch recall come back.`;
  }

  /** Which batches a retraining would learn from now, and how many of them after the drift. */
  private describeWindow(): void {
    const t = this.hub.timeline;
    if (!t) {
      this.window.textContent = '';
      return;
    }
    const labelled = t.batches.filter((b) => b.performance).map((b) => b.t);
    if (labelled.length === 0) {
      this.window.textContent = 'No labelled batch yet.';
      return;
    }
    const n = Math.max(1, Number(this.batches.value) || 1);
    const chosen = this.policy.value === 'recent' ? labelled.slice(-n) : labelled;
    const drift = t.drift_curve.findIndex((d) => d > 0);
    const after = drift < 0 ? 0 : chosen.filter((b) => b >= drift).length;
    const span = chosen.length > 1 ? `batches ${chosen[0]}–${chosen[chosen.length - 1]}` : `batch ${chosen[0]}`;
    this.window.textContent = `Now it would learn from ${span}` +
      (drift < 0 ? '.' : `: ${after} of ${chosen.length} after the drift began at batch ${drift}.`) +
      (drift >= 0 && after < chosen.length && this.policy.value === 'recent'
        ? ' Batches from before the drift teach the old world: play on until the window holds only new batches for a model that fits the new one.'
        : '');
    this.window.dataset.after = String(after);
    this.window.dataset.chosen = String(chosen.length);
  }

  private async retrain(): Promise<void> {
    await this.guard(async () => {
      const request: RetrainRequest = {
        policy: this.policy.value as RetrainRequest['policy'],
        batches: Number(this.batches.value) || null,
        created: new Date().toISOString(),
      };
      this.status.textContent = 'Training…';
      const r = await this.hub.retrain(request);
      const m = (r.metrics ?? {}) as unknown as Record<string, unknown>;
      const n = (k: string) => typeof m[k] === 'number' ? stat(m[k] as number) : '–';
      this.result.replaceChildren(h('p', { class: 'retrained', 'data-version': r.version },
        h('strong', {}, r.version), ` — ${r.note}. On its held-out rows: accuracy ${n('accuracy')}, recall ${n('recall')}. It is now the challenger.`));
      this.status.textContent = `${r.version} registered as the challenger (${count(r.rows)} rows from batches ${r.batches.join(', ')}).`;
    });
  }

  private async guard(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      showError(this.error, null);
    } catch (err) {
      showError(this.error, message(err));
    }
  }

  private render(): void {
    const t = this.hub.timeline;
    const r = this.hub.registry;
    const done = {
      retrain: !!r?.challenger || (r?.versions.some((v) => v.parent) ?? false),
      shadow: r?.mode.mode === 'shadow',
      play: false,
      compare: !!this.compared && this.compared.challenger === r?.challenger && !!r?.challenger,
      promote: !!r?.champion && (r.versions.find((v) => v.name === r.champion)?.parent ?? null) !== null,
    };
    done.play = done.shadow && done.compare;
    for (const [k, el] of Object.entries(this.steps)) el.classList.toggle('done', done[k as keyof typeof done]);
    this.describeWindow();
    if (!t) {
      this.labelled.textContent = r?.champion
        ? `${r.champion} is deployed. Start a scenario on the Monitor panel and play it until labels arrive: retraining needs labelled batches.`
        : 'Deploy a model and play a scenario on the Monitor panel first: retraining needs labelled batches.';
      this.chart.replaceChildren();
      return;
    }
    const labelled = t.batches.filter((b) => b.performance).length;
    // the recall of the last labelled window, and whose it is (read by the tests)
    const last = [...t.batches].reverse().find((b) => b.window?.recall !== undefined && b.window?.recall !== null);
    this.labelled.dataset.recall = last?.window?.recall != null ? String(last.window.recall) : '';
    this.labelled.dataset.version = last?.version ?? '';
    this.labelled.dataset.t = last ? String(last.t) : '';
    this.labelled.textContent = `${labelled} labelled batch${labelled === 1 ? '' : 'es'} so far (labels arrive ${t.label_delay} batches late)` +
      (t.batches.length >= t.batches_scripted ? '; the scripted stream has ended, and playing goes on in its last regime.' : '.');
    this.chart.replaceChildren(performanceChart(t));
  }
}
