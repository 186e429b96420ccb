/**
 * Fit a law to data: multi-start global search, local Levenberg–Marquardt with analytic Jacobians,
 * explicit status, asymptotic covariance and a seeded cluster bootstrap over runs.
 */
import { Matrix, pseudoInverse } from 'ml-matrix';
import { quantileSorted } from './stats.ts';
import type { Law } from '../laws/law.ts';
import { toNatural } from '../laws/law.ts';
import { leastSquares, objectiveValue, Workspace, type LeastSquaresResult } from './least_squares.ts';
import { lossOf, type FitOptions } from './options.ts';
import { buildParameterMap, expand, genuinelyDegenerate, NATURAL_ZERO, typicalOf, type ParameterMap } from './parameters.ts';
import { flatDirections } from './identifiability.ts';
import { residualProblem, type FitProblem } from './problem.ts';
import type { DerivedEstimate, Estimate, FitResult, FitStatus } from './result.ts';
import { Random, deriveSeed } from './random.ts';
import { InputError } from '../io/types.ts';
import { LAWS } from '../laws/index.ts';
import { messageId, poolWorkers, type PoolWorker } from './pool.ts';
import { bootstrapBatch, prepare, searchBatch, type PreparedProblem, type SearchOutcome } from './search.ts';
import { PRUNE_AFTER, PRUNE_FACTOR } from './pruning.ts';
import type { WorkerMessage } from './worker_tasks.ts';
import type { OnFitProgress } from './progress.ts';

export type { FitProblem } from './problem.ts';

/** Starting points (free internal coordinates) for the options' start strategy. */
export function startingPoints(map: ParameterMap, options: Pick<FitOptions, 'starts' | 'grid' | 'seed'>): Float64Array[] {
  const free = map.free.map((s) => map.specs[s]);
  const init = Float64Array.from(map.free.map((s) => map.initInternal[s]));
  const starts = options.starts;
  if (starts === 'init' || free.length === 0) return [init];
  if (starts === 'grid') {
    const axes = free.map((spec, k) => options.grid[spec.name] ?? spec.grid ?? [init[k]]);
    const total = axes.reduce((product, axis) => product * axis.length, 1);
    if (total > 5_000_000) throw new InputError(`--starts grid: ${total} grid points; use --starts N for random starts`);
    const points: Float64Array[] = [];
    const point = new Float64Array(free.length);
    const visit = (k: number) => {
      if (k === free.length) {
        points.push(Float64Array.from(point));
        return;
      }
      for (const v of axes[k]) {
        point[k] = v;
        visit(k + 1);
      }
    };
    visit(0);
    return points;
  }
  if (!Number.isInteger(starts) || starts < 1) throw new InputError(`--starts: expected grid, init or a positive integer, got ${String(starts)}`);
  const rng = new Random(deriveSeed(options.seed, 0x5747));
  const points: Float64Array[] = [init];
  for (let s = 1; s < starts; s++) {
    const point = new Float64Array(free.length);
    free.forEach((spec, k) => {
      const grid = options.grid[spec.name] ?? spec.grid;
      let lo: number;
      let hi: number;
      if (grid && grid.length > 1) {
        lo = Math.min(...grid);
        hi = Math.max(...grid);
      } else if (Number.isFinite(spec.lower) && Number.isFinite(spec.upper)) {
        lo = spec.lower;
        hi = spec.upper;
      } else {
        const span = spec.log ? 2 : Math.max(0.5 * Math.abs(init[k]), 0.1);
        lo = Math.max(spec.lower, init[k] - span);
        hi = Math.min(spec.upper, init[k] + span);
      }
      point[k] = lo + (hi - lo) * rng.next();
    });
    points.push(point);
  }
  return points;
}

/**
 * Distinct local optima, best first (a flat-ridge diagnostic). Degenerate optima (a flat direction
 * of the scaled Jacobian: an asymptote, not a minimum) rank after every non-degenerate one, so the
 * multi-start keeps a degenerate optimum only when no start reached anything else.
 */
