// Feature importance: each input's share of the split gain of a boosted model (the core
// computes it at training, `BoostingModel::importance`), as horizontal bars, the largest
// first, the rest of the inputs gathered in one bar.
import * as Plot from '@observablehq/plot';
import { stat, truncate } from '../format';

export interface ImportanceOptions {
  width?: number;
  /** Inputs drawn one by one; the rest share one bar. Default 12. */
  maxBars?: number;
}

interface Bar {
  i: number;
  label: string;
  share: number;
  other: boolean;
}

const MAX_LABEL = 22;

export class ImportanceChart {
  constructor(
    private readonly container: HTMLElement,
    private readonly options: ImportanceOptions = {},
  ) {}

  /** `features[i]` has `shares[i]` of the gain. */
  update(features: readonly string[], shares: readonly number[]): void {
    const ranked = features
      .map((label, i) => ({ label, share: shares[i] ?? 0 }))
      .filter((f) => f.share > 0)
      .sort((a, b) => b.share - a.share);
    if (ranked.length === 0) {
      this.container.replaceChildren(document.createTextNode('No split was made: every input has a share of 0.'));
      return;
    }
    const max = this.options.maxBars ?? 12;
    const bars: Bar[] = ranked.slice(0, max).map((f, i) => ({ i, label: f.label, share: f.share, other: false }));
    const rest = ranked.slice(max);
    if (rest.length > 0) {
      bars.push({
        i: bars.length, label: `(${rest.length} other input${rest.length === 1 ? '' : 's'})`,
        share: rest.reduce((a, f) => a + f.share, 0), other: true,
      });
    }
    const longest = Math.max(...bars.map((b) => Math.min(b.label.length, MAX_LABEL)));
    const labelOf = (i: number) => truncate(bars[i]?.label ?? '', MAX_LABEL);
    const title = (b: Bar) => `${b.label}: ${stat(b.share * 100)}% of the split gain`;
    // Labels are drawn by Plot as SVG text, so they are never parsed as markup.
    const chart = Plot.plot({
      width: this.options.width ?? 420,
      height: 20 * bars.length + 34,
      marginTop: 6,
      marginBottom: 28,
      marginLeft: Math.min(Math.max(Math.ceil(6.5 * longest) + 14, 36), 160),
      marginRight: 12,
      ariaLabel: 'Feature importance: share of the split gain per input',
      ariaDescription: bars.map(title).join('; '),
      x: { label: 'share of the split gain →', grid: true, ticks: 4, tickFormat: '.0%' },
      y: { label: null, domain: bars.map((b) => b.i), tickFormat: labelOf },
      marks: [
        Plot.barX(bars.filter((b) => !b.other), { x: 'share', y: 'i', fill: 'var(--chart-fill)', title }),
        Plot.barX(bars.filter((b) => b.other), { x: 'share', y: 'i', fill: 'var(--chart-muted)', title }),
        Plot.ruleX([0], { stroke: 'var(--chart-axis)' }),
      ],
    });
    this.container.replaceChildren(chart);
  }
}
