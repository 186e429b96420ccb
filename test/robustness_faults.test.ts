/**
 * Faults while writing: a full disk during a refit (the write stubbed to fail with ENOSPC after a
 * short write, as a nearly full file system does), a read-only file system found before the fit,
 * a SIGKILL at each rename of the publish step, and a fit with worker threads that must exit.
 * The 20-try kill check and a real filled tmpfs are scripts/robustness/kill_at_rename.sh and
 * full_disk.sh; here a few tries keep the suite fast.
 */
import { spawnSync } from 'node:child_process';
import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chinchillaCsv } from './sweep_helpers.ts';

const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'atlas-faults-'));
const cwd = process.cwd();
beforeAll(() => {
  process.chdir(scratch);
  writeFileSync('runs.csv', chinchillaCsv());
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(scratch, { recursive: true, force: true });
});

async function atlas(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const { main } = await import('../pipeline/cli.ts');
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stderr };
  } finally {
    err.mockRestore();
  }
}

/** Every file under `dir` as path → bytes (hex of the sha would do; the folders are small). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'latin1')]));
}

/** Run `fn` with one fs function replaced (named ESM imports of node:fs follow syncBuiltinESMExports). */
async function withFs<K extends 'writeSync' | 'openSync'>(name: K, replacement: (typeof fs)[K], fn: () => Promise<void>): Promise<void> {
  const original = fs[name];
  fs[name] = replacement;
  syncBuiltinESMExports();
  try {
    await fn();
  } finally {
    fs[name] = original;
    syncBuiltinESMExports();
  }
}

const FIT = ['fit', '--data', 'runs.csv', '--law', 'chinchilla', '--starts', 'init'];

describe('full and read-only file systems', () => {
  it('a disk that fills during the refit: exit 1 naming the file, the old fit intact, no staging left', async () => {
    expect((await atlas(...FIT, '--out', 'full')).code).toBe(0);
    const before = snapshot('full');
    const writeSync = fs.writeSync;
    let left = 3000;
    await withFs('writeSync', ((...args: unknown[]) => {
      const [fd, buffer, offset = 0, length = (buffer as Uint8Array).byteLength - (offset as number), position = null] = args as [number, Uint8Array, number?, number?, (number | null)?];
      if (left <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const n = writeSync(fd, buffer, offset, Math.min(length, left), position);
      left -= n;
      return n;
    }) as typeof fs.writeSync, async () => {
      const run = await atlas(...FIT, '--holdout', 'top-params:0.2', '--out', 'full');
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/atlas: cannot write full\/(coefficients\.json|predictions\.csv|timing\.json|\.atlas-folder\.json): no space left on device \(ENOSPC\); nothing was replaced/);
    });
    expect(snapshot('full')).toEqual(before);
    expect(readdirSync('.').filter((e) => e.startsWith('.tmp-') || e.startsWith('.old-'))).toEqual([]);
  });

  it('a read-only output folder is found before the fit runs', async () => {
    expect((await atlas(...FIT, '--out', 'ro')).code).toBe(0);
    const before = snapshot('ro');
    const openSync = fs.openSync;
    let fits = 0;
    await withFs('openSync', ((path: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => {
      if (String(path).includes('.atlas-probe-') || String(path).includes('.tmp-ro')) {
        throw Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' });
      }
      return openSync(path, flags, mode);
    }) as typeof fs.openSync, async () => {
      const run = await atlas(...FIT, '--out', 'ro', '--starts', '64');
      fits += (run.stderr.match(/chinchilla on 20 rows/g) ?? []).length;
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/atlas: cannot write in ro: read-only file system \(EROFS\)/);
    });
    expect(fits).toBe(0);
    expect(snapshot('ro')).toEqual(before);
  });
});

describe('kill between renames', () => {
  it('3 tries of SIGKILL at each rename of the publish step leave no mixed artifact', () => {
    const run = spawnSync('bash', [join(root, 'scripts/robustness/kill_at_rename.sh'), '3'], { encoding: 'utf8' });
    expect(run.stdout, run.stdout + run.stderr).toMatch(/tries: 3, mixed artifacts: 0/);
    expect(run.stdout).toMatch(/after one more uninterrupted fit: consistent chinchilla heldout=\d+; leftovers: 0/);
    expect(run.status).toBe(0);
  }, 180_000);
});

describe('worker threads', () => {
  it('a fit with fit.threads: 2 writes its files and exits', () => {
    mkdirSync('threads', { recursive: true });
    writeFileSync('threads/t.yaml', 'data: [../runs.csv]\nlaw: chinchilla\nfit: { starts: 8, threads: 2 }\n');
    const run = spawnSync(process.execPath, [join(root, 'bin/atlas.mjs'), 'fit', '--config', 'threads/t.yaml', '--out', 'threads/fit'], { encoding: 'utf8', timeout: 90_000 });
    expect(run.signal, 'killed by the timeout: the process did not exit').toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync('threads/fit/coefficients.json', 'utf8')).fit.converged).toBe(true);
  }, 120_000);
});
