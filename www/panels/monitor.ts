// The Monitor panel: play a drift scenario through the deployed model(s) and watch the
// inputs drift, the predictions shift, the late labels reveal what the label-free estimate
// cannot, and the detectors raise their alarms, each explained in a sentence.
import { h, byId, saveFile } from '../dom';
import { count, stat } from '../format';
import type { ScenarioView, ServedView, Suggested, TableScenarioRequest, TableSuggestion } from '../protocol';
import { SPEEDS, type DeployHub } from '../store/hub';
import { message, showError } from '../errors';
import { EdgeAttach } from './attach';
import { adwinChart, ddmChart, driftChart, kindLabel, latencyChart, performanceChart, predictionChart, psiChart } from '../charts/timeline';

/** The select's value for a scenario drawn from the loaded table. */
const TABLE = '__table__';

type Kind = 'shift' | 'mix' | 'prior' | 'concept';

export function servedText(s: ServedView): string {
  const served = Object.entries(s.served).map(([v, n]) => `${v} ${count(n)}`).join(', ');
  const shadow = Object.entries(s.shadow).map(([v, n]) => `${v} ${count(n)}`).join(', ');
  return `Answers served by ${served}` + (shadow ? `; scored in the shadows by ${shadow} (${count(s.disagree)} disagreements)` : '') + '.';
}

export class MonitorPanel {
  private readonly root = byId('monitor-root');
  private readonly scenario = h('select', { id: 'scenario', name: 'scenario' });
  private readonly seed = h('input', { id: 'scenario-seed', type: 'number', min: 0, step: 1, inputmode: 'numeric' });
  private readonly about = h('p', { id: 'scenario-about', class: 'hint' });
  private readonly startButton = h('button', { id: 'scenario-start', type: 'button', class: 'primary' }, 'Start');
  private readonly playButton = h('button', { id: 'play', type: 'button', disabled: true }, 'Play');
  private readonly pauseButton = h('button', { id: 'pause', type: 'button', disabled: true }, 'Pause');
  private readonly stepButton = h('button', { id: 'step', type: 'button', disabled: true }, 'Step');
  /** A step is in flight (Step is disabled until its batch is in). */
  private stepping = false;
  private readonly speed = h('select', { id: 'speed', name: 'speed' }, ...Object.keys(SPEEDS).map((s) => h('option', { value: s }, s)));
  private readonly status = h('p', { id: 'monitor-status', class: 'status', role: 'status' });
  private readonly error = h('div', { id: 'monitor-error', class: 'error', role: 'alert', hidden: true });
  private readonly served = h('p', { id: 'served-last', class: 'note' });
  private readonly charts = {
    drift: h('div', { id: 'chart-drift', class: 'chart' }),
    performance: h('div', { id: 'chart-performance', class: 'chart' }),
    predictions: h('div', { id: 'chart-predictions', class: 'chart' }),
    ddm: h('div', { id: 'chart-ddm', class: 'chart' }),
    adwin: h('div', { id: 'chart-adwin', class: 'chart' }),
    latency: h('div', { id: 'chart-latency', class: 'chart' }),
    psi: h('div', { id: 'chart-psi', class: 'chart' }),
  };
  private readonly psiColumn = h('select', { id: 'psi-column', name: 'psi-column', 'aria-label': 'Feature for the PSI bins' });
  private readonly alarmLog = h('ol', { id: 'alarm-log', class: 'alarm-log' });
  private readonly memory = h('p', { id: 'memory', class: 'note' });
  private readonly snapshotLink = h('button', { id: 'snapshot-download', type: 'button', disabled: true }, 'Download the monitor snapshot (JSON)');
  private readonly adwinNote = h('p', { id: 'adwin-note', class: 'note' });
  private infos: ScenarioView[] = [];
  /** The defaults for drifting the loaded table under the champion, once asked for. */
  private suggestion: TableSuggestion | null = null;
  private readonly tableBox = h('div', { id: 'table-scenario', class: 'controls table-scenario', hidden: true });
  private readonly change = h('select', { id: 'table-change', name: 'change' },
    h('option', { value: 'shift' }, 'Covariate shift: the inputs the model leans on move'),
    h('option', { value: 'mix' }, 'Mix: one group of a categorical input becomes common'),
    h('option', { value: 'prior' }, 'Prior shift: the positive class becomes more common'),
    h('option', { value: 'concept' }, 'Concept drift: labels change in one region of the inputs'));
  private readonly schedule = h('select', { id: 'table-schedule', name: 'schedule' },
    ...['abrupt', 'gradual', 'incremental', 'recurring'].map((s) => h('option', { value: s }, s)));
  private readonly pause = h('input', { id: 'pause-on-alarm', type: 'checkbox', checked: true });
  /** Watching a running edge bundle instead of a scenario (www/panels/attach.ts). */
  private readonly attach: EdgeAttach;

