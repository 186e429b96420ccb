/**
 * What `atlas report DIR` reads. DIR is one of:
 *
 * - a fit folder (`atlas fit --out DIR`): `coefficients.json` + `predictions.csv`, and
 *   `bootstrap.csv` (the joint bootstrap draws) when the fit ran a bootstrap;
 * - a sweep folder (`results/<sweep>/`): one sub-folder per job, each a fit folder (plus the
 *   sweep's `job.json` completion marker, whose status and error are shown for failed jobs).
 *
 * Either may also hold the output of `atlas transfer --out DIR` (`transfer_matrix.csv`,
 * `transfer.csv` or `transfer.json`), drawn as a heatmap. Everything is read and checked before
 * anything is drawn; unreadable files are input errors (`FILE:LINE: column: what is wrong`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { readArtifact, type CoefficientArtifact } from '../io/artifact.ts';
import { InputError } from '../io/types.ts';
import { parseMatrixCsv } from '../transfer/matrix.ts';

/** The rows of a `predictions.csv`, column-wise. */
export interface PredictionRows {
  rows: number;
  runId: string[];
  params: Float64Array;
  tokens: Float64Array;
  evalLang: string[];
  /** Observed loss. */
  loss: Float64Array;
  /** Predicted loss (NaN where the fit could not predict the row). */
  predicted: Float64Array;
  split: ('train' | 'heldout')[];
}

/** The sweep's completion marker of a job (`job.json`), the fields the report shows. */
export interface JobMarker {
  status: string;
  error: string | null;
  axes: Record<string, string>;
  /** Job kind (`fit`, `reproduce`, …). */
  kind: string;
  /** Reproduce jobs: checks run and checks within tolerance. */
  checks: number | null;
  checksOk: number | null;
}

/** One fit: a fit folder, or one job of a sweep. */
export interface FitInput {
  /** Job name (the folder's name; the folder's own name for a fit folder). */
  name: string;
  dir: string;
  artifact: CoefficientArtifact | null;
  predictions: PredictionRows | null;
  /** Joint bootstrap draws from `bootstrap.csv`, per group ('' for an ungrouped fit). */
  draws: Map<string, BootstrapDraws> | null;
  job: JobMarker | null;
}

/** The bootstrap draws of one fit (or one group): one column per parameter, natural units. */
export interface BootstrapDraws {
  /** Replicates (rows). */
  count: number;
  columns: Record<string, Float64Array>;
}

/** A transfer matrix read from `atlas transfer` output: cell (target i, source j). */
export interface TransferInput {
  /** File it came from (relative to DIR). */
  file: string;
  targets: string[];
  sources: string[];
  values: Float64Array;
  /** Per cell: `above` / `below` when the value is a bound, else ''. */
  censored: string[];
  /** Reference horizon d_mono of the scores, when the file says. */
  refTokens: number | null;
}

export interface ReportInputs {
  kind: 'fit' | 'sweep';
  dir: string;
  /** Sweep name (DIR's base name) or the fit folder's name. */
  name: string;
  fits: FitInput[];
  transfers: TransferInput[];
}

const PREDICTION_COLUMNS = ['params', 'tokens', 'loss', 'predicted'] as const;

function num(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'nan') return Number.NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : Number.NaN;
}

