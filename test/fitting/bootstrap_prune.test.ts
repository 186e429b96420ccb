/**
 * Bootstrap refits from several warm starts: with pruning, a later warm start still above
 * PRUNE_FACTOR × the best refit after one iteration is abandoned. On the Epoch data (its optima
 * lie in basins an order of magnitude apart) the draws are the same, bit for bit, as when every
 * warm start is refitted to convergence.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ingestFiles } from '../../pipeline/ingest/ingest.ts';
import { chinchilla } from '../../pipeline/laws/chinchilla.ts';
import { fitLaw } from '../../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../../pipeline/fitting/options.ts';
import { bootstrapRange } from '../../pipeline/fitting/bootstrap.ts';
import { buildParameterMap } from '../../pipeline/fitting/parameters.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('bootstrap warm starts', () => {
  it('pruning the worse warm starts leaves the Epoch draws unchanged', async () => {
    const table = await ingestFiles([join(root, 'datasets/epoch-chinchilla/chinchilla_fig4_ND.csv')], {
      map: { run_id: 'row', params: 'N_params', tokens: 'D_tokens', loss: 'loss' },
      where: ['epoch_excluded_outlier == 0'],
    });
    const ctx = chinchilla.context(table, {});
    const problem = { law: chinchilla, ctx, design: chinchilla.prepare(table, ctx), y: Float64Array.from(table.loss, Math.log) };
    const fit = await fitLaw(problem, resolveFitOptions({ starts: 'grid' }));
    expect(fit.optima.length).toBeGreaterThanOrEqual(3);
    const warm = fit.optima.slice(0, 3).map((o) => Float64Array.from(fit.specs, (spec) => (spec.log ? Math.log(o.values[spec.name]) : o.values[spec.name])));
    const pruned = resolveFitOptions({ seed: 5 });
    const full = resolveFitOptions({ seed: 5, prune: false });
    const map = buildParameterMap(chinchilla.parameters(ctx), pruned);
    const a = bootstrapRange(problem, map, pruned, warm, 0, 100);
    const b = bootstrapRange(problem, map, full, warm, 0, 100);
    expect(a).toEqual(b);
  });
});