  constructor(private readonly hub: DeployHub) {
    this.speed.value = hub.speed;
    this.speed.addEventListener('change', () => { hub.speed = this.speed.value; });
    this.scenario.addEventListener('change', () => void this.describeChoice());
    this.change.addEventListener('change', () => this.describeTable());
    this.schedule.addEventListener('change', () => this.describeTable());
    this.pause.addEventListener('change', () => { hub.pauseOnAlarm = this.pause.checked; });
    hub.onRegistry(() => {
      // a new champion may lean on other inputs: ask again when the table scenario is chosen
      this.suggestion = null;
      if (this.scenario.value === TABLE) void this.describeChoice();
      if (!hub.timeline) this.render();
    });
    this.startButton.addEventListener('click', () => void this.start());
    this.playButton.addEventListener('click', () => void hub.play());
    this.pauseButton.addEventListener('click', () => hub.stop());
    // one step at a time: Step stays disabled until its batch is in (a second click would
    // otherwise queue a second step behind the first)
    this.stepButton.addEventListener('click', () => {
      if (this.stepping) return;
      this.stepping = true;
      this.render();
      void this.guard(() => hub.step()).finally(() => {
        this.stepping = false;
        this.render();
      });
    });
    this.psiColumn.addEventListener('change', () => this.drawPsi());
    this.snapshotLink.addEventListener('click', () => void this.guard(() => this.downloadSnapshot()));
    const figure = (title: string, explain: string, el: HTMLElement, extra?: HTMLElement) =>
      h('figure', { class: 'card monitor-chart' }, h('figcaption', {}, h('strong', {}, title), ' ', h('span', { class: 'hint' }, explain)), extra ?? null, el);
    const scenario = h('div', { id: 'monitor-scenario' },
      h('div', { class: 'controls player' },
        h('div', { class: 'field' }, h('label', { for: 'scenario' }, 'Scenario'), this.scenario),
        h('div', { class: 'field' }, h('label', { for: 'scenario-seed' }, 'Seed'), this.seed),
        this.startButton, this.playButton, this.pauseButton, this.stepButton,
        h('div', { class: 'field' }, h('label', { for: 'speed' }, 'Speed'), this.speed),
        h('label', { class: 'check', for: 'pause-on-alarm' }, this.pause, ' Pause at the first alarm'),
        this.about),
      this.tableBox,
      this.error,
      this.status,
      this.served,
      h('div', { class: 'monitor-grid' },
        figure('Input drift', 'share of features whose distribution moved away from the training profile; dashed: the drift the scenario scripted.', this.charts.drift),
        figure('Performance', 'recall and accuracy over the last labelled batches (labels arrive late) next to the estimate made from the probabilities alone (dashed).', this.charts.performance),
        figure('Predictions', 'how often the model says "positive", and how sure it is.', this.charts.predictions),
        figure('DDM, inside', 'the error rate plus its spread, p + s, against the warning and drift bands (they appear once DDM has warmed up).', this.charts.ddm),
        figure('ADWIN, inside', 'ADWIN watches the probability of the positive class row by row: its window grows while the rows look alike, and is cut (red) where an older part has a different mean; after that alarm it starts afresh, as River\'s ADWIN does.', this.charts.adwin, this.adwinNote),
        figure('Scoring time', 'milliseconds to score each batch in this tab.', this.charts.latency, this.memory),
        figure('PSI bins, latest batch', 'where the current rows fall against the training rows, bin by bin.', this.charts.psi, this.psiColumn)),
      h('section', { 'aria-labelledby': 'alarm-title' },
        h('h3', { id: 'alarm-title' }, 'Alarm log'),
        this.alarmLog,
        h('p', { class: 'hint' }, 'The snapshot is the core monitor\u2019s own record of the current champion: every batch, every detector\u2019s state and the alarms, numbered from the champion\u2019s first batch.'),
        this.snapshotLink),
    );
    this.attach = new EdgeAttach((attached) => {
      // the scenario pauses while the panel watches a bundle; detach shows it again
      if (attached) hub.stop();
      scenario.hidden = attached;
    });
    this.root.replaceChildren(this.attach.form, this.attach.view, scenario);
    this.attach.resume();
    hub.onTimeline(() => this.render());
    this.render();
  }

