/**
 * Prediction intervals, interval metrics and extrapolation distances for a fitted law
 * (docs/intervals.md).
 *
 * A 95 % prediction interval for a new row combines two sources of error, each measured in the
 * space the law was fitted in (ln L for the log objectives, L for `lsq-linear`):
 *
 * - parameter uncertainty: the 2.5 % and 97.5 % quantiles P_lo, P_hi of the row's prediction
 *   ŷ_b over the cluster-bootstrap draws θ_b (runs resampled with replacement; bootstrap.csv);
 * - residual scatter: the 2.5 % and 97.5 % quantiles R_lo, R_hi of the training residuals
 *   e_i = y_i − ŷ_i of the fit (`residuals` in coefficients.json).
 *
 * The half-widths add in quadrature, side by side:
 *   lo = ŷ − sqrt(max(0, ŷ − P_lo)² + max(0, −R_lo)²),   hi = ŷ + sqrt(max(0, P_hi − ŷ)² + max(0, R_hi)²)
 * and are mapped back to the loss scale (exp for the log space). Without bootstrap draws the
 * parameter term is 0 and the interval covers the residual scatter only (`parameter: false`).
 */
import type { BootstrapDraws, CoefficientArtifact, DataRanges, ResidualScatter } from '../io/artifact.ts';
import { getLaw } from '../laws/index.ts';
import { predictLoss } from '../fitting/fit.ts';
import { quantileSorted } from '../fitting/stats.ts';
import type { RunTable } from '../io/types.ts';
import { subsetTable } from '../io/table.ts';
import { entriesFor, validateArtifact, valuesOf, type ValidationReport } from './validate.ts';
import { heldOutMask } from './holdout.ts';

/** Coverage the intervals aim at. */
export const LEVEL = 0.95;

export interface PredictionIntervals {
  /** Point prediction (loss scale), as `predictTable`. */
  predicted: Float64Array;
  /** Lower and upper end of the 95 % prediction interval (loss scale). */
  lo: Float64Array;
  hi: Float64Array;
  /** Whether bootstrap draws entered (false: residual scatter only). */
  parameter: boolean;
}

/** Space in which an artifact's law was fitted: `linear` for lsq-linear, else `log`. */
export function residualSpace(artifact: Pick<CoefficientArtifact, 'objective'>): 'log' | 'linear' {
  return artifact.objective.kind === 'lsq-linear' ? 'linear' : 'log';
}

/**
 * Residual scatter of a fit: quantiles of e = y − ŷ over the rows where `include(i)` holds,
 * in `space` (observed and predicted on the loss scale).
 */
export function residualScatter(observed: ArrayLike<number>, predicted: ArrayLike<number>, include: (i: number) => boolean, space: 'log' | 'linear'): ResidualScatter {
  const e: number[] = [];
  for (let i = 0; i < observed.length; i++) {
    if (!include(i)) continue;
    const r = space === 'log' ? Math.log(observed[i]) - Math.log(predicted[i]) : observed[i] - predicted[i];
    if (Number.isFinite(r)) e.push(r);
  }
  const sorted = Float64Array.from(e).sort();
  return { space, rows: e.length, q025: quantileSorted(sorted, (1 - LEVEL) / 2), q975: quantileSorted(sorted, (1 + LEVEL) / 2) };
}

/**
 * 95 % prediction interval of every row of `table` under a fitted artifact.
 * @param draws the fit's bootstrap draws (`readDraws(path, artifact)`), or null for residual scatter only
 * @param designs the law's design of each group's rows by group name ('' without groups), where the
 *   caller has it (the fit stage); a group without one is prepared from `table`
 * @example
 *   const artifact = readArtifact('results/fit/coefficients.json');
 *   const iv = predictionIntervals(artifact, table, readDraws('results/fit/coefficients.json', artifact));
 *   iv.lo[0], iv.predicted[0], iv.hi[0]
 */
