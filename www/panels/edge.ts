// The Edge panel: the last model trained in this tab as an edge bundle. It shows the size of
// the training-free scorer (measured here), the model card from the artifact, a zip of the
// bundle (the same files `driftlab export` writes), and a "try it" box that runs the
// bundle's own worker.js inside this page: its two imports (the compiled scorer and the
// artifact text) are provided as blob: modules, as Workers or serve.mjs provide them, and
// its `fetch` is called with a Request that never goes to the network.
import { zipSync, type Zippable } from 'fflate';
import edgeWasmUrl from '../../pkg/edge/driftlab_edge.wasm?url';
import type { WorkbenchClient } from '../client';
import type { BundleFile, Cell, Loaded, Scored } from '../protocol';
import { byId, h, saveFile } from '../dom';
import { count, stat } from '../format';
import { kilobytes, shortHash } from './results';
import { message, showError } from '../errors';

/** The part of an artifact the panel reads. */
interface ArtifactDoc {
  format?: string;
  version?: number;
  hash?: string;
  schema?: { task?: string; target?: string | null };
  pipeline?: { inputs?: InputDoc[]; normalize?: string };
  model?: { kind?: string };
  classes?: string[];
  metrics?: Record<string, unknown> | null;
  lineage?: { driftlab_version?: string; created?: string; train_rows?: number; test_rows?: number } | null;
}

interface InputDoc {
  name: string;
  kind: string;
  step?: { step?: string; fill?: unknown; min?: number; max?: number; categories?: string[]; codes?: number[]; default?: number; binarize?: number };
}

/** An ES module worker's default export. */
interface EdgeWorker {
  fetch(request: Request, env: Record<string, string>): Promise<Response> | Response;
}

/** The bundle of one model, and its worker once loaded. */
interface Bundle {
  hash: string;
  files: BundleFile[];
  doc: ArtifactDoc;
  worker: Promise<{ worker: EdgeWorker; loadMs: number }> | null;
}

/** Where a blob: module finds the compiled scorer (a module cannot carry an object). */
const HANDOFF = '__driftlabEdgeModules';

/** The host of the requests "try it" builds; they are handed to worker.js, never sent. */
const ORIGIN = 'http://edge.local';

const STATUS_WORDS: Record<number, string> = {
  200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found',
  405: 'Method Not Allowed', 413: 'Content Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error',
};

/** Metrics worth a line on the card, in the order shown. */
const CARD_METRICS: [string, string][] = [
  ['accuracy', 'accuracy'], ['roc_auc', 'ROC AUC'], ['f1', 'F1'], ['log_loss', 'log loss'],
  ['r2', 'R²'], ['rmse', 'RMSE'], ['mae', 'MAE'], ['silhouette', 'silhouette'], ['inertia', 'inertia'],
];

const decoder = new TextDecoder();