/** Parse a `predictions.csv` (columns `run_id,params,tokens,eval_lang,loss,predicted,split`, extra columns ignored). */
export function parsePredictions(text: string, fileName: string): PredictionRows {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new InputError(`${fileName}:1: not CSV: ${(error as Error).message}`);
  }
  if (records.length < 1) throw new InputError(`${fileName}:1: predictions: empty file`);
  const header = records[0].map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  const missing = PREDICTION_COLUMNS.filter((name) => col(name) < 0);
  if (missing.length > 0) throw new InputError(missing.map((name) => `${fileName}:1: ${name}: missing required column`));
  const n = records.length - 1;
  const out: PredictionRows = {
    rows: n,
    runId: new Array<string>(n),
    params: new Float64Array(n),
    tokens: new Float64Array(n),
    evalLang: new Array<string>(n),
    loss: new Float64Array(n),
    predicted: new Float64Array(n),
    split: new Array<'train' | 'heldout'>(n),
  };
  const iRun = col('run_id');
  const iLang = col('eval_lang');
  const iSplit = col('split');
  const iParams = col('params');
  const iTokens = col('tokens');
  const iLoss = col('loss');
  const iPred = col('predicted');
  const problems: string[] = [];
  for (let r = 0; r < n; r++) {
    const row = records[r + 1];
    const line = r + 2;
    out.runId[r] = iRun >= 0 ? (row[iRun] ?? '').trim() : `row${line}`;
    out.evalLang[r] = iLang >= 0 && (row[iLang] ?? '').trim() !== '' ? row[iLang].trim() : 'und';
    out.split[r] = iSplit >= 0 && (row[iSplit] ?? '').trim() === 'heldout' ? 'heldout' : 'train';
    out.params[r] = num(row[iParams]);
    out.tokens[r] = num(row[iTokens]);
    out.loss[r] = num(row[iLoss]);
    out.predicted[r] = num(row[iPred]);
    if (!(out.params[r] > 0)) problems.push(`${fileName}:${line}: params: not a positive number: "${row[iParams] ?? ''}"`);
    if (!(out.tokens[r] > 0)) problems.push(`${fileName}:${line}: tokens: not a positive number: "${row[iTokens] ?? ''}"`);
    if (!(out.loss[r] > 0)) problems.push(`${fileName}:${line}: loss: not a positive number: "${row[iLoss] ?? ''}"`);
    if (problems.length >= 20) break;
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/** The rows of `p` whose evaluation language is `lang` (the rows of one `--group-by eval_lang` group). */
export function predictionsOfLanguage(p: PredictionRows, lang: string): PredictionRows {
  const keep: number[] = [];
  for (let i = 0; i < p.rows; i++) if (p.evalLang[i] === lang) keep.push(i);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
  return {
    rows: keep.length,
    runId: keep.map((i) => p.runId[i]),
    params: pick(p.params),
    tokens: pick(p.tokens),
    evalLang: keep.map((i) => p.evalLang[i]),
    loss: pick(p.loss),
    predicted: pick(p.predicted),
    split: keep.map((i) => p.split[i]),
  };
}

/**
 * Parse `bootstrap.csv` (`[group,]replicate,<param>…`, one row per replicate, natural units).
 * Columns are found by name; every column other than `group` and `replicate` is a parameter.
 * Empty cells (a parameter a group does not have) are dropped with their column for that group.
 */
export function parseBootstrapCsv(text: string, fileName: string): Map<string, BootstrapDraws> {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new InputError(`${fileName}:1: not CSV: ${(error as Error).message}`);
  }
  if (records.length < 1) throw new InputError(`${fileName}:1: bootstrap draws: empty file`);
  const header = records[0].map((h) => h.trim());
  const iGroup = header.indexOf('group');
  if (header.indexOf('replicate') < 0) throw new InputError(`${fileName}:1: replicate: missing required column`);
  const params = header.map((h, k) => [h, k] as const).filter(([h]) => h !== 'group' && h !== 'replicate');
  const rows = new Map<string, number[][]>();
  const problems: string[] = [];
  for (let r = 1; r < records.length && problems.length < 20; r++) {
    const row = records[r];
    const group = iGroup >= 0 ? (row[iGroup] ?? '').trim() : '';
    const values = params.map(([name, k]) => {
      const cell = (row[k] ?? '').trim();
      if (cell === '') return Number.NaN;
      const v = Number(cell);
      if (!Number.isFinite(v)) problems.push(`${fileName}:${r + 1}: ${name}: not a number: "${cell}"`);
      return v;
    });
    let list = rows.get(group);
    if (!list) rows.set(group, (list = []));
    list.push(values);
  }
  if (problems.length > 0) throw new InputError(problems);
  const out = new Map<string, BootstrapDraws>();
  for (const [group, list] of rows) {
    const columns: Record<string, Float64Array> = {};
    params.forEach(([name], k) => {
      const column = Float64Array.from(list, (v) => v[k]);
      if (column.every((x) => Number.isFinite(x))) columns[name] = column;
    });
    out.set(group, { count: list.length, columns });
  }
  return out;
}

