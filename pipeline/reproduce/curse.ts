/**
 * `atlas reproduce curse`: the curse-of-multilinguality multipliers of ATLAS §5.3 / Fig. 5.
 *
 * The paper prints the exponents of K (phi = 0.11, psi = −0.04) and the iso-loss exponents
 * phi/alpha = 0.243 and 1 + psi/beta = 0.728, but not alpha and beta themselves. This target
 * recovers alpha = phi/0.243 and beta = psi/(0.728 − 1), runs them through the curse law's own
 * `derived()` and compares every multiplier with the published Fig. 5 values
 * (datasets/atlas-paper/curse_fig5_multipliers.csv) and the printed compute exponent 0.97.
 *
 * Tolerance = the paper's rounding: half a unit in the last printed digit of the compared value,
 * plus the effect of the rounding of the exponent it is computed from (0.243 and 0.728 are
 * printed to three decimals, so r^x moves by up to 0.0005·ln r·r^x).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curseDerived, multiplierPrefix } from '../laws/curse.ts';
import { check, type Check, type ReproduceTarget } from './check.ts';

/** Folder of the ATLAS paper's published numbers in the repository. */
export const ATLAS_PAPER_DIR = fileURLToPath(new URL('../../datasets/atlas-paper/', import.meta.url));

/** Published inputs (Longpre et al. 2025, arXiv:2510.22037, §5.2 and §5.3). */
export const PUBLISHED = {
  /** §5.2: all-language fit of Eq. 7. */
  phi: 0.11,
  psi: -0.04,
  /** §5.3: N*(rK)/N*(K) = r^0.243 (= phi/alpha). */
  phiOverAlpha: '0.243',
  /** §5.3: D_tot*(rK)/D_tot*(K) = r^0.728 (= 1 + psi/beta). */
  onePlusPsiOverBeta: '0.728',
  /** §5.3: "expand their compute budget by C·r^0.97". */
  computeExponent: '0.97',
};

/** Half a unit in the last digit of a number as printed (`1.4` → 0.05, `7.52` → 0.005). */
export function halfUlp(printed: string): number {
  const text = printed.trim().toLowerCase().split('e')[0];
  const dot = text.indexOf('.');
  const decimals = dot < 0 ? 0 : text.length - dot - 1;
  return 0.5 * 10 ** -decimals;
}

/** Rows of a small numeric CSV with a header, as records of the printed strings. */
export function readPublishedCsv(file: string): Record<string, string>[] {
  const lines = readFileSync(join(ATLAS_PAPER_DIR, file), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((h) => h.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
}

const TARGET = 'curse';

/** The checks of this target (exported for tests). */
export function curseChecks(): Check[] {
  const { phi, psi } = PUBLISHED;
  const phiOverAlpha = Number(PUBLISHED.phiOverAlpha);
  const onePlus = Number(PUBLISHED.onePlusPsiOverBeta);
  const alpha = phi / phiOverAlpha;
  const beta = psi / (onePlus - 1);
  const derived = curseDerived({ E: 0, A: 1, B: 1, alpha, beta, phi, psi });
  const how = `alpha = phi/${PUBLISHED.phiOverAlpha} = ${phi}/${PUBLISHED.phiOverAlpha} = ${alpha.toFixed(4)}; `
    + `beta = psi/(${PUBLISHED.onePlusPsiOverBeta} − 1) = ${psi}/${(onePlus - 1).toFixed(3)} = ${beta.toFixed(4)}`;
  const exponentUlp = halfUlp(PUBLISHED.phiOverAlpha);
  const checks: Check[] = [];
  const computeExponent = derived.compute_exponent;
  checks.push(check(TARGET, 'compute exponent 1 + phi/alpha + psi/beta (§5.3 "C·r^0.97")', Number(PUBLISHED.computeExponent), computeExponent,
    { abs: halfUlp(PUBLISHED.computeExponent) + 2 * exponentUlp }, how));
  for (const row of readPublishedCsv('curse_fig5_multipliers.csv')) {
    const r = Number(row.languages_factor);
    const prefix = multiplierPrefix(r);
    const model = derived[`${prefix}_params_multiplier`];
    const tokens = derived[`${prefix}_tokens_multiplier`];
    checks.push(check(TARGET, `Fig. 5 ${r}K: model size multiplier r^(phi/alpha)`, Number(row.model_size_multiplier), model,
      { abs: halfUlp(row.model_size_multiplier) + halfUlp(PUBLISHED.phiOverAlpha) * Math.log(r) * model },
      `derived.${prefix}_params_multiplier`));
    checks.push(check(TARGET, `Fig. 5 ${r}K: total tokens multiplier r^(1+psi/beta)`, Number(row.total_tokens_multiplier), tokens,
      { abs: halfUlp(row.total_tokens_multiplier) + halfUlp(PUBLISHED.onePlusPsiOverBeta) * Math.log(r) * tokens },
      `derived.${prefix}_tokens_multiplier; compute ×${derived[`${prefix}_compute_multiplier`].toFixed(3)}, each language's tokens ×${derived[`${prefix}_target_tokens_multiplier`].toFixed(3)}`));
  }
  return checks;
}

export const curseTarget: ReproduceTarget = {
  name: TARGET,
  description: 'ATLAS §5.3 / Fig. 5: iso-loss model-size and token multipliers for 2K…16K languages from phi = 0.11, psi = −0.04',
  run: async () => curseChecks(),
};
