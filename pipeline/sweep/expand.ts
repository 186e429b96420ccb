/**
 * Sweep bookkeeping that needs no fitting: matrix expansion, stable job names, content hashes and
 * the assignment of jobs to shards.
 *
 * A job's name is `law@axis-values` (DVC's `stage@matrix-values` convention): the law (or job
 * kind), then the label of every matrix axis in declared order, joined by `-`. Labels are the
 * value as written (`none` for null), a file's base name for datasets, or the variant name of a
 * named axis (`fit: { lsq: { objective: lsq } }` → `lsq`). Names hold only `[A-Za-z0-9._=+-]`, so
 * each is a folder name on every file system, and they never depend on time or order of execution.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../io/types.ts';
import { stableJson } from '../io/atomic.ts';

/** One job of a sweep: JSON-serialisable, everything a worker needs. */
export interface JobSpec {
  /** Stable name, also the job's folder under the sweep's output folder. */
  name: string;
  /** Job kind (registry key in sweep/jobs.ts): `fit`, `reproduce`, … */
  kind: string;
  /** Label of each matrix axis (axis → label), for summary.csv. */
  axes: Record<string, string>;
  /** The kind's parameters (paths relative to the working directory, posix separators). */
  params: Record<string, unknown>;
}

/** One point of a matrix: per axis, its label and value. */
export interface MatrixPoint {
  labels: Record<string, string>;
  values: Record<string, unknown>;
}

/** Characters allowed in a label; everything else becomes `_`. */
export function slug(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._=+-]+/g, '_').replace(/^[._]+/, '');
  return cleaned === '' ? '_' : cleaned;
}

/** Label of one axis value (`null` → `none`, a path → its base name, an object → `k=v,k=v`). */
export function labelOf(axisName: string, value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.map((v) => labelOf(axisName, v)).join('+');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return slug(entries.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(','));
  }
  const text = String(value);
  if (axisName === 'config' || axisName === 'data') return slug(basename(text, extname(text)));
  return slug(text);
}

/**
 * The product of the axes, in declared order (the last axis varies fastest). An axis is a list
 * (labels from the values) or a map of named variants (labels are the names).
 */
export function expandMatrix(matrix: Record<string, unknown>): MatrixPoint[] {
  let points: MatrixPoint[] = [{ labels: {}, values: {} }];
  for (const [axisName, axisValue] of Object.entries(matrix)) {
    if (axisValue === undefined) continue;
    const options: [string, unknown][] = Array.isArray(axisValue)
      ? axisValue.map((v) => [labelOf(axisName, v), v === 'none' ? null : v])
      : Object.entries(axisValue as Record<string, unknown>).map(([name, v]) => [slug(name), v === 'none' ? null : v]);
    const next: MatrixPoint[] = [];
    for (const point of points) {
      for (const [label, value] of options) {
        next.push({ labels: { ...point.labels, [axisName]: label }, values: { ...point.values, [axisName]: value } });
      }
    }
    points = next;
  }
  return points;
}

/** True when `point` matches an `exclude` entry: every key of the entry equals the point's label or value. */
export function excluded(point: MatrixPoint, rules: Record<string, unknown>[] | undefined): boolean {
  if (!rules) return false;
  return rules.some((rule) =>
    Object.entries(rule).every(([axisName, want]) => {
      if (!(axisName in point.labels)) return false;
      const wanted = want === 'none' ? null : want;
      return point.labels[axisName] === labelOf(axisName, wanted) || point.labels[axisName] === String(want) || stableJson(point.values[axisName]) === stableJson(wanted);
    }),
  );
}

/** Name of a job: `head@label-label…` (just `head` when there are no axes). */
export function jobName(head: string, labels: Record<string, string>): string {
  const parts = Object.values(labels);
  return parts.length === 0 ? slug(head) : `${slug(head)}@${parts.join('-')}`;
}

/** A path relative to the working directory with `/` separators (absolute when outside it). */
export function portablePath(path: string, cwd = process.cwd()): string {
  const abs = resolve(path);
  const rel = relative(cwd, abs);
  if (rel === '' ) return '.';
  if (rel.startsWith('..') || isAbsolute(rel)) return abs.split(sep).join('/');
  return rel.split(sep).join('/');
}

/** Throw an input error listing every duplicated job name. */
export function checkUniqueNames(jobs: JobSpec[], file: string): void {
  const seen = new Map<string, number>();
  for (const job of jobs) seen.set(job.name, (seen.get(job.name) ?? 0) + 1);
  const dups = [...seen].filter(([, count]) => count > 1).map(([name]) => name);
  if (dups.length > 0) {
    throw new InputError(dups.map((name) => `${file}:1: jobs: job name "${name}" occurs more than once (add a matrix axis that tells them apart)`));
  }
}

/** sha256 hex of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Sort object keys recursively, so equal values hash equally whatever their key order. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/** sha256 of the canonical JSON of a value. */
export function hashValue(value: unknown): string {
  return sha256(stableJson(canonical(value)));
}

const fileHashes = new Map<string, { size: number; mtimeMs: number; hash: string }>();

/** sha256 of a file's bytes (memoised by path, size and modification time within a process). */
export function hashFile(path: string): string {
  const abs = resolve(path);
  const stat = statSync(abs);
  const cached = fileHashes.get(abs);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.hash;
  const hash = sha256(readFileSync(abs));
  fileHashes.set(abs, { size: stat.size, mtimeMs: stat.mtimeMs, hash });
  return hash;
}

/** Every file under `dir` (recursive, sorted, dot-files skipped), relative to `dir`. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string): void => {
    let entries;
    try {
      entries = readdirSync(join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk('');
  return out;
}

/** One hash over named files: sha256 of `name  sha256\n` lines (order as given). */
export function hashFiles(paths: string[], names: string[] = paths): string {
  return sha256(paths.map((path, i) => `${names[i]}  ${hashFile(path)}\n`).join(''));
}

/** Shard (0-based) of a job: the first 32 bits of sha256(name), modulo the shard count. */
export function shardOf(name: string, count: number): number {
  return Number.parseInt(sha256(name).slice(0, 8), 16) % count;
}

/** Parse `I/N` (1-based I): returns `{ index: I-1, count: N }`. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InputError(`--shard: expected I/N with 1 <= I <= N (e.g. 2/3), got "${text}"`);
  }
  return { index: index - 1, count };
}
