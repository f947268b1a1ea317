// Derived inputs as the link writes them (`x^2,y^2,x*y,sin(x)`) and as the core's pipeline
// takes them (`Cross`): the names are the feature names the core gives them.
import type { Cross } from '../protocol';
import { h } from '../dom';

/** The crosses a comma-separated list names (unreadable entries are left out). */
export function crossesOf(list: string): Cross[] {
  const out: Cross[] = [];
  for (const raw of list.split(',')) {
    const text = raw.trim();
    if (!text) continue;
    const sin = /^sin\((.+)\)$/.exec(text);
    if (text.endsWith('^2')) out.push({ op: 'square', column: text.slice(0, -2) });
    else if (sin) out.push({ op: 'sin', column: sin[1]! });
    else if (text.includes('*')) {
      const [column, other] = text.split('*', 2) as [string, string];
      out.push({ op: 'product', column, with: other });
    }
  }
  return out;
}

/** A cross's name, as the core names its feature (`x^2`, `x*y`, `sin(x)`). */
export function crossName(c: Cross): string {
  if (c.op === 'square') return `${c.column}^2`;
  if (c.op === 'sin') return `sin(${c.column})`;
  return `${c.column}*${c.with}`;
}

/**
 * The derived inputs a table of two numeric columns `a`, `b` offers, as checkboxes in
 * `box`; `onChange` gets the chosen list (`a^2,b^2`).
 */
export function renderCrosses(box: HTMLElement, columns: [string, string] | null, list: string, onChange: (list: string) => void): void {
  box.hidden = columns === null;
  if (!columns) {
    box.replaceChildren();
    return;
  }
  const [a, b] = columns;
  const on = new Set(list.split(',').filter(Boolean));
  const offered = [`${a}^2`, `${b}^2`, `${a}*${b}`, `sin(${a})`, `sin(${b})`];
  const label = (f: string) => f.replace('^2', '²').replace('*', '·');
  box.replaceChildren(
    h('legend', {}, 'Derived inputs'),
    ...offered.map((f) => {
      const input = h('input', { type: 'checkbox', value: f, checked: on.has(f), name: `feature-${f}` });
      input.addEventListener('change', () => {
        const chosen = [...box.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
        onChange(chosen.join(','));
      });
      return h('label', { class: 'check' }, input, ` ${label(f)}`);
    }),
    h('p', { class: 'hint' }, 'Computed from the scaled columns and added after them, for any family; the artifact keeps them, so serving computes them too.'),
  );
}
