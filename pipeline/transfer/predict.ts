/**
 * Predicting unmeasured transfer scores (ATLAS §4.2) and judging the predictors by seeded k-fold
 * cross-validation over the measured cells.
 *
 * Features of a directed pair s→t:
 * - language: same script, same family, same branch (1 / 0; 0.5 when unknown);
 * - measured neighbours (from the training cells only, never the cell itself): the mean of the
 *   target's row, the mean of the source's column, and the reverse cell t→s when it is measured
 *   (with a 0/1 flag);
 * - finetuning (when FAS runs exist, as in the paper): g̃_s, g̃_t, g̃_s − g̃_t and δ̃_{s→t}, with
 *   g_l = FAS_{l→l} standardised over languages and δ_{s→t} = L_{s→t}(d_max) − L_t^base
 *   standardised per target.
 * Missing feature values are replaced by the training mean of that feature.
 *
 * Models compared: the global mean; the additive row + column model (row mean + column mean −
 * grand mean); k-NN over language features (one-hot script/family/branch of target and source
 * plus the same-* flags, mean of the k nearest training cells, ties at the k-th distance
 * included); the random forest on the same language information (each categorical coded by
 * its training-mean score, the CART ordering for regression); the random forest on all the pair
 * features above.
 * R² is 1 − SS_res/SS_tot over the pooled out-of-fold predictions; Spearman ρ likewise.
 */
import { Random } from '../fitting/random.ts';
import { rSquared } from '../fitting/stats.ts';
import { fitForest, predictForest, type ForestOptions } from './forest.ts';
import type { FasScore } from './transfer.ts';
import type { LanguageFeatures, TransferMatrix } from './matrix.ts';
import { pearson } from './stats.ts';

export interface PredictOptions {
  /** @default 5 */
  folds?: number;
  /** @default 0 */
  seed?: number;
  /** Trees of the forests. @default 300 */
  trees?: number;
  /** Neighbours of k-NN. @default 10 */
  neighbours?: number;
  /** Finetuning scores for the FAS features. */
  fas?: FasScore[];
}

export interface ModelScore {
  model: string;
  r2: number;
  spearman: number;
}

export interface PredictorReport {
  cells: number;
  folds: number;
  seed: number;
  trees: number;
  features: string[];
  models: ModelScore[];
  /** Model with the highest cross-validated R². */
  best: string;
}

interface Pair { i: number; j: number; t: string; s: string; v: number }

function measuredPairs(m: TransferMatrix): Pair[] {
  const out: Pair[] = [];
  for (let i = 0; i < m.targets.length; i++) {
    for (let j = 0; j < m.sources.length; j++) {
      const k = i * m.sources.length + j;
      const v = m.values[k];
      if (!Number.isFinite(v) || (m.censored?.[k] ?? 0) !== 0 || m.targets[i] === m.sources[j]) continue;
      out.push({ i, j, t: m.targets[i], s: m.sources[j], v });
    }
  }
  return out;
}

/** Ranks with ties averaged (1-based). */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  let k = 0;
  while (k < n) {
    let e = k;
    while (e + 1 < n && values[order[e + 1]] === values[order[k]]) e++;
    const r = (k + e) / 2 + 1;
    for (let q = k; q <= e; q++) out[order[q]] = r;
    k = e + 1;
  }
  return out;
}

