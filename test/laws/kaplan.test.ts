import { describe, expect, it } from 'vitest';
import { kaplan, kaplanDerived, KAPLAN_PUBLISHED, type KaplanDesign } from '../../pipeline/laws/kaplan.ts';
import { fitLaw, predictLoss } from '../../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../../pipeline/fitting/options.ts';
import { jacobianError } from '../helpers/jacobian.ts';

function design(N: number[], D: number[]): KaplanDesign {
  return { n: N.length, logN: Float64Array.from(N, Math.log), logD: Float64Array.from(D, Math.log) };
}

function grid(sizes: number, budgets: number): { N: number[]; D: number[] } {
  const N: number[] = [];
  const D: number[] = [];
  for (let a = 0; a < sizes; a++) for (let b = 0; b < budgets; b++) {
    N.push(10 ** (6 + (3 * a) / (sizes - 1)));
    D.push(10 ** (7 + (3 * b) / (budgets - 1)));
  }
  return { N, D };
}

const CTX = { tokens: 'total' as const };
// Kaplan et al. 2020 (arXiv:2001.08361) Table 2, with a small additive E for the log-space fit.
const TABLE2 = { ...KAPLAN_PUBLISHED.table2, E: 0.5 };

describe('kaplan law', () => {
  it('analytic Jacobian matches central differences (Table 2 and a small-model regime)', () => {
    const { N, D } = grid(4, 4);
    for (const values of [TABLE2, { E: 2, N_c: 1e7, D_c: 1e9, alpha: 0.4, beta: 0.3 }]) {
      const theta = Float64Array.of(Math.log(values.E), Math.log(values.N_c), Math.log(values.D_c), values.alpha, values.beta);
      // The α_N/α_D ratio makes ln L̂ strongly curved in alpha and beta: a step of 1e-5 keeps the
      // central difference's truncation error (h²) and rounding error (ε/h) both below 1e-7.
      expect(jacobianError(kaplan, CTX, design(N, D), theta, 1e-5)).toBeLessThan(1e-6);
    }
  });

  it('reduces to Eq. 1.1 and Eq. 1.2 of Kaplan et al. 2020 in the limits D → ∞ and N → ∞ (E = 0)', () => {
    const eq11 = { E: 1e-300, alpha: KAPLAN_PUBLISHED.eq11.alpha, N_c: KAPLAN_PUBLISHED.eq11.N_c, beta: KAPLAN_PUBLISHED.eq12.beta, D_c: KAPLAN_PUBLISHED.eq12.D_c };
    const N = [1e6, 1e8, 1.5e9];
    const atInfiniteData = predictLoss(kaplan, CTX, design(N, [1e300, 1e300, 1e300]), eq11);
    N.forEach((n, i) => expect(atInfiniteData[i]).toBeCloseTo((8.8e13 / n) ** 0.076, 12));
    const D = [1e8, 2.2e10, 1e12];
    const atInfiniteModel = predictLoss(kaplan, CTX, design([1e300, 1e300, 1e300], D), eq11);
    D.forEach((d, i) => expect(atInfiniteModel[i]).toBeCloseTo((5.4e13 / d) ** 0.095, 12));
  });

  it("Table 2's constants give Eq. 4.4's overfitting rule D ≳ (5 × 10³) N^0.74", () => {
    const derived = kaplanDerived(KAPLAN_PUBLISHED.table2);
    // The paper rounds both numbers: 0.076/0.103 = 0.738 → 0.74, and the exact solution of
    // Eq. 4.3 at 0.02 gives 5.5 × 10³ for its one-digit "5 × 10³" (within 11 %).
    expect(derived.overfit_data_exponent.toFixed(2)).toBe(KAPLAN_PUBLISHED.eq44.exponent.toFixed(2));
    expect(derived.overfit_data_coefficient / KAPLAN_PUBLISHED.eq44.coefficient).toBeGreaterThan(0.9);
    expect(derived.overfit_data_coefficient / KAPLAN_PUBLISHED.eq44.coefficient).toBeLessThan(1.11);
    // At that data the penalty L(N, D)/L(N, ∞) − 1 is 0.02 for any N.
    for (const n of [1e7, 1e9]) {
      const d = derived.overfit_data_coefficient * n ** derived.overfit_data_exponent;
      const [withData, unlimited] = predictLoss(kaplan, CTX, design([n, n], [d, 1e300]), { ...KAPLAN_PUBLISHED.table2, E: 1e-300 });
      expect(withData / unlimited - 1).toBeCloseTo(0.02, 10);
    }
  });

  it('recovers known parameters from noise-free data from the default grid', async () => {
    const { N, D } = grid(6, 6);
    const truth = { E: 0.8, N_c: 3e7, D_c: 2e8, alpha: 0.35, beta: 0.3 };
    const d = design(N, D);
    const y = Float64Array.from(predictLoss(kaplan, CTX, d, truth), Math.log);
    const result = await fitLaw({ law: kaplan, ctx: CTX, design: d, y }, resolveFitOptions({ objective: 'lsq' }));
    expect(result.converged).toBe(true);
    for (const [name, value] of Object.entries(truth)) expect(Math.abs(result.values[name] / value - 1)).toBeLessThan(1e-4);
  });
});
