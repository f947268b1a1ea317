// The per-column preprocessing editor: one row per feature column with the core's default
// step (from `defaultPipeline`), editable with selects, each choice explained in a line.
// Edits survive a change of target; a new table starts from the defaults again.
import type { CategoricalImpute, ColumnInfo, ColumnSpec, NumericImpute, PipelineSpec, Scale } from '../protocol';
import { h } from '../dom';

interface Choice<T> {
  value: string;
  label: string;
  explain: string;
  spec: T;
}

const NUMERIC_IMPUTE: Choice<NumericImpute>[] = [
  { value: 'mean', label: 'mean', explain: 'a missing number becomes the training mean', spec: 'mean' },
  { value: 'median', label: 'median', explain: 'a missing number becomes the training median, which outliers do not pull', spec: 'median' },
  { value: 'most_frequent', label: 'most frequent', explain: 'a missing number becomes the most common training value', spec: 'most_frequent' },
  { value: 'zero', label: 'zero', explain: 'a missing number becomes 0 (right when missing means none)', spec: { constant: 0 } },
  { value: 'keep', label: 'keep missing', explain: 'a missing number stays missing: tree, forest and boosting learn at each split which side it goes (other models refuse it)', spec: 'keep' },
];

const SCALE: Choice<Scale>[] = [
  { value: 'standard', label: 'standard', explain: 'then subtract the training mean and divide by the standard deviation', spec: 'standard' },
  { value: 'min_max', label: 'min–max', explain: 'then squeeze into 0–1 with the training minimum and maximum', spec: 'min_max' },
  { value: 'robust', label: 'robust', explain: 'then subtract the median and divide by the interquartile range, so outliers weigh less', spec: 'robust' },
  { value: 'none', label: 'none', explain: 'then leave it as is (trees do not mind; penalties and distances do)', spec: 'none' },
];

const CATEGORY_IMPUTE: Choice<CategoricalImpute>[] = [
  { value: 'missing', label: '“(missing)”', explain: 'a missing category becomes its own category, so “was missing” stays a signal', spec: { constant: '(missing)' } },
  { value: 'most_frequent', label: 'most frequent', explain: 'a missing category becomes the most common training category', spec: 'most_frequent' },
];

const UNSEEN: Choice<'ignore' | 'error'>[] = [
  { value: 'ignore', label: 'ignore', explain: 'a category never seen in training encodes as all zeros and the row is flagged', spec: 'ignore' },
  { value: 'error', label: 'refuse', explain: 'a row with a category never seen in training is refused', spec: 'error' },
];

const USE = 'use';
const DROP = 'drop';

/** The choice whose spec equals `spec`, adding one for a value the lists lack (a constant). */
function choiceOf<T>(choices: Choice<T>[], spec: T, describe: (spec: T) => Choice<T>): Choice<T>[] {
  const key = JSON.stringify(spec);
  if (choices.some((c) => JSON.stringify(c.spec) === key)) return choices;
  return [...choices, describe(spec)];
}

function valueOf<T>(choices: Choice<T>[], spec: T): string {
  const key = JSON.stringify(spec);
  return choices.find((c) => JSON.stringify(c.spec) === key)?.value ?? choices[0]!.value;
}

function select<T>(id: string, label: string, choices: Choice<T>[], value: string): HTMLSelectElement {
  return h('select', { id, 'aria-label': label },
    ...choices.map((c) => h('option', { value: c.value, selected: c.value === value, title: c.explain }, c.label)));
}

/** The base step of a column of this kind when it is not dropped. */
function baseStep(kind: ColumnInfo['kind'], spec: ColumnSpec | undefined): 'numeric' | 'one_hot' {
  if (spec && spec.step !== 'drop') return spec.step;
  return kind === 'categorical' ? 'one_hot' : 'numeric';
}

function defaultFor(step: 'numeric' | 'one_hot'): ColumnSpec {
  return step === 'numeric'
    ? { step: 'numeric', impute: 'mean', scale: 'standard' }
    : { step: 'one_hot', impute: { constant: '(missing)' }, unseen: 'ignore' };
}

/**
 * A column's step in a few URL-safe characters: `drop`, `<impute>.<scale>` for numbers
 * (`median.robust`, `zero.none`, `keep.none`, `c2.5.standard` for a constant 2.5) and
 * `<impute>.<unseen>` for categories (`most_frequent.error`). `null` when a spec has no
 * short form (a category constant other than “(missing)”).
 */
export function encodeStep(spec: ColumnSpec): string | null {
  if (spec.step === 'drop') return 'drop';
  if (spec.step === 'numeric') {
    const impute = typeof spec.impute === 'object'
      ? (spec.impute.constant === 0 ? 'zero' : `c${spec.impute.constant}`)
      : spec.impute;
    return `${impute}.${spec.scale}`;
  }
  const impute = typeof spec.impute === 'object'
    ? (spec.impute.constant === '(missing)' ? 'missing' : null)
    : spec.impute;
  return impute === null ? null : `${impute}.${spec.unseen}`;
}

