/**
 * Sweep job kinds: a small registry keyed by `kind:` in the sweep config, and the one function that
 * runs a job into its folder.
 *
 * A kind expands a block of the sweep config into jobs, names the inputs that decide whether a
 * finished job is still up to date (a hash of its data files, a hash of its configuration), and
 * runs a job into a set of files. Two kinds ship:
 *
 * - `fit`: load a dataset (a fit config or raw logs), fit a law (`runFit`), write
 *   `coefficients.json` and `predictions.csv`;
 * - `reproduce`: run a reproduce target (pipeline/reproduce/index.ts) and write `checks.json`.
 *
 * More kinds register with `registerJobKind` from a plugin module (`runSweep({ plugins })`), which
 * is imported in the main thread and in every worker.
 *
 * A job's folder is built under a temporary name and renamed into place when complete; its
 * completion marker `job.json` is written last. A crash at any moment leaves either the old folder
 * or the new one (or none), never a mix.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { FitBlock, ReproduceBlock, SweepBlock, SweepConfig } from './schema.ts';
import type { AtlasConfig } from '../config/load.ts';
import { DRAWS_FILE, drawsCsv, type CoefficientArtifact } from '../io/artifact.ts';
import { stableJson, writeFileAtomic } from '../io/atomic.ts';
import { InputError, RunFailure, type RunTable } from '../io/types.ts';
import { VERSION } from '../io/version.ts';
import { excluded, expandMatrix, hashFiles, hashValue, jobName, listFiles, portablePath, sha256, type JobSpec } from './expand.ts';

/** Headline numbers of a job, copied into index.json and summary.csv. */
export interface Headline {
  law?: string;
  objective?: number | null;
  train_r2?: number | null;
  heldout_r2?: number | null;
  fit_status?: string | null;
  checks?: number;
  checks_ok?: number;
}

/** What a job produced: files (name → text) and its headline; `error` marks it failed. */
export interface JobOutput {
  files: Record<string, string>;
  headline: Headline;
  /** Set when the job ran but failed (e.g. the fit did not converge); files are still kept. */
  error?: string;
  /** Wall-clock figures, kept out of the deterministic files (written to timing.json). */
  timing?: Record<string, unknown>;
}

/** The inputs that decide whether a finished job is up to date. */
export interface JobInputs {
  /** Hash of the job's data files (null when they could not be read: the job will fail). */
  data_sha256: string | null;
  /** Hash of the job's resolved configuration (including the bytes of any fit config it reads). */
  config_hash: string;
  /** Tool version: package version + hash of the pipeline sources. */
  version: string;
}

/** The completion marker `<job>/job.json`; written last; deterministic. */
export interface JobRecord {
  schema: 'atlas.sweep-job/1';
  name: string;
  kind: string;
  axes: Record<string, string>;
  params: Record<string, unknown>;
  inputs: JobInputs;
  status: 'ok' | 'failed';
  error: string | null;
  headline: Headline;
  /** sha256 of every file the job wrote (besides job.json and timing.json). */
  files: Record<string, string>;
}

/** A job kind. */
export interface JobKind {
  kind: string;
  /** Jobs of one sweep-config block. */
  expand(block: SweepBlock, sweep: SweepConfig): Promise<JobSpec[]>;
  /** Hash of the data the job reads (throws when unreadable). */
  dataHash(spec: JobSpec): Promise<string>;
  /** What identifies the job's configuration beyond its params (e.g. a config file's hash). */
  configIdentity?(spec: JobSpec): Promise<unknown>;
  /** Load what `run` needs ahead of the first job (a worker calls it when it starts). */
  warm?(): Promise<void>;
  /** Run the job (`inputs` as computed by `jobInputs`). Throwing marks it failed with the error's message. */
  run(spec: JobSpec, inputs: JobInputs): Promise<JobOutput>;
}

// One registry per thread, shared by every copy of this module: a plugin that imports atlas by
// another path (the TypeScript sources, a second installed copy) registers where the runner looks.
const KINDS: Map<string, JobKind> = ((globalThis as { [key: symbol]: unknown })[Symbol.for('atlas.sweep.jobKinds')] ??= new Map<string, JobKind>()) as Map<string, JobKind>;

/** Register a job kind (replaces one of the same name). */
export function registerJobKind(kind: JobKind): void {
  KINDS.set(kind.kind, kind);
}

/** The kind named `name`, or an input error listing the known kinds. */
export function getJobKind(name: string): JobKind {
  const kind = KINDS.get(name);
  if (!kind) throw new InputError(`jobs: unknown job kind "${name}" (known: ${[...KINDS.keys()].sort().join(', ')})`);
  return kind;
}

