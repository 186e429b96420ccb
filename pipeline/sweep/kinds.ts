/**
 * Sweep job kinds: a small registry keyed by `kind:` in the sweep config.
 *
 * A kind expands a block of the sweep config into jobs, names the inputs that decide whether a
 * finished job is still up to date (a hash of its data files, a hash of its configuration), and
 * runs a job into a set of files. Two kinds ship (fit_job.ts, reproduce_job.ts); more register
 * with `registerJobKind` from a plugin module (`runSweep({ plugins })`), which is imported in the
 * main thread and in every worker.
 */
import type { SweepBlock, SweepConfig } from './schema.ts';
import type { JobSpec } from './expand.ts';
import { InputError } from '../io/types.ts';

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
  /**
   * What this thread loaded while planning that a worker can reuse instead of loading it again
   * (structured-cloneable; handed to `warm` in each worker).
   */
  share?(): unknown;
  /** Load what `run` needs ahead of the first job (a worker calls it when it starts, with what `share` gave). */
  warm?(shared?: unknown): Promise<void>;
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

function registered(names?: readonly string[]): JobKind[] {
  return names ? names.map((n) => KINDS.get(n)).filter((k): k is JobKind => k !== undefined) : [...KINDS.values()];
}

/** What the named kinds (default: all registered) can hand to a worker (`JobKind.share`), by kind. */
export function shareJobKinds(names?: readonly string[]): Record<string, unknown> {
  const shared: Record<string, unknown> = {};
  for (const kind of registered(names)) if (kind.share) shared[kind.kind] = kind.share();
  return shared;
}

/** Load ahead what the named kinds (default: all registered) need to run a job, with what `shareJobKinds` gave. */
export async function warmJobKinds(names?: readonly string[], shared: Record<string, unknown> = {}): Promise<void> {
  await Promise.all(registered(names).map((kind) => kind.warm?.(shared[kind.kind])));
}

/** Names of the registered kinds. */
export function jobKinds(): string[] {
  return [...KINDS.keys()].sort();
}

const loadedPlugins = new Set<string>();

/** Registers tsx once, for TypeScript plugins under the compiled CLI. */
let typeScriptLoader: Promise<void> | null = null;

/**
 * Import plugin modules (each calls `registerJobKind`); `specifiers` are file URLs or package
 * names. A plugin that cannot be found is bad input (`--plugin`); one that fails while loading
 * is reported with its error.
 */
export async function loadPlugins(specifiers: readonly string[] = []): Promise<void> {
  for (const specifier of specifiers) {
    if (loadedPlugins.has(specifier)) continue;
    // Compiled atlas (dist/) on plain Node: TypeScript plugins need a loader.
    if (/\.[cm]?ts$/.test(specifier) && import.meta.url.endsWith('.js')) {
      typeScriptLoader ??= import('tsx/esm/api').then((tsx) => void tsx.register());
      await typeScriptLoader;
    }
    try {
      await import(specifier);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const shown = specifier.startsWith('file:') ? decodeURIComponent(new URL(specifier).pathname) : specifier;
      const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT' || code === 'ENOENT';
      if (missing && (error as Error).message.includes(shown.split('/').pop() ?? shown)) {
        throw new InputError(`--plugin: cannot find the module "${shown}" (give a path to a .ts/.mjs file that calls registerJobKind, or an installed package name)`);
      }
      throw new InputError(`--plugin: "${shown}" failed to load: ${(error as Error).message}`);
    }
    loadedPlugins.add(specifier);
  }
}
