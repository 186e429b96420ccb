// Worker thread of the fitting layer: runs search batches and bootstrap ranges for problems it is
// sent. Beside the compiled modules (dist/) it loads worker_tasks.js; beside the TypeScript
// sources it first registers tsx (workers do not inherit the main thread's module hooks).
// Protocol: main → { id, type: 'problem' | 'search' | 'bootstrap', … }; worker → { id, result } or
// { id, error }; once started it sends { ready: true }.
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const compiled = new URL('./worker_tasks.js', import.meta.url);
if (!existsSync(compiled)) (await import('tsx/esm/api')).register();
const { handleMessage } = await import(existsSync(compiled) ? compiled.href : new URL('./worker_tasks.ts', import.meta.url).href);
parentPort.on('message', async (message) => {
  try {
    parentPort.postMessage({ id: message.id, result: await handleMessage(message) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });
