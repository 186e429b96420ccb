/**
 * The atlas library: `import { fit, laws, ingest } from 'atlas'`.
 *
 * ```ts
 * import { fit, ingest, laws } from 'atlas';
 *
 * const table = await ingest(['runs.csv']);                  // validated, normalised run log
 * const result = await fit(table, { law: 'chinchilla', holdout: 'top-params:0.2', starts: 'init' });
 * console.log(result.values.alpha, result.artifact.metrics.heldout?.r2);
 * console.log(Object.keys(laws));                            // chinchilla, data-constrained, atlas …
 * ```
 *
 * The package runs its TypeScript sources through tsx (`node --import tsx app.ts`, or `npx tsx`);
 * there is no build step. Every function here is a thin convenience over the pipeline stages the
 * `atlas` command uses, so a fit from the library writes the same artifact as `atlas fit`.
 */
import { runFit } from './fit/fit.ts';
import { csvRows } from './io/csv.ts';
import { ingestFiles, ingestText, summarize, type IngestOptions } from './ingest/ingest.ts';
import type { FitOptions } from './fitting/options.ts';
import type { CoefficientArtifact } from './io/artifact.ts';
import type { LawOptions } from './laws/law.ts';
import type { RunTable } from './io/types.ts';

export { LAWS as laws, getLaw } from './laws/index.ts';
export { InputError, RunFailure } from './io/types.ts';
export { ingestFiles, ingestText, summarize } from './ingest/ingest.ts';
export { runFit } from './fit/fit.ts';
export { mergeSweeps, planSweep, registerJobKind, runSweep } from './sweep/sweep.ts';
export { loadSweep, parseSweep } from './sweep/schema.ts';
export { stableJson, writeFileAtomic } from './io/atomic.ts';
export { readArtifact, writeArtifact } from './io/artifact.ts';
export { VERSION } from './io/version.ts';

export type { RunTable, Mixture, LanguageInfo, LanguageTable, SourceFile } from './io/types.ts';
export type { Law, ParamSpec, LawOptions } from './laws/law.ts';
export type { FitOptions, ObjectiveKind } from './fitting/options.ts';
export type { FitResult, FitStatus, Estimate } from './fitting/result.ts';
export type { CoefficientArtifact, ParamEntry, Metrics } from './io/artifact.ts';
export type { IngestOptions, IngestSummary } from './ingest/ingest.ts';
export type { Check, ReproduceTarget } from './reproduce/check.ts';
export type { SweepOptions, SweepResult, SweepEvent, SweepPlan, JobSpec, JobKind, JobOutput, JobRecord } from './sweep/sweep.ts';
export type { SweepConfig } from './sweep/schema.ts';

/**
 * Read and validate run logs (SPEC §1) into a `RunTable`.
 *
 * - `ingest(files, options?)`: CSV files (same as `ingest.files`);
 * - `ingest.text(csvText, fileName, options?)`: CSV text already in memory;
 * - `ingest.rows(rows, options?)`: plain objects, one per row, keyed by SPEC column names;
 * - `ingest.summarize(table)`: rows, runs, languages, N and D ranges.
 *
 * Bad input throws `InputError`, whose `problems` list every `FILE:LINE: column: what is wrong`.
 */
export const ingest = Object.assign((files: string[], options: IngestOptions = {}): Promise<RunTable> => ingestFiles(files, options), {
  files: ingestFiles,
  text: ingestText,
  rows: (rows: readonly RowInput[], options: IngestOptions = {}): RunTable => ingestText(rowsToCsv(rows), 'rows', options),
  summarize,
});

/**
 * One row of a run log as a plain object (SPEC §1 column names). `mixture` and `unique_tokens`
 * may be objects (`{ en: 0.7, fr: 0.3 }`) or the CSV text form (`en:0.7;fr:0.3`). Other keys are
 * kept and ignored, as in a CSV file.
 */
export interface RowInput {
  run_id: string;
  params: number;
  tokens: number;
  loss: number;
  eval_lang?: string;
  mixture?: string | Record<string, number>;
  unique_tokens?: number | string | Record<string, number>;
  kind?: 'pretrain' | 'finetune';
  base_run?: string;
  base_tokens?: number;
  step?: number;
  seed?: string | number;
  flops?: number;
  split?: 'train' | 'heldout';
  [column: string]: unknown;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}:${String(v)}`).join(';');
  return String(value);
}

/** Rows as CSV text (columns in order of first appearance); row i is on line i + 2. */
export function rowsToCsv(rows: readonly RowInput[]): string {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return csvRows([columns, ...rows.map((row) => columns.map((c) => cell(row[c])))]);
}

/** What `fit` takes besides the data: the law, its options, the hold-out and any fit option. */
export interface FitRequest extends Partial<FitOptions> {
  /** Law id (a key of `laws`). */
  law: string;
  lawOptions?: LawOptions;
  /** Hold-out spec (SPEC §2), e.g. `top-params:0.2`; the `split` column overrides it. */
  holdout?: string | null;
  /** Fit one law per value of this column (`eval_lang`) instead of one joint fit. */
  groupBy?: string | null;
}

/** What `fit` returns. */
export interface FitOutput {
  /** The coefficient artifact (SPEC §3), as `atlas fit` writes it. */
  artifact: CoefficientArtifact;
  /** Natural-scale parameter values by name (`E`, `A`, `alpha` …). */
  values: Record<string, number>;
  /** Per-row predictions as CSV text (what `atlas fit` writes to predictions.csv). */
  predictions: string;
}

/**
 * Fit a law to a run log: a `RunTable` (from `ingest`) or an array of row objects.
 *
 * ```ts
 * const { values, artifact } = await fit(rows, { law: 'chinchilla', objective: 'huber', starts: 'grid' });
 * ```
 *
 * Throws `InputError` for bad rows or options; a fit that did not converge is returned with
 * `artifact.fit.converged === false` (check it, as `atlas fit` does before exiting 1).
 */
export async function fit(data: RunTable | readonly RowInput[], request: FitRequest): Promise<FitOutput> {
  const { law, lawOptions, holdout, groupBy, ...options } = request;
  const table = Array.isArray(data) ? ingest.rows(data as readonly RowInput[]) : (data as RunTable);
  const { artifact, predictions } = await runFit({
    table,
    law,
    lawOptions: lawOptions ?? {},
    fit: options,
    holdout: holdout ?? null,
    groupBy: groupBy ?? null,
  });
  const values: Record<string, number> = {};
  for (const [name, entry] of Object.entries(artifact.params ?? {})) values[name] = entry.value;
  return { artifact, values, predictions };
}
