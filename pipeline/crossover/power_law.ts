/**
 * The crossover compute law C(N) = a·N^b, fitted by least squares of ln C on ln N, with Student-t
 * 95 % intervals on ln a and b and on a predicted crossover at any model size.
 */
/** Least-squares fit of ln C = ln a + b·ln N. */
export interface CrossoverFit {
  a: number;
  b: number;
  /** 95 % intervals (Student t); null when the degrees of freedom are 0. */
  aCi95: [number, number] | null;
  bCi95: [number, number] | null;
  lnAStderr: number | null;
  bStderr: number | null;
  /** Exponent held fixed (null when fitted). */
  fixedExponent: number | null;
  points: number;
  sizes: number;
  dof: number;
  /** Residual standard deviation of ln C. */
  sigma: number | null;
  r2: number | null;
  /** Mean of ln N and Σ (ln N − mean)² (for intervals on predictions). */
  meanLogN: number;
  sxx: number;
}

function logGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const cj of c) ser += cj / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** CDF of Student's t with `dof` degrees of freedom. */
export function studentTCdf(t: number, dof: number): number {
  const tail = 0.5 * incompleteBeta(dof / (dof + t * t), dof / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t (bisection on the CDF). */
export function studentTQuantile(p: number, dof: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, dof) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ----------------------------------------------------------------------------------------------
// Power law of the crossover compute

/** Fit ln C = ln a + b·ln N by least squares (b fixed when `fixedExponent` is a number). */
export function fitCrossoverLaw(points: { params: number; compute: number }[], fixedExponent: number | null = null): CrossoverFit | { error: string } {
  const n = points.length;
  const x = points.map((p) => Math.log(p.params));
  const y = points.map((p) => Math.log(p.compute));
  const sizes = new Set(points.map((p) => p.params)).size;
  const meanX = x.reduce((s, v) => s + v, 0) / Math.max(n, 1);
  const meanY = y.reduce((s, v) => s + v, 0) / Math.max(n, 1);
  const sxx = x.reduce((s, v) => s + (v - meanX) ** 2, 0);
  let b: number;
  let lnA: number;
  let dof: number;
  if (fixedExponent !== null) {
    if (n < 1) return { error: 'no uncensored crossover to fit' };
    b = fixedExponent;
    lnA = y.reduce((s, v, i) => s + v - b * x[i], 0) / n;
    dof = n - 1;
  } else {
    if (n < 2 || sizes < 2) return { error: `the exponent of C(N) needs uncensored crossovers at 2 or more model sizes (have ${n} at ${sizes}); hold it fixed with --fixed-exponent to fit a alone` };
    const sxy = x.reduce((s, v, i) => s + (v - meanX) * (y[i] - meanY), 0);
    b = sxy / sxx;
    lnA = meanY - b * meanX;
    dof = n - 2;
  }
  const rss = y.reduce((s, v, i) => s + (v - lnA - b * x[i]) ** 2, 0);
  const tss = y.reduce((s, v) => s + (v - meanY) ** 2, 0);
  const sigma = dof > 0 ? Math.sqrt(rss / dof) : null;
  let lnAStderr: number | null = null;
  let bStderr: number | null = null;
  if (sigma !== null) {
    if (fixedExponent !== null) {
      lnAStderr = sigma / Math.sqrt(n);
    } else {
      bStderr = sigma / Math.sqrt(sxx);
      lnAStderr = sigma * Math.sqrt(1 / n + (meanX * meanX) / sxx);
    }
  }
  const q = dof > 0 ? studentTQuantile(0.975, dof) : NaN;
  return {
    a: Math.exp(lnA),
    b,
    aCi95: lnAStderr === null ? null : [Math.exp(lnA - q * lnAStderr), Math.exp(lnA + q * lnAStderr)],
    bCi95: bStderr === null ? null : [b - q * bStderr, b + q * bStderr],
    lnAStderr,
    bStderr,
    fixedExponent,
    points: n,
    sizes,
    dof,
    sigma,
    r2: fixedExponent === null && tss > 0 ? 1 - rss / tss : null,
    meanLogN: meanX,
    sxx,
  };
}

/** Crossover tokens D = C(N)/(6N) predicted by a fit, with a 95 % interval on the mean curve. */
export function predictCrossoverTokens(fit: CrossoverFit, params: number): { tokens: number; ci95: [number, number] | null } {
  const lnN = Math.log(params);
  const lnC = Math.log(fit.a) + fit.b * lnN;
  const tokens = Math.exp(lnC) / (6 * params);
  if (fit.sigma === null || fit.dof < 1) return { tokens, ci95: null };
  const se = fit.fixedExponent !== null
    ? fit.sigma / Math.sqrt(fit.points)
    : fit.sigma * Math.sqrt(1 / fit.points + (lnN - fit.meanLogN) ** 2 / fit.sxx);
  const q = studentTQuantile(0.975, fit.dof);
  return { tokens, ci95: [tokens * Math.exp(-q * se), tokens * Math.exp(q * se)] };
}
