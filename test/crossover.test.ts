import { describe, expect, it } from 'vitest';
import {
  computeCrossovers, crossoverCsv, findCrossover, fitCrossoverLaw, mergeCurves, parseCrossoverJson, pchip,
  predictCrossoverTokens, studentTQuantile, type Curve,
} from '../pipeline/crossover/crossover.ts';
import { InputError } from '../pipeline/io/types.ts';
import { gauss, makeTable, rng, type Row } from './curse_helpers.ts';

function sample(fn: (d: number) => number, from: number, to: number, count: number): Curve {
  const tokens = Float64Array.from({ length: count }, (_, k) => from * (to / from) ** (k / (count - 1)));
  return { tokens, loss: Float64Array.from(tokens, fn) };
}

// Scratch 1 + (D/1e6)^-0.5 meets finetune 1.2 + 0.5 (D/1e6)^-0.5 where (D/1e6)^-0.5 = 0.4: D = 6.25e6.
const scratchLoss = (d: number) => 1 + (d / 1e6) ** -0.5;
const finetuneLoss = (d: number) => 1.2 + 0.5 * (d / 1e6) ** -0.5;

describe('monotone interpolation', () => {
  it('matches scipy.interpolate.PchipInterpolator', () => {
    // scipy 1.17.1: PchipInterpolator([0,1,2.5,3,5],[1,0.5,0.45,0.6,0.2])([0.3,1.7,2.8,4.1])
    const f = pchip([0, 1, 2.5, 3, 5], [1, 0.5, 0.45, 0.6, 0.2]);
    const expected = [0.7952414159292036, 0.46428095706325795, 0.5471999999999999, 0.5334500000000001];
    [0.3, 1.7, 2.8, 4.1].forEach((u, i) => expect(f(u)).toBeCloseTo(expected[i], 12));
  });

  it('never overshoots monotone data', () => {
    const x = [0, 1, 1.1, 4, 4.2, 9];
    const y = [5, 4, 3.99, 2, 1.5, 1.49];
    const f = pchip(x, y);
    let prev = Infinity;
    for (let u = 0; u <= 9; u += 0.01) {
      const v = f(u);
      expect(v).toBeLessThanOrEqual(prev + 1e-12);
      prev = v;
    }
  });

  it('has the Student t quantiles of scipy.stats.t.ppf', () => {
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138851986274, 8);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 6);
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.1824463052837078, 8);
  });
});

describe('crossover of two curves', () => {
  it('finds the analytic crossing within 1 %', () => {
    const r = findCrossover(sample(scratchLoss, 1e5, 3e7, 16), sample(finetuneLoss, 1e5, 3e7, 16))!;
    expect(r.status).toBe('crossed');
    expect(r.tokens / 6.25e6).toBeGreaterThan(0.99);
    expect(r.tokens / 6.25e6).toBeLessThan(1.01);
    expect(r.loss).toBeCloseTo(1.4, 2);
  });

  it('censors instead of extrapolating', () => {
    const after = findCrossover(sample(scratchLoss, 1e5, 3e6, 12), sample(finetuneLoss, 1e5, 3e7, 12))!;
    expect(after.status).toBe('after');
    expect(after.tokens).toBeCloseTo(3e6, -1);
    const before = findCrossover(sample(scratchLoss, 1e7, 3e7, 12), sample(finetuneLoss, 1e5, 3e7, 12))!;
    expect(before.status).toBe('before');
    expect(before.tokens).toBeCloseTo(1e7, -1);
    expect(findCrossover(sample(scratchLoss, 1e5, 1e6, 5), sample(finetuneLoss, 2e6, 3e7, 5))).toBeNull();
  });

  it('finds the first crossing of an overfitting finetune', () => {
    // finetune improves, then rises (repetition); scratch keeps improving
    const ft = sample((d) => finetuneLoss(d) + 0.3 * Math.max(0, Math.log(d / 2e6)) ** 2, 1e5, 3e7, 20);
    const r = findCrossover(sample(scratchLoss, 1e5, 3e7, 20), ft)!;
    expect(r.status).toBe('crossed');
    expect(r.tokens).toBeGreaterThan(2e6);
    expect(r.tokens).toBeLessThan(6.25e6);
  });

  it('averages seeds in log loss', () => {
    const a = sample((d) => scratchLoss(d) * 1.02, 1e5, 1e7, 9);
    const b = sample((d) => scratchLoss(d) / 1.02, 1e5, 1e7, 9);
    const m = mergeCurves([a, b]);
    for (let k = 0; k < m.tokens.length; k++) expect(m.loss[k]).toBeCloseTo(scratchLoss(m.tokens[k]), 10);
  });
});

