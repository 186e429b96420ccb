/**
 * Backtests (`atlas backtest`, `atlas fit --law auto`): judge fitting choices by how well they
 * predict runs they did not see. Every candidate (law × checkpoint policy × sharing) is fitted on
 * the smaller models or shorter budgets of a log and scored on the final checkpoints of the
 * held-out runs:
 *
 * - `top-params`: the runs of the largest model sizes (round(F × distinct sizes), at least one)
 *   are held out; the fit sees every row of the other runs.
 * - `top-tokens`: the runs whose final token count is among the largest (round(F × distinct
 *   final budgets), at least one) are scored; the fit sees every row below that budget, so the
 *   scored runs' own earlier checkpoints are in it.
 *
 * Scores: MAPE (%), RMSE and R² of the predicted final losses, and the coverage of their 95 %
 * prediction intervals (pipeline/fit/intervals.ts: the fit's residual scatter, plus the cluster
 * bootstrap when the fit options ask for one; `bootstrap` defaults to 0 in backtests). A candidate is ranked by its mean MAPE over
 * the hold-outs. Pure: no files; the `backtest` command prints and writes what this returns.
 */
import { readFileSync } from 'node:fs';
import type { CoefficientArtifact } from '../io/artifact.ts';
import type { LawOptions } from '../laws/law.ts';
import { getLaw } from '../laws/index.ts';
import { rowUniqueTokens } from '../laws/data_constrained.ts';
import type { FitOptions } from '../fitting/options.ts';
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';
import { subsetTable } from '../io/table.ts';
import { runFit } from './fit.ts';
import { intervalMetrics, predictionIntervals } from './intervals.ts';
import type { BootstrapDraws } from '../io/artifact.ts';
import { lossMetrics } from './metrics.ts';
import { checkpointLabel, checkpointMask, finalTokens, parseCheckpointPolicy } from './checkpoints.ts';

/** One fitting choice. */
export interface Candidate {
  law: string;
  /** Law options (`tokens: target` …) over the request's. */
  lawOptions?: LawOptions;
  /** Checkpoint policy. @default 'all' */
  checkpoints?: string;
  /** Parameters shared across groups (only with grouping). @default [] */
  share?: string[];
  /** Fit options of this candidate over the request's (`tie`, `fix` …). */
  fit?: Partial<FitOptions>;
}

export type HoldoutKind = 'top-params' | 'top-tokens';

export interface BacktestRequest {
  table: RunTable;
  /** Candidates; default: {@link defaultCandidates}. */
  candidates?: Candidate[];
  /** Hold-outs to score. @default ['top-params', 'top-tokens'] */
  holdouts?: HoldoutKind[];
  /** Fraction F of distinct sizes / budgets held out. @default 0.2 */
  fraction?: number;
  /** Group column (`eval_lang`): candidates are fitted per group (or jointly with `share`). */
  groupBy?: string | null;
  lawOptions?: LawOptions;
  /** Fit options every candidate starts from (objective, δ, starts). */
  fit?: Partial<FitOptions>;
  /** Called after each fit (progress). */
  onFit?: (row: BacktestRow) => void;
}

export interface BacktestScore {
  holdout: HoldoutKind;
  /** Rows the fit saw and final checkpoints scored. */
  trainRows: number;
  scoredRows: number;
  mape: number | null;
  rmse: number | null;
  r2: number | null;
  /** Share of scored rows inside their 95 % prediction interval (null: no intervals). */
  coverage95: number | null;
  /** Why the fit failed, if it did. */
  error?: string;
}

export interface BacktestRow {
  /** `law[/tokens] · checkpoints[ · per group | · share NAMES]`. */
  candidate: string;
  law: string;
  lawOptions: LawOptions;
  checkpoints: string;
  share: string[];
  scores: BacktestScore[];
  /** Mean MAPE over the hold-outs (null when any failed). */
  meanMape: number | null;
}

