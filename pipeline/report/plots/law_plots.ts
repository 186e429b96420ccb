/**
 * Plots drawn from a fitted law's coefficients, for laws of the Chinchilla family
 * (L = E + A/N^α + B/D^β: `chinchilla`, and `data-constrained` read with unlimited unique data):
 *
 * - iso-loss contours: lines of equal predicted loss in the (N, D) plane, solved in closed form
 *   (D = (B / (ℓ − E − A N^−α))^{1/β}), with the compute-optimal frontier
 *   N*(C) = G (C/6)^{β/(α+β)}, D*(C) = G^{−1} (C/6)^{α/(α+β)}, G = (αA / βB)^{1/(α+β)}
 *   (Hoffmann et al. 2022, Eq. 4), and the runs of the data as points;
 * - an uncertainty band of the fitted curve L(N, ·) for a few model sizes. Its source is stated
 *   in the caption: the fit's joint bootstrap draws (`bootstrap.csv`), else draws the report
 *   recomputes (bootstrap.ts), else independent normal draws matched to each parameter's 95 %
 *   interval (on the fitted scale: ln for amplitudes). The last kind ignores correlations and is
 *   an approximation, wider than the joint band where parameters trade off (A against α, B
 *   against β).
 */
import type { CoefficientArtifact, DerivedEntry, ParamEntry } from '../../io/artifact.ts';
import type { PredictionRows } from '../inputs.ts';
import type { RecomputedDraws } from '../bootstrap.ts';
import type { PlotDef } from './fit_plots.ts';
import { formatCount, logSpace, mulberry32, normalFrom, quantile, round6, SI_LABEL, trimNumber } from './format.ts';
import type { PlotSpec } from './render.ts';

const SI_AXIS = { labelExpr: SI_LABEL };

const CHINCHILLA_NAMES = ['E', 'A', 'B', 'alpha', 'beta'] as const;

/** Laws whose coefficients read as L = E + A/N^α + B/D^β (with the reading noted in captions). */
export const CHINCHILLA_FAMILY: Record<string, string> = {
  chinchilla: '',
  'data-constrained': ' (data-constrained law read with unlimited unique data: no repetition penalty)',
};

/** One set of Chinchilla-form coefficients: the artifact's, or one group's. */
export interface ChinchillaSet {
  label: string;
  params: Record<string, ParamEntry>;
  values: { E: number; A: number; B: number; alpha: number; beta: number };
  note: string;
  /** Derived quantities of the fit (`n_opt_at_<C>`, `d_opt_at_<C>` with bootstrap intervals are drawn). */
  derived: Record<string, DerivedEntry>;
}

/** The Chinchilla-form coefficient sets of an artifact (top level, else each group), or none. */
export function chinchillaSets(artifact: CoefficientArtifact): ChinchillaSet[] {
  const note = CHINCHILLA_FAMILY[artifact.law];
  if (note === undefined) return [];
  const make = (label: string, params: Record<string, ParamEntry> | undefined, derived: Record<string, DerivedEntry> | undefined): ChinchillaSet | null => {
    if (!params || !CHINCHILLA_NAMES.every((k) => params[k] && Number.isFinite(params[k].value))) return null;
    const v = Object.fromEntries(CHINCHILLA_NAMES.map((k) => [k, params[k].value])) as ChinchillaSet['values'];
    return { label, params, values: v, note, derived: derived ?? {} };
  };
  const top = make('', artifact.params, artifact.derived);
  if (top) return [top];
  const out: ChinchillaSet[] = [];
  for (const group of Object.keys(artifact.groups ?? {}).sort()) {
    const set = make(group, artifact.groups![group].params, artifact.groups![group].derived);
    if (set) out.push(set);
  }
  return out;
}

/** Predicted loss of the Chinchilla form. */
export function chinchillaLoss(v: ChinchillaSet['values'], n: number, d: number): number {
  return v.E + v.A * n ** -v.alpha + v.B * d ** -v.beta;
}

