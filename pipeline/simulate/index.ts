/**
 * simulate/: seeded simulated run logs from a design (model scales, language sets, mixtures,
 * checkpoints) and a truth (law coefficients), byte-identical per seed.
 *
 * May import: ingest/, fitting/, laws/, io/.
 *
 * Public: simulate, loadDesign, loadTruth, buildAtlasTruth.
 */
export { simulate, loadDesign, loadTruth, buildAtlasTruth } from './simulate.ts';
