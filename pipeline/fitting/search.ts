/**
 * The work units of a fit that can run on any thread: a batch of multi-start searches and a range
 * of bootstrap replicates. Each unit's result depends only on its inputs (never on timing), so a
 * fit gives identical results for any number of threads.
 */
import { leastSquares, Workspace, type LeastSquaresResult } from './least_squares.ts';
import type { FitOptions } from './options.ts';
import { buildParameterMap, typicalOf, type ParameterMap } from './parameters.ts';
import { residualProblem, type FitProblem } from './problem.ts';
import { lossOf, spaceOf } from './options.ts';
import type { ResidualProblem } from './least_squares.ts';
import { bootstrapRange } from './bootstrap.ts';
import { PRUNE_AFTER } from './pruning.ts';

/** Relative tolerance of the search phase (the polish phase uses the optimiser's tight default). */
export const SEARCH_FTOL = 1e-6;
/** Initial Marquardt damping of the search phase: far from an optimum a damped first step is rejected less often. */
export const SEARCH_DAMPING = 0.1;

export interface SearchOutcome {
  start: number;
  cost: number;
  x: Float64Array;
  status: LeastSquaresResult['status'];
  /** Coordinates on flat directions at a degenerate stop. */
  flat?: number[];
  message: string;
  iterations: number;
  evaluations: number;
}

/** The `flat` of an outcome that is not degenerate: an array all the same, so that outcomes have one shape. */
const NONE_FLAT: number[] = [];

/** A prepared problem that a thread keeps between work units. */
export interface PreparedProblem {
  residuals: ResidualProblem;
  workspace: Workspace;
  map: ParameterMap;
  problem: FitProblem;
  options: FitOptions;
}

export function prepare(problem: FitProblem, options: FitOptions): PreparedProblem {
  const map = buildParameterMap(problem.law.parameters(problem.ctx), options);
  const residuals = residualProblem(problem, map, spaceOf(options.objective));
  return { residuals, workspace: new Workspace(residuals.n, residuals.p), map, problem, options };
}

/**
 * Run the local optimiser from the starts whose positions this thread takes from `next` (slot 0: a
 * counter in shared memory that every thread working on the batch takes from; all of them when
 * the thread works alone), with a fixed pruning threshold. The threads share a batch by how long
 * its starts take, not by how many there are (a batch's few starts that run to convergence cost
 * more than all its abandoned ones together). Each outcome depends only on its start and the
 * threshold.
 */
export function searchBatch(prepared: PreparedProblem, starts: Float64Array[], indices: number[], threshold: number, next: Int32Array = new Int32Array(1)): SearchOutcome[] {
  const { residuals, workspace, options, problem } = prepared;
  const settings = {
    loss: lossOf(options.objective),
    delta: options.delta,
    weights: problem.weights,
    maxIterations: options.maxIterations,
    ftol: SEARCH_FTOL,
    initialDamping: SEARCH_DAMPING,
    keepArrays: false,
    typical: typicalOf(prepared.map),
    // The same fields with pruning or without, and in every outcome below: objects of one shape
    // keep the solver's compiled code valid (least_squares.ts).
    abandonAbove: options.prune && Number.isFinite(threshold) ? threshold : Infinity,
    abandonAfter: PRUNE_AFTER,
  };
  const out: SearchOutcome[] = [];
  for (let k = Atomics.add(next, 0, 1); k < starts.length; k = Atomics.add(next, 0, 1)) {
    const result = leastSquares(residuals, starts[k], settings, workspace);
    out.push({ start: indices[k], cost: result.cost, x: result.x, status: result.status, flat: result.status === 'degenerate' ? result.identifiability!.flat : NONE_FLAT, message: result.message, iterations: result.iterations, evaluations: result.evaluations });
  }
  return out;
}

/** Bootstrap replicates [from, to): free internal optima in replicate order, null where a refit failed. */
export function bootstrapBatch(prepared: PreparedProblem, warm: Float64Array[], from: number, to: number, onDone?: (done: number) => void): (Float64Array | null)[] {
  return bootstrapRange(prepared.problem, prepared.map, prepared.options, warm, from, to, onDone);
}