/** Compute-optimal allocation for C = 6ND (Hoffmann et al. 2022, Eq. 4). */
export function computeOptimalND(v: ChinchillaSet['values'], compute: number): { n: number; d: number } {
  const s = v.alpha + v.beta;
  const g = ((v.alpha * v.A) / (v.beta * v.B)) ** (1 / s);
  return { n: g * (compute / 6) ** (v.beta / s), d: (compute / 6) ** (v.alpha / s) / g };
}

/** D on the iso-loss line `level` at model size `n`, or NaN where the level is out of reach. */
export function isoLossTokens(v: ChinchillaSet['values'], level: number, n: number): number {
  const rest = level - v.E - v.A * n ** -v.alpha;
  return rest > 0 ? (v.B / rest) ** (1 / v.beta) : Number.NaN;
}

function range(values: Float64Array | number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of values) {
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/** Loss levels for the contours: `count` rounded values spread over the observed loss range. */
export function contourLevels(v: ChinchillaSet['values'], lossLo: number, lossHi: number, count = 7): number[] {
  const hi = Math.max(lossHi, v.E * 1.05);
  const lo = Math.max(lossLo, v.E + 0.03 * (hi - v.E));
  const step = (hi - lo) / (count - 1);
  const decimals = step >= 0.5 ? 1 : step >= 0.05 ? 2 : 3;
  const levels = Array.from({ length: count }, (_, k) => Number((lo + step * k).toFixed(decimals)));
  return [...new Set(levels)].filter((l) => l > v.E);
}

/** A compute-optimal allocation the fit reports in `derived` (n_opt_at_<C>, d_opt_at_<C>), with its intervals. */
export interface DerivedOptimum {
  compute: number;
  label: string;
  n: number;
  d: number;
  nCi: [number, number] | null;
  dCi: [number, number] | null;
}

/** The `n_opt_at_<C>` / `d_opt_at_<C>` pairs of a fit's derived quantities. */
export function derivedOptima(derived: Record<string, DerivedEntry>): DerivedOptimum[] {
  const out: DerivedOptimum[] = [];
  for (const key of Object.keys(derived).sort()) {
    const m = /^n_opt_at_(.+)$/.exec(key);
    if (!m) continue;
    const d = derived[`d_opt_at_${m[1]}`];
    const n = derived[key];
    const compute = Number(m[1]);
    if (!d || !Number.isFinite(compute) || !(n.value > 0) || !(d.value > 0)) continue;
    out.push({ compute, label: `C=${m[1]}`, n: n.value, d: d.value, nCi: n.ci95 ?? null, dCi: d.ci95 ?? null });
  }
  return out.sort((a, b) => a.compute - b.compute);
}

/** Iso-loss contours and the compute-optimal frontier in the (N, D) plane, with the data's runs. */
export function isoLossPlot(set: ChinchillaSet, p: PredictionRows | null, name: string): PlotDef {
  const v = set.values;
  let [nLo, nHi] = p ? range(p.params) : [1e7, 1e11];
  let [dLo, dHi] = p ? range(p.tokens) : [1e9, 1e12];
  const [lossLo, lossHi] = p ? range(p.loss) : [v.E * 1.1, v.E * 2];
  // Derived allocations far outside the data (more than 10× beyond its N or D range) would
  // stretch the axes until the data is a dot: they are named in the caption instead.
  const near = (v: number, lo: number, hi: number) => v >= lo / 10 && v <= hi * 10;
  const allOptima = derivedOptima(set.derived);
  const optima = allOptima.filter((o) => !p || (near(o.n, nLo, nHi) && near(o.d, dLo, dHi)));
  const outside = allOptima.filter((o) => !optima.includes(o));
  for (const o of optima) {
    nLo = Math.min(nLo, o.n); nHi = Math.max(nHi, o.n);
    dLo = Math.min(dLo, o.d); dHi = Math.max(dHi, o.d);
  }
  nLo /= 2; nHi *= 2; dLo /= 2; dHi *= 2;
  const levels = contourLevels(v, lossLo, lossHi);
  const lines: Record<string, unknown>[] = [];
  const labels: Record<string, unknown>[] = [];
  for (const level of levels) {
    const points: { n: number; d: number }[] = [];
    for (const n of logSpace(nLo, nHi, 160)) {
      const d = isoLossTokens(v, level, n);
      if (!(d >= dLo && d <= dHi)) continue;
      lines.push({ level, N: round6(n), D: round6(d) });
      points.push({ n, d });
    }
    const at = points[Math.floor(points.length * 0.8)];
    if (at) labels.push({ level, N: round6(at.n), D: round6(at.d), text: trimNumber(level, 3) });
  }
  const frontier: Record<string, unknown>[] = [];
  for (const c of logSpace(6 * nLo * dLo, 6 * nHi * dHi, 200)) {
    const opt = computeOptimalND(v, c);
    if (opt.n >= nLo && opt.n <= nHi && opt.d >= dLo && opt.d <= dHi) frontier.push({ N: round6(opt.n), D: round6(opt.d) });
  }
  const runs = p
    ? [...new Map(Array.from({ length: p.rows }, (_, i) => [`${p.params[i]}|${p.tokens[i]}|${p.split[i]}`, { N: round6(p.params[i]), D: round6(p.tokens[i]), split: p.split[i] }])).values()].slice(0, 1500)
    : [];
  const x = { field: 'N', type: 'quantitative', scale: { type: 'log', domain: [round6(nLo), round6(nHi)] }, title: 'parameters N', axis: SI_AXIS };
  const y = { field: 'D', type: 'quantitative', scale: { type: 'log', domain: [round6(dLo), round6(dHi)] }, title: 'tokens D', axis: SI_AXIS };
  const layers: Record<string, unknown>[] = [
    { data: { values: lines }, mark: { type: 'line', strokeWidth: 1.5, clip: true }, encoding: { x, y, color: { field: 'level', type: 'quantitative', scale: { scheme: { name: 'plasma', extent: [0, 0.85] }, reverse: true }, legend: null }, detail: { field: 'level', type: 'quantitative' } } },
    { data: { values: labels }, mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -3, fontSize: 11, fontWeight: 'bold', clip: true }, encoding: { x, y, text: { field: 'text' }, color: { field: 'level', type: 'quantitative', legend: null } } },
  ];
  if (runs.length > 0) {
    layers.push({ data: { values: runs }, mark: { type: 'point', size: 14, opacity: 0.55, filled: true, color: '#444', clip: true }, encoding: { x, y, shape: { field: 'split', type: 'nominal', title: 'runs', scale: { domain: ['train', 'heldout'], range: ['circle', 'triangle-up'] } } } });
  }
  if (frontier.length > 1) {
    layers.push({ data: { values: frontier }, mark: { type: 'line', color: 'black', strokeWidth: 2.5, strokeDash: [8, 3], clip: true }, encoding: { x, y } });
    const at = frontier[Math.floor(frontier.length * 0.15)];
    layers.push({ data: { values: [{ ...at, text: 'compute-optimal' }] }, mark: { type: 'text', align: 'left', dx: 8, dy: 4, fontSize: 11, fontStyle: 'italic' }, encoding: { x, y, text: { field: 'text' } } });
  }
  if (optima.length > 0) {
    const values = optima.map((o) => ({ N: round6(o.n), D: round6(o.d), nLo: round6(o.nCi?.[0] ?? o.n), nHi: round6(o.nCi?.[1] ?? o.n), dLo: round6(o.dCi?.[0] ?? o.d), dHi: round6(o.dCi?.[1] ?? o.d), text: o.label }));
    layers.push(
      { data: { values }, mark: { type: 'rule', color: '#c00', strokeWidth: 2, clip: true }, encoding: { x: { ...x, field: 'nLo' }, x2: { field: 'nHi' }, y } },
      { data: { values }, mark: { type: 'rule', color: '#c00', strokeWidth: 2, clip: true }, encoding: { x, y: { ...y, field: 'dLo' }, y2: { field: 'dHi' } } },
      { data: { values }, mark: { type: 'point', shape: 'diamond', filled: true, color: '#c00', size: 60, clip: true }, encoding: { x, y } },
      { data: { values }, mark: { type: 'text', align: 'right', dx: -8, dy: -8, fontSize: 11, color: '#c00', clip: true }, encoding: { x, y, text: { field: 'text' } } },
    );
  }
  const spec = { width: 400, height: 330, layer: layers } as unknown as PlotSpec;
  return {
    name,
    title: `Iso-loss contours${set.label ? ` (${set.label})` : ''}`,
    caption: `Lines of equal predicted loss L(N, D) = E + A/N^α + B/D^β${set.note}; ` +
      `dashed black: the compute-optimal frontier (N*(C), D*(C)) for C = 6ND; grey points: the runs of the data` +
      (optima.length > 0 ? `; red: the fit’s derived compute-optimal allocations (${optima.map((o) => o.label).join(', ')}) with their bootstrap 95 % intervals in N and D (joint, from the fit’s parameter draws; clipped to the plot)` : '') +
      (outside.length > 0 ? `; not drawn, more than 10× beyond the data: ${outside.map((o) => `${o.label} at N = ${formatCount(o.n)}, D = ${formatCount(o.d)}`).join('; ')}` : '') + '.',
    spec,
  };
}