/** The spec a short form means for a column of `kind`, or `null` if it does not fit it. */
export function decodeStep(code: string, kind: ColumnInfo['kind']): ColumnSpec | null {
  if (code === 'drop') return { step: 'drop' };
  const dot = code.lastIndexOf('.');
  const [impute, rest] = [code.slice(0, dot), code.slice(dot + 1)];
  if (dot <= 0) return null;
  if (kind === 'categorical') {
    const imp = impute === 'missing' ? { constant: '(missing)' } : impute === 'most_frequent' ? 'most_frequent' as const : null;
    const unseen = rest === 'ignore' || rest === 'error' ? rest : null;
    return imp && unseen ? { step: 'one_hot', impute: imp, unseen } : null;
  }
  const scale = SCALE.find((c) => c.value === rest)?.spec;
  let imp: NumericImpute | null = null;
  if (impute === 'mean' || impute === 'median' || impute === 'most_frequent' || impute === 'keep') imp = impute;
  else if (impute === 'zero') imp = { constant: 0 };
  else if (/^c-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(impute) && Number.isFinite(Number(impute.slice(1)))) imp = { constant: Number(impute.slice(1)) };
  return imp !== null && scale ? { step: 'numeric', impute: imp, scale } : null;
}

export class PipelineEditor {
  private columns: ColumnInfo[] = [];
  private specs: Record<string, ColumnSpec> = {};
  /** The core's default step of each column, for telling the person's changes apart. */
  private defaults: Record<string, ColumnSpec> = {};
  /** Columns the person changed; kept when the target (and so the defaults) change. */
  private edited = new Set<string>();
  private target: string | null = null;
  /** Why the core's default drops a column, shown beside the `drop` step. */
  private reasons: Record<string, string> = {};

  constructor(
    private readonly container: HTMLElement,
    /** Called after each edit. */
    private readonly onChange: () => void = () => {},
  ) {}

  /** Shows `spec` for `columns`; with `keepEdits`, columns the person changed keep their step. */
  set(columns: ColumnInfo[], spec: PipelineSpec, keepEdits: boolean): void {
    const kept = keepEdits ? this.specs : {};
    if (!keepEdits) this.edited.clear();
    this.columns = columns;
    this.target = spec.target;
    this.reasons = spec.reasons ?? {};
    const next: Record<string, ColumnSpec> = {};
    const steps = spec.columns ?? {};
    for (const c of columns) {
      if (c.name === spec.target) continue;
      const edit = this.edited.has(c.name) ? kept[c.name] : undefined;
      next[c.name] = edit ?? steps[c.name] ?? defaultFor(baseStep(c.kind, undefined));
      this.defaults[c.name] = steps[c.name] ?? defaultFor(baseStep(c.kind, undefined));
    }
    this.specs = next;
    this.render();
  }

