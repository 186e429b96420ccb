/**
 * config/: dataset configs (YAML with a zod schema, line numbers in every message), path
 * confinement for what a config reads, and loading a config's data into a RunTable.
 *
 * May import: fit/ (hold-out specs), ingest/, fitting/, laws/, io/.
 *
 * Public: loadConfig, parseConfig, loadTable, resolveInside, ConfigSchema, FitOptionsSchema.
 */
export { loadConfig, parseConfig, loadTable, resolveInside } from './load.ts';
export { ConfigSchema, FitOptionsSchema } from './schema.ts';
