/**
 * The coefficient artifact (SPEC §3, schema `atlas.coefficients/1`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from './types.ts';
import { stableJson, writeFileAtomic } from './atomic.ts';
import { csvRows, type CsvValue } from './csv.ts';

export interface ParamEntry {
  /** Natural-scale value (A, not ln A). */
  value: number;
  /** Bootstrap standard error; null (never 0) when the parameter is not identified. */
  stderr?: number | null;
  ci95?: [number, number];
  /** Asymptotic standard error from the Jacobian (sandwich form for Huber); absent when not identified. */
  stderr_asymptotic?: number;
  /**
   * Free parameters only: why the data do not identify it (`flat direction`, `unbounded bootstrap
   * interval`, `zero spread`; docs/intervals.md), or false.
   */
  not_identified?: string | false;
  /** `free`, `fixed` or `tied:<name>`. */
  vary: string;
  /** `lower`, `upper` or null: the estimate sits on a bound. */
  at_bound: 'lower' | 'upper' | null;
  init: number;
  bounds: [number | null, number | null];
  log_scale: boolean;
}

export interface Metrics {
  rows: number;
  r2: number;
  rmse: number;
  mape: number;
}

export interface FitSection {
  starts: number;
  /** Rows of the even subsample on which the starts were screened before polishing on every row. */
  search_rows?: number;
  converged: boolean;
  status: string;
  message: string;
  iterations: number;
  evaluations: number;
  /**
   * Always null in the artifact, so that the same fit writes byte-identical files; the wall-clock
   * time is in timing.json beside it (and on stderr).
   */
  seconds: number | null;
  optimizer: string;
  /** Spread of the best distinct optima found by the multi-start (flat-ridge diagnostic); degenerate optima last, flagged. */
  optima?: { objective: number; params: Record<string, number>; degenerate?: boolean }[];
  /** σ_min/σ_max of the column-scaled Jacobian at the optimum and the free parameters the data do not identify. */
  identifiability?: { ratio: number; not_identified: string[] };
}

export interface DerivedEntry {
  value: number;
  stderr?: number;
  ci95?: [number, number];
}

/**
 * Scatter of the training residuals e = y − ŷ in the space the law was fitted in (`log`: ln L;
 * `linear`: L), for prediction intervals (docs/intervals.md).
 */
export interface ResidualScatter {
  space: 'log' | 'linear';
  rows: number;
  /** 2.5 % and 97.5 % quantiles of e (type 7). */
  q025: number;
  q975: number;
}

/** Ranges of the training rows: N, D and C = 6·N·D, [min, max] (extrapolation warnings). */
export interface DataRanges {
  params: [number, number];
  tokens: [number, number];
  compute: [number, number];
}

export interface GroupEntry {
  params: Record<string, ParamEntry>;
  residuals?: ResidualScatter;
  objective: { kind: 'huber-log' | 'lsq-log' | 'lsq-linear'; delta?: number; value: number };
  fit: FitSection;
  metrics: { train: Metrics; heldout?: Metrics & { spec: string } };
  derived: Record<string, DerivedEntry>;
  context: unknown;
  data: { rows: number; runs: number; ranges?: DataRanges };
}

export interface CoefficientArtifact {
  schema: 'atlas.coefficients/1';
  law: string;
  law_options: Record<string, unknown>;
  params: Record<string, ParamEntry>;
  objective: { kind: 'huber-log' | 'lsq-log' | 'lsq-linear'; delta?: number; value: number };
  fit: FitSection;
  data: { rows: number; runs: number; sha256: string; files: string[]; ranges?: DataRanges };
  /** Training residual scatter (absent with --group-by: each group has its own). */
  residuals?: ResidualScatter;
  /** Bootstrap draws written beside this file (`bootstrap.csv`), when the fit ran a bootstrap. */
  bootstrap_draws?: { samples: number; seed: number; file: string };
  metrics: { train: Metrics; heldout?: Metrics & { spec: string } };
  derived: Record<string, DerivedEntry>;
  /** The law's context (languages, K_t …) needed to predict new rows. */
  context: unknown;
  /** Fit options as resolved (every default echoed). */
  options: Record<string, unknown>;
  /** Per-group fits for `--group-by`. */
  groups?: Record<string, GroupEntry>;
  group_by?: string;
  /** `--share`: the parameters common to every group of a joint fit (each group's `params` repeats them). */
  shared?: Record<string, ParamEntry>;
  /** `fit --law auto`: the backtest table and the candidate it chose (refitted on every row). */
  selection?: {
    method: 'backtest';
    criterion: string;
    holdouts: string[];
    fraction: number;
    chosen: string;
    law: string;
    law_options: Record<string, unknown>;
    checkpoints: string;
    share: string[];
    table: { candidate: string; mean_mape: number | null; scores: { holdout: string; train_rows: number; scored_rows: number; mape: number | null; rmse: number | null; r2: number | null; coverage95: number | null; error?: string }[] }[];
  };
  /** The checkpoint policy applied (`all`, `final`, `drop-early:F`, `tokens>=X`) and the rows it kept out of the fit. */
  checkpoints?: { policy: string; rows_removed: number };
  provenance: { version: string; config_sha256: string | null; seed: number; created: string | null };
}