export interface BacktestResult {
  rows: BacktestRow[];
  /** Best candidate by mean MAPE. */
  best: BacktestRow | null;
  holdouts: HoldoutKind[];
  fraction: number;
  groupBy: string | null;
}

/** Laws tried by default (each where it can use the data). */
export const DEFAULT_LAWS = ['chinchilla', 'kaplan', 'data-constrained'];
/** Checkpoint policies tried by default (identical ones on a log are tried once). */
export const DEFAULT_CHECKPOINTS = ['all', 'drop-early:0.5', 'final'];
/** Sharing choices tried by default with grouping. */
export const DEFAULT_SHARES: string[][] = [[], ['alpha', 'beta', 'E']];

/** Label of a candidate. */
export function candidateLabel(c: Candidate, grouped = true): string {
  const tokens = c.lawOptions?.tokens ? `/${String(c.lawOptions.tokens)}` : '';
  const share = c.share && c.share.length > 0 ? ` · share ${c.share.join(',')}` : grouped ? ' · per group' : '';
  return `${c.law}${tokens} · ${checkpointLabel(parseCheckpointPolicy(c.checkpoints ?? 'all'))}${share}`;
}

/**
 * The default candidates for a table: DEFAULT_LAWS that can prepare its rows × the checkpoint
 * policies that keep different rows × (with grouping) DEFAULT_SHARES.
 */
export function defaultCandidates(table: RunTable, grouped: boolean, lawOptions: LawOptions = {}): Candidate[] {
  const laws = DEFAULT_LAWS.filter((id) => {
    const law = getLaw(id);
    try {
      law.prepare(table, law.context(table, lawOptions));
    } catch (error) {
      if (error instanceof InputError) return false;
      throw error;
    }
    // data-constrained equals chinchilla without repetition: only where unique tokens are known.
    if (id !== 'data-constrained') return true;
    for (let i = 0; i < table.rows; i++) if (Number.isFinite(rowUniqueTokens(table, i))) return true;
    return false;
  });
  const policies: string[] = [];
  const seen = new Set<string>();
  for (const policy of DEFAULT_CHECKPOINTS) {
    const key = checkpointMask(table, policy).join('');
    if (seen.has(key)) continue;
    seen.add(key);
    policies.push(policy);
  }
  const shares = grouped ? DEFAULT_SHARES : [[]];
  const out: Candidate[] = [];
  for (const law of laws) for (const checkpoints of policies) for (const share of shares) out.push({ law, checkpoints, share });
  return out;
}

/** A `backtest:` block's candidate lists, as a config writes them. */
export interface CandidateSpec {
  candidates?: { law: string; law_options?: Record<string, unknown>; checkpoints?: string; share?: string | string[] | null; fit?: Partial<FitOptions> }[];
  laws?: string[];
  checkpoints?: string[];
  shares?: (string | string[] | null)[];
}

