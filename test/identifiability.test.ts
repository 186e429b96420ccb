import { describe, expect, it } from 'vitest';
import type { Law } from '../pipeline/laws/law.ts';
import { chinchilla, type ChinchillaDesign } from '../pipeline/laws/chinchilla.ts';
import { fitLaw, predictLoss } from '../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { flatDirections, FLAT_TOLERANCE } from '../pipeline/fitting/identifiability.ts';
import { Random } from '../pipeline/fitting/random.ts';
import { paramEntries } from '../pipeline/fit/fit.ts';
import { formatFit, identifiabilityWarnings } from '../pipeline/commands/format.ts';
import type { CoefficientArtifact } from '../pipeline/io/artifact.ts';

interface Design { n: number; logN: Float64Array; logD: Float64Array }

/**
 * Chinchilla with its parameter amplitude split into a product A·K of two free parameters: the
 * data determine only A·K, so (ln A, ln K) has a flat direction (1, −1)/√2.
 */
const redundant: Law<null, Design> = {
  id: 'redundant-test',
  title: 'Chinchilla with a redundant amplitude',
  reference: 'test',
  formula: 'L = E + A·K/N^alpha + B/D^beta',
  context: () => null,
  parameters: () => [
    { name: 'E', init: 1.5, lower: -Infinity, upper: Infinity, log: true, description: '' },
    { name: 'A', init: 20, lower: -Infinity, upper: Infinity, log: true, description: '' },
    { name: 'K', init: 20, lower: -Infinity, upper: Infinity, log: true, description: '' },
    { name: 'B', init: 300, lower: -Infinity, upper: Infinity, log: true, description: '' },
    { name: 'alpha', init: 0.3, lower: 0, upper: 3, description: '' },
    { name: 'beta', init: 0.3, lower: 0, upper: 3, description: '' },
  ],
  prepare: () => { throw new Error('not used'); },
  size: (d) => d.n,
  evaluate(theta, d, out, jac) {
    const [lE, lA, lK, lB, a, b] = theta;
    for (let i = 0; i < d.n; i++) {
      const E = Math.exp(lE);
      const n = Math.exp(lA + lK - a * d.logN[i]);
      const m = Math.exp(lB - b * d.logD[i]);
      const L = E + n + m;
      out[i] = Math.log(L);
      if (jac) {
        const row = i * 6;
        jac[row] = E / L;
        jac[row + 1] = n / L;
        jac[row + 2] = n / L;
        jac[row + 3] = m / L;
        jac[row + 4] = (-d.logN[i] * n) / L;
        jac[row + 5] = (-d.logD[i] * m) / L;
      }
    }
  },
};

function grid(): Design {
  const N: number[] = [];
  const D: number[] = [];
  for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) { N.push(10 ** (7 + 0.6 * a)); D.push(10 ** (8 + 0.6 * b)); }
  return { n: N.length, logN: Float64Array.from(N, Math.log), logD: Float64Array.from(D, Math.log) };
}

const TRUTH = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };

function noisy(design: Design, seed: number, sigma = 0.01): Float64Array {
  const clean = predictLoss(chinchilla, { tokens: 'total' }, design as ChinchillaDesign, TRUTH);
  const rng = new Random(seed);
  return Float64Array.from(clean, (l) => Math.log(l) + sigma * rng.normal());
}

