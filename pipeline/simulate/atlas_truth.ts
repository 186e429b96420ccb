/**
 * The truth of configs/truth/atlas-774.json, computed from the ATLAS paper's published numbers:
 * Table C.1's English core, τ = BTS/(2 − BTS) from the transfer matrix, λ = 1/R_D*.
 */
import { join } from 'node:path';
import { InputError } from '../io/types.ts';
import { LAMBDA_INIT } from '../laws/atlas.ts';
import { shipped } from '../io/shipped.ts';
import { readText, type StudyDesign, type Truth } from './design.ts';

// ---------------------------------------------------------------------------------------------
// The truth of configs/truth/atlas-774.json, computed from the paper's published numbers.

function readCsv(path: string): string[][] {
  return readText(path).trim().split(/\r?\n/).map((l) => l.split(','));
}

/** BTS → transfer weight for a 50/50 pair: D_eff = (1 + tau)·d/2 and BTS = 2 − d_bi/d_mono give tau = BTS/(2 − BTS). */
export function tauFromBts(bts: number): number {
  return bts / (2 - bts);
}

/** The transfer matrix (Fig. C.2): `matrix.get(target).get(source)` = BTS. */
export function readTransferMatrix(path: string): Map<string, Map<string, number>> {
  const rows = readCsv(path);
  const sources = rows[0].slice(1);
  const matrix = new Map<string, Map<string, number>>();
  for (const row of rows.slice(1)) {
    const m = new Map<string, number>();
    row.slice(1).forEach((v, k) => { if (v.trim() !== '') m.set(sources[k], Number(v)); });
    matrix.set(row[0], m);
  }
  return matrix;
}

/** Folder of the ATLAS paper's published numbers (shipped with the package). */
export function atlasPaperDir(): string {
  return shipped('datasets', 'atlas-paper');
}

/**
 * Truth for the ATLAS design, from published values:
 * - E, A, B, alpha, beta: Table C.1, English, monolingual vocabulary and data (A = e^lnA, B = e^lnB);
 * - lambda = 1/R_D* with Muennighoff et al.'s R_D* = 15.387756 (the digest's §1.1 equivalence);
 * - tau_<s>: the mean over the design's evaluation languages t (rows of the Fig. C.2 matrix) of
 *   BTS_{s→t}/(2 − BTS_{s→t});
 * - tau_other: the pooled weight that makes a uniform K-language mixture's D_eff/D_t = 1 + (K−1)·tau
 *   match the curse law's K^(−psi/beta) (psi/beta from the Fig. 5 total-token multipliers
 *   r^(1+psi/beta)), least squares in log over the design's capacity mixtures. (The matrix's own
 *   mean BTS is negative; as a pooled weight over tens of languages it would drive D_eff below
 *   zero, whereas the curse law shows net positive transfer.)
 * Languages of the design without a row/column in the matrix get tau_other.
 */
export function buildAtlasTruth(design: StudyDesign, dir = atlasPaperDir()): Truth {
  const c1 = readCsv(join(dir, 'table_c1_monolingual_fits.csv'));
  const head = c1[0];
  const en = c1.find((r) => r[0] === 'mono-vocab-mono-data' && r[1] === 'en');
  if (!en) throw new InputError(`${dir}/table_c1_monolingual_fits.csv: no English mono-vocab row`);
  const col = (name: string) => Number(en[head.indexOf(name)]);
  const matrix = readTransferMatrix(join(dir, 'transfer_matrix_38x38.csv'));
  const mult = readCsv(join(dir, 'curse_fig5_multipliers.csv'));
  const mh = mult[0];
  const ratios = mult.slice(1).map((r) => Math.log(Number(r[mh.indexOf('total_tokens_multiplier')])) / Math.log(Number(r[mh.indexOf('languages_factor')])) - 1);
  const psiOverBeta = ratios.reduce((s, v) => s + v, 0) / ratios.length;
  const ks = Object.values(design.capacity).map((l) => l.length);
  const objective = (tau: number) => ks.reduce((s, K) => s + (Math.log(1 + (K - 1) * tau) + psiOverBeta * Math.log(K)) ** 2, 0);
  // golden-section search on [0, 1]
  let lo = 0;
  let hi = 1;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 200; it++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (objective(a) < objective(b)) hi = b; else lo = a;
  }
  const tauOther = (lo + hi) / 2;
  const params: Record<string, number> = {
    E: col('E'), A: Math.exp(col('lnA')), B: Math.exp(col('lnB')), alpha: col('alpha'), beta: col('beta'),
    lambda: LAMBDA_INIT, tau_other: tauOther,
  };
  const sources: Record<string, string> = {
    E: 'Table C.1 (en, mono vocab, mono data)', A: 'Table C.1 e^lnA', B: 'Table C.1 e^lnB', alpha: 'Table C.1', beta: 'Table C.1',
    lambda: '1/R_D*, R_D* = 15.387756 (Muennighoff et al. 2023)',
    tau_other: `fit of 1 + (K-1) tau = K^(-psi/beta) over the capacity mixtures, psi/beta = ${psiOverBeta.toFixed(4)} from Fig. 5`,
  };
  const targets = design.eval_languages.filter((t) => matrix.has(t));
  const langs = new Set<string>();
  for (const e of design.experiments) for (const l of [...(e.mono ?? []), ...(e.finetune ?? []), ...(e.all_pairs ?? []), ...(e.pairs ?? []).flat()]) langs.add(l);
  for (const m of Object.values(design.capacity)) for (const l of m) langs.add(l);
  for (const l of Object.keys(design.unimax)) langs.add(l);
  for (const s of [...langs].sort()) {
    const values = targets.filter((t) => t !== s && matrix.get(t)!.has(s)).map((t) => tauFromBts(matrix.get(t)!.get(s)!));
    if (values.length) {
      params[`tau_${s}`] = values.reduce((x, y) => x + y, 0) / values.length;
      sources[`tau_${s}`] = `mean of BTS/(2-BTS) over targets ${targets.filter((t) => t !== s).join(' ')} (Fig. C.2)`;
    } else {
      params[`tau_${s}`] = tauOther;
      sources[`tau_${s}`] = 'not in Fig. C.2: tau_other';
    }
  }
  return { schema: 'atlas.truth/1', law: 'atlas', law_options: { terms: 'target,other,transfer' }, params, sources };
}
