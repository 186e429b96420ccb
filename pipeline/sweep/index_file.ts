/**
 * A sweep folder's `index.json` and `summary.csv`, rebuilt from its job folders.
 */
import { join } from 'node:path';
import { stableJson, writeFileAtomic } from '../io/atomic.ts';
import { csvRows, type CsvValue } from '../io/csv.ts';
import { readJobRecord } from './job_folder.ts';

/** The plan of a sweep, written to `sweep.json`; identical for every shard of a sweep. */
export interface SweepPlan {
  schema: 'atlas.sweep-plan/1';
  sweep: string;
  config_sha256: string;
  version: string;
  jobs: { name: string; kind: string }[];
}

/** What a sweep (or a merge) did, and where its index is. */
export interface SweepResult {
  sweep: string;
  out: string;
  /** Jobs in the sweep, in this shard, run now, skipped as up to date. */
  total: number;
  mine: number;
  ran: number;
  skipped: number;
  /** Status counts over the whole index (all shards' folders present). */
  ok: number;
  failed: number;
  pending: number;
  /** Failed jobs of this run's shard (run now or kept). */
  failures: { name: string; error: string }[];
  index: string;
  summary: string;
}

/** A summary.csv cell: non-finite numbers and missing values empty. */
function summaryCell(value: string | number | null | undefined): CsvValue {
  return typeof value === 'number' && !Number.isFinite(value) ? '' : value;
}

/** One line of index.json. */
export interface IndexEntry {
  name: string;
  kind: string;
  status: 'ok' | 'failed' | 'pending';
  config_hash: string | null;
  data_sha256: string | null;
  version: string | null;
  /** The job's main output, relative to the sweep folder (coefficients.json or checks.json). */
  artifact: string | null;
  axes: Record<string, string>;
  objective: number | null;
  train_r2: number | null;
  heldout_r2: number | null;
  fit_status: string | null;
  checks: number | null;
  checks_ok: number | null;
  error: string | null;
}

/**
 * Rebuild `index.json` and `summary.csv` of `out` from its job folders, in the plan's job order.
 * Jobs without a folder are listed as `pending`.
 */
export function writeIndex(out: string, plan: SweepPlan): { ok: number; failed: number; pending: number; entries: IndexEntry[] } {
  const entries: IndexEntry[] = plan.jobs.map(({ name, kind }) => {
    const record = readJobRecord(out, name);
    const main = record ? ['coefficients.json', 'checks.json', ...Object.keys(record.files).sort()].find((f) => f in record.files) : undefined;
    const h = record?.headline ?? {};
    return {
      name,
      kind,
      status: record ? record.status : 'pending',
      config_hash: record?.inputs.config_hash ?? null,
      data_sha256: record?.inputs.data_sha256 ?? null,
      version: record?.inputs.version ?? null,
      artifact: main ? `${name}/${main}` : null,
      axes: record?.axes ?? {},
      objective: h.objective ?? null,
      train_r2: h.train_r2 ?? null,
      heldout_r2: h.heldout_r2 ?? null,
      fit_status: h.fit_status ?? null,
      checks: h.checks ?? null,
      checks_ok: h.checks_ok ?? null,
      error: record?.error ?? null,
    };
  });
  const count = (status: string) => entries.filter((e) => e.status === status).length;
  const counts = { jobs: entries.length, ok: count('ok'), failed: count('failed'), pending: count('pending') };
  writeFileAtomic(join(out, 'index.json'), stableJson({ schema: 'atlas.sweep/1', sweep: plan.sweep, config_sha256: plan.config_sha256, version: plan.version, counts, jobs: entries }));

  const axisNames: string[] = [];
  for (const e of entries) for (const axis of Object.keys(e.axes)) if (!axisNames.includes(axis)) axisNames.push(axis);
  const columns = ['job', 'kind', 'status', ...axisNames, 'objective', 'train_r2', 'heldout_r2', 'fit_status', 'checks', 'checks_ok', 'artifact', 'config_hash', 'error'];
  const rows: CsvValue[][] = [columns];
  for (const e of entries) {
    rows.push([
      e.name, e.kind, e.status, ...axisNames.map((a) => e.axes[a] ?? ''),
      e.objective, e.train_r2, e.heldout_r2, e.fit_status, e.checks, e.checks_ok, e.artifact, e.config_hash, e.error,
    ].map(summaryCell));
  }
  writeFileAtomic(join(out, 'summary.csv'), csvRows(rows));
  return { ok: counts.ok, failed: counts.failed, pending: counts.pending, entries };
}

