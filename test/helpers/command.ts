/**
 * Scaffolding shared by the command tests: run one yargs command module in process with stdout
 * captured, and temporary folders removed after the test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, vi } from 'vitest';
import yargs, { type CommandModule } from 'yargs';

/** Run `argv` through one command module (strict flags); resolves to what it printed on stdout. */
export async function runCommand(command: CommandModule<any, any>, argv: string[]): Promise<string> {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await yargs(argv).command(command).strict().fail((msg, err) => { throw err ?? new Error(msg); }).parseAsync();
  } finally {
    vi.restoreAllMocks();
  }
  return out.join('');
}

/** A `tempDir(prefix)` maker whose folders are removed after the calling test file's tests. */
export function useTempDirs(): (prefix: string) => string {
  const dirs: string[] = [];
  afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
  return (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/** Run the whole CLI (`main`) in process on `argv`; resolves to its exit code and what it printed. */
export async function runAtlas(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../pipeline/cli.ts');
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
