/**
 * sweep/: batch runs from a YAML matrix. Owns expanding a sweep config into named jobs
 * (expand.ts, schema.ts), the job kinds (fit, reproduce, plugins) and their folders (jobs.ts),
 * running them on worker threads with resume and shards, and merging shard folders (sweep.ts).
 *
 * May import: reproduce/, report/, config/, fit/, ingest/, fitting/, laws/, io/.
 *
 * Public: loadSweep, planSweep, runSweep, mergeSweeps, registerJobKind, shardOf, parseShard.
 */
export { loadSweep, parseSweep } from './schema.ts';
export { planSweep, runSweep, mergeSweeps } from './sweep.ts';
export { registerJobKind } from './jobs.ts';
export { shardOf, parseShard } from './expand.ts';
