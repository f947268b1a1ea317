// The Deploy panel: the registry of model versions with their lineage, the champion and
// the challenger, who answers the traffic (champion only, canary, shadow, A/B), the
// significance-tested comparison, promotion and roll-back. The registry is kept in this
// browser's IndexedDB, so it survives a reload.
import { h, byId } from '../dom';
import { count, stat } from '../format';
import type { Comparison, Defaults, RegistryView, TrafficMode, TrafficRequest, VersionView } from '../protocol';
import type { DeployHub } from '../store/hub';
import { message, showError } from '../errors';
import { OnnxPanel } from './onnx';
import { ServingPanel } from './serving';

function num(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? stat(v) : '–';
}

export function modeText(mode: TrafficMode): string {
  switch (mode.mode) {
    case 'champion': return 'all traffic to the champion';
    case 'canary': return `canary: ${stat(mode.percent)}% to the challenger`;
    case 'shadow': return 'shadow: the champion answers, the challenger scores every row unseen';
    case 'ab': return `A/B test: ${stat(mode.percent)}% to the challenger`;
  }
}

export function verdictView(c: Comparison): HTMLElement {
  const rows = [c.champion, c.challenger].filter((a): a is NonNullable<typeof a> => a !== null);
  const p = c.test === 'mcnemar' ? c.mcnemar?.p_value : c.test === 'z' ? c.z_test?.p_value : null;
  return h('div', { class: 'verdict', 'data-better': c.better, 'data-test': c.test },
    h('p', { class: 'verdict-text' }, c.verdict),
    h('p', { class: 'note' }, c.test === 'none'
      ? 'No test yet.'
      : `${c.test === 'mcnemar' ? 'McNemar on paired rows' : 'two-proportion z-test'}, p = ${num(p)}, α = ${stat(c.alpha)}`),
    h('table', { class: 'compare-arms' },
      h('thead', {}, h('tr', {}, h('th', {}, 'version'), h('th', { class: 'num' }, 'labelled rows'),
        h('th', { class: 'num' }, 'accuracy'), h('th', { class: 'num' }, 'recall'))),
      h('tbody', {}, ...rows.map((a) => h('tr', {},
        h('td', {}, a.version), h('td', { class: 'num' }, count(a.stats.rows)),
        h('td', { class: 'num' }, num(a.accuracy)), h('td', { class: 'num' }, num(a.recall)))))));
}

export class DeployPanel {
  private readonly root = byId('deploy-root');
  private readonly status = h('p', { id: 'deploy-status', class: 'status', role: 'status' });
  private readonly error = h('div', { id: 'deploy-error', class: 'error', role: 'alert', hidden: true });
  private readonly table = h('div', { id: 'registry', class: 'table-wrap' });
  private readonly modeSelect = h('select', { id: 'traffic-mode', name: 'mode' },
    h('option', { value: 'champion' }, 'Champion only'),
    h('option', { value: 'canary' }, 'Canary'),
    h('option', { value: 'shadow' }, 'Shadow'),
    h('option', { value: 'ab' }, 'A/B test'));
  private readonly percent = h('input', { id: 'traffic-percent', type: 'number', min: 0, max: 100, step: 1, inputmode: 'decimal' });
  private readonly modeNow = h('p', { id: 'traffic-now', class: 'note' });
  private readonly verdict = h('div', { id: 'verdict' });
  private readonly alpha = h('input', { id: 'alpha', type: 'number', min: 0.001, max: 0.5, step: 0.01, inputmode: 'decimal' });
  /** The core's defaults: the canary's and the A/B test's shares, the significance level. */
  private defaults: Defaults | null = null;
  private readonly events = h('ol', { id: 'registry-events', class: 'events' });
  private readonly promoteButton = h('button', { id: 'promote', type: 'button', class: 'primary' }, 'Promote the challenger');
  private readonly rollbackButton = h('button', { id: 'rollback', type: 'button' }, 'Roll back');

  constructor(private readonly hub: DeployHub) {
    const deployButton = h('button', { id: 'deploy-last', type: 'button', class: 'primary' }, 'Deploy the last trained model');
    deployButton.addEventListener('click', () => void this.act(
      () => hub.deployLast('trained in the Model panel'),
      (r) => `Registered; ${r.champion ?? 'nothing'} is the champion.`));
    const clear = h('button', { id: 'clear-registry', type: 'button' }, 'Clear the registry');
    clear.addEventListener('click', () => void this.act(async () => { await hub.clear(); return hub.registry!; }, () => 'The registry is empty.'));
    const apply = h('button', { id: 'traffic-apply', type: 'button' }, 'Apply');
    apply.addEventListener('click', () => {
      const mode = this.modeSelect.value as TrafficRequest['mode'];
      const request: TrafficRequest = { mode, percent: this.percent.value === '' ? null : Number(this.percent.value) };
      void this.act(() => hub.setTraffic(request), (r) => `Traffic: ${modeText(r.mode)}.`);
    });
    this.modeSelect.addEventListener('change', () => this.syncPercent());
    this.promoteButton.addEventListener('click', () => void this.act(() => hub.promote(), (r) => `${r.champion} is now the champion; all traffic goes to it.`));
    this.rollbackButton.addEventListener('click', () => void this.act(() => hub.rollback(), (r) => `Rolled back: ${r.champion} is the champion again.`));
    const compare = h('button', { id: 'deploy-compare', type: 'button' }, 'Compare');
    compare.addEventListener('click', () => void this.compare());

    this.root.replaceChildren(
      h('div', { class: 'controls deploy-actions' }, deployButton, clear),
      this.error,
      this.status,
      h('section', { 'aria-labelledby': 'registry-title' },
        h('h3', { id: 'registry-title' }, 'Registry'),
        this.table),
      h('div', { class: 'deploy-grid' },
        h('section', { class: 'controls traffic', 'aria-labelledby': 'traffic-title' },
          h('h3', { id: 'traffic-title' }, 'Traffic'),
          h('div', { class: 'field' }, h('label', { for: 'traffic-mode' }, 'Who answers'), this.modeSelect),
          h('div', { class: 'field' }, h('label', { for: 'traffic-percent' }, '% to the challenger'), this.percent),
          apply,
          this.modeNow,
          h('div', { class: 'row-buttons' }, this.promoteButton, this.rollbackButton)),
        h('section', { class: 'controls comparison', 'aria-labelledby': 'comparison-title' },
          h('h3', { id: 'comparison-title' }, 'Champion against challenger'),
          h('div', { class: 'field' }, h('label', { for: 'alpha' }, 'Significance level α'), this.alpha),
          compare,
          this.verdict)),
      h('details', { class: 'history' }, h('summary', {}, 'History'), this.events),
      new ServingPanel(hub).element,
      new OnnxPanel(hub).element,
    );
    this.syncPercent();
    hub.onRegistry(() => this.render());
    void hub.client.defaults().then((d) => {
      this.defaults = d;
      if (this.percent.value === '') this.percent.value = String(this.modeSelect.value === 'ab' ? d.ab_percent : d.canary_percent);
      if (this.alpha.value === '') this.alpha.value = String(d.alpha);
    }, () => {});
  }