class OptimaList {
  readonly items: { cost: number; x: Float64Array; result?: LeastSquaresResult; start: number; degenerate: boolean }[] = [];
  constructor(private readonly keep: number, private readonly map: ParameterMap) {}
  add(result: LeastSquaresResult, start: number): void {
    this.insert({ cost: result.cost, x: result.x, result, start, degenerate: result.status === 'degenerate' && genuinelyDegenerate(this.map, result.x, result.identifiability!.flat) });
  }
  addOutcome(outcome: SearchOutcome): void {
    this.insert({ cost: outcome.cost, x: outcome.x, start: outcome.start, degenerate: outcome.status === 'degenerate' && genuinelyDegenerate(this.map, outcome.x, outcome.flat ?? []) });
  }
  private insert(entry: { cost: number; x: Float64Array; result?: LeastSquaresResult; start: number; degenerate: boolean }): void {
    if (!Number.isFinite(entry.cost)) return;
    for (const item of this.items) {
      if (sameOptimum(item.x, entry.x) && Math.abs(item.cost - entry.cost) <= 1e-9 * Math.max(item.cost, 1e-300)) {
        if ((item.degenerate && !entry.degenerate) || (item.degenerate === entry.degenerate && (entry.cost < item.cost || (entry.cost === item.cost && entry.start < item.start)))) Object.assign(item, entry);
        return;
      }
    }
    this.items.push(entry);
    this.items.sort((a, b) => Number(a.degenerate) - Number(b.degenerate) || a.cost - b.cost || a.start - b.start);
    if (this.items.length > this.keep) this.items.length = this.keep;
  }
}

function sameOptimum(a: Float64Array, b: Float64Array): boolean {
  for (let k = 0; k < a.length; k++) if (Math.abs(a[k] - b[k]) > 1e-4 * Math.max(1, Math.abs(a[k]))) return false;
  return true;
}

/** Batch sizes of the search: the most promising start alone (it sets the first pruning threshold), then 8, 16, … 256. */
function batchSizes(total: number): number[] {
  const sizes: number[] = [1];
  let size = 8;
  for (let done = 1; done < total; done += size, size = Math.min(size * 2, 256)) sizes.push(Math.min(size, total - done));
  return sizes;
}

/** The problem as sent to worker threads (laws by registry id). */
function problemMessage(problem: FitProblem, options: FitOptions, problemId: number) {
  return { id: messageId(), type: 'problem' as const, problemId, law: problem.law.id, ctx: problem.ctx, design: problem.design, y: problem.y, weights: problem.weights, clusters: problem.clusters, options };
}

/** Worker threads usable for this problem (its law must be the registry's). */
function usableWorkers(problem: FitProblem, options: FitOptions): PoolWorker[] {
  if (options.threads <= 1 || LAWS[problem.law.id] !== problem.law) return [];
  return poolWorkers(options.threads).filter((w) => w.usable);
}

async function onWorkers<T>(problem: FitProblem, options: FitOptions, problemId: number, workers: PoolWorker[], message: (w: number) => WorkerMessage): Promise<T[]> {
  return Promise.all(workers.map((worker, w) => {
    if (!worker.problems.has(problemId)) {
      worker.problems.add(problemId);
      void worker.send(problemMessage(problem, options, problemId));
    }
    return worker.send<T>(message(w));
  }));
}

function release(workers: PoolWorker[], problemId: number): void {
  for (const worker of workers) {
    if (worker.problems.delete(problemId)) void worker.send({ id: messageId(), type: 'release', problemId });
  }
}

let problemCounter = 0;

/**
 * Run the local optimiser from every start; keep the best and the distinct optima.
 *
 * Two phases. Search: starts run in order of their initial objective, in batches (8, 16, … 256),
 * with a loose relative tolerance; with `prune`, a start whose objective is still above
 * PRUNE_FACTOR × the best objective of the earlier batches after PRUNE_AFTER iterations is
 * abandoned (it is heading for a worse basin). The threshold depends only on earlier batches, so
 * the result is the same for any number of threads. Polish: the distinct optima of the search are
 * refined to the tight tolerance. `prune: false` runs every start to convergence.
 */
