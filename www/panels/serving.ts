// Batch and real-time scoring with the model that serves (the champion), on the Deploy
// panel. Batch: an uploaded CSV is kept in the worker and scored a chunk at a time through
// the core's CSV scorer, so a progress bar moves between chunks; the result downloads as
// the CLI's `score` CSV (`prediction`, `p_<class>` per class). Real time: a form with one
// field per input column (defaults from the training profile) scores one row and shows the
// prediction, the probabilities, the input warnings and the latency.
import { h, saveFile } from '../dom';
import { count, stat } from '../format';
import type { FormField, ServingForm, ServingScore } from '../protocol';
import type { DeployHub } from '../store/hub';
import { message, showError } from '../errors';

function fieldInput(f: FormField, i: number): HTMLInputElement | HTMLSelectElement {
  const id = `row-field-${i}`;
  if (f.kind === 'numeric') {
    return h('input', {
      id, type: 'number', step: 'any', inputmode: 'decimal', 'data-column': f.name,
      value: typeof f.default === 'number' ? String(f.default) : '',
    });
  }
  const options = f.kind === 'boolean' && f.categories.length === 0 ? ['false', 'true'] : f.categories;
  const select = h('select', { id, 'data-column': f.name },
    h('option', { value: '' }, '(missing)'),
    ...options.map((c) => h('option', { value: c }, c)));
  select.value = f.default === null ? '' : String(f.default);
  return select;
}

function cellValue(f: FormField, el: HTMLInputElement | HTMLSelectElement): unknown {
  if (el.value === '') return null;
  if (f.kind === 'numeric') return Number(el.value);
  if (f.kind === 'boolean') return el.value === 'true';
  return el.value;
}

export class ServingPanel {
  readonly element: HTMLElement;
  private readonly file = h('input', { id: 'batch-file', type: 'file', accept: '.csv,text/csv' });
  private readonly scoreButton = h('button', { id: 'batch-score', type: 'button', class: 'primary', disabled: true }, 'Score the file');
  private readonly cancelButton = h('button', { id: 'batch-cancel', type: 'button', hidden: true }, 'Cancel');
  private readonly progress = h('progress', { id: 'batch-progress', max: 1, value: 0, hidden: true, 'aria-label': 'Batch scoring progress' });
  private readonly batchStatus = h('p', { id: 'batch-status', class: 'status', role: 'status' });
  private readonly batchError = h('div', { id: 'batch-error', class: 'error', role: 'alert', hidden: true });
  private readonly download = h('button', { id: 'batch-download', type: 'button', hidden: true }, 'Download the scored CSV');
  private readonly preview = h('div', { id: 'batch-preview', class: 'table-wrap' });
  private readonly form = h('form', { id: 'row-form', class: 'row-form' });
  private readonly fieldsBox = h('div', { class: 'row-fields' });
  private readonly rowResult = h('div', { id: 'row-result', 'aria-live': 'polite' });
  private readonly rowError = h('div', { id: 'row-error', class: 'error', role: 'alert', hidden: true });
  private schema: ServingForm | null = null;
  private inputs: (HTMLInputElement | HTMLSelectElement)[] = [];
  private cancelled = false;
  private scored: { csv: string; name: string } | null = null;