function shareList(value: string | string[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const items = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter((s) => s !== '' && s !== 'none');
  return [...new Set(items)];
}

/**
 * Candidates of a `backtest:` block: its explicit `candidates`, else the product of its `laws`,
 * `checkpoints` and `shares` lists, each defaulting to the documented list.
 */
export function candidatesFrom(spec: CandidateSpec | undefined, table: RunTable, grouped: boolean, lawOptions: LawOptions = {}): Candidate[] {
  if (spec?.candidates) {
    return spec.candidates.map((c) => ({ law: c.law, lawOptions: (c.law_options ?? {}) as LawOptions, checkpoints: c.checkpoints ?? 'all', share: shareList(c.share), ...(c.fit ? { fit: c.fit } : {}) }));
  }
  const defaults = defaultCandidates(table, grouped, lawOptions);
  const laws = spec?.laws ?? [...new Set(defaults.map((c) => c.law))];
  const policies = spec?.checkpoints ?? [...new Set(defaults.map((c) => c.checkpoints ?? 'all'))];
  const shares = grouped ? (spec?.shares ?? DEFAULT_SHARES).map(shareList) : [[]];
  const out: Candidate[] = [];
  for (const law of laws) for (const checkpoints of policies) for (const share of shares) out.push({ law, checkpoints, share });
  return out;
}

/** Rows a hold-out trains on and the final-checkpoint rows it scores. */
export function backtestSplit(table: RunTable, holdout: HoldoutKind, fraction: number): { train: number[]; score: number[] } {
  const finals = finalTokens(table);
  const isFinal = (i: number) => table.tokens[i] >= finals.get(table.runId[i])!;
  const pick = (values: number[], what: string) => {
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    if (distinct.length < 2) throw new InputError(`backtest ${holdout}: the data has ${distinct.length} distinct ${what}, so nothing would be left to fit`);
    const count = Math.min(distinct.length - 1, Math.max(1, Math.round(fraction * distinct.length)));
    return distinct[distinct.length - count];
  };
  const train: number[] = [];
  const score: number[] = [];
  if (holdout === 'top-params') {
    const threshold = pick([...table.params], 'model sizes');
    for (let i = 0; i < table.rows; i++) {
      if (table.params[i] < threshold) train.push(i);
      else if (isFinal(i)) score.push(i);
    }
  } else {
    const threshold = pick([...finals.values()], 'final token budgets');
    for (let i = 0; i < table.rows; i++) {
      if (table.tokens[i] < threshold) train.push(i);
      if (finals.get(table.runId[i])! >= threshold && isFinal(i)) score.push(i);
    }
  }
  return { train, score };
}

/** The predicted losses and 95 % intervals of `rows` under an artifact (only the groups it has). */
function scoreRows(artifact: CoefficientArtifact, draws: BootstrapDraws | null, table: RunTable, rows: number[]) {
  let usable = rows;
  if (artifact.groups && artifact.group_by === 'eval_lang') usable = rows.filter((i) => artifact.groups![table.evalLang[i]] !== undefined);
  const sub = subsetTable(table, usable);
  const intervals = predictionIntervals(artifact, sub, draws);
  return { observed: sub.loss, intervals };
}

/** Fit one candidate on a hold-out's training rows and score it. */
export async function backtestOne(request: BacktestRequest, candidate: Candidate, holdout: HoldoutKind): Promise<{ score: BacktestScore; artifact?: CoefficientArtifact }> {
  const table = request.table;
  const { train, score } = backtestSplit(table, holdout, request.fraction ?? 0.2);
  // Checkpoint policies measure against each run's full length, also for runs that top-tokens
  // cuts short (their budget is known before they finish; their losses are not): `final` then
  // keeps no row of a cut run.
  const trainTable = subsetTable(table, train);
  const base: BacktestScore = { holdout, trainRows: train.length, scoredRows: score.length, mape: null, rmse: null, r2: null, coverage95: null };
  try {
    const { artifact, draws } = await runFit({
      table: trainTable,
      law: candidate.law,
      lawOptions: { ...(request.lawOptions ?? {}), ...(candidate.lawOptions ?? {}) },
      fit: { bootstrap: 0, ...(request.fit ?? {}), ...(candidate.fit ?? {}), checkpoints: candidate.checkpoints ?? 'all' },
      groupBy: request.groupBy ?? null,
      runFinals: finalTokens(table),
      share: request.groupBy ? candidate.share ?? [] : [],
    });
    const { observed, intervals } = scoreRows(artifact, draws, table, score);
    const m = lossMetrics(observed, intervals.predicted);
    const { coverage95 } = intervalMetrics(observed, intervals);
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    return { score: { ...base, scoredRows: m.rows, mape: m.mape, rmse: m.rmse, r2: finite(m.r2), coverage95: finite(coverage95) }, artifact };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { score: { ...base, error: error.message } };
  }
}

/**
 * Run every candidate on every hold-out.
 * @example const { rows, best } = await runBacktest({ table, groupBy: 'eval_lang' })
 */
export async function runBacktest(request: BacktestRequest): Promise<BacktestResult> {
  const table = request.table;
  if (table.rows === 0) throw new InputError('backtest: no data rows');
  const holdouts = request.holdouts ?? ['top-params', 'top-tokens'];
  const fraction = request.fraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1)) throw new InputError(`backtest: fraction must lie in (0, 1), got ${fraction}`);
  for (const h of holdouts) backtestSplit(table, h, fraction);
  const candidates = request.candidates ?? defaultCandidates(table, Boolean(request.groupBy), request.lawOptions);
  if (candidates.length === 0) throw new InputError('backtest: no candidates (no law can use these rows)');
  const rows: BacktestRow[] = [];
  for (const candidate of candidates) {
    getLaw(candidate.law);
    const share = request.groupBy ? candidate.share ?? [] : [];
    const checkpoints = checkpointLabel(parseCheckpointPolicy(candidate.checkpoints ?? 'all'));
    const scores: BacktestScore[] = [];
    for (const holdout of holdouts) scores.push((await backtestOne(request, { ...candidate, share, checkpoints }, holdout)).score);
    const ok = scores.every((s) => s.mape !== null);
    const row: BacktestRow = {
      candidate: candidateLabel({ ...candidate, share, checkpoints }, Boolean(request.groupBy)),
      law: candidate.law,
      lawOptions: candidate.lawOptions ?? {},
      checkpoints,
      share,
      scores,
      meanMape: ok ? scores.reduce((sum, s) => sum + s.mape!, 0) / scores.length : null,
    };
    rows.push(row);
    request.onFit?.(row);
  }
  let best: BacktestRow | null = null;
  for (const row of rows) if (row.meanMape !== null && (best === null || row.meanMape < best.meanMape!)) best = row;
  return { rows, best, holdouts, fraction, groupBy: request.groupBy ?? null };
}

