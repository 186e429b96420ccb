/**
 * Goodness of fit on the loss scale (SPEC §3): R² = 1 − SS_res/SS_tot (can be negative), RMSE,
 * and MAPE in percent.
 */
import type { Metrics } from '../io/artifact.ts';
import { rSquared } from '../fitting/stats.ts';

/** Metrics of `predicted` against `observed` over the rows where `include(i)` holds. */
export function lossMetrics(observed: ArrayLike<number>, predicted: ArrayLike<number>, include: (i: number) => boolean = () => true): Metrics {
  let rows = 0;
  for (let i = 0; i < observed.length; i++) if (include(i)) rows++;
  let ssRes = 0;
  let ape = 0;
  for (let i = 0; i < observed.length; i++) {
    if (!include(i)) continue;
    const e = predicted[i] - observed[i];
    ssRes += e * e;
    ape += Math.abs(e / observed[i]);
  }
  if (rows === 0) return { rows: 0, r2: NaN, rmse: NaN, mape: NaN };
  return { rows, r2: rSquared(observed, predicted, include), rmse: Math.sqrt(ssRes / rows), mape: (100 * ape) / rows };
}
