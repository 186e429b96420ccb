/**
 * The bundled command. `npm run build` writes, beside the compiled modules, one bundle of the
 * `atlas` command (dist/cli/: the command, its dependencies and its worker threads' code, in a few
 * shared chunks), because loading ~240 small modules cost the command about a third of its
 * start-up. The bundle's entry point marks the thread it runs in; worker threads started from such
 * a thread load their code from the same bundle (`workerData.bundle`) instead of the separate
 * modules. Everywhere else (the library, the TypeScript sources under tsx) nothing is marked and
 * workers load the modules beside their script.
 *
 * The worker entry points the bundle holds (named in scripts/build.mjs and loaded by the two
 * worker.mjs scripts): sweep-jobs.js (sweep/jobs.ts) and fit-tasks.js (fitting/worker_tasks.ts).
 */

const MARK = Symbol.for('atlas.bundle');

/** Mark this thread as running the bundled command, whose folder is `folder` (a URL). */
export function markBundle(folder: string): void {
  (globalThis as { [key: symbol]: unknown })[MARK] = folder;
}

/** URL of the bundle's folder when this thread runs the bundled command, else null. */
export function bundleFolder(): string | null {
  const mark = (globalThis as { [key: symbol]: unknown })[MARK];
  return typeof mark === 'string' ? mark : null;
}
