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
import { runSweep } from '../pipeline/stages/sweep.ts';
import { snapshot } from './sweep_helpers.ts';

const root = join(import.meta.dirname, '..');
const pluginPath = join(import.meta.dirname, 'sweep_plugin.ts');
const scratch = mkdtempSync(join(tmpdir(), 'atlas-sweep-kill-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** mulberry32: a small seeded generator for the kill moments. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run the CLI; with `killAfterMs`, SIGKILL it that long after it printed its plan line. */
function cli(args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin/atlas.mjs'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (killAfterMs !== undefined && !armed && stderr.includes(' to run')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
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
`,
  );
  const reference = join(scratch, 'reference');
  const plugin = pathToFileURL(pluginPath).href;
  const ref = await runSweep({ config, out: reference, plugins: [plugin], jobs: 1 });
  expect(ref).toMatchObject({ total: 12, ok: 10, failed: 2 });

  const out = join(scratch, 'killed');
  const args = ['sweep', config, '--out', out, '--jobs', '2', '--plugin', pluginPath];
  const random = rng(20251024);
  const progress: number[] = [];
  for (let kill = 0; kill < 4; kill++) {
    const delay = Math.floor(random() * 450);
    const run = await cli([...args, '--resume'], delay);
    expect(run.stderr).toMatch(/ to run/); // the CLI started and planned the sweep
    if (run.signal === 'SIGKILL') expect(run.code).toBeNull();
    if (existsSync(out)) progress.push(checkComplete(out));
  }
  // The kills landed while jobs were running: some but not all jobs were done at some point.
  expect(progress.some((n) => n > 0 && n < 12)).toBe(true);

  const final = await cli([...args, '--resume']);
  expect(final.code).toBe(1); // two jobs fail by design
  expect(final.stderr).toMatch(/10 ok, 2 failed, 0 pending of 12/);
  expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  expect(snapshot(out)).toEqual(snapshot(reference));
});
