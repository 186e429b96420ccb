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
 * Up to date means: the job's folder holds a marker whose inputs (data sha256, config hash, tool
 * version) equal the current ones, and the job succeeded (or, with `resume`, finished at all). Every
 * file is written atomically and a job's folder is swapped in whole, so a run killed at any moment
 * can be rerun to finish the rest: nothing is lost, duplicated or half-written, and the final
 * folder equals that of an uninterrupted run byte for byte (timing.json aside).
 *
 * Shards (`shard: { index, count }`) run the jobs whose name hashes to their index; `mergeSweeps`
 * combines shard folders into one that is byte-identical to a single-machine run.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { csvRows, type CsvValue } from '../io/csv.ts';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadSweep, type SweepConfig } from './schema.ts';
import { stableJson, writeFileAtomic } from '../io/atomic.ts';
import { InputError } from '../io/types.ts';
import { checkUniqueNames, parseShard, shardOf, type JobSpec } from './expand.ts';
import {
  cleanStaging,
  executeJob,
  getJobKind,
  installJobFolder,
  jobInputs,
  loadPlugins,
  readJobRecord,
  stagingFolder,
  toolVersion,
  type JobInputs,
  type JobRecord,
} from './jobs.ts';

export type { JobSpec } from './expand.ts';
export type { JobKind, JobOutput, JobRecord, JobInputs, Headline } from './jobs.ts';
export { registerJobKind } from './jobs.ts';

/** The plan of a sweep, written to `sweep.json`; identical for every shard of a sweep. */
export interface SweepPlan {
  schema: 'atlas.sweep-plan/1';
  sweep: string;
  config_sha256: string;
  version: string;
  jobs: { name: string; kind: string }[];
}

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
  /** Worker threads (1 = run in this thread). @default 1 */
  jobs?: number;
  /** Modules that register more job kinds (imported here and in every worker). */
  plugins?: string[];
  /** Progress events (for a progress bar). */
  onEvent?: (event: SweepEvent) => void;
}

export type SweepEvent =
  | { type: 'plan'; total: number; mine: number; upToDate: number; todo: number }
  | { type: 'start'; name: string }
  | { type: 'done'; name: string; status: 'ok' | 'failed'; error: string | null; seconds: number };

export interface SweepResult {
  sweep: string;
  out: string;
  /** Jobs in the sweep, in this shard, run now, skipped as up to date. */
  total: number;
  mine: number;
  ran: number;
  skipped: number;
  /** Status counts over the whole index (all shards' folders present). */
  ok: number;
  failed: number;
  pending: number;
  /** Failed jobs of this run's shard (run now or kept). */
  failures: { name: string; error: string }[];
  index: string;
  summary: string;
}

/** Expand a sweep config into its jobs (expansion order; names checked unique). */
export async function planSweep(config: string | SweepConfig, plugins: string[] = []): Promise<{ sweep: SweepConfig; specs: JobSpec[]; plan: SweepPlan }> {
  await loadPlugins(plugins);
  const sweep = typeof config === 'string' ? loadSweep(config) : config;
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
  const { sweep, specs, plan } = await planSweep(options.config, plugins);
  const out = resolve(options.out ?? sweep.out ?? join('results', sweep.name));
  const shard = typeof options.shard === 'string' ? parseShard(options.shard) : options.shard ?? null;
  const jobsWanted = options.jobs ?? 1;
  if (!Number.isInteger(jobsWanted) || jobsWanted < 1) throw new InputError(`--jobs: expected a positive integer, got ${String(options.jobs)}`);
  const mineNames = new Set(specs.filter((s) => !shard || shardOf(s.name, shard.count) === shard.index).map((s) => s.name));

  mkdirSync(out, { recursive: true });
  cleanStaging(out, (name) => mineNames.has(name));
  writeFileAtomic(join(out, 'sweep.json'), stableJson(plan));

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
        // Start the workers now (at most one per job that may still run): they load while we plan.
        pool?.grow(Math.min(jobsWanted, todo.length + (mine.length - k - 1)));
      }
    }
    options.onEvent?.({ type: 'plan', total: specs.length, mine: mineNames.size, upToDate: kept.length, todo: todo.length });
    ran = pool && pool.size > 1 ? await pool.run(todo, out, options.onEvent) : await runHere(todo, out, options.onEvent);
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

/** Record a job that could not run at all (its worker died) as failed. */
function recordCrash(spec: JobSpec, inputs: JobInputs, out: string, error: string): JobRecord {
  const record: JobRecord = {
    schema: 'atlas.sweep-job/1',
    name: spec.name,
    kind: spec.kind,
    axes: spec.axes,
    params: spec.params,
    inputs,
    status: 'failed',
    error,
    headline: {},
    files: {},
  };
  const staged = stagingFolder(out, spec.name);
  writeFileAtomic(join(staged, 'job.json'), stableJson(record));
  installJobFolder(out, spec.name, staged);
  return record;
}

type WorkerReply = { record?: JobRecord & { seconds: number }; error?: string; crash?: string };

/**
 * Worker threads that run jobs. Started as soon as the first job to run is known, so that their
 * start-up (tsx, module loading, which each worker does once) overlaps the rest of the planning.
 */
class WorkerPool {
  private readonly url = new URL('./worker.mjs', import.meta.url);
  private readonly workers: Promise<Worker>[] = [];

  constructor(
    private readonly plugins: string[],
    private readonly kinds: string[],
  ) {}

  /** Start workers until there are `count`. */
  grow(count: number): void {
    while (this.workers.length < count) this.workers.push(this.spawn());
  }

  get size(): number {
    return this.workers.length;
  }

  private spawn(): Promise<Worker> {
    const worker = new Worker(this.url, { workerData: { plugins: this.plugins, kinds: this.kinds } });
    return new Promise<Worker>((ready, fail) => {
      const onError = (error: Error) => fail(error);
      worker.once('error', onError);
      worker.once('message', () => {
        worker.off('error', onError);
        ready(worker);
      });
    });
  }

  /** Run one job on `worker`; a crash (error, exit) is reported, not thrown. */
  private static send(worker: Worker, id: number, spec: JobSpec, inputs: JobInputs, out: string): Promise<WorkerReply> {
    return new Promise<WorkerReply>((done) => {
      const onMessage = (message: { type: string } & WorkerReply) => {
        if (message.type !== 'done') return;
        cleanup();
        done(message);
      };
      const onError = (error: Error) => {
        cleanup();
        done({ crash: error.message });
      };
      const onExit = (code: number) => {
        cleanup();
        done({ crash: `worker exited with code ${code}` });
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, spec, inputs, out });
    });
  }

  /** Run `todo` in order on the pool's workers (one lane per worker); records in `todo` order. */
  async run(todo: { spec: JobSpec; inputs: JobInputs }[], out: string, onEvent: SweepOptions['onEvent']): Promise<JobRecord[]> {
    const records: JobRecord[] = new Array(todo.length);
    let next = 0;
    const lane = async (first: Promise<Worker>): Promise<void> => {
      let worker: Worker | null = null;
      let pending: Promise<Worker> | null = first;
      while (next < todo.length) {
        if (!worker) {
          worker = await (pending ?? this.spawn());
          pending = null;
          if (next >= todo.length) break; // the other lanes took the rest while this worker started
        }
        const i = next++;
        const { spec, inputs } = todo[i];
        onEvent?.({ type: 'start', name: spec.name });
        const started = performance.now();
        const reply = await WorkerPool.send(worker, i, spec, inputs, out);
        let record: JobRecord;
        let seconds = (performance.now() - started) / 1000;
        if (reply.record) {
          ({ seconds, ...record } = reply.record);
        } else {
          if (reply.crash !== undefined) {
            await worker.terminate();
            worker = null;
          }
          record = recordCrash(spec, inputs, out, reply.crash ?? reply.error ?? 'failed');
        }
        records[i] = record;
        onEvent?.({ type: 'done', name: spec.name, status: record.status, error: record.error, seconds });
      }
      if (worker) await worker.terminate();
      else if (pending) await (await pending).terminate();
    };
    await Promise.all(this.workers.map((w) => lane(w)));
    return records;
  }

  /** Stop workers that were started but not used. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map(async (w) => (await w.catch(() => null))?.terminate()));
  }
}

/** Run `todo` in this thread, in order. */
async function runHere(todo: { spec: JobSpec; inputs: JobInputs }[], out: string, onEvent: SweepOptions['onEvent']): Promise<JobRecord[]> {
  const records: JobRecord[] = [];
  for (const { spec, inputs } of todo) {
    onEvent?.({ type: 'start', name: spec.name });
    const { seconds, ...record } = await executeJob(spec, inputs, out);
    records.push(record);
    onEvent?.({ type: 'done', name: spec.name, status: record.status, error: record.error, seconds });
  }
  return records;
}

/** A summary.csv cell: non-finite numbers and missing values empty. */
function summaryCell(value: string | number | null | undefined): CsvValue {
  return typeof value === 'number' && !Number.isFinite(value) ? '' : value;
}

/** One line of index.json. */
export interface IndexEntry {
  name: string;
  kind: string;
  status: 'ok' | 'failed' | 'pending';
  config_hash: string | null;
  data_sha256: string | null;
  version: string | null;
  /** The job's main output, relative to the sweep folder (coefficients.json or checks.json). */
  artifact: string | null;
  axes: Record<string, string>;
  objective: number | null;
  train_r2: number | null;
  heldout_r2: number | null;
  fit_status: string | null;
  checks: number | null;
  checks_ok: number | null;
  error: string | null;
}

/**
 * Rebuild `index.json` and `summary.csv` of `out` from its job folders, in the plan's job order.
 * Jobs without a folder are listed as `pending`.
 */
