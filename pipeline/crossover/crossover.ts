/**
 * Pretrain from scratch or finetune a multilingual checkpoint? (ATLAS §6, Figs. 6–7.)
 *
 * For a language L and a model size N, compare the loss on L of a model trained from scratch on L
 * alone with that of a finetune that continues a multilingual base checkpoint on L alone. The
 * finetune starts far ahead; the scratch run learns faster and eventually overtakes it. The
 * *crossover* is the first token count at which the scratch curve reaches the finetune curve.
 *
 * What "tokens" means (option `finetuneTokens`):
 * - `target` (default, the paper's reading): every curve is plotted against the target-language
 *   training tokens the model has seen in total. For a scratch run that is its tokens; for a
 *   finetune it is the base's L tokens at the start (base mixture weight of L × `base_tokens`)
 *   plus the finetune's own tokens. A finetune thus gets no credit for the base's other-language
 *   tokens, and the crossover is where the two models have seen equally many L tokens.
 * - `since-start`: the finetune's tokens since the start of the finetune (the base's L tokens
 *   are not counted), i.e. the budget one still has to spend on L.
 * Both values are reported; the option picks the one used for the crossover compute fit.
 *
 * Curves: loss vs tokens of each run, restricted to evaluation on L and tokens > 0, interpolated
 * in (ln tokens, ln loss) by the monotone piecewise-cubic Hermite interpolant of Fritsch & Carlson
 * (1980) (scipy's PchipInterpolator): it passes through every checkpoint, never overshoots
 * between them, and keeps each monotone stretch monotone, so a finetune that starts overfitting
 * keeps its upturn. Several runs of one kind (seeds) are averaged in ln loss on their common
 * token range. Nothing is extrapolated: the crossover is searched on the token range both curves
 * cover. When the scratch curve is still above at its end the crossover is right-censored
 * (`status: after`, reported bound = end of the common range); when it is already at or below
 * at the start, left-censored (`status: before`, bound = start of the range).
 *
 * Crossover compute: C = 6·N·D at the crossover (D = the scratch run's tokens there), and the
 * power law C(N) = a·N^b fitted by least squares of ln C on ln N over the uncensored crossovers,
 * with Student-t 95 % intervals on ln a and b (and on a predicted crossover at any N).
 */
import { InputError, type RunTable } from '../io/types.ts';

/** Token axis of the finetune curve (see the module comment). */
export type FinetuneTokens = 'target' | 'since-start';

export interface CrossoverOptions {
  /** @default 'target' */
  finetuneTokens?: FinetuneTokens;
  /** Hold the exponent b of C(N) = a·N^b at this value and fit a only (e.g. with a single model size). */
  fixedExponent?: number | null;
  /** Only these languages (default: every language that has both a finetune and a scratch run). */
  languages?: string[] | null;
}

/** A loss curve: ascending tokens (> 0) and losses. */
export interface Curve {
  tokens: Float64Array;
  loss: Float64Array;
}

/** `crossed`: found inside the range; `after`: not yet crossed at the end (right-censored); `before`: crossed before the start (left-censored). */
export type CrossoverStatus = 'crossed' | 'after' | 'before';

export interface CrossoverPoint {
  lang: string;
  params: number;
  finetuneRuns: string[];
  scratchRuns: string[];
  baseRun: string | null;
  /** L tokens of the base at the start of the finetune (NaN when unknown). */
  baseTargetTokens: number;
  status: CrossoverStatus;
  /** Crossover tokens on the chosen axis; for censored points the bound (end or start of the range). */
  tokens: number;
  /** 6·N·tokens. */
  compute: number;
  /** Loss of both curves at the crossover (or of the scratch curve at the bound). */
  loss: number;
  /** Loss of the finetune curve at the same tokens (equal to `loss` when crossed). */
  finetuneLoss: number;
  /** Token range both curves cover on the chosen axis. */
  range: [number, number];
  /** The same crossover on the other token axis (null when it cannot be computed). */
  other: { axis: FinetuneTokens; status: CrossoverStatus; tokens: number } | null;
}

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

export interface CrossoverResult {
  schema: 'atlas.crossover/1';
  finetuneTokens: FinetuneTokens;
  points: CrossoverPoint[];
  fit: CrossoverFit | null;
  /** Why there is no fit, or remarks (censored points left out, …). */
  notes: string[];
}

// ----------------------------------------------------------------------------------------------
// Monotone cubic interpolation

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

// ----------------------------------------------------------------------------------------------
// Student t quantile (for the intervals of the power-law fit)

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

// ----------------------------------------------------------------------------------------------
// From a run table

interface RunInfo {
  id: string;
  lang: string;
  params: number;
  finetune: boolean;
  baseRun: string | null;
  baseTokens: number;
  /** Rows evaluated on the run's language. */
  rows: number[];
}