export function predictionIntervals(artifact: CoefficientArtifact, table: RunTable, draws: BootstrapDraws | null, designs?: ReadonlyMap<string, unknown>): PredictionIntervals {
  const law = getLaw(artifact.law);
  const space = residualSpace(artifact);
  const toSpace = space === 'log' ? Math.log : (v: number) => v;
  const fromSpace = space === 'log' ? Math.exp : (v: number) => v;
  const predicted = new Float64Array(table.rows);
  const lo = new Float64Array(table.rows);
  const hi = new Float64Array(table.rows);
  let parameter = draws !== null;
  for (const { name, entry, rows } of entriesFor(artifact, table)) {
    const known = designs?.get(name);
    const design = known !== undefined && law.size(known) === rows.length ? known : law.prepare(artifact.groups ? subsetTable(table, rows) : table, entry.context);
    const point = predictLoss(law, entry.context, design, valuesOf(entry.params));
    const scatter = entry.residuals;
    const rLo = scatter && Number.isFinite(scatter.q025) ? Math.max(0, -scatter.q025) : 0;
    const rHi = scatter && Number.isFinite(scatter.q975) ? Math.max(0, scatter.q975) : 0;
    const groupDraws = draws?.groups[name];
    if (draws && !groupDraws) parameter = false;
    const samples = groupDraws ? bootstrapPredictions(law, entry.context, design, groupDraws, rows.length) : null;
    const column = new Float64Array(samples ? samples.length : 0);
    rows.forEach((row, k) => {
      const y = toSpace(point[k]);
      let pLo = 0;
      let pHi = 0;
      if (samples && samples.length > 0) {
        for (let b = 0; b < samples.length; b++) column[b] = toSpace(samples[b][k]);
        const sorted = column.filter(Number.isFinite).sort();
        pLo = Math.max(0, y - quantileSorted(sorted, (1 - LEVEL) / 2));
        pHi = Math.max(0, quantileSorted(sorted, (1 + LEVEL) / 2) - y);
      }
      predicted[row] = point[k];
      // An artifact without residual scatter (written before it was recorded) and without draws has no interval.
      const known = scatter !== undefined || (samples !== null && samples.length > 0);
      lo[row] = known ? fromSpace(y - Math.hypot(pLo, rLo)) : NaN;
      hi[row] = known ? fromSpace(y + Math.hypot(pHi, rHi)) : NaN;
    });
  }
  return { predicted, lo, hi, parameter };
}

function bootstrapPredictions<Ctx, D>(law: ReturnType<typeof getLaw>, ctx: Ctx, design: D, draws: { names: string[]; values: number[][] }, rows: number): Float64Array[] {
  return draws.values.map((row) => {
    const values: Record<string, number> = {};
    draws.names.forEach((name, j) => { values[name] = row[j]; });
    return row.every(Number.isFinite) ? predictLoss(law, ctx, design, values) : new Float64Array(rows).fill(NaN);
  });
}

/**
 * 95 % interval of one prediction from its bootstrap samples (loss scale; may be empty) and a
 * residual scatter, by the same quadrature rule as `predictionIntervals`. [NaN, NaN] when neither
 * is known.
 */
export function intervalFromSamples(point: number, samples: readonly number[], scatter: ResidualScatter | undefined): [number, number] {
  const space = scatter?.space ?? 'log';
  const toSpace = space === 'log' ? Math.log : (v: number) => v;
  const fromSpace = space === 'log' ? Math.exp : (v: number) => v;
  const y = toSpace(point);
  const sorted = Float64Array.from(samples, toSpace).filter(Number.isFinite).sort();
  if (!scatter && sorted.length === 0) return [NaN, NaN];
  const pLo = sorted.length ? Math.max(0, y - quantileSorted(sorted, (1 - LEVEL) / 2)) : 0;
  const pHi = sorted.length ? Math.max(0, quantileSorted(sorted, (1 + LEVEL) / 2) - y) : 0;
  const rLo = scatter && Number.isFinite(scatter.q025) ? Math.max(0, -scatter.q025) : 0;
  const rHi = scatter && Number.isFinite(scatter.q975) ? Math.max(0, scatter.q975) : 0;
  return [fromSpace(y - Math.hypot(pLo, rLo)), fromSpace(y + Math.hypot(pHi, rHi))];
}

/** Natural-scale parameter values of each bootstrap draw of a group ('' without groups). */
export function drawValues(draws: BootstrapDraws | null, group: string | null | undefined): Record<string, number>[] {
  const g = draws?.groups[group ?? ''];
  if (!g) return [];
  return g.values.map((row) => Object.fromEntries(g.names.map((name, j) => [name, row[j]])));
}

export interface IntervalMetrics {
  /** Fraction of rows whose observed loss lies inside its 95 % interval. */
  coverage95: number;
  /** Mean signed relative error, mean((predicted − observed)/observed): > 0 when the law over-predicts. */
  bias: number;
}

/** Coverage and bias over the rows where `include(i)` holds. */
export function intervalMetrics(observed: ArrayLike<number>, intervals: PredictionIntervals, include: (i: number) => boolean = () => true): IntervalMetrics {
  let rows = 0;
  let inside = 0;
  let bias = 0;
  for (let i = 0; i < observed.length; i++) {
    if (!include(i)) continue;
    rows++;
    if (observed[i] >= intervals.lo[i] && observed[i] <= intervals.hi[i]) inside++;
    bias += (intervals.predicted[i] - observed[i]) / observed[i];
  }
  return { coverage95: rows ? inside / rows : NaN, bias: rows ? bias / rows : NaN };
}

