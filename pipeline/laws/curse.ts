/**
 * Curse-of-multilinguality law (ATLAS, Longpre et al. 2025, §5, Eq. 7).
 *
 *   L(K, N, D_t) = E + A·K^phi / N^alpha + B·K^psi / D_t^beta
 *
 * K is the number of languages of a uniform training mixture, N the parameters and D_t the
 * evaluation (target) language's own training tokens (mixture weight × total tokens). E is the
 * law's L∞. At K = 1 the law is Chinchilla. Signs: phi > 0 means capacity pressure (each language
 * gets a smaller share of the model); psi < 0 means positive transfer (a language needs fewer of
 * its own tokens when trained beside others), psi > 0 interference.
 *
 * Fitted in log space as ln L̂ = LSE(ln E, ln A + phi·ln K − alpha·ln N, ln B + psi·ln K − beta·ln D_t)
 * with the analytic Jacobian below. The law accepts only rows whose training mixture is uniform
 * (every weight 1/K within 0.1 %) and contains the evaluation language; anything else is an input
 * error naming the row.
 *
 * Derived quantities (iso-loss scaling when K grows r-fold, from a compute-optimal start, §5.3):
 * model size ×r^(phi/alpha), total tokens ×r^(1+psi/beta), each language's own tokens
 * ×r^(psi/beta), compute ×r^(1+phi/alpha+psi/beta). They are reported for r = 2 (names
 * `double_k_*`, SPEC §2) and r = 4, 8, 16 (`k_x4_*`, …).
 * @see https://arxiv.org/abs/2510.22037
 */
import type { Law, LawOptions, ParamSpec } from './law.ts';
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';

/** Context stored in the artifact: the K values seen and the uniformity tolerance. */
export interface CurseContext {
  /** Distinct numbers of languages in the training rows, ascending. */
  ks: number[];
  /** Largest allowed |K·w − 1| of a mixture weight w. */
  uniformTolerance: number;
}

/** Numeric design: ln K, ln N and ln D_t per row. */
export interface CurseDesign {
  n: number;
  logK: Float64Array;
  logN: Float64Array;
  logD: Float64Array;
}

/** Default |K·w − 1| tolerance: logs print weights such as 0.08333 for 1/12. */
export const UNIFORM_TOLERANCE = 1e-3;

/** Values of r for which multipliers are derived (2 = SPEC's `double_k_*`). */
export const CURSE_FACTORS = [2, 4, 8, 16] as const;

/** Iso-loss multipliers of §5.3 for K → rK from a compute-optimal baseline. */
export interface CurseMultipliers {
  /** N′/N = r^(phi/alpha). */
  params: number;
  /** D′_tot/D_tot = r^(1+psi/beta). */
  totalTokens: number;
  /** D′_t/D_t = r^(psi/beta): tokens of each language. */
  targetTokens: number;
  /** C′/C = r^(1+phi/alpha+psi/beta). */
  compute: number;
}

/** The §5.3 multipliers for a factor r from natural-scale exponents. */
export function curseMultipliers(values: { alpha: number; beta: number; phi: number; psi: number }, r: number): CurseMultipliers {
  const { alpha, beta, phi, psi } = values;
  return {
    params: Math.pow(r, phi / alpha),
    totalTokens: Math.pow(r, 1 + psi / beta),
    targetTokens: Math.pow(r, psi / beta),
    compute: Math.pow(r, 1 + phi / alpha + psi / beta),
  };
}

/** Name prefix of the derived multipliers for factor r. */
export function multiplierPrefix(r: number): string {
  return r === 2 ? 'double_k' : `k_x${r}`;
}

/** Derived quantities of the curse law (see the module comment). */
export function curseDerived(values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {
    phi_over_alpha: values.phi / values.alpha,
    one_plus_psi_over_beta: 1 + values.psi / values.beta,
    compute_exponent: 1 + values.phi / values.alpha + values.psi / values.beta,
  };
  for (const r of CURSE_FACTORS) {
    const m = curseMultipliers(values as { alpha: number; beta: number; phi: number; psi: number }, r);
    const prefix = multiplierPrefix(r);
    out[`${prefix}_params_multiplier`] = m.params;
    out[`${prefix}_tokens_multiplier`] = m.totalTokens;
    out[`${prefix}_target_tokens_multiplier`] = m.targetTokens;
    out[`${prefix}_compute_multiplier`] = m.compute;
  }
  return out;
}

const LOG_E_GRID = [-1, 0, 0.5];
const LOG_AMPLITUDE_GRID = [0, 5, 10, 15];
const EXPONENT_GRID = [0.2, 0.5, 1];

