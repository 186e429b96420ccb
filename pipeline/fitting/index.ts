/**
 * fitting/: the numerical core every law shares. Owns the bounded Levenberg–Marquardt solver
 * (least_squares.ts), parameter maps with fixes, ties and log-space amplitudes (parameters.ts),
 * multi-start search with screening and pruning (search.ts, fit.ts), the cluster bootstrap over
 * runs (bootstrap.ts), the worker-thread pool (pool.ts, worker.mjs) and fit options (options.ts).
 *
 * May import: laws/ (the Law contract and registry, for worker threads), io/.
 *
 * Public: fitLaw, multiStart, predictLoss, leastSquares, resolveFitOptions, mergeFitOptions,
 * DEFAULT_FIT_OPTIONS, closePool, warmPool, Random, mulberry32.
 */
export { fitLaw, multiStart, predictLoss, asymptoticStderr } from './fit.ts';
export { leastSquares } from './least_squares.ts';
export { resolveFitOptions, mergeFitOptions, DEFAULT_FIT_OPTIONS, type FitOptions } from './options.ts';
export { closePool, warmPool } from './pool.ts';
export { Random, mulberry32, deriveSeed } from './random.ts';
export type { FitResult, FitStatus } from './result.ts';
