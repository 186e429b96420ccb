/**
 * A sweep folder: which folders a sweep may write into, and its lock.
 *
 * A sweep writes into a folder that is absent, empty, or already a sweep folder (it holds
 * `sweep.json`); anything else is refused before any work (exit 2), so a mistyped `out:` never
 * overwrites a user's `index.json` or job-named folders.
 *
 * The lock: `<out>/.atlas-sweep.lock` holds the pid, host and start time of the
 * sweep (or merge) writing the folder. A second sweep on the same folder refuses with a message
 * naming the holder (exit 1: the run could not start; run it again when the first one is done).
 * A lock left by a process that no longer runs on this host is taken over.
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileSystemError, writeAll } from '../io/atomic.ts';
import { displayPath } from '../io/paths.ts';
import { processAlive } from '../io/folder.ts';
import { InputError, RunFailure } from '../io/types.ts';

/** Name of the lock file inside a sweep folder. */
export const LOCK_FILE = '.atlas-sweep.lock';

interface Holder {
  pid: number;
  host: string;
  started: string;
}

function readHolder(path: string): Holder | null {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    return holder && Number.isInteger(holder.pid) ? holder : null;
  } catch {
    return null;
  }
}

/** True when the holder's process is gone (same host only: another host's pid cannot be checked). */
function stale(holder: Holder | null): boolean {
  if (!holder) return true; // unreadable: written by nothing that finished creating it; see below
  return holder.host === hostname() && !processAlive(holder.pid);
}

/**
 * Take the lock of sweep folder `out` (which must exist); returns the function that releases it.
 * Throws a RunFailure when another live process holds it.
 */
export function lockSweepFolder(out: string): () => void {
  const path = join(out, LOCK_FILE);
  const mine: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number | null = null;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileSystemError(error, displayPath(path), 'create the lock');
    }
    if (fd !== null) {
      try {
        writeAll(fd, Buffer.from(`${JSON.stringify(mine)}\n`));
      } finally {
        closeSync(fd);
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        const holder = readHolder(path);
        if (holder && holder.pid === mine.pid && holder.started === mine.started) {
          try { unlinkSync(path); } catch { /* already gone */ }
        }
      };
      process.on('exit', release);
      return release;
    }
    const holder = readHolder(path);
    // A lock file that is empty may be one being written this instant: give its writer a moment.
    if (!holder && attempt === 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    if (!stale(holder)) {
      const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.started}` : 'another process';
      throw new RunFailure(
        `${displayPath(out)} is in use by another atlas sweep (${who}); wait for it to finish and run again, or choose another --out. ` +
          `If that process is gone, remove ${displayPath(path)}`,
      );
    }
    // Take over a stale lock: move it aside under a name of our own (only one taker wins the
    // rename), check that we moved the stale one and not a fresh lock, then try again.
    const aside = `${path}.stale.${process.pid}`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readHolder(aside);
    if (moved && holder && (moved.pid !== holder.pid || moved.started !== holder.started)) {
      try { renameSync(aside, path); } catch { /* the other sweep will see its lock gone */ }
      continue;
    }
    try { unlinkSync(aside); } catch { /* gone */ }
  }
  throw new RunFailure(`${displayPath(out)}: could not take the sweep lock ${displayPath(path)}; run again`);
}

/**
 * Throw an InputError (exit 2) unless `out` may hold a sweep: absent, empty, or a sweep folder
 * (with `sweep.json`, or only what a sweep writes first: its lock and staging folders).
 */
export function checkSweepFolder(out: string, flag = 'out'): void {
  let entries: string[];
  try {
    if (!lstatSync(out).isDirectory()) throw new InputError(`${flag}: ${displayPath(out)} is a file, not a folder; choose another output folder`);
    entries = readdirSync(out);
  } catch (error) {
    if (error instanceof InputError) throw error;
    return;
  }
  if (entries.includes('sweep.json')) return;
  const others = entries.filter((e) => e !== LOCK_FILE && !/^\.(tmp|old)-/.test(e));
  if (others.length === 0) return;
  const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? ` and ${others.length - 5} more` : '');
  throw new InputError(
    `${flag}: ${displayPath(out)} exists and is not a sweep folder (no sweep.json; it holds ${shown}); ` +
      'atlas only writes sweeps into an empty folder or one a sweep made. Choose another output folder',
  );
}
