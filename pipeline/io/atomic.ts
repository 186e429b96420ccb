/**
 * Durable, atomic file writes: write a temporary file beside the target, check that every byte
 * landed, fsync it, rename it over the target and fsync the folder. A crash at any moment leaves
 * either the old file or the new one, never a half-written one.
 *
 * A write the file system refuses (full disk, read-only file system, no permission) is a
 * {@link RunFailure} naming the path (exit 1); the previous file is left as it was.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { InputError, RunFailure } from './types.ts';

let counter = 0;

/** What the file system says, in words, for the errors a user can act on. */
const FS_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/**
 * The error to raise for a failed file-system call on `path`: a RunFailure (exit 1) for full or
 * read-only file systems and permissions, an InputError (exit 2) where a path names a file where a
 * folder is needed (or the reverse); anything else unchanged.
 */
export function fileSystemError(error: unknown, path: string, action = 'write'): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === undefined) return error;
  const reason = Object.hasOwn(FS_REASONS, code) ? FS_REASONS[code] : undefined;
  if (reason) return new RunFailure(`cannot ${action} ${path}: ${reason} (${code}); nothing was replaced`);
  if (code === 'ENOTDIR' || code === 'EEXIST') return new InputError(`${path}: cannot ${action}: a part of this path is a file, not a folder (${code}); choose another path`);
  if (code === 'EISDIR') return new InputError(`${path}: cannot ${action}: it is a folder, not a file (${code}); choose another path`);
  return error;
}

/** Create a folder (and its parents); file-system refusals become {@link fileSystemError}s. */
export function makeFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fileSystemError(error, dir, 'create the folder');
  }
}

/** Write all of `bytes` to `fd` (writeSync may write fewer bytes than asked; a 0-byte write is a full disk). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const written = writeSync(fd, bytes, offset, bytes.byteLength - offset);
    if (!(written > 0)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    offset += written;
  }
}

/** fsync a folder so that a rename in it survives a power cut (best effort where unsupported). */
export function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    /* some file systems cannot fsync a folder */
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `data` to a new file `path` (no rename; for files inside a private staging folder).
 * Messages name `shownAs` (the file's final path) when given.
 */
export function writeFileDurable(path: string, data: string | Uint8Array, shownAs = path): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    throw fileSystemError(error, shownAs);
  }
  try {
    writeAll(fd, bytes);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try { unlinkSync(path); } catch { /* already gone */ }
    throw fileSystemError(error, shownAs);
  }
  closeSync(fd);
}

/** Write `data` to `path` atomically, creating parent folders. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  makeFolder(dir);
  const tmp = join(dir, `.tmp-${basename(path)}-${process.pid}-${counter++}`);
  writeFileDurable(tmp, data, path);
  try {
    renameSync(tmp, path);
  } catch (error) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw fileSystemError(error, path);
  }
  syncFolder(dir);
}

/** Deterministic JSON text (2-space indent, trailing newline); numbers keep full double precision. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    if (v instanceof Float64Array) return Array.from(v);
    return v;
  }, 2)}\n`;
}
