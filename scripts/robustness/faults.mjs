/**
 * Fault injection for the robustness checks, loaded with `node --import`:
 *
 * - `ATLAS_FAULT_DISK_BYTES=N`: the disk holds N more bytes (stdout and stderr aside): `writeSync` writes what still fits
 *   (a short write) and then fails with ENOSPC, as on a nearly full file system.
 * - `ATLAS_FAULT_KILL_AT_RENAME=K`: SIGKILL the process right after its K-th `renameSync`
 *   (K-th `rename` of the file system API, counted from 1).
 *
 * Only the main thread is affected. Used by scripts/robustness/*.sh and test/robustness_faults.test.ts.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const quota = process.env.ATLAS_FAULT_DISK_BYTES;
if (quota !== undefined) {
  let left = Number(quota);
  const writeSync = fs.writeSync;
  fs.writeSync = function patchedWriteSync(fd, buffer, ...rest) {
    if (typeof buffer === 'string') buffer = Buffer.from(buffer, typeof rest[1] === 'string' ? rest[1] : 'utf8');
    const offset = typeof rest[0] === 'number' ? rest[0] : 0;
    const length = typeof rest[1] === 'number' ? rest[1] : buffer.byteLength - offset;
    if (fd === 1 || fd === 2) return writeSync.call(fs, fd, buffer, offset, length, rest[2] ?? null); // stdout, stderr
    if (left <= 0) {
      const error = new Error(`ENOSPC: no space left on device, write`);
      Object.assign(error, { errno: -28, code: 'ENOSPC', syscall: 'write' });
      throw error;
    }
    const n = Math.min(length, left);
    const written = writeSync.call(fs, fd, buffer, offset, n, rest[2] ?? null);
    left -= written;
    return written;
  };
}

const killAt = process.env.ATLAS_FAULT_KILL_AT_RENAME;
if (killAt !== undefined) {
  let count = 0;
  const renameSync = fs.renameSync;
  fs.renameSync = function patchedRenameSync(from, to) {
    renameSync.call(fs, from, to);
    count += 1;
    if (count === Number(killAt)) process.kill(process.pid, 'SIGKILL');
  };
}

syncBuiltinESMExports();
