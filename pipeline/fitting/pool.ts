/**
 * A small pool of fitting worker threads, shared by every fit in the process and started on first
 * use. The main thread always takes a share of each batch, so a worker that is still starting
 * never delays a fit; idle workers do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerMessage } from './worker_tasks.ts';
import { bundleFolder } from '../io/bundle.ts';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

class PoolWorker {
  readonly worker: Worker;
  ready = false;
  private readonly pending = new Map<number, Pending>();
  readonly problems = new Set<number>();
  private failed: Error | null = null;
  /** Set while terminating: the handle stays referenced until the thread has exited. */
  closing = false;

  constructor() {
    // Under the bundled command the worker loads the bundle's tasks (io/bundle.ts).
    this.worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { bundle: bundleFolder() } });
    this.worker.on('message', (message: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) {
        this.ready = true;
        return;
      }
      const pending = this.pending.get(message.id!);
      if (!pending) return;
      this.pending.delete(message.id!);
      if (this.pending.size === 0 && !this.closing) this.worker.unref();
      if (message.error !== undefined) pending.reject(new Error(message.error));
      else pending.resolve(message.result);
    });
    this.worker.on('error', (error) => {
      this.failed = error;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    });
    // After the listeners: adding a 'message' listener refs the worker's port again, and a port
    // left referenced keeps the process alive after the fit (`fit.threads: 2` never exited).
    this.worker.unref();
  }

  get usable(): boolean {
    return this.ready && this.failed === null;
  }

  send<T>(message: WorkerMessage): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(message.id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage(message);
    });
  }
}

let workers: PoolWorker[] = [];
let nextId = 1;

/** Worker threads for `threads` total threads (the main thread counts as one). */
export function poolWorkers(threads: number): PoolWorker[] {
  const wanted = Math.max(0, Math.floor(threads) - 1);
  while (workers.length < wanted) workers.push(new PoolWorker());
  return workers.slice(0, wanted);
}

/** A fresh message id. */
export function messageId(): number {
  return nextId++;
}

/** Wait until `count` workers are ready or `ms` have passed (benchmarks use this to time warm pools). */
export async function warmPool(threads: number, ms = 10_000): Promise<number> {
  const list = poolWorkers(threads);
  const until = Date.now() + ms;
  while (list.some((w) => !w.ready) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return list.filter((w) => w.ready).length;
}

/** Stop every worker (tests and short-lived scripts). */
export async function closePool(): Promise<void> {
  const list = workers;
  workers = [];
  // Keep the event loop alive until every worker has exited (idle workers are unref'd).
  await Promise.all(list.map((w) => {
    w.closing = true;
    w.worker.ref();
    return w.worker.terminate();
  }));
}

export type { PoolWorker };