export function writeIndex(out: string, plan: SweepPlan): { ok: number; failed: number; pending: number; entries: IndexEntry[] } {
  const entries: IndexEntry[] = plan.jobs.map(({ name, kind }) => {
    const record = readJobRecord(out, name);
    const main = record ? ['coefficients.json', 'checks.json', ...Object.keys(record.files).sort()].find((f) => f in record.files) : undefined;
    const h = record?.headline ?? {};
    return {
      name,
      kind,
      status: record ? record.status : 'pending',
      config_hash: record?.inputs.config_hash ?? null,
      data_sha256: record?.inputs.data_sha256 ?? null,
      version: record?.inputs.version ?? null,
      artifact: main ? `${name}/${main}` : null,
      axes: record?.axes ?? {},
      objective: h.objective ?? null,
      train_r2: h.train_r2 ?? null,
      heldout_r2: h.heldout_r2 ?? null,
      fit_status: h.fit_status ?? null,
      checks: h.checks ?? null,
      checks_ok: h.checks_ok ?? null,
      error: record?.error ?? null,
    };
  });
  const count = (status: string) => entries.filter((e) => e.status === status).length;
  const counts = { jobs: entries.length, ok: count('ok'), failed: count('failed'), pending: count('pending') };
  writeFileAtomic(join(out, 'index.json'), stableJson({ schema: 'atlas.sweep/1', sweep: plan.sweep, config_sha256: plan.config_sha256, version: plan.version, counts, jobs: entries }));

  const axisNames: string[] = [];
  for (const e of entries) for (const axis of Object.keys(e.axes)) if (!axisNames.includes(axis)) axisNames.push(axis);
  const columns = ['job', 'kind', 'status', ...axisNames, 'objective', 'train_r2', 'heldout_r2', 'fit_status', 'checks', 'checks_ok', 'artifact', 'config_hash', 'error'];
  const rows: CsvValue[][] = [columns];
  for (const e of entries) {
    rows.push([
      e.name, e.kind, e.status, ...axisNames.map((a) => e.axes[a] ?? ''),
      e.objective, e.train_r2, e.heldout_r2, e.fit_status, e.checks, e.checks_ok, e.artifact, e.config_hash, e.error,
    ].map(summaryCell));
  }
  writeFileAtomic(join(out, 'summary.csv'), csvRows(rows));
  return { ok: counts.ok, failed: counts.failed, pending: counts.pending, entries };
}

function readPlan(dir: string): SweepPlan {
  const path = join(dir, 'sweep.json');
  try {
    const plan = JSON.parse(readFileSync(path, 'utf8')) as SweepPlan;
    if (plan.schema !== 'atlas.sweep-plan/1') throw new Error('not a sweep plan');
    return plan;
  } catch (error) {
    throw new InputError(`${path}:1: sweep.json: cannot read the sweep plan (${(error as Error).message}); is ${dir} a sweep folder?`);
  }
}

/**
 * Merge sweep folders (shards run on separate machines) into `out` (default: the first folder).
 * Every folder must hold the same plan (same sweep config, same tool version). For each job the
 * first folder with a completed job (ok before failed) is copied; index and summary are rebuilt,
 * byte-identical to a single-machine run of the same sweep.
 */
export function mergeSweeps(dirs: string[], outDir?: string | null): SweepResult {
  if (dirs.length === 0) throw new InputError('sweep merge: name at least one sweep folder');
  const plans = dirs.map(readPlan);
  const reference = stableJson(plans[0]);
  const problems = plans
    .map((plan, i) => (stableJson(plan) === reference ? null : `${join(dirs[i], 'sweep.json')}:1: sweep.json: plan differs from ${join(dirs[0], 'sweep.json')} (another sweep config or tool version)`))
    .filter((p): p is string => p !== null);
  if (problems.length > 0) throw new InputError(problems);
  const plan = plans[0];
  const out = resolve(outDir ?? dirs[0]);
  mkdirSync(out, { recursive: true });
  const names = new Set(plan.jobs.map((j) => j.name));
  cleanStaging(out, (name) => names.has(name));
  for (const { name } of plan.jobs) {
    const candidates = dirs.map((dir) => ({ dir: resolve(dir), record: readJobRecord(dir, name) })).filter((c) => c.record !== null);
    const best = candidates.find((c) => c.record!.status === 'ok') ?? candidates[0];
    if (!best || best.dir === out) continue;
    const current = readJobRecord(out, name);
    if (current && stableJson(current) === stableJson(best.record) && current.status === 'ok') continue;
    const staged = stagingFolder(out, name);
    for (const file of readdirSync(join(best.dir, name))) {
      if (file !== 'job.json') cpSync(join(best.dir, name, file), join(staged, file));
    }
    writeFileAtomic(join(staged, 'job.json'), readFileSync(join(best.dir, name, 'job.json')));
    installJobFolder(out, name, staged);
  }
  writeFileAtomic(join(out, 'sweep.json'), stableJson(plan));
  const { ok, failed, pending, entries } = writeIndex(out, plan);
  return {
    sweep: plan.sweep,
    out,
    total: plan.jobs.length,
    mine: plan.jobs.length,
    ran: 0,
    skipped: 0,
    ok,
    failed,
    pending,
    failures: entries.filter((e) => e.status === 'failed').map((e) => ({ name: e.name, error: e.error ?? 'failed' })),
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