/** Load ahead what the named kinds (default: all registered) need to run a job. */
export async function warmJobKinds(names?: readonly string[]): Promise<void> {
  const kinds = names ? names.map((n) => KINDS.get(n)).filter((k): k is JobKind => k !== undefined) : [...KINDS.values()];
  await Promise.all(kinds.map((kind) => kind.warm?.()));
}

/** Names of the registered kinds. */
export function jobKinds(): string[] {
  return [...KINDS.keys()].sort();
}

const loadedPlugins = new Set<string>();

let typeScriptLoader: Promise<void> | null = null;

/**
 * Import plugin modules (each calls `registerJobKind`); `specifiers` are file URLs or package
 * names. A TypeScript plugin is loaded through tsx (registered on first use).
 */
export async function loadPlugins(specifiers: readonly string[] = []): Promise<void> {
  for (const specifier of specifiers) {
    if (loadedPlugins.has(specifier)) continue;
    // Compiled atlas (dist/) on plain Node: TypeScript plugins need a loader.
    if (/\.[cm]?ts$/.test(specifier) && import.meta.url.endsWith('.js')) {
      typeScriptLoader ??= import('tsx/esm/api').then((tsx) => void tsx.register());
      await typeScriptLoader;
    }
    await import(specifier);
    loadedPlugins.add(specifier);
  }
}

let toolVersionCache: string | null = null;

/**
 * The tool version recorded with every job: the package version and a hash of the pipeline's
 * source files, so that a code change makes finished jobs out of date. The environment variable
 * `ATLAS_TOOL_VERSION` replaces it (to keep results across an edit known not to change them).
 */
