/**
 * Batch sweeps (`atlas sweep CONFIG`): expand a sweep config into named jobs, run the ones that are
 * not up to date (in worker threads with `jobs > 1`), and rebuild the sweep's `index.json` and
 * `summary.csv` from the job folders.
 *
 * Output folder layout (`results/<sweep>/` unless `out` says otherwise):
 *
 * ```text
 * sweep.json                 the plan: sweep name, config hash, tool version, every job name
 * index.json, summary.csv    job → status, config hash, data hash, artifact path, headline metrics
 * <job>/job.json             completion marker (written last): inputs, status, error, headline
 * <job>/coefficients.json    fit jobs: the artifact (`fit.seconds`, `provenance.created` null)
 * <job>/predictions.csv      fit jobs
 * <job>/checks.json          reproduce jobs
 * <job>/timing.json          wall-clock seconds: the only file that differs between two runs
 * ```
 *
 * The folder must be absent, empty or a sweep folder, every job folder it replaces must carry
 * atlas's `job.json`, and `<out>/.atlas-sweep.lock` keeps a second sweep out while one runs
 * (lock.ts). A sweep config's `out:` stays inside the working directory unless `allowOutside`.
 *
 * Up to date means: the job's folder holds a marker whose inputs (data sha256, config hash, tool
 * version) equal the current ones, and the job succeeded (or, with `resume`, finished at all). Every
 * file is written atomically and a job's folder is swapped in whole, so a run killed at any moment
 * can be rerun to finish the rest: nothing is lost, duplicated or half-written, and the final
 * folder equals that of an uninterrupted run byte for byte (timing.json aside).
 *
 * Shards (`shard: { index, count }`) run the jobs whose name hashes to their index; `mergeSweeps`
 * combines shard folders into one that is byte-identical to a single-machine run.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { loadSweep, type SweepConfig } from './schema.ts';
import { makeFolder, stableJson, writeFileAtomic } from '../io/atomic.ts';
import { confinedProblem, probeWritable } from '../io/paths.ts';
import { InputError } from '../io/types.ts';
import { checkUniqueNames, parseShard, shardOf, type JobSpec } from './expand.ts';
import { checkJobFolders, cleanStaging, getJobKind, jobInputs, loadPlugins, readJobRecord, toolVersion, type JobInputs, type JobRecord } from './jobs.ts';
import { writeIndex, type SweepPlan, type SweepResult } from './index_file.ts';
import { checkSweepFolder, lockSweepFolder } from './lock.ts';
import { runHere, WorkerPool, type SweepEvent } from './pool.ts';

export type { JobSpec } from './expand.ts';
export type { JobKind, JobOutput, JobRecord, JobInputs, Headline } from './jobs.ts';
export { registerJobKind } from './jobs.ts';
export { writeIndex, type IndexEntry, type SweepPlan, type SweepResult } from './index_file.ts';
export { mergeSweeps } from './merge.ts';
export { checkSweepFolder } from './lock.ts';
export type { SweepEvent } from './pool.ts';

export interface SweepOptions {
  /** Sweep config path (or an already loaded config). */
  config: string | SweepConfig;
  /** Output folder. @default the config's `out`, else results/<sweep> */
  out?: string | null;
  /** `I/N` or `{ index (0-based), count }`: run only this shard's jobs. */
  shard?: string | { index: number; count: number } | null;
  /** Also keep failed jobs whose inputs are unchanged (finish only what never finished). */
  resume?: boolean;
  /** Rerun every job, up to date or not. */
  force?: boolean;
  /** Lanes running jobs: this thread and `jobs − 1` worker threads (1 = this thread only). @default 1 */
  jobs?: number;
  /** Modules that register more job kinds (imported here and in every worker). */
  plugins?: string[];
  /** Progress events (for a progress bar). */
  onEvent?: (event: SweepEvent) => void;
  /**
   * Let the sweep config's paths leave its folder and its `out:` leave the working directory
   * (`--allow-outside`). An `out` given here is the caller's choice and is not confined.
   */
  allowOutside?: boolean;
}


/** Expand a sweep config into its jobs (expansion order; names checked unique). */
export async function planSweep(config: string | SweepConfig, plugins: string[] = [], allowOutside = false): Promise<{ sweep: SweepConfig; specs: JobSpec[]; plan: SweepPlan }> {
  await loadPlugins(plugins);
  const loaded = typeof config === 'string' ? loadSweep(config) : config;
  const sweep = allowOutside ? { ...loaded, allowOutside: true } : loaded;
  const specs: JobSpec[] = [];
  for (const block of sweep.blocks) specs.push(...(await getJobKind(block.kind).expand(block, sweep)));
  checkUniqueNames(specs, sweep.path);
  const plan: SweepPlan = {
    schema: 'atlas.sweep-plan/1',
    sweep: sweep.name,
    config_sha256: sweep.sha256,
    version: toolVersion(),
    jobs: specs.map((s) => ({ name: s.name, kind: s.kind })),
  };
  return { sweep, specs, plan };
}

