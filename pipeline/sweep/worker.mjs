// Worker thread of `atlas sweep --jobs J`: loads the job runner, plugin job kinds and the modules
// of the kinds it will run (handing each kind what the main thread loaded while planning,
// JobKind.share), then runs jobs one at a time, taking each from a counter it shares with the
// main thread and the other workers. Beside the compiled modules (dist/) it loads jobs.js (or,
// started by the bundled command, the bundle's sweep-jobs.js: io/bundle.ts); beside the
// TypeScript sources it first registers tsx (workers do not inherit the main thread's module
// hooks). Protocol: worker → { type: 'ready' } once it has loaded; main → { type: 'run',
// todo, out, shared, slot } (sent at once, it waits until the worker listens); worker →
// { type: 'start', id } and { type: 'done', id, record } (or error) per job, then { type: 'finished' }.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

// Started by the bundled command (io/bundle.ts): its job runner, from the same bundle, and this
// thread marked as the bundle's too (a job's own workers then load from it as well).
const bundled = workerData?.bundle ? new URL('sweep-jobs.js', workerData.bundle) : null;
const compiled = new URL('./jobs.js', import.meta.url);
if (!bundled && !existsSync(compiled)) (await import('tsx/esm/api')).register();
const runner = bundled ?? (existsSync(compiled) ? compiled : new URL('./jobs.ts', import.meta.url));
const { executeJob, loadPlugins, markBundle, warmJobKinds } = await import(runner.href);
if (bundled) markBundle(workerData.bundle);
await loadPlugins(workerData?.plugins ?? []);
await warmJobKinds(workerData?.kinds, workerData?.shared);

parentPort.on('message', async (message) => {
  // { type: 'run', todo, out, shared, slot }: take jobs from the shared counter until none is left;
  // slot `slot` of the counter's array names the job in hand, so that a crash can be recorded.
  const shared = message.shared;
  for (let i = Atomics.add(shared, 0, 1); i < message.todo.length; i = Atomics.add(shared, 0, 1)) {
    Atomics.store(shared, message.slot, i);
    parentPort.postMessage({ type: 'start', id: i });
    const { spec, inputs } = message.todo[i];
    try {
      const record = await executeJob(spec, inputs, message.out);
      parentPort.postMessage({ type: 'done', id: i, record });
    } catch (error) {
      parentPort.postMessage({ type: 'done', id: i, error: error instanceof Error ? error.message : String(error) });
    }
    Atomics.store(shared, message.slot, -1);
  }
  parentPort.postMessage({ type: 'finished' });
});
parentPort.postMessage({ type: 'ready' });