  async load(): Promise<void> {
    try {
      this.infos = await this.hub.client.deploy('scenarios');
      if (this.seed.value === '') this.seed.value = String((await this.hub.client.defaults()).scenario_seed);
      this.scenario.replaceChildren(
        h('optgroup', { label: 'The fraud story and toy streams' }, ...this.infos.map((s) => h('option', { value: s.name }, s.name))),
        h('optgroup', { label: 'Your data' }, h('option', { value: TABLE }, 'Drift the loaded table')));
      const d = await this.hub.client.defaults();
      this.pause.checked = this.hub.pauseOnAlarm = d.pause_on_alarm;
      await this.describeChoice();
    } catch (err) {
      showError(this.error, message(err));
    }
  }

  /** Chooses the built-in or table scenario the select shows. */
  selectTable(): Promise<void> {
    this.scenario.value = TABLE;
    return this.describeChoice();
  }

  private async describeChoice(): Promise<void> {
    const table = this.scenario.value === TABLE;
    this.tableBox.hidden = !table;
    if (!table) {
      const s = this.infos.find((i) => i.name === this.scenario.value);
      this.about.textContent = s ? `${s.description} ${s.batches} batches of ${count(s.batch_size)} rows; labels arrive ${s.label_delay} batches late.` : '';
      return;
    }
    if (!this.suggestion) {
      this.about.textContent = 'Reading which inputs the champion leans on…';
      try {
        this.suggestion = await this.hub.client.deploy('suggestTable');
      } catch (err) {
        this.about.textContent = `A stream drawn from the loaded table needs a deployed model trained on it: ${message(err)}`;
        this.tableBox.replaceChildren();
        return;
      }
    }
    const s = this.suggestion;
    for (const o of this.change.options) o.disabled = !this.drift(o.value as Kind);
    if (this.change.selectedOptions[0]?.disabled) this.change.value = 'shift';
    const top = s.importance.slice(0, 4).map((i) => `${i.column} (${stat(i.drop)})`).join(', ');
    this.tableBox.replaceChildren(
      h('div', { class: 'field' }, h('label', { for: 'table-change' }, 'What changes'), this.change),
      h('div', { class: 'field' }, h('label', { for: 'table-schedule' }, 'How, in time'), this.schedule),
      h('p', { id: 'table-importance', class: 'hint' }, `The champion leans most on ${top || 'no input'} (accuracy lost when the column is shuffled); the defaults aim there.`),
    );
    this.describeTable();
  }

  /** The change of kind `kind` suggested for the loaded table, if it has one. */
  private drift(kind: Kind): Suggested | null {
    const s = this.suggestion;
    if (!s) return null;
    return (kind === 'prior' ? s.prior : s[kind]) ?? null;
  }

  private describeTable(): void {
    const d = this.drift(this.change.value as Kind);
    const when: Record<string, string> = {
      abrupt: 'all at once at batch 10',
      gradual: 'more and more rows of the new kind from batch 10, the rest as before',
      incremental: 'every row a little further each batch from batch 10',
      recurring: 'for 5 batches out of every 10 from batch 10',
    };
    this.about.textContent = d
      ? `Rows drawn from the loaded table, 30 batches of 500; ${when[this.schedule.value] ?? ''}: ${d.about}. Labels arrive 2 batches late.`
      : 'This table has no input for that change.';
  }

