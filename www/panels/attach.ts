// The Monitor panel attached to a running edge bundle: the user types the bundle's URL
// (and its bearer token, if it has one), and the panel polls the bundle's GET /monitor and
// shows its live drift per column, predictions, input warnings, late-label performance next
// to the label-free estimate (CBPE), and the alarms, with the core's sentences (the bundle's
// Durable Object runs the core's monitor: src/monitor/edge/). Detach returns to the scenario.
//
// The page's Content-Security-Policy allows no connection but to this origin until the user
// adds a bundle's origin. A policy cannot be widened once the document has it, so adding one
// is stored (localStorage "driftlab.edge.origins") and the page reloads: the first script of
// <head>, www/public/csp.js, writes the policy with connect-src 'self' and the added origins
// before any other script runs (vite.config.ts explains the upper bound it narrows). The
// attachment itself (URL and token) is kept in sessionStorage, so that it survives that
// reload and is forgotten with the tab; the token is never written to localStorage.
//
// The bundle must answer this origin's requests: its DRIFTLAB_CORS_ORIGIN (wrangler.toml
// [vars], or the environment of serve.mjs) lists the page's origin, and it answers the
// preflight of the Authorization header.
import { h } from '../dom';
import { count, stat } from '../format';
import type { BatchPoint, ColumnDrift, EdgeReport, WindowReport } from '../protocol';
import { edgeChart, kindLabel, type Point } from '../charts/timeline';
import { message, showError } from '../errors';
import { shortHash } from './results';

/** The bundle origins the user added (read by www/public/csp.js before the page starts). */
export const ORIGINS_KEY = 'driftlab.edge.origins';
/** The current attachment, `{url, token}`, for this tab only. */
const ATTACH_KEY = 'driftlab.edge.attach';
/** Between two polls of /monitor. */
const POLL_MS = 2000;
/** Polls kept for the charts. */
const HISTORY = 600;
/** What csp.js accepts: https origins anywhere, http only on this machine. */
const ORIGIN = /^(https:\/\/[a-z0-9.-]+(:\d{1,5})?|http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?)$/;

interface Attachment { url: string; token: string }

function readJson<T>(storage: Storage, key: string, fallback: T): T {
  try {
    const v = storage.getItem(key);
    return v === null ? fallback : (JSON.parse(v) as T);
  } catch {
    return fallback;
  }
}

/** The origins the user added. */
export function addedOrigins(): string[] {
  const list = readJson<unknown>(localStorage, ORIGINS_KEY, []);
  return Array.isArray(list) ? list.filter((o): o is string => typeof o === 'string' && ORIGIN.test(o)) : [];
}

/** The origins this document's policy lets it connect to (what csp.js wrote at load). */
export function policyOrigins(): string[] {
  const exact = document.getElementById('csp-exact')?.getAttribute('content') ?? '';
  const connect = exact.split(';').map((d) => d.trim().split(/\s+/)).find((w) => w[0] === 'connect-src') ?? [];
  return connect.slice(1).filter((s) => ORIGIN.test(s));
}

