/**
 * The generated normal-equations kernels add the same terms in the same row order as the plain
 * loop, so g and H are bit-identical for every p, both losses, either curvature and any weights.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalEquations, normalEquationsLoop, UNROLLED_MAX } from '../../pipeline/fitting/normal_equations.ts';
import { Random } from '../../pipeline/fitting/random.ts';

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

describe('normal equations', () => {
  it('generated kernels equal the reference loop bit for bit', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: UNROLLED_MAX + 2 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.constantFrom('lsq', 'huber'), fc.constantFrom(0, 1),
      (p, n, seed, loss, outside) => {
        const rng = new Random(seed);
        const r = Float64Array.from({ length: n }, () => rng.normal() * 0.01);
        // Exact zeros in the Jacobian (rows that do not touch a parameter) and weights of 0, 1 and 2.
        const jac = Float64Array.from({ length: n * p }, () => (rng.next() < 0.2 ? 0 : rng.normal()));
        const weights = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 3));
        const g1 = new Float64Array(p); const H1 = new Float64Array(p * p);
        const g2 = new Float64Array(p); const H2 = new Float64Array(p * p);
        normalEquationsLoop(p)(n, r, jac, weights, loss === 'lsq', 1e-3, g1, H1, outside);
        normalEquations(p)(n, r, jac, weights, loss === 'lsq', 1e-3, g2, H2, outside);
        return sameBits(g1, g2) && sameBits(H1, H2);
      },
    ), { numRuns: 300 });
  });

  it('outside rows add no curvature when `outside` is 0, and δ/|r| of it when 1', () => {
    // One row inside δ (r = 0.0005) and one outside (r = 0.01), δ = 0.001, J = [1] on both.
    const r = Float64Array.of(0.0005, 0.01);
    const jac = Float64Array.of(1, 1);
    const weights = Float64Array.of(1, 1);
    const g = new Float64Array(1);
    const H = new Float64Array(1);
    normalEquations(1)(2, r, jac, weights, false, 1e-3, g, H, 1);
    expect(g[0]).toBeCloseTo(0.0005 + 0.001, 15);
    expect(H[0]).toBeCloseTo(1 + 0.1, 15);
    normalEquations(1)(2, r, jac, weights, false, 1e-3, g, H, 0);
    expect(g[0]).toBeCloseTo(0.0015, 15);
    expect(H[0]).toBe(1);
  });
});