/** Write an artifact atomically. */
export function writeArtifact(path: string, artifact: CoefficientArtifact): void {
  writeFileAtomic(path, stableJson(artifact));
}

/** Read and check an artifact. */
export function readArtifact(path: string): CoefficientArtifact {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}:1: not JSON: ${(error as Error).message}`);
  }
  const artifact = parsed as CoefficientArtifact;
  if (!artifact || artifact.schema !== 'atlas.coefficients/1') {
    throw new InputError(`${path}:1: schema: expected "atlas.coefficients/1"`);
  }
  return artifact;
}

/** File name of the bootstrap draws beside coefficients.json. */
export const DRAWS_FILE = 'bootstrap.csv';

/**
 * Bootstrap draws of a fit, in memory: per group ('' without groups) the parameter names and one
 * row of natural-scale values per successful replicate. On disk (`bootstrap.csv`): header
 * `replicate,<param>…`, or `group,replicate,<param>…` for a grouped fit (an empty cell is a
 * parameter the group does not have).
 */
export interface BootstrapDraws {
  schema: 'atlas.bootstrap/1';
  groups: Record<string, { names: string[]; values: number[][] }>;
}

/** bootstrap.csv text of the draws. */
export function drawsCsv(draws: BootstrapDraws): string {
  const grouped = Object.keys(draws.groups).some((g) => g !== '');
  const names = [...new Set(Object.values(draws.groups).flatMap((g) => g.names))];
  const rows: CsvValue[][] = [[...(grouped ? ['group'] : []), 'replicate', ...names]];
  for (const [group, g] of Object.entries(draws.groups)) {
    const at = names.map((name) => g.names.indexOf(name));
    g.values.forEach((row, b) => rows.push([...(grouped ? [group] : []), b, ...at.map((j) => (j < 0 ? '' : row[j]))]));
  }
  return csvRows(rows);
}

/** Write the draws atomically (bootstrap.csv). */
export function writeDraws(path: string, draws: BootstrapDraws): void {
  writeFileAtomic(path, drawsCsv(draws));
}

/**
 * Parse a bootstrap.csv: the replicates per group ('' for an ungrouped fit), each a record of
 * natural-scale values.
 */
export function parseBootstrapDraws(text: string, path: string): Record<string, Record<string, number>[]> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new InputError(`${path}:1: (file): empty bootstrap file`);
  const head = lines[0].split(',').map((h) => h.trim());
  const groupCol = head.indexOf('group');
  const repCol = head.indexOf('replicate');
  if (repCol < 0) throw new InputError(`${path}:1: replicate: missing column (header: ${head.join(', ')})`);
  const out: Record<string, Record<string, number>[]> = {};
  lines.slice(1).forEach((line, k) => {
    const cells = line.split(',');
    if (cells.length !== head.length) throw new InputError(`${path}:${k + 2}: (row): has ${cells.length} fields, the header has ${head.length}`);
    const group = groupCol >= 0 ? cells[groupCol].trim() : '';
    const values: Record<string, number> = {};
    head.forEach((name, j) => {
      if (j === groupCol || j === repCol || cells[j].trim() === '') return;
      const v = Number(cells[j]);
      if (!Number.isFinite(v)) throw new InputError(`${path}:${k + 2}: ${name}: not a number: "${cells[j]}"`);
      values[name] = v;
    });
    (out[group] ??= []).push(values);
  });
  return out;
}

/**
 * The draws an artifact names (`bootstrap_draws.file`, relative to the artifact's folder), or null when
 * the fit ran no bootstrap.
 */
export function readDraws(coefficientsPath: string, artifact: CoefficientArtifact): BootstrapDraws | null {
  if (!artifact.bootstrap_draws) return null;
  const path = join(dirname(coefficientsPath), artifact.bootstrap_draws.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read the bootstrap draws that ${coefficientsPath} names: ${(error as Error).message} (refit, or copy ${artifact.bootstrap_draws.file} beside it)`);
  }
  const parsed = parseBootstrapDraws(text, path);
  const groups: BootstrapDraws['groups'] = {};
  for (const [group, rows] of Object.entries(parsed)) {
    const names = Object.keys(rows[0] ?? {});
    groups[group] = { names, values: rows.map((r) => names.map((n) => r[n] ?? NaN)) };
  }
  return { schema: 'atlas.bootstrap/1', groups };
}
