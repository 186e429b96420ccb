/**
 * Kaplan et al. 2020 joint law of model size and data (Eq. 1.5 = Eq. 4.1), with an additive
 * irreducible loss E:
 *
 *   L(N, D) = E + [ (N_c/N)^(alpha/beta) + D_c/D ]^beta
 *
 * where alpha = α_N and beta = α_D in the paper's notation. Without E (E → 0) it is Kaplan's
 * form exactly; its limits are Eq. 1.1, L(N) = (N_c/N)^α_N (D → ∞), and Eq. 1.2,
 * L(D) = (D_c/D)^α_D (N → ∞). Unlike the additive Chinchilla form, the two terms interact:
 * overfitting depends on N^(α_N/α_D)/D (§4).
 *
 * Fitted in log space: with u = (alpha/beta)(ln N_c − ln N), v = ln D_c − ln D and
 * S = LSE(u, v), ln L̂ = LSE(ln E, beta·S).
 *
 * Published constants (arXiv:2001.08361): Table 2 ("Fits to L(N, D)"): α_N = 0.076,
 * α_D = 0.103, N_c = 6.4e13, D_c = 1.8e13; Eq. 1.1: α_N = 0.076, N_c = 8.8e13 (non-embedding
 * parameters); Eq. 1.2: α_D = 0.095, D_c = 5.4e13 (tokens). Eq. 4.4 (from Eq. 4.3 with a 0.02
 * overfitting threshold): D ≳ (5 × 10³) N^0.74.
 *
 * Law option `tokens`: `total` (default) or `target` (the evaluation language's own tokens), as
 * for chinchilla.
 * @see https://arxiv.org/abs/2001.08361
 */
import type { Law, ParamSpec } from './law.ts';
import { chinchilla, type ChinchillaContext, type ChinchillaDesign } from './chinchilla.ts';

/** The tokens option, as the Chinchilla law reads it. */
export type KaplanContext = ChinchillaContext;

/** ln N and ln D per row, built (and subset for the bootstrap) as the Chinchilla law builds them. */
export type KaplanDesign = ChinchillaDesign;

/** Kaplan et al. 2020 published constants (E = 0 in the paper). */
export const KAPLAN_PUBLISHED = {
  /** Table 2, the joint fit of Eq. 1.5 on WebText2 with early stopping. */
  table2: { E: 0, alpha: 0.076, beta: 0.103, N_c: 6.4e13, D_c: 1.8e13 },
  /** Eq. 1.1 (L(N), D → ∞) and Eq. 1.2 (L(D), N → ∞). */
  eq11: { alpha: 0.076, N_c: 8.8e13 },
  eq12: { beta: 0.095, D_c: 5.4e13 },
  /** Eq. 4.4: D ≳ (5 × 10³) N^0.74 keeps the overfitting penalty below 0.02 nats. */
  eq44: { coefficient: 5e3, exponent: 0.74, threshold: 0.02 },
} as const;

/** Overfitting threshold (nats) of Kaplan's Eq. 4.4. */
const OVERFIT_THRESHOLD = 0.02;

function kaplanParameters(): ParamSpec[] {
  return [
    { name: 'E', init: 1, lower: -Infinity, upper: Infinity, log: true, grid: [-1, -0.5, 0, 0.5], description: 'irreducible loss' },
    { name: 'N_c', init: 1e8, lower: -Infinity, upper: 80, log: true, grid: [10, 20, 30], description: 'parameter scale N_c' },
    { name: 'D_c', init: 1e8, lower: -Infinity, upper: 80, log: true, grid: [10, 20, 30], description: 'data scale D_c' },
    { name: 'alpha', init: 0.3, lower: 0, upper: 10, grid: [0.05, 0.2, 0.5, 1], description: 'parameter exponent α_N' },
    { name: 'beta', init: 0.3, lower: 1e-3, upper: 10, grid: [0.05, 0.2, 0.5, 1], description: 'data exponent α_D' },
  ];
}

/**
 * Derived quantities: Kaplan's overfitting rule D ≳ k·N^(α_N/α_D) (Eq. 4.3–4.4, the data that
 * keeps L(N, D)/L(N, ∞) − 1 below 0.02 with E = 0, solved exactly rather than to first order)
 * and the data at which the two terms are equal for N = 1e9.
 */
export function kaplanDerived(values: Record<string, number>): Record<string, number> {
  const { alpha, beta, N_c, D_c } = values;
  const ratio = alpha / beta;
  const x = Math.pow(1 + OVERFIT_THRESHOLD, 1 / beta) - 1;
  return {
    overfit_data_exponent: ratio,
    overfit_data_coefficient: D_c / x / Math.pow(N_c, ratio),
    balanced_tokens_at_1e9: D_c / Math.pow(N_c / 1e9, ratio),
  };
}

export const kaplan: Law<KaplanContext, KaplanDesign> = {
  id: 'kaplan',
  title: 'Kaplan (Kaplan et al. 2020)',
  reference: 'Kaplan et al. 2020, Scaling Laws for Neural Language Models, arXiv:2001.08361, Eq. 1.5 and Table 2 (plus an additive E)',
  formula: 'L = E + ((N_c/N)^(alpha/beta) + D_c/D)^beta',
  context: chinchilla.context,
  parameters: () => kaplanParameters(),
  prepare: chinchilla.prepare,
  size: (d) => d.n,
  select: chinchilla.select,
  evaluate(theta, design, out, jac) {
    const [e, lnNc, lnDc, alpha, beta] = theta;
    const ratio = alpha / beta;
    const { n, logN, logD } = design;
    for (let i = 0; i < n; i++) {
      const gap = lnNc - logN[i];
      const u = ratio * gap;
      const v = lnDc - logD[i];
      const mS = Math.max(u, v);
      const xu = Math.exp(u - mS);
      const xv = Math.exp(v - mS);
      const S = mS + Math.log(xu + xv);
      const pu = xu / (xu + xv);
      const pv = xv / (xu + xv);
      const t = beta * S;
      const m = Math.max(t, e);
      const xT = Math.exp(t - m);
      const xE = Math.exp(e - m);
      const s = xT + xE;
      out[i] = m + Math.log(s);
      if (jac) {
        const wT = xT / s;
        const row = i * 5;
        jac[row] = xE / s;
        jac[row + 1] = wT * alpha * pu;
        jac[row + 2] = wT * beta * pv;
        jac[row + 3] = wT * pu * gap;
        jac[row + 4] = wT * (S - pu * u);
      }
    }
  },
  derived: (values) => kaplanDerived(values),
};
