import { describe, expect, it } from 'vitest';
import { runFit } from '../pipeline/fit/fit.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { heldOutMask } from '../pipeline/fit/holdout.ts';
import { Random } from '../pipeline/fitting/random.ts';
import { chinchilla, type ChinchillaDesign } from '../pipeline/laws/chinchilla.ts';
import { predictLoss } from '../pipeline/fitting/fit.ts';
import {
  EXTRAPOLATION_WARN, dataRanges, extrapolation, extrapolationWarning, intervalMetrics, predictionIntervals, residualScatter, validateWithIntervals,
} from '../pipeline/fit/intervals.ts';
import { pointsFromCsv, pointsFromLists } from '../pipeline/commands/predict.ts';
import { InputError } from '../pipeline/io/types.ts';

const TRUTH = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };

/** Runs with N log-uniform in [1e7, 1e9] and D log-uniform in [1e8, 1e11], loss from TRUTH with log-normal noise σ. */
function simulated(runs: number, sigma: number, seed: number): string {
  const rng = new Random(seed);
  const N: number[] = [];
  const D: number[] = [];
  for (let r = 0; r < runs; r++) {
    N.push(10 ** (7 + 2 * rng.next()));
    D.push(10 ** (8 + 3 * rng.next()));
  }
  const design: ChinchillaDesign = { n: runs, logN: Float64Array.from(N, Math.log), logD: Float64Array.from(D, Math.log) };
  const clean = predictLoss(chinchilla, { tokens: 'total' }, design, TRUTH);
  const lines = ['run_id,params,tokens,loss'];
  for (let r = 0; r < runs; r++) lines.push(`r${r},${N[r]},${D[r]},${clean[r] * Math.exp(sigma * rng.normal())}`);
  return `${lines.join('\n')}\n`;
}

describe('prediction intervals', () => {
  it('cover 95 % of held-out runs simulated from a known law, within binomial error', async () => {
    const table = ingestText(simulated(600, 0.02, 5), 'simulated.csv');
    const holdout = 'random:0.7:3';
    const out = await runFit({ table, law: 'chinchilla', fit: { objective: 'lsq', starts: 'init', init: { E: 2, A: 300, B: 300, alpha: 0.3, beta: 0.3 }, bootstrap: 60, seed: 1, threads: 1 }, holdout });
    expect(out.draws).not.toBeNull();
    expect(out.draws!.groups[''].values).toHaveLength(60);
    const iv = predictionIntervals(out.artifact, table, out.draws);
    expect(iv.parameter).toBe(true);
    const mask = heldOutMask(table, holdout);
    const held = mask.reduce((a, b) => a + b, 0);
    const { coverage95, bias } = intervalMetrics(table.loss, iv, (i) => mask[i] === 1);
    // Binomial standard error of a 95 % coverage on `held` rows; allow three of them.
    const se = Math.sqrt((0.95 * 0.05) / held);
    expect(held).toBeGreaterThan(350);
    expect(Math.abs(coverage95 - 0.95)).toBeLessThan(3 * se);
    expect(Math.abs(bias)).toBeLessThan(0.005);
    // Every interval contains its point prediction and the validate report carries the same numbers.
    for (let i = 0; i < table.rows; i++) expect(iv.lo[i] <= iv.predicted[i] && iv.predicted[i] <= iv.hi[i]).toBe(true);
    const report = validateWithIntervals(out.artifact, table, holdout, out.draws);
    expect(report.coverage95).toBe(coverage95);
    expect(report.bias).toBe(bias);
    expect(report.intervals).toBe('bootstrap+residual');
  });

  it('are wider with parameter uncertainty than with residual scatter alone, most of all far outside the data', async () => {
    const table = ingestText(simulated(40, 0.02, 9), 'simulated.csv');
    const out = await runFit({ table, law: 'chinchilla', fit: { objective: 'lsq', starts: 'init', init: { E: 2, A: 300, B: 300, alpha: 0.3, beta: 0.3 }, bootstrap: 40, seed: 1, threads: 1 } });
    const far = ingestText('run_id,params,tokens,loss\nnear,1e8,1e10,1\nfar,1e12,1e14,1\n', 'points.csv');
    const both = predictionIntervals(out.artifact, far, out.draws);
    const residualOnly = predictionIntervals(out.artifact, far, null);
    expect(residualOnly.parameter).toBe(false);
    const width = (iv: typeof both, i: number) => Math.log(iv.hi[i] / iv.lo[i]);
    expect(width(both, 0)).toBeGreaterThanOrEqual(width(residualOnly, 0));
    expect(width(both, 1)).toBeGreaterThan(width(both, 0));
    expect(width(both, 1) - width(residualOnly, 1)).toBeGreaterThan(width(both, 0) - width(residualOnly, 0));
  });

  it('use the residual quantiles of the fitted space', () => {
    const s = residualScatter([1, 2, 3, 4], [1, 2, 3, 4.4], () => true, 'linear');
    expect(s.rows).toBe(4);
    // e = observed − predicted = [0, 0, 0, −0.4]; type-7 quantile at 2.5 %: −0.4 + 0.075·0.4.
    expect(s.q025).toBeCloseTo(-0.37, 12);
    expect(s.q975).toBe(0);
  });
});