export async function multiStart<Ctx, D>(full: FitProblem<Ctx, D>, map: ParameterMap, options: FitOptions, starts: Float64Array[], onProgress?: OnFitProgress) {
  const problem = full.search && starts.length > 1 ? full.search : full;
  const prepared = prepare(problem as FitProblem, options);
  const fullPrepared = problem === full ? prepared : prepare(full as FitProblem, options);
  const { residuals, workspace } = prepared;
  const search = new OptimaList(8, map);
  let iterations = 0;
  let evaluations = 0;
  let abandoned = 0;
  const base = { loss: lossOf(options.objective), delta: options.delta, weights: problem.weights, maxIterations: options.maxIterations, typical: typicalOf(map) } as const;
  const initial = new Float64Array(starts.length);
  for (let s = 0; s < starts.length; s++) {
    residuals.residuals.call(residuals, starts[s], workspace.r);
    initial[s] = objectiveValue(workspace.r, lossOf(options.objective), options.delta, problem.weights);
    evaluations++;
  }
  const order = starts.map((_, s) => s).sort((a, b) => (Number.isNaN(initial[a]) ? 1 : 0) - (Number.isNaN(initial[b]) ? 1 : 0) || initial[a] - initial[b] || a - b);
  let best = Infinity;
  let sawProper = false;
  const problemId = ++problemCounter;
  let used: PoolWorker[] = [];
  if (starts.length === 1) {
    const result = leastSquares(residuals, starts[0], base, workspace);
    iterations += result.iterations;
    evaluations += result.evaluations;
    search.add(result, 0);
  } else {
    let done = 0;
    for (const size of batchSizes(order.length)) {
      const indices = order.slice(done, done + size);
      done += size;
      const threshold = PRUNE_FACTOR * best;
      const workers = usableWorkers(problem as FitProblem, options);
      used = [...new Set([...used, ...workers])];
      // Every thread takes the batch's next start from one counter; the outcomes are then put back
      // in batch order, so that the search goes on exactly as on one thread.
      const batch = indices.map((s) => starts[s]);
      const next = new Int32Array(new SharedArrayBuffer(4));
      const remote = onWorkers<SearchOutcome[]>(problem as FitProblem, options, problemId, workers, () => ({
        id: messageId(), type: 'search', problemId, starts: batch, indices, threshold, next,
      }));
      const local = searchBatch(prepared, batch, indices, threshold, next);
      const position = new Map(indices.map((s, k) => [s, k]));
      const outcomes = [...local, ...(await remote).flat()].sort((a, b) => position.get(a.start)! - position.get(b.start)!);
      for (const outcome of outcomes) {
        iterations += outcome.iterations;
        evaluations += outcome.evaluations;
        if (outcome.status === 'abandoned') { abandoned++; continue; }
        search.addOutcome(outcome);
      }
      // The pruning threshold follows the best non-degenerate optimum (any optimum until one exists).
      for (const outcome of outcomes) {
        if (outcome.status === 'abandoned') continue;
        const degenerate = outcome.status === 'degenerate' && genuinelyDegenerate(map, outcome.x, outcome.flat ?? []);
        if (!degenerate && !sawProper) { sawProper = true; best = Infinity; }
        if ((!degenerate || !sawProper) && outcome.cost < best) best = outcome.cost;
      }
      onProgress?.({ phase: 'starts', done, total: order.length });
    }
  }
  const optima = new OptimaList(5, map);
  const polishBase = { ...base, weights: full.weights, abandonAbove: Infinity, abandonAfter: PRUNE_AFTER };
  // On a subsample, only the three best screened optima are polished on every row, the best
  // first; with `prune`, the others follow the search's rule: one that converged on the subsample
  // above PRUNE_FACTOR × the search's best lies in a worse basin and is not polished, and one still
  // above PRUNE_FACTOR × the best polished objective after PRUNE_AFTER iterations on every row is
  // heading for a worse basin, and is dropped.
  let polished = Infinity;
  for (const item of problem === full ? search.items : search.items.slice(0, 3)) {
    const prunePolish = problem !== full && options.prune && Number.isFinite(polished);
    if (prunePolish && item.cost > PRUNE_FACTOR * best) { abandoned++; continue; }
    const result = starts.length > 1
      ? leastSquares(fullPrepared.residuals, item.x, prunePolish ? { ...polishBase, abandonAbove: PRUNE_FACTOR * polished } : polishBase, fullPrepared.workspace)
      : item.result!;
    if (starts.length > 1) {
      iterations += result.iterations;
      evaluations += result.evaluations;
    }
    if (result.status === 'abandoned') { abandoned++; continue; }
    if (result.cost < polished) polished = result.cost;
    optima.add(result, item.start);
  }
  if (problem !== full) {
    release(used, problemId);
    return { optima: optima.items, iterations, evaluations, abandoned, prepared: fullPrepared, problemId: ++problemCounter, workers: [] as PoolWorker[], searchRows: problem.law.size(problem.design) };
  }
  return { optima: optima.items, iterations, evaluations, abandoned, prepared, problemId, workers: used, searchRows: null as number | null };
}