/**
 * Parse `bootstrap.json` (schema `atlas.bootstrap/1`: per group, '' without groups, the
 * parameter `names` and one row of natural-scale `values` per replicate), the JSON form of the
 * same draws, into the same shape as `parseBootstrapCsv`.
 */
export function parseBootstrapJson(text: string, fileName: string): Map<string, BootstrapDraws> {
  let raw: { schema?: unknown; groups?: Record<string, { names?: unknown; values?: unknown }> };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (error) {
    throw new InputError(`${fileName}:1: not JSON: ${(error as Error).message}`);
  }
  if (!raw || raw.schema !== 'atlas.bootstrap/1' || !raw.groups || typeof raw.groups !== 'object') throw new InputError(`${fileName}:1: schema: expected "atlas.bootstrap/1"`);
  const out = new Map<string, BootstrapDraws>();
  for (const [group, entry] of Object.entries(raw.groups)) {
    const names = Array.isArray(entry?.names) ? entry.names.map(String) : null;
    const values = Array.isArray(entry?.values) ? (entry.values as unknown[]) : null;
    if (!names || !values) throw new InputError(`${fileName}:1: groups.${group}: expected names and values`);
    const columns: Record<string, Float64Array> = {};
    names.forEach((name, k) => {
      const column = Float64Array.from(values, (row) => (Array.isArray(row) && typeof row[k] === 'number' ? row[k] : Number.NaN));
      if (column.every((x) => Number.isFinite(x))) columns[name] = column;
    });
    out.set(group, { count: values.length, columns });
  }
  return out;
}

