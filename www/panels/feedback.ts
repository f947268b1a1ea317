// The Feedback panel: the labels that arrived late become training rows for the next
// version. Retrain on a window, register it as the challenger, let it score the live
// traffic in the shadows, compare the two on the same rows, and promote the better one.
import { h, byId } from '../dom';
import { count, stat } from '../format';
import type { RetrainRequest } from '../protocol';
import type { DeployHub } from '../store/hub';
import { message, showError } from '../errors';
import { performanceChart } from '../charts/timeline';
import { verdictView } from './deploy';

export class FeedbackPanel {
  private readonly root = byId('feedback-root');
  private readonly policy = h('select', { id: 'retrain-policy', name: 'policy' },
    h('option', { value: 'recent' }, 'Recent batches only'),
    h('option', { value: 'all' }, 'Every labelled batch'),
    h('option', { value: 'reweighted' }, 'All, the recent weighted more'));
  private readonly batches = h('input', { id: 'retrain-batches', type: 'number', min: 1, step: 1, inputmode: 'numeric' });
  private readonly status = h('p', { id: 'feedback-status', class: 'status', role: 'status' });
  private readonly error = h('div', { id: 'feedback-error', class: 'error', role: 'alert', hidden: true });
  private readonly result = h('div', { id: 'retrain-result' });
  private readonly verdict = h('div', { id: 'feedback-verdict' });
  private readonly chart = h('div', { id: 'feedback-chart', class: 'chart' });
  private readonly labelled = h('p', { id: 'feedback-labelled', class: 'note' });

  constructor(private readonly hub: DeployHub) {
    const retrain = h('button', { id: 'retrain', type: 'button', class: 'primary' }, 'Retrain');
    retrain.addEventListener('click', () => void this.retrain());
    const shadow = h('button', { id: 'feedback-shadow', type: 'button' }, '2. Shadow it');
    shadow.addEventListener('click', () => void this.guard(async () => {
      await hub.setTraffic({ mode: 'shadow' });
      this.status.textContent = 'Shadow mode: the champion still answers every row; the challenger scores the same rows unseen. Play some batches so labels arrive.';
    }));
    const play = h('button', { id: 'feedback-play', type: 'button' }, '3. Play 6 batches');
    play.addEventListener('click', () => void this.guard(async () => {
      const t0 = hub.timeline?.batches.length ?? 0;
      await hub.play((last) => (last.batch?.t ?? 0) >= t0 + 5);
    }));
    const compare = h('button', { id: 'feedback-compare', type: 'button' }, '4. Compare');
    compare.addEventListener('click', () => void this.guard(async () => {
      const c = await hub.client.deploy('compare', null);
      this.verdict.replaceChildren(verdictView(c));
    }));
    const promote = h('button', { id: 'feedback-promote', type: 'button', class: 'primary' }, '5. Promote');
    promote.addEventListener('click', () => void this.guard(async () => {
      const r = await hub.promote();
      this.status.textContent = `${r.champion} is the champion; from the next batch on the monitor watches it. Play on and watch recall come back.`;
    }));
    this.policy.addEventListener('change', () => { this.batches.disabled = this.policy.value !== 'recent'; });
    this.root.replaceChildren(
      h('div', { class: 'controls' },
        h('div', { class: 'field' }, h('label', { for: 'retrain-policy' }, 'Train on'), this.policy),
        h('div', { class: 'field' }, h('label', { for: 'retrain-batches' }, 'Batches'), this.batches),
        retrain),
      this.labelled,
      this.error,
      this.status,
      this.result,
      h('div', { class: 'controls row-buttons' }, shadow, play, compare, promote),
      this.verdict,
      h('figure', { class: 'card monitor-chart' },
        h('figcaption', {}, h('strong', {}, 'Performance'), ' ', h('span', { class: 'hint' }, 'the same chart as on the Monitor panel: after a promotion, recall should climb back.')),
        this.chart),
    );
    hub.onTimeline(() => this.render());
    this.render();
    void hub.client.defaults().then((d) => {
      if (this.batches.value === '') this.batches.value = String(d.retrain_batches);
    }, () => {});
  }

  private async retrain(): Promise<void> {
    await this.guard(async () => {
      const request: RetrainRequest = {
        policy: this.policy.value as RetrainRequest['policy'],
        batches: Number(this.batches.value) || null,
        created: new Date().toISOString(),
      };
      this.status.textContent = 'Training…';
      const r = await this.hub.client.deploy('retrain', request);
      await this.hub.refreshRegistry();
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
    if (!t) {
      this.labelled.textContent = 'Play a scenario on the Monitor panel first: retraining needs labelled batches.';
      this.chart.replaceChildren();
      return;
    }
    const labelled = t.batches.filter((b) => b.performance).length;
    this.labelled.textContent = `${labelled} labelled batch${labelled === 1 ? '' : 'es'} so far (labels arrive ${t.label_delay} batches late).`;
    this.chart.replaceChildren(performanceChart(t));
  }
}
