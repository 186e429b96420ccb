/**
 * Plots against training compute C = 6ND (the usual approximation of training FLOPs):
 *
 * - loss against compute: observed loss (points) and fitted loss (lines through each run's
 *   checkpoints) per model size, with the fitted compute-optimal frontier
 *   L*(C) = L(N*(C), D*(C)) of a Chinchilla-family fit (Hoffmann et al. 2022, Eq. 4) — the
 *   lowest loss the fitted law allows at each compute budget, the lower envelope of the curves;
 * - residuals ln L − ln L̂ against model size N and against compute C, side by side, so a trend
 *   the law misses along either axis is visible.
 */
import type { PredictionRows } from '../inputs.ts';
import { languageOrder, rowsOf, sizeColor, SPLIT_COLOR, SPLIT_SHAPE, thinRows, type PlotDef, type ThinOptions } from './fit_plots.ts';
import { chinchillaLoss, computeOptimalND, type ChinchillaSet } from './law_plots.ts';
import { logSpace, round6, SI_LABEL } from './format.ts';
import type { PlotSpec } from './render.ts';

const SI_AXIS = { labelExpr: SI_LABEL };
const COMPUTE_TITLE = 'compute C = 6ND (FLOPs)';
/** Compute axis labels as FLOPs are written: 1e21, 3e22. */
const COMPUTE_AXIS = { labelExpr: "replace(format(datum.value, '.0e'), 'e+', 'e')", tickCount: 5 };

/** Training compute of row i, C = 6ND. */
function compute(p: PredictionRows, i: number): number {
  return 6 * p.params[i] * p.tokens[i];
}

/**
 * Loss against compute, one panel per evaluation language (when several), with the fitted
 * compute-optimal frontier of each Chinchilla-form coefficient set. `sets` are the fit's sets;
 * `byLanguage` says each set belongs to the language of its label (`--group-by eval_lang`),
 * otherwise the single set applies to every panel.
 */
