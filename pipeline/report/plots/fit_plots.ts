/**
 * Plots of one fit's predictions (`predictions.csv`): observed and fitted loss against tokens per
 * model size and evaluation language, observed against predicted (parity), and residuals
 * ln L − ln L̂ (the scale the law is fitted on). Held-out rows are drawn with their own shape.
 *
 * Long logs are thinned before drawing: each (run, language) series keeps at most
 * `maxPerSeries` checkpoints, spaced evenly in log tokens (its first and last always kept), and a
 * plot keeps at most `maxPoints` points. Thinning is deterministic and affects drawing only;
 * the metrics in the tables are the artifact's, computed on every row.
 */
import type { PredictionRows } from '../inputs.ts';
import { formatCount, round6, SI_LABEL } from './format.ts';
import type { PlotSpec } from './render.ts';

const SI_AXIS = { labelExpr: SI_LABEL };

/** A plot of the report: a file-safe name, a title and a caption saying what is drawn. */
export interface PlotDef {
  name: string;
  title: string;
  caption: string;
  spec: PlotSpec;
}

export interface ThinOptions {
  /** Checkpoints kept per (run, language) series. @default 24 */
  maxPerSeries?: number;
  /** Points kept per plot. @default 1500 */
  maxPoints?: number;
  /** Languages drawn as panels (most rows first). @default 9 */
  maxLanguages?: number;
}

/** Row indices to draw, series by series (deterministic). */
export function thinRows(p: PredictionRows, rows: number[], options: ThinOptions = {}): number[] {
  const maxPoints = options.maxPoints ?? 1500;
  const series = new Map<string, number[]>();
  for (const i of rows) {
    const key = `${p.runId[i]}\u0000${p.evalLang[i]}`;
    let list = series.get(key);
    if (!list) series.set(key, (list = []));
    list.push(i);
  }
  const keys = [...series.keys()].sort();
  let chosenKeys = keys;
  if (keys.length > maxPoints) {
    const stride = keys.length / maxPoints;
    chosenKeys = Array.from({ length: maxPoints }, (_, k) => keys[Math.floor(k * stride)]);
  }
  const perSeries = Math.max(2, Math.min(options.maxPerSeries ?? 24, Math.floor(maxPoints / Math.max(1, chosenKeys.length))));
  const out: number[] = [];
  for (const key of chosenKeys) {
    const list = series.get(key)!.slice().sort((a, b) => p.tokens[a] - p.tokens[b] || a - b);
    if (list.length <= perSeries) {
      out.push(...list);
      continue;
    }
    const lo = Math.log(p.tokens[list[0]]);
    const hi = Math.log(p.tokens[list[list.length - 1]]);
    const picked = new Set<number>([0, list.length - 1]);
    let cursor = 0;
    for (let k = 1; k < perSeries - 1; k++) {
      const target = lo + ((hi - lo) * k) / (perSeries - 1);
      while (cursor < list.length - 1 && Math.log(p.tokens[list[cursor]]) < target) cursor++;
      picked.add(cursor);
    }
    for (const k of [...picked].sort((a, b) => a - b)) out.push(list[k]);
  }
  return out;
}

/** Languages in drawing order: most rows first, then by name. */
export function languageOrder(p: PredictionRows): string[] {
  const counts = new Map<string, number>();
  for (const lang of p.evalLang) counts.set(lang, (counts.get(lang) ?? 0) + 1);
  return [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Legend entries for a log colour scale of model sizes: 1, 3 × 10^k (only 10^k over more than four
 * decades) inside [lo, hi], plus the
 * ends, so a legend over hundreds of distinct sizes shows a handful of labelled swatches.
 */
export function legendSizes(lo: number, hi: number): number[] {
  const out = [round6(lo)];
  const mantissas = hi / lo > 1e4 ? [1] : [1, 3];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of mantissas) {
      const v = m * 10 ** k;
      if (v > lo * 1.2 && v < hi / 1.2) out.push(round6(v));
    }
  }
  out.push(round6(hi));
  return out;
}