/**
 * Fit `problem.law` to the data. Deterministic for a given seed. `onProgress` hears of the
 * multi-start search and the bootstrap as they go.
 * @example await fitLaw({ law: chinchilla, ctx, design, y }, resolveFitOptions({ starts: 'grid' }))
 */
export async function fitLaw<Ctx, D>(problem: FitProblem<Ctx, D>, options: FitOptions, onProgress?: OnFitProgress): Promise<FitResult> {
  const started = performance.now();
  const { law, ctx } = problem;
  const specs = law.parameters(ctx);
  const map = buildParameterMap(specs, options);
  const n = law.size(problem.design);
  let used = 0;
  for (let i = 0; i < n; i++) used += problem.weights ? problem.weights[i] : 1;
  if (used <= map.free.length) {
    throw new InputError(`fit: ${law.id} has ${map.free.length} free parameters but only ${used} training rows`);
  }
  const starts = startingPoints(map, options);
  const search = await multiStart(problem, map, options, starts, onProgress);
  if (search.optima.length === 0) {
    throw new InputError(`fit: ${law.id}: the objective is not finite at any of ${starts.length} starts (check the data's units and the law's inputs)`);
  }
  const best = { ...search.optima[0], result: search.optima[0].result! };
  const theta = new Float64Array(specs.length);
  expand(map, best.x, theta);
  const values: Record<string, number> = {};
  specs.forEach((spec, i) => { values[spec.name] = toNatural(spec, theta[i]); });

  const atBound: ('lower' | 'upper' | null)[] = specs.map(() => null);
  map.free.forEach((s, k) => {
    const spec = specs[s];
    // A log-scale parameter driven below √ε sits on the boundary of its domain, 0.
    if (best.x[k] <= spec.lower || (spec.log && Math.exp(best.x[k]) < NATURAL_ZERO)) atBound[s] = 'lower';
    else if (best.x[k] >= spec.upper) atBound[s] = 'upper';
  });
  let status: FitStatus = best.result.status === 'abandoned' ? 'max-iterations' : best.result.status;
  let message = best.result.message;
  if (status === 'degenerate' && !best.degenerate) status = 'converged';
  if (status === 'converged' && atBound.some((b) => b !== null)) {
    status = 'at-bound';
    message = `converged with ${specs.flatMap((spec, i) => (atBound[i] ? [`${spec.name} on its ${atBound[i]} bound`] : [])).join(', ')}`;
  }
  // Identifiability at the chosen optimum, whatever the stop (identifiability.ts).
  const p = map.free.length;
  const identifiability = best.result.identifiability
    ?? flatDirections(best.result.jacobian, best.result.residuals.length, p, typicalOf(map)(best.x, best.x), problem.weights);
  const notIdentified = new Set(identifiability.flat.map((k) => map.free[k]));
  if (status === 'degenerate') {
    message = `degenerate optimum: ${[...notIdentified].map((i) => specs[i].name).join(', ')} on flat directions of the scaled Jacobian (σ_min/σ_max = ${identifiability.ratio.toExponential(2)}); no start reached a non-degenerate optimum`;
  }

  const asymptotic = asymptoticStderr(map, best.result, options, problem.weights);
  if (options.bootstrap <= 0) release(search.workers, search.problemId);
  const estimates: Estimate[] = specs.map((spec, i) => {
    const estimate: Estimate = { name: spec.name, value: values[spec.name], internal: theta[i], vary: map.vary[i], atBound: atBound[i], spec };
    const k = map.free.indexOf(i);
    if (k >= 0 && asymptotic && Number.isFinite(asymptotic[k])) {
      estimate.stderrAsymptotic = spec.log ? values[spec.name] * asymptotic[k] : asymptotic[k];
    }
    if (notIdentified.has(i)) estimate.notIdentified = 'flat direction';
    return estimate;
  });

  const derivedValues = law.derived ? law.derived(values, ctx) : {};
  const derived: Record<string, DerivedEstimate> = {};
  for (const [name, value] of Object.entries(derivedValues)) derived[name] = { value };

  let bootstrap: FitResult['bootstrap'];
  if (options.bootstrap > 0) {
    const draws = await bootstrapParallel(problem as FitProblem, options, search, search.optima.slice(0, 3).map((o) => o.x), onProgress);
    bootstrap = { samples: options.bootstrap, seed: options.seed, failed: draws.failed, draws: {} };
    const names = specs.map((s) => s.name);
    const columns: Record<string, Float64Array> = {};
    names.forEach((name) => { columns[name] = new Float64Array(draws.ok); });
    const derivedColumns: Record<string, Float64Array> = {};
    for (const name of Object.keys(derivedValues)) derivedColumns[name] = new Float64Array(draws.ok);
    const t = new Float64Array(specs.length);
    for (let b = 0; b < draws.ok; b++) {
      expand(map, draws.x[b], t);
      const v: Record<string, number> = {};
      specs.forEach((spec, i) => { v[spec.name] = toNatural(spec, t[i]); columns[spec.name][b] = v[spec.name]; });
      if (law.derived) {
        const d = law.derived(v, ctx);
        for (const name of Object.keys(derivedColumns)) derivedColumns[name][b] = d[name] ?? NaN;
      }
    }
    estimates.forEach((estimate) => {
      if (estimate.vary !== 'free' && !estimate.vary.startsWith('tied')) return;
      const column = columns[estimate.name];
      estimate.stderr = standardDeviation(column);
      estimate.ci95 = [quantileSorted(sorted(column), 0.025), quantileSorted(sorted(column), 0.975)];
      const finite = sorted(column).length;
      if (!estimate.notIdentified && (finite < 0.975 * column.length || !Number.isFinite(estimate.ci95[0]) || !Number.isFinite(estimate.ci95[1]))) {
        estimate.notIdentified = 'unbounded bootstrap interval';
      }
    });
    for (const [name, column] of Object.entries(derivedColumns)) {
      derived[name].stderr = standardDeviation(column);
      const s = sorted(column);
      derived[name].ci95 = [quantileSorted(s, 0.025), quantileSorted(s, 0.975)];
    }
    bootstrap.draws = columns;
  }

  for (const estimate of estimates) {
    if (estimate.vary !== 'free') continue;
    const zero = (v: number | null | undefined) => v !== undefined && v !== null && !(v > 0);
    if (!estimate.notIdentified && (zero(estimate.stderr) || (estimate.stderr === undefined && zero(estimate.stderrAsymptotic)))) {
      estimate.notIdentified = 'zero spread';
    }
    if (estimate.notIdentified) {
      delete estimate.stderrAsymptotic;
      if (estimate.stderr !== undefined) estimate.stderr = null;
    }
  }

  const optima = search.optima.map((o) => {
    const t = new Float64Array(specs.length);
    expand(map, o.x, t);
    const v: Record<string, number> = {};
    specs.forEach((spec, i) => { v[spec.name] = toNatural(spec, t[i]); });
    return { objective: o.cost, values: v, ...(o.degenerate ? { degenerate: true } : {}) };
  });

  return {
    law: law.id,
    specs,
    theta,
    estimates,
    values,
    objective: options.objective === 'huber'
      ? { kind: 'huber-log', delta: options.delta, value: best.cost }
      : { kind: options.objective === 'lsq' ? 'lsq-log' : 'lsq-linear', value: best.cost },
    status,
    converged: status === 'converged' || status === 'at-bound',
    message,
    identifiability: { ratio: identifiability.ratio, notIdentified: estimates.filter((e) => e.notIdentified).map((e) => e.name) },
    iterations: search.iterations,
    evaluations: search.evaluations,
    starts: starts.length,
    ...(search.searchRows !== null ? { searchRows: search.searchRows } : {}),
    seconds: (performance.now() - started) / 1000,
    optimizer: 'levenberg-marquardt (atlas, Huber by IRLS then inlier Gauss-Newton, analytic Jacobian)',
    derived,
    optima,
    ...(bootstrap ? { bootstrap } : {}),
  };
}

