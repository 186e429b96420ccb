/**
 * The `fit` sweep job kind: load a dataset (a fit config or raw logs), fit a law (`runFit`), write
 * `coefficients.json` and `predictions.csv`.
 *
 * Paths in the sweep config (`config:`, `data:`, `languages:`) are relative to the sweep file and
 * follow the rule of dataset configs (pipeline/io/paths.ts): they may not leave the sweep file's
 * allowed folder unless the sweep runs with `allowOutside` (`--allow-outside`). Laws are checked
 * when the sweep is planned, with the sweep file's line.
 */
import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FitBlock, SweepConfig } from './schema.ts';
import type { AtlasConfig } from '../config/load.ts';
import type { CoefficientArtifact } from '../io/artifact.ts';
import { stableJson } from '../io/atomic.ts';
import { allowedRoot, escapeProblem } from '../io/paths.ts';
import { InputError, type RunTable } from '../io/types.ts';
import { isLaw, unknownLawMessage } from '../laws/index.ts';
import { excluded, expandMatrix, hashFiles, jobName, portablePath, type JobSpec } from './expand.ts';
import type { JobKind, JobOutput } from './kinds.ts';
import { DRAWS_FILE, drawsCsv } from '../io/artifact.ts';

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

/** Jobs run after planning checked their paths (expand), so running them does not check again. */
const CHECKED = true;

type CachedConfig = { size: number; mtimeMs: number; allowOutside: boolean; config: AtlasConfig };
const configCache = new Map<string, CachedConfig>();

/**
 * A fit config, loaded once per thread while its file is unchanged (a worker starts with those its
 * main thread loaded: `share`/`warm`). A config loaded with the paths check serves a request
 * without it (`allowOutside` only turns the check off); the reverse loads and checks it again.
 */
async function fitConfig(path: string, allowOutside = false): Promise<AtlasConfig> {
  const abs = resolve(path);
  const stat = statSync(abs);
  const cached = configCache.get(abs);
  if (cached && (allowOutside || !cached.allowOutside) && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.config;
  const { loadConfig } = await import('../config/load.ts');
  const config = loadConfig(path, { allowOutside });
  configCache.set(abs, { size: stat.size, mtimeMs: stat.mtimeMs, allowOutside, config });
  return config;
}

async function configLaw(path: string, allowOutside = false): Promise<string | undefined> {
  return (await fitConfig(path, allowOutside)).law;
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
      const { tableFor } = await import('../config/table.ts');
      return tableFor(await fitConfig(params.config, CHECKED), {
        data: params.data ?? undefined,
        languages: params.languages ?? undefined,
        map: params.map ?? undefined,
      });
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
  // The configs loaded while planning: a worker reads them from here instead of parsing their YAML
  // again (which would also load the YAML parser and the config schema, about half its start-up).
  share() {
    return { configs: [...configCache] };
  },
  async warm(shared) {
    const configs = (shared as { configs?: [string, CachedConfig][] } | undefined)?.configs;
    for (const [abs, entry] of configs ?? []) if (!configCache.has(abs)) configCache.set(abs, entry);
    await Promise.all([import('../fit/fit.ts'), import('../config/table.ts'), ...(configs ? [] : [import('../config/load.ts')])]);
  },
  async expand(block, sweep) {
    const b = block as FitBlock;
    const defaults = sweep.defaults;
    const jobs: JobSpec[] = [];
    const root = allowedRoot(sweep.dir);
    const problems: string[] = [];
    const resolvePath = (p: string, key: string) => {
      const target = resolve(sweep.dir, p);
      const problem = sweep.allowOutside ? null : escapeProblem(root, target, p);
      if (problem && !problems.some((q) => q.endsWith(problem))) problems.push(`${sweep.path}:${sweep.line?.(key, p) ?? 1}: ${key}: ${problem}`);
      return portablePath(target);
    };
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
      const config = configValue ? resolvePath(configValue, 'config') : null;
      const data = dataValue ? (Array.isArray(dataValue) ? dataValue : [dataValue]).map((d) => resolvePath(d, 'data')) : null;
      if (problems.length > 0) continue;
      // Load (and so check) the fit config here, with the sweep's --allow-outside: the paths it
      // reads are confined like the sweep's own. Later phases trust what was checked here.
      if (config) await fitConfig(config, sweep.allowOutside);
      let law = pick<string>(v, 'law', b.law);
      if (!law && config) {
        if (!lawCache.has(config)) lawCache.set(config, await configLaw(config, sweep.allowOutside));
        law = lawCache.get(config);
        if (law !== undefined && !isLaw(law)) {
          const fitConfigFile = await fitConfig(config, sweep.allowOutside);
          throw new InputError(unknownLawMessage(law, `${fitConfigFile.path}:${fitConfigFile.lines?.law ?? 1}: law`));
        }
      }
      if (!law) throw new InputError(`${sweep.path}:1: law: job ${jobName('fit', point.labels)} names no law (set law: in the sweep or its fit config)`);
      if (!isLaw(law)) {
        problems.push(unknownLawMessage(law, `${sweep.path}:${sweep.line?.('law', law) ?? 1}: law`));
        continue;
      }
      const params: FitJobParams = {
        config,
        data,
        languages: b.languages ? resolvePath(b.languages, 'languages') : null,
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
    if (problems.length > 0) throw new InputError([...new Set(problems)]);
    return jobs;
  },
  async dataHash(spec) {
    const p = spec.params as unknown as FitJobParams;
    const files: string[] = [];
    if (p.config) {
      const config = await fitConfig(p.config, CHECKED);
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
    return (await fitConfig(p.config, CHECKED)).sha256;
  },
  async run(spec, inputs) {
    const p = spec.params as unknown as FitJobParams;
    const { runFit } = await import('../fit/fit.ts');
    const config = p.config ? await fitConfig(p.config, CHECKED) : null;
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