/** Colour encoding of model size: one colour per size when there are few, a log scale otherwise. */
export function sizeColor(p: PredictionRows, rows: number[]): { field: string; encoding: Record<string, unknown>; value: (i: number) => string | number } {
  const sizes = [...new Set(rows.map((i) => p.params[i]))].sort((a, b) => a - b);
  if (sizes.length <= 10) {
    const labels = sizes.map(formatCount);
    const unique = new Set(labels).size === labels.length;
    const label = (v: number) => (unique ? formatCount(v) : String(round6(v)));
    return {
      field: 'size',
      encoding: { field: 'size', type: 'ordinal', title: 'model size N', scale: { domain: sizes.map(label), scheme: 'viridis' }, sort: null },
      value: (i) => label(p.params[i]),
    };
  }
  return {
    field: 'N',
    encoding: { field: 'N', type: 'quantitative', title: 'model size N', scale: { type: 'log', scheme: 'viridis' }, legend: { values: legendSizes(sizes[0], sizes[sizes.length - 1]), labelExpr: SI_AXIS.labelExpr } },
    value: (i) => round6(p.params[i]),
  };
}

export const SPLIT_SHAPE = { field: 'split', type: 'nominal', title: 'observed', scale: { domain: ['train', 'heldout'], range: ['circle', 'triangle-up'] } };
export const SPLIT_COLOR = { field: 'split', type: 'nominal', title: 'split', scale: { domain: ['train', 'heldout'], range: ['#4c78a8', '#e45756'] } };

export function rowsOf(p: PredictionRows): number[] {
  return Array.from({ length: p.rows }, (_, i) => i);
}

/**
 * Observed (points) and fitted (lines through each run's predictions) loss against tokens, one
 * panel per evaluation language, coloured by model size.
 */
export function lossVsTokensPlot(p: PredictionRows, name: string, options: ThinOptions = {}): PlotDef | null {
  const langs = languageOrder(p);
  const shown = langs.slice(0, options.maxLanguages ?? 9);
  const shownSet = new Set(shown);
  const rows = thinRows(p, rowsOf(p).filter((i) => shownSet.has(p.evalLang[i]) && Number.isFinite(p.predicted[i])), options);
  if (rows.length === 0) return null;
  const color = sizeColor(p, rows);
  const values = rows.map((i) => ({
    run: `${p.runId[i]}|${p.evalLang[i]}`,
    lang: p.evalLang[i],
    tokens: round6(p.tokens[i]),
    loss: round6(p.loss[i]),
    predicted: round6(p.predicted[i]),
    split: p.split[i],
    [color.field]: color.value(i),
  }));
  const runs = new Set(values.map((v) => v.run)).size;
  const lines = values.length >= 2 * runs;
  const x = { field: 'tokens', type: 'quantitative', scale: { type: 'log' }, title: 'tokens D', axis: SI_AXIS };
  const yScale = { type: 'log', nice: false, padding: 8 };
  const fitted = lines
    ? { mark: { type: 'line', strokeWidth: 1.5, opacity: 0.9 }, encoding: { x, y: { field: 'predicted', type: 'quantitative', scale: yScale, title: 'loss' }, color: color.encoding, detail: { field: 'run', type: 'nominal' }, order: { field: 'tokens', type: 'quantitative' } } }
    : { mark: { type: 'point', shape: 'diamond', filled: false, size: 30, strokeWidth: 1 }, encoding: { x, y: { field: 'predicted', type: 'quantitative', scale: yScale, title: 'loss' }, color: color.encoding } };
  const observed = {
    mark: { type: 'point', filled: true, size: 26, opacity: 0.85 },
    encoding: { x, y: { field: 'loss', type: 'quantitative', scale: yScale, title: 'loss' }, color: color.encoding, shape: SPLIT_SHAPE },
  };
  const layer = { layer: [fitted, observed] };
  const single = shown.length === 1;
  const spec = (single
    ? { data: { values }, width: 560, height: 340, ...layer }
    : { data: { values }, columns: Math.min(3, shown.length), facet: { field: 'lang', type: 'nominal', title: null, sort: shown }, spec: { width: 260, height: 200, ...layer }, resolve: { scale: { y: 'independent' } } }) as unknown as PlotSpec;
  const omitted = langs.length - shown.length;
  return {
    name,
    title: 'Loss against tokens',
    caption: `${lines ? 'Lines: fitted loss through each run\u2019s checkpoints' : 'Hollow diamonds: fitted loss'}; points: observed loss (triangles are held out). ` +
      `Colour: model size. ${values.length} of ${p.rows} rows drawn${values.length < p.rows ? ' (checkpoints thinned evenly in log tokens)' : ''}` +
      `${single ? '' : `; one panel per evaluation language`}${omitted > 0 ? `; ${omitted} more language(s) not drawn (fewest rows)` : ''}.`,
    spec,
  };
}

