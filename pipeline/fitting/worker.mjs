// Worker thread of the fitting layer: runs search batches and bootstrap ranges for problems it is
// sent. Beside the compiled modules (dist/) it loads worker_tasks.js (or, started by the bundled
// command, the bundle's fit-tasks.js: io/bundle.ts); beside the TypeScript sources it first
// registers tsx (workers do not inherit the main thread's module hooks).
// Protocol: main → { id, type: 'problem' | 'search' | 'bootstrap', … }; worker → { id, result } or
// { id, error }; once started it sends { ready: true }.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

// Started by the bundled command (io/bundle.ts): its tasks, from the same bundle.
const bundled = workerData?.bundle ? new URL('fit-tasks.js', workerData.bundle) : null;
const compiled = new URL('./worker_tasks.js', import.meta.url);
if (!bundled && !existsSync(compiled)) (await import('tsx/esm/api')).register();
const tasks = bundled ?? (existsSync(compiled) ? compiled : new URL('./worker_tasks.ts', import.meta.url));
const { handleMessage } = await import(tasks.href);
parentPort.on('message', async (message) => {
  try {
    parentPort.postMessage({ id: message.id, result: await handleMessage(message) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });
