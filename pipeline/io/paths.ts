/**
 * Where atlas may read and write: one confinement rule for every path.
 *
 * - Outputs (`--out`, a sweep config's `out:`) must lie inside the working directory, whether
 *   written relative or absolute, and may not leave it through `..` or a symlink, unless
 *   `--allow-outside` is given.
 * - Paths a config reads (`data:`, `languages:`, a sweep's `config:`) must lie inside the config's
 *   allowed folder (see {@link allowedRoot}) on the same terms.
 * - An empty output path, or one that names a file where a folder is meant (or the reverse), is
 *   bad input.
 */
import { closeSync, existsSync, openSync, realpathSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileSystemError } from './atomic.ts';
import { PACKAGE_ROOT } from './shipped.ts';
import { InputError } from './types.ts';

/** True when `target` is `base` or inside it (lexically). */
export function within(base: string, target: string): boolean {
  const rel = relative(base, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Real path of `path`, or of its deepest existing ancestor joined with the rest. */
export function realpathDeep(path: string): string {
  let current = path;
  const tail: string[] = [];
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) return path;
    tail.unshift(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    current = parent;
  }
  return resolve(realpathOrSelf(current), ...tail);
}

/** A path for messages and artifacts: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const abs = resolve(path);
  const cwd = process.cwd();
  if (!within(cwd, abs)) return abs;
  const rel = relative(cwd, abs);
  return rel === '' ? '.' : rel;
}

/**
 * Why `target` (written as `shown`) may not be used under `base`, or null: it lies outside `base`
 * (through `..` or as an absolute path), or leaves it through a symlink.
 */
export function escapeProblem(base: string, target: string, shown: string): string | null {
  const folder = base === process.cwd() ? `the working directory (${base})` : displayPath(base);
  if (!within(base, target)) {
    const how = isAbsolute(shown) ? 'is outside' : 'leaves';
    const through = isAbsolute(shown) ? '' : ' through ".."';
    return `"${shown}" ${how} ${folder}${through} (pass --allow-outside to allow it)`;
  }
  if (!within(realpathOrSelf(base), realpathDeep(target))) {
    return `"${shown}" leaves ${folder} through a symlink (pass --allow-outside to allow it)`;
  }
  return null;
}

/**
 * Why `p` (relative to `baseDir`) may not be read, or null when it may: it leaves `baseDir`
 * through `..` or through a symlink. Absolute paths and `allowOutside` pass (use
 * {@link confinedProblem} where absolute paths must stay inside too).
 */
export function outsideProblem(baseDir: string, p: string, allowOutside = false): string | null {
  if (allowOutside || isAbsolute(p)) return null;
  const base = resolve(baseDir);
  return escapeProblem(base, resolve(base, p), p);
}

/** Why `p` (relative to `baseDir`, or absolute) lies outside `baseDir`, or null. */
export function confinedProblem(baseDir: string, p: string, allowOutside = false): string | null {
  if (allowOutside) return null;
  const base = resolve(baseDir);
  return escapeProblem(base, resolve(base, p), p);
}

/**
 * Resolve `p` against `baseDir`, refusing a relative path that leaves `baseDir` through `..` or a
 * symlink unless `allowOutside` (absolute paths pass). Throws an InputError.
 */
export function resolveInside(baseDir: string, p: string, allowOutside = false): string {
  const problem = outsideProblem(baseDir, p, allowOutside);
  if (problem) throw new InputError(problem);
  return resolve(baseDir, p);
}

export { PACKAGE_ROOT };

/**
 * The folder a config's paths must stay in: the config's folder, widened to the working directory
 * when the config is inside it, or to the atlas package when it is one of the shipped configs.
 */
export function allowedRoot(configDir: string): string {
  const cwd = process.cwd();
  if (within(cwd, configDir)) return cwd;
  if (within(PACKAGE_ROOT, configDir)) return PACKAGE_ROOT;
  return configDir;
}

/** What an output path names. */
export type OutputKind = 'file' | 'folder';

/**
 * Check an output path before any work: not empty, inside the working directory (unless
 * `allowOutside`), and not a file where a folder is meant (or the reverse). Returns the absolute
 * path. `flag` names the option in messages (`--out`, `out:`).
 */
export function outputPath(p: string, kind: OutputKind, flag = '--out', allowOutside = false): string {
  if (p.trim() === '') {
    throw new InputError(`${flag}: empty path; name a ${kind}, e.g. ${flag} results/${kind === 'folder' ? 'my-fit' : 'runs.csv'}`);
  }
  const problem = confinedProblem(process.cwd(), p, allowOutside);
  if (problem) throw new InputError(`${flag}: ${problem}`);
  const abs = resolve(p);
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(abs);
  } catch {
    stat = undefined;
  }
  if (stat && kind === 'folder' && !stat.isDirectory()) {
    throw new InputError(`${flag}: ${p} is an existing file, not a folder; name a folder (e.g. ${flag} ${p}.d)`);
  }
  if (stat && kind === 'file' && stat.isDirectory()) {
    throw new InputError(`${flag}: ${p} is an existing folder, not a file; name a file (e.g. ${flag} ${join(p, 'out.csv')})`);
  }
  // A file on the way (`--out a.csv/x`) fails later with ENOTDIR: say it now.
  let parent = dirname(abs);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) throw new InputError(`${flag}: ${displayPath(parent)} is a file, not a folder; choose another path`);
  return abs;
}

/**
 * Check that a file can be created where `path` will go, before the work that produces it: its
 * nearest existing folder must accept a new file. A full or read-only file system, or a folder
 * without write permission, is a RunFailure naming the folder (exit 1).
 */
export function probeWritable(path: string): void {
  let dir = dirname(resolve(path));
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (existsSync(resolve(path)) && statSync(resolve(path)).isDirectory()) dir = resolve(path);
  const probe = join(dir, `.atlas-probe-${process.pid}`);
  let fd: number;
  try {
    fd = openSync(probe, 'w');
  } catch (error) {
    throw fileSystemError(error, displayPath(dir), 'write in');
  }
  try {
    writeSync(fd, Buffer.from('\n'));
  } catch (error) {
    closeSync(fd);
    try { unlinkSync(probe); } catch { /* gone */ }
    throw fileSystemError(error, displayPath(dir), 'write in');
  }
  closeSync(fd);
  unlinkSync(probe);
}
