/**
 * The linear baseline of RegMix (Liu et al. 2025, "RegMix: Data Mixture as Regression for
 * Language Model Pre-training", ICLR 2025, arXiv:2407.01492, the linear regression beside LightGBM): the target
 * loss as a linear function of the mixture weights,
 *
 *   L(r) = Σ_j w_j · r_j
 *
 * With Σ r_j = 1 an intercept is the same as adding it to every w_j, so none is fitted; w_j is the
 * predicted loss of a model trained on domain j alone. Fitted by least squares on the loss itself
 * (objective `lsq-linear`, the ordinary least squares of the paper) with w_j ≥ 0 so that the
 * log-space evaluation the fitting layer uses stays defined; starts are the unconstrained least
 * squares solution (clipped at the bound).
 * @see https://arxiv.org/abs/2407.01492
 */
import type { Law, LawOptions, ParamSpec } from './law.ts';
import type { RunTable } from '../io/types.ts';
import { leastSquaresCoefficients, mixtureDomains, mixtureWeights, singleTarget } from './mixture.ts';

export interface MixtureLinearContext {
  target: string;
  domains: string[];
  /** Least-squares start per domain. */
  start: number[];
}

export interface MixtureLinearDesign {
  n: number;
  m: number;
  r: Float64Array;
}

/** Smallest weight (the bound keeps L̂ > 0 for the log-space evaluation). */
const W_MIN = 1e-9;

/** Predicted loss and its gradient over the proportions r. */
export function mixtureLinearLoss(values: Record<string, number>, ctx: MixtureLinearContext, r: ArrayLike<number>): { loss: number; grad: Float64Array } {
  let loss = 0;
  ctx.domains.forEach((d, j) => { loss += values[`w_${d}`] * r[j]; });
  return { loss, grad: Float64Array.from(ctx.domains, (d) => values[`w_${d}`]) };
}

export const mixtureLinear: Law<MixtureLinearContext, MixtureLinearDesign> = {
  id: 'mixture-linear',
  title: 'Linear mixture regression (RegMix linear baseline)',
  reference: 'Liu et al. 2025, RegMix: Data Mixture as Regression for Language Model Pre-training, ICLR 2025, arXiv:2407.01492 (linear regression baseline)',
  formula: 'L = sum_j w_j r_j',
  context(table: RunTable, _options: LawOptions): MixtureLinearContext {
    const target = singleTarget(table, 'mixture-linear');
    const domains = mixtureDomains(table);
    const r = mixtureWeights(table, domains, 'mixture-linear');
    const start = Array.from(leastSquaresCoefficients(r, table.loss, table.rows, domains.length), (w) => Math.max(w, 1e-3));
    return { target, domains, start };
  },
  parameters(ctx): ParamSpec[] {
    return ctx.domains.map((d, k) => ({ name: `w_${d}`, init: ctx.start[k], lower: W_MIN, upper: Infinity, description: `predicted loss when training on ${d} alone` }));
  },
  prepare(table, ctx) {
    return { n: table.rows, m: ctx.domains.length, r: mixtureWeights(table, ctx.domains, 'mixture-linear') };
  },
  size: (d) => d.n,
  evaluate(theta, design, out, jac) {
    const { n, m, r } = design;
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += theta[j] * r[row + j];
      out[i] = Math.log(s);
      if (jac) for (let j = 0; j < m; j++) jac[row + j] = r[row + j] / s;
    }
  },
  defaults: { objective: 'lsq-linear', starts: 'init' },
};