function runRows(runId: string, lang: string, params: number, fn: (d: number) => number, tokens: number[], extra: Partial<Row> = {}): Row[] {
  return tokens.map((t) => ({ runId, params, tokens: t, loss: fn(t), evalLang: lang, mixture: `${lang}:1`, ...extra }));
}

const grid = Array.from({ length: 16 }, (_, k) => Math.round(1e5 * 300 ** (k / 15)));

describe('computeCrossovers on a run table', () => {
  // Base: uniform 4-language run; L = de has weight 0.25 and the finetune starts at 4e6 tokens,
  // so the base saw S = 1e6 de tokens. On the target axis the finetune's curve is
  // 1.2 + 0.5 (x/1e6)^-0.5 with x = S + own tokens: crossing at x = 6.25e6.
  const S = 1e6;
  const base: Row = { runId: 'multi', params: 2e6, tokens: 4e6, loss: 2, evalLang: 'de', mixture: 'de:0.25;en:0.25;fr:0.25;ru:0.25' };
  const rows: Row[] = [
    base,
    ...runRows('scratch_de', 'de', 2e6, scratchLoss, grid),
    ...runRows('ft_de', 'de', 2e6, (t) => finetuneLoss(t + S), [0, ...grid], { kind: 'finetune', baseRun: 'multi', baseTokens: 4e6 }),
    // a language whose finetune stays ahead over the logged range
    ...runRows('scratch_fr', 'fr', 2e6, (d) => scratchLoss(d) + 0.5, grid),
    ...runRows('ft_fr', 'fr', 2e6, (t) => finetuneLoss(t + S), [0, ...grid], { kind: 'finetune', baseRun: 'multi', baseTokens: 4e6 }),
    // a scratch run without finetune is ignored
    ...runRows('scratch_ru', 'ru', 2e6, scratchLoss, grid),
  ];
  const table = makeTable(rows, 'runs.csv');

  it('counts the base target tokens on the default axis', () => {
    const result = computeCrossovers(table);
    expect(result.finetuneTokens).toBe('target');
    expect(result.points.map((p) => p.lang)).toEqual(['de', 'fr']);
    const de = result.points[0];
    expect(de.baseTargetTokens).toBeCloseTo(S, 6);
    expect(de.status).toBe('crossed');
    expect(de.tokens / 6.25e6).toBeGreaterThan(0.99);
    expect(de.tokens / 6.25e6).toBeLessThan(1.01);
    expect(de.compute).toBeCloseTo(6 * 2e6 * de.tokens, 0);
    // since-start: 1 + (x/1e6)^-0.5 = 1.2 + 0.5 ((x + 1e6)/1e6)^-0.5, solved by bisection here
    let lo = 1e6;
    let hi = 3e7;
    for (let i = 0; i < 100; i++) {
      const m = Math.sqrt(lo * hi);
      if (scratchLoss(m) > finetuneLoss(m + S)) lo = m;
      else hi = m;
    }
    expect(de.other!.axis).toBe('since-start');
    expect(de.other!.tokens / lo).toBeGreaterThan(0.99);
    expect(de.other!.tokens / lo).toBeLessThan(1.01);
    expect(result.points[1].status).toBe('after');
    expect(result.fit).toBeNull();
    expect(result.notes.join('\n')).toMatch(/2 or more model sizes/);
    const csv = crossoverCsv(result).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toMatch(/^de,2000000,crossed,/);
    expect(parseCrossoverJson(JSON.stringify(result), 'x.json').points).toHaveLength(2);
  });

  it('reads SPEC-cumulative finetune tokens (counted from the base run) the same as restarted ones', () => {
    // SPEC §1: a finetune's tokens include its base's; the same runs logged that way must give
    // the same crossovers as the log above, which restarts the count at the finetune.
    const cumulative = rows.map((r) => (r.kind === 'finetune' ? { ...r, tokens: r.tokens + 4e6 } : r));
    const a = computeCrossovers(table);
    const b = computeCrossovers(makeTable(cumulative, 'runs.csv'));
    expect(b.points.map((p) => [p.status, p.tokens])).toEqual(a.points.map((p) => [p.status, p.tokens]));
  });

  it('asks for the base run when it is missing from the data', () => {
    const noBase = makeTable(rows.slice(1), 'runs.csv');
    expect(() => computeCrossovers(noBase)).toThrow(InputError);
    expect(() => computeCrossovers(noBase)).toThrow(/runs\.csv:\d+: run ft_de: base_run: .*--finetune-tokens since-start/);
    const since = computeCrossovers(noBase, { finetuneTokens: 'since-start' });
    expect(since.points[0].other).toBeNull();
    expect(since.points[0].status).toBe('crossed');
  });

  it('rejects data without any finetune/scratch pair', () => {
    expect(() => computeCrossovers(makeTable(rows.slice(0, 1 + grid.length)))).toThrow(/no language has both/);
  });
});

