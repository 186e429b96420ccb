import { describe, expect, it } from 'vitest';
import { chinchilla, computeOptimal, type ChinchillaDesign } from '../../pipeline/laws/chinchilla.ts';
import { dataConstrained, DATABLATIONS_COEFFICIENTS, type DataConstrainedDesign } from '../../pipeline/laws/data_constrained.ts';
import { fitLaw, predictLoss } from '../../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../../pipeline/fitting/options.ts';
import { Random } from '../../pipeline/fitting/random.ts';
import { jacobianError } from '../helpers/jacobian.ts';

// Hoffmann et al. 2022 (arXiv:2203.15556, Eq. 10, rounded main-text values).
const HOFFMANN = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };

/** N log-spaced 1e7..1e10 × D log-spaced 1e8..1e11 (a realistic sweep, research/atlas.md §7). */
function grid(sizes = 8, budgets = 8): { N: number[]; D: number[] } {
  const N: number[] = [];
  const D: number[] = [];
  for (let a = 0; a < sizes; a++) for (let b = 0; b < budgets; b++) {
    N.push(10 ** (7 + (3 * a) / (sizes - 1)));
    D.push(10 ** (8 + (3 * b) / (budgets - 1)));
  }
  return { N, D };
}

function chinchillaDesign(N: number[], D: number[]): ChinchillaDesign {
  return { n: N.length, logN: Float64Array.from(N, Math.log), logD: Float64Array.from(D, Math.log) };
}

describe('chinchilla law', () => {
  it('analytic Jacobian matches central differences', () => {
    const { N, D } = grid(4, 4);
    const design = chinchillaDesign(N, D);
    const theta = Float64Array.of(Math.log(1.69), Math.log(406.4), Math.log(410.7), 0.34, 0.28);
    expect(jacobianError(chinchilla, { tokens: 'total' }, design, theta)).toBeLessThan(1e-6);
  });

  it('recovers Hoffmann coefficients from noise-free data (relative error < 1e-4) from the default grid', async () => {
    const { N, D } = grid();
    const design = chinchillaDesign(N, D);
    const y = Float64Array.from(predictLoss(chinchilla, { tokens: 'total' }, design, HOFFMANN), Math.log);
    const result = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design, y }, resolveFitOptions({ objective: 'lsq' }));
    expect(result.converged).toBe(true);
    for (const [name, truth] of Object.entries(HOFFMANN)) expect(Math.abs(result.values[name] / truth - 1)).toBeLessThan(1e-4);
  });

  it('with noise, the truth lies inside the bootstrap 95% intervals, and the same seed gives identical intervals', async () => {
    const { N, D } = grid(6, 6);
    const design = chinchillaDesign(N, D);
    const clean = predictLoss(chinchilla, { tokens: 'total' }, design, HOFFMANN);
    const rng = new Random(7);
    const y = Float64Array.from(clean, (l) => Math.log(l) + 0.01 * rng.normal());
    const options = resolveFitOptions({ starts: 'init', init: { E: 2, A: 300, B: 300, alpha: 0.3, beta: 0.3 }, bootstrap: 300, seed: 3 });
    const first = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design, y }, options);
    const second = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design, y }, options);
    for (const e of first.estimates) {
      const truth = HOFFMANN[e.name as keyof typeof HOFFMANN];
      expect(e.ci95![0]).toBeLessThan(truth);
      expect(e.ci95![1]).toBeGreaterThan(truth);
    }
    expect(second.estimates.map((e) => e.ci95)).toEqual(first.estimates.map((e) => e.ci95));
  });

  it('tie and fix hold parameters exactly', async () => {
    const { N, D } = grid(5, 5);
    const design = chinchillaDesign(N, D);
    const truth = { ...HOFFMANN, beta: HOFFMANN.alpha };
    const y = Float64Array.from(predictLoss(chinchilla, { tokens: 'total' }, design, truth), Math.log);
    const tied = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design, y }, resolveFitOptions({ tie: { beta: 'alpha' }, starts: 'init' }));
    expect(tied.values.beta).toBe(tied.values.alpha);
    expect(tied.values.alpha).toBeCloseTo(0.34, 6);
    const fixed = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design, y }, resolveFitOptions({ fix: { E: 1.69 }, starts: 'init' }));
    expect(fixed.values.E).toBeCloseTo(1.69, 12);
    expect(fixed.estimates.find((e) => e.name === 'E')!.vary).toBe('fixed');
  });

  it('compute-optimal allocation spends C = 6ND', () => {
    const { N, D } = computeOptimal(HOFFMANN, 1e21);
    expect(6 * N * D).toBeCloseTo(1e21, -10);
  });
});

