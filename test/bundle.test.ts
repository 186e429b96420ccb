/**
 * The bundled command (io/bundle.ts, scripts/build.mjs): the `atlas` executable is dist/cli/atlas.js,
 * its worker threads load their code from the same bundle, and its files read from the package as
 * the separate modules do. `npm test` builds dist/ first, so these run against this checkout's build.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './helpers/command.ts';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli');
const tmp = useTempDirs();

/** Start `script` with `workerData`, send it `message` (if any), and resolve to its first reply that `want` accepts. */
function reply(script: URL, workerData: unknown, message: unknown, want: (m: any) => boolean): Promise<any> {
  return new Promise((done, fail) => {
    const worker = new Worker(script, { workerData });
    worker.on('message', (m) => {
      if (!want(m)) return;
      void worker.terminate();
      done(m);
    });
    worker.on('error', fail);
    if (message !== undefined) worker.postMessage(message);
  });
}

describe('the bundled command', () => {
  it('is what the package and bin/atlas.mjs run, with the two worker entry points beside it', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { atlas: string } };
    expect(pkg.bin.atlas).toBe('dist/cli/atlas.js');
    expect(readFileSync(join(root, 'bin', 'atlas.mjs'), 'utf8')).toContain("import('../dist/cli/atlas.js')");
    expect(readFileSync(join(cli, 'atlas.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const jobs = await import(pathToFileURL(join(cli, 'sweep-jobs.js')).href);
    expect([typeof jobs.executeJob, typeof jobs.loadPlugins, typeof jobs.warmJobKinds]).toEqual(['function', 'function', 'function']);
    const tasks = await import(pathToFileURL(join(cli, 'fit-tasks.js')).href);
    expect(typeof tasks.handleMessage).toBe('function');
  });

  it('loads every chunk, those of commands no other test runs included', () => {
    // The entry point and the chunk it imports run the command; every other chunk only defines.
    const command = [...readFileSync(join(cli, 'atlas.js'), 'utf8').matchAll(/import\("\.\/([^"]+)"\)/g)].map((m) => m[1]);
    expect(command).toHaveLength(1);
    const chunks = readdirSync(cli).filter((f) => f.endsWith('.js') && f !== 'atlas.js' && !command.includes(f)).map((f) => pathToFileURL(join(cli, f)).href);
    expect(chunks.length).toBeGreaterThan(2);
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `for (const url of ${JSON.stringify(chunks)}) await import(url);`], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
  });

  it('reads the package files from where the separate modules do (version, shipped data)', () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const bin = join(cli, 'atlas.js');
    expect(spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).stdout).toBe(`${version}\n`);
    const run = spawnSync(process.execPath, [bin, 'reproduce', 'nist', '--json'], { cwd: tmp('atlas-bundle-'), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const checks = JSON.parse(run.stdout) as { checks: { ok: boolean }[] };
    expect(checks.checks.length).toBeGreaterThan(0);
    expect(checks.checks.every((c) => c.ok)).toBe(true);
  });
});

describe('worker scripts started by the bundled command load from its bundle', () => {
  it('the fitting worker loads fit-tasks.js from the folder it is handed', async () => {
    const fake = join(tmp('atlas-bundle-fit-'), 'bundle');
    mkdirSync(fake);
    writeFileSync(join(fake, 'fit-tasks.js'), 'export async function handleMessage(m) { return `bundle answered ${m.type}`; }\n');
    const script = new URL('../pipeline/fitting/worker.mjs', import.meta.url);
    const answer = await reply(script, { bundle: pathToFileURL(`${fake}/`).href }, { id: 7, type: 'problem' }, (m) => m.id === 7);
    expect(answer).toEqual({ id: 7, result: 'bundle answered problem' });
  });

  it('the sweep worker loads sweep-jobs.js from the folder it is handed, and marks its thread', async () => {
    const fake = join(tmp('atlas-bundle-sweep-'), 'bundle');
    mkdirSync(fake);
    writeFileSync(
      join(fake, 'sweep-jobs.js'),
      `import { parentPort } from 'node:worker_threads';
export async function loadPlugins() {}
export function markBundle(folder) { globalThis[Symbol.for('atlas.bundle')] = folder; }
export async function warmJobKinds() { parentPort.postMessage({ type: 'marked', mark: globalThis[Symbol.for('atlas.bundle')] }); }
export async function executeJob() { return {}; }
`,
    );
    const script = new URL('../pipeline/sweep/worker.mjs', import.meta.url);
    const bundle = pathToFileURL(`${fake}/`).href;
    const answer = await reply(script, { bundle, plugins: [], kinds: [], shared: {} }, undefined, (m) => m.type === 'marked');
    expect(answer.mark).toBe(bundle);
  });

  it('a sweep on two lanes runs every job from the bundle, on the main thread and in the worker, and records the library\'s tool version', async () => {
    const dir = tmp('atlas-bundle-lanes-');
    const plugin = join(dir, 'where.mjs');
    // A plugin written against the compiled library, as a user's would be: each job records which
    // thread ran it and the bundle that thread runs from.
    writeFileSync(
      plugin,
      `import { isMainThread } from 'node:worker_threads';
import { registerJobKind } from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'index.js')).href)};
registerJobKind({
  kind: 'where',
  async expand() { return Array.from({ length: 8 }, (_, i) => ({ name: 'where-' + i, kind: 'where', axes: {}, params: { i } })); },
  async dataHash() { return 'none'; },
  async run() {
    const until = Date.now() + 250;
    while (Date.now() < until) { /* long enough for the worker to start and take jobs */ }
    return { files: { 'where.json': JSON.stringify({ thread: isMainThread ? 'main' : 'worker', bundle: globalThis[Symbol.for('atlas.bundle')] ?? null }) }, headline: {} };
  },
});
`,
    );
    writeFileSync(join(dir, 'where.yaml'), 'sweep: where\njobs:\n  - kind: where\n');
    const out = join(dir, 'out');
    const run = spawnSync(process.execPath, [join(root, 'bin', 'atlas.mjs'), 'sweep', 'where.yaml', '--jobs', '2', '--plugin', plugin, '--out', out], { cwd: dir, encoding: 'utf8', env: { ...process.env, ATLAS_TOOL_VERSION: '' } });
    expect(run.status, run.stderr).toBe(0);
    const seen = readdirSync(out).filter((name) => name.startsWith('where-')).map((name) => JSON.parse(readFileSync(join(out, name, 'where.json'), 'utf8')) as { thread: string; bundle: string | null });
    expect(seen).toHaveLength(8);
    expect(new Set(seen.map((s) => s.bundle))).toEqual(new Set([pathToFileURL(`${cli}/`).href]));
    expect(new Set(seen.map((s) => s.thread))).toEqual(new Set(['main', 'worker']));
    // The version hashes the compiled modules, not the bundle built from them.
    const saved = process.env.ATLAS_TOOL_VERSION;
    delete process.env.ATLAS_TOOL_VERSION;
    try {
      const { toolVersion } = await import(pathToFileURL(join(root, 'dist', 'sweep', 'jobs.js')).href);
      expect((JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { version: string }).version).toBe(toolVersion());
    } finally {
      if (saved !== undefined) process.env.ATLAS_TOOL_VERSION = saved;
    }
  });
});
