// Worker thread of the fitting layer: registers tsx (workers do not inherit the main thread's
// module hooks), then runs search batches and bootstrap ranges for problems it is sent.
// Protocol: main → { id, type: 'problem' | 'search' | 'bootstrap', … }; worker → { id, result } or
// { id, error }; once started it sends { ready: true }.
import { register } from 'tsx/esm/api';
import { parentPort } from 'node:worker_threads';

register();
const { handleMessage } = await import('./worker_tasks.ts');
parentPort.on('message', async (message) => {
  try {
    parentPort.postMessage({ id: message.id, result: await handleMessage(message) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });
