/**
 * `atlas sweep --resume` after SIGKILL: the CLI is killed at seeded random moments several times;
 * after each kill every job folder present is complete (marker last, files matching their
 * recorded hashes); a final `--resume` run finishes the rest, and the folder then equals an
 * uninterrupted run byte for byte (timing.json aside), with no temporary files left.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runSweep } from '../pipeline/sweep/sweep.ts';
import { chinchillaCsv, snapshot } from './sweep_helpers.ts';
import { mulberry32 } from '../pipeline/fitting/random.ts';

const root = join(import.meta.dirname, '..');
const pluginPath = join(import.meta.dirname, 'sweep_plugin.ts');
const scratch = mkdtempSync(join(tmpdir(), 'atlas-sweep-kill-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Seeded kill moments. */
const rng = mulberry32;

/**
 * Run the CLI. With `kill`, SIGKILL it `kill.delayMs` after it reported `kill.done` finished jobs
 * in this run (0: after it printed its plan, so possibly before any job finished).
 */
function cli(args: string[], kill?: { done: number; delayMs: number }): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin/atlas.mjs'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env } });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const finished = (stderr.match(/^\[\d+\/\d+\] /gm) ?? []).length;
      if (kill && !armed && stderr.includes(' to run') && finished >= kill.done) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
      }
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stderr }));
  });
}

/** Every job folder present is complete: job.json exists and every recorded file has its hash. */
function checkComplete(out: string): number {
  let complete = 0;
  for (const entry of readdirSync(out, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const record = JSON.parse(readFileSync(join(out, entry.name, 'job.json'), 'utf8')) as { files: Record<string, string> };
    for (const [file, hash] of Object.entries(record.files)) {
      expect(createHash('sha256').update(readFileSync(join(out, entry.name, file), 'utf8')).digest('hex')).toBe(hash);
    }
    complete += 1;
  }
  return complete;
}

it('finishes a sweep killed with SIGKILL at random moments, equal to an uninterrupted run', async () => {
  const config = join(scratch, 'kill.yaml');
  writeFileSync(
    config,
    `sweep: kill
jobs:
  - kind: echo
    spin: 60
    matrix:
      value: [a, b, c, d, e, fail]
      size: { small: 1, large: 2 }
  - kind: fit
    law: chinchilla
    fit: { starts: init }
    matrix:
      data: [small.csv]
      holdout: [none, "top-params:0.2"]
      fit: { huber: { objective: huber }, lsq: { objective: lsq } }
`,
  );
  writeFileSync(join(scratch, 'small.csv'), chinchillaCsv());
  // Pin the tool version: other edits of the source tree during the test must not make the runs differ.
  process.env.ATLAS_TOOL_VERSION = 'test-resume';
  const reference = join(scratch, 'reference');
  const plugin = pathToFileURL(pluginPath).href;
  const ref = await runSweep({ config, out: reference, plugins: [plugin], jobs: 1 });
  expect(ref).toMatchObject({ total: 16, ok: 14, failed: 2 });

  const out = join(scratch, 'killed');
  const args = ['sweep', config, '--out', out, '--plugin', pluginPath, '--allow-outside'];
  const random = rng(20251024);
  const progress: number[] = [];
  let kills = 0;
  for (let attempt = 0; attempt < 4; attempt++) {
    const left = 16 - (existsSync(out) ? checkComplete(out) : 0);
    // Kill after a random number of this run's jobs finished, a random few milliseconds later.
    // Alternate between one worker thread and two (kills in the main thread and in workers).
    const run = await cli([...args, '--resume', '--jobs', String(1 + (attempt % 2))], { done: Math.floor(random() * Math.min(left - 1, 4)), delayMs: Math.floor(random() * 80) });
    expect(run.stderr).toMatch(/ to run/); // the CLI started and planned the sweep
    if (run.signal === 'SIGKILL') kills += 1;
    progress.push(checkComplete(out));
  }
  // The runs were killed while jobs were running: some but not all jobs were done at some point.
  expect(kills).toBeGreaterThanOrEqual(3);
  expect(progress.some((n) => n > 0 && n < 16)).toBe(true);

  const final = await cli([...args, '--resume', '--jobs', '2']);
  expect(final.code).toBe(1); // two jobs fail by design
  expect(final.stderr).toMatch(/14 ok, 2 failed, 0 pending of 16/);
  expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  expect(snapshot(out)).toEqual(snapshot(reference));
});