describe('flat directions of the scaled Jacobian', () => {
  it('flags two equal columns and a zero column, and nothing in a well-posed design', () => {
    const n = 5;
    const equal = new Float64Array(n * 3);
    const zero = new Float64Array(n * 2);
    const good = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      equal.set([1 + i, 1 + i, (i - 2) ** 2], i * 3);
      zero.set([1 + i, 0], i * 2);
      good.set([1, i], i * 2);
    }
    expect(flatDirections(equal, n, 3, Float64Array.of(1, 1, 1)).flat).toEqual([0, 1]);
    expect(flatDirections(zero, n, 2, Float64Array.of(1, 1)).flat).toEqual([1]);
    const ok = flatDirections(good, n, 2, Float64Array.of(1, 1));
    expect(ok.flat).toEqual([]);
    expect(ok.ratio).toBeGreaterThan(FLAT_TOLERANCE);
  });

  it('reduces the rows to a p × p triangle first: the same singular-value ratio as an SVD of every row, in O(p²) memory', () => {
    // Singular values of a 20,000 × 4 design with known column scales: J = U·diag(s) with U's
    // columns orthogonal over the rows (cosines of distinct frequencies), so σ = s·√(n/2).
    const n = 20_000;
    const s = [1, 1e-3, 1e-6, 1e-9];
    const jac = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) for (let j = 0; j < 4; j++) jac[i * 4 + j] = s[j] * Math.cos((2 * Math.PI * (j + 1) * (i + 0.5)) / n);
    const result = flatDirections(jac, n, 4, Float64Array.of(1, 1, 1, 1));
    expect(result.ratio / 1e-9).toBeCloseTo(1, 6);
    expect(result.flat).toEqual([3]);
    // Half the rows with weight 0: the other half alone.
    const weights = Float64Array.from({ length: n }, (_, i) => i % 2);
    const half = new Float64Array((n / 2) * 4);
    for (let k = 0; k < n / 2; k++) half.set(jac.subarray((2 * k + 1) * 4, (2 * k + 2) * 4), k * 4);
    expect(flatDirections(jac, n, 4, Float64Array.of(1, 1, 1, 1), weights).ratio).toBe(flatDirections(half, n / 2, 4, Float64Array.of(1, 1, 1, 1)).ratio);
  });
});

describe('identifiability of a fitted law', () => {
  it('reports a redundant product A·K as not identified: status degenerate, no standard error, flags and a warning', async () => {
    const design = grid();
    const y = noisy(design, 11);
    const result = await fitLaw({ law: redundant, ctx: null, design, y }, resolveFitOptions({ starts: 6, bootstrap: 20, seed: 2, threads: 1 }));
    expect(result.status).toBe('degenerate');
    expect(result.converged).toBe(false);
    expect(result.identifiability.notIdentified).toEqual(['A', 'K']);
    const byName = Object.fromEntries(result.estimates.map((e) => [e.name, e]));
    for (const name of ['A', 'K']) {
      expect(byName[name].notIdentified).toBe('flat direction');
      expect(byName[name].stderr).toBeNull();
      expect(byName[name].stderrAsymptotic).toBeUndefined();
    }
    for (const name of ['E', 'B', 'alpha', 'beta']) {
      expect(byName[name].notIdentified).toBeUndefined();
      expect(byName[name].stderr).toBeGreaterThan(0);
    }
    // The product is what the data fix: it matches the truth's amplitude.
    expect(result.values.A * result.values.K).toBeGreaterThan(0.5 * TRUTH.A);
    expect(result.values.A * result.values.K).toBeLessThan(2 * TRUTH.A);
    const entries = paramEntries(result, resolveFitOptions({}));
    expect(entries.A.not_identified).toBe('flat direction');
    expect(entries.A.stderr).toBeNull();
    expect(entries.alpha.not_identified).toBe(false);
    const artifact = { law: 'redundant-test', data: { rows: 36, runs: 36 }, params: entries, fit: { status: result.status, message: result.message, starts: 6, iterations: 1 }, objective: result.objective, metrics: { train: { rows: 36, r2: 1, rmse: 0, mape: 0 } }, derived: {} } as unknown as CoefficientArtifact;
    const text = formatFit(artifact);
    expect(text).toMatch(/A\s+\S+\s+\(NOT IDENTIFIED: flat direction\)/);
    expect(text).not.toMatch(/± 0(?![.\d])/);
    expect(identifiabilityWarnings(artifact)).toMatch(/^atlas: warning: not identified by these data: A \(flat direction\), K \(flat direction\);.*--fix A=VALUE/);
  });

  it('flags nothing on the well-posed law fitted to the same data', async () => {
    const design = grid();
    const y = noisy(design, 11);
    const result = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design: design as ChinchillaDesign, y }, resolveFitOptions({ starts: 'init', bootstrap: 20, seed: 2, threads: 1 }));
    expect(result.status).toBe('converged');
    expect(result.identifiability.notIdentified).toEqual([]);
    expect(result.identifiability.ratio).toBeGreaterThan(FLAT_TOLERANCE);
    for (const e of result.estimates) expect(e.stderr).toBeGreaterThan(0);
  });
});