/** Spearman rank correlation (ties averaged). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

export { rSquared } from '../fitting/stats.ts';

function flag(a: string | undefined, b: string | undefined): number {
  return a === undefined || b === undefined ? 0.5 : a === b ? 1 : 0;
}

interface FasFeatures { g: Map<string, number>; delta: Map<string, number> }

function fasFeatures(fas: FasScore[] | undefined): FasFeatures | null {
  if (!fas || fas.length === 0) return null;
  const gRaw = new Map<string, number>();
  for (const f of fas) if (f.source === f.target) gRaw.set(f.source, f.fas);
  const gv = [...gRaw.values()];
  const gm = gv.reduce((a, b) => a + b, 0) / (gv.length || 1);
  const gs = Math.sqrt(gv.reduce((a, b) => a + (b - gm) ** 2, 0) / Math.max(1, gv.length - 1)) || 1;
  const g = new Map([...gRaw].map(([l, v]) => [l, (v - gm) / gs]));
  const delta = new Map<string, number>();
  const byTarget = new Map<string, FasScore[]>();
  for (const f of fas) {
    let list = byTarget.get(f.target);
    if (!list) byTarget.set(f.target, (list = []));
    list.push(f);
  }
  for (const [t, list] of byTarget) {
    const m = list.reduce((a, f) => a + f.delta, 0) / list.length;
    const s = Math.sqrt(list.reduce((a, f) => a + (f.delta - m) ** 2, 0) / Math.max(1, list.length - 1)) || 1;
    for (const f of list) delta.set(`${t}<${f.source}`, (f.delta - m) / s);
  }
  return { g, delta };
}

/** Feature names, in column order, for a given feature set. */
function featureNames(withNeighbours: boolean, fas: FasFeatures | null): string[] {
  const names = ['same_script', 'same_family', 'same_branch'];
  if (withNeighbours) names.push('row_mean', 'col_mean', 'reverse', 'reverse_known');
  if (fas) names.push('g_source', 'g_target', 'g_diff', 'delta');
  return names;
}

/**
 * Feature rows for `query` pairs given `train` pairs (row/column means exclude the cell itself).
 */
function buildFeatures(m: TransferMatrix, lang: LanguageFeatures, train: Pair[], query: Pair[], withNeighbours: boolean, fas: FasFeatures | null): { x: Float64Array; p: number } {
  const names = featureNames(withNeighbours, fas);
  const p = names.length;
  const rowSum = new Map<string, number>();
  const rowN = new Map<string, number>();
  const colSum = new Map<string, number>();
  const colN = new Map<string, number>();
  const value = new Map<string, number>();
  for (const c of train) {
    rowSum.set(c.t, (rowSum.get(c.t) ?? 0) + c.v);
    rowN.set(c.t, (rowN.get(c.t) ?? 0) + 1);
    colSum.set(c.s, (colSum.get(c.s) ?? 0) + c.v);
    colN.set(c.s, (colN.get(c.s) ?? 0) + 1);
    value.set(`${c.t}<${c.s}`, c.v);
  }
  const x = new Float64Array(query.length * p);
  query.forEach((c, r) => {
    const ft = lang.get(c.t);
    const fs = lang.get(c.s);
    const row: number[] = [flag(ft?.script, fs?.script), flag(ft?.family, fs?.family), flag(ft?.branch, fs?.branch)];
    if (withNeighbours) {
      const own = value.get(`${c.t}<${c.s}`);
      const selfIn = own !== undefined ? 1 : 0;
      const rn = (rowN.get(c.t) ?? 0) - selfIn;
      const cn = (colN.get(c.s) ?? 0) - selfIn;
      row.push(rn > 0 ? ((rowSum.get(c.t) ?? 0) - (own ?? 0)) / rn : Number.NaN);
      row.push(cn > 0 ? ((colSum.get(c.s) ?? 0) - (own ?? 0)) / cn : Number.NaN);
      const rev = value.get(`${c.s}<${c.t}`);
      row.push(rev ?? Number.NaN, rev === undefined ? 0 : 1);
    }
    if (fas) {
      const gs = fas.g.get(c.s) ?? Number.NaN;
      const gt = fas.g.get(c.t) ?? Number.NaN;
      row.push(gs, gt, gs - gt, fas.delta.get(`${c.t}<${c.s}`) ?? Number.NaN);
    }
    x.set(row, r * p);
  });
  return { x, p };
}

/** Replace NaN in `x` (and in `others`) by the column means of `x`. */
function impute(x: Float64Array, p: number, ...others: Float64Array[]): void {
  for (let f = 0; f < p; f++) {
    let sum = 0;
    let n = 0;
    for (let i = f; i < x.length; i += p) if (Number.isFinite(x[i])) { sum += x[i]; n++; }
    const mean = n > 0 ? sum / n : 0;
    for (const arr of [x, ...others]) for (let i = f; i < arr.length; i += p) if (!Number.isFinite(arr[i])) arr[i] = mean;
  }
}