  constructor(private readonly hub: DeployHub) {
    this.file.addEventListener('change', () => { this.scoreButton.disabled = !this.file.files?.length; });
    this.scoreButton.addEventListener('click', () => void this.scoreFile());
    this.cancelButton.addEventListener('click', () => { this.cancelled = true; });
    this.download.addEventListener('click', () => this.save());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.scoreRow();
    });
    const submit = h('button', { id: 'row-score', type: 'submit', class: 'primary' }, 'Score this row');
    const reset = h('button', { id: 'row-reset', type: 'button' }, 'Back to the typical row');
    reset.addEventListener('click', () => this.fillDefaults());
    this.form.append(this.fieldsBox, h('div', { class: 'row-buttons' }, submit, reset));
    this.element = h('section', { class: 'serving', 'aria-labelledby': 'serving-title' },
      h('h3', { id: 'serving-title' }, 'Score with the serving model'),
      h('p', { class: 'hint' }, 'Batch scores a whole file at once, when nobody is waiting; real time answers one request as it comes, where the latency matters. Both use the champion, with exactly the preprocessing it was trained with.'),
      h('div', { class: 'deploy-grid' },
        h('section', { class: 'card batch', 'aria-labelledby': 'batch-title' },
          h('h4', { id: 'batch-title' }, 'Batch: a CSV file'),
          h('div', { class: 'field' }, h('label', { for: 'batch-file' }, 'CSV with the model\u2019s input columns'), this.file),
          h('div', { class: 'row-buttons' }, this.scoreButton, this.cancelButton),
          this.progress, this.batchStatus, this.batchError, this.download, this.preview),
        h('section', { class: 'card realtime', 'aria-labelledby': 'row-title' },
          h('h4', { id: 'row-title' }, 'Real time: one row'),
          h('p', { class: 'hint' }, 'Every field starts at the training data\u2019s typical value (median, or most frequent category); change one and see the answer move.'),
          this.form, this.rowError, this.rowResult)));
    hub.onRegistry(() => void this.refresh());
  }

  /** Rebuilds the form when the champion changes. */
  private async refresh(): Promise<void> {
    const r = this.hub.registry;
    if (!r?.champion) {
      this.schema = null;
      this.inputs = [];
      this.fieldsBox.replaceChildren(h('p', { class: 'note' }, 'Deploy a model first: the form follows the champion\u2019s input columns.'));
      return;
    }
    if (this.schema?.version === r.champion) return;
    try {
      const schema = await this.hub.client.deploy('servingForm');
      this.schema = schema;
      this.inputs = schema.fields.map((f, i) => fieldInput(f, i));
      this.fieldsBox.replaceChildren(
        h('p', { class: 'note', id: 'row-version' }, `Answered by ${schema.version}.`),
        ...schema.fields.map((f, i) => h('div', { class: 'field' },
          h('label', { for: `row-field-${i}` }, f.name, f.kind === 'numeric' && f.min !== null && f.max !== null
            ? h('span', { class: 'hint' }, ` (trained on ${stat(f.min)} to ${stat(f.max)})`) : null),
          this.inputs[i]!)));
    } catch (err) {
      showError(this.rowError, message(err));
    }
  }

  private fillDefaults(): void {
    this.schema?.fields.forEach((f, i) => {
      const el = this.inputs[i];
      if (el) el.value = f.default === null ? '' : String(f.default);
    });
  }

  private async scoreRow(): Promise<void> {
    const schema = this.schema;
    if (!schema) return;
    const row: Record<string, unknown> = {};
    schema.fields.forEach((f, i) => { row[f.name] = cellValue(f, this.inputs[i]!); });
    try {
      const t0 = performance.now();
      const r = await this.hub.client.deploy('scoreServing', [row]);
      const roundTrip = performance.now() - t0;
      showError(this.rowError, null);
      this.rowResult.replaceChildren(this.rowView(r, roundTrip));
    } catch (err) {
      showError(this.rowError, message(err));
      this.rowResult.replaceChildren();
    }
  }

  private rowView(r: ServingScore, roundTrip: number): HTMLElement {
    const p = r.predictions[0]!;
    const label = p.label ?? stat(p.prediction.value);
    const probs = p.prediction.probabilities;
    return h('div', { class: 'row-answer', 'data-prediction': label, 'data-version': r.version, 'data-latency': r.latency_ms, 'data-probabilities': JSON.stringify(probs) },
      h('p', {}, h('strong', { class: 'prediction' }, label), ` from ${r.version}`),
      probs.length
        ? h('table', { class: 'probabilities' },
          h('thead', {}, h('tr', {}, h('th', {}, 'class'), h('th', { class: 'num' }, 'probability'))),
          h('tbody', {}, ...r.classes.map((c, i) => h('tr', { 'data-class': c },
            h('td', {}, c), h('td', { class: 'num' }, stat(probs[i] ?? NaN))))))
        : null,
      p.warnings.length
        ? h('ul', { class: 'row-warnings' }, ...p.warnings.map((w) => h('li', { 'data-kind': w.kind, 'data-column': w.column }, w.message)))
        : h('p', { class: 'note row-warnings-none' }, 'No input warnings: every value is inside what the model saw in training.'),
      h('p', { class: 'note latency' },
        `Latency: ${stat(r.latency_ms)} ms to score in the worker, ${stat(roundTrip)} ms for the round trip from the page.`));
  }

  private async scoreFile(): Promise<void> {
    const file = this.file.files?.[0];
    if (!file) return;
    this.cancelled = false;
    this.scoreButton.disabled = true;
    this.cancelButton.hidden = false;
    showError(this.batchError, null);
    this.download.hidden = true;
    this.preview.replaceChildren();
    this.scored = null;
    this.progress.hidden = false;
    this.progress.value = 0;
    const client = this.hub.client;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let p = await client.deploy('batchStart', bytes, file.name);
      const t0 = performance.now();
      while (!p.done) {
        if (this.cancelled) {
          await client.deploy('batchCancel');
          this.batchStatus.textContent = `Cancelled after ${count(p.rows_done)} rows.`;
          return;
        }
        // the core's chunk (defaults.batch_rows) is small enough for the bar to move
        p = await client.deploy('batchNext', null);
        this.progress.value = p.bytes_total ? p.bytes_done / p.bytes_total : 1;
        this.batchStatus.textContent = `${p.version} scored ${count(p.rows_done)} rows of ${file.name}\u2026`;
        this.batchStatus.dataset.rows = String(p.rows_done);
      }
      const csv = await client.deploy('batchResult');
      const wall = performance.now() - t0;
      this.scored = { csv, name: `${file.name.replace(/\.csv$/i, '')}-scored.csv` };
      this.download.hidden = false;
      this.batchStatus.textContent = `${p.version} scored ${count(p.rows_done)} rows in ${stat(wall)} ms ` +
        `(${stat(p.scoring_ms)} ms of it scoring; ${stat(p.rows_done / Math.max(wall, 1e-3) * 1000)} rows/s).`;
      this.batchStatus.dataset.rows = String(p.rows_done);
      this.batchStatus.dataset.done = 'true';
      this.showPreview(csv);
    } catch (err) {
      showError(this.batchError, message(err));
      this.batchStatus.textContent = '';
    } finally {
      this.scoreButton.disabled = !this.file.files?.length;
      this.cancelButton.hidden = true;
    }
  }

  /** Saves the scored CSV as a file (made in this tab; nothing is uploaded). */
  private save(): void {
    if (!this.scored) return;
    saveFile(this.scored.csv, this.scored.name, 'text/csv');
  }

  /** The first rows of the scored CSV (no field holds a comma: labels and numbers). */
  private showPreview(csv: string): void {
    const lines = csv.split('\n').filter((l) => l !== '').slice(0, 6);
    const [head, ...rows] = lines.map((l) => l.split(','));
    if (!head) return;
    this.preview.replaceChildren(h('table', { class: 'batch-preview' },
      h('caption', {}, 'The first rows of the download'),
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', { class: i ? 'num' : '' }, i ? stat(Number(c)) : c)))))));
  }
}
