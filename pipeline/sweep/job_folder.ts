/**
 * A sweep job's folder `<out>/<job>`: running a job into it, and reading it back.
 *
 * The folder is built under a temporary name and swapped into place when complete
 * (pipeline/io/folder.ts); its completion marker `job.json` is written last. A crash at any moment
 * leaves either the old folder or the new one (or none), never a mix. Only a folder that carries
 * atlas's `job.json` (and no file atlas did not write) is ever replaced.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stableJson, writeFileDurable } from '../io/atomic.ts';
import { checkReplaceable, processAlive, stagingFolder, swapFolder, type Ownership } from '../io/folder.ts';
import { InputError } from '../io/types.ts';
import { displayPath } from '../io/paths.ts';
import { VERSION } from '../io/version.ts';
import { hashFiles, hashValue, listFiles, sha256, type JobSpec } from './expand.ts';
import { getJobKind, type JobInputs, type JobOutput, type JobRecord } from './kinds.ts';

let toolVersionCache: string | null = null;

/**
 * The tool version recorded with every job: the package version and a hash of the pipeline's
 * source files, so that a code change makes finished jobs out of date. The environment variable
 * `ATLAS_TOOL_VERSION` replaces it (to keep results across an edit known not to change them).
 * The bundled command (dist/cli/) is built from the compiled modules it would hash beside it, so
 * it is left out: the bundled command and the library record the same version.
 */
export function toolVersion(): string {
  if (process.env.ATLAS_TOOL_VERSION) return process.env.ATLAS_TOOL_VERSION;
  if (toolVersionCache === null) {
    const dir = fileURLToPath(new URL('../', import.meta.url));
    const files = listFiles(dir).filter((f) => /\.(ts|mjs|js)$/.test(f) && !f.startsWith('cli/'));
    toolVersionCache = `${VERSION}+${hashFiles(files.map((f) => join(dir, f)), files).slice(0, 12)}`;
  }
  return toolVersionCache;
}

/** The inputs of a job (data hash null when the data cannot be read). */
export async function jobInputs(spec: JobSpec): Promise<JobInputs> {
  const kind = getJobKind(spec.kind);
  let data: string | null;
  try {
    data = await kind.dataHash(spec);
  } catch {
    data = null;
  }
  let identity: unknown = null;
  try {
    identity = kind.configIdentity ? await kind.configIdentity(spec) : null;
  } catch {
    identity = 'unreadable';
  }
  return { data_sha256: data, config_hash: hashValue({ kind: spec.kind, params: spec.params, identity }), version: toolVersion() };
}

/** Message of an error as recorded in job.json (every problem of an input error). */
export function errorText(error: unknown): string {
  if (error instanceof InputError) return error.problems.join('\n');
  if (error instanceof Error) return `${error.name === 'Error' || error.name === 'RunFailure' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}

/** Read the marker of job folder `dir` (any job name), or null. */
function readMarker(dir: string): JobRecord | null {
  try {
    const record = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8')) as JobRecord;
    return record && record.schema === 'atlas.sweep-job/1' && typeof record.files === 'object' ? record : null;
  } catch {
    return null;
  }
}

/** A sweep job folder: `job.json` with the files it lists, `timing.json`, and what `atlas report` adds. */
export const JOB_FOLDER: Ownership = {
  owned(dir, entries) {
    if (!entries.includes('job.json')) return null;
    const record = readMarker(dir);
    return record ? new Set(['job.json', 'timing.json', 'report.html', 'plots', ...Object.keys(record.files ?? {})]) : null;
  },
};

/** Throw an InputError (exit 2) naming every job folder under `out` that atlas may not replace. */
export function checkJobFolders(out: string, names: readonly string[]): void {
  const problems: string[] = [];
  for (const name of names) {
    try {
      checkReplaceable(join(out, name), JOB_FOLDER, 'job folder');
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

/** Put the finished folder `staged` in place of `<out>/<name>` (only over a folder atlas made). */
export function installJobFolder(out: string, name: string, staged: string): void {
  swapFolder(staged, join(out, name), JOB_FOLDER);
}

/** A fresh staging folder for job `name` under `out` (removed by `cleanStaging` after a crash). */
export function jobStagingFolder(out: string, name: string): string {
  return stagingFolder(join(out, name));
}

/** Remove staging and set-aside folders left by a killed run, for the jobs `mine` accepts. */
export function cleanStaging(out: string, mine: (name: string) => boolean): void {
  let entries: string[];
  try {
    entries = readdirSync(out);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = /^\.(tmp|old)-(.+)\.(\d+)\.\d+$/.exec(entry);
    if (match && mine(match[2]) && !processAlive(Number(match[3]))) rmSync(join(out, entry), { recursive: true, force: true });
    // Temporary files of writeFileAtomic (sweep.json, index.json, summary.csv) left by a dead process.
    const temp = /^\.tmp-(sweep\.json|index\.json|summary\.csv)-(\d+)-\d+$/.exec(entry);
    if (temp && !processAlive(Number(temp[2]))) rmSync(join(out, entry), { force: true });
  }
}

/** Read `<out>/<name>/job.json`, or null when absent or unreadable. */
export function readJobRecord(out: string, name: string): JobRecord | null {
  const record = readMarker(join(out, name));
  return record && record.name === name ? record : null;
}

/** The job.json record of a job: ok when `error` is null, failed otherwise. */
export function jobRecord(spec: JobSpec, inputs: JobInputs, error: string | null, headline: JobRecord['headline'], files: Record<string, string>): JobRecord {
  return {
    schema: 'atlas.sweep-job/1',
    name: spec.name,
    kind: spec.kind,
    axes: spec.axes,
    params: spec.params,
    inputs,
    status: error === null ? 'ok' : 'failed',
    error,
    headline,
    files,
  };
}

/** Write a job's files and its marker into a staging folder and swap it in. */
export function writeJobFolder(out: string, record: JobRecord, files: Record<string, string>, timing: Record<string, unknown> | null): void {
  const staged = jobStagingFolder(out, record.name);
  try {
    const shown = (file: string) => join(displayPath(join(out, record.name)), file);
    for (const [file, text] of Object.entries(files)) writeFileDurable(join(staged, file), text, shown(file));
    if (timing) writeFileDurable(join(staged, 'timing.json'), stableJson(timing), shown('timing.json'));
    writeFileDurable(join(staged, 'job.json'), stableJson(record), shown('job.json'));
  } catch (error) {
    rmSync(staged, { recursive: true, force: true });
    throw error;
  }
  installJobFolder(out, record.name, staged);
}

/**
 * Run one job and install its folder `<out>/<name>`: the kind's files, `timing.json`, then the
 * marker `job.json`. Never throws for a failing job: the failure is recorded in the marker.
 * File-system failures (a full disk) do throw: the job's old folder stays as it was.
 */
export async function executeJob(spec: JobSpec, inputs: JobInputs, out: string): Promise<JobRecord & { seconds: number }> {
  const started = performance.now();
  let output: JobOutput;
  let error: string | null = null;
  try {
    output = await getJobKind(spec.kind).run(spec, inputs);
    if (output.error) error = output.error;
  } catch (caught) {
    output = { files: {}, headline: {} };
    error = errorText(caught);
  }
  const seconds = (performance.now() - started) / 1000;
  const files: Record<string, string> = {};
  const hashes: Record<string, string> = {};
  for (const [file, text] of Object.entries(output.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    files[file] = text;
    hashes[file] = sha256(text);
  }
  const record = jobRecord(spec, inputs, error, output.headline, hashes);
  writeJobFolder(out, record, files, { seconds, ...output.timing });
  return { ...record, seconds };
}