describe('data-constrained law', () => {
  const design: DataConstrainedDesign = {
    n: 6,
    N: Float64Array.of(1e8, 5e8, 2e9, 6.34e9, 8.67e9, 1e10),
    D: Float64Array.of(1e9, 1e10, 4e10, 242e9, 178e9, 1e12),
    U: Float64Array.of(1e9, 1e9, 4e9, 25e9, 25e9, Infinity),
  };

  it('analytic Jacobian matches central differences, with U_N = N_opt(U_D) active and inactive', () => {
    const c = { ...DATABLATIONS_COEFFICIENTS, alpha: 0.34, beta: 0.37 };
    const theta = Float64Array.of(Math.log(c.E), Math.log(c.A), Math.log(c.B), c.alpha, c.beta, Math.log(c.R_D), Math.log(c.R_N));
    expect(jacobianError(dataConstrained, {}, design, theta)).toBeLessThan(1e-6);
  });

  it("reproduces the datablations README example 2.2256440889984477 (utils/parametric_fit.ipynb)", () => {
    const one: DataConstrainedDesign = { n: 1, N: Float64Array.of(6.34e9), D: Float64Array.of(242e9), U: Float64Array.of(25e9) };
    expect(Math.abs(predictLoss(dataConstrained, {}, one, DATABLATIONS_COEFFICIENTS)[0] - 2.2256440889984477)).toBeLessThan(1e-12);
  });

  it('equals Chinchilla when data is not repeated', () => {
    const fresh: DataConstrainedDesign = { n: 1, N: Float64Array.of(1e8), D: Float64Array.of(1e9), U: Float64Array.of(Infinity) };
    const c = DATABLATIONS_COEFFICIENTS;
    expect(predictLoss(dataConstrained, {}, fresh, c)[0]).toBeCloseTo(c.E + c.A / 1e8 ** c.alpha + c.B / 1e9 ** c.beta, 12);
  });

  it('recovers R_D* and R_N* from synthetic repeated-data runs', async () => {
    const N: number[] = [];
    const D: number[] = [];
    const U: number[] = [];
    for (const n of [1e8, 4e8, 1.6e9, 6e9]) for (const u of [1e9, 4e9]) for (const epochs of [1, 2, 4, 8, 16, 40]) {
      N.push(n);
      U.push(u);
      D.push(u * epochs);
    }
    const d: DataConstrainedDesign = { n: N.length, N: Float64Array.from(N), D: Float64Array.from(D), U: Float64Array.from(U) };
    const truth = { ...DATABLATIONS_COEFFICIENTS, R_D: 12, R_N: 4 };
    const y = Float64Array.from(predictLoss(dataConstrained, {}, d, truth), Math.log);
    const { E, A, B, alpha, beta } = truth;
    const result = await fitLaw({ law: dataConstrained, ctx: {}, design: d, y }, resolveFitOptions({ fix: { E, A, B, alpha, beta }, objective: 'lsq' }));
    expect(Math.abs(result.values.R_D / 12 - 1)).toBeLessThan(1e-4);
    expect(Math.abs(result.values.R_N / 4 - 1)).toBeLessThan(1e-4);
  });
});
