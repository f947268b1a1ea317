// The profile view: dataset-level warnings, then one card per column with its counts,
// its statistics, a chart and its own quality warnings.
import type { ColumnProfile, Profile, Warning } from '../protocol';
import { h } from '../dom';
import { count, percent, stat } from '../format';
import { Histogram } from '../charts/histogram';
import { Bars } from '../charts/bars';

/** Past this many columns the cards stop; the rest are named in a note. */
const MAX_CARDS = 200;

export function renderWarnings(warnings: Warning[], label: string): HTMLElement | null {
  if (warnings.length === 0) return null;
  return h('ul', { class: 'warnings', 'aria-label': label },
    ...warnings.map((w) => h('li', { 'data-code': w.code }, w.message)),
  );
}

export function renderProfile(profile: Profile): HTMLElement {
  const shown = profile.columns.slice(0, MAX_CARDS);
  const grid = h('div', { class: 'cards' }, ...shown.map((c, i) => card(c, i, profile.rows)));
  const hidden = profile.columns.length - shown.length;
  return h('div', { class: 'profile' },
    renderWarnings(profile.warnings, 'Dataset warnings') ??
      h('p', { class: 'ok' }, 'No dataset-level warnings.'),
    grid,
    hidden > 0 && h('p', { class: 'note' }, `${count(hidden)} more columns are profiled but not shown.`),
  );
}

function card(col: ColumnProfile, index: number, rows: number): HTMLElement {
  const id = `col-${index}`;
  const stats: [string, string][] = [
    ['count', count(col.count)],
    ['missing', col.missing > 0 ? `${count(col.missing)} (${percent(col.missing, rows)})` : '0'],
    ['distinct', `${col.distinct_exact ? '' : '≈'}${count(col.distinct)}`],
  ];
  const num = col.numeric;
  if (num) {
    stats.push(['mean', stat(num.mean)], ['std', stat(num.std)], ['min', stat(num.min)], ['max', stat(num.max)]);
    if (num.infinite > 0) stats.push(['infinite', count(num.infinite)]);
  }
  const chart = h('div', { class: 'chart' });
  if (num) new Histogram(chart, { label: col.name }).update(num.histogram);
  else if (col.categories) new Bars(chart, { label: col.name }).update(col.categories);
  else chart.append('No chart for this column.');

  return h('article', { class: `card kind-${col.kind}`, 'aria-labelledby': id, 'data-column': col.name },
    h('header', {},
      h('h4', { id }, col.name),
      h('span', { class: 'badge' }, col.kind),
    ),
    h('dl', { class: 'stats' }, ...stats.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
    chart,
    renderWarnings(col.warnings, `Warnings for ${col.name}`),
  );
}
