/**
 * The data mixing law of Ye et al. (2025), "Data Mixing Laws: Optimizing Data Mixtures by
 * Predicting Language Modeling Performance" (ICLR 2025, arXiv:2403.16952; the law the paper is named for):
 *
 *   L_i(r) = c_i + k_i · exp( Σ_j t_ij · r_j )
 *
 * per target (validation) domain i, over the training proportions r (Σ r_j = 1), fitted by
 * nonlinear least squares. Because Σ r_j = 1, k_i and a common shift of the t_ij are one degree of
 * freedom (k·exp(t·r) = exp(Σ_j (t_j + ln k)·r_j)); atlas folds k into the t's, so every parameter
 * is identified:
 *
 *   L(r) = c + exp( Σ_j t_j · r_j )          (t_j = t_ij + ln k_i of the paper)
 *
 * and exp(t_j) is the reducible loss of a model trained on domain j alone. The fitted t over
 * targets is the transfer matrix (rows: targets, columns: training domains).
 *
 * Law option `scale` adds the Chinchilla size terms for data of several sizes, as a power law on
 * the mixture-dependent part (the irreducible c stays shared):
 *
 *   `params`:         L = c + exp(t·r) · (N/N₀)^(−alpha)
 *   `params,tokens`:  L = c + exp(t·r) · (N/N₀)^(−alpha) · (D/D₀)^(−beta)
 *
 * N₀, D₀ are the geometric means of the training rows (stored in the context), so the t's keep
 * their single-size meaning at the centre of the data.
 *
 * Fitted in log space: ln L̂ = LSE(ln c, s), s = t·r − alpha·ln(N/N₀) − beta·ln(D/D₀). Starting
 * values come from the data: for a grid of c below the smallest loss, ln(L − c) is regressed on r
 * by least squares and the best c (in squared loss error) gives the start.
 * @see https://arxiv.org/abs/2403.16952
 */
import type { Law, LawOptions, ParamSpec } from './law.ts';
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';
import { leastSquaresCoefficients, mixtureDomains, mixtureWeights, singleTarget } from './mixture.ts';

export type MixingScale = 'none' | 'params' | 'params,tokens';

export interface MixingLawContext {
  target: string;
  domains: string[];
  scale: MixingScale;
  /** ln N₀ and ln D₀ (geometric means of the training rows). */
  logN0: number;
  logD0: number;
  /** Data-driven starts: c and t per domain. */
  start: { c: number; t: number[] };
}

export interface MixingLawDesign {
  n: number;
  m: number;
  p: number;
  /** Row-major n × m mixture weights. */
  r: Float64Array;
  logN: Float64Array;
  logD: Float64Array;
  scale: MixingScale;
}

function parseScale(value: unknown): MixingScale {
  if (value === undefined || value === null || value === 'none') return 'none';
  const text = String(value).split(',').map((s) => s.trim()).filter(Boolean).join(',');
  if (text === 'params' || text === 'params,tokens') return text;
  throw new InputError(`scale: expected none, params or params,tokens, got "${String(value)}"`);
}

/** Data-driven start: the c (below the smallest loss) whose log-linear fit of L − c is best. */
function startValues(r: Float64Array, loss: Float64Array, n: number, m: number): { c: number; t: number[] } {
  let min = Infinity;
  for (let i = 0; i < n; i++) min = Math.min(min, loss[i]);
  let best = { c: min / 2, t: new Array<number>(m).fill(Math.log(min / 2)), sse: Infinity };
  const y = new Float64Array(n);
  for (const f of [0.05, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98]) {
    const c = f * min;
    for (let i = 0; i < n; i++) y[i] = Math.log(loss[i] - c);
    const t = leastSquaresCoefficients(r, y, n, m);
    let sse = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += t[j] * r[i * m + j];
      sse += (c + Math.exp(s) - loss[i]) ** 2;
    }
    if (sse < best.sse) best = { c, t: Array.from(t, (v) => Math.max(-20, Math.min(20, v))), sse };
  }
  return { c: best.c, t: best.t };
}

function parameters(ctx: MixingLawContext): ParamSpec[] {
  const lc = Math.log(ctx.start.c);
  const specs: ParamSpec[] = [
    { name: 'c', init: ctx.start.c, lower: Math.log(1e-6), upper: Math.log(1e3), log: true, grid: [lc - 1, lc, Math.min(lc + 0.1, Math.log(1e3))], description: 'irreducible loss of the target domain' },
  ];
  ctx.domains.forEach((d, k) => specs.push({ name: `t_${d}`, init: ctx.start.t[k], lower: -30, upper: 30, description: `ln of the reducible loss when training on ${d} alone (transfer coefficient)` }));
  if (ctx.scale !== 'none') specs.push({ name: 'alpha', init: 0.3, lower: 0, upper: 3, grid: [0.1, 0.5], description: 'size exponent of the mixture-dependent loss' });
  if (ctx.scale === 'params,tokens') specs.push({ name: 'beta', init: 0.3, lower: 0, upper: 3, grid: [0.1, 0.5], description: 'token exponent of the mixture-dependent loss' });
  return specs;
}

