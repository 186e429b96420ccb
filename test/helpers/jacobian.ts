/**
 * Central-difference check of a law's analytic Jacobian of ln L̂ (internal coordinates).
 */
import type { Law } from '../../pipeline/laws/law.ts';

/** Largest relative disagreement between analytic and central-difference Jacobians. */
export function jacobianError<Ctx, D>(law: Law<Ctx, D>, ctx: Ctx, design: D, theta: Float64Array, step = 1e-6): number {
  const n = law.size(design);
  const p = theta.length;
  const out = new Float64Array(n);
  const jac = new Float64Array(n * p);
  law.evaluate(theta, design, out, jac);
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  let worst = 0;
  for (let j = 0; j < p; j++) {
    const h = step * Math.max(1, Math.abs(theta[j]));
    const tp = Float64Array.from(theta);
    const tm = Float64Array.from(theta);
    tp[j] += h;
    tm[j] -= h;
    law.evaluate(tp, design, plus);
    law.evaluate(tm, design, minus);
    for (let i = 0; i < n; i++) {
      const numeric = (plus[i] - minus[i]) / (2 * h);
      const analytic = jac[i * p + j];
      const err = Math.abs(numeric - analytic) / Math.max(1e-6, Math.abs(numeric), Math.abs(analytic));
      if (err > worst) worst = err;
    }
  }
  return worst;
}
