/**
 * Data-constrained scaling law (Muennighoff et al. 2023, "Scaling Data-Constrained Language
 * Models", Eq. 5–7): repeated tokens and excess parameters decay in value.
 *
 *   L = E + A / N'^alpha + B / D'^beta
 *   D' = U_D + U_D·R_D*·(1 − exp(−R_D/R_D*)),  R_D = max(D/U_D − 1, 0)
 *   N' = U_N + U_N·R_N*·(1 − exp(−R_N/R_N*)),  R_N = max(N/U_N − 1, 0)
 *   U_N = min(N, N_opt(U_D)),  N_opt(U_D) = G^((α+β)/α)·U_D^(β/α),  G = (αA/(βB))^(1/(α+β))
 *
 * U_N is the compute-optimal model size for the compute whose Chinchilla-optimal data equals
 * U_D. U_D is the row's unique tokens of its training language (`unique_tokens` column or the
 * languages table); a row without U sees no repetition (D' = D, and U_N = N).
 * The published procedure fits only R_D* and R_N* with A, B, E, alpha, beta fixed at the C4
 * Chinchilla coefficients (configs/datablations.yaml).
 * @see https://arxiv.org/abs/2305.16264
 */
import type { Law, LawOptions } from './law.ts';
import type { RunTable } from '../io/types.ts';
import { chinchillaDerived, chinchillaParameters } from './chinchilla.ts';

export interface DataConstrainedDesign {
  n: number;
  N: Float64Array;
  D: Float64Array;
  /** Unique tokens; +Infinity when unlimited. */
  U: Float64Array;
}

/** Published coefficients (datablations README and utils/parametric_fit.ipynb). */
export const DATABLATIONS_COEFFICIENTS = {
  E: Math.exp(0.6254804),
  A: Math.exp(6.255414),
  B: Math.exp(7.3049974),
  alpha: 0.3526596,
  beta: 0.3526596,
  R_D: 15.387756,
  R_N: 5.309743,
} as const;

/** Unique tokens relevant to row i: of its single training language, else of its eval language. */
export function rowUniqueTokens(table: RunTable, i: number): number {
  const map = table.uniqueTokens[i];
  const mixture = table.mixture[i];
  const lang = mixture.langs.length === 1 ? mixture.langs[0] : table.evalLang[i];
  const u = map.get(lang);
  return u === undefined ? Infinity : u;
}

export const dataConstrained: Law<Record<string, never>, DataConstrainedDesign> = {
  id: 'data-constrained',
  title: 'Data-constrained scaling (Muennighoff et al. 2023)',
  reference: 'Muennighoff et al. 2023, Scaling Data-Constrained Language Models, NeurIPS, arXiv:2305.16264, Eq. 5-7',
  formula: "L = E + A/N'^alpha + B/D'^beta with D' = U_D(1 + R_D*(1 - exp(-R_D/R_D*))), N' likewise with U_N = min(N, N_opt(U_D))",
  context: (_table: RunTable, _options: LawOptions) => ({}),
  parameters: () => [
    ...chinchillaParameters(),
    { name: 'R_D', init: 15, lower: Math.log(1e-3), upper: Math.log(1e6), log: true, grid: [6.666666666666667, 13.333333333333334, 20].map(Math.log), description: 'R_D*: repeated epochs at which repeated data has lost 1 − 1/e of its value' },
    { name: 'R_N', init: 5, lower: Math.log(1e-3), upper: Math.log(1e6), log: true, grid: [6.666666666666667, 13.333333333333334, 20].map(Math.log), description: 'R_N*: excess-parameter decay constant' },
  ],
  prepare(table: RunTable): DataConstrainedDesign {
    const n = table.rows;
    const N = Float64Array.from(table.params);
    const D = Float64Array.from(table.tokens);
    const U = new Float64Array(n);
    for (let i = 0; i < n; i++) U[i] = rowUniqueTokens(table, i);
    return { n, N, D, U };
  },
  size: (d) => d.n,
  evaluate(theta, design, out, jac) {
    const [e, a, b, alpha, beta, rD, rN] = theta;
    const sD = Math.exp(rD);
    const sN = Math.exp(rN);
    const { n, N, D, U } = design;
    const P = 7;
    for (let i = 0; i < n; i++) {
      const finiteU = Number.isFinite(U[i]);
      const UD = finiteU ? U[i] : D[i];
      // Effective data.
      const RD = Math.max(D[i] / UD - 1, 0);
      const expD = Math.exp(-RD / sD);
      const Dp = UD * (1 + sD * (1 - expD));
      // Effective parameters.
      const g = Math.log(alpha) - Math.log(beta) + a - b + beta * Math.log(UD);
      const logNopt = finiteU ? g / alpha : Infinity;
      const nOptActive = logNopt < Math.log(N[i]);
      const UN = nOptActive ? Math.exp(logNopt) : N[i];
      const RN = Math.max(N[i] / UN - 1, 0);
      const expN = Math.exp(-RN / sN);
      const Np = UN * (1 + sN * (1 - expN));
      const logNp = Math.log(Np);
      const logDp = Math.log(Dp);
      const tA = a - alpha * logNp;
      const tB = b - beta * logDp;
      const m = Math.max(tA, tB, e);
      const xA = Math.exp(tA - m);
      const xB = Math.exp(tB - m);
      const xE = Math.exp(e - m);
      const s = xA + xB + xE;
      out[i] = m + Math.log(s);
      if (!jac) continue;
      const wA = xA / s;
      const wB = xB / s;
      const row = i * P;
      jac[row] = xE / s;
      jac[row + 1] = wA;
      jac[row + 2] = wB;
      jac[row + 3] = -wA * logNp;
      jac[row + 4] = -wB * logDp;
      // d ln D' / d ln R_D* = s·dD'/ds / D'.
      const dDds = UD * ((1 - expD) - (RD / sD) * expD);
      jac[row + 5] = -beta * wB * (sD * dDds) / Dp;
      const dNds = UN * ((1 - expN) - (RN / sN) * expN);
      jac[row + 6] = -alpha * wA * (sN * dNds) / Np;
      if (nOptActive) {
        // ln U_N = ln N_opt depends on a, b, alpha, beta.
        const dNdU = 1 + sN * (1 - expN) - (N[i] / UN) * expN;
        const dLogNpdLogUN = (UN * dNdU) / Np;
        const chain = -alpha * wA * dLogNpdLogUN;
        jac[row + 1] += chain / alpha;
        jac[row + 2] -= chain / alpha;
        jac[row + 3] += chain * (1 - alpha * logNopt) / (alpha * alpha);
        jac[row + 4] += chain * (-1 / beta + Math.log(UD)) / alpha;
      }
    }
  },
  derived: (values) => chinchillaDerived(values),
};
