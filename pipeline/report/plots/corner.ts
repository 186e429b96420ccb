/**
 * Corner plot of a fit's joint bootstrap draws (`bootstrap.csv`): for every pair of varying
 * parameters a scatter of the draws (lower triangle), each parameter's histogram on the
 * diagonal, and the Pearson correlation of each pair (upper triangle). Amplitudes fitted on the
 * ln scale are drawn on log axes and correlated on that scale, so the plot shows the trade-offs
 * the optimiser sees (A against α, B against β). The fitted value is marked in red.
 */
import { sampleCorrelation } from 'simple-statistics';
import type { ParamEntry } from '../../io/artifact.ts';
import type { PlotDef } from './fit_plots.ts';
import { round6, trimNumber } from './format.ts';
import type { PlotSpec } from './render.ts';

/** Scatter points drawn per panel (the first replicates, in file order). */
const MAX_POINTS = 300;
const BINS = 20;

/** Parameters drawn: free ones whose draws vary, at most `max`, in the artifact's order. */
export function cornerParams(params: Record<string, ParamEntry>, columns: Record<string, Float64Array>, max = 8): string[] {
  return Object.keys(params)
    .filter((k) => params[k].vary === 'free' && columns[k] && columns[k].length > 1)
    .filter((k) => {
      const c = columns[k];
      let lo = Infinity;
      let hi = -Infinity;
      for (const x of c) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
      return hi > lo && (!params[k].log_scale || lo > 0);
    })
    .slice(0, max);
}

/** Counts of `values` in `bins` equal bins over [lo, hi] (the last bin closed). */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const k = width > 0 ? Math.min(bins - 1, Math.max(0, Math.floor((values[i] - lo) / width))) : 0;
    counts[k]++;
  }
  return counts;
}

const LABELS: Record<string, string> = { alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', sigma: 'σ', phi: 'φ', psi: 'ψ', tau: 'τ' };
const label = (k: string) => LABELS[k] ?? k;

/**
 * The corner plot, or null with fewer than two varying parameters.
 * @param title names the fit or group in the title.
 */
export function cornerPlot(params: Record<string, ParamEntry>, columns: Record<string, Float64Array>, name: string, title = ''): PlotDef | null {
  const names = cornerParams(params, columns);
  if (names.length < 2) return null;
  const k = names.length;
  const count = Math.min(...names.map((n) => columns[n].length));
  const cell = Math.max(84, Math.min(140, Math.floor(700 / k)));
  // Plotted coordinate (ln for log-scale parameters) of each parameter's draws.
  const log = names.map((n) => Boolean(params[n].log_scale));
  const coord = names.map((n, i) => Float64Array.from(columns[n].subarray(0, count), (x) => (log[i] ? Math.log(x) : x)));
  const ranges = coord.map((c) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of c) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    const pad = (hi - lo) * 0.04;
    return [lo - pad, hi + pad] as [number, number];
  });
  const natural = (i: number, x: number) => round6(log[i] ? Math.exp(x) : x);
  const scaleOf = (i: number) => ({ type: log[i] ? 'log' : 'linear', domain: [natural(i, ranges[i][0]), natural(i, ranges[i][1])], nice: false, zero: false });
  const shown = Math.min(count, MAX_POINTS);
  const axis = (i: number, visible: boolean, orient: 'x' | 'y') =>
    visible ? { title: label(names[i]), tickCount: 3, labelFlush: true, labelOverlap: true, ...(orient === 'x' ? { labelAngle: -30 } : {}) } : { title: null, labels: false, ticks: false };
  // One grid of k × k cells (concat with k columns aligns the cells of every row and column).
  const cells: Record<string, unknown>[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (j === i) {
        const [lo, hi] = ranges[i];
        const counts = histogram(coord[i], lo, hi, BINS);
        const w = (hi - lo) / BINS;
        const bars = counts.map((c, b) => ({ x: natural(i, lo + b * w), x2: natural(i, lo + (b + 1) * w), count: c }));
        cells.push({
          width: cell,
          height: cell,
          layer: [
            { data: { values: bars }, mark: { type: 'rect', color: '#4c78a8', opacity: 0.85 }, encoding: { x: { field: 'x', type: 'quantitative', scale: scaleOf(i), axis: axis(i, i === k - 1, 'x') }, x2: { field: 'x2' }, y: { field: 'count', type: 'quantitative', axis: { title: i === 0 ? 'draws' : null, labels: false, ticks: false, grid: false } } } },
            { data: { values: [{ v: round6(params[names[i]].value) }] }, mark: { type: 'rule', color: '#d62728', strokeWidth: 1.5 }, encoding: { x: { field: 'v', type: 'quantitative', scale: scaleOf(i) } } },
          ],
        });
      } else if (j < i) {
        const points = Array.from({ length: shown }, (_, b) => ({ x: round6(columns[names[j]][b]), y: round6(columns[names[i]][b]) }));
        const x = { field: 'x', type: 'quantitative', scale: scaleOf(j), axis: axis(j, i === k - 1, 'x') };
        const y = { field: 'y', type: 'quantitative', scale: scaleOf(i), axis: axis(i, j === 0, 'y') };
        cells.push({
          width: cell,
          height: cell,
          layer: [
            { data: { values: points }, mark: { type: 'point', filled: true, size: 6, opacity: 0.45, color: '#4c78a8' }, encoding: { x, y } },
            { data: { values: [{ x: round6(params[names[j]].value), y: round6(params[names[i]].value) }] }, mark: { type: 'point', shape: 'cross', filled: true, size: 60, color: '#d62728' }, encoding: { x, y } },
          ],
        });
      } else {
        const r = sampleCorrelation(Array.from(coord[i]), Array.from(coord[j]));
        const strength = Math.min(1, Math.abs(r));
        const fill = r >= 0 ? `rgba(33,102,172,${round6(0.55 * strength)})` : `rgba(178,24,43,${round6(0.55 * strength)})`;
        cells.push({
          width: cell,
          height: cell,
          view: { stroke: null, fill },
          data: { values: [{ t: `r = ${trimNumber(round6(r), 2)}` }] },
          mark: { type: 'text', fontSize: 13, fontWeight: strength >= 0.7 ? 'bold' : 'normal' },
          encoding: { text: { field: 't', type: 'nominal' }, x: { value: cell / 2 }, y: { value: cell / 2 } },
        });
      }
    }
  }
  const spec = { concat: cells, columns: k, spacing: 6, config: { axis: { labelFontSize: 10, titleFontSize: 12 } } } as unknown as PlotSpec;
  const logged = names.filter((_, i) => log[i]).map(label);
  return {
    name,
    title: `Parameter correlations from the bootstrap${title ? ` (${title})` : ''}`,
    caption: `Joint bootstrap draws from bootstrap.csv: below the diagonal, each pair of parameters (${shown} of ${count} replicates drawn); on the diagonal, ` +
      `each parameter's histogram over all ${count}; above the diagonal, the Pearson correlation r of the pair (blue positive, red negative)` +
      `${logged.length ? `, computed on ln ${logged.join(', ln ')} as the fit is` : ''}. Red cross and line: the fitted value.` +
      `${logged.length ? ` Log axes for ${logged.join(', ')}.` : ''}`,
    spec,
  };
}
