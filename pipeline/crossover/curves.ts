/**
 * Loss curves for the crossover search: the monotone piecewise-cubic Hermite interpolant of
 * Fritsch & Carlson (1980) (scipy's PchipInterpolator) in (ln tokens, ln loss), the average of
 * several runs of one kind on their common range, and the first point where a scratch curve
 * reaches a finetune curve (with left and right censoring). See crossover.ts for the method.
 */
/** A loss curve: ascending tokens (> 0) and losses. */
export interface Curve {
  tokens: Float64Array;
  loss: Float64Array;
}

/** `crossed`: found inside the range; `after`: not yet crossed at the end (right-censored); `before`: crossed before the start (left-censored). */
export type CrossoverStatus = 'crossed' | 'after' | 'before';

/** Fritsch–Carlson / scipy PCHIP slopes for knots x (strictly ascending) and values y. */
export function pchipSlopes(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const n = x.length;
  const d = new Float64Array(n);
  if (n < 2) return d;
  const h = new Float64Array(n - 1);
  const delta = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) {
    h[k] = x[k + 1] - x[k];
    delta[k] = (y[k + 1] - y[k]) / h[k];
  }
  if (n === 2) {
    d[0] = d[1] = delta[0];
    return d;
  }
  for (let k = 1; k < n - 1; k++) {
    if (delta[k - 1] === 0 || delta[k] === 0 || Math.sign(delta[k - 1]) !== Math.sign(delta[k])) {
      d[k] = 0;
    } else {
      const w1 = 2 * h[k] + h[k - 1];
      const w2 = h[k] + 2 * h[k - 1];
      d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k]);
    }
  }
  const end = (h0: number, h1: number, m0: number, m1: number): number => {
    let v = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
    if (Math.sign(v) !== Math.sign(m0)) v = 0;
    else if (Math.sign(m0) !== Math.sign(m1) && Math.abs(v) > Math.abs(3 * m0)) v = 3 * m0;
    return v;
  };
  d[0] = end(h[0], h[1], delta[0], delta[1]);
  d[n - 1] = end(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
  return d;
}

/** A PCHIP interpolant: evaluate at u inside [x0, x_last] (clamped outside). */
export function pchip(x: ArrayLike<number>, y: ArrayLike<number>): (u: number) => number {
  const n = x.length;
  const d = pchipSlopes(x, y);
  return (u: number) => {
    if (n === 1) return y[0];
    if (u <= x[0]) return y[0];
    if (u >= x[n - 1]) return y[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid] <= u) lo = mid;
      else hi = mid;
    }
    const h = x[hi] - x[lo];
    const t = (u - x[lo]) / h;
    const t2 = t * t;
    const t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * y[lo] + (t3 - 2 * t2 + t) * h * d[lo] + (-2 * t3 + 3 * t2) * y[hi] + (t3 - t2) * h * d[hi];
  };
}

/** Curve as interpolant in (ln tokens, ln loss), with its ln-token range and knots. */
interface LogCurve {
  knots: Float64Array;
  f: (u: number) => number;
  lo: number;
  hi: number;
}

function logCurve(curve: Curve, shift = 0): LogCurve {
  const knots = Float64Array.from(curve.tokens, (t) => Math.log(t + shift));
  const values = Float64Array.from(curve.loss, (l) => Math.log(l));
  return { knots, f: pchip(knots, values), lo: knots[0], hi: knots[knots.length - 1] };
}

/**
 * Mean of several curves in ln loss over their common token range, on the union of their
 * checkpoints (each curve interpolated by PCHIP in log–log).
 */
export function mergeCurves(curves: Curve[]): Curve {
  if (curves.length === 1) return curves[0];
  const logs = curves.map((c) => logCurve(c));
  const lo = Math.max(...logs.map((c) => c.lo));
  const hi = Math.min(...logs.map((c) => c.hi));
  const us = [...new Set(logs.flatMap((c) => [...c.knots]).filter((u) => u >= lo && u <= hi))].sort((a, b) => a - b);
  const tokens = Float64Array.from(us, (u) => Math.exp(u));
  const loss = Float64Array.from(us, (u) => Math.exp(logs.reduce((s, c) => s + c.f(u), 0) / logs.length));
  return { tokens, loss };
}

/** Where scratch (s) first reaches finetune (f): both as ln-loss interpolants of ln tokens. */
export function findCrossover(scratch: Curve, finetune: Curve, finetuneShift = 0): { status: CrossoverStatus; tokens: number; loss: number; finetuneLoss: number; range: [number, number] } | null {
  const s = logCurve(scratch);
  const f = logCurve(finetune, finetuneShift);
  const lo = Math.max(s.lo, f.lo);
  const hi = Math.min(s.hi, f.hi);
  if (!(hi > lo)) return null;
  const g = (u: number) => s.f(u) - f.f(u);
  const grid = [...new Set([lo, hi, ...s.knots, ...f.knots].filter((u) => u >= lo && u <= hi))].sort((a, b) => a - b);
  // the range's ends as logged (not exp(ln x), which may differ in the last bit)
  const ends = [...scratch.tokens, ...finetune.tokens.map((t) => t + finetuneShift)];
  const nearest = (u: number) => ends.reduce((best, t) => (Math.abs(Math.log(t) - u) < Math.abs(Math.log(best) - u) ? t : best), ends[0]);
  const range: [number, number] = [nearest(lo), nearest(hi)];
  if (g(lo) <= 0) return { status: 'before', tokens: range[0], loss: Math.exp(s.f(lo)), finetuneLoss: Math.exp(f.f(lo)), range };
  for (let k = 1; k < grid.length; k++) {
    if (g(grid[k]) <= 0) {
      let a = grid[k - 1];
      let b = grid[k];
      for (let it = 0; it < 200 && b - a > 1e-13; it++) {
        const m = 0.5 * (a + b);
        if (g(m) > 0) a = m;
        else b = m;
      }
      return { status: 'crossed', tokens: Math.exp(b), loss: Math.exp(s.f(b)), finetuneLoss: Math.exp(f.f(b)), range };
    }
  }
  return { status: 'after', tokens: range[1], loss: Math.exp(s.f(hi)), finetuneLoss: Math.exp(f.f(hi)), range };
}
