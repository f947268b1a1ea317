// Number formatting for cards, tables and chart ticks.
import type { Cell } from './protocol';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const cellFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4, useGrouping: false });

/** A count: `12,345`. */
export function count(n: number): string {
  return integer.format(n);
}

/** A statistic with four significant digits; very large or small values in exponent form. */
export function stat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'n/a' : n > 0 ? '∞' : '−∞';
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return n.toExponential(2);
  return compact.format(n);
}

/** A share of a total as a percentage: `3.2%`. */
export function percent(part: number, total: number): string {
  if (total <= 0) return '0%';
  const p = (100 * part) / total;
  return `${p > 0 && p < 0.1 ? '<0.1' : p.toFixed(p < 10 ? 1 : 0)}%`;
}

/** A table cell as display text; missing values read "missing". */
export function cell(value: Cell): string {
  if (value === null) return 'missing';
  if (typeof value === 'number') return Number.isFinite(value) ? cellFormat.format(value) : stat(value);
  return String(value);
}

/** Shortens a label to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