describe('crossover compute law C(N) = a N^b', () => {
  it('recovers a and b with intervals that cover them', () => {
    const u = rng(7);
    const a = 1113708;
    const b = 1.65;
    const points = [];
    for (const params of [1e8, 3e8, 1e9, 2e9, 4e9, 8e9]) {
      for (let k = 0; k < 3; k++) points.push({ params, compute: a * params ** b * Math.exp(0.05 * gauss(u)) });
    }
    const fit = fitCrossoverLaw(points);
    if ('error' in fit) throw new Error(fit.error);
    expect(fit.b).toBeCloseTo(b, 1);
    expect(fit.bCi95![0]).toBeLessThan(b);
    expect(fit.bCi95![1]).toBeGreaterThan(b);
    expect(fit.aCi95![0]).toBeLessThan(a);
    expect(fit.aCi95![1]).toBeGreaterThan(a);
    expect(fit.dof).toBe(16);
    const at2b = predictCrossoverTokens(fit, 2e9);
    const truth = (a * 2e9 ** b) / (6 * 2e9);
    expect(at2b.tokens / truth).toBeGreaterThan(0.95);
    expect(at2b.tokens / truth).toBeLessThan(1.05);
    expect(at2b.ci95![0]).toBeLessThan(truth);
    expect(at2b.ci95![1]).toBeGreaterThan(truth);
  });

  it('is exact on noiseless data and fits a alone at a fixed exponent', () => {
    const points = [1e8, 1e9].map((params) => ({ params, compute: 5 * params ** 1.5 }));
    const fit = fitCrossoverLaw(points);
    if ('error' in fit) throw new Error(fit.error);
    expect(fit.b).toBeCloseTo(1.5, 12);
    expect(fit.a).toBeCloseTo(5, 9);
    expect(fit.bCi95).toBeNull();
    const fixed = fitCrossoverLaw([{ params: 1e9, compute: 7 * 1e9 ** 1.6 }, { params: 1e9, compute: 9 * 1e9 ** 1.6 }], 1.6);
    if ('error' in fixed) throw new Error(fixed.error);
    expect(fixed.a).toBeCloseTo(Math.sqrt(63), 9);
    expect(fixed.aCi95![0]).toBeLessThan(7);
    expect('error' in fitCrossoverLaw([{ params: 1e9, compute: 1e21 }, { params: 1e9, compute: 2e21 }])).toBe(true);
  });
});
