/**
 * Matrix statistics, the random forest and the predictors (pipeline/transfer/stats.ts, forest.ts,
 * predict.ts). The heatmap is drawn by the report's plots and tested in test/report.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../pipeline/fitting/random.ts';
import { fitForest, predictForest } from '../pipeline/transfer/forest.ts';
import { parseMatrixCsv, subMatrix, type LanguageFeature, type TransferMatrix } from '../pipeline/transfer/matrix.ts';
import { evaluatePredictors, fillMatrix, rSquared, ranks, spearman } from '../pipeline/transfer/predict.ts';
import { groupEffect, jitterRounded, matrixStats, symmetry, topSources } from '../pipeline/transfer/stats.ts';

const features = (rows: [string, string, string][]) => new Map<string, LanguageFeature>(rows.map(([lang, script, family]) => [lang, { lang, script, family }]));

// Rows target, columns source. a, b Latin; c, d Cyrillic; a, c one family.
const SMALL = parseMatrixCsv(
  ['target\\source,a,b,c,d', 'a,,0.4,-0.2,-0.1', 'b,0.2,,-0.3,0.1', 'c,-0.4,-0.2,,0.3', 'd,-0.0,0.1,0.5,'].join('\n'),
  'small.csv',
);
const SMALL_LANGS = features([['a', 'Latn', 'X'], ['b', 'Latn', 'Y'], ['c', 'Cyrl', 'X'], ['d', 'Cyrl', 'Y']]);

describe('matrix statistics', () => {
  it('same-script and different-script means, computed by hand', () => {
    const stats = matrixStats(SMALL, SMALL_LANGS, { permutations: 50 });
    const script = stats.effects.find((e) => e.attribute === 'script')!;
    // same script: a←b 0.4, b←a 0.2, c←d 0.3, d←c 0.5
    expect(script.same.mean).toBeCloseTo((0.4 + 0.2 + 0.3 + 0.5) / 4, 12);
    expect(script.same.n).toBe(4);
    expect(script.different.mean).toBeCloseTo((-0.2 - 0.1 - 0.3 + 0.1 - 0.4 - 0.2 - 0 + 0.1) / 8, 12);
    const family = stats.effects.find((e) => e.attribute === 'family')!;
    // same family: a←c −0.2, c←a −0.4, b←d 0.1, d←b 0.1
    expect(family.same.mean).toBeCloseTo((-0.2 - 0.4 + 0.1 + 0.1) / 4, 12);
    expect(stats.effects.some((e) => e.attribute === 'branch')).toBe(false);
    expect(stats.cells).toBe(12);
  });

  it('symmetry is the Pearson r of A→B against B→A over unordered pairs', () => {
    // pairs (a,b): 0.4/0.2, (a,c): −0.2/−0.4, (a,d): −0.1/−0.0, (b,c): −0.3/−0.2, (b,d): 0.1/0.1, (c,d): 0.3/0.5
    const x = [0.4, -0.2, -0.1, -0.3, 0.1, 0.3];
    const y = [0.2, -0.4, -0.0, -0.2, 0.1, 0.5];
    const mx = x.reduce((a, b) => a + b) / 6;
    const my = y.reduce((a, b) => a + b) / 6;
    const r = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0)
      / Math.sqrt(x.reduce((s, v) => s + (v - mx) ** 2, 0) * y.reduce((s, v) => s + (v - my) ** 2, 0));
    const sym = symmetry(SMALL);
    expect(sym.pairs).toBe(6);
    expect(sym.r).toBeCloseTo(r, 12);
  });

  it('top-k counts: strict ≤ expected ≤ inclusive, ties split evenly', () => {
    // Target t has sources p, q, r with p = q tied at the top; k = 1.
    const m = parseMatrixCsv(['target\\source,t,p,q,r', 't,,0.3,0.3,0.1'].join('\n'), 'tie.csv');
    const { counts, top } = topSources(m, 1);
    const p = counts.find((c) => c.source === 'p')!;
    expect([p.strict, p.expected, p.inclusive]).toEqual([0, 0.5, 1]);
    expect(counts.find((c) => c.source === 'r')!.inclusive).toBe(0);
    expect(top.t.map((e) => e.source)).toEqual(['p']);
  });

  it('permutation p-values are small for a real script effect and large for none', () => {
    // 12 languages, 2 scripts; same-script cells +0.3, others −0.3, plus seeded noise.
    const langs = Array.from({ length: 12 }, (_, i) => `l${i}`);
    const feats = features(langs.map((l, i) => [l, i < 6 ? 'S1' : 'S2', `F${i % 3}`]));
    const rng = new Random(3);
    const n = langs.length;
    const values = new Float64Array(n * n).fill(Number.NaN);
    const noise = new Float64Array(n * n).fill(Number.NaN);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) {
      const e = 0.1 * rng.normal();
      values[i * n + j] = ((i < 6) === (j < 6) ? 0.3 : -0.3) + e;
      noise[i * n + j] = e;
    }
    const strong = groupEffect({ targets: langs, sources: langs, values }, feats, 'script', { permutations: 200, seed: 1 })!;
    expect(strong.p_cells).toBeLessThan(0.01);
    expect(strong.p_languages).toBeLessThan(0.05);
    const none = groupEffect({ targets: langs, sources: langs, values: noise }, feats, 'family', { permutations: 200, seed: 1 })!;
    expect(none.p_cells).toBeGreaterThan(0.05);
    const again = groupEffect({ targets: langs, sources: langs, values }, feats, 'script', { permutations: 200, seed: 1 })!;
    expect(again.p_languages).toBe(strong.p_languages);
  });

  it('rounding jitter keeps −0.0 below zero and +0.0 above it', () => {
    const m = parseMatrixCsv(['target\\source,a,b,c', 'a,,-0.0,0.0', 'b,0.2,,', 'c,,,'].join('\n'), 'z.csv');
    expect(Object.is(m.values[1], -0)).toBe(true);
    const rng = new Random(1);
    for (let k = 0; k < 50; k++) {
      const j = jitterRounded(m, 0.1, rng);
      expect(j.values[1]).toBeLessThanOrEqual(0);
      expect(j.values[1]).toBeGreaterThanOrEqual(-0.05);
      expect(j.values[2]).toBeGreaterThanOrEqual(0);
      expect(Math.abs(j.values[3] - 0.2)).toBeLessThanOrEqual(0.05);
    }
  });

  it('sub-matrices keep the orientation', () => {
    const s = subMatrix(SMALL, ['d', 'a']);
    expect(Array.from(s.values)).toEqual([Number.NaN, -0, -0.1, Number.NaN]);
  });
});

describe('random forest', () => {
  const make = (n: number, seed: number) => {
    const rng = new Random(seed);
    const x = new Float64Array(n * 4);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 4; f++) x[i * 4 + f] = rng.next();
      y[i] = Math.sin(6 * x[i * 4]) + 2 * (x[i * 4 + 1] > 0.5 ? 1 : 0) + 0.05 * rng.normal();
    }
    return { x, y };
  };

  it('learns a nonlinear function with irrelevant features (held-out R² > 0.9)', () => {
    const train = make(600, 1);
    const test = make(300, 2);
    const forest = fitForest(train.x, train.y, 4, { trees: 60, seed: 5 });
    expect(rSquared(test.y, predictForest(forest, test.x))).toBeGreaterThan(0.9);
  });

  it('is seeded: equal seeds give equal forests, different seeds different ones', () => {
    const train = make(200, 1);
    const a = predictForest(fitForest(train.x, train.y, 4, { trees: 10, seed: 1 }), train.x);
    const b = predictForest(fitForest(train.x, train.y, 4, { trees: 10, seed: 1 }), train.x);
    const c = predictForest(fitForest(train.x, train.y, 4, { trees: 10, seed: 2 }), train.x);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('keeps splitting when the drawn feature is constant in a node (mtry = 1)', () => {
    // y depends on a binary feature only; with mtry = 1 the tree must still find it.
    const n = 400;
    const rng = new Random(9);
    const x = new Float64Array(n * 3);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i * 3] = rng.next() < 0.3 ? 1 : 0;
      x[i * 3 + 1] = 0;
      x[i * 3 + 2] = 0;
      y[i] = 2 * x[i * 3];
    }
    const pred = predictForest(fitForest(x, y, 3, { trees: 20, mtry: 1 }), Float64Array.from([0, 0, 0, 1, 0, 0]));
    expect(pred[0]).toBeCloseTo(0, 10);
    expect(pred[1]).toBeCloseTo(2, 10);
  });
});

describe('predictors', () => {
  it('ranks and Spearman handle ties', () => {
    expect(Array.from(ranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 12);
  });

  it('recover an additive row + column matrix and beat the global mean', () => {
    const n = 16;
    const langs = Array.from({ length: n }, (_, i) => `l${i}`);
    const feats = features(langs.map((l, i) => [l, i % 2 ? 'A' : 'B', `F${i % 4}`]));
    const rng = new Random(11);
    const row = langs.map(() => rng.normal());
    const col = langs.map(() => 0.5 * rng.normal());
    const values = new Float64Array(n * n).fill(Number.NaN);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) values[i * n + j] = row[i] + col[j] + 0.05 * rng.normal();
    const m: TransferMatrix = { targets: langs, sources: langs, values };
    const report = evaluatePredictors(m, feats, { trees: 40, seed: 2 });
    const score = (name: string) => report.models.find((x) => x.model.startsWith(name))!;
    expect(report.cells).toBe(n * (n - 1));
    expect(score('row + column').r2).toBeGreaterThan(0.95);
    expect(score('random forest (all').r2).toBeGreaterThan(0.8);
    expect(Math.abs(score('global mean').r2)).toBeLessThan(0.1);
    const again = evaluatePredictors(m, feats, { trees: 40, seed: 2 });
    expect(again.models).toEqual(report.models);
  });

  it('fills unmeasured cells and only those', () => {
    const m: TransferMatrix = { ...SMALL, values: Float64Array.from(SMALL.values) };
    m.values[1] = Number.NaN;
    const { matrix, predicted } = fillMatrix(m, SMALL_LANGS, { trees: 10 });
    expect(predicted[1]).toBe(1);
    expect(Number.isFinite(matrix.values[1])).toBe(true);
    expect(predicted.reduce((a, b) => a + b, 0)).toBe(1);
    expect(matrix.values[2]).toBe(SMALL.values[2]);
  });
});