export function toolVersion(): string {
  if (process.env.ATLAS_TOOL_VERSION) return process.env.ATLAS_TOOL_VERSION;
  if (toolVersionCache === null) {
    const dir = fileURLToPath(new URL('../', import.meta.url));
    const files = listFiles(dir).filter((f) => /\.(ts|mjs|js)$/.test(f));
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

/** Put a finished folder in place of `<out>/<name>`: old folder aside, new one in, old one removed. */
export function installJobFolder(out: string, name: string, staged: string): void {
  const target = join(out, name);
  const old = join(out, `.old-${name}.${process.pid}.${threadTag()}`);
  if (existsSync(target)) renameSync(target, old);
  renameSync(staged, target);
  rmSync(old, { recursive: true, force: true });
}

function threadTag(): string {
  return `${threadId}${String(stagingCounter++).padStart(4, '0')}`;
}
let stagingCounter = 0;

/** A fresh staging folder for job `name` under `out` (removed by `cleanStaging` after a crash). */
export function stagingFolder(out: string, name: string): string {
  const dir = join(out, `.tmp-${name}.${process.pid}.${threadTag()}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
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
    const match = /^\.(tmp|old)-(.+)\.\d+\.\d+$/.exec(entry);
    if (match && mine(match[2])) rmSync(join(out, entry), { recursive: true, force: true });
    // Temporary files of writeFileAtomic (sweep.json, index.json, summary.csv) left by a dead process.
    const temp = /^\.tmp-(sweep\.json|index\.json|summary\.csv)-(\d+)-\d+$/.exec(entry);
    if (temp && !processAlive(Number(temp[2]))) rmSync(join(out, entry), { force: true });
  }
}

/** True when a process with this id runs on this machine. */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Read `<out>/<name>/job.json`, or null when absent or unreadable. */
export function readJobRecord(out: string, name: string): JobRecord | null {
  try {
    const record = JSON.parse(readFileSync(join(out, name, 'job.json'), 'utf8')) as JobRecord;
    return record && record.schema === 'atlas.sweep-job/1' && record.name === name ? record : null;
  } catch {
    return null;
  }
}

/**
 * Run one job and install its folder `<out>/<name>`: the kind's files, `timing.json`, then the
 * marker `job.json`. Never throws for a failing job: the failure is recorded in the marker.
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
  const staged = stagingFolder(out, spec.name);
  const files: Record<string, string> = {};
  for (const [file, text] of Object.entries(output.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    writeFileAtomic(join(staged, file), text);
    files[file] = sha256(text);
  }
  writeFileAtomic(join(staged, 'timing.json'), stableJson({ seconds, ...output.timing }));
  const record: JobRecord = {
    schema: 'atlas.sweep-job/1',
    name: spec.name,
    kind: spec.kind,
    axes: spec.axes,
    params: spec.params,
    inputs,
    status: error === null ? 'ok' : 'failed',
    error,
    headline: output.headline,
    files,
  };
  writeFileAtomic(join(staged, 'job.json'), stableJson(record));
  installJobFolder(out, spec.name, staged);
  return { ...record, seconds };
}

// ---------------------------------------------------------------------------------------------
// fit jobs

/** Parameters of a fit job (paths relative to the working directory). */
export interface FitJobParams {
  config: string | null;
  data: string[] | null;
  languages: string | null;
  map: Record<string, string> | null;
  law: string;
  law_options: Record<string, unknown>;
  /** undefined: the fit config's; null: none. */
  holdout?: string | null;
  group_by?: string | null;
  fit: Record<string, unknown>;
}

function merged(...layers: (Record<string, unknown> | undefined | null)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const prev = out[key];
      out[key] = prev && typeof prev === 'object' && !Array.isArray(prev) && value && typeof value === 'object' && !Array.isArray(value)
        ? { ...(prev as object), ...(value as object) }
        : value;
    }
  }
  return out;
}

function pick<T>(point: Record<string, unknown>, key: string, ...fallbacks: (T | undefined)[]): T | undefined {
  if (key in point) return point[key] as T;
  for (const value of fallbacks) if (value !== undefined) return value;
  return undefined;
}

const configCache = new Map<string, { size: number; mtimeMs: number; config: AtlasConfig }>();

/** A fit config, loaded once per process while its file is unchanged. */
async function fitConfig(path: string): Promise<AtlasConfig> {
  const { loadConfig } = await import('../config/load.ts');
  const abs = resolve(path);
  const stat = statSync(abs);
  const cached = configCache.get(abs);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.config;
  const config = loadConfig(path);
  configCache.set(abs, { size: stat.size, mtimeMs: stat.mtimeMs, config });
  return config;
}

async function configLaw(path: string): Promise<string | undefined> {
  return (await fitConfig(path)).law;
}

/** Statuses of a fit that count as a failed job (SPEC §4: exit 1 when the fit did not converge). */
function fitFailure(artifact: CoefficientArtifact): string | null {
  const bad: string[] = [];
  if (artifact.fit && artifact.fit.converged === false) bad.push(`fit did not converge (${artifact.fit.status}: ${artifact.fit.message})`);
  for (const [group, entry] of Object.entries(artifact.groups ?? {})) {
    if (entry.fit && entry.fit.converged === false) bad.push(`group ${group}: fit did not converge (${entry.fit.status})`);
  }
  return bad.length > 0 ? bad.join('; ') : null;
}

/**
 * Make an artifact byte-for-byte reproducible: any wall-clock figure (`fit.seconds`,
 * `provenance.created`; runFit already leaves both null) moves to timing.json, and data paths
 * become relative to the working directory.
 */
export function deterministicArtifact(artifact: CoefficientArtifact): { artifact: CoefficientArtifact; timing: Record<string, unknown> } {
  const copy = JSON.parse(stableJson(artifact)) as CoefficientArtifact;
  const timing: Record<string, unknown> = {};
  if (copy.fit && typeof copy.fit.seconds === 'number') {
    timing.fit_seconds = copy.fit.seconds;
    copy.fit.seconds = null;
  }
  for (const [group, entry] of Object.entries(copy.groups ?? {})) {
    if (entry.fit && typeof entry.fit.seconds === 'number') {
      timing[`group_${group}_fit_seconds`] = entry.fit.seconds;
      entry.fit.seconds = null;
    }
  }
  if (copy.provenance) {
    if (copy.provenance.created) timing.created = copy.provenance.created;
    copy.provenance.created = null;
  }
  if (copy.data && Array.isArray(copy.data.files)) copy.data.files = copy.data.files.map((f) => portablePath(f));
  return { artifact: copy, timing };
}

const tableCache = new Map<string, Promise<RunTable>>();

/** Load (once per worker) the table a fit job reads. */
function jobTable(params: FitJobParams): Promise<RunTable> {
  const key = stableJson(canonicalSource(params));
  let pending = tableCache.get(key);
  if (!pending) {
    pending = (async () => {
      if (!params.config) {
        const { ingestFiles } = await import('../ingest/ingest.ts');
        return ingestFiles(params.data ?? [], { languages: params.languages ?? undefined, map: params.map ?? undefined });
      }
      const { loadTable } = await import('../config/load.ts');
      const { table } = await loadTable({
        config: params.config ?? undefined,
        data: params.data ?? undefined,
        languages: params.languages ?? undefined,
        map: params.map ?? undefined,
      });
      return table;
    })();
    if (tableCache.size >= 16) tableCache.delete(tableCache.keys().next().value as string);
    tableCache.set(key, pending);
    pending.catch(() => tableCache.delete(key));
  }
  return pending;
}

function canonicalSource(params: FitJobParams): unknown {
  return { config: params.config, data: params.data, languages: params.languages, map: params.map };
}

/**
 * Files matching `pattern` (relative to the sweep file; `*` matches within the last path part),
 * sorted; the sweep file itself is left out. No match is an input error.
 */
export function globFiles(sweep: SweepConfig, pattern: string): string[] {
  const slash = pattern.lastIndexOf('/');
  const folder = slash < 0 ? '' : pattern.slice(0, slash);
  const base = slash < 0 ? pattern : pattern.slice(slash + 1);
  if (folder.includes('*')) throw new InputError(`${sweep.path}:1: matrix: "${pattern}": * is allowed in the file name only`);
  const regex = new RegExp(`^${base.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  let entries: string[];
  try {
    entries = readdirSync(resolve(sweep.dir, folder));
  } catch {
    entries = [];
  }
  const self = resolve(sweep.path);
  const matches = entries
    .filter((name) => regex.test(name) && !name.startsWith('.'))
    .map((name) => (folder ? `${folder}/${name}` : name))
    .filter((rel) => resolve(sweep.dir, rel) !== self)
    .sort();
  if (matches.length === 0) throw new InputError(`${sweep.path}:1: matrix: "${pattern}" matches no file`);
  return matches;
}

/** The `fit` job kind: one `runFit` per matrix point. */
export const fitJobKind: JobKind = {
  kind: 'fit',
  async warm() {
    await Promise.all([import('../fit/fit.ts'), import('../config/load.ts'), import('../ingest/ingest.ts')]);
  },
  async expand(block, sweep) {
    const b = block as FitBlock;
    const defaults = sweep.defaults;
    const jobs: JobSpec[] = [];
    const resolvePath = (p: string) => portablePath(resolve(sweep.dir, p));
    const lawCache = new Map<string, string | undefined>();
    const matrix: Record<string, unknown> = { ...b.matrix };
    for (const axisName of ['config', 'data'] as const) {
      const axisValue = matrix[axisName];
      if (Array.isArray(axisValue)) matrix[axisName] = axisValue.flatMap((v) => (typeof v === 'string' && v.includes('*') ? globFiles(sweep, v) : [v]));
    }
    for (const point of expandMatrix(matrix)) {
      if (excluded(point, b.exclude)) continue;
      const v = point.values;
      const configValue = pick<string>(v, 'config', b.config);
      const dataValue = pick<string | string[]>(v, 'data', b.data);
      if (!configValue && !dataValue) throw new InputError(`${sweep.path}:1: matrix: a fit job needs config: or data:`);
      const config = configValue ? resolvePath(configValue) : null;
      const data = dataValue ? (Array.isArray(dataValue) ? dataValue : [dataValue]).map(resolvePath) : null;
      let law = pick<string>(v, 'law', b.law);
      if (!law && config) {
        if (!lawCache.has(config)) lawCache.set(config, await configLaw(config));
        law = lawCache.get(config);
      }
      if (!law) throw new InputError(`${sweep.path}:1: law: job ${jobName('fit', point.labels)} names no law (set law: in the sweep or its fit config)`);
      const params: FitJobParams = {
        config,
        data,
        languages: b.languages ? resolvePath(b.languages) : null,
        map: b.map ?? null,
        law,
        law_options: merged(defaults.law_options, b.law_options, v.law_options as Record<string, unknown> | undefined),
        fit: merged(defaults.fit, b.fit, v.fit as Record<string, unknown> | undefined),
      };
      const holdout = pick<string | null>(v, 'holdout', b.holdout, defaults.holdout);
      if (holdout !== undefined) params.holdout = holdout;
      const groupBy = pick<string | null>(v, 'group_by', b.group_by, defaults.group_by);
      if (groupBy !== undefined) params.group_by = groupBy;
      const labels = { ...point.labels };
      delete labels.law;
      jobs.push({ name: jobName(law, labels), kind: 'fit', axes: { ...point.labels, law }, params: params as unknown as Record<string, unknown> });
    }
    return jobs;
  },
  async dataHash(spec) {
    const p = spec.params as unknown as FitJobParams;
    const files: string[] = [];
    if (p.config) {
      const config = await fitConfig(p.config);
      files.push(...config.data);
      if (config.languages) files.push(config.languages);
    }
    if (p.data) files.push(...p.data);
    if (p.languages) files.push(p.languages);
    return hashFiles(files, files.map((f) => portablePath(f)));
  },
  async configIdentity(spec) {
    const p = spec.params as unknown as FitJobParams;
    if (!p.config) return null;
    return (await fitConfig(p.config)).sha256;
  },
  async run(spec, inputs) {
    const p = spec.params as unknown as FitJobParams;
    const { runFit } = await import('../fit/fit.ts');
    const config = p.config ? await fitConfig(p.config) : null;
    const table = await jobTable(p);
    const { artifact, predictions, seconds, draws } = await runFit({
      table,
      law: p.law,
      lawOptions: merged(config?.law_options, p.law_options),
      fit: merged(config?.fit, p.fit, { threads: 1 }),
      holdout: p.holdout !== undefined ? p.holdout : config?.holdout ?? null,
      groupBy: p.group_by !== undefined ? p.group_by : config?.group_by ?? null,
      configSha256: inputs.config_hash,
    });
    const clean = deterministicArtifact(artifact);
    clean.timing.fit_seconds ??= seconds;
    const failure = fitFailure(clean.artifact);
    const output: JobOutput = {
      files: { 'coefficients.json': stableJson(clean.artifact), 'predictions.csv': predictions, ...(draws ? { [DRAWS_FILE]: drawsCsv(draws) } : {}) },
      headline: {
        law: p.law,
        objective: clean.artifact.objective?.value ?? null,
        train_r2: clean.artifact.metrics?.train?.r2 ?? null,
        heldout_r2: clean.artifact.metrics?.heldout?.r2 ?? null,
        fit_status: clean.artifact.fit?.status ?? null,
      },
      timing: clean.timing,
    };
    if (failure) output.error = failure;
    return output;
  },
};

// ---------------------------------------------------------------------------------------------
// reproduce jobs

/** Parameters of a reproduce job. */
export interface ReproduceJobParams {
  target: string;
  quick: boolean;
  seed: number;
}

/** Root of the checkout (the folder holding package.json). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The `reproduce` job kind: one reproduce target per job; writes `checks.json`. */
export const reproduceJobKind: JobKind = {
  kind: 'reproduce',
  async expand(block, sweep) {
    const b = block as ReproduceBlock;
    const { TARGETS } = await import('../reproduce/index.ts');
    const known = TARGETS.map((t) => t.name);
    const names = b.targets === 'all' ? known : b.targets;
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw new InputError(`${sweep.path}:1: targets: unknown reproduce target(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
    return names.map((target) => ({
      name: `reproduce@${target}`,
      kind: 'reproduce',
      axes: { target },
      params: { target, quick: b.quick, seed: b.seed } satisfies ReproduceJobParams as unknown as Record<string, unknown>,
    }));
  },
  async dataHash() {
    // Reproduce targets read the shipped datasets and dataset configs: hash all of them
    // (configs/*.yaml that are not sweep configs).
    const data = listFiles(join(ROOT, 'datasets')).map((f) => `datasets/${f}`);
    const configs = listFiles(join(ROOT, 'configs'))
      .filter((f) => /^[^/]+\.ya?ml$/.test(f))
      .map((f) => `configs/${f}`)
      .filter((f) => !/^(jobs|matrix):/m.test(readFileSync(join(ROOT, f), 'utf8')));
    const files = [...data, ...configs];
    return hashFiles(files.map((f) => join(ROOT, f)), files);
  },
  async run(spec) {
    const p = spec.params as unknown as ReproduceJobParams;
    const { TARGETS } = await import('../reproduce/index.ts');
    const target = TARGETS.find((t) => t.name === p.target);
    if (!target) throw new RunFailure(`unknown reproduce target ${p.target}`);
    const checks = await target.run({ quick: p.quick, seed: p.seed });
    const ok = checks.filter((c) => c.ok).length;
    const output: JobOutput = {
      files: { 'checks.json': stableJson({ target: p.target, checks }) },
      headline: { checks: checks.length, checks_ok: ok },
    };
    if (ok < checks.length) {
      output.error = `${checks.length - ok} of ${checks.length} checks outside tolerance: ${checks.filter((c) => !c.ok).map((c) => c.quantity).join('; ')}`;
    }
    return output;
  },
};

registerJobKind(fitJobKind);
registerJobKind(reproduceJobKind);
