/**
 * crossover/: pretrain-from-scratch against finetune-a-checkpoint. Owns the crossover search on
 * monotone loss curves, the C(N) = a·N^b law with its t-intervals, and crossover.json I/O.
 *
 * May import: ingest/, fitting/, laws/, io/.
 *
 * Public: computeCrossovers, fitCrossoverLaw, predictCrossoverTokens, crossoverCsv, parseCrossoverJson.
 */
export { computeCrossovers, fitCrossoverLaw, predictCrossoverTokens, crossoverCsv, parseCrossoverJson } from './crossover.ts';