/** Parameters: Chinchilla's five plus phi and psi (bounded to ±2: |exponent of K| beyond that is not a curse law). */
export function curseParameters(): ParamSpec[] {
  return [
    { name: 'E', init: 1.5, lower: -Infinity, upper: Infinity, log: true, grid: LOG_E_GRID, description: 'irreducible loss L∞' },
    { name: 'A', init: 400, lower: -Infinity, upper: Infinity, log: true, grid: LOG_AMPLITUDE_GRID, description: 'amplitude of the parameter term' },
    { name: 'B', init: 400, lower: -Infinity, upper: Infinity, log: true, grid: LOG_AMPLITUDE_GRID, description: 'amplitude of the data term' },
    { name: 'alpha', init: 0.35, lower: 0, upper: 5, grid: EXPONENT_GRID, description: 'parameter exponent' },
    { name: 'beta', init: 0.3, lower: 0, upper: 5, grid: EXPONENT_GRID, description: 'target-token exponent' },
    { name: 'phi', init: 0.1, lower: -2, upper: 2, grid: [0, 0.2], description: 'exponent of K in the parameter term (capacity pressure when > 0)' },
    { name: 'psi', init: 0, lower: -2, upper: 2, grid: [-0.1, 0.1], description: 'exponent of K in the data term (transfer when < 0, interference when > 0)' },
  ];
}

function where(table: RunTable, i: number): string {
  return `${table.sources[table.source[i]]?.path ?? 'data'}:${table.line[i]}`;
}

export const curse: Law<CurseContext, CurseDesign> = {
  id: 'curse',
  title: 'Curse of multilinguality (ATLAS §5)',
  reference: 'Longpre et al. 2025, ATLAS: Adaptive Transfer Scaling Laws for Multilingual Pretraining, Finetuning, and Decoding the Curse of Multilinguality, arXiv:2510.22037, Eq. 7',
  formula: 'L = E + A*K^phi/N^alpha + B*K^psi/D_t^beta   (K languages, uniform mixture; D_t = target tokens)',
  context(table: RunTable, options: LawOptions): CurseContext {
    const tolerance = options.uniformTolerance === undefined ? UNIFORM_TOLERANCE : Number(options.uniformTolerance);
    if (!(tolerance >= 0 && tolerance < 1)) throw new InputError(`uniformTolerance: expected a number in [0, 1), got "${String(options.uniformTolerance)}"`);
    const ks = new Set<number>();
    for (let i = 0; i < table.rows; i++) ks.add(table.mixture[i].langs.length);
    return { ks: [...ks].sort((a, b) => a - b), uniformTolerance: tolerance };
  },
  parameters: () => curseParameters(),
  prepare(table: RunTable, ctx: CurseContext): CurseDesign {
    const n = table.rows;
    const logK = new Float64Array(n);
    const logN = new Float64Array(n);
    const logD = new Float64Array(n);
    const problems: string[] = [];
    const tolerance = ctx.uniformTolerance ?? UNIFORM_TOLERANCE;
    for (let i = 0; i < n; i++) {
      const mixture = table.mixture[i];
      const k = mixture.langs.length;
      const uniform = mixture.weights.every((w) => Math.abs(w * k - 1) <= tolerance);
      const j = mixture.langs.indexOf(table.evalLang[i]);
      if (!uniform) {
        problems.push(`${where(table, i)}: mixture: "${mixture.key}" is not uniform; the curse law needs every weight equal to 1/K`);
      } else if (j < 0) {
        problems.push(`${where(table, i)}: eval_lang: "${table.evalLang[i]}" is not in the training mixture "${mixture.key}", so it has no target tokens`);
      }
      logK[i] = Math.log(k);
      logN[i] = Math.log(table.params[i]);
      logD[i] = j < 0 ? NaN : Math.log(table.tokens[i] * mixture.weights[j]);
    }
    if (problems.length) {
      const shown = problems.slice(0, 20);
      if (problems.length > 20) shown.push(`… and ${problems.length - 20} more rows the curse law cannot use (filter them out, e.g. with a config's where:)`);
      throw new InputError(shown);
    }
    return { n, logK, logN, logD };
  },
  size: (d) => d.n,
  evaluate(theta, design, out, jac) {
    const [e, a, b, alpha, beta, phi, psi] = theta;
    const { n, logK, logN, logD } = design;
    for (let i = 0; i < n; i++) {
      const tA = a + phi * logK[i] - alpha * logN[i];
      const tB = b + psi * logK[i] - beta * logD[i];
      const m = Math.max(tA, tB, e);
      const xA = Math.exp(tA - m);
      const xB = Math.exp(tB - m);
      const xE = Math.exp(e - m);
      const s = xA + xB + xE;
      out[i] = m + Math.log(s);
      if (jac) {
        const wA = xA / s;
        const wB = xB / s;
        const row = i * 7;
        jac[row] = xE / s;
        jac[row + 1] = wA;
        jac[row + 2] = wB;
        jac[row + 3] = -wA * logN[i];
        jac[row + 4] = -wB * logD[i];
        jac[row + 5] = wA * logK[i];
        jac[row + 6] = wB * logK[i];
      }
    }
  },
  derived: (values) => curseDerived(values),
};