/** Training-row ranges of N, D and C = 6·N·D over the rows where `include(i)` holds. */
export function dataRanges(table: RunTable, include: (i: number) => boolean = () => true): DataRanges {
  const r: DataRanges = { params: [Infinity, -Infinity], tokens: [Infinity, -Infinity], compute: [Infinity, -Infinity] };
  for (let i = 0; i < table.rows; i++) {
    if (!include(i)) continue;
    const c = 6 * table.params[i] * table.tokens[i];
    for (const [key, v] of [['params', table.params[i]], ['tokens', table.tokens[i]], ['compute', c]] as const) {
      if (!Number.isFinite(v)) continue;
      if (v < r[key][0]) r[key][0] = v;
      if (v > r[key][1]) r[key][1] = v;
    }
  }
  return r;
}

/** Beyond this factor outside the fitted data, commands warn. */
export const EXTRAPOLATION_WARN = 10;

export interface Extrapolation {
  /** N/N_max, D/D_max, C/C_max of the asked point against the fitted data (C = 6·N·D). */
  params_ratio: number;
  tokens_ratio: number;
  compute_ratio: number;
  /**
   * How far outside the fitted range the point lies on its worst axis: max over N, D, C of
   * max(x/x_max, x_min/x, 1); 1 inside the data.
   */
  factor: number;
  /** The axis of `factor` (`params`, `tokens` or `compute`), or null inside the data. */
  axis: 'params' | 'tokens' | 'compute' | null;
}

/** Distance of a point (N, D) from the fitted data's ranges. */
export function extrapolation(ranges: DataRanges, params: number, tokens: number): Extrapolation {
  const point = { params, tokens, compute: 6 * params * tokens };
  let factor = 1;
  let axis: Extrapolation['axis'] = null;
  for (const key of ['params', 'tokens', 'compute'] as const) {
    const [min, max] = ranges[key];
    const f = Math.max(point[key] / max, min / point[key], 1);
    if (f > factor) { factor = f; axis = key; }
  }
  return { params_ratio: params / ranges.params[1], tokens_ratio: tokens / ranges.tokens[1], compute_ratio: point.compute / ranges.compute[1], factor, axis };
}

/** The data ranges of the fit that predicts group `group` ('' or null without groups), if recorded. */
export function rangesOf(artifact: CoefficientArtifact, group?: string | null): DataRanges | null {
  if (artifact.groups && group) return artifact.groups[group]?.data?.ranges ?? null;
  return artifact.data?.ranges ?? null;
}

/** One warning line when a point lies more than EXTRAPOLATION_WARN× outside the fitted data, else ''. */
export function extrapolationWarning(e: Extrapolation, label: string): string {
  if (e.factor <= EXTRAPOLATION_WARN || !e.axis) return '';
  const name = { params: 'N', tokens: 'D', compute: 'C = 6ND' }[e.axis];
  return `atlas: warning: ${label} lies ${formatFactor(e.factor)}× outside the fitted data in ${name} ` +
    `(N/N_max ${formatFactor(e.params_ratio)}, D/D_max ${formatFactor(e.tokens_ratio)}, C/C_max ${formatFactor(e.compute_ratio)}); ` +
    `the law is extrapolated far beyond anything it was fitted on\n`;
}

function formatFactor(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v >= 1e4 || v < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/**
 * `validateArtifact` plus interval metrics: coverage95 and bias over the scored rows, overall
 * and per group.
 */
export function validateWithIntervals(artifact: CoefficientArtifact, table: RunTable, holdout: string | null, draws: BootstrapDraws | null): ValidationReport {
  const report = validateArtifact(artifact, table, holdout);
  const intervals = predictionIntervals(artifact, table, draws);
  const mask = holdout ? heldOutMask(table, holdout) : null;
  const include = (i: number) => (mask ? mask[i] === 1 : true);
  Object.assign(report, intervalMetrics(table.loss, intervals, include), { intervals: intervals.parameter ? 'bootstrap+residual' : 'residual only' });
  if (report.groups) {
    for (const { name, rows } of entriesFor(artifact, table)) {
      const set = new Set(rows);
      if (report.groups[name]) Object.assign(report.groups[name], intervalMetrics(table.loss, intervals, (i) => set.has(i) && include(i)));
    }
  }
  return report;
}
