/**
 * Seeded cluster bootstrap: resample runs (clusters) with replacement and refit. Replicate b
 * draws from its own stream (seed, b), so the draws are identical for any thread count or order.
 * Each refit is warm-started from the full-data optimum and the other distinct optima of the
 * multi-start, keeping the best; with pruning on (the default), a later warm start still above
 * PRUNE_FACTOR × the best refit after PRUNE_AFTER iterations is abandoned, as in the search.
 */
import { leastSquares, Workspace } from './least_squares.ts';
import { lossOf, spaceOf, type FitOptions } from './options.ts';
import type { ParameterMap } from './parameters.ts';
import { residualProblem, type FitProblem } from './problem.ts';
import { Random, deriveSeed } from './random.ts';
import { PRUNE_AFTER, PRUNE_FACTOR } from './pruning.ts';

/** Row weights of bootstrap replicate `b`: base weight × how often the row's cluster was drawn. */
export function replicateWeights(clusters: Int32Array, clusterCount: number, base: Float64Array | undefined, seed: number, b: number, out: Float64Array): void {
  const rng = new Random(deriveSeed(seed, 0xb007, b));
  const counts = new Float64Array(clusterCount);
  for (let c = 0; c < clusterCount; c++) counts[rng.int(clusterCount)] += 1;
  for (let i = 0; i < out.length; i++) out[i] = (base ? base[i] : 1) * counts[clusters[i]];
}

/**
 * Clusters among the rows that take part in the fit (weight > 0), renumbered 0..C−1; rows that
 * do not take part get cluster −1 and keep weight 0 in every replicate.
 */
export function activeClusters(n: number, clusters: Int32Array | undefined, weights: Float64Array | undefined): { clusters: Int32Array; count: number } {
  const out = new Int32Array(n);
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (weights && weights[i] === 0) { out[i] = -1; continue; }
    const key = clusters ? clusters[i] : i;
    let id = ids.get(key);
    if (id === undefined) { id = ids.size; ids.set(key, id); }
    out[i] = id;
  }
  return { clusters: out, count: ids.size };
}

/**
 * Refit replicates [from, to): free internal optima in replicate order, null where a refit failed.
 * When the law can select rows (Law.select), a replicate is refitted on its drawn rows only: the
 * sums of the objective and the normal equations skip weight-0 rows anyway, so the refit is
 * bit-identical and about a third of the rows (1/e of the clusters) cheaper.
 * `onDone` is called with the number finished so far after each replicate.
 */
export function bootstrapRange<Ctx, D>(problem: FitProblem<Ctx, D>, map: ParameterMap, options: FitOptions, warmStarts: Float64Array[], from: number, to: number, onDone?: (done: number) => void): (Float64Array | null)[] {
  const space = spaceOf(options.objective);
  const residuals = residualProblem(problem, map, space);
  const n = residuals.n;
  const select = problem.law.select;
  const workspace = select ? null : new Workspace(n, residuals.p);
  const { clusters, count } = activeClusters(n, problem.clusters, problem.weights);
  const safeClusters = clusters.map((c) => (c < 0 ? 0 : c));
  const weights = new Float64Array(n);
  const drawn = new Int32Array(n);
  const out: (Float64Array | null)[] = [];
  for (let b = from; b < to; b++) {
    replicateWeights(safeClusters, count, problem.weights, options.seed, b, weights);
    for (let i = 0; i < n; i++) if (clusters[i] < 0) weights[i] = 0;
    let target = residuals;
    let targetWeights = weights;
    let targetWorkspace = workspace;
    if (select) {
      let m = 0;
      for (let i = 0; i < n; i++) if (weights[i] !== 0) drawn[m++] = i;
      const rows = drawn.subarray(0, m);
      const y = new Float64Array(m);
      targetWeights = new Float64Array(m);
      for (let k = 0; k < m; k++) {
        y[k] = problem.y[rows[k]];
        targetWeights[k] = weights[rows[k]];
      }
      target = residualProblem({ law: problem.law, ctx: problem.ctx, design: select.call(undefined, problem.design, rows), y }, map, space);
      targetWorkspace = new Workspace(m, residuals.p);
    }
    let best: { cost: number; x: Float64Array } | null = null;
    for (const start of warmStarts) {
      // The other optima follow the multi-start's pruning rule against the best refit so far.
      const abandonAbove = best && options.prune ? PRUNE_FACTOR * best.cost : Infinity;
      const result = leastSquares(target, start, { loss: lossOf(options.objective), delta: options.delta, weights: targetWeights, maxIterations: options.maxIterations, keepArrays: false, identify: false, abandonAbove, abandonAfter: PRUNE_AFTER }, targetWorkspace ?? undefined);
      if (result.status === 'abandoned') continue;
      if (Number.isFinite(result.cost) && result.status !== 'non-finite' && (!best || result.cost < best.cost)) best = { cost: result.cost, x: result.x };
    }
    out.push(best ? best.x : null);
    onDone?.(out.length);
  }
  return out;
}
