/**
 * transfer/: cross-lingual transfer from run logs and matrices. Owns the Bilingual Transfer Score
 * and Finetuning Adaptation Score (transfer.ts), monotone loss curves (curve.ts), matrix I/O and
 * language features (matrix.ts, io.ts), matrix statistics (stats.ts) and matrix completion with a
 * random forest and simpler predictors (predict.ts, forest.ts).
 *
 * May import: ingest/, fitting/, laws/, io/.
 *
 * Public: computeTransfer, computeFas, readMatrixCsv, readLanguageFeatures, readTransferJson,
 * transferFiles, matrixStats, evaluatePredictors, fillMatrix.
 */
export { computeTransfer, computeFas } from './transfer.ts';
export { readMatrixCsv, readLanguageFeatures, subMatrix } from './matrix.ts';
export { readTransferJson, transferFiles, transferJson } from './io.ts';
export { matrixStats } from './stats.ts';
export { evaluatePredictors, fillMatrix } from './predict.ts';
