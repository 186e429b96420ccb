/**
 * Whole-folder commits: an artifact made of several files (a fit's coefficients.json,
 * predictions.csv and timing.json; a sweep job's folder) is written into a private staging folder
 * beside its destination and swapped into place with renames, so that its files can never come
 * from two different runs: a reader finds the old folder, the new one, or (for the instant
 * between the two renames of a replacement) none, never a mix.
 *
 * atlas only replaces a folder it made: one that holds its marker (`.atlas-folder.json` for fit
 * folders, `job.json` for sweep jobs) and no file atlas did not write, or an empty one. Anything
 * else is bad input naming the folder; nothing is renamed or deleted.
 *
 * Staging and set-aside folders are named `.tmp-<name>.<pid>.<n>` and `.old-<name>.<pid>.<n>`
 * beside the destination; {@link recoverFolder} cleans those of dead processes and puts back a
 * set-aside folder whose replacement never arrived.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { fileSystemError, makeFolder, stableJson, syncFolder, writeFileDurable } from './atomic.ts';
import { displayPath } from './paths.ts';
import { InputError } from './types.ts';

/** The marker and manifest of a folder atlas wrote (written last). */
export const FOLDER_MARKER = '.atlas-folder.json';

/** Contents of {@link FOLDER_MARKER}. */
export interface FolderManifest {
  schema: 'atlas.folder/1';
  /** What the folder holds (`fit`). */
  kind: string;
  /** sha256 of every file of the artifact. */
  files: Record<string, string>;
}

/** How to recognise a folder atlas made: which files it may hold when it carries the marker. */
export interface Ownership {
  /** The files atlas wrote there, or null when the folder does not carry atlas's marker. */
  owned(dir: string, entries: string[]): Set<string> | null;
}

/** sha256 (hex) of text or bytes. */
export function sha256Of(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Files other atlas commands add to a fit or sweep folder (`atlas report DIR`). */
const REPORT_FILES = ['report.html', 'plots', 'timing.json'];

/** A fit folder: `.atlas-folder.json`, or (folders written before the marker) an atlas coefficient artifact. */
export const FIT_FOLDER: Ownership = {
  owned(dir, entries) {
    if (entries.includes(FOLDER_MARKER)) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, FOLDER_MARKER), 'utf8')) as FolderManifest;
        if (manifest?.schema === 'atlas.folder/1' && manifest.files && typeof manifest.files === 'object') {
          return new Set([FOLDER_MARKER, ...Object.keys(manifest.files), ...REPORT_FILES]);
        }
      } catch {
        return null;
      }
      return null;
    }
    if (!entries.includes('coefficients.json')) return null;
    try {
      const artifact = JSON.parse(readFileSync(join(dir, 'coefficients.json'), 'utf8')) as { schema?: string };
      if (artifact?.schema !== 'atlas.coefficients/1') return null;
    } catch {
      return null;
    }
    return new Set(['coefficients.json', 'predictions.csv', ...REPORT_FILES]);
  },
};

/** What is at `dir`: nothing, an empty folder, a folder atlas made, or something else (why). */
export function folderState(dir: string, ownership: Ownership): { state: 'absent' | 'empty' | 'owned' } | { state: 'foreign'; why: string } {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return { state: 'absent' };
  }
  if (stat.isSymbolicLink()) return { state: 'foreign', why: 'is a symbolic link' };
  if (!stat.isDirectory()) return { state: 'foreign', why: 'is a file' };
  const entries = readdirSync(dir);
  if (entries.length === 0) return { state: 'empty' };
  const known = ownership.owned(dir, entries);
  if (!known) return { state: 'foreign', why: 'exists and was not written by atlas (no atlas marker)' };
  const others = entries.filter((e) => !known.has(e));
  if (others.length > 0) {
    const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? ` and ${others.length - 5} more` : '');
    return { state: 'foreign', why: `holds files atlas did not write (${shown})` };
  }
  return { state: 'owned' };
}

/** Throw an InputError (exit 2) unless atlas may replace `dir`. */
export function checkReplaceable(dir: string, ownership: Ownership, what = 'output folder'): void {
  const state = folderState(dir, ownership);
  if (state.state === 'foreign') {
    throw new InputError(`${displayPath(dir)}: ${what} ${state.why}; atlas only replaces folders it wrote. Move it away or choose another output folder`);
  }
}

let counter = 0;

function tag(): string {
  return `${process.pid}.${threadId}${String(counter++).padStart(4, '0')}`;
}

/** A fresh, empty staging folder for `target` (beside it, on the same file system). */
export function stagingFolder(target: string): string {
  const parent = dirname(target);
  makeFolder(parent);
  const dir = join(parent, `.tmp-${basename(target)}.${tag()}`);
  makeFolder(dir);
  return dir;
}

/** True when a process with this id runs on this machine. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Swap the complete folder `staged` into `target`: an absent or empty target is simply replaced;
 * a target atlas made is set aside, the new folder renamed in, and the old one removed. Anything
 * else is refused (InputError) and `staged` removed.
 */
export function swapFolder(staged: string, target: string, ownership: Ownership): void {
  const state = folderState(target, ownership);
  try {
    if (state.state === 'foreign') {
      throw new InputError(`${displayPath(target)}: output folder ${state.why}; atlas only replaces folders it wrote. Move it away or choose another output folder`);
    }
    syncFolder(staged);
    if (state.state === 'empty') rmdirSync(target);
    if (state.state === 'owned') {
      const old = join(dirname(target), `.old-${basename(target)}.${tag()}`);
      renameSync(target, old);
      renameSync(staged, target);
      syncFolder(dirname(target));
      rmSync(old, { recursive: true, force: true });
      return;
    }
    renameSync(staged, target);
    syncFolder(dirname(target));
  } catch (error) {
    rmSync(staged, { recursive: true, force: true });
    throw fileSystemError(error, displayPath(target), 'replace');
  }
}

/**
 * Clean up after a process that died while writing `target`: remove its staging folders, and put
 * back a set-aside old folder when no new one took its place (else remove it).
 */
export function recoverFolder(target: string): void {
  const parent = dirname(target);
  const name = basename(target);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries.sort()) {
    const match = /^\.(tmp|old)-(.+)\.(\d+)\.\d+$/.exec(entry);
    if (!match || match[2] !== name || processAlive(Number(match[3]))) continue;
    const path = join(parent, entry);
    if (match[1] === 'old' && !existsSync(target)) renameSync(path, target);
    else rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Publish `files` as the folder `target` in one swap, with the manifest {@link FOLDER_MARKER}
 * written last. Every write is checked and fsynced; a full disk leaves the old folder as it was.
 */
export function publishFolder(target: string, kind: string, files: Record<string, string | Uint8Array>): void {
  recoverFolder(target);
  checkReplaceable(target, FIT_FOLDER);
  const staged = stagingFolder(target);
  const manifest: FolderManifest = { schema: 'atlas.folder/1', kind, files: {} };
  try {
    for (const [name, data] of Object.entries(files)) {
      writeFileDurable(join(staged, name), data, join(displayPath(target), name));
      manifest.files[name] = sha256Of(data);
    }
    writeFileDurable(join(staged, FOLDER_MARKER), stableJson(manifest), join(displayPath(target), FOLDER_MARKER));
  } catch (error) {
    rmSync(staged, { recursive: true, force: true });
    throw error;
  }
  swapFolder(staged, target, FIT_FOLDER);
}
