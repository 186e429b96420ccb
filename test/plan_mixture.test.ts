/**
 * `atlas plan mixture` on laws with known optima, the projection onto the capped simplex, the
 * bootstrap interval, and Spearman's ρ (scipy golden values).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runCommand, useTempDirs } from './helpers/command.ts';
import { planCommand } from '../pipeline/commands/plan.ts';
import { writeArtifact } from '../pipeline/io/artifact.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import { validateArtifact } from '../pipeline/fit/validate.ts';
import { spearman } from '../pipeline/fit/rank.ts';
import { planMixture, projectCappedSimplex } from '../pipeline/plan/mixture.ts';
import { parseBootstrapDraws } from '../pipeline/plan/bootstrap_draws.ts';
import { InputError } from '../pipeline/io/types.ts';

const MAP = { run_id: 'run', params: 'N', tokens: 'D', eval_lang: 'valid', mixture: 'split:mix:a,b,c' };

/** Runs on a grid of three-domain mixtures, loss per target from `law`. */
function runs(targets: Record<string, (r: number[]) => number>): string {
  const lines = ['run,N,D,valid,mix,loss'];
  let k = 0;
  for (let i = 0; i <= 8; i++) for (let j = 0; i + j <= 8; j++) {
    const r = [i / 8, j / 8, (8 - i - j) / 8];
    for (const [t, law] of Object.entries(targets)) lines.push(`r${k},1e8,2e9,${t},${r.join('-')},${law(r)}`);
    k++;
  }
  return `${lines.join('\n')}\n`;
}

const mixing = (c: number, t: number[]) => (r: number[]) => c + Math.exp(t[0] * r[0] + t[1] * r[1] + t[2] * r[2]);

describe('plan mixture', () => {
  it('picks the domain with the lowest reducible loss, and fills the next one when an epoch cap binds', async () => {
    const table = ingestText(runs({ web: mixing(1.5, [0.5, -0.4, -1.1]) }), 'one.csv', { map: MAP });
    const { artifact } = await runFit({ table, law: 'mixing-law' });
    const free = planMixture(artifact, { targets: { web: 1 } });
    expect(free.mixture.c).toBeCloseTo(1, 6);
    expect(free.predicted).toBeCloseTo(1.5 + Math.exp(-1.1), 5);
    // c may be repeated at most 4 × 7.5e7 / 1e9 = 0.3 of the budget; b (next lowest) takes the rest.
    const capped = planMixture(artifact, { targets: { web: 1 }, budget: 1e9, uniqueTokens: { c: 7.5e7 }, maxEpochs: 4 });
    expect(capped.caps.c).toBeCloseTo(0.3, 12);
    expect(capped.mixture.c).toBeCloseTo(0.3, 6);
    expect(capped.mixture.b).toBeCloseTo(0.7, 6);
    expect(() => planMixture(artifact, { targets: { web: 1 }, uniqueTokens: { c: 1e6 } })).toThrow(/--budget/);
    expect(() => planMixture(artifact, { targets: { web: 1 }, budget: 1e12, uniqueTokens: { a: 1, b: 1, c: 1 } })).toThrow(/raise --max-epochs/);
  });

  it('finds the interior optimum of a weighted pair of targets', async () => {
    // ta: exp(2 r_b), tb: exp(2 r_a) (c = 1 each); 1·ta + 2·tb has its minimum on the a–b edge at
    // r_a = (2 − ln 2)/4 (d/dx [e^{2(1−x)} + 2e^{2x}] = 0), r_c = 0 when c is costly for both.
    const table = ingestText(runs({ ta: mixing(1, [0, 2, 3]), tb: mixing(1, [2, 0, 3]) }), 'two.csv', { map: MAP });
    const { artifact } = await runFit({ table, law: 'mixing-law', groupBy: 'eval_lang' });
    const plan = planMixture(artifact, { targets: { ta: 1, tb: 2 } });
    const x = (2 - Math.log(2)) / 4;
    expect(plan.mixture.a).toBeCloseTo(x, 5);
    expect(plan.mixture.b).toBeCloseTo(1 - x, 5);
    expect(plan.mixture.c ?? 0).toBeLessThan(1e-6);
    expect(plan.predicted).toBeCloseTo(3 + Math.exp(2 * (1 - x)) + 2 * Math.exp(2 * x), 5);
    expect(() => planMixture(artifact, { targets: { tz: 1 } })).toThrow(/no group "tz"/);
  });

  it('gives a bootstrap interval around the predicted loss and ranks candidate mixtures', async () => {
    let noise = 1;
    const table = ingestText(runs({ web: (r) => mixing(1.5, [0.5, -0.4, -1.1])(r) * (1 + 0.004 * Math.sin(noise++ * 12.9898)) }), 'noisy.csv', { map: MAP });
    const fit = await runFit({ table, law: 'mixing-law', fit: { bootstrap: 60, seed: 1 } });
    const draws = fit.results.get('')!.bootstrap!.draws;
    const names = Object.keys(draws);
    const csv = ['replicate,' + names.join(','), ...Array.from({ length: draws[names[0]].length }, (_, b) => [b, ...names.map((n) => draws[n][b])].join(','))].join('\n');
    const parsed = parseBootstrapDraws(csv, 'bootstrap.csv');
    const plan = planMixture(fit.artifact, { targets: { web: 1 }, draws: { web: parsed[''] } }, table);
    expect(plan.interval!.replicates).toBe(60);
    expect(plan.interval!.ci95[0]).toBeLessThan(plan.predicted);
    expect(plan.interval!.ci95[1]).toBeGreaterThan(plan.predicted);
    expect(plan.candidates!.count).toBe(45);
    expect(plan.candidates!.bestObserved.predictedRank).toBe(1);
    expect(() => parseBootstrapDraws('replicate,c\n0,x\n', 'b.csv')).toThrow(/b\.csv:2: c: not a number/);
  });

  it('refuses laws it cannot plan with, naming the laws it can', async () => {
    const text = 'run,N,D,loss\na,1e8,1e9,3\nb,2e8,1e9,2.9\nc,1e8,2e9,2.8\nd,4e8,4e9,2.5\ne,8e8,8e9,2.3\nf,1e9,2e10,2.1\n';
    const table = ingestText(text, 'c.csv', { map: { run_id: 'run', params: 'N', tokens: 'D' } });
    const { artifact } = await runFit({ table, law: 'chinchilla', fit: { starts: 'init' } });
    expect(() => planMixture(artifact, { targets: { und: 1 } })).toThrow(InputError);
    expect(() => planMixture(artifact, { targets: { und: 1 } })).toThrow(/mixing-law or mixture-linear/);
  });

  it('projects onto the capped simplex (property: feasible and no farther than any feasible point tried)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 6 }), fc.integer({ min: 0, max: 100 }), (v, seed) => {
      const m = v.length;
      const cap = Float64Array.from({ length: m }, (_, j) => (j === seed % m ? 0.4 : 1));
      const p = projectCappedSimplex(Float64Array.from(v), cap);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      p.forEach((x, j) => { expect(x).toBeGreaterThanOrEqual(0); expect(x).toBeLessThanOrEqual(cap[j] + 1e-12); });
      const uniform = Float64Array.from({ length: m }, () => 1 / m);
      const d = (a: ArrayLike<number>) => Array.from(a).reduce((s, x, j) => s + (x - v[j]) ** 2, 0);
      if (uniform.every((x, j) => x <= cap[j])) expect(d(p)).toBeLessThanOrEqual(d(uniform) + 1e-9);
    }));
  });
});

