import { describe, expect, it } from 'vitest';
import { choleskySolve, huber, leastSquares, objectiveValue } from '../../pipeline/fitting/least_squares.ts';
import { Random } from '../../pipeline/fitting/random.ts';

// y = b1·(1 − exp(−b2·x)) (NIST Misra1a's model) on exact data.
function misraProblem(b1: number, b2: number) {
  const x = [77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0];
  const y = x.map((xi) => b1 * (1 - Math.exp(-b2 * xi)));
  return {
    n: x.length,
    p: 2,
    residuals(b: Float64Array, out: Float64Array, jac?: Float64Array) {
      for (let i = 0; i < x.length; i++) {
        const e = Math.exp(-b[1] * x[i]);
        out[i] = y[i] - b[0] * (1 - e);
        if (jac) {
          jac[2 * i] = -(1 - e);
          jac[2 * i + 1] = -b[0] * x[i] * e;
        }
      }
    },
  };
}

describe('leastSquares', () => {
  it('recovers exact parameters from a distant start (relative error < 1e-9)', () => {
    const result = leastSquares(misraProblem(238.94, 5.5e-4), Float64Array.of(500, 1e-4));
    expect(result.status).toBe('converged');
    expect(Math.abs(result.x[0] / 238.94 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(result.x[1] / 5.5e-4 - 1)).toBeLessThan(1e-9);
  });

  it('respects bounds and stops on them', () => {
    const problem = { ...misraProblem(238.94, 5.5e-4), lower: Float64Array.of(0, 0), upper: Float64Array.of(200, 1) };
    const result = leastSquares(problem, Float64Array.of(100, 1e-3));
    expect(result.x[0]).toBeLessThanOrEqual(200);
    expect(result.x[0]).toBeCloseTo(200, 10);
  });

  it('reports max-iterations instead of convergence when capped', () => {
    const result = leastSquares(misraProblem(238.94, 5.5e-4), Float64Array.of(500, 1e-4), { maxIterations: 2 });
    expect(result.status).toBe('max-iterations');
  });

  it('reports a non-finite start', () => {
    const problem = { n: 1, p: 1, residuals: (_x: Float64Array, out: Float64Array) => { out[0] = NaN; } };
    expect(leastSquares(problem, Float64Array.of(1)).status).toBe('non-finite');
  });

  // Every stop leaves the solver through one exit (least_squares.ts): each reason keeps its status,
  // message and iteration count.
  it('names each stop: status, message and iterations', () => {
    const stop = (problem: Parameters<typeof leastSquares>[0], x0: number[], options: Parameters<typeof leastSquares>[2] = {}) => {
      const { status, message, iterations } = leastSquares(problem, Float64Array.from(x0), { identify: false, ...options });
      return { status, message, iterations };
    };
    const misra = misraProblem(238.94, 5.5e-4);
    expect(stop(misra, [500, 1e-4], { maxIterations: 2 })).toEqual({ status: 'max-iterations', message: 'iteration cap 2 reached', iterations: 2 });
    expect(stop(misra, [500, 1e-4], { maxIterations: 0 })).toEqual({ status: 'max-iterations', message: 'iteration cap 0 reached', iterations: 0 });
    expect(stop(misra, [500, 1e-4])).toMatchObject({ status: 'converged', message: 'relative step below xtol' });
    const noisy = misraProblem(238.94, 5.5e-4);
    const exact = noisy.residuals;
    noisy.residuals = (x, out, jac) => { exact(x, out, jac); for (let i = 0; i < out.length; i++) out[i] += 0.05 * Math.sin(3 * i); };
    expect(stop(noisy, [500, 1e-4])).toMatchObject({ status: 'converged', message: 'relative decrease of the objective below ftol' });
    expect(stop(misra, [238.94, 5.5e-4])).toEqual({ status: 'converged', message: 'scaled gradient below gtol', iterations: 1 });
    expect(stop(misra, [500, 1e-4], { abandonAbove: 1e-9, abandonAfter: 1 })).toEqual({ status: 'abandoned', message: 'objective far above the best start so far', iterations: 1 });
    expect(stop(misra, [500, 1e-4], { ftol: 0, gtol: 0 })).toMatchObject({ status: 'converged', message: expect.stringMatching(/^(relative step below xtol|no decrease possible at the resolution of xtol)$/) });
    const nan = { n: 1, p: 1, residuals: (_x: Float64Array, out: Float64Array) => { out[0] = NaN; } };
    expect(stop(nan, [1])).toEqual({ status: 'non-finite', message: 'objective is not finite at the start', iterations: 0 });
    const badJacobian = { n: 1, p: 1, residuals: (x: Float64Array, out: Float64Array, jac?: Float64Array) => { out[0] = x[0] - 1; if (jac) jac[0] = NaN; } };
    expect(stop(badJacobian, [3])).toEqual({ status: 'non-finite', message: 'gradient is not finite', iterations: 1 });
  });

  // One shape of result for every stop (least_squares.ts's note on compiled code): the code that
  // reads results then meets one kind of object.
  it('returns the same fields whatever the stop', () => {
    const misra = misraProblem(238.94, 5.5e-4);
    const nan = { n: 1, p: 1, residuals: (_x: Float64Array, out: Float64Array) => { out[0] = NaN; } };
    const results = [
      leastSquares(misra, Float64Array.of(500, 1e-4)),
      leastSquares(misra, Float64Array.of(500, 1e-4), { identify: false, keepArrays: false }),
      leastSquares(misra, Float64Array.of(500, 1e-4), { maxIterations: 2 }),
      leastSquares(misra, Float64Array.of(500, 1e-4), { abandonAbove: 1e-9, abandonAfter: 1 }),
      leastSquares(nan, Float64Array.of(1)),
    ];
    expect(results.map((r) => r.status)).toEqual(['converged', 'converged', 'max-iterations', 'abandoned', 'non-finite']);
    for (const result of results) expect(Object.keys(result)).toEqual(Object.keys(results[0]));
    expect(results[0].identifiability?.flat).toEqual([]);
    expect(results[1].identifiability).toBeUndefined();
    expect(results[1].residuals.length).toBe(0);
    expect(results[0].residuals.length).toBe(misra.n);
    expect(results[0].jacobian.length).toBe(misra.n * 2);
  });

  it('Huber fit ignores a gross outlier that least squares follows', () => {
    const x = Array.from({ length: 30 }, (_, i) => i / 3);
    const y = x.map((xi) => 2 + 0.5 * xi);
    y[7] += 50;
    const problem = {
      n: x.length,
      p: 2,
      residuals(b: Float64Array, out: Float64Array, jac?: Float64Array) {
        for (let i = 0; i < x.length; i++) {
          out[i] = b[0] + b[1] * x[i] - y[i];
          if (jac) { jac[2 * i] = 1; jac[2 * i + 1] = x[i]; }
        }
      },
    };
    const robust = leastSquares(problem, Float64Array.of(0, 0), { loss: 'huber', delta: 0.1 });
    const plain = leastSquares(problem, Float64Array.of(0, 0), { loss: 'lsq' });
    // The outlier pulls the Huber estimate by at most delta-sized forces; least squares by 50/30.
    expect(Math.abs(robust.x[0] - 2)).toBeLessThan(0.02);
    expect(Math.abs(robust.x[1] - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(plain.x[0] - 2)).toBeGreaterThan(0.5);
  });

  it('Huber with most residuals outside δ: the inlier curvature reaches a lower objective in fewer iterations than IRLS', () => {
    // y = ln(E + A·x^−a) with 2 % noise and δ = 1e-3: almost every residual is on the linear
    // branch, where IRLS creeps (each step shrinks the error by a constant factor) and stops on
    // ftol before it reaches the minimum.
    const rng = new Random(11);
    const x = Array.from({ length: 200 }, (_, i) => 1 + i / 10);
    const y = x.map((xi) => Math.log(1.8 + 4 * xi ** -0.7) + 0.02 * rng.normal());
    const problem = {
      n: x.length,
      p: 3,
      residuals(b: Float64Array, out: Float64Array, jac?: Float64Array) {
        for (let i = 0; i < x.length; i++) {
          const t = Math.exp(b[1]) * x[i] ** -b[2];
          const s = Math.exp(b[0]) + t;
          out[i] = Math.log(s) - y[i];
          if (jac) {
            jac[3 * i] = Math.exp(b[0]) / s;
            jac[3 * i + 1] = t / s;
            jac[3 * i + 2] = (-t * Math.log(x[i])) / s;
          }
        }
      },
    };
    const start = Float64Array.of(0.5, 1.5, 0.6);
    const options = { loss: 'huber', delta: 1e-3 } as const;
    const fast = leastSquares(problem, start, options);
    const irls = leastSquares(problem, start, { ...options, inlierSwitch: 0 });
    const reference = leastSquares(problem, start, { ...options, inlierSwitch: 0, ftol: 0, xtol: 0, gtol: 0, maxIterations: 20_000 });
    expect(fast.status).toBe('converged');
    expect(fast.cost).toBeLessThanOrEqual(irls.cost);
    // 25 against 54 iterations when this was written.
    expect(fast.iterations).toBeLessThan(0.6 * irls.iterations);
    // The stop is on the minimum (to the precision the objective can resolve).
    for (let k = 0; k < 3; k++) expect(Math.abs(fast.x[k] - reference.x[k])).toBeLessThan(1e-6 * Math.max(1, Math.abs(reference.x[k])));
    expect(fast.cost - reference.cost).toBeLessThanOrEqual(1e-12 * reference.cost);
    // One law evaluation per trial step (the Jacobian comes with the trial's residuals).
    expect(fast.evaluations).toBeLessThanOrEqual(2 * fast.iterations + 1);
  });

  it('zero weights exclude rows', () => {
    const problem = misraProblem(238.94, 5.5e-4);
    const base = problem.residuals;
    problem.residuals = (b, out, jac) => { base(b, out, jac); out[3] += 1000; };
    const weights = new Float64Array(problem.n).fill(1);
    weights[3] = 0;
    const result = leastSquares(problem, Float64Array.of(500, 1e-4), { weights });
    expect(Math.abs(result.x[0] / 238.94 - 1)).toBeLessThan(1e-8);
  });
});

describe('huber and objective', () => {
  it('matches scipy.special.huber on both branches', () => {
    expect(huber(1e-3, 5e-4)).toBeCloseTo(0.5 * 25e-8, 20);
    expect(huber(1e-3, -0.01)).toBeCloseTo(1e-3 * (0.01 - 5e-4), 18);
    expect(objectiveValue(Float64Array.of(0.1, -0.2), 'lsq', 1)).toBeCloseTo(0.025, 15);
  });

  // The objective is the plain definition's sum, bit for bit (the fits' byte-identical artifacts
  // rest on it).
  it('sums the plain definitions exactly, with weights and zero weights', () => {
    const rng = new Random(7);
    for (let t = 0; t < 50; t++) {
      const n = 1 + rng.int(40);
      const r = Float64Array.from({ length: n }, () => rng.normal() * 10 ** (rng.int(5) - 4));
      const w = t % 2 ? Float64Array.from({ length: n }, () => rng.int(3)) : undefined;
      const delta = 10 ** (rng.int(4) - 4);
      let lsq = 0;
      let robust = 0;
      for (let i = 0; i < n; i++) {
        const wi = w ? w[i] : 1;
        if (wi === 0) continue;
        lsq += wi * 0.5 * r[i] * r[i];
        robust += wi * (Math.abs(r[i]) <= delta ? 0.5 * r[i] * r[i] : delta * (Math.abs(r[i]) - 0.5 * delta));
      }
      expect(Object.is(objectiveValue(r, 'lsq', delta, w), lsq)).toBe(true);
      expect(Object.is(objectiveValue(r, 'huber', delta, w), robust)).toBe(true);
    }
  });

  it('Cholesky solves a symmetric positive definite system', () => {
    const A = Float64Array.of(4, 2, 2, 3);
    const b = Float64Array.of(2, 1);
    expect(choleskySolve(A, b, 2)).toBe(true);
    expect(b[0]).toBeCloseTo(0.5, 12);
    expect(b[1]).toBeCloseTo(0, 12);
    expect(choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBe(false);
  });
});