/** Weight of `lang` in the mixture of run `id` (first row of the run), or NaN. */
function runWeight(table: RunTable, firstRow: Map<string, number>, id: string, lang: string): number {
  const i = firstRow.get(id);
  if (i === undefined) return NaN;
  const m = table.mixture[i];
  const k = m.langs.indexOf(lang);
  return k < 0 ? 0 : m.weights[k];
}

function curveOf(table: RunTable, rows: number[], where: string, keepZero = false, subtract = 0): Curve {
  const pairs = rows.map((i) => [table.tokens[i] - subtract, table.loss[i]] as const).filter(([t]) => t > 0 || (keepZero && t === 0)).sort((a, b) => a[0] - b[0]);
  const tokens: number[] = [];
  const loss: number[] = [];
  for (const [t, l] of pairs) {
    if (tokens.length && tokens[tokens.length - 1] === t) continue;
    tokens.push(t);
    loss.push(l);
  }
  if (tokens.filter((t) => t > 0).length < 2) throw new InputError(`${where}: fewer than 2 checkpoints with tokens > 0 on its language; a crossover needs a curve`);
  return { tokens: Float64Array.from(tokens), loss: Float64Array.from(loss) };
}

/**
 * What to subtract from a finetune's `tokens` to count tokens since the finetune's start:
 * `base_tokens` when every checkpoint is at or past it (the count includes the base run, as
 * SPEC §1 defines `tokens`), else 0 (the log restarts the count at the finetune).
 */
export function sinceStartOffset(table: RunTable, run: { rows: number[]; baseTokens: number }): number {
  if (!(run.baseTokens > 0)) return 0;
  return run.rows.every((i) => table.tokens[i] >= run.baseTokens) ? run.baseTokens : 0;
}

/** The curve on the `target` axis (shifted by the base's L tokens; the finetune's start is a point) or `since-start` (tokens > 0 only). */
function onAxis(curve: Curve, which: FinetuneTokens, shift: number): Curve {
  const offset = which === 'target' ? shift : 0;
  const keep = [...curve.tokens.keys()].filter((k) => curve.tokens[k] + offset > 0 && (which === 'target' || curve.tokens[k] > 0));
  return { tokens: Float64Array.from(keep, (k) => curve.tokens[k] + offset), loss: Float64Array.from(keep, (k) => curve.loss[k]) };
}

/**
 * Every (language, size) with both finetune and from-scratch runs, their crossover and the C(N)
 * fit. Finetunes are rows with kind `finetune` (or a `base_run`) on a single-language mixture,
 * evaluated on that language; scratch runs are pretraining runs on the same single language at
 * the same N.
 */
