// The project file: one JSON document with everything needed to reopen a run in a fresh
// tab — the settings the link carries (dataset, seed, split, pipeline, model, params), the
// data (a built-in's name and seed, or an uploaded CSV itself when it is small enough), and
// every model trained in the tab with its artifact. Opening it loads the data, applies the
// settings, puts the saved models back in the comparison and retrains the last one from
// its saved request, checking that the artifact comes out identical.
import type { DataPanel } from './panels/data';
import type { ModelPanel } from './panels/model';
import type { CompareEntry } from './panels/compare';
import { defaults, formatHash, parseHash, UPLOADED, type State } from './state';
import { h, saveFile } from './dom';
import { shortHash } from './panels/results';
import { message } from './errors';

export const PROJECT_FORMAT = 'driftlab.project';
export const PROJECT_VERSION = 1;
/** An uploaded CSV up to this size is saved inside the project file. */
export const MAX_EMBEDDED_CSV = 5 * 1000 * 1000;

type ProjectData =
  | { kind: 'builtin'; dataset: string; rows: number | null; seed: number; drift?: number | null }
  | { kind: 'csv'; name: string; bytes: number; csv: string }
  | { kind: 'csv'; name: string; bytes: number; csv: null; omitted: string };

export interface ProjectFile {
  format: typeof PROJECT_FORMAT;
  version: number;
  saved: string;
  state: Omit<State, 'view'>;
  data: ProjectData;
  models: CompareEntry[];
}

/** Reads a project file's text; throws an error that says what is wrong and what to do. */
export function parseProject(text: string): ProjectFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('this is not a driftlab project file (it is not JSON); pick a file saved with “Download project”');
  }
  const p = raw as Partial<ProjectFile> | null;
  if (!p || typeof p !== 'object' || p.format !== PROJECT_FORMAT) {
    throw new Error(`this is not a driftlab project file (its format is ${JSON.stringify(p?.format ?? null)}, not "${PROJECT_FORMAT}")`);
  }
  if (typeof p.version !== 'number' || p.version > PROJECT_VERSION) {
    throw new Error(`project version ${String(p.version)} is newer than this page reads (${PROJECT_VERSION}); open it with a newer driftlab`);
  }
  if (!p.data || !p.state || !Array.isArray(p.models)) {
    throw new Error('the project file is missing its data, settings or models; save it again');
  }
  // The settings go through the link's own parser, so a project can hold nothing a link could not.
  const state = parseHash(formatHash({ ...defaults(), ...p.state, view: 'model' }));
  const { view: _view, ...rest } = state;
  return { ...(p as ProjectFile), state: rest };
}

export class ProjectControls {
  private readonly status: HTMLElement;

  constructor(
    container: HTMLElement,
    private readonly data: DataPanel,
    private readonly model: ModelPanel,
    private readonly getState: () => State,
    private readonly setState: (state: Omit<State, 'view'>) => void,
  ) {
    const save = h('button', { type: 'button', class: 'secondary', id: 'project-save' }, 'Download project');
    const input = h('input', { type: 'file', id: 'project-file', accept: '.json,application/json' });
    this.status = h('p', { class: 'hint', id: 'project-status', role: 'status' });
    save.addEventListener('click', () => void this.save());
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      input.value = '';
      if (file) void this.open(file);
    });
    container.replaceChildren(
      h('div', { class: 'project-row' },
        save,
        h('label', { for: 'project-file' }, 'Open a project file'),
        input,
        h('span', { class: 'hint' }, 'A project file holds the data choice, the settings and every model trained here, so another tab or person can reopen the same run.'),
      ),
      this.status,
    );
  }

  /** The project as JSON text. */
  async build(): Promise<string> {
    const source = this.data.source();
    if (!source) throw new Error('load a dataset first');
    let data: ProjectData;
    if (source.kind === 'builtin') {
      data = { kind: 'builtin', ...source.choice };
    } else if (source.file.size <= MAX_EMBEDDED_CSV) {
      data = { kind: 'csv', name: source.file.name, bytes: source.file.size, csv: await source.file.text() };
    } else {
      data = {
        kind: 'csv', name: source.file.name, bytes: source.file.size, csv: null,
        omitted: `the CSV is ${(source.file.size / 1e6).toFixed(1)} MB, over the ${MAX_EMBEDDED_CSV / 1e6} MB kept in a project file`,
      };
    }
    const { view: _view, ...state } = this.getState();
    const project: ProjectFile = {
      format: PROJECT_FORMAT,
      version: PROJECT_VERSION,
      saved: new Date().toISOString(),
      state,
      data,
      models: [...this.model.runs()],
    };
    return JSON.stringify(project);
  }

  private async save(): Promise<void> {
    try {
      const text = await this.build();
      const state = this.getState();
      // named after the data: the built-in's name, or the uploaded file's without its extension
      const data = state.dataset === UPLOADED && state.file ? state.file.replace(/\.[^.]*$/, '') : state.dataset;
      const name = `driftlab-project-${data.replace(/[^A-Za-z0-9_-]+/g, '_')}.json`;
      saveFile(text, name, 'application/json');
      const omitted = (JSON.parse(text) as ProjectFile).data;
      this.status.textContent = `Saved ${name} (${(text.length / 1000).toFixed(0)} KB, ${this.model.runs().length} model(s))` +
        ('omitted' in omitted ? `; the CSV itself is not in it: ${omitted.omitted}.` : '.');
    } catch (err) {
      this.status.textContent = `The project could not be saved: ${message(err)}.`;
    }
  }

  /** Opens a project file: data, settings, saved models, and the last model retrained. */
  async open(file: File): Promise<void> {
    let project: ProjectFile;
    try {
      project = parseProject(await file.text());
    } catch (err) {
      this.model.say(`${file.name}: ${message(err)}.`, true);
      return;
    }
    this.status.textContent = `Opening ${file.name}…`;
    const d = project.data;
    let loaded = true;
    if (d.kind === 'builtin') {
      await this.data.open({ dataset: d.dataset, rows: d.rows, seed: d.seed, drift: d.drift ?? null });
    } else if (d.csv !== null) {
      loaded = await this.data.openFile(new File([d.csv], d.name, { type: 'text/csv' }));
    } else {
      loaded = false;
    }
    await this.model.whenReady();
    this.setState(project.state);
    await this.model.whenReady();
    const runs = project.models;
    const last = runs[runs.length - 1];
    if (!loaded || !last) {
      this.model.restoreRuns(runs);
      const why = d.kind === 'csv' && d.csv === null
        ? `its CSV is not inside (${d.omitted}); load ${d.name} on the Data panel and train again`
        : !loaded ? 'its data could not be loaded' : 'it holds no trained model';
      this.status.textContent = `Opened ${file.name}: ${why}.`;
      return;
    }
    this.model.restoreRuns(runs.slice(0, -1));
    const outcome = await this.model.run(last.request);
    if (!outcome) {
      this.status.textContent = `Opened ${file.name}, but retraining its last model failed (see the error above).`;
      return;
    }
    const same = outcome.hash === last.outcome.hash;
    this.status.textContent = `Opened ${file.name}: ${runs.length} model(s); the last one (${last.outcome.kind}) was retrained from its saved settings and ` +
      (same ? `its artifact is identical (hash ${shortHash(outcome.hash)}).`
        : `its artifact differs (hash ${shortHash(outcome.hash)}, saved ${shortHash(last.outcome.hash)}): this driftlab trains differently from the one that saved it.`);
  }
}