describe('Spearman ρ', () => {
  it('matches scipy.stats.spearmanr, ties averaged', () => {
    // scipy 1.x: spearmanr([1,2,2,3,5],[2,1,4,3,5]) and spearmanr([3,1,4,1,5,9,2,6],[2,7,1,8,2,8,1,8]).
    expect(spearman([1, 2, 2, 3, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.6668859288553503, 12);
    expect(spearman([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8])).toBeCloseTo(0.19885368120992467, 12);
  });

  it('validate reports it across held-out mixtures, per (target, N, D) cell, and only when there are several', async () => {
    const table = ingestText(runs({ web: mixing(1.5, [0.5, -0.4, -1.1]) }), 'v.csv', { map: MAP });
    const { artifact } = await runFit({ table, law: 'mixing-law', holdout: 'mixtures:random:0.3:0' });
    const report = validateArtifact(artifact, table, 'mixtures:random:0.3:0');
    expect(report.spearman).toBeCloseTo(1, 9);
    expect(report.spearman_cells).toHaveLength(1);
    const one = validateArtifact(artifact, table, 'runs:r0');
    expect(one.spearman).toBeUndefined();
  });
});

const tempDir = useTempDirs();

describe('atlas plan mixture (command)', () => {
  it('prints the mixture, reads bootstrap.csv beside the coefficients and ranks candidate data; bad flags are input errors', async () => {
    const dir = tempDir('atlas-plan-mixture-');
    const text = runs({ web: mixing(1.5, [0.5, -0.4, -1.1]) });
    writeFileSync(join(dir, 'runs.csv'), text);
    const table = ingestText(text, 'runs.csv', { map: MAP });
    const { artifact } = await runFit({ table, law: 'mixing-law' });
    writeArtifact(join(dir, 'coefficients.json'), artifact);
    const names = Object.keys(artifact.params);
    const rows = [0.99, 1, 1.01].map((f, b) => [b, ...names.map((n) => artifact.params[n].value * (n === 'c' ? f : 1))].join(','));
    writeFileSync(join(dir, 'bootstrap.csv'), `replicate,${names.join(',')}\n${rows.join('\n')}\n`);
    const run = (argv: string[]) => runCommand(planCommand, argv);
    const coefficients = join(dir, 'coefficients.json');
    const mapFlags = Object.entries(MAP).flatMap(([k, v]) => ['--map', `${k}=${v}`]);
    const textOut = await run(['plan', 'mixture', '--coefficients', coefficients, '--target', 'web', '--data', join(dir, 'runs.csv'), ...mapFlags]);
    expect(textOut).toMatch(/^c +1$/m);
    expect(textOut).toMatch(/over 3 bootstrap replicates/);
    expect(textOut).toMatch(/best observed \(loss [\d.]+\) ranks 1 of 45 under the law/);
    const json = JSON.parse(await run(['plan', 'mixture', '--coefficients', coefficients, '--target', 'web', '--json']));
    expect(json.mixture.c).toBeCloseTo(1, 6);
    await expect(run(['plan', 'mixture', '--coefficients', coefficients, '--target', 'web=-1'])).rejects.toThrow(/--target: expected DOMAIN or DOMAIN=WEIGHT/);
    await expect(run(['plan', 'mixture', '--coefficients', coefficients, '--target', 'web', '--unique-tokens', 'zz=5'])).rejects.toThrow(/"zz" is not a domain/);
  });
});
