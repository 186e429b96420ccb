/**
 * Multilingual scaling law at the language-family level (He et al. 2024, arXiv:2410.12883, MSL).
 *
 *   L(N, D, p) = (E + A / N^alpha + B / D^beta) · p^(−gamma)
 *
 * D is the row's total training tokens and p the sampling share of the target (evaluation)
 * language's family in the training mixture: the sum of the mixture weights of every language of
 * that family. Families come from the languages table's `family` column (`--languages F`); a
 * language without one is its own family. ATLAS (Table 1) uses this law as its "MSL" baseline.
 *
 * Fitted in log space: ln L̂ = LSE(ln E, ln A − alpha·ln N, ln B − beta·ln D) − gamma·ln p.
 * Rows whose mixture holds no language of the target's family (p = 0) are rejected.
 * @see https://arxiv.org/abs/2410.12883
 */
import type { Law, LawOptions, ParamSpec } from './law.ts';
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';
import { chinchillaDerived } from './chinchilla.ts';
import { rowWhere } from './repetition.ts';

export interface FamilyContext {
  /** Family of every language seen in the data (the language itself when the table has none). */
  families: Record<string, string>;
}

export interface FamilyDesign {
  n: number;
  logN: Float64Array;
  logD: Float64Array;
  logP: Float64Array;
}

/** Family share p of row i: the summed mixture weight of the target's family. */
export function familyShare(table: RunTable, i: number, families: Record<string, string>): number {
  const t = table.evalLang[i];
  const family = families[t] ?? table.languages.get(t)?.family ?? t;
  const mixture = table.mixture[i];
  let p = 0;
  for (let k = 0; k < mixture.langs.length; k++) {
    const l = mixture.langs[k];
    const f = families[l] ?? table.languages.get(l)?.family ?? l;
    if (f === family) p += mixture.weights[k];
  }
  return Math.min(1, p);
}

export const multilingualFamily: Law<FamilyContext, FamilyDesign> = {
  id: 'multilingual-family',
  title: 'Multilingual scaling law by language family (He et al. 2024)',
  reference: 'He et al. 2024, Scaling Laws for Multilingual Language Models, arXiv:2410.12883, Eq. 3',
  formula: 'L = (E + A/N^alpha + B/D^beta) * p^(-gamma), p = sampling share of the target language family',
  context(table: RunTable, _options: LawOptions): FamilyContext {
    const langs = new Set<string>();
    for (let i = 0; i < table.rows; i++) {
      langs.add(table.evalLang[i]);
      for (const l of table.mixture[i].langs) langs.add(l);
    }
    const families: Record<string, string> = {};
    for (const l of [...langs].sort()) families[l] = table.languages.get(l)?.family ?? l;
    return { families };
  },
  parameters(): ParamSpec[] {
    return [
      { name: 'E', init: 1.5, lower: Math.log(1e-4), upper: Math.log(100), log: true, grid: [-0.5, 0.5], description: 'irreducible loss (at p = 1)' },
      { name: 'A', init: 400, lower: -Infinity, upper: Infinity, log: true, grid: [2, 6, 10], description: 'amplitude of the parameter term' },
      { name: 'B', init: 400, lower: -Infinity, upper: Infinity, log: true, grid: [2, 6, 10], description: 'amplitude of the data term' },
      { name: 'alpha', init: 0.34, lower: 0, upper: 3, grid: [0.25, 0.6], description: 'parameter exponent' },
      { name: 'beta', init: 0.28, lower: 0, upper: 3, grid: [0.25, 0.6], description: 'data exponent' },
      { name: 'gamma', init: 0.1, lower: -2, upper: 3, description: 'exponent of the family sampling share' },
    ];
  },
  prepare(table: RunTable, ctx: FamilyContext): FamilyDesign {
    const n = table.rows;
    const logN = new Float64Array(n);
    const logD = new Float64Array(n);
    const logP = new Float64Array(n);
    const problems: string[] = [];
    for (let i = 0; i < n; i++) {
      logN[i] = Math.log(table.params[i]);
      logD[i] = Math.log(table.tokens[i]);
      const p = familyShare(table, i, ctx.families);
      if (!(p > 0) && problems.length < 20) problems.push(`${rowWhere(table, i)}: eval_lang: no language of "${table.evalLang[i]}"'s family is in the training mixture (p = 0)`);
      logP[i] = Math.log(p);
    }
    if (problems.length) throw new InputError(problems);
    return { n, logN, logD, logP };
  },
  size: (d) => d.n,
  evaluate(theta, design, out, jac) {
    const e = theta[0];
    const a = theta[1];
    const b = theta[2];
    const alpha = theta[3];
    const beta = theta[4];
    const gamma = theta[5];
    const { n, logN, logD, logP } = design;
    for (let i = 0; i < n; i++) {
      const tA = a - alpha * logN[i];
      const tB = b - beta * logD[i];
      const m = tA > tB ? (tA > e ? tA : e) : (tB > e ? tB : e);
      const xA = Math.exp(tA - m);
      const xB = Math.exp(tB - m);
      const xE = Math.exp(e - m);
      const s = xA + xB + xE;
      out[i] = m + Math.log(s) - gamma * logP[i];
      if (jac) {
        const wA = xA / s;
        const wB = xB / s;
        const row = i * 6;
        jac[row] = xE / s;
        jac[row + 1] = wA;
        jac[row + 2] = wB;
        jac[row + 3] = -wA * logN[i];
        jac[row + 4] = -wB * logD[i];
        jac[row + 5] = -logP[i];
      }
    }
  },
  derived: (values) => chinchillaDerived(values),
};
