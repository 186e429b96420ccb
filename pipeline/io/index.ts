/**
 * io/: the bottom layer. Owns the core data types (RunTable, Mixture, InputError, RunFailure),
 * atomic, checked and fsynced file writes (atomic.ts), whole-folder commits with atlas's marker
 * (folder.ts), where atlas may read and write (paths.ts), coefficients.json (de)serialisation,
 * CSV reading, run-table helpers, shipped-file paths and the tool version.
 *
 * May import: nothing of pipeline/ (node built-ins and csv-parse only).
 *
 * Public: writeFileAtomic, stableJson, writeArtifact, readArtifact, parseCsvText, parseCsvFile,
 * subsetTable, runIndex, groupRows, rowLocation, shipped, PACKAGE_ROOT, VERSION, publishFolder,
 * outputPath, displayPath.
 */
export * from './types.ts';
export { writeFileAtomic, stableJson } from './atomic.ts';
export { writeArtifact, readArtifact } from './artifact.ts';
export { parseCsvText, parseCsvFile } from './csv.ts';
export { subsetTable, runIndex, groupRows } from './table.ts';
export { shipped, PACKAGE_ROOT } from './shipped.ts';
export { VERSION } from './version.ts';
export { publishFolder, FOLDER_MARKER } from './folder.ts';
export { outputPath, displayPath } from './paths.ts';
