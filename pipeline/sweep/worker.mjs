// Worker thread of `atlas sweep --jobs J`: loads the job runner, plugin job kinds and the modules
// of the kinds it will run, then runs the jobs it is sent, one at a time. Beside the compiled
// modules (dist/) it loads jobs.js; beside the TypeScript sources it first registers tsx (workers
// do not inherit the main thread's module hooks). Protocol: main → { id, spec, inputs, out };
// worker → { type: 'ready' } once, then { type: 'done', id, record } or { type: 'done', id, error } per job.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const compiled = new URL('./jobs.js', import.meta.url);
if (!existsSync(compiled)) (await import('tsx/esm/api')).register();
const { executeJob, loadPlugins, warmJobKinds } = await import(existsSync(compiled) ? compiled.href : new URL('./jobs.ts', import.meta.url).href);
await loadPlugins(workerData?.plugins ?? []);
await warmJobKinds(workerData?.kinds);

parentPort.on('message', async (message) => {
  try {
    const record = await executeJob(message.spec, message.inputs, message.out);
    parentPort.postMessage({ type: 'done', id: message.id, record });
  } catch (error) {
    parentPort.postMessage({ type: 'done', id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort.postMessage({ type: 'ready' });
