// The table preview: the first rows of the loaded table, every cell as text.
import type { Loaded } from '../protocol';
import { h } from '../dom';
import { cell, count } from '../format';

export function renderPreview(loaded: Loaded): HTMLElement {
  const kinds = new Map(loaded.columns.map((c) => [c.name, c.kind]));
  const { columns, rows } = loaded.preview;
  const head = h('tr', {}, ...columns.map((name) =>
    h('th', { scope: 'col', class: `kind-${kinds.get(name) ?? 'unknown'}` },
      h('span', { class: 'col-name' }, name),
      h('span', { class: 'col-kind' }, kinds.get(name) ?? ''),
    ),
  ));
  const body = rows.map((row) =>
    h('tr', {}, ...row.map((value, i) =>
      h('td', {
        class: value === null ? 'missing' : typeof value === 'number' ? 'num' : undefined,
        'data-column': columns[i],
      }, cell(value)),
    )),
  );
  const caption = `First ${count(rows.length)} of ${count(loaded.rows)} rows`;
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 },
    h('table', { id: 'preview' },
      h('caption', {}, caption),
      h('thead', {}, head),
      h('tbody', {}, ...body),
    ),
  );
}
