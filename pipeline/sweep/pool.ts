/**
 * Running a sweep's jobs: in this thread, or on worker threads (`--jobs J`, worker.mjs).
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { JobSpec } from './expand.ts';
import { executeJob, jobRecord, writeJobFolder } from './job_folder.ts';
import type { JobInputs, JobRecord } from './kinds.ts';

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
 * Worker threads that run jobs. Started as soon as the first job to run is known, so that their
 * start-up (tsx, module loading, which each worker does once) overlaps the rest of the planning.
 */
export class WorkerPool {
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
  async run(todo: { spec: JobSpec; inputs: JobInputs }[], out: string, onEvent: ((event: SweepEvent) => void) | undefined): Promise<JobRecord[]> {
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