/**
 * Bootstrap replicates split over the main thread and the pool; replicate b always draws from
 * its own stream, so the draws do not depend on the number of threads.
 */
async function bootstrapParallel(problem: FitProblem, options: FitOptions, search: { prepared: PreparedProblem; problemId: number; workers: PoolWorker[] }, warm: Float64Array[], onProgress?: OnFitProgress) {
  const workers = usableWorkers(problem, options);
  const total = options.bootstrap;
  const parts = workers.length + 1;
  const share = Math.ceil(total / parts);
  const remote = onWorkers<(Float64Array | null)[]>(problem, options, search.problemId, workers, (w) => ({
    id: messageId(), type: 'bootstrap', problemId: search.problemId, warm, from: Math.min(total, (w + 1) * share), to: Math.min(total, (w + 2) * share),
  }));
  // The workers' shares report when they finish; until then the main thread's share, which runs
  // at about the same pace, stands for all of them (in steps of about 1 %).
  const localCount = Math.min(total, share);
  const every = Math.max(1, Math.floor(localCount / 100));
  const onDone = onProgress && ((done: number) => {
    if (done % every === 0 || done === localCount) onProgress({ phase: 'bootstrap', done: Math.min(total, Math.round((done * total) / localCount)), total });
  });
  const local = bootstrapBatch(search.prepared, warm, 0, localCount, onDone);
  const all = [...local, ...(await remote).flat()];
  onProgress?.({ phase: 'bootstrap', done: total, total });
  release([...new Set([...search.workers, ...workers])], search.problemId);
  const x = all.filter((v): v is Float64Array => v !== null);
  return { x, ok: x.length, failed: all.length - x.length };
}