  /** Shows a sentence in the status line (e.g. what was restored from IndexedDB). */
  note(text: string): void {
    if (text) this.status.textContent = text;
  }

  /** Compares the two versions on the labelled rows served so far. */
  async compare(): Promise<void> {
    try {
      const c = await this.hub.client.deploy('compare', this.alpha.value === '' ? null : Number(this.alpha.value));
      this.verdict.replaceChildren(verdictView(c));
      showError(this.error, null);
    } catch (err) {
      showError(this.error, message(err));
    }
  }

  private syncPercent(): void {
    const mode = this.modeSelect.value;
    this.percent.disabled = mode === 'champion' || mode === 'shadow';
    // switching between the two keeps a share the person chose, and swaps the defaults
    const d = this.defaults;
    if (d && mode === 'ab' && this.percent.value === String(d.canary_percent)) this.percent.value = String(d.ab_percent);
    if (d && mode === 'canary' && this.percent.value === String(d.ab_percent)) this.percent.value = String(d.canary_percent);
  }

  private async act(action: () => Promise<RegistryView>, done: (r: RegistryView) => string): Promise<void> {
    try {
      const r = await action();
      showError(this.error, null);
      this.status.textContent = done(r);
    } catch (err) {
      showError(this.error, message(err));
    }
  }

  private render(): void {
    const r = this.hub.registry;
    if (!r || r.versions.length === 0) {
      this.table.replaceChildren(h('p', { class: 'note empty' }, 'No versions yet. Train a classifier on the Model panel, then deploy it here; the first version becomes the champion.'));
    } else {
      this.table.replaceChildren(h('table', { class: 'registry' },
        h('thead', {}, h('tr', {},
          ...['version', 'role', 'kind', 'accuracy', 'recall', 'ROC AUC', 'parent', 'lineage', 'created', 'note', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...r.versions.map((v) => this.row(v)))));
    }
    if (r) {
      this.modeNow.textContent = `Now: ${modeText(r.mode)}.`;
      this.modeSelect.value = r.mode.mode;
      if ('percent' in r.mode) this.percent.value = String(r.mode.percent);
      this.syncPercent();
      this.events.replaceChildren(...r.events.map((e) => h('li', {}, e.message)));
    }
    this.promoteButton.disabled = !r?.challenger;
    this.rollbackButton.disabled = !r || !r.events.some((e) => e.action === 'promote' || e.action === 'champion') || r.versions.length < 2;
  }

  private row(v: VersionView): HTMLElement {
    const m = (v.metrics ?? {}) as unknown as Record<string, unknown>;
    const role = h('td', {});
    if (v.champion) role.append(h('span', { class: 'badge champion' }, 'champion'));
    if (v.challenger) role.append(h('span', { class: 'badge challenger' }, 'challenger'));
    const action = h('td', {});
    if (!v.champion && !v.challenger) {
      const b = h('button', { type: 'button', class: 'small', 'data-challenger': v.name }, 'Make challenger');
      b.addEventListener('click', () => void this.act(() => this.hub.setChallenger(v.name), () => `${v.name} is the challenger.`));
      action.append(b);
    } else if (v.challenger) {
      const b = h('button', { type: 'button', class: 'small' }, 'Withdraw');
      b.addEventListener('click', () => void this.act(() => this.hub.setChallenger(null), () => 'No challenger.'));
      action.append(b);
    }
    return h('tr', { 'data-version': v.name, 'data-role': v.champion ? 'champion' : v.challenger ? 'challenger' : '' },
      h('th', { scope: 'row' }, v.name),
      role,
      h('td', {}, v.model_kind),
      h('td', { class: 'num' }, num(m.accuracy)),
      h('td', { class: 'num' }, num(m.recall)),
      h('td', { class: 'num' }, num(m.roc_auc)),
      h('td', {}, v.parent_name ?? (v.parent ? v.parent.slice(0, 8) : '–')),
      h('td', {}, v.lineage.join(' ← ')),
      h('td', {}, v.created ? v.created.replace('T', ' ').slice(0, 19) : '–'),
      h('td', { class: 'note-cell' }, v.note),
      action);
  }
}