/** Parameter draws from each parameter's 95 % interval, independent normals on the fitted scale. */
export function marginalDraws(set: ChinchillaSet, count: number, seed: number): Record<string, number[]> | null {
  const normal = normalFrom(mulberry32(seed));
  const out: Record<string, number[]> = {};
  for (const k of CHINCHILLA_NAMES) {
    const entry = set.params[k];
    if (!entry.ci95 && entry.vary === 'free') return null;
    const log = entry.log_scale || ['E', 'A', 'B'].includes(k);
    const to = (x: number) => (log ? Math.log(x) : x);
    const from = (x: number) => (log ? Math.exp(x) : x);
    const center = to(entry.value);
    const sd = entry.ci95 && entry.ci95[0] > (log ? 0 : -Infinity) ? (to(entry.ci95[1]) - to(entry.ci95[0])) / (2 * 1.959964) : 0;
    out[k] = Array.from({ length: count }, () => from(center + sd * normal()));
  }
  return out;
}

/**
 * Fitted loss against tokens for up to five model sizes, with the 2.5–97.5 % band of the curve
 * over parameter draws; observed points of those sizes on top. Null when there are no intervals.
 */
export function bandPlot(artifact: CoefficientArtifact, set: ChinchillaSet, p: PredictionRows | null, name: string, recomputed: RecomputedDraws | null = null, stored: { draws: Record<string, number[]>; count: number } | null = null): PlotDef | null {
  const joint = stored ?? (recomputed ? { draws: recomputed.draws, count: recomputed.count } : null);
  const drawCount = 400;
  const draws = joint?.draws ?? marginalDraws(set, drawCount, artifact.provenance?.seed ?? 0);
  if (!draws) return null;
  const count = joint?.count ?? drawCount;
  const sizesAll = p ? [...new Set(Array.from(p.params))].sort((a, b) => a - b) : [];
  let sizes: number[];
  if (sizesAll.length === 0) sizes = logSpace(1e8, 1e10, 3);
  else if (sizesAll.length <= 5) sizes = sizesAll;
  else sizes = [0, 0.25, 0.5, 0.75, 1].map((q) => sizesAll[Math.round(q * (sizesAll.length - 1))]);
  sizes = [...new Set(sizes)];
  const [dLo, dHi] = p ? range(p.tokens) : [1e9, 1e12];
  const grid = logSpace(dLo, dHi, 48);
  const band: Record<string, unknown>[] = [];
  const buf = new Float64Array(count);
  const sizeLabel = (n: number) => formatCount(n);
  for (const n of sizes) {
    for (const d of grid) {
      for (let b = 0; b < count; b++) buf[b] = draws.E[b] + draws.A[b] * n ** -draws.alpha[b] + draws.B[b] * d ** -draws.beta[b];
      const sorted = Float64Array.from(buf).sort();
      band.push({ size: sizeLabel(n), D: round6(d), lo: round6(quantile(sorted, 0.025)), hi: round6(quantile(sorted, 0.975)), fit: round6(chinchillaLoss(set.values, n, d)) });
    }
  }
  const sizeSet = new Set(sizes);
  const points = p ? Array.from({ length: p.rows }, (_, i) => i).filter((i) => sizeSet.has(p.params[i])).slice(0, 1500).map((i) => ({ size: sizeLabel(p.params[i]), D: round6(p.tokens[i]), loss: round6(p.loss[i]), split: p.split[i] })) : [];
  const domain = sizes.map(sizeLabel);
  const color = { field: 'size', type: 'ordinal', title: 'model size N', scale: { domain, scheme: 'viridis' }, sort: null };
  const x = { field: 'D', type: 'quantitative', scale: { type: 'log' }, title: 'tokens D', axis: SI_AXIS };
  const lossValues = [...band.map((b) => b.fit as number), ...points.map((q) => q.loss)];
  const yScale = { type: 'log', nice: false, padding: 8, domain: [round6(Math.min(...lossValues) / 1.04), round6(Math.max(...lossValues) * 1.04)] };
  const layers: Record<string, unknown>[] = [
    { data: { values: band }, mark: { type: 'area', opacity: 0.25, clip: true }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale, title: 'loss' }, y2: { field: 'hi' }, color } },
    { data: { values: band }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: { field: 'fit', type: 'quantitative', scale: yScale }, color } },
  ];
  if (points.length > 0) layers.push({ data: { values: points }, mark: { type: 'point', filled: true, size: 20, opacity: 0.8 }, encoding: { x, y: { field: 'loss', type: 'quantitative', scale: yScale }, color, shape: { field: 'split', type: 'nominal', title: 'observed', scale: { domain: ['train', 'heldout'], range: ['circle', 'triangle-up'] } } } });
  const source = stored
    ? `the 2.5–97.5 % range of the curve over the fit\u2019s ${count} joint bootstrap parameter draws (bootstrap.csv)`
    : joint
    ? `the 2.5–97.5 % range of the curve over ${count} joint bootstrap parameter draws, recomputed by the report from predictions.csv ` +
      `(the fit’s objective and seed ${recomputed!.seed}, runs resampled, held-out rows excluded, each refit started at the fitted optimum` +
      `${recomputed!.requested < Number((artifact.options as { bootstrap?: unknown }).bootstrap ?? 0) ? `; ${recomputed!.requested} of the fit’s ${String((artifact.options as { bootstrap?: unknown }).bootstrap)} resamples` : ''}); ` +
      `their 2.5/97.5 % quantiles match the intervals in coefficients.json to within ${trimNumber(100 * recomputed!.mismatch, 2)} % of each interval’s width`
    : `the 2.5–97.5 % range over ${count} independent normal draws matched to each parameter\u2019s bootstrap 95 % interval ` +
      `(ln scale for E, A, B; seed ${artifact.provenance?.seed ?? 0}). The folder has no bootstrap.csv with the joint draws (rerun atlas fit to write it), so this band ignores ` +
      `the trade-off between parameters (A against α, B against β) and is wider than the joint bootstrap band`;
  return {
    name,
    title: `Fitted curves with uncertainty band${set.label ? ` (${set.label})` : ''}`,
    caption: `Lines: fitted L(N, D)${set.note} for ${sizes.length} model size(s) of the data; shaded: ${source}. Points: observed loss at those sizes. The band is clipped to the plotted loss range.`,
    spec: { width: 400, height: 330, layer: layers } as unknown as PlotSpec,
  };
}