function oneHotVectors(lang: LanguageFeatures, pairs: Pair[]): { x: Float64Array; p: number } {
  const vocab = new Map<string, number>();
  const key = (side: string, attr: string, v: string | undefined) => `${side}:${attr}:${v ?? '?'}`;
  const keysOf = (c: Pair) => {
    const ks: string[] = [];
    for (const attr of ['script', 'family', 'branch'] as const) {
      ks.push(key('t', attr, lang.get(c.t)?.[attr]), key('s', attr, lang.get(c.s)?.[attr]));
    }
    return ks;
  };
  for (const c of pairs) for (const k of keysOf(c)) if (!vocab.has(k)) vocab.set(k, vocab.size);
  const p = vocab.size + 3;
  const x = new Float64Array(pairs.length * p);
  pairs.forEach((c, r) => {
    for (const k of keysOf(c)) x[r * p + vocab.get(k)!] = 1;
    const ft = lang.get(c.t);
    const fs = lang.get(c.s);
    x[r * p + vocab.size] = flag(ft?.script, fs?.script);
    x[r * p + vocab.size + 1] = flag(ft?.family, fs?.family);
    x[r * p + vocab.size + 2] = flag(ft?.branch, fs?.branch);
  });
  return { x, p };
}

/** Script/family/branch of target and source as their mean score over the training cells, plus the same-* flags. */
function targetCoded(lang: LanguageFeatures, pairs: Pair[], trainIdx: number[], y: Float64Array): { x: Float64Array; p: number } {
  const attrs = ['script', 'family', 'branch'] as const;
  const sums = new Map<string, [number, number]>();
  let grand = 0;
  for (const i of trainIdx) {
    grand += y[i];
    for (const attr of attrs) {
      for (const [side, l] of [['t', pairs[i].t], ['s', pairs[i].s]] as const) {
        const key = `${side}:${attr}:${lang.get(l)?.[attr] ?? '?'}`;
        const acc = sums.get(key) ?? [0, 0];
        acc[0] += y[i];
        acc[1]++;
        sums.set(key, acc);
      }
    }
  }
  grand /= trainIdx.length || 1;
  const p = 9;
  const x = new Float64Array(pairs.length * p);
  pairs.forEach((c, r) => {
    let k = 0;
    for (const attr of attrs) {
      for (const [side, l] of [['t', c.t], ['s', c.s]] as const) {
        const acc = sums.get(`${side}:${attr}:${lang.get(l)?.[attr] ?? '?'}`);
        x[r * p + k++] = acc ? acc[0] / acc[1] : grand;
      }
    }
    const ft = lang.get(c.t);
    const fs = lang.get(c.s);
    x[r * p + 6] = flag(ft?.script, fs?.script);
    x[r * p + 7] = flag(ft?.family, fs?.family);
    x[r * p + 8] = flag(ft?.branch, fs?.branch);
  });
  return { x, p };
}

function knnPredict(x: Float64Array, p: number, trainIdx: number[], testIdx: number[], y: Float64Array, k: number): Float64Array {
  const out = new Float64Array(testIdx.length);
  testIdx.forEach((q, r) => {
    const d = trainIdx.map((i) => {
      let s = 0;
      for (let f = 0; f < p; f++) s += (x[q * p + f] - x[i * p + f]) ** 2;
      return { i, s };
    }).sort((a, b) => a.s - b.s);
    const cut = d[Math.min(k, d.length) - 1].s;
    let sum = 0;
    let n = 0;
    for (const e of d) {
      if (e.s > cut) break;
      sum += y[e.i];
      n++;
    }
    out[r] = sum / n;
  });
  return out;
}