/** Observed against predicted loss on log axes, with the line of equality. */
export function parityPlot(p: PredictionRows, name: string, options: ThinOptions = {}): PlotDef | null {
  const rows = thinRows(p, rowsOf(p).filter((i) => Number.isFinite(p.predicted[i])), options);
  if (rows.length === 0) return null;
  const values = rows.map((i) => ({ predicted: round6(p.predicted[i]), loss: round6(p.loss[i]), split: p.split[i], lang: p.evalLang[i] }));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v.loss, v.predicted);
    hi = Math.max(hi, v.loss, v.predicted);
  }
  const scale = { type: 'log', nice: false, domain: [round6(lo / 1.02), round6(hi * 1.02)] };
  const spec = {
    width: 300,
    height: 300,
    layer: [
      { data: { values: [{ a: round6(lo / 1.02) }, { a: round6(hi * 1.02) }] }, mark: { type: 'line', color: '#888', strokeDash: [4, 4] }, encoding: { x: { field: 'a', type: 'quantitative', scale }, y: { field: 'a', type: 'quantitative', scale } } },
      { data: { values }, mark: { type: 'point', filled: true, size: 22, opacity: 0.7 }, encoding: { x: { field: 'predicted', type: 'quantitative', scale, title: 'predicted loss' }, y: { field: 'loss', type: 'quantitative', scale, title: 'observed loss' }, color: SPLIT_COLOR, shape: SPLIT_SHAPE } },
    ],
  } as unknown as PlotSpec;
  return { name, title: 'Observed against predicted', caption: `Dashed: observed = predicted. ${values.length} of ${p.rows} rows drawn.`, spec };
}

/** Residuals ln L − ln L̂ against tokens, coloured by split, one panel per language when there are several. */
export function residualPlot(p: PredictionRows, name: string, options: ThinOptions = {}): PlotDef | null {
  const langs = languageOrder(p);
  const shown = langs.slice(0, options.maxLanguages ?? 9);
  const shownSet = new Set(shown);
  const rows = thinRows(p, rowsOf(p).filter((i) => shownSet.has(p.evalLang[i]) && Number.isFinite(p.predicted[i]) && p.predicted[i] > 0), options);
  if (rows.length === 0) return null;
  const values = rows.map((i) => ({ tokens: round6(p.tokens[i]), residual: round6(Math.log(p.loss[i]) - Math.log(p.predicted[i])), split: p.split[i], lang: p.evalLang[i], N: formatCount(p.params[i]) }));
  const x = { field: 'tokens', type: 'quantitative', scale: { type: 'log' }, title: 'tokens D', axis: SI_AXIS };
  const layer = {
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { y: { datum: 0, type: 'quantitative' } } },
      { mark: { type: 'point', filled: true, size: 22, opacity: 0.75 }, encoding: { x, y: { field: 'residual', type: 'quantitative', title: 'ln L − ln L̂' }, color: SPLIT_COLOR, shape: SPLIT_SHAPE } },
    ],
  };
  const single = shown.length === 1;
  const spec = (single
    ? { data: { values }, width: 400, height: 300, ...layer }
    : { data: { values }, columns: Math.min(3, shown.length), facet: { field: 'lang', type: 'nominal', title: null, sort: shown }, spec: { width: 260, height: 150, ...layer } }) as unknown as PlotSpec;
  return {
    name,
    title: 'Residuals on the fitted scale',
    caption: `ln(observed) − ln(predicted) per row: positive means the law predicts too low a loss. ${values.length} of ${p.rows} rows drawn${single ? '' : '; one panel per evaluation language'}.`,
    spec,
  };
}
