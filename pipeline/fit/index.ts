/**
 * fit/: the fit stage and everything that scores a fit. Owns runFit (one law, optional groups,
 * hold-out, bootstrap → artifact + predictions), hold-out specs, validate and predict against an
 * artifact, loss metrics, and the five-hold-out protocol.
 *
 * May import: ingest/, fitting/, laws/, io/.
 *
 * Public: runFit, parseHoldoutSpec, heldOutMask, validateArtifact, predictTable, lossMetrics,
 * protocolTable, protocolForArtifact, DEFAULT_PROTOCOL, spearman, mixtureSpearman (rank agreement across
 * held-out mixtures), backtestMixtures (mixture laws fitted and scored on held-out mixtures).
 */
export { runFit } from './fit.ts';
export { parseHoldoutSpec, heldOutMask } from './holdout.ts';
export { validateArtifact, predictTable } from './validate.ts';
export { lossMetrics } from './metrics.ts';
export { protocolTable, protocolForArtifact, DEFAULT_PROTOCOL } from './protocol.ts';
export { spearman, mixtureSpearman } from './rank.ts';
export { backtestMixtures, atlasDomainsCandidate } from './mixture_backtest.ts';
