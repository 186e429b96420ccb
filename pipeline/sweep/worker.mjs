// Worker thread of `atlas sweep --jobs J`: registers tsx (workers do not inherit the main thread's
// module hooks), loads the job runner, plugin job kinds and the modules of the kinds it will run,
// then runs the jobs it is sent, one at a time. Protocol: main → { id, spec, inputs, out }; worker → { type: 'ready' } once, then
// { type: 'done', id, record } or { type: 'done', id, error } per job.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { executeJob, loadPlugins, warmJobKinds } = await import('./jobs.ts');
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