function sameInputs(a: JobInputs, b: JobInputs): boolean {
  return a.data_sha256 !== null && a.data_sha256 === b.data_sha256 && a.config_hash === b.config_hash && a.version === b.version;
}

/** Run a sweep (see the module comment). Failed jobs are recorded, never thrown. */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const plugins = options.plugins ?? [];
  const jobsWanted = options.jobs ?? 1;
  const maxJobs = availableParallelism() * 4;
  if (!Number.isInteger(jobsWanted) || jobsWanted < 1 || jobsWanted > maxJobs) {
    throw new InputError(`--jobs: expected a whole number from 1 to ${maxJobs} (4 per core), got ${String(options.jobs)}`);
  }
  const { sweep, specs, plan } = await planSweep(options.config, plugins, options.allowOutside);
  const out = resolve(options.out ?? sweepOut(sweep));
  const shard = typeof options.shard === 'string' ? parseShard(options.shard) : options.shard ?? null;
  const mineNames = new Set(specs.filter((s) => !shard || shardOf(s.name, shard.count) === shard.index).map((s) => s.name));

  checkSweepFolder(out, options.out ? '--out' : `${sweep.path}:${sweep.line?.('out') ?? 1}: out`);
  makeFolder(out);
  probeWritable(out);
  const release = lockSweepFolder(out);
  try {
    cleanStaging(out, (name) => mineNames.has(name));
    checkJobFolders(out, [...mineNames]);
    writeFileAtomic(join(out, 'sweep.json'), stableJson(plan));
    return await runJobs(options, sweep, specs, plan, out, mineNames);
  } finally {
    release();
  }
}

/** The sweep config's `out:` (confined to the working directory), else results/<sweep>. */
function sweepOut(sweep: SweepConfig): string {
  if (sweep.out === null) return join('results', sweep.name);
  const problem = confinedProblem(process.cwd(), sweep.out, sweep.allowOutside);
  const where = `${sweep.path}:${sweep.line?.('out') ?? 1}: out`;
  if (sweep.out.trim() === '') throw new InputError(`${where}: empty path; name a folder, e.g. out: results/${sweep.name}`);
  if (problem) throw new InputError(`${where}: ${problem}`);
  return sweep.out;
}

async function runJobs(options: SweepOptions, sweep: SweepConfig, specs: JobSpec[], plan: SweepPlan, out: string, mineNames: Set<string>): Promise<SweepResult> {
  const jobsWanted = options.jobs ?? 1;
  const plugins = options.plugins ?? [];
  const todo: { spec: JobSpec; inputs: JobInputs }[] = [];
  const kept: JobRecord[] = [];
  const mine = specs.filter((s) => mineNames.has(s.name));
  const pool = jobsWanted > 1 ? new WorkerPool(plugins, [...new Set(mine.map((s) => s.kind))]) : null;
  let ran: JobRecord[];
  try {
    for (const [k, spec] of mine.entries()) {
      const inputs = await jobInputs(spec);
      const record = options.force ? null : readJobRecord(out, spec.name);
      if (record && sameInputs(record.inputs, inputs) && (record.status === 'ok' || options.resume)) {
        kept.push(record);
      } else {
        todo.push({ spec, inputs });
        // Start the workers now (the main thread is one lane; at most one lane per job that may
        // still run): they load while we plan.
        pool?.grow(Math.min(jobsWanted, todo.length + (mine.length - k - 1)) - 1);
      }
    }
    options.onEvent?.({ type: 'plan', total: specs.length, mine: mineNames.size, upToDate: kept.length, todo: todo.length });
    ran = pool && pool.size > 0 ? await pool.run(todo, out, options.onEvent) : await runHere(todo, out, options.onEvent);
  } catch (error) {
    // A full disk or a failed write: index what is finished (if that still fits), then stop.
    try { writeIndex(out, plan); } catch { /* the original error says why */ }
    throw error;
  } finally {
    await pool?.close();
  }
  const { ok, failed, pending } = writeIndex(out, plan);
  const failures = [...kept, ...ran]
    .filter((r) => r.status === 'failed')
    .map((r) => ({ name: r.name, error: r.error ?? 'failed' }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    sweep: sweep.name,
    out,
    total: specs.length,
    mine: mineNames.size,
    ran: ran.length,
    skipped: kept.length,
    ok,
    failed,
    pending,
    failures,
    index: join(out, 'index.json'),
    summary: join(out, 'summary.csv'),
  };
}

/** Suggested worker count: the machine's parallelism. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** True when `dir` holds a sweep plan. */
export function isSweepFolder(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json'));
}
