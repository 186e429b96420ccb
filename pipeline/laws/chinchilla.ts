/**
 * Chinchilla parametric loss (Hoffmann et al. 2022, "Approach 3").
 *
 *   L(N, D) = E + A / N^alpha + B / D^beta
 *
 * Fitted in log space as ln L̂ = LSE(ln A − alpha·ln N, ln B − beta·ln D, ln E), the form of
 * Hoffmann, Epoch (Besiroglu et al. 2024) and Muennighoff et al. 2023. The default grid is
 * Hoffmann's 4,500 starts: alpha, beta ∈ {0, 0.5, …, 2}, ln E ∈ {−1, −0.5, …, 1},
 * ln A, ln B ∈ {0, 5, …, 25}.
 *
 * Law option `tokens`: `total` (default) uses the row's total tokens; `target` uses the
 * evaluation language's own tokens (mixture weight × tokens), the monolingual-baseline reading
 * of ATLAS Table 1.
 * @see https://arxiv.org/abs/2203.15556
 * @see https://arxiv.org/abs/2404.10102
 */
import { pickRows as pick, type Law, type LawOptions, type ParamSpec } from './law.ts';
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';

export interface ChinchillaContext {
  tokens: 'total' | 'target';
}

export interface ChinchillaDesign {
  n: number;
  logN: Float64Array;
  logD: Float64Array;
}

/**
 * Published coefficients of the Chinchilla form.
 * - `hoffmann`: Hoffmann et al. 2022, unrounded values from the TeX source (a = 6.0073404,
 *   b = 6.0179186, e = 0.5267228, alpha = 0.33917084, beta = 0.2849083); main text 406.4 / 410.7 /
 *   1.69 / 0.34 / 0.28.
 * - `epochGrid`: Epoch AI's "replicate exactly" grid fit on the 240 Fig. 4 points (Besiroglu et
 *   al. 2024, arXiv:2404.10102; data_analysis.ipynb at commit 9225883), objective 0.0010182740.
 * - `epochStderr`: Epoch's 4,000-resample bootstrap standard errors.
 */
export const CHINCHILLA_PUBLISHED = {
  hoffmann: { E: Math.exp(0.5267228), A: Math.exp(6.0073404), B: Math.exp(6.0179186), alpha: 0.33917084, beta: 0.2849083 },
  epochGrid: { objective: 0.0010182740, A: 477.84, B: 2143.86, E: 1.8172, alpha: 0.34731, beta: 0.36718 },
  epochStderr: { A: 124.5, B: 1293.3, E: 0.026, alpha: 0.015, beta: 0.021 },
  /** Epoch's compute-optimal exponent a = β/(α+β) from its Huber-likelihood fit. */
  epochNOptExponent: 0.513,
} as const;

const HOFFMANN_EXPONENTS = [0, 0.5, 1, 1.5, 2];
const HOFFMANN_LOG_E = [-1, -0.5, 0, 0.5, 1];
const HOFFMANN_LOG_AMPLITUDE = [0, 5, 10, 15, 20, 25];

/** Parameters of the Chinchilla form, shared by the laws that extend it. */
export function chinchillaParameters(): ParamSpec[] {
  return [
    { name: 'E', init: 1.8, lower: -Infinity, upper: Infinity, log: true, grid: HOFFMANN_LOG_E, description: 'irreducible loss' },
    { name: 'A', init: 400, lower: -Infinity, upper: Infinity, log: true, grid: HOFFMANN_LOG_AMPLITUDE, description: 'amplitude of the parameter term' },
    { name: 'B', init: 400, lower: -Infinity, upper: Infinity, log: true, grid: HOFFMANN_LOG_AMPLITUDE, description: 'amplitude of the data term' },
    { name: 'alpha', init: 0.34, lower: 0, upper: 10, grid: HOFFMANN_EXPONENTS, description: 'parameter exponent' },
    { name: 'beta', init: 0.28, lower: 0, upper: 10, grid: HOFFMANN_EXPONENTS, description: 'data exponent' },
  ];
}

/** Tokens of the evaluation language in row i (mixture weight × tokens), or total tokens. */
export function rowTokens(table: RunTable, i: number, which: 'total' | 'target'): number {
  const total = table.tokens[i];
  if (which === 'total') return total;
  const mixture = table.mixture[i];
  const k = mixture.langs.indexOf(table.evalLang[i]);
  return k < 0 ? 0 : total * mixture.weights[k];
}