export function lossVsComputePlot(p: PredictionRows, sets: ChinchillaSet[], byLanguage: boolean, name: string, options: ThinOptions = {}): PlotDef | null {
  const langs = languageOrder(p);
  const shown = langs.slice(0, options.maxLanguages ?? 9);
  const shownSet = new Set(shown);
  const rows = thinRows(p, rowsOf(p).filter((i) => shownSet.has(p.evalLang[i]) && Number.isFinite(p.predicted[i]) && p.predicted[i] > 0), options);
  if (rows.length === 0) return null;
  const color = sizeColor(p, rows);
  const values: Record<string, unknown>[] = rows.map((i) => ({
    kind: 'row',
    run: `${p.runId[i]}|${p.evalLang[i]}`,
    lang: p.evalLang[i],
    C: round6(compute(p, i)),
    loss: round6(p.loss[i]),
    predicted: round6(p.predicted[i]),
    split: p.split[i],
    [color.field]: color.value(i),
  }));
  const runs = new Set(rows.map((i) => `${p.runId[i]}|${p.evalLang[i]}`)).size;
  const lines = rows.length >= 2 * runs;
  let frontiers = 0;
  for (const lang of shown) {
    const set = byLanguage ? sets.find((s) => s.label === lang) : sets.length === 1 ? sets[0] : undefined;
    if (!set) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const i of rows) {
      if (p.evalLang[i] !== lang) continue;
      lo = Math.min(lo, compute(p, i));
      hi = Math.max(hi, compute(p, i));
    }
    if (!(hi > lo)) continue;
    frontiers++;
    for (const c of logSpace(lo, hi, 60)) {
      const opt = computeOptimalND(set.values, c);
      const loss = chinchillaLoss(set.values, opt.n, opt.d);
      if (Number.isFinite(loss) && loss > 0) values.push({ kind: 'frontier', lang, C: round6(c), frontier: round6(loss) });
    }
  }
  const x = { field: 'C', type: 'quantitative', scale: { type: 'log' }, title: COMPUTE_TITLE, axis: COMPUTE_AXIS };
  const yScale = { type: 'log', nice: false, padding: 8, zero: false };
  const isRow = { filter: "datum.kind === 'row'" };
  const layer = [
    lines
      ? { transform: [isRow], mark: { type: 'line', strokeWidth: 1.2, opacity: 0.85 }, encoding: { x, y: { field: 'predicted', type: 'quantitative', scale: yScale, title: 'loss' }, color: color.encoding, detail: { field: 'run', type: 'nominal' }, order: { field: 'C', type: 'quantitative' } } }
      : { transform: [isRow], mark: { type: 'point', shape: 'diamond', filled: false, size: 30, strokeWidth: 1 }, encoding: { x, y: { field: 'predicted', type: 'quantitative', scale: yScale, title: 'loss' }, color: color.encoding } },
    { transform: [isRow], mark: { type: 'point', filled: true, size: 24, opacity: 0.8 }, encoding: { x, y: { field: 'loss', type: 'quantitative', scale: yScale, title: 'loss' }, color: color.encoding, shape: SPLIT_SHAPE } },
    ...(frontiers > 0
      ? [{ transform: [{ filter: "datum.kind === 'frontier'" }], mark: { type: 'line', color: 'black', strokeWidth: 2.5, strokeDash: [8, 3] }, encoding: { x, y: { field: 'frontier', type: 'quantitative', scale: yScale, title: 'loss' } } }]
      : []),
  ];
  const single = shown.length === 1;
  const spec = (single
    ? { data: { values }, width: 560, height: 340, layer }
    : { data: { values }, columns: Math.min(3, shown.length), facet: { field: 'lang', type: 'nominal', title: null, sort: shown }, spec: { width: 260, height: 200, layer }, resolve: { scale: { y: 'independent' } } }) as unknown as PlotSpec;
  return {
    name,
    title: 'Loss against compute',
    caption: `Training compute C = 6ND. ${lines ? 'Lines: fitted loss through each run\u2019s checkpoints' : 'Hollow diamonds: fitted loss'}; points: observed loss (triangles are held out); colour: model size. ` +
      (frontiers > 0
        ? `Dashed black: the fitted compute-optimal frontier L*(C) = L(N*(C), D*(C)), the lowest loss the fitted law reaches at each budget (N* and D* from Hoffmann et al. 2022, Eq. 4).`
        : sets.length === 0
        ? 'No frontier: it is drawn for Chinchilla-family laws only.'
        : 'No frontier: the fit\u2019s groups do not match the panels.') +
      ` ${rows.length} of ${p.rows} rows drawn${single ? '' : '; one panel per evaluation language'}.`,
    spec,
  };
}

/** Residuals ln L − ln L̂ against model size N and against compute C = 6ND, side by side. */
export function residualsByScalePlot(p: PredictionRows, name: string, options: ThinOptions = {}): PlotDef | null {
  const rows = thinRows(p, rowsOf(p).filter((i) => Number.isFinite(p.predicted[i]) && p.predicted[i] > 0), options);
  if (rows.length === 0) return null;
  const values = rows.map((i) => ({ N: round6(p.params[i]), C: round6(compute(p, i)), residual: round6(Math.log(p.loss[i]) - Math.log(p.predicted[i])), split: p.split[i] }));
  const y = { field: 'residual', type: 'quantitative', title: 'ln L − ln L̂' };
  const panel = (field: string, title: string, axis: Record<string, unknown>) => ({
    width: 300,
    height: 220,
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { y: { datum: 0, type: 'quantitative' } } },
      { mark: { type: 'point', filled: true, size: 20, opacity: 0.7 }, encoding: { x: { field, type: 'quantitative', scale: { type: 'log' }, title, axis }, y, color: SPLIT_COLOR, shape: SPLIT_SHAPE } },
    ],
  });
  const spec = { data: { values }, hconcat: [panel('N', 'model size N (parameters)', { ...SI_AXIS, tickCount: 5 }), panel('C', COMPUTE_TITLE, COMPUTE_AXIS)], resolve: { scale: { y: 'shared' } } } as unknown as PlotSpec;
  return {
    name,
    title: 'Residuals against model size and compute',
    caption: `ln(observed) − ln(predicted) per row against N (left) and C = 6ND (right), every language pooled; a trend along either axis is a misfit the law does not capture. ${values.length} of ${p.rows} rows drawn.`,
    spec,
  };
}