  private async start(): Promise<void> {
    await this.guard(async () => {
      const seed = this.seed.value === '' ? null : Number(this.seed.value);
      if (this.scenario.value === TABLE) {
        const drift = this.drift(this.change.value as Kind)?.drift;
        if (!drift) throw new Error('pick a change this table allows');
        const request: TableScenarioRequest = { drift, schedule: this.schedule.value as TableScenarioRequest['schedule'], batches: null, batch_size: null, seed };
        await this.hub.startTable(request);
      } else {
        await this.hub.start(this.scenario.value, seed);
      }
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
    const started = t !== null;
    this.playButton.disabled = !started || this.hub.playing;
    this.stepButton.disabled = !started || this.hub.playing || this.stepping;
    // past the scripted end the stream goes on in its last regime
    this.playButton.textContent = t && t.batches.length >= t.batches_scripted ? 'Play on' : 'Play';
    this.pauseButton.disabled = !this.hub.playing;
    this.snapshotLink.disabled = !started;
    if (this.hub.error) showError(this.error, this.hub.error);
    if (!t) {
      const champion = this.hub.registry?.champion;
      this.status.textContent = champion
        ? `${champion} is deployed: pick a scenario (the fraud story, or a drift of your own table) and press Start.`
        : 'Deploy a model on the Deploy panel, then pick a scenario and press Start.';
      this.status.dataset.batches = '0';
      return;
    }
    const last = t.batches[t.batches.length - 1];
    const versions = t.segments.map((s) => s.offset > 0 ? `${s.version} from batch ${s.offset}` : s.version).join(', then ');
    const past = t.batches.length > t.batches_scripted ? ` (${t.batches.length - t.batches_scripted} past the script, in its last regime)` : '';
    this.status.textContent = `${t.scenario}: ${t.batches.length} of ${t.batches_scripted} batches played${past}` +
      ` · watching ${versions} · ${t.alarms.length} alarm${t.alarms.length === 1 ? '' : 's'}` +
      (this.hub.playing ? ' · playing' : t.finished ? ' · the script has ended: Play goes on' : '') +
      (this.hub.paused && !this.hub.playing ? ` · ${this.hub.paused}` : '');
    this.status.dataset.paused = this.hub.paused && !this.hub.playing ? 'alarm' : '';
    this.status.dataset.batches = String(t.batches.length);
    this.status.dataset.alarms = String(t.alarms.length);
    const step = this.hub.last;
    if (step?.batch) {
      this.served.textContent = `Batch ${step.batch.t}: ${servedText(step.batch.served)}`;
      this.served.dataset.t = String(step.batch.t);
      this.served.dataset.served = JSON.stringify(step.batch.served.served);
      this.served.dataset.shadow = JSON.stringify(step.batch.served.shadow);
    }
    this.charts.drift.replaceChildren(driftChart(t));
    this.charts.performance.replaceChildren(performanceChart(t));
    this.charts.predictions.replaceChildren(predictionChart(t));
    this.charts.ddm.replaceChildren(ddmChart(t));
    this.charts.latency.replaceChildren(latencyChart(t));
    this.charts.adwin.replaceChildren(adwinChart(t));
    this.adwinText(t);
    this.memory.textContent = last?.memory_bytes ? `Wasm memory: ${stat(last.memory_bytes / 1048576)} MB` : '';
    this.drawPsi();
    this.alarmLog.replaceChildren(...[...t.alarms].reverse().map((a) =>
      h('li', { 'data-kind': a.kind, 'data-t': a.t, 'data-about': a.about_t },
        h('strong', {}, `batch ${a.t}`), ` · ${kindLabel(a)} · ${a.version}: `, a.message)));
  }

  /** Saves the current monitor's snapshot, exactly as the core gives it. */
  private async downloadSnapshot(): Promise<void> {
    const snapshot = await this.hub.client.deploy('snapshot');
    saveFile(JSON.stringify(snapshot, null, 2), `monitor-${this.hub.timeline?.scenario ?? 'snapshot'}.json`, 'application/json');
  }

  private adwinText(t: NonNullable<DeployHub['timeline']>): void {
    const last = t.batches[t.batches.length - 1];
    const cuts = t.batches.flatMap((b) => b.adwin_cuts.map((c) => ({ ...c, t: b.t })));
    this.adwinNote.dataset.width = last ? String(last.adwin.width) : '';
    this.adwinNote.dataset.cuts = JSON.stringify(cuts.map((c) => ({ t: c.t, position: c.position, before: c.width_before, after: c.width_after })));
    if (!last) {
      this.adwinNote.textContent = '';
    } else if (cuts.length === 0) {
      this.adwinNote.textContent = `Window: ${count(last.adwin.width)} rows, mean ${stat(last.adwin.estimation)}. No cut: the model's answers look the same as before` +
        (t.alarms.some((a) => a.kind !== 'prediction_drift') ? ' even though other checks fired: the model is wrong with the same confidence, which only labels can reveal.' : '.');
    } else {
      const c = cuts[cuts.length - 1]!;
      this.adwinNote.textContent = `Window: ${count(last.adwin.width)} rows. Last cut at batch ${c.t} (row ${count(c.position)}): from ${count(c.width_before)} to ${count(c.width_after)} rows, the mean moved from ${stat(c.mean_before)} to ${stat(c.mean_after)}.`;
    }
  }

  private drawPsi(): void {
    const psi = this.hub.last?.batch?.report.psi ?? [];
    if (psi.length === 0) {
      this.charts.psi.replaceChildren();
      return;
    }
    const names = psi.map((p) => p.column);
    if (this.psiColumn.options.length !== names.length) {
      const keep = this.psiColumn.value;
      this.psiColumn.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
      this.psiColumn.value = names.includes(keep) ? keep : (names.includes('merchant_category') ? 'merchant_category' : names[0]!);
    }
    const bins = psi.find((p) => p.column === this.psiColumn.value) ?? psi[0]!;
    this.charts.psi.replaceChildren(psiChart(bins), h('p', { class: 'note' }, `PSI ${stat(bins.psi)}`));
  }
}