/**
 * Compute-optimal allocation under C = 6ND (Hoffmann Eq. 4):
 * G = (αA/(βB))^(1/(α+β)), N*(C) = G (C/6)^(β/(α+β)), D*(C) = G⁻¹ (C/6)^(α/(α+β)).
 */
export function computeOptimal(values: Record<string, number>, compute: number): { N: number; D: number } {
  const { A, B, alpha, beta } = values;
  const G = Math.pow((alpha * A) / (beta * B), 1 / (alpha + beta));
  return {
    N: G * Math.pow(compute / 6, beta / (alpha + beta)),
    D: Math.pow(compute / 6, alpha / (alpha + beta)) / G,
  };
}

/** Derived quantities of every Chinchilla-form law: allocation exponents and tokens per parameter. */
export function chinchillaDerived(values: Record<string, number>): Record<string, number> {
  const { alpha, beta } = values;
  const out: Record<string, number> = {
    n_opt_exponent: beta / (alpha + beta),
    d_opt_exponent: alpha / (alpha + beta),
  };
  for (const [label, compute] of [['1e21', 1e21], ['5.76e23', 5.76e23]] as const) {
    const { N, D } = computeOptimal(values, compute);
    out[`n_opt_at_${label}`] = N;
    out[`d_opt_at_${label}`] = D;
    out[`tokens_per_param_at_${label}`] = D / N;
  }
  return out;
}

export const chinchilla: Law<ChinchillaContext, ChinchillaDesign> = {
  id: 'chinchilla',
  title: 'Chinchilla (Hoffmann et al. 2022)',
  reference: 'Hoffmann et al. 2022, Training Compute-Optimal Large Language Models, arXiv:2203.15556, Eq. 2 and App. D.2',
  formula: 'L = E + A/N^alpha + B/D^beta',
  context(_table: RunTable, options: LawOptions): ChinchillaContext {
    const tokens = options.tokens ?? 'total';
    if (tokens !== 'total' && tokens !== 'target') throw new InputError(`--tokens: expected total or target, got "${String(tokens)}"`);
    return { tokens };
  },
  parameters: () => chinchillaParameters(),
  prepare(table: RunTable, ctx: ChinchillaContext): ChinchillaDesign {
    const n = table.rows;
    const logN = new Float64Array(n);
    const logD = new Float64Array(n);
    const problems: string[] = [];
    for (let i = 0; i < n; i++) {
      logN[i] = Math.log(table.params[i]);
      const d = rowTokens(table, i, ctx.tokens);
      if (!(d > 0)) {
        if (problems.length < 20) problems.push(`${table.sources[table.source[i]]?.path ?? 'data'}:${table.line[i]}: eval_lang: "${table.evalLang[i]}" is not in the training mixture, so it has no target tokens`);
      }
      logD[i] = Math.log(d);
    }
    if (problems.length) throw new InputError(problems);
    return { n, logN, logD };
  },
  size: (d) => d.n,
  select: (d, rows) => ({ n: rows.length, logN: pick(d.logN, rows), logD: pick(d.logD, rows) }),
  evaluate(theta, design, out, jac) {
    const e = theta[0];
    const a = theta[1];
    const b = theta[2];
    const alpha = theta[3];
    const beta = theta[4];
    const { n, logN, logD } = design;
    for (let i = 0; i < n; i++) {
      const tA = a - alpha * logN[i];
      const tB = b - beta * logD[i];
      const m = Math.max(tA, tB, e);
      // exp(t − m) of the largest term is exp(0) = 1 exactly: two exponentials per row, not three
      // (for a finite m; an infinite or NaN one goes through exp as before).
      const finite = Number.isFinite(m);
      const xA = finite && tA === m ? 1 : Math.exp(tA - m);
      const xB = finite && tB === m ? 1 : Math.exp(tB - m);
      const xE = finite && e === m ? 1 : Math.exp(e - m);
      const s = xA + xB + xE;
      out[i] = m + Math.log(s);
      if (jac) {
        const wA = xA / s;
        const wB = xB / s;
        const row = i * 5;
        jac[row] = xE / s;
        jac[row + 1] = wA;
        jac[row + 2] = wB;
        jac[row + 3] = -wA * logN[i];
        jac[row + 4] = -wB * logD[i];
      }
    }
  },
  derived: (values) => chinchillaDerived(values),
};