/** The table as CSV: one line per candidate and hold-out. */
export function backtestCsv(result: BacktestResult): string {
  const lines = ['candidate,law,law_options,checkpoints,share,holdout,train_rows,scored_rows,mape,rmse,r2,coverage95,mean_mape,best,error'];
  const field = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const n = (v: number | null) => (v === null ? '' : String(v));
  for (const row of result.rows) {
    for (const s of row.scores) {
      lines.push([
        field(row.candidate), row.law, field(JSON.stringify(row.lawOptions)), field(row.checkpoints), field(row.share.join(',')), s.holdout,
        s.trainRows, s.scoredRows, n(s.mape), n(s.rmse), n(s.r2), n(s.coverage95), n(row.meanMape), row === result.best ? 1 : 0, field(s.error ?? ''),
      ].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The table as Markdown, best first. */
export function backtestMarkdown(result: BacktestResult): string {
  const f = (v: number | null, digits: number) => (v === null ? '—' : v.toFixed(digits));
  const header = ['candidate', ...result.holdouts.flatMap((h) => [`${h} MAPE %`, 'RMSE', 'R²', 'cov95']), 'mean MAPE %'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, k) => (k === 0 ? '---' : '---:')).join('|')}|`];
  const sorted = [...result.rows].sort((a, b) => (a.meanMape ?? Infinity) - (b.meanMape ?? Infinity));
  for (const row of sorted) {
    const cells = row.scores.flatMap((s) => (s.error ? ['failed', '', '', ''] : [f(s.mape, 2), f(s.rmse, 4), f(s.r2, 3), f(s.coverage95, 2)]));
    lines.push(`| ${row === result.best ? `**${row.candidate}**` : row.candidate} | ${cells.join(' | ')} | ${f(row.meanMape, 2)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** A backtest.json written by `atlas backtest --out DIR`. */
export function readBacktest(path: string): BacktestResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path}: cannot read a backtest: ${(error as Error).message}`);
  }
  const result = parsed as BacktestResult;
  if (!result || !Array.isArray(result.rows) || !Array.isArray(result.holdouts)) throw new InputError(`${path}:1: not a backtest.json (expected rows and holdouts); write one with atlas backtest --out DIR`);
  return result;
}