/** The bundle's base URL (no trailing slash) and its origin, or an error that says the fix. */
export function bundleUrl(input: string): { base: string; origin: string } {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error(`"${input.trim()}" is not a URL: type the bundle's address, e.g. http://127.0.0.1:8787 (wrangler dev) or https://NAME.ACCOUNT.workers.dev`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${url.protocol} is not a bundle's scheme: use https:// (or http:// on 127.0.0.1 or localhost)`);
  if (!ORIGIN.test(url.origin)) throw new Error(`${url.origin} is plain http on another machine: the page attaches to https:// bundles, or to http:// ones on 127.0.0.1 or localhost`);
  if (url.search || url.hash || url.username) throw new Error('type the bundle\'s address without a query, fragment or user name (the token has its own box)');
  return { base: url.origin + url.pathname.replace(/\/+$/, ''), origin: url.origin };
}

/** The Monitor panel's attach form and the view of an attached bundle. */
export class EdgeAttach {
  private readonly url = h('input', { id: 'attach-url', type: 'url', placeholder: 'http://127.0.0.1:8787', autocomplete: 'off', spellcheck: 'false' });
  private readonly token = h('input', { id: 'attach-token', type: 'password', placeholder: 'none', autocomplete: 'off' });
  private readonly attachButton = h('button', { id: 'attach', type: 'button' }, 'Attach');
  private readonly detachButton = h('button', { id: 'detach', type: 'button', hidden: true }, 'Detach, back to the scenario');
  private readonly origins = h('ul', { id: 'attach-origins', class: 'attach-origins' });
  private readonly error = h('div', { id: 'attach-error', class: 'error', role: 'alert', hidden: true });
  private readonly status = h('p', { id: 'attach-status', class: 'status', role: 'status' });
  private readonly windows = h('table', { id: 'attach-windows', class: 'data' });
  private readonly drift = h('table', { id: 'attach-drift', class: 'data' });
  private readonly driftTitle = h('p', { class: 'hint' });
  private readonly warnings = h('ul', { id: 'attach-warnings' });
  private readonly alarmLog = h('ol', { id: 'attach-alarm-log', class: 'alarm-log' });
  private readonly charts = {
    drift: h('div', { id: 'attach-chart-drift', class: 'chart' }),
    predictions: h('div', { id: 'attach-chart-predictions', class: 'chart' }),
    performance: h('div', { id: 'attach-chart-performance', class: 'chart' }),
  };
  /** The attached bundle's view (hidden while the scenario shows). */
  readonly view: HTMLElement;
  /** The form, shown above the scenario and the attached view. */
  readonly form: HTMLElement;
  private attached: (Attachment & { base: string }) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private history: EdgeReport[] = [];

  constructor(private readonly onChange: (attached: boolean) => void) {
    const figure = (title: string, explain: string, el: HTMLElement) =>
      h('figure', { class: 'card monitor-chart' }, h('figcaption', {}, h('strong', {}, title), ' ', h('span', { class: 'hint' }, explain)), el);
    this.form = h('details', { id: 'attach-box', class: 'card attach' },
      h('summary', {}, 'Watch a running edge bundle instead'),
      h('p', { class: 'hint' },
        'A bundle exported from the Edge panel (or ', h('code', {}, 'driftlab export'), ') watches its own traffic. Type its address to see what it is being asked, live. ',
        'The page may only connect to addresses you add here: adding one reloads the page so that its security policy allows it. ',
        'The bundle must list this page\u2019s origin (', h('code', { id: 'attach-page-origin' }, location.origin), ') in its ', h('code', {}, 'DRIFTLAB_CORS_ORIGIN'), '. ',
        'The token stays in this tab.'),
      h('div', { class: 'controls' },
        h('div', { class: 'field' }, h('label', { for: 'attach-url' }, 'Bundle URL'), this.url),
        h('div', { class: 'field' }, h('label', { for: 'attach-token' }, 'Bearer token'), this.token),
        this.attachButton, this.detachButton),
      h('p', { class: 'hint' }, 'Addresses this page may connect to:'),
      this.origins,
      this.error);
    this.view = h('div', { id: 'attach-view', hidden: true },
      this.status,
      h('div', { class: 'monitor-grid' },
        figure('Input drift', 'share of features whose distribution moved away from the training profile, batch by batch of the bundle\u2019s traffic.', this.charts.drift),
        figure('Predictions', 'how often the model says "positive", batch by batch, against the training rows (dashed).', this.charts.predictions),
        figure('Performance', 'recall and accuracy since deploy on the rows whose labels came back (POST /labels, read at each poll) next to the estimate each batch makes from the probabilities alone (dashed).', this.charts.performance)),
      h('section', { 'aria-labelledby': 'attach-windows-title' }, h('h3', { id: 'attach-windows-title' }, 'By window'), this.windows),
      h('section', { 'aria-labelledby': 'attach-drift-title' }, h('h3', { id: 'attach-drift-title' }, 'Drift per column'), this.driftTitle, this.drift),
      h('section', { 'aria-labelledby': 'attach-warnings-title' }, h('h3', { id: 'attach-warnings-title' }, 'Input warnings'), this.warnings),
      h('section', { 'aria-labelledby': 'attach-alarm-title' }, h('h3', { id: 'attach-alarm-title' }, 'Alarm log'), this.alarmLog));
    this.attachButton.addEventListener('click', () => this.attach());
    this.detachButton.addEventListener('click', () => this.detach());
    this.showOrigins();
  }

  /**
   * Attaches again after the reload that widened the policy (or any reload of this tab),
   * when the policy allows the bundle; an origin removed meanwhile is not added back
   * without a click.
   */
  resume(): void {
    const a = readJson<Attachment | null>(sessionStorage, ATTACH_KEY, null);
    if (!a || typeof a.url !== 'string') return;
    this.url.value = a.url;
    this.token.value = typeof a.token === 'string' ? a.token : '';
    (this.form as HTMLDetailsElement).open = true;
    try {
      if (policyOrigins().includes(bundleUrl(a.url).origin)) this.attach();
    } catch {
      sessionStorage.removeItem(ATTACH_KEY);
    }
  }

  private attach(): void {
    try {
      const { base, origin } = bundleUrl(this.url.value);
      if (!document.getElementById('csp-exact')) {
        throw new Error('this page was served without its policy script (csp.js, www/public/), so it cannot allow another origin: serve the built page with it');
      }
      const attachment = { url: this.url.value.trim(), token: this.token.value.trim() };
      sessionStorage.setItem(ATTACH_KEY, JSON.stringify(attachment));
      if (!policyOrigins().includes(origin)) {
        // the policy of this document cannot allow it: store it and start again
        const list = addedOrigins();
        if (!list.includes(origin)) localStorage.setItem(ORIGINS_KEY, JSON.stringify([...list, origin]));
        this.status.textContent = `Allowing ${origin}: the page reloads so that its security policy includes it.`;
        location.reload();
        return;
      }
      this.stop();
      this.attached = { ...attachment, base };
      this.history = [];
      showError(this.error, null);
      this.view.hidden = false;
      this.detachButton.hidden = false;
      this.status.textContent = `Attaching to ${base}\u2026`;
      this.status.dataset.attached = base;
      this.onChange(true);
      void this.poll();
    } catch (err) {
      showError(this.error, message(err));
    }
  }

  private stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Back to the scenario; the origin stays allowed until removed. */
  detach(): void {
    this.stop();
    this.attached = null;
    sessionStorage.removeItem(ATTACH_KEY);
    this.view.hidden = true;
    this.detachButton.hidden = true;
    this.status.dataset.attached = '';
    showError(this.error, null);
    this.onChange(false);
  }

  private showOrigins(): void {
    const allowed = policyOrigins();
    const list = addedOrigins();
    this.origins.replaceChildren(...(list.length === 0
      ? [h('li', { class: 'hint' }, 'none: only this page\u2019s own origin')]
      : list.map((o) => {
        const remove = h('button', { type: 'button', class: 'secondary', 'data-origin': o }, 'Remove');
        remove.addEventListener('click', () => {
          localStorage.setItem(ORIGINS_KEY, JSON.stringify(addedOrigins().filter((x) => x !== o)));
          if (this.attached && new URL(this.attached.base).origin === o) this.detach();
          location.reload();
        });
        return h('li', { 'data-origin': o }, h('code', {}, o), allowed.includes(o) ? ' ' : ' (after a reload) ', remove);
      })));
  }

  private async poll(): Promise<void> {
    const a = this.attached;
    if (!a) return;
    try {
      let r: Response;
      try {
        r = await fetch(`${a.base}/monitor`, { headers: a.token ? { Authorization: `Bearer ${a.token}` } : {}, cache: 'no-store' });
      } catch (err) {
        // a network error, a refused CORS answer or the policy: fetch says no more than that
        throw new Error(`could not read ${a.base}/monitor (${message(err)}): is the bundle running, and does its DRIFTLAB_CORS_ORIGIN list ${location.origin}?`);
      }
      const text = await r.text();
      if (this.attached !== a) return;
      if (!r.ok) {
        let why = text;
        try {
          why = (JSON.parse(text) as { error?: string }).error ?? text;
        } catch { /* not JSON: keep the text */ }
        throw new Error(`${a.base}/monitor answered ${r.status}: ${why}` + (r.status === 401 ? ' (type the bundle\u2019s DRIFTLAB_TOKEN in Bearer token)' : ''));
      }
      let report: EdgeReport;
      try {
        report = JSON.parse(text) as EdgeReport;
      } catch {
        throw new Error(`${a.base}/monitor did not answer JSON: is it a driftlab edge bundle?`);
      }
      if (typeof report !== 'object' || report === null || typeof report.windows !== 'object' || typeof report.model !== 'object' || !Array.isArray(report.alarms)) {
        throw new Error(`${a.base}/monitor answered JSON that is not a driftlab monitor report: is it a driftlab edge bundle?`);
      }
      this.history.push(report);
      if (this.history.length > HISTORY) this.history.shift();
      showError(this.error, null);
      this.render(report);
    } catch (err) {
      if (this.attached !== a) return;
      showError(this.error, message(err));
    }
    if (this.attached === a) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  private render(r: EdgeReport): void {
    const all = r.windows['all'];
    const hour = r.windows['hour'];
    this.status.textContent = `Attached to ${this.attached?.base}: ${r.model.kind} model ${shortHash(r.model.hash)}` +
      ` · ${count(all?.rows ?? 0)} rows in ${count(all?.requests ?? 0)} requests (${count(all?.errors ?? 0)} refused) from ${count(r.isolates)} isolate${r.isolates === 1 ? '' : 's'}` +
      ` · ${count(r.batches)} batch${r.batches === 1 ? '' : 'es'} of ${count(r.batch_rows)} rows judged · ${r.alarms.length} alarm${r.alarms.length === 1 ? '' : 's'}` +
      ` · read ${new Date(r.now).toLocaleTimeString()}`;
    this.status.dataset.rows = String(all?.rows ?? 0);
    this.status.dataset.batches = String(r.batches);
    this.status.dataset.alarms = String(r.alarms.length);
    this.charts.drift.replaceChildren(this.chartDrift(r));
    this.charts.predictions.replaceChildren(this.chartPredictions(r));
    this.charts.performance.replaceChildren(this.chartPerformance(r));
    this.windowTable(r);
    this.driftTable(r.last_batch ? r.last_batch.columns : hour?.drift?.columns ?? all?.drift?.columns ?? [],
      r.last_batch ? `The last judged batch (batch ${r.batches - 1}, ${count(r.batch_rows)} rows) against the training profile stored in the model:`
        : (hour?.drift || all?.drift) ? 'The rows so far, against the training profile stored in the model (no batch judged yet):'
          : all?.drift_error ?? 'No rows yet: replay some traffic (driftlab replay).');
    const warnings = all?.warnings ?? [];
    this.warnings.replaceChildren(...(warnings.length === 0
      ? [h('li', { class: 'hint' }, 'none')]
      : warnings.map((w) => h('li', { 'data-column': w.column, 'data-kind': w.kind }, h('code', {}, w.column), ` ${w.kind}: ${count(w.count)} rows (${stat(100 * w.rate)}% of rows)`))));
    this.alarmLog.replaceChildren(...[...r.alarms].reverse().map((a) =>
      h('li', { 'data-kind': a.kind, 'data-t': a.batch, 'data-about': a.about_batch },
        h('strong', {}, `batch ${a.batch}`), ` · ${kindLabel(a)} · ${shortHash(r.model.hash)}: `, a.message)));
  }

  /** One point per judged batch seen (polls between two batches repeat the last). */
  private perBatch(series: string, pick: (r: EdgeReport) => number | null | undefined): Point[] {
    const out = new Map<number, Point>();
    for (const r of this.history) {
      const v = pick(r);
      if (r.batches > 0 && typeof v === 'number' && Number.isFinite(v)) out.set(r.batches, { t: r.batches - 1, value: v, series });
    }
    return [...out.values()];
  }

  private alarmsAt(r: EdgeReport): number[] {
    return r.alarms.map((a) => a.batch);
  }

  /** One point per judged batch the bundle keeps (its last 500). */
  private batches(r: EdgeReport, series: string, pick: (b: BatchPoint) => number | null | undefined): Point[] {
    const out: Point[] = [];
    // (a bundle exported before the history has none)
    for (const b of r.history ?? []) {
      const v = pick(b);
      if (typeof v === 'number' && Number.isFinite(v)) out.push({ t: b.batch, value: v, series });
    }
    return out;
  }

  private chartDrift(r: EdgeReport): Element {
    const data = this.batches(r, 'drifted share of features', (b) => b.drift_share);
    return edgeChart('Input drift per batch', data, this.alarmsAt(r), [], { domain: [0, 1] });
  }

  private chartPredictions(r: EdgeReport): Element {
    const reference = r.windows['all']?.predictions.reference_rate;
    const data = [
      ...this.batches(r, 'predicted positive rate', (b) => b.positive_rate),
      ...this.batches(r, 'training rows', () => reference),
    ];
    return edgeChart('Predictions per batch', data, this.alarmsAt(r), ['training rows']);
  }

  private chartPerformance(r: EdgeReport): Element {
    // the estimate is per batch (the bundle's history); the labelled performance is the
    // since-deploy window's as this tab read it at each batch (labels arrive late)
    const w = (x: EdgeReport) => x.windows['all'];
    const data = [
      ...this.perBatch('recall (labels)', (x) => w(x)?.performance?.recall),
      ...this.batches(r, 'recall (estimate, no labels)', (b) => b.estimate?.recall),
      ...this.perBatch('accuracy (labels)', (x) => w(x)?.performance?.accuracy),
      ...this.batches(r, 'accuracy (estimate, no labels)', (b) => b.estimate?.accuracy),
    ];
    return edgeChart('Performance: labelled vs estimated', data, this.alarmsAt(r), ['recall (estimate, no labels)', 'accuracy (estimate, no labels)'], { domain: [0, 1] });
  }

  private windowTable(r: EdgeReport): void {
    const num = (v: number | null | undefined) => (typeof v === 'number' ? stat(v) : '\u2013');
    const row = (name: string, label: string, w: WindowReport | undefined) => w
      ? h('tr', { 'data-window': name },
        h('th', { scope: 'row' }, label),
        h('td', { class: 'num' }, count(w.requests)), h('td', { class: 'num' }, count(w.rows)),
        h('td', { class: 'num', 'data-field': 'positive_rate' }, num(w.predictions.positive_rate)),
        h('td', { class: 'num' }, num(w.predictions.shift)),
        h('td', { class: 'num', 'data-field': 'labelled' }, count(w.performance?.counts.rows ?? 0)),
        h('td', { class: 'num' }, num(w.performance?.recall)), h('td', { class: 'num' }, num(w.estimate?.recall)),
        h('td', { class: 'num' }, num(w.performance?.accuracy)), h('td', { class: 'num' }, num(w.estimate?.accuracy)),
        h('td', { class: 'num' }, num(w.latency_ms.p50)), h('td', { class: 'num' }, num(w.latency_ms.p99)))
      : null;
    this.windows.replaceChildren(
      h('thead', {}, h('tr', {}, ...['window', 'requests', 'rows', 'positive rate', 'vs training', 'labelled rows', 'recall', 'recall (estimate)', 'accuracy', 'accuracy (estimate)', 'p50 ms', 'p99 ms']
        .map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, row('hour', 'this hour', r.windows['hour']), row('day', 'last 24 hours', r.windows['day']), row('all', 'since deploy', r.windows['all'])));
  }

  private driftTable(columns: ColumnDrift[], title: string): void {
    this.driftTitle.textContent = title;
    const statistic = (c: ColumnDrift) => (typeof c.statistic === 'number' ? stat(c.statistic) : c.statistic === null ? '\u2013' : c.statistic);
    this.drift.replaceChildren(
      h('thead', {}, h('tr', {}, ...['column', 'test', 'statistic', 'threshold', 'drifted', 'why'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...columns.map((c) => h('tr', { 'data-column': c.name, 'data-drifted': String(c.drifted) },
        h('th', { scope: 'row' }, c.name), h('td', {}, c.test), h('td', { class: 'num' }, statistic(c)),
        h('td', { class: 'num' }, stat(c.threshold)), h('td', {}, c.drifted ? 'yes' : 'no'), h('td', {}, c.reason)))));
  }
}
