// The Data panel: pick a built-in dataset or bring a CSV, then read its preview and its
// profile. Every load goes through the worker; a failed load leaves the last good table
// on screen and says what went wrong.
import type { DatasetInfo, Loaded, Profile } from '../protocol';
import { EngineCrashed, type WorkbenchClient } from '../client';
import { byId, h } from '../dom';
import { count } from '../format';
import { renderPreview } from './preview';
import { renderProfile } from './profile';
import { message, showError } from '../errors';
import { UPLOADED } from '../state';

/** What a built-in load asks for; the hash carries the same fields. */
export interface DatasetChoice {
  dataset: string;
  rows: number | null;
  seed: number;
  /** The drift of a dataset that takes it (fraud); `null` for none. */
  drift: number | null;
  /** With `dataset` = `uploaded`: the file a link was made on. */
  file?: string | null;
}

/** Files larger than this are better served by the CLI than by a browser tab. */
const MAX_FILE_BYTES = 200 * 1024 * 1024;

const CSV_OPTION = '__csv__';

export class DataPanel {
  private datasets: DatasetInfo[] = [];
  private choice: DatasetChoice | null = null;
  private loaded: Loaded | null = null;
  /** True while the table on screen came from a file rather than a built-in. */
  private fromFile = false;
  /** The file on screen, when `fromFile`. */
  private file: File | null = null;
  /** Set once a file has been picked or dropped. */
  private filePicked = false;
  /** Settles once the list of built-ins is known (true) or could not be had (false). */
  private ready: Promise<boolean> = Promise.resolve(false);
  /** Increases with each request, so a slow answer never overwrites a newer one. */
  private seq = 0;

  private readonly select: HTMLSelectElement;
  private readonly rowsInput: HTMLInputElement;
  private readonly seedInput: HTMLInputElement;
  private readonly driftInput: HTMLInputElement;
  private readonly driftField: HTMLElement;
  private readonly fileInput: HTMLInputElement;
  private readonly dropZone: HTMLElement;
  private readonly error: HTMLElement;
  private readonly status: HTMLElement;
  private readonly about: HTMLElement;
  private readonly results: HTMLElement;
  private readonly readBox: HTMLElement;
  private readonly readBar: HTMLProgressElement;
  private readonly readText: HTMLElement;