/** The bootstrap draws of a fit folder: `bootstrap.csv`, else `bootstrap.json`, else null. */
function readDrawsOf(dir: string): Map<string, BootstrapDraws> | null {
  const csv = join(dir, 'bootstrap.csv');
  if (existsSync(csv)) return parseBootstrapCsv(readText(csv), csv);
  const json = join(dir, 'bootstrap.json');
  if (existsSync(json)) return parseBootstrapJson(readText(json), json);
  return null;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read: ${(error as Error).message}`);
  }
}

function readJobMarker(path: string): JobMarker | null {
  if (!existsSync(path)) return null;
  let raw: { status?: unknown; error?: unknown; axes?: unknown; kind?: unknown; headline?: { checks?: unknown; checks_ok?: unknown } };
  try {
    raw = JSON.parse(readText(path)) as typeof raw;
  } catch (error) {
    throw new InputError(`${path}:1: not JSON: ${(error as Error).message}`);
  }
  const axes: Record<string, string> = {};
  if (raw.axes && typeof raw.axes === 'object') for (const [k, v] of Object.entries(raw.axes)) axes[k] = String(v);
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    status: typeof raw.status === 'string' ? raw.status : 'unknown',
    error: typeof raw.error === 'string' ? raw.error : null,
    axes,
    kind: typeof raw.kind === 'string' ? raw.kind : '',
    checks: count(raw.headline?.checks),
    checksOk: count(raw.headline?.checks_ok),
  };
}

function readFitFolder(dir: string, name: string): FitInput {
  const coefficients = join(dir, 'coefficients.json');
  const predictions = join(dir, 'predictions.csv');
  return {
    name,
    dir,
    artifact: existsSync(coefficients) ? readArtifact(coefficients) : null,
    predictions: existsSync(predictions) ? parsePredictions(readText(predictions), predictions) : null,
    draws: readDrawsOf(dir),
    job: readJobMarker(join(dir, 'job.json')),
  };
}

/** Parse `transfer.csv` (long form, SPEC §2) or the `scores` of `transfer.json` into a matrix at the first reference horizon. */
export function transferFromScores(scores: Record<string, unknown>[], file: string): TransferInput | null {
  if (scores.length === 0) return null;
  const horizon = num(String(scores[0].d_mono ?? ''));
  const rows = scores.filter((s) => Number.isNaN(horizon) || num(String(s.d_mono ?? '')) === horizon);
  const targets: string[] = [];
  const sources: string[] = [];
  for (const s of rows) {
    const t = String(s.target ?? '');
    const src = String(s.source ?? '');
    if (!targets.includes(t)) targets.push(t);
    if (!sources.includes(src)) sources.push(src);
  }
  const langs = [...new Set([...targets, ...sources])].sort();
  const values = new Float64Array(langs.length * langs.length).fill(Number.NaN);
  const censored = new Array<string>(values.length).fill('');
  for (const s of rows) {
    const i = langs.indexOf(String(s.target ?? ''));
    const j = langs.indexOf(String(s.source ?? ''));
    const c = String(s.censored ?? 'false');
    if (c === 'mono') continue;
    values[i * langs.length + j] = num(String(s.bts ?? ''));
    censored[i * langs.length + j] = c === 'above' || c === 'below' ? c : '';
  }
  return { file, targets: langs, sources: langs, values, censored, refTokens: Number.isNaN(horizon) ? null : horizon };
}

/** The transfer output in `dir`, if any (`transfer_matrix.csv`, else `transfer.csv`, else `transfer.json`). */
export function readTransfer(dir: string, label: string): TransferInput | null {
  const matrixFile = join(dir, 'transfer_matrix.csv');
  if (existsSync(matrixFile)) {
    const m = parseMatrixCsv(readText(matrixFile), matrixFile);
    const censored = Array.from(m.censored ?? new Int8Array(m.values.length), (c) => (c > 0 ? 'above' : c < 0 ? 'below' : ''));
    return { file: join(label, 'transfer_matrix.csv'), targets: m.targets, sources: m.sources, values: m.values, censored, refTokens: null };
  }
  const csvFile = join(dir, 'transfer.csv');
  if (existsSync(csvFile)) {
    let records: Record<string, string>[];
    try {
      records = parse(readText(csvFile), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    } catch (error) {
      throw new InputError(`${csvFile}:1: not CSV: ${(error as Error).message}`);
    }
    for (const column of ['target', 'source', 'bts']) {
      if (records.length > 0 && !(column in records[0])) throw new InputError(`${csvFile}:1: ${column}: missing required column`);
    }
    return transferFromScores(records, join(label, 'transfer.csv'));
  }
  const jsonFile = join(dir, 'transfer.json');
  if (existsSync(jsonFile)) {
    let raw: { scores?: unknown };
    try {
      raw = JSON.parse(readText(jsonFile)) as typeof raw;
    } catch (error) {
      throw new InputError(`${jsonFile}:1: not JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(raw.scores)) throw new InputError(`${jsonFile}:1: scores: expected an array`);
    return transferFromScores(raw.scores as Record<string, unknown>[], join(label, 'transfer.json'));
  }
  return null;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Read DIR (a fit folder or a sweep folder) and everything the report draws from it. */
export function readReportInputs(dir: string): ReportInputs {
  if (!isDir(dir)) throw new InputError(`${dir}: not a folder (give a fit output folder or a sweep results folder)`);
  const name = basename(dir.replace(/[\\/]+$/, '')) || dir;
  const hasFit = existsSync(join(dir, 'coefficients.json')) || existsSync(join(dir, 'predictions.csv'));
  const transfers: TransferInput[] = [];
  const own = readTransfer(dir, '.');
  if (own) transfers.push(own);
  if (hasFit) {
    return { kind: 'fit', dir, name, fits: [readFitFolder(dir, name)], transfers };
  }
  const jobs = readdirSync(dir)
    .filter((entry) => !entry.startsWith('.') && isDir(join(dir, entry)))
    .filter((entry) => ['coefficients.json', 'predictions.csv', 'job.json'].some((f) => existsSync(join(dir, entry, f))))
    .sort();
  const fits: FitInput[] = [];
  for (const job of jobs) {
    const fit = readFitFolder(join(dir, job), job);
    const transfer = readTransfer(join(dir, job), job);
    if (transfer) transfers.push(transfer);
    if (fit.artifact || fit.predictions || !transfer) fits.push(fit);
  }
  if (fits.length === 0 && transfers.length === 0) {
    throw new InputError(`${dir}: no coefficients.json here and no job folders with one (give the folder of \`atlas fit --out DIR\` or a sweep's results folder)`);
  }
  return { kind: 'sweep', dir, name, fits, transfers };
}
