/**
 * Running a sweep's jobs: in this thread, or in this thread and J − 1 worker threads (`--jobs J`,
 * worker.mjs).
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { JobSpec } from './expand.ts';
import { executeJob, jobRecord, writeJobFolder } from './job_folder.ts';
import { shareJobKinds, type JobInputs, type JobRecord } from './kinds.ts';
import { bundleFolder } from '../io/bundle.ts';

/** Progress events (for a progress bar). */
export type SweepEvent =
  | { type: 'plan'; total: number; mine: number; upToDate: number; todo: number }
  | { type: 'start'; name: string }
  | { type: 'done'; name: string; status: 'ok' | 'failed'; error: string | null; seconds: number };

/** Record a job that could not run at all (its worker died) as failed. */
function recordCrash(spec: JobSpec, inputs: JobInputs, out: string, error: string): JobRecord {
  const record = jobRecord(spec, inputs, error, {}, {});
  writeJobFolder(out, record, {}, null);
  return record;
}

type WorkerReply = { record?: JobRecord & { seconds: number }; error?: string; crash?: string };

/**
 * Lanes that run a sweep's jobs: the main thread and J − 1 worker threads. Every lane takes the
 * next job from one shared counter (Atomics), so a worker never waits for the main thread to hand
 * it work while the main thread runs a job of its own, and the main thread starts the first job
 * while the workers are still loading (tsx, module loading: about half a second, which each worker
 * does once). Workers are started as soon as the first job to run is known, so that their start-up
 * overlaps the rest of the planning.
 */
export class WorkerPool {
  private readonly url = new URL('./worker.mjs', import.meta.url);
  private readonly workers: Worker[] = [];
  /** Every worker started and not yet stopped, replacements included. */
  private readonly live = new Set<Worker>();
  /** Why each worker that stopped on its own stopped (its error, else its exit code). */
  private readonly ended = new Map<Worker, string>();
  private closed = false;

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

  /**
   * A worker loading its modules; messages posted to it before it listens wait for it. It gets
   * what the job kinds loaded here while planning (`JobKind.share`: the fit configs), so that it
   * does not load them, nor the modules that read them, again. Under the bundled command it loads
   * the bundle's job runner (io/bundle.ts).
   */
  private spawn(): Worker {
    const worker = new Worker(this.url, { workerData: { plugins: this.plugins, kinds: this.kinds, shared: shareJobKinds(this.kinds), bundle: bundleFolder() } });
    this.live.add(worker);
    let error: string | null = null;
    worker.once('exit', (code) => {
      this.live.delete(worker);
      this.ended.set(worker, error ?? `worker exited with code ${code}`);
    });
    // The worker's error (a plugin that fails while it loads, an error thrown outside a job) is the
    // reason it stopped, for the lane that uses it, whenever it came; listening here also keeps it
    // from being unhandled.
    worker.on('error', (e: Error) => { error ??= e.message; });
    return worker;
  }

  /**
   * Run `todo` on this thread and the pool's workers, each lane taking the next job from a shared
   * counter (slot 0 of `shared`; slot 1 + w holds the job worker w is running, −1 when none).
   * Records come back in `todo` order. A worker that dies while running a job (out of memory,
   * `process.exit` in a plugin) is replaced, and that job is recorded as failed; a worker that dies
   * with no job in hand (a plugin that does not load) fails the sweep.
   */
  async run(todo: { spec: JobSpec; inputs: JobInputs }[], out: string, onEvent: ((event: SweepEvent) => void) | undefined): Promise<JobRecord[]> {
    const records: JobRecord[] = new Array(todo.length);
    const shared = new Int32Array(new SharedArrayBuffer(4 * (1 + this.workers.length)));
    shared.fill(-1, 1);
    const started = new Map<number, number>();
    const finish = (i: number, record: JobRecord, seconds: number) => {
      records[i] = record;
      onEvent?.({ type: 'done', name: todo[i].spec.name, status: record.status, error: record.error, seconds });
    };
    const crashed = (i: number, error: string) => {
      finish(i, recordCrash(todo[i].spec, todo[i].inputs, out, error), (performance.now() - (started.get(i) ?? performance.now())) / 1000);
    };
    const lane = async (first: Worker, slot: number): Promise<void> => {
      let worker: Worker | null = first;
      while (!this.closed && Atomics.load(shared, 0) < todo.length) {
        const current: Worker = worker ?? this.spawn();
        worker = null;
        // A worker that stops is a crash, with the reason spawn() kept for it (whose 'exit'
        // listener runs before this lane's). One that stopped before this lane took it (a plugin
        // that fails to load while the main thread still plans) will send no 'exit' again.
        const crash = this.ended.get(current) ?? await new Promise<string | null>((done) => {
          const onMessage = (message: { type: string; id: number } & WorkerReply) => {
            if (message.type === 'start') {
              started.set(message.id, performance.now());
              onEvent?.({ type: 'start', name: todo[message.id].spec.name });
            } else if (message.type === 'done') {
              if (message.record) {
                const { seconds, ...record } = message.record;
                finish(message.id, record, seconds);
              } else {
                crashed(message.id, message.error ?? 'failed');
              }
            } else if (message.type === 'finished') {
              cleanup();
              done(null);
            }
          };
          const onExit = () => { cleanup(); done(this.ended.get(current) ?? 'worker exited'); };
          const cleanup = () => {
            current.off('message', onMessage);
            current.off('exit', onExit);
          };
          current.on('message', onMessage);
          current.on('exit', onExit);
          current.postMessage({ type: 'run', todo, out, shared, slot });
        });
        await current.terminate();
        if (crash === null || this.closed) return;
        const i = Atomics.exchange(shared, slot, -1);
        if (i < 0) throw new Error(`sweep worker: ${crash}`);
        if (records[i] === undefined) crashed(i, crash);
      }
      if (worker) await worker.terminate();
    };
    // A lane that fails (a worker that cannot load a plugin) stops the main thread's lane too; its
    // error is the run's, thrown once this thread's job in hand is done (and never left unhandled
    // while that job runs).
    let failed = false;
    const lanes = Promise.all(this.workers.map((w, k) => lane(w, 1 + k).catch((error: unknown) => { failed = true; throw error; })));
    lanes.catch(() => {});
    // The main thread's lane takes from the same counter; between its jobs the event loop hears
    // the workers' messages.
    for (let i = Atomics.add(shared, 0, 1); i < todo.length && !failed; i = Atomics.add(shared, 0, 1)) {
      const { spec, inputs } = todo[i];
      onEvent?.({ type: 'start', name: spec.name });
      const { seconds, ...record } = await executeJob(spec, inputs, out);
      finish(i, record, seconds);
      await new Promise<void>((done) => setImmediate(done));
    }
    await lanes;
    return records;
  }

  /** Stop every worker: those started but not used, and those of a run that failed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live].map((w) => w.terminate()));
  }
}

/** Run `todo` in this thread, in order. */
export async function runHere(todo: { spec: JobSpec; inputs: JobInputs }[], out: string, onEvent: ((event: SweepEvent) => void) | undefined): Promise<JobRecord[]> {
  const records: JobRecord[] = [];
  for (const { spec, inputs } of todo) {
    onEvent?.({ type: 'start', name: spec.name });
    const { seconds, ...record } = await executeJob(spec, inputs, out);
    records.push(record);
    onEvent?.({ type: 'done', name: spec.name, status: record.status, error: record.error, seconds });
  }
  return records;
}

