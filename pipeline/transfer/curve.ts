/**
 * Monotone loss curves and their inverse, the two interpolations behind the Bilingual Transfer
 * Score (ATLAS §4.1).
 *
 * A curve is a run's (tokens, loss) checkpoints on one evaluation language. Logged losses are
 * noisy and can rise (overfitting of a small, repeated language), so the curve is first made
 * monotone by a running minimum: the loss "reached by d tokens" is the best loss logged at or
 * before d. Between checkpoints ln loss is linear in ln tokens (a power law between neighbours).
 * Nothing is extrapolated: a query outside the logged range comes back censored, with the
 * boundary value.
 */

/** A monotone curve: `x` = ln tokens strictly increasing, `y` = ln loss non-increasing. */
export interface Curve {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Where a query fell: `null` inside the logged range, `'before'` before the first checkpoint,
 * `'after'` beyond the last one (the value returned is then the boundary's).
 */
export type RangeFlag = null | 'before' | 'after';

/**
 * Build a monotone curve from checkpoints. Rows with tokens ≤ 0 (the untrained model) are
 * dropped; checkpoints with equal tokens (several seeds pooled) are averaged; the loss is then
 * replaced by its running minimum.
 */
export function monotoneCurve(tokens: ArrayLike<number>, loss: ArrayLike<number>): Curve {
  const order: number[] = [];
  for (let i = 0; i < tokens.length; i++) if (tokens[i] > 0 && loss[i] > 0) order.push(i);
  order.sort((a, b) => tokens[a] - tokens[b]);
  const xs: number[] = [];
  const ys: number[] = [];
  let k = 0;
  while (k < order.length) {
    const t = tokens[order[k]];
    let sum = 0;
    let count = 0;
    while (k < order.length && tokens[order[k]] === t) {
      sum += loss[order[k]];
      count++;
      k++;
    }
    const lnLoss = Math.log(sum / count);
    xs.push(Math.log(t));
    ys.push(ys.length === 0 ? lnLoss : Math.min(ys[ys.length - 1], lnLoss));
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}

/** ln loss at ln tokens `x` (piecewise linear); outside the range, the boundary value and its flag. */
export function lossAt(curve: Curve, x: number): { value: number; flag: RangeFlag } {
  const n = curve.x.length;
  if (n === 0) return { value: Number.NaN, flag: 'after' };
  if (x < curve.x[0]) return { value: curve.y[0], flag: 'before' };
  if (x > curve.x[n - 1]) return { value: curve.y[n - 1], flag: 'after' };
  let hi = 1;
  while (hi < n - 1 && curve.x[hi] < x) hi++;
  if (n === 1) return { value: curve.y[0], flag: null };
  const lo = hi - 1;
  const w = (x - curve.x[lo]) / (curve.x[hi] - curve.x[lo]);
  return { value: curve.y[lo] + w * (curve.y[hi] - curve.y[lo]), flag: null };
}

/**
 * ln tokens at which the curve first reaches ln loss `y`. If the first checkpoint is already
 * below `y` the answer lies before it (`'before'`, value = first ln tokens); if the curve never
 * gets down to `y` it lies after the last checkpoint (`'after'`, value = last ln tokens).
 */
export function tokensToReach(curve: Curve, y: number): { value: number; flag: RangeFlag } {
  const n = curve.x.length;
  if (n === 0) return { value: Number.NaN, flag: 'after' };
  if (curve.y[0] < y) return { value: curve.x[0], flag: 'before' };
  if (curve.y[0] === y) return { value: curve.x[0], flag: null };
  for (let i = 1; i < n; i++) {
    if (curve.y[i] <= y) {
      const w = (y - curve.y[i - 1]) / (curve.y[i] - curve.y[i - 1]);
      return { value: curve.x[i - 1] + w * (curve.x[i] - curve.x[i - 1]), flag: null };
    }
  }
  return { value: curve.x[n - 1], flag: 'after' };
}

/**
 * Trapezoid-rule mean of `f` over [0, d_max]: (1/d_max) ∫ f(d) dd from points (d_i, f_i) sorted by d.
 * Used for the Finetuning Adaptation Score.
 */
export function trapezoidMean(d: ArrayLike<number>, f: ArrayLike<number>): number {
  const n = d.length;
  if (n < 2) return Number.NaN;
  let area = 0;
  for (let i = 1; i < n; i++) area += (d[i] - d[i - 1]) * (f[i] + f[i - 1]) / 2;
  const span = d[n - 1] - d[0];
  return span > 0 ? area / span : Number.NaN;
}
