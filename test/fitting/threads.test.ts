import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFiles } from '../../pipeline/ingest/ingest.ts';
import { chinchilla } from '../../pipeline/laws/chinchilla.ts';
import { fitLaw } from '../../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../../pipeline/fitting/options.ts';
import { closePool, warmPool } from '../../pipeline/fitting/pool.ts';
import { prepare, searchBatch } from '../../pipeline/fitting/search.ts';
import { buildParameterMap } from '../../pipeline/fitting/parameters.ts';
import { startingPoints } from '../../pipeline/fitting/fit.ts';

const root = new URL('../../', import.meta.url).pathname;

async function epoch() {
  const table = await ingestFiles([join(root, 'datasets/epoch-chinchilla/chinchilla_fig4_ND.csv')], {
    map: { run_id: 'row', params: 'N_params', tokens: 'D_tokens', loss: 'loss' },
    where: ['epoch_excluded_outlier == 0'],
  });
  const ctx = chinchilla.context(table, {});
  return { law: chinchilla, ctx, design: chinchilla.prepare(table, ctx), y: Float64Array.from(table.loss, Math.log) };
}

afterAll(async () => { await closePool(); });

describe('fits on worker threads', () => {
  it('give the same optimum, optima list and bootstrap intervals for 1 and 2 threads', async () => {
    const problem = await epoch();
    expect(await warmPool(2)).toBe(1);
    const options = { starts: 'grid' as const, bootstrap: 200, seed: 11 };
    const one = await fitLaw(problem, resolveFitOptions(options, { threads: 1 }));
    const two = await fitLaw(problem, resolveFitOptions(options, { threads: 2 }));
    expect(two.values).toEqual(one.values);
    expect(two.optima).toEqual(one.optima);
    expect(two.iterations).toBe(one.iterations);
    expect(two.estimates.map((e) => [e.stderr, e.ci95])).toEqual(one.estimates.map((e) => [e.stderr, e.ci95]));
    // Epoch's replication optimum (arXiv:2404.10102, grid fit): objective 0.0010182740.
    expect(one.objective.value).toBeLessThanOrEqual(0.0010182740 * (1 + 1e-6));
  });

  it('threads sharing a search batch through its counter each run the starts they take, as one thread would', async () => {
    const problem = await epoch();
    const options = resolveFitOptions(chinchilla.defaults, { starts: 'grid' });
    const prepared = prepare(problem, options);
    const starts = startingPoints(buildParameterMap(chinchilla.parameters(problem.ctx), options), options).slice(0, 12);
    const indices = starts.map((_, k) => 30 + k);
    const whole = searchBatch(prepared, starts, indices, Infinity);
    expect(whole.map((o) => o.start)).toEqual(indices);
    // Another thread has taken the batch's first five starts.
    const next = new Int32Array(new SharedArrayBuffer(4));
    next[0] = 5;
    const rest = searchBatch(prepared, starts, indices, Infinity, next);
    expect(rest).toEqual(whole.slice(5));
    expect(next[0]).toBeGreaterThanOrEqual(starts.length);
    expect(searchBatch(prepared, starts, indices, Infinity, next)).toEqual([]);
  });

  it('the pruned grid reaches the exhaustive grid optimum on the Epoch data', async () => {
    const problem = await epoch();
    const pruned = await fitLaw(problem, resolveFitOptions({ starts: 'grid' }));
    const exhaustive = await fitLaw(problem, resolveFitOptions({ starts: 'grid', prune: false }));
    expect(Math.abs(pruned.objective.value / exhaustive.objective.value - 1)).toBeLessThan(1e-9);
    for (const name of ['E', 'A', 'B', 'alpha', 'beta']) {
      expect(Math.abs(pruned.values[name] / exhaustive.values[name] - 1)).toBeLessThan(1e-5);
    }
  }, 120_000);
});

describe('atlas fit determinism', () => {
  it('the same command twice writes byte-identical artifacts and predictions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-det-'));
    try {
      for (const name of ['a', 'b']) {
        const run = spawnSync('node', [join(root, 'bin/atlas.mjs'), 'fit', '--config', join(root, 'configs/epoch-chinchilla.yaml'), '--starts', '40', '--bootstrap', '50', '--seed', '5', '--out', join(dir, name), '--allow-outside'], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
      }
      for (const file of ['coefficients.json', 'predictions.csv']) {
        expect(readFileSync(join(dir, 'b', file), 'utf8')).toBe(readFileSync(join(dir, 'a', file), 'utf8'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