  constructor(
    private readonly client: WorkbenchClient,
    /** Called after a built-in dataset loads, so the page can update the link. */
    private readonly onChoice: (choice: DatasetChoice) => void,
    /** Called after any table loads (built-in or file), so other panels can follow it. */
    private readonly onLoaded: (loaded: Loaded, info: DatasetInfo | null) => void = () => {},
    /** Called after a file loads, so the link can say the data was uploaded. */
    private readonly onFile: (name: string) => void = () => {},
  ) {
    this.select = byId('dataset');
    this.rowsInput = byId('rows');
    this.seedInput = byId('seed');
    this.driftInput = h('input', { id: 'drift', name: 'drift', type: 'number', min: 0, max: 1, step: 0.1, inputmode: 'decimal', placeholder: '0' });
    this.driftField = h('div', { class: 'field', hidden: true },
      h('label', { for: 'drift' }, 'Drift (0 to 1)'), this.driftInput);
    this.seedInput.closest('.field')?.after(this.driftField);
    this.fileInput = byId('csv-file');
    this.dropZone = byId('drop-zone');
    this.error = byId('error');
    this.status = byId('status');
    this.about = byId('dataset-about');
    this.results = byId('data-results');
    this.readBox = byId('read-progress');
    this.readBar = byId('read-bar');
    this.readText = byId('read-text');

    byId<HTMLFormElement>('dataset-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.loadFromForm();
    });
    this.select.addEventListener('change', () => {
      if (this.select.value === CSV_OPTION) return;
      this.rowsInput.value = ''; // a new dataset starts at its own default size
      void this.loadFromForm();
    });
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      if (file) void this.loadFile(file);
      this.fileInput.value = ''; // choosing the same file again still loads it
    });
    this.wireDropZone();
    client.onCrash((message, why) => { if (why === 'crash') showError(this.error, message); });
  }

  /** Lists the built-ins, then opens the dataset a link asked for. */
  async start(choice: DatasetChoice): Promise<void> {
    this.ready = this.listDatasets();
    // a file dropped while the engine was starting wins over the link's dataset
    if ((await this.ready) && !this.filePicked) await this.open(choice);
  }

  private async listDatasets(): Promise<boolean> {
    this.setBusy(true, 'Starting the data engine…');
    try {
      // If the first worker died starting up, the client has started a fresh one: ask once more.
      this.datasets = await this.client.data('datasets').catch((err: unknown) => {
        if (err instanceof EngineCrashed) return this.client.data('datasets');
        throw err;
      });
    } catch (err) {
      this.setBusy(false, '');
      showError(this.error, `The data engine did not start: ${message(err)}`);
      return false;
    }
    this.select.replaceChildren(...this.datasets.map((d) => h('option', { value: d.name }, d.title)));
    return true;
  }

  /** Loads a built-in dataset unless it is the one on screen already. */
  async open(choice: DatasetChoice): Promise<void> {
    if (!(await this.ready)) return;
    if (choice.dataset === UPLOADED) {
      // a link cannot carry a file: say so rather than open something else
      if (this.fromFile && this.file && this.file.name === choice.file) return;
      this.status.textContent = '';
      showError(this.error, `This link was made on an uploaded file${choice.file ? `, ${choice.file},` : ''} which a link cannot carry: choose the same file below (or open the project file) to continue. Nothing else was loaded.`);
      return;
    }
    const unknown = !this.datasets.some((d) => d.name === choice.dataset);
    if (unknown) {
      const asked = choice.dataset;
      choice = { ...choice, dataset: this.datasets[0]?.name ?? 'fraud', rows: null };
      await this.open(choice);
      showError(this.error, `There is no built-in dataset called “${asked}”; showing ${choice.dataset} instead.`);
      return;
    }
    const c = this.choice;
    if (c && this.loaded && !this.fromFile && c.dataset === choice.dataset && c.rows === choice.rows && c.seed === choice.seed && c.drift === choice.drift) return;
    this.select.value = choice.dataset;
    this.rowsInput.value = choice.rows === null ? '' : String(choice.rows);
    this.seedInput.value = String(choice.seed);
    this.driftInput.value = choice.drift === null ? '' : String(choice.drift);
    this.updateLimits();
    await this.loadBuiltin(choice);
  }

  private async loadFromForm(): Promise<void> {
    this.updateLimits();
    const name = this.select.value === CSV_OPTION ? this.choice?.dataset : this.select.value;
    if (!name) return;
    const rows = readInt(this.rowsInput);
    const seed = readInt(this.seedInput);
    const driftRaw = this.driftInput.value.trim();
    const drift = driftRaw === '' || this.driftField.hidden ? null : Number(driftRaw);
    if (drift !== null && !(drift >= 0 && drift <= 1)) {
      showError(this.error, 'Drift must be a number from 0 (the world the model is trained on) to 1 (fully drifted).');
      this.driftInput.focus();
      return;
    }
    if (rows === undefined || seed === undefined || seed === null) {
      const bad = rows === undefined ? this.rowsInput : this.seedInput;
      showError(this.error, `${bad.labels?.[0]?.textContent?.trim() ?? bad.name} must be a whole number${
        bad === this.rowsInput ? ' (or empty for the dataset’s default)' : ''}.`);
      bad.focus();
      return;
    }
    await this.loadBuiltin({ dataset: name, rows, seed, drift: drift === 0 ? null : drift });
  }

  private async loadBuiltin(choice: DatasetChoice): Promise<void> {
    const info = this.datasets.find((d) => d.name === choice.dataset);
    const options = { seed: choice.seed, ...(choice.rows === null ? {} : { rows: choice.rows }), ...(choice.drift === null || !info?.drift ? {} : { drift: choice.drift }) };
    const target = info?.target ?? null;
    const loaded = await this.request(`Loading ${info?.title ?? choice.dataset}…`, async () => {
      const table = await this.client.loadDataset(choice.dataset, options);
      // The load's own profile checks no target; ask again so class imbalance is flagged.
      if (target && (table.profile.target ?? null) !== target) {
        table.profile = await this.client.data('profile', target).catch(() => table.profile);
      }
      return table;
    });
    if (!loaded) return;
    this.choice = choice;
    this.fromFile = false;
    this.dropCsvOption();
    this.select.value = choice.dataset;
    this.show(loaded, target, info ?? null);
    this.onChoice(choice);
  }

  /** Where the table on screen came from: a built-in choice or a file (for a project file). */
  source(): { kind: 'builtin'; choice: DatasetChoice } | { kind: 'file'; file: File } | null {
    if (!this.loaded) return null;
    if (this.fromFile && this.file) return { kind: 'file', file: this.file };
    const c = this.choice;
    return c ? { kind: 'builtin', choice: { dataset: c.dataset, rows: c.rows, seed: c.seed, drift: c.drift } } : null;
  }

  /** Loads a CSV file as if it had been picked; true when it loaded. */
  openFile(file: File): Promise<boolean> {
    return this.loadFile(file);
  }

  private async loadFile(file: File): Promise<boolean> {
    this.filePicked = true;
    await this.ready; // the list of built-ins first, so the select can show the file
    if (file.size > MAX_FILE_BYTES) {
      showError(this.error, `${file.name} is ${count(Math.round(file.size / 1e6))} MB; the page takes files up to ${
        MAX_FILE_BYTES / 1024 / 1024} MB. Use the driftlab command-line tool for larger files.`);
      return false;
    }
    const mb = (n: number) => (n / 1e6).toFixed(n < 1e7 ? 1 : 0);
    this.readBar.value = 0;
    this.readText.textContent = `0 of ${mb(file.size)} MB`;
    this.readBox.hidden = false;
    let reading = true;
    const loaded = await this.request(`Reading ${file.name}…`, async () => {
      const bytes = new Uint8Array(await file.arrayBuffer());
      return this.client.loadCsv(bytes, file.name, (done, total) => {
        if (!reading || total <= 0) return;
        this.readBar.value = done / total;
        this.readText.textContent = done < total
          ? `${mb(done)} of ${mb(total)} MB read`
          : `${mb(total)} MB read; typing the columns and profiling…`;
      }, file);
    });
    reading = false;
    this.readBox.hidden = true;
    if (!loaded) return false;
    this.fromFile = true;
    this.file = file;
    this.dropCsvOption();
    this.select.append(h('option', { value: CSV_OPTION }, `Your file: ${file.name}`));
    this.select.value = CSV_OPTION;
    this.driftField.hidden = true;
    this.show(loaded, null, null);
    this.onFile(file.name);
    return true;
  }

  /** Runs one worker request with the busy state; on failure shows the error, returns null. */
  private async request<T>(doing: string, call: () => Promise<T>): Promise<T | null> {
    const seq = ++this.seq;
    this.setBusy(true, doing);
    try {
      const result = await call();
      if (seq !== this.seq) return null;
      showError(this.error, null);
      return result;
    } catch (err) {
      if (seq === this.seq) showError(this.error, message(err));
      return null;
    } finally {
      if (seq === this.seq) this.setBusy(false, '');
    }
  }

  private show(loaded: Loaded, target: string | null, info: DatasetInfo | null): void {
    this.loaded = loaded;
    this.onLoaded(loaded, info);
    if (loaded.profile.target !== undefined) target = loaded.profile.target; // what the core used
    this.about.replaceChildren(...describe(loaded, info));
    const targetSelect = h('select', { id: 'target', name: 'target' },
      h('option', { value: '' }, '(none)'),
      ...loaded.columns.map((c) => h('option', { value: c.name, selected: c.name === target }, c.name)),
    );
    const profileSlot = h('div', {}, renderProfile(loaded.profile));
    targetSelect.addEventListener('change', async () => {
      const profile = await this.request<Profile>('Profiling…', () =>
        this.client.data('profile', targetSelect.value === '' ? null : targetSelect.value),
      );
      if (profile && this.loaded === loaded) profileSlot.replaceChildren(renderProfile(profile));
    });

    this.results.replaceChildren(
      h('section', { 'aria-labelledby': 'preview-title' },
        h('h3', { id: 'preview-title' }, 'Preview'),
        renderPreview(loaded),
      ),
      h('section', { 'aria-labelledby': 'profile-title' },
        h('div', { class: 'section-head' },
          h('h3', { id: 'profile-title' }, 'Profile'),
          h('div', { class: 'field inline' },
            h('label', { for: 'target' }, 'Target column'),
            targetSelect,
            h('span', { class: 'hint' }, 'checks class balance'),
          ),
        ),
        profileSlot,
      ),
    );
  }

  private updateLimits(): void {
    const info = this.datasets.find((d) => d.name === this.select.value);
    if (!info) return;
    this.rowsInput.max = String(info.max_rows);
    this.rowsInput.placeholder = `default ${info.default_rows}`;
    this.driftField.hidden = !info.drift;
  }

  private dropCsvOption(): void {
    this.select.querySelector(`option[value="${CSV_OPTION}"]`)?.remove();
  }

  private wireDropZone(): void {
    const zone = this.dropZone;
    const over = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      zone.classList.add('dragging');
    };
    zone.addEventListener('dragenter', over);
    zone.addEventListener('dragover', over);
    zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('dragging');
      const file = e.dataTransfer?.files[0];
      if (file) void this.loadFile(file);
    });
  }

  private setBusy(busy: boolean, text: string): void {
    this.results.setAttribute('aria-busy', String(busy));
    this.status.textContent = text;
  }
}

function describe(loaded: Loaded, info: DatasetInfo | null): Node[] {
  const p = loaded.profile;
  const shape = `${count(loaded.rows)} rows × ${count(loaded.columns.length)} columns` +
    (p.duplicate_rows > 0 ? `, ${count(p.duplicate_rows)} duplicate rows` : '');
  const nodes: Node[] = [
    h('h3', { id: 'table-title' }, info ? info.title : loaded.name),
    h('p', { class: 'shape' }, shape),
  ];
  if (info) {
    nodes.push(
      h('p', {}, info.description),
      h('p', { class: 'meta' },
        `${info.task}${info.target ? `, target ${info.target}` : ''} · ${info.generated ? 'generated' : 'bundled'} · source: ${
          info.source} · license: ${info.license}`),
    );
  }
  if (loaded.notes.length > 0) {
    nodes.push(h('ul', { class: 'notes', 'aria-label': 'Load notes' }, ...loaded.notes.map((n) => h('li', {}, n))));
  }
  return nodes;
}

/** An input's whole-number value: `null` when empty, `undefined` when not a whole number. */
function readInt(input: HTMLInputElement): number | null | undefined {
  if (input.validity.badInput) return undefined;
  const raw = input.value.trim();
  if (raw === '') return null;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}
