/**
 * sweep/: batch runs from a YAML matrix. Owns expanding a sweep config into named jobs
 * (expand.ts, schema.ts), the job kinds (kinds.ts; fit_job.ts, reproduce_job.ts; plugins, loaded
 * through jobs.ts) and their folders (job_folder.ts), running them on worker threads (pool.ts)
 * with resume and shards (sweep.ts), the index (index_file.ts), merging shard folders (merge.ts),
 * and the folder check and lock (lock.ts).
 *
 * May import: reproduce/, report/, config/, fit/, ingest/, fitting/, laws/, io/.
 *
 * Public: loadSweep, planSweep, runSweep, mergeSweeps, registerJobKind, shardOf, parseShard.
 */
export { loadSweep, parseSweep } from './schema.ts';
export { planSweep, runSweep, mergeSweeps } from './sweep.ts';
export { registerJobKind } from './jobs.ts';
export { shardOf, parseShard } from './expand.ts';
