import { describe, expect, it } from 'vitest';
import { checkpointMask, parseCheckpointPolicy } from '../pipeline/fit/checkpoints.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import { ConfigSchema } from '../pipeline/config/schema.ts';
import { InputError } from '../pipeline/io/types.ts';
import { DEFAULT_FIT_OPTIONS } from '../pipeline/fitting/options.ts';

// Chinchilla-form learning curves (Hoffmann et al. 2022 rounded coefficients) of three runs whose
// first checkpoints sit 5 % above the law (the warm-up regime), ten checkpoints each.
const LAW = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
function curves(): string {
  const lines = ['run_id,params,tokens,loss,step'];
  for (const [r, n, total] of [['a', 1e7, 2e9], ['b', 4e7, 4e9], ['c', 1.6e8, 8e9]] as const) {
    for (let k = 1; k <= 10; k++) {
      const d = (total * k) / 10;
      const clean = LAW.E + LAW.A / n ** LAW.alpha + LAW.B / d ** LAW.beta;
      lines.push(`${r},${n},${d},${k <= 2 ? clean * 1.05 : clean},${k * 100}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('checkpoint policies', () => {
  const table = ingestText(curves(), 'curves.csv');
  const kept = (policy: string) => [...checkpointMask(table, policy)].reduce((a, b) => a + b, 0);

  it('all keeps every row; final keeps each run\'s last checkpoint', () => {
    expect(kept('all')).toBe(30);
    const final = checkpointMask(table, 'final');
    expect(kept('final')).toBe(3);
    for (let i = 0; i < table.rows; i++) expect(final[i]).toBe(table.step[i] === 1000 ? 1 : 0);
  });

  it('drop-early:F drops the first fraction F of each run\'s tokens, measured per run', () => {
    const mask = checkpointMask(table, 'drop-early:0.2');
    // tokens ≤ 0.2 × final: checkpoints 1 and 2 of every run, whatever its budget.
    for (let i = 0; i < table.rows; i++) expect(mask[i]).toBe(table.step[i] > 200 ? 1 : 0);
    expect(kept('drop-early:0')).toBe(30);
  });

  it('the default, drop-early:0.5, keeps every row of a log with one checkpoint per run and works per run id', async () => {
    expect(DEFAULT_FIT_OPTIONS.checkpoints).toBe('drop-early:0.5');
    // One row per run at budgets 2e9 … 8e9: each row is its run's final checkpoint.
    const finals = ingestText('run_id,params,tokens,loss\na,1e7,2e9,3.1\nb,1e7,4e9,3.0\nc,1e7,8e9,2.9\n', 'finals.csv');
    expect([...checkpointMask(finals, DEFAULT_FIT_OPTIONS.checkpoints)]).toEqual([1, 1, 1]);
    // The same rows filed under one run id are one run's checkpoints: the first half goes.
    const oneRun = ingestText('run_id,params,tokens,loss\na,1e7,2e9,3.1\na,1e7,4e9,3.0\na,1e7,8e9,2.9\n', 'one-run.csv');
    expect([...checkpointMask(oneRun, DEFAULT_FIT_OPTIONS.checkpoints)]).toEqual([0, 0, 1]);
    // A fit without a policy applies the default: the warm-up rows (≤ half of each run) are dropped.
    const fit = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: LAW, objective: 'lsq' } });
    expect(fit.artifact.checkpoints).toEqual({ policy: 'drop-early:0.5', rows_removed: 15 });
  });

  it('tokens>=X keeps rows with at least X tokens (suffixes allowed)', () => {
    expect(kept('tokens>=4e9')).toBe(table.tokens.filter((t) => t >= 4e9).length);
    expect(kept('tokens>=4B')).toBe(kept('tokens>=4e9'));
  });

  it('malformed policies are input errors naming --checkpoints', () => {
    for (const bad of ['drop-early:1', 'drop-early:-0.1', 'drop-early:x', 'tokens>=lots', 'first']) {
      expect(() => parseCheckpointPolicy(bad)).toThrow(InputError);
      expect(() => parseCheckpointPolicy(bad)).toThrow(/--checkpoints/);
    }
    expect(ConfigSchema.safeParse({ fit: { checkpoints: 'drop-early:0.25' } }).success).toBe(true);
    expect(ConfigSchema.safeParse({ fit: { checkpoints: 'tokens>=2M' } }).success).toBe(true);
    expect(ConfigSchema.safeParse({ fit: { checkpoints: 'early' } }).success).toBe(false);
  });

  it('a fit records the policy and the rows it removed, predicts them as dropped, and drop-early recovers the law past the warm-up bump', async () => {
    const all = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: LAW, objective: 'lsq', checkpoints: 'all' } });
    const early = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: LAW, objective: 'lsq', checkpoints: 'drop-early:0.2' } });
    expect(all.artifact.checkpoints).toEqual({ policy: 'all', rows_removed: 0 });
    expect(early.artifact.checkpoints).toEqual({ policy: 'drop-early:0.2', rows_removed: 6 });
    expect(early.artifact.options.checkpoints).toBe('drop-early:0.2');
    expect(early.artifact.metrics.train.rows).toBe(24);
    const [header, ...lines] = early.predictions.trim().split('\n');
    const split = header.split(',').indexOf('split');
    expect(lines.filter((line) => line.split(',')[split] === 'dropped').length).toBe(6);
    // Without the bumped checkpoints the law is recovered; with them it is not.
    expect(Math.abs(early.artifact.params.alpha.value / LAW.alpha - 1)).toBeLessThan(1e-3);
    expect(Math.abs(all.artifact.params.alpha.value / LAW.alpha - 1)).toBeGreaterThan(1e-2);
    const final = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: LAW, fix: { E: LAW.E, A: LAW.A, B: LAW.B }, checkpoints: 'final' } });
    expect(final.artifact.checkpoints).toEqual({ policy: 'final', rows_removed: 27 });
    const atLeast = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: LAW, fix: { E: LAW.E, A: LAW.A, alpha: LAW.alpha }, checkpoints: 'tokens>=2e9' } });
    expect(atLeast.artifact.checkpoints).toEqual({ policy: 'tokens>=2000000000', rows_removed: table.tokens.filter((t) => t < 2e9).length });
  });
});