/**
 * Asymptotic standard errors of the free internal coordinates. Least squares: s²(JᵀWJ)⁻¹ with
 * s² = Σw r²/(Σw − p). Huber: the M-estimator form K²·[Σw ψ²/(Σw − p)]/m² · (JᵀWJ)⁻¹ with
 * m the share of residuals inside δ (Huber 1981, §7.6); undefined when no residual is inside δ.
 */
export function asymptoticStderr(map: ParameterMap, result: LeastSquaresResult, options: Pick<FitOptions, 'objective' | 'delta'>, weights?: Float64Array): Float64Array | null {
  const squares = lossOf(options.objective) === 'lsq';
  const p = map.free.length;
  if (p === 0) return null;
  const n = result.residuals.length;
  const jtj = new Float64Array(p * p);
  let sumW = 0;
  let sumPsi2 = 0;
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    sumW += w;
    const r = result.residuals[i];
    const psi = squares || Math.abs(r) <= options.delta ? r : Math.sign(r) * options.delta;
    sumPsi2 += w * psi * psi;
    if (squares || Math.abs(r) <= options.delta) inside += w;
    for (let a = 0; a < p; a++) {
      const ja = result.jacobian[i * p + a];
      for (let b = 0; b < p; b++) jtj[a * p + b] += w * ja * result.jacobian[i * p + b];
    }
  }
  const dof = sumW - p;
  if (dof <= 0) return null;
  let scale: number;
  if (squares) scale = sumPsi2 / dof;
  else {
    const m = inside / sumW;
    if (m <= 0) return null;
    const K = 1 + (p / sumW) * ((1 - m) / m);
    scale = (K * K * sumPsi2) / dof / (m * m);
  }
  const JtJ = new Matrix(p, p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) JtJ.set(a, b, jtj[a * p + b]);
  const inverse = pseudoInverse(JtJ);
  const out = new Float64Array(p);
  for (let k = 0; k < p; k++) out[k] = Math.sqrt(Math.max(0, scale * inverse.get(k, k)));
  return out;
}

function sorted(values: Float64Array): Float64Array {
  return Float64Array.from(values).filter(Number.isFinite).sort();
}

/** Sample standard deviation (n − 1), ignoring non-finite values. */
export function standardDeviation(values: Float64Array): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
}

/** Predicted loss (natural scale) of a law with natural-scale parameter values. */
export function predictLoss<Ctx, D>(law: Law<Ctx, D>, ctx: Ctx, design: D, values: Record<string, number>): Float64Array {
  const specs = law.parameters(ctx);
  const theta = Float64Array.from(specs.map((spec) => {
    const v = values[spec.name];
    if (v === undefined) throw new InputError(`predict: the coefficients have no value for parameter "${spec.name}" of law ${law.id}`);
    return spec.log ? Math.log(v) : v;
  }));
  const out = new Float64Array(law.size(design));
  law.evaluate(theta, design, out);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]);
  return out;
}