function meanLog(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.log(values[i]);
  return values.length ? s / values.length : 0;
}

/** Predicted loss and its gradient over the proportions r (length m) for model size N, tokens D. */
export function mixingLawLoss(values: Record<string, number>, ctx: MixingLawContext, r: ArrayLike<number>, params = Math.exp(ctx.logN0), tokens = Math.exp(ctx.logD0)): { loss: number; grad: Float64Array } {
  let s = 0;
  ctx.domains.forEach((d, j) => { s += values[`t_${d}`] * r[j]; });
  if (ctx.scale !== 'none') s -= values.alpha * (Math.log(params) - ctx.logN0);
  if (ctx.scale === 'params,tokens') s -= values.beta * (Math.log(tokens) - ctx.logD0);
  const e = Math.exp(s);
  return { loss: values.c + e, grad: Float64Array.from(ctx.domains, (d) => e * values[`t_${d}`]) };
}

export const mixingLaw: Law<MixingLawContext, MixingLawDesign> = {
  id: 'mixing-law',
  title: 'Data mixing law (Ye et al. 2025)',
  reference: 'Ye et al. 2025, Data Mixing Laws: Optimizing Data Mixtures by Predicting Language Modeling Performance, ICLR 2025, arXiv:2403.16952 (the data mixing law)',
  formula: 'L = c + exp(sum_j t_j r_j) [· (N/N0)^-alpha · (D/D0)^-beta with option scale]; t_j = t_ij + ln k_i of the paper',
  context(table: RunTable, options: LawOptions): MixingLawContext {
    const target = singleTarget(table, 'mixing-law');
    const domains = mixtureDomains(table);
    const scale = parseScale(options.scale);
    const r = mixtureWeights(table, domains, 'mixing-law');
    return { target, domains, scale, logN0: meanLog(table.params), logD0: meanLog(table.tokens), start: startValues(r, table.loss, table.rows, domains.length) };
  },
  parameters,
  prepare(table: RunTable, ctx: MixingLawContext): MixingLawDesign {
    const n = table.rows;
    const m = ctx.domains.length;
    const logN = new Float64Array(n);
    const logD = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      logN[i] = Math.log(table.params[i]) - ctx.logN0;
      logD[i] = Math.log(table.tokens[i]) - ctx.logD0;
    }
    const p = 1 + m + (ctx.scale === 'none' ? 0 : ctx.scale === 'params' ? 1 : 2);
    return { n, m, p, r: mixtureWeights(table, ctx.domains, 'mixing-law'), logN, logD, scale: ctx.scale };
  },
  size: (d) => d.n,
  evaluate(theta, design, out, jac) {
    const { n, m, p, r, logN, logD, scale } = design;
    const lc = theta[0];
    const alpha = scale === 'none' ? 0 : theta[1 + m];
    const beta = scale === 'params,tokens' ? theta[2 + m] : 0;
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let s = -alpha * logN[i] - beta * logD[i];
      for (let j = 0; j < m; j++) s += theta[1 + j] * r[row + j];
      const mx = s > lc ? s : lc;
      const xc = Math.exp(lc - mx);
      const xs = Math.exp(s - mx);
      const sum = xc + xs;
      out[i] = mx + Math.log(sum);
      if (jac) {
        const wc = xc / sum;
        const ws = xs / sum;
        const base = i * p;
        jac[base] = wc;
        for (let j = 0; j < m; j++) jac[base + 1 + j] = ws * r[row + j];
        if (scale !== 'none') jac[base + 1 + m] = -ws * logN[i];
        if (scale === 'params,tokens') jac[base + 2 + m] = -ws * logD[i];
      }
    }
  },
  derived(values, ctx) {
    // The paper's gauge: t_ij centred over the training domains, k_i = exp(mean_j t_j).
    const ts = ctx.domains.map((d) => values[`t_${d}`]);
    const mean = ts.reduce((a, b) => a + b, 0) / Math.max(1, ts.length);
    return { k: Math.exp(mean) };
  },
  defaults: { objective: 'lsq-linear' },
};