/** Cross-validated comparison of the predictors on the measured cells of `m`. */
export function evaluatePredictors(m: TransferMatrix, lang: LanguageFeatures, options: PredictOptions = {}): PredictorReport {
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 0;
  const trees = options.trees ?? 300;
  const k = options.neighbours ?? 10;
  const fas = fasFeatures(options.fas);
  const pairs = measuredPairs(m);
  const n = pairs.length;
  const y = Float64Array.from(pairs, (c) => c.v);
  const rng = new Random(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Int32Array(n);
  order.forEach((cellIndex, position) => { fold[cellIndex] = position % folds; });

  const models = ['global mean', 'row + column means', `k-NN (k=${k}, language features)`, 'random forest (language features)', 'random forest (all features)'];
  const preds = models.map(() => new Float64Array(n));
  const onehot = oneHotVectors(lang, pairs);
  const forestOptions: ForestOptions = { trees, seed };

  for (let f = 0; f < folds; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? testIdx : trainIdx).push(i);
    if (testIdx.length === 0 || trainIdx.length === 0) continue;
    const train = trainIdx.map((i) => pairs[i]);
    const test = testIdx.map((i) => pairs[i]);
    const yTrain = Float64Array.from(trainIdx, (i) => y[i]);

    // Global mean and additive row + column model.
    const grand = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
    const nb = buildFeatures(m, lang, train, test, true, null);
    testIdx.forEach((i, r) => {
      preds[0][i] = grand;
      const rowMean = nb.x[r * nb.p + 3];
      const colMean = nb.x[r * nb.p + 4];
      preds[1][i] = (Number.isFinite(rowMean) ? rowMean : grand) + (Number.isFinite(colMean) ? colMean : grand) - grand;
    });

    // k-NN over one-hot language features.
    const knn = knnPredict(onehot.x, onehot.p, trainIdx, testIdx, y, k);
    testIdx.forEach((i, r) => { preds[2][i] = knn[r]; });

    // Forest on the same language information, each categorical coded by its training-mean
    // score (the CART ordering for regression), plus the same-* flags: 9 features.
    const coded = targetCoded(lang, pairs, trainIdx, y);
    const pick = (rows: number[]) => {
      const out = new Float64Array(rows.length * coded.p);
      rows.forEach((i, r) => out.set(coded.x.subarray(i * coded.p, (i + 1) * coded.p), r * coded.p));
      return out;
    };
    const langForest = fitForest(pick(trainIdx), yTrain, coded.p, { ...forestOptions, seed: seed * 1000 + f });
    const langOut = predictForest(langForest, pick(testIdx));
    testIdx.forEach((i, r) => { preds[3][i] = langOut[r]; });

    // Forest on all pair features (language flags, measured neighbours, FAS).
    const trX = buildFeatures(m, lang, train, train, true, fas);
    const teX = buildFeatures(m, lang, train, test, true, fas);
    impute(trX.x, trX.p, teX.x);
    const forest = fitForest(trX.x, yTrain, trX.p, { ...forestOptions, seed: seed * 1000 + 500 + f });
    const out = predictForest(forest, teX.x);
    testIdx.forEach((i, r) => { preds[4][i] = out[r]; });
  }
  const scores = models.map((model, idx) => ({ model, r2: rSquared(y, preds[idx]), spearman: spearman(y, preds[idx]) }));
  const best = scores.reduce((a, b) => (b.r2 > a.r2 ? b : a)).model;
  return { cells: n, folds, seed, trees, features: featureNames(true, fas), models: scores, best };
}

/**
 * Fill the unmeasured off-diagonal cells of `m` with the all-features random forest trained on
 * every measured cell. Returns the filled matrix and a mask (1 = predicted).
 */
export function fillMatrix(m: TransferMatrix, lang: LanguageFeatures, options: PredictOptions = {}): { matrix: TransferMatrix; predicted: Uint8Array } {
  const fas = fasFeatures(options.fas);
  const train = measuredPairs(m);
  const missing: Pair[] = [];
  for (let i = 0; i < m.targets.length; i++) {
    for (let j = 0; j < m.sources.length; j++) {
      const k = i * m.sources.length + j;
      if (m.targets[i] !== m.sources[j] && !Number.isFinite(m.values[k])) missing.push({ i, j, t: m.targets[i], s: m.sources[j], v: Number.NaN });
    }
  }
  const values = Float64Array.from(m.values);
  const predicted = new Uint8Array(values.length);
  if (missing.length > 0 && train.length > 0) {
    const trX = buildFeatures(m, lang, train, train, true, fas);
    const teX = buildFeatures(m, lang, train, missing, true, fas);
    impute(trX.x, trX.p, teX.x);
    const forest = fitForest(trX.x, Float64Array.from(train, (c) => c.v), trX.p, { trees: options.trees ?? 300, seed: options.seed ?? 0 });
    const out = predictForest(forest, teX.x);
    missing.forEach((c, r) => {
      values[c.i * m.sources.length + c.j] = out[r];
      predicted[c.i * m.sources.length + c.j] = 1;
    });
  }
  return { matrix: { ...m, values }, predicted };
}