describe('extrapolation distances', () => {
  const table = ingestText('run_id,params,tokens,loss\na,1e7,1e8,3\nb,1.4e9,2e10,2\n', 'runs.csv');
  const ranges = dataRanges(table);

  it('records N, D and C = 6ND ranges of the training rows', () => {
    expect(ranges.params).toEqual([1e7, 1.4e9]);
    expect(ranges.tokens).toEqual([1e8, 2e10]);
    expect(ranges.compute).toEqual([6e15, 6 * 1.4e9 * 2e10]);
  });

  it('measure N/N_max, D/D_max, C/C_max and warn beyond 10×', () => {
    const inside = extrapolation(ranges, 1e8, 1e9);
    expect(inside.factor).toBe(1);
    expect(extrapolationWarning(inside, 'p')).toBe('');
    const far = extrapolation(ranges, 7e14, 1.4e20);
    expect(far.params_ratio).toBeCloseTo(5e5, 6);
    expect(far.tokens_ratio).toBeCloseTo(7e9, 3);
    expect(far.axis).toBe('compute');
    expect(far.factor).toBeGreaterThan(EXTRAPOLATION_WARN);
    expect(extrapolationWarning(far, 'point 1')).toMatch(/^atlas: warning: point 1 lies .*× outside the fitted data in C = 6ND \(N\/N_max 5\.00e\+5/);
    expect(extrapolation(ranges, 1e6 / 2, 1e8).axis).toBe('params');
  });
});

describe('predict points', () => {
  const common = { lang: 'und' };
  it('pairs lists of equal length and broadcasts a single value', () => {
    expect(pointsFromLists('1e9,2e9', '2e10,4e10', common).map((p) => [p.params, p.tokens])).toEqual([[1e9, 2e10], [2e9, 4e10]]);
    expect(pointsFromLists('1e9,2e9,4e9', '2e10', common).map((p) => [p.params, p.tokens])).toEqual([[1e9, 2e10], [2e9, 2e10], [4e9, 2e10]]);
    expect(pointsFromLists('1e9', '2e10,4e10', common).map((p) => p.params)).toEqual([1e9, 1e9]);
    expect(() => pointsFromLists('1e9,2e9', '1e10,2e10,3e10', common)).toThrow(/equal length/);
    expect(() => pointsFromLists('1e9,x', '1e10', common)).toThrow(/--params: item 2 "x"/);
  });

  it('reads a CSV of points and names file, line and column of a bad cell', () => {
    const points = pointsFromCsv('params,tokens,eval_lang\n1e9,2e10,en\n2e9,4e10,\n', 'pts.csv', common);
    expect(points.map((p) => [p.params, p.tokens, p.lang, p.at])).toEqual([[1e9, 2e10, 'en', 'pts.csv:2'], [2e9, 4e10, 'und', 'pts.csv:3']]);
    let error: unknown;
    try { pointsFromCsv('params,tokens\n1e9,abc\n', 'pts.csv', common); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toEqual(['pts.csv:2:2: tokens: "abc" is not a number > 0']);
    expect(() => pointsFromCsv('n,tokens\n1,2\n', 'pts.csv', common)).toThrow(/pts\.csv:1: params: missing required column/);
  });
});