export function computeCrossovers(table: RunTable, options: CrossoverOptions = {}): CrossoverResult {
  const axis: FinetuneTokens = options.finetuneTokens ?? 'target';
  if (axis !== 'target' && axis !== 'since-start') throw new InputError(`--finetune-tokens: expected target or since-start, got "${String(axis)}"`);
  const firstRow = new Map<string, number>();
  const runs = new Map<string, RunInfo>();
  for (let i = 0; i < table.rows; i++) {
    const id = table.runId[i];
    if (!firstRow.has(id)) firstRow.set(id, i);
    const m = table.mixture[i];
    if (m.langs.length !== 1 || table.evalLang[i] !== m.langs[0]) continue;
    let run = runs.get(id);
    if (!run) {
      run = {
        id,
        lang: m.langs[0],
        params: table.params[i],
        finetune: table.kind[i] === 'finetune' || table.baseRun[i] !== null,
        baseRun: table.baseRun[i],
        baseTokens: table.baseTokens[i],
        rows: [],
      };
      runs.set(id, run);
    }
    run.rows.push(i);
  }
  const wanted = options.languages ? new Set(options.languages) : null;
  const groups = new Map<string, { lang: string; params: number; finetune: RunInfo[]; scratch: RunInfo[] }>();
  for (const run of runs.values()) {
    if (wanted && !wanted.has(run.lang)) continue;
    const key = `${run.lang}\u0000${run.params}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { lang: run.lang, params: run.params, finetune: [], scratch: [] }));
    (run.finetune ? g.finetune : g.scratch).push(run);
  }
  const notes: string[] = [];
  const points: CrossoverPoint[] = [];
  const sorted = [...groups.values()].sort((a, b) => (a.lang < b.lang ? -1 : a.lang > b.lang ? 1 : a.params - b.params));
  for (const g of sorted) {
    if (!g.finetune.length) continue;
    if (!g.scratch.length) {
      notes.push(`${g.lang} at N=${g.params}: finetune run(s) ${g.finetune.map((r) => r.id).join(', ')} have no from-scratch run of the same language and size; skipped`);
      continue;
    }
    const source = (run: RunInfo) => `${table.sources[table.source[run.rows[0]]]?.path ?? 'data'}:${table.line[run.rows[0]]}: run ${run.id}`;
    const scratch = mergeCurves(g.scratch.map((r) => curveOf(table, r.rows, source(r))));
    // Base L tokens per finetune: weight of L in the base mixture × base_tokens.
    const baseTarget = g.finetune.map((r) => (r.baseRun !== null && Number.isFinite(r.baseTokens) ? r.baseTokens * runWeight(table, firstRow, r.baseRun, g.lang) : NaN));
    const shiftsKnown = baseTarget.every((v) => Number.isFinite(v));
    if (axis === 'target' && !shiftsKnown) {
      const bad = g.finetune.find((_, k) => !Number.isFinite(baseTarget[k]))!;
      throw new InputError(`${source(bad)}: base_run: the base run "${bad.baseRun ?? ''}" and its base_tokens are needed to count the base's ${g.lang} tokens (include the base run's rows, or use --finetune-tokens since-start)`);
    }
    // SPEC §1 counts a finetune's `tokens` from the start of its base run (cumulative); logs that
    // restart the count at the finetune (every checkpoint below base_tokens) are read as they are.
    const own = g.finetune.map((r) => curveOf(table, r.rows, source(r), true, sinceStartOffset(table, r)));
    const finetuneOn = (which: FinetuneTokens) => mergeCurves(own.map((c, k) => onAxis(c, which, baseTarget[k])));
    const main = findCrossover(scratch, finetuneOn(axis));
    if (!main) {
      notes.push(`${g.lang} at N=${g.params}: the scratch and finetune curves share no token range; skipped`);
      continue;
    }
    const otherAxis: FinetuneTokens = axis === 'target' ? 'since-start' : 'target';
    const alt = otherAxis === 'target' && !shiftsKnown ? null : findCrossover(scratch, finetuneOn(otherAxis));
    const baseRuns = [...new Set(g.finetune.map((r) => r.baseRun))];
    points.push({
      lang: g.lang,
      params: g.params,
      finetuneRuns: g.finetune.map((r) => r.id),
      scratchRuns: g.scratch.map((r) => r.id),
      baseRun: baseRuns.length === 1 ? baseRuns[0] : baseRuns.join(','),
      baseTargetTokens: baseTarget.reduce((s, v) => s + v, 0) / baseTarget.length,
      status: main.status,
      tokens: main.tokens,
      compute: 6 * g.params * main.tokens,
      loss: main.loss,
      finetuneLoss: main.finetuneLoss,
      range: main.range,
      other: alt ? { axis: otherAxis, status: alt.status, tokens: alt.tokens } : null,
    });
  }
  if (!points.length) throw new InputError('data: no language has both a finetune run and a from-scratch run of the same size on that language alone');
  const crossed = points.filter((p) => p.status === 'crossed');
  const censored = points.length - crossed.length;
  if (censored) notes.push(`${censored} censored crossover(s) (${points.filter((p) => p.status !== 'crossed').map((p) => `${p.lang} ${p.status}`).join(', ')}) are left out of the C(N) fit`);
  const fit = fitCrossoverLaw(crossed, options.fixedExponent ?? null);
  if ('error' in fit) notes.push(`no C(N) fit: ${fit.error}`);
  return { schema: 'atlas.crossover/1', finetuneTokens: axis, points, fit: 'error' in fit ? null : fit, notes };
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : String(v);
}

/** crossover.csv: one row per (language, size). */
export function crossoverCsv(result: CrossoverResult): string {
  const header = ['lang', 'params', 'status', 'crossover_tokens', 'crossover_compute', 'loss', 'finetune_loss', 'range_low', 'range_high', 'token_axis',
    'other_axis', 'other_status', 'other_tokens', 'base_run', 'base_target_tokens', 'finetune_runs', 'scratch_runs'];
  const lines = [header.join(',')];
  for (const p of result.points) {
    lines.push([p.lang, fmt(p.params), p.status, fmt(p.tokens), fmt(p.compute), fmt(p.loss), fmt(p.finetuneLoss), fmt(p.range[0]), fmt(p.range[1]), result.finetuneTokens,
      p.other?.axis ?? '', p.other?.status ?? '', fmt(p.other?.tokens), p.baseRun ?? '', fmt(p.baseTargetTokens),
      p.finetuneRuns.join(' '), p.scratchRuns.join(' ')].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Read and check a crossover.json written by `atlas crossover`. */
export function parseCrossoverJson(text: string, path: string): CrossoverResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}:1: not JSON: ${(error as Error).message}`);
  }
  const result = parsed as CrossoverResult;
  if (!result || result.schema !== 'atlas.crossover/1' || !Array.isArray(result.points)) {
    throw new InputError(`${path}:1: schema: expected "atlas.crossover/1" (written by atlas crossover --out DIR)`);
  }
  return result;
}
