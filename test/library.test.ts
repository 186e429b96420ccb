/**
 * The library API: `import { fit, laws, ingest } from '@atlas-scaling/atlas'` (package self-reference through
 * the `exports` map) and the runnable example scripts/example-library.ts.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit, ingest, InputError, laws, rowsToCsv, type RowInput } from '@atlas-scaling/atlas';

const root = join(import.meta.dirname, '..');

describe('library API', () => {
  it('exports the law registry, ingest and fit', () => {
    expect(Object.keys(laws)).toEqual(expect.arrayContaining(['chinchilla', 'data-constrained']));
    expect(typeof ingest).toBe('function');
    expect(typeof ingest.text).toBe('function');
    expect(typeof fit).toBe('function');
  });

  it('turns row objects into CSV that ingest reads, and reports bad rows by line', () => {
    const rows: RowInput[] = [
      { run_id: 'a', params: 1e8, tokens: 2e9, loss: 3.1, mixture: { en: 0.75, fr: 0.25 }, eval_lang: 'en' },
      { run_id: 'b', params: 2e8, tokens: 4e9, loss: 2.9, note: 'has, comma' },
    ];
    expect(rowsToCsv(rows)).toBe('run_id,params,tokens,loss,mixture,eval_lang,note\na,100000000,2000000000,3.1,en:0.75;fr:0.25,en,\nb,200000000,4000000000,2.9,,,"has, comma"\n');
    const table = ingest.rows(rows);
    expect(table.rows).toBe(2);
    expect(table.mixture[0].langs).toEqual(['en', 'fr']);
    let caught: unknown;
    try {
      ingest.rows([...rows, { run_id: 'c', params: 1e8, tokens: 1e9, loss: -1 }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).problems.join('\n')).toMatch(/^rows:4: loss: /m);
  });

  it('runs scripts/example-library.ts, which recovers the published Chinchilla coefficients', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/example-library.ts'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { converged: boolean; values: Record<string, number>; truth: Record<string, number>; heldout_r2: number; rows: number };
    expect(out.rows).toBe(30);
    expect(out.converged).toBe(true);
    // Noise-free rows from Hoffmann et al. (2022) Approach 3 (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28).
    for (const name of ['E', 'A', 'B', 'alpha', 'beta']) expect(Math.abs(out.values[name] / out.truth[name] - 1)).toBeLessThan(1e-6);
    expect(out.heldout_r2).toBeGreaterThan(0.999);
  });
});