/** The gzipped size of `bytes` as this browser compresses it, or null without CompressionStream. */
async function gzipSize(bytes: Uint8Array): Promise<number | null> {
  if (typeof CompressionStream === 'undefined') return null;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** A module whose source is `source`, as a blob: URL (revoked by the caller). */
function moduleUrl(source: string): string {
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

/** Points one `from './name'` import of worker.js at `url`; the import must be there once. */
function rewriteImport(source: string, specifier: string, url: string): string {
  const escaped = specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(\\bfrom\\s*)(['"])${escaped}\\2`, 'g');
  const found = source.match(pattern)?.length ?? 0;
  if (found !== 1) throw new Error(`worker.js imports ${specifier} ${found} times, expected once`);
  return source.replace(pattern, (_m, from: string) => `${from}${JSON.stringify(url)}`);
}

/**
 * Evaluates the bundle's worker.js as a module in this page, with `./driftlab_edge.wasm`
 * (the compiled scorer) and `./model.json` (the artifact as text, as wrangler.toml imports
 * it) satisfied by blob: modules. Returns its default export.
 */
async function loadWorker(files: BundleFile[], scorer: WebAssembly.Module): Promise<EdgeWorker> {
  const file = (name: string) => {
    const f = files.find((x) => x.name === name);
    if (!f) throw new Error(`the bundle has no ${name}`);
    return f.bytes;
  };
  const id = crypto.randomUUID();
  const shared = globalThis as unknown as Record<string, Record<string, WebAssembly.Module> | undefined>;
  const slots = (shared[HANDOFF] ??= {});
  slots[id] = scorer;
  const urls = [
    moduleUrl(`export default globalThis[${JSON.stringify(HANDOFF)}][${JSON.stringify(id)}];`),
    moduleUrl(`export default ${JSON.stringify(decoder.decode(file('model.json')))};`),
  ];
  try {
    let source = decoder.decode(file('worker.js'));
    source = rewriteImport(source, './driftlab_edge.wasm', urls[0]!);
    source = rewriteImport(source, './model.json', urls[1]!);
    urls.push(moduleUrl(source));
    const mod = (await import(/* @vite-ignore */ urls[2]!)) as { default?: EdgeWorker };
    if (typeof mod.default?.fetch !== 'function') throw new Error('worker.js has no default export with a fetch handler');
    return mod.default;
  } finally {
    delete slots[id];
    for (const url of urls) URL.revokeObjectURL(url);
  }
}

/** A JSON value for one preview cell of the loaded table. */
function jsonCell(value: Cell): Cell {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** A request row: the first preview row of the loaded table where it has the model's columns, else the training fills. */
function exampleRow(doc: ArtifactDoc, loaded: Loaded | null): Record<string, Cell> {
  const row: Record<string, Cell> = {};
  const preview = loaded?.preview;
  const first = preview?.rows[0];
  for (const input of doc.pipeline?.inputs ?? []) {
    const at = preview && first ? preview.columns.indexOf(input.name) : -1;
    if (at >= 0 && first) {
      row[input.name] = jsonCell(first[at] ?? null);
      continue;
    }
    const step = input.step ?? {};
    if (step.step === 'one_hot' || step.step === 'ordinal') row[input.name] = step.categories?.[0] ?? null;
    else if (input.kind === 'boolean') row[input.name] = typeof step.fill === 'number' ? step.fill >= 0.5 : null;
    else row[input.name] = typeof step.fill === 'number' ? step.fill : null;
  }
  return row;
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export class EdgePanel {
  private loaded: Loaded | null = null;
  private bundle: Bundle | null = null;
  private wasm: Promise<{ bytes: Uint8Array; module: WebAssembly.Module }> | null = null;
  private opening: Promise<void> | null = null;
  private busy = false;

  private readonly root: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly error: HTMLElement;
  private readonly status: HTMLElement;
  private readonly size: HTMLElement;
  private readonly modelBox: HTMLElement;
  private readonly card: HTMLElement;
  private readonly files: HTMLElement;
  private readonly downloadButton: HTMLButtonElement;
  private readonly request: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly modelButton: HTMLButtonElement;
  private readonly badButton: HTMLButtonElement;
  private readonly responseStatus: HTMLElement;
  /** The edge answer compared with the playground's own scorer for the same rows. */
  private readonly parity: HTMLElement;
  private readonly response: HTMLElement;

  constructor(private readonly client: WorkbenchClient) {
    this.root = byId('edge-body');
    this.empty = h('p', { id: 'edge-empty', class: 'note' },
      'Train a model on the Model panel first: the bundle carries the last model trained in this tab.');
    this.error = h('div', { id: 'edge-error', class: 'error', role: 'alert', hidden: true });
    this.status = h('p', { id: 'edge-status', class: 'status', role: 'status' });
    this.size = h('dl', { id: 'edge-size', class: 'stats edge-stats' });
    this.card = h('div', { id: 'edge-card', class: 'edge-card' });
    this.files = h('ul', { id: 'edge-files', class: 'edge-files' });
    this.downloadButton = h('button', { id: 'edge-download', type: 'button', class: 'primary' }, 'Download bundle (.zip)');
    this.request = h('textarea', { id: 'edge-request', rows: 14, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'edge-request-hint' });
    this.sendButton = h('button', { id: 'edge-send', type: 'button', class: 'primary' }, 'Send POST /score');
    this.modelButton = h('button', { id: 'edge-get-model', type: 'button', class: 'secondary' }, 'GET /model');
    this.badButton = h('button', { id: 'edge-bad', type: 'button', class: 'secondary' }, 'Send a bad request');
    this.responseStatus = h('p', { id: 'edge-response-status', class: 'edge-response-status', role: 'status' });
    this.response = h('pre', { id: 'edge-response', class: 'edge-response', tabindex: 0, 'aria-label': 'Response body' });
    this.parity = h('p', { id: 'edge-parity', class: 'hint', role: 'status' });

    this.modelBox = h('div', { class: 'edge-model', hidden: true },
      h('section', { 'aria-labelledby': 'edge-card-title' },
        h('h3', { id: 'edge-card-title' }, 'Model card'),
        this.card),
      h('section', { 'aria-labelledby': 'edge-bundle-title' },
        h('h3', { id: 'edge-bundle-title' }, 'The bundle'),
        h('p', { class: 'note' },
          'An ES module worker for Cloudflare Workers or workerd (', h('code', {}, 'wrangler deploy'),
          '), a Node runner (', h('code', {}, 'node serve.mjs'), '), the scorer and the artifact: the same files as ',
          h('code', {}, 'driftlab export --model M.json --out DIR'), ' writes.'),
        this.files,
        this.downloadButton),
      h('section', { 'aria-labelledby': 'edge-watch-title', id: 'edge-watch' },
        h('h3', { id: 'edge-watch-title' }, 'Watch it run'),
        h('p', { class: 'note' }, 'The bundle watches its own traffic (drift, predictions, late labels, alarms) and this page can show it live:'),
        h('ol', { class: 'edge-steps' },
          h('li', {}, 'Start it, letting this page call it: ',
            h('code', {}, `DRIFTLAB_CORS_ORIGIN=${location.origin} node serve.mjs`),
            ', or set ', h('code', {}, 'DRIFTLAB_CORS_ORIGIN'), ' in wrangler.toml’s [vars] and run ', h('code', {}, 'npx wrangler dev'),
            ' (both on http://127.0.0.1:8787), or ', h('code', {}, 'npx wrangler deploy'), '.'),
          h('li', {}, 'Send it traffic, e.g. drifted fraud rows and their labels two batches later: ',
            h('code', {}, 'driftlab dataset fraud --rows 5000 --drift 1 > drifted.csv'), ' then ',
            h('code', {}, 'driftlab replay --url http://127.0.0.1:8787 --data drifted.csv --labels-after 2'), '.'),
          h('li', {}, 'On the Monitor panel, open “Watch a running edge bundle instead”, type its URL (and its DRIFTLAB_TOKEN, if set) and press Attach. The page asks before it connects anywhere: the first attach adds the bundle’s origin to its security policy and reloads.'))),
      h('section', { 'aria-labelledby': 'edge-try-title', class: 'edge-try' },
        h('h3', { id: 'edge-try-title' }, 'Try it'),
        h('p', { class: 'note', id: 'edge-request-hint' },
          'The bundle’s own worker.js runs in this tab; each button hands it a Request and shows its Response. Nothing is sent over the network.'),
        h('label', { for: 'edge-request' }, 'Request body (POST /score)'),
        this.request,
        h('div', { class: 'edge-actions' }, this.sendButton, this.modelButton, this.badButton),
        this.responseStatus,
        this.parity,
        this.response),
    );

    this.root.replaceChildren(
      this.empty,
      this.error,
      this.status,
      h('section', { 'aria-labelledby': 'edge-size-title' },
        h('h3', { id: 'edge-size-title' }, 'The scorer'),
        h('p', { class: 'note' }, 'driftlab_edge.wasm: the preprocessing and scoring code of every model family, with no training code and no imports.'),
        this.size),
      this.modelBox,
    );

    this.downloadButton.addEventListener('click', () => this.download());
    this.sendButton.addEventListener('click', () => void this.send('POST', '/score', this.request.value));
    this.modelButton.addEventListener('click', () => void this.send('GET', '/model', null));
    this.badButton.addEventListener('click', () => {
      this.request.value = this.badBody();
      void this.send('POST', '/score', this.request.value);
    });
  }

  /** Follows the table the Data panel loaded (for the example row). */
  setTable(loaded: Loaded): void {
    this.loaded = loaded;
  }

  /** Called each time the panel is shown: measures the scorer and picks up the last trained model. */
  open(): Promise<void> {
    this.opening ??= this.refresh().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private scorer(): Promise<{ bytes: Uint8Array; module: WebAssembly.Module }> {
    this.wasm ??= (async () => {
      const response = await fetch(edgeWasmUrl);
      if (!response.ok) throw new Error(`the edge scorer could not be read (HTTP ${response.status}): run make wasm`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { bytes, module: await WebAssembly.compile(bytes as BufferSource) };
    })();
    this.wasm.catch(() => {
      this.wasm = null;
    });
    return this.wasm;
  }

  private async refresh(): Promise<void> {
    showError(this.error, null);
    let wasm: { bytes: Uint8Array; module: WebAssembly.Module };
    try {
      wasm = await this.scorer();
    } catch (err) {
      showError(this.error, message(err));
      return;
    }
    if (this.size.childElementCount === 0) await this.showSize(wasm.bytes);

    let files: BundleFile[];
    try {
      files = await this.client.model('exportBundle', wasm.bytes.slice());
    } catch (err) {
      const text = message(err);
      if (/train a model first/i.test(text)) {
        this.empty.hidden = false;
        this.modelBox.hidden = true;
      } else {
        showError(this.error, `The bundle could not be built: ${text}`);
      }
      return;
    }
    const artifact = files.find((f) => f.name === 'model.json');
    let doc: ArtifactDoc;
    try {
      doc = JSON.parse(decoder.decode(artifact?.bytes)) as ArtifactDoc;
    } catch (err) {
      showError(this.error, `The bundle's model.json is not JSON: ${message(err)}`);
      return;
    }
    this.empty.hidden = true;
    this.modelBox.hidden = false;
    const hash = doc.hash ?? '';
    if (this.bundle?.hash === hash) {
      this.bundle.files = files;
      return;
    }
    this.bundle = { hash, files, doc, worker: null };
    this.renderCard(doc, files);
    this.request.value = JSON.stringify({ rows: [exampleRow(doc, this.loaded)] }, null, 2);
    this.responseStatus.textContent = '';
    this.response.textContent = '';
  }

  private async showSize(bytes: Uint8Array): Promise<void> {
    let gz: number | null = null;
    try {
      gz = await gzipSize(bytes);
    } catch {
      gz = null;
    }
    const item = (term: string, value: string, id: string) =>
      h('div', { id }, h('dt', {}, term), h('dd', {}, value));
    this.size.replaceChildren(
      item('raw', `${kilobytes(bytes.byteLength)} (${count(bytes.byteLength)} bytes)`, 'edge-size-raw'),
      item('gzipped', gz === null ? 'n/a (no CompressionStream here)' : `${kilobytes(gz)} (${count(gz)} bytes)`, 'edge-size-gzip'),
    );
  }

  private renderCard(doc: ArtifactDoc, files: BundleFile[]): void {
    const line = (term: string, value: string) => h('div', {}, h('dt', {}, term), h('dd', {}, value));
    const metrics = doc.metrics ?? {};
    const shown = CARD_METRICS.filter(([key]) => typeof metrics[key] === 'number')
      .map(([key, label]) => line(label, stat(metrics[key] as number)));
    const lineage = doc.lineage ?? {};
    const facts = h('dl', { class: 'stats edge-facts' },
      line('model', doc.model?.kind ?? '?'),
      line('task', doc.schema?.task ?? '?'),
      doc.schema?.target ? line('target', doc.schema.target) : null,
      (doc.classes?.length ?? 0) > 0 ? line('classes', (doc.classes ?? []).join(', ')) : null,
      line('hash', shortHash(doc.hash ?? '', 16)),
      line('format', `${doc.format ?? '?'} v${doc.version ?? '?'}`),
      lineage.driftlab_version ? line('driftlab', lineage.driftlab_version) : null,
      lineage.created ? line('created', lineage.created) : null,
      typeof lineage.train_rows === 'number' ? line('train rows', count(lineage.train_rows)) : null,
      doc.pipeline?.normalize ? line('row norm', `${doc.pipeline.normalize.toUpperCase()}: each row's features divided by it before the model`) : null,
      ...shown,
    );
    const inputs = doc.pipeline?.inputs ?? [];
    const table = h('table', { class: 'edge-inputs' },
      h('caption', {}, `${inputs.length} input columns and what the scorer accepts (outside it, a row gets a warning)`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'column'), h('th', { scope: 'col' }, 'kind'), h('th', { scope: 'col' }, 'reference'))),
      h('tbody', {}, ...inputs.map((c) => {
        const s = c.step ?? {};
        // an imported ONNX LabelEncoder (ordinal) or Binarizer (binarize) says so
        const ref = s.step === 'one_hot'
          ? (s.categories ?? []).join(', ')
          : s.step === 'ordinal'
            ? `${(s.categories ?? []).map((c, i) => `${c} → ${s.codes?.[i] ?? '?'}`).join(', ')}; others → ${s.default ?? '?'} (ordinal)`
            : s.step === 'numeric' && typeof s.min === 'number' && typeof s.max === 'number'
              ? `${stat(s.min)} to ${stat(s.max)}${typeof s.binarize === 'number' ? `; binarized: scaled value > ${s.binarize} → 1, else 0` : ''}`
              : s.step ?? '';
        return h('tr', {}, h('td', {}, c.name), h('td', {}, c.kind), h('td', { title: ref }, ref));
      })),
    );
    this.card.replaceChildren(facts, h('div', { class: 'table-wrap' }, table));
    const total = files.reduce((n, f) => n + f.bytes.byteLength, 0);
    this.files.replaceChildren(
      ...files.map((f) => h('li', {}, h('code', {}, f.name), ` ${kilobytes(f.bytes.byteLength)}`)),
      h('li', { class: 'total' }, `${files.length} files, ${kilobytes(total)} before zipping`),
    );
  }

  private zipName(): string {
    const doc = this.bundle?.doc;
    const kind = (doc?.model?.kind ?? 'model').replace(/[^A-Za-z0-9-]+/g, '-');
    return `driftlab-edge-${kind}-${shortHash(doc?.hash ?? '')}`;
  }

  private download(): void {
    const bundle = this.bundle;
    if (!bundle) return;
    try {
      const folder = this.zipName();
      const tree: Zippable = {};
      for (const f of bundle.files) {
        // the scorer is already compact; deflate the text files
        tree[`${folder}/${f.name}`] = [f.bytes, { level: f.name.endsWith('.wasm') ? 9 : 6 }];
      }
      const zip = zipSync(tree);
      saveFile(zip as BlobPart, `${folder}.zip`, 'application/zip');
      this.status.textContent = `Saved ${folder}.zip (${kilobytes(zip.byteLength)}).`;
    } catch (err) {
      showError(this.error, `The zip could not be written: ${message(err)}`);
    }
  }

  /** The current body with the first numeric input replaced by text (or a missing column). */
  private badBody(): string {
    let row: Record<string, unknown> = {};
    try {
      const body = JSON.parse(this.request.value) as { rows?: Record<string, unknown>[] };
      row = { ...(body.rows?.[0] ?? {}) };
    } catch {
      row = { ...exampleRow(this.bundle?.doc ?? {}, this.loaded) };
    }
    const inputs = this.bundle?.doc.pipeline?.inputs ?? [];
    const numeric = inputs.find((c) => c.kind === 'numeric') ?? inputs[0];
    if (numeric) row[numeric.name] = 'not a number';
    return JSON.stringify({ rows: [row] }, null, 2);
  }

  private worker(bundle: Bundle): Promise<{ worker: EdgeWorker; loadMs: number }> {
    bundle.worker ??= (async () => {
      const { module } = await this.scorer();
      const started = performance.now();
      const worker = await loadWorker(bundle.files, module);
      return { worker, loadMs: performance.now() - started };
    })();
    bundle.worker.catch(() => {
      bundle.worker = null;
    });
    return bundle.worker;
  }

  private async send(method: 'GET' | 'POST', path: string, body: string | null): Promise<void> {
    const bundle = this.bundle;
    if (!bundle || this.busy) return;
    this.busy = true;
    showError(this.error, null);
    this.responseStatus.textContent = `${method} ${path}…`;
    this.response.textContent = '';
    this.parity.textContent = '';
    delete this.parity.dataset.playground;
    try {
      const { worker, loadMs } = await this.worker(bundle);
      const request = new Request(`${ORIGIN}${path}`, {
        method,
        headers: body === null ? {} : { 'Content-Type': 'application/json' },
        body,
      });
      const started = performance.now();
      const response = await worker.fetch(request, {});
      const text = await response.text();
      const ms = performance.now() - started;
      const words = STATUS_WORDS[response.status] ?? '';
      this.responseStatus.replaceChildren(
        h('strong', { class: response.ok ? 'ok' : 'bad', id: 'edge-response-code' }, `${response.status} ${words}`.trim()),
        ` · ${method} ${path} answered in ${ms < 10 ? ms.toFixed(2) : Math.round(ms)} ms in this tab`,
        h('span', { class: 'hint' }, ` (worker.js loaded once in ${Math.round(loadMs)} ms, like a cold start)`),
      );
      this.response.textContent = pretty(text);
      if (method === 'POST' && response.ok && body !== null) await this.compare(body, text, bundle);
    } catch (err) {
      this.responseStatus.textContent = '';
      showError(this.error, `worker.js could not run here: ${message(err)}`);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Training/serving consistency, shown: the same rows through the playground's own scorer
   * (the full core in the page's Wasm) and through the edge scorer must agree bit for bit.
   * Numbers are compared as f64 (`Object.is`), labels as text. The playground's answer is
   * kept in `data-playground` (JSON) for the end-to-end test to hold workerd to.
   */
  private async compare(body: string, text: string, bundle: Bundle): Promise<void> {
    let rows: Record<string, unknown>[];
    let edge: { prediction: unknown; probabilities: Record<string, number> | null }[];
    try {
      rows = (JSON.parse(body) as { rows: Record<string, unknown>[] }).rows;
      edge = (JSON.parse(text) as { predictions: typeof edge }).predictions;
    } catch {
      return;
    }
    let scored: Scored[];
    try {
      scored = await this.client.model('scoreRows', rows);
    } catch (err) {
      this.parity.textContent = `The playground's scorer refused these rows: ${message(err)}`;
      return;
    }
    this.parity.dataset.playground = JSON.stringify(scored);
    const classes = bundle.doc.classes ?? [];
    const differs = (i: number): string | null => {
      const e = edge[i];
      const p = scored[i];
      if (!e || !p) return 'a missing row';
      const expected = p.label ?? p.prediction.value;
      if (!Object.is(e.prediction, expected)) return `prediction ${JSON.stringify(e.prediction)} vs ${JSON.stringify(expected)}`;
      for (const [c, q] of p.prediction.probabilities.entries()) {
        const got = e.probabilities?.[classes[c] ?? ''];
        if (!Object.is(got, q)) return `p(${classes[c]}) ${got} vs ${q}`;
      }
      return null;
    };
    const bad = scored.map((_, i) => [i, differs(i)] as const).find(([, d]) => d !== null);
    if (scored.length !== edge.length) {
      this.parity.textContent = `The playground's scorer gave ${scored.length} rows, the edge scorer ${edge.length}.`;
    } else if (bad) {
      this.parity.textContent = `Row ${bad[0]} differs from the playground's scorer: ${bad[1]}.`;
    } else {
      this.parity.textContent = `Same as the playground's own scorer, bit for bit (${scored.length} row${scored.length === 1 ? '' : 's'}): what you serve is what you trained.`;
    }
  }
}