  /** The columns whose step differs from the default, in short form (for the link). */
  changes(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, spec] of Object.entries(this.specs)) {
      if (JSON.stringify(spec) === JSON.stringify(this.defaults[name])) continue;
      const code = encodeStep(spec);
      if (code !== null) out[name] = code;
    }
    return out;
  }

  /** Applies short-form steps (from a link) to the columns they name; returns the names it could not use. */
  applyChanges(codes: Record<string, string>): string[] {
    const unused: string[] = [];
    for (const [name, code] of Object.entries(codes)) {
      const column = this.columns.find((c) => c.name === name);
      const spec = column && name !== this.target ? decodeStep(code, column.kind) : null;
      if (!spec) {
        unused.push(name);
        continue;
      }
      this.specs[name] = spec;
      this.edited.add(name);
    }
    this.render();
    return unused;
  }

  spec(): PipelineSpec {
    return { target: this.target, columns: { ...this.specs } };
  }

  /** How many feature columns are used and dropped, for the section's summary line. */
  summary(): string {
    const all = Object.values(this.specs);
    const dropped = all.filter((s) => s.step === 'drop').length;
    const changed = this.edited.size;
    return `${all.length - dropped} of ${all.length} columns used` +
      (dropped > 0 ? `, ${dropped} dropped` : '') + (changed > 0 ? `, ${changed} changed by you` : '');
  }

  private render(): void {
    const rows = this.columns
      .filter((c) => c.name !== this.target && this.specs[c.name])
      .map((c, i) => this.row(c, i));
    this.container.replaceChildren(
      h('table', { class: 'pipeline', id: 'pipeline' },
        h('caption', {}, 'Fitted on the training rows only, then saved with the model, so serving transforms rows exactly as training did.'),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Column'),
          h('th', { scope: 'col' }, 'Step'),
          h('th', { scope: 'col' }, 'Missing values'),
          h('th', { scope: 'col' }, 'Scale / unseen'),
          h('th', { scope: 'col' }, 'What it does'),
        )),
        h('tbody', {}, ...rows),
      ),
    );
  }

  private row(column: ColumnInfo, index: number): HTMLTableRowElement {
    const spec = this.specs[column.name]!;
    const base = baseStep(column.kind, spec);
    const id = `prep-${index}`;
    const step = h('select', { id: `${id}-step`, 'aria-label': `Step for ${column.name}` },
      h('option', { value: USE, selected: spec.step !== 'drop' }, base === 'numeric' ? 'impute + scale' : 'one-hot'),
      h('option', { value: DROP, selected: spec.step === 'drop' }, 'drop'),
    );
    const explain = h('td', { class: 'explain' });
    const first = h('td', {});
    const second = h('td', {});
    const tr = h('tr', { 'data-column': column.name },
      h('th', { scope: 'row' }, h('span', { class: 'col-name' }, column.name), h('span', { class: 'col-kind' }, column.kind)),
      h('td', {}, step), first, second, explain);

    const fill = () => {
      const s = this.specs[column.name]!;
      if (s.step === 'drop') {
        first.replaceChildren(h('span', { class: 'note' }, '—'));
        second.replaceChildren(h('span', { class: 'note' }, '—'));
        const reason = this.reasons[column.name];
        explain.textContent = reason
          ? `left out of the model: ${reason}; choose “${base === 'numeric' ? 'impute + scale' : 'one-hot'}” to keep it`
          : 'left out of the model';
        return;
      }
      if (s.step === 'numeric') {
        const imputes = choiceOf(NUMERIC_IMPUTE, s.impute, (spec) => ({
          value: 'constant', label: `constant ${typeof spec === 'object' ? spec.constant : ''}`,
          explain: 'a missing number becomes this fixed value', spec,
        }));
        const impute = select(`${id}-impute`, `Missing values of ${column.name}`, imputes, valueOf(imputes, s.impute));
        const scale = select(`${id}-scale`, `Scaling of ${column.name}`, SCALE, valueOf(SCALE, s.scale));
        const say = () => {
          const cur = this.specs[column.name];
          if (cur?.step !== 'numeric') return;
          explain.textContent = `${imputes.find((c) => c.value === impute.value)?.explain ?? ''}; ${
            SCALE.find((c) => c.value === scale.value)?.explain ?? ''}`;
        };
        impute.addEventListener('change', () => {
          const cur = this.specs[column.name];
          const pick = imputes.find((c) => c.value === impute.value);
          if (cur?.step === 'numeric' && pick) this.edit(column.name, { ...cur, impute: pick.spec });
          say();
        });
        scale.addEventListener('change', () => {
          const cur = this.specs[column.name];
          const pick = SCALE.find((c) => c.value === scale.value);
          if (cur?.step === 'numeric' && pick) this.edit(column.name, { ...cur, scale: pick.spec });
          say();
        });
        first.replaceChildren(impute);
        second.replaceChildren(scale);
        say();
        return;
      }
      const imputes = choiceOf(CATEGORY_IMPUTE, s.impute, (spec) => ({
        value: 'constant', label: `“${typeof spec === 'object' ? spec.constant : ''}”`,
        explain: 'a missing category becomes this fixed category', spec,
      }));
      const impute = select(`${id}-impute`, `Missing values of ${column.name}`, imputes, valueOf(imputes, s.impute));
      const unseen = select(`${id}-unseen`, `Unseen categories of ${column.name}`, UNSEEN, valueOf(UNSEEN, s.unseen));
      const say = () => {
        explain.textContent = `one 0/1 column per training category; ${
          imputes.find((c) => c.value === impute.value)?.explain ?? ''}; ${UNSEEN.find((c) => c.value === unseen.value)?.explain ?? ''}`;
      };
      impute.addEventListener('change', () => {
        const cur = this.specs[column.name];
        const pick = imputes.find((c) => c.value === impute.value);
        if (cur?.step === 'one_hot' && pick) this.edit(column.name, { ...cur, impute: pick.spec });
        say();
      });
      unseen.addEventListener('change', () => {
        const cur = this.specs[column.name];
        const pick = UNSEEN.find((c) => c.value === unseen.value);
        if (cur?.step === 'one_hot' && pick) this.edit(column.name, { ...cur, unseen: pick.spec });
        say();
      });
      first.replaceChildren(impute);
      second.replaceChildren(unseen);
      say();
    };

    step.addEventListener('change', () => {
      this.edit(column.name, step.value === DROP ? { step: 'drop' } : defaultFor(base));
      fill();
    });
    fill();
    return tr;
  }

  private edit(name: string, spec: ColumnSpec): void {
    this.specs[name] = spec;
    this.edited.add(name);
    this.onChange();
  }
}
