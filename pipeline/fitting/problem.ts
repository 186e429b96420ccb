/**
 * A law on data as a residual problem over the free parameters: r_i = ln L̂_i(θ) − ln L_i, or
 * L̂_i(θ) − L_i in linear space.
 */
import type { Law } from '../laws/law.ts';
import type { ParameterMap } from './parameters.ts';
import { expand, projectJacobian } from './parameters.ts';
import type { ResidualProblem } from './least_squares.ts';

export interface FitProblem<Ctx = unknown, D = unknown> {
  law: Law<Ctx, D>;
  ctx: Ctx;
  design: D;
  /** ln(observed loss) per design row. */
  y: Float64Array;
  /** Per-row multiplicity; 0 excludes the row (held out). Default 1. */
  weights?: Float64Array;
  /** Per-row cluster (run) index; the bootstrap resamples clusters. Default: each row its own. */
  clusters?: Int32Array;
  /**
   * A smaller problem (an even subsample of the training rows) on which the multi-start screens
   * its starts; the distinct optima it finds are then polished on the full problem. Large logs
   * (checkpoints × languages) need not pay full price for every start.
   */
  search?: FitProblem<Ctx, D>;
}

/** The residual problem of a law on data, in free internal coordinates. */
export function residualProblem<Ctx, D>(problem: FitProblem<Ctx, D>, map: ParameterMap, space: 'log' | 'linear' = 'log'): ResidualProblem & { theta: Float64Array } {
  const { law, design, y } = problem;
  // `.call` for the law's own code, here and below: see least_squares.ts on compiled code.
  const n = law.size.call(law, design);
  const P = map.specs.length;
  const p = map.free.length;
  const theta = new Float64Array(P);
  const direct = p === P;
  // With every parameter free the law writes the Jacobian directly; otherwise through this.
  const fullSize = n * P;
  const fullJac = new Float64Array(direct ? 0 : fullSize);
  const lower = new Float64Array(p);
  const upper = new Float64Array(p);
  map.free.forEach((s, k) => {
    lower[k] = map.specs[s].lower;
    upper[k] = map.specs[s].upper;
  });
  return {
    n,
    p,
    lower,
    upper,
    theta,
    residuals(x, out, jac) {
      expand(map, x, theta);
      // One call of the law for every kind of call (with the law's Jacobian, through the
      // projection, or without), through `.call` (least_squares.ts says why).
      law.evaluate.call(law, theta, design, out, jac === undefined ? undefined : direct ? jac : fullJac);
      if (jac !== undefined && !direct) projectJacobian(map, theta, fullJac, n, jac);
      if (space === 'log') {
        for (let i = 0; i < n; i++) out[i] -= y[i];
        return;
      }
      // Linear space: r = L̂ − L and ∂r/∂θ = L̂ · ∂ln L̂/∂θ.
      for (let i = 0; i < n; i++) {
        const predicted = Math.exp(out[i]);
        out[i] = predicted - Math.exp(y[i]);
        if (jac) for (let j = 0; j < p; j++) jac[i * p + j] *= predicted;
      }
    },
  };
}
