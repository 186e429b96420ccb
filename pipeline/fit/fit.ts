/**
 * The fit stage: a RunTable and a law → the coefficient artifact (SPEC §3) and per-row
 * predictions. Pure: no files, no argv; the `fit` command writes what this returns.
 */
import { DRAWS_FILE, type BootstrapDraws, type CoefficientArtifact, type DerivedEntry, type GroupEntry, type Metrics, type ParamEntry } from '../io/artifact.ts';
import { dataRanges, predictionIntervals, residualScatter } from './intervals.ts';
import { csvField, csvLine } from '../io/csv.ts';
import type { LawOptions } from '../laws/law.ts';
import { getLaw } from '../laws/index.ts';
import { fitLaw, predictLoss } from '../fitting/fit.ts';
import type { FitProgress } from '../fitting/progress.ts';
import { resolveFitOptions, type FitOptions } from '../fitting/options.ts';
import type { FitResult } from '../fitting/result.ts';
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';
import { dataSha256, groupRows, runIndex, subsetTable } from '../io/table.ts';
import { heldOutMask } from './holdout.ts';
import { checkpointLabel, checkpointMask, finalTokens, parseCheckpointPolicy } from './checkpoints.ts';
import { lossMetrics } from './metrics.ts';
import { fitShared } from './shared.ts';
import { VERSION } from '../io/version.ts';

export interface FitRequest {
  table: RunTable;
  /** Law id (`--law`). */
  law: string;
  lawOptions?: LawOptions;
  fit?: Partial<FitOptions>;
  /** Hold-out spec (SPEC §2); the `split` column overrides it. */
  holdout?: string | null;
  /** `eval_lang`: one fit per evaluation language. */
  groupBy?: string | null;
  /**
   * Each run's final token count, when `table` holds only part of the runs' checkpoints (a
   * backtest's shorter budgets): checkpoint policies measure against these. Default: the table's.
   */
  runFinals?: Map<string, number>;
  /** With `groupBy`: parameters common to every group in one joint fit (`alpha`, `beta`, `E`). */
  share?: string[];
  configSha256?: string | null;
  /** Progress of the multi-start search and the bootstrap (`group` names the group of a grouped fit). */
  onProgress?: (event: FitProgress & { group?: string }) => void;
}

export interface FitOutput {
  artifact: CoefficientArtifact;
  /** predictions.csv text: one line per row with observed and fitted loss. */
  predictions: string;
  /** The fit of each group (one entry, key '', without grouping). */
  results: Map<string, FitResult>;
  /** Bootstrap draws (bootstrap.csv beside the artifact, which names it), or null without a bootstrap. */
  draws: BootstrapDraws | null;
  /** Wall-clock seconds of the fit (kept out of the artifact). */
  seconds: number;
}

const GROUP_KEYS: Record<string, (table: RunTable, i: number) => string> = {
  eval_lang: (table, i) => table.evalLang[i],
  run_id: (table, i) => table.runId[i],
  kind: (table, i) => table.kind[i],
};

/** A group's rows ready to fit: hold-out and checkpoint masks, the law's context and design. */
function prepareGroup(table: RunTable, request: FitRequest, options: FitOptions) {
  const law = getLaw(request.law);
  const lawOptions = request.lawOptions ?? {};
  const mask = heldOutMask(table, request.holdout ?? 'none');
  const keep = checkpointMask(table, options.checkpoints, request.runFinals ?? finalTokens(table));
  const ctx = law.context(table, lawOptions);
  const design = law.prepare(table, ctx);
  const y = new Float64Array(table.rows);
  const weights = new Float64Array(table.rows);
  // Rows outside the fit: held out (scored below) or removed by the checkpoint policy.
  const out = new Uint8Array(table.rows);
  let dropped = 0;
  for (let i = 0; i < table.rows; i++) {
    y[i] = Math.log(table.loss[i]);
    out[i] = mask[i] || !keep[i] ? 1 : 0;
    if (!mask[i] && !keep[i]) dropped++;
    weights[i] = out[i] ? 0 : 1;
  }
  return { table, law, ctx, design, y, weights, mask, keep, out, dropped };
}

/** A fitted group's predictions and train/hold-out metrics. */
function finishGroup(prepared: ReturnType<typeof prepareGroup>, result: FitResult, request: FitRequest, options: FitOptions) {
  const { table, law, ctx, design, mask, keep, out, dropped } = prepared;
  const predicted = predictLoss(law, ctx, design, result.values);
  const train = lossMetrics(table.loss, predicted, (i) => !out[i]);
  let trainRuns = 0;
  const seen = new Set<string>();
  for (let i = 0; i < table.rows; i++) if (!out[i] && !seen.has(table.runId[i])) { seen.add(table.runId[i]); trainRuns++; }
  const residuals = residualScatter(table.loss, predicted, (i) => !out[i], options.objective === 'lsq-linear' ? 'linear' : 'log');
  const ranges = dataRanges(table, (i) => !out[i]);
  const heldoutRows = mask.reduce((a, b) => a + b, 0);
  const metrics: GroupEntry['metrics'] = { train };
  if (heldoutRows > 0) {
    metrics.heldout = { spec: request.holdout ?? 'split', ...lossMetrics(table.loss, predicted, (i) => mask[i] === 1) };
  }
  return { result, ctx, design, predicted, mask, keep, dropped, metrics, residuals, ranges, trainRows: train.rows, trainRuns };
}

/** One fitted group: the law on the group's rows, with hold-out metrics and predictions. */
async function fitGroup(table: RunTable, request: FitRequest, options: FitOptions, group?: string) {
  const prepared = prepareGroup(table, request, options);
  const { law, ctx, design, y, weights, out } = prepared;
  const { index } = runIndex(table);
  const onProgress = request.onProgress && ((event: FitProgress) => request.onProgress!(group === undefined ? event : { ...event, group }));
  const result = await fitLaw({ law, ctx, design, y, weights, clusters: index, search: searchProblem(table, law, ctx, y, out, options) }, options, onProgress);
  return finishGroup(prepared, result, request, options);
}

/** Training rows above which the multi-start screens its starts on an even subsample. */
export const SEARCH_ROWS = 4096;

/**
 * For logs with more than SEARCH_ROWS training rows and several starts: every k-th training row
 * (in log order, so every run and checkpoint range is represented), on which the multi-start
 * screens its starts before polishing the best optima on all rows.
 */
function searchProblem(table: RunTable, law: ReturnType<typeof getLaw>, ctx: unknown, y: Float64Array, mask: Uint8Array, options: FitOptions) {
  const train: number[] = [];
  for (let i = 0; i < table.rows; i++) if (!mask[i]) train.push(i);
  if (train.length <= SEARCH_ROWS || options.starts === 'init') return undefined;
  const stride = Math.ceil(train.length / SEARCH_ROWS);
  const rows = train.filter((_, k) => k % stride === 0);
  const sub = subsetTable(table, rows);
  return { law, ctx, design: law.prepare(sub, ctx), y: Float64Array.from(rows, (i) => y[i]) };
}

/** Artifact entries of a fit's parameters. */
export function paramEntries(result: FitResult, options: FitOptions): Record<string, ParamEntry> {
  const out: Record<string, ParamEntry> = {};
  for (const e of result.estimates) {
    const spec = e.spec;
    const bound = (v: number) => (Number.isFinite(v) ? (spec.log ? Math.exp(v) : v) : null);
    const entry: ParamEntry = {
      value: e.value,
      vary: e.vary,
      at_bound: e.atBound,
      init: options.init[spec.name] ?? spec.init,
      bounds: [spec.log && spec.lower === -Infinity ? 0 : bound(spec.lower), bound(spec.upper)],
      log_scale: Boolean(spec.log),
    };
    if (e.stderr !== undefined) entry.stderr = e.stderr;
    if (e.ci95 !== undefined) entry.ci95 = e.ci95;
    if (e.stderrAsymptotic !== undefined) entry.stderr_asymptotic = e.stderrAsymptotic;
    if (e.vary === 'free') entry.not_identified = e.notIdentified ?? false;
    out[e.name] = entry;
  }
  return out;
}

function derivedEntries(result: FitResult): Record<string, DerivedEntry> {
  const out: Record<string, DerivedEntry> = {};
  for (const [name, d] of Object.entries(result.derived)) out[name] = { ...d };
  return out;
}

function fitSection(result: FitResult): CoefficientArtifact['fit'] {
  return {
    starts: result.starts,
    ...(result.searchRows !== undefined ? { search_rows: result.searchRows } : {}),
    converged: result.converged,
    status: result.status,
    message: result.message,
    iterations: result.iterations,
    evaluations: result.evaluations,
    seconds: null,
    optimizer: result.optimizer,
    optima: result.optima.map((o) => ({ objective: o.objective, params: o.values, ...(o.degenerate ? { degenerate: true } : {}) })),
    identifiability: { ratio: result.identifiability.ratio, not_identified: result.identifiability.notIdentified },
  };
}

/** The artifact sections of one fitted group (the whole fit when there are no groups). */
function groupEntry(group: Awaited<ReturnType<typeof fitGroup>>, options: FitOptions): Omit<GroupEntry, 'data'> {
  return {
    params: paramEntries(group.result, options),
    residuals: group.residuals,
    objective: group.result.objective,
    fit: fitSection(group.result),
    metrics: group.metrics,
    derived: derivedEntries(group.result),
    context: group.ctx,
  };
}

/** Options as recorded in the artifact: every default echoed. */
function optionsRecord(options: FitOptions, request: FitRequest): Record<string, unknown> {
  return { ...options, holdout: request.holdout ?? null, group_by: request.groupBy ?? null, ...(request.share?.length ? { share: request.share } : {}) };
}

/**
 * Fit one law (optionally per group) and assemble the artifact.
 * @example const { artifact } = await runFit({ table, law: 'chinchilla', fit: { starts: 'grid' } })
 */
export async function runFit(request: FitRequest): Promise<FitOutput> {
  const law = getLaw(request.law);
  const options = resolveFitOptions(law.defaults, request.fit);
  const policy = checkpointLabel(parseCheckpointPolicy(options.checkpoints));
  options.checkpoints = policy;
  const table = request.table;
  if (table.rows === 0) throw new InputError('fit: no data rows');
  const results = new Map<string, FitResult>();
  // Each group's design, reused for the prediction intervals (building it again is most of their cost on large logs).
  const designs = new Map<string, unknown>();
  const predicted = new Float64Array(table.rows);
  const heldOut = new Uint8Array(table.rows);
  const groupOf: string[] = new Array(table.rows).fill('');
  let artifact: CoefficientArtifact;
  const base = {
    schema: 'atlas.coefficients/1' as const,
    law: law.id,
    law_options: { ...(request.lawOptions ?? {}) },
    data: { rows: table.rows, runs: runIndex(table).runs, sha256: dataSha256(table), files: table.sources.map((s) => s.path) },
    options: optionsRecord(options, request),
    provenance: { version: VERSION, config_sha256: request.configSha256 ?? null, seed: options.seed, created: null },
  };

  if ((request.share ?? []).length > 0 && !request.groupBy) {
    throw new InputError(`--share ${request.share!.join(',')}: shared parameters need groups; add --group-by eval_lang (or drop --share)`);
  }
  if (request.groupBy) {
    const key = GROUP_KEYS[request.groupBy];
    if (!key) throw new InputError(`--group-by: expected one of ${Object.keys(GROUP_KEYS).join(', ')}, got "${request.groupBy}"`);
    const groups: Record<string, GroupEntry> = {};
    let objective = 0;
    let allConverged = true;
    let seconds = 0;
    let iterations = 0;
    let evaluations = 0;
    let starts = 0;
    let dropped = 0;
    const share = request.share ?? [];
    const grouped = [...groupRows(table, (i) => key(table, i))];
    let fitted: { name: string; rows: number[]; sub: RunTable; group: ReturnType<typeof finishGroup> }[];
    if (share.length > 0) {
      const { index: runOf } = runIndex(table);
      const prepared = grouped.map(([name, rows]) => ({ name, rows, prepared: prepareGroup(subsetTable(table, rows), request, options) }));
      const { perGroup } = await fitShared(law, prepared.map(({ name, rows, prepared: p }) => ({
        name, ctx: p.ctx, design: p.design, y: p.y, weights: p.weights, clusters: Int32Array.from(rows, (row) => runOf[row]),
      })), share, options);
      fitted = prepared.map(({ name, rows, prepared: p }, k) => ({ name, rows, sub: p.table, group: finishGroup(p, perGroup[k], request, options) }));
    } else {
      fitted = [];
      for (const [name, rows] of grouped) {
        const sub = subsetTable(table, rows);
        fitted.push({ name, rows, sub, group: await fitGroup(sub, request, options, name) });
      }
    }
    for (const { name, rows, sub, group } of fitted) {
      results.set(name, group.result);
      designs.set(name, group.design);
      rows.forEach((row, k) => {
        predicted[row] = group.predicted[k];
        heldOut[row] = group.mask[k] ? 1 : group.keep[k] ? 0 : 2;
        groupOf[row] = name;
      });
      dropped += group.dropped;
      objective += group.result.objective.value;
      allConverged &&= group.result.converged;
      seconds += group.result.seconds;
      iterations += group.result.iterations;
      evaluations += group.result.evaluations;
      starts += group.result.starts;
      groups[name] = { ...groupEntry(group, options), data: { rows: sub.rows, runs: runIndex(sub).runs, ranges: group.ranges } };
    }
    const first = results.values().next().value as FitResult;
    const train = lossMetrics(table.loss, predicted, (i) => heldOut[i] === 0);
    const metrics: CoefficientArtifact['metrics'] = { train };
    if (heldOut.some((v) => v === 1)) metrics.heldout = { spec: request.holdout ?? 'split', ...lossMetrics(table.loss, predicted, (i) => heldOut[i] === 1) };
    artifact = {
      ...base,
      params: {},
      objective: { ...first.objective, value: objective },
      fit: {
        starts,
        converged: allConverged,
        status: allConverged ? 'converged' : 'some groups did not converge',
        message: `${results.size} groups by ${request.groupBy}`,
        iterations,
        evaluations,
        seconds: null,
        optimizer: first.optimizer,
      },
      metrics,
      derived: {},
      context: null,
      group_by: request.groupBy,
      groups,
      checkpoints: { policy, rows_removed: dropped },
    };
    if (share.length > 0) {
      const firstGroup = Object.values(groups)[0];
      artifact.shared = Object.fromEntries(share.map((name) => [name, firstGroup.params[name]]));
    }
  } else {
    const group = await fitGroup(table, request, options);
    results.set('', group.result);
    designs.set('', group.design);
    predicted.set(group.predicted);
    for (let i = 0; i < table.rows; i++) heldOut[i] = group.mask[i] ? 1 : group.keep[i] ? 0 : 2;
    artifact = { ...base, ...groupEntry(group, options), data: { ...base.data, ranges: group.ranges }, checkpoints: { policy, rows_removed: group.dropped } };
  }
  let draws: BootstrapDraws | null = null;
  if (options.bootstrap > 0) {
    draws = { schema: 'atlas.bootstrap/1', groups: {} };
    for (const [name, result] of results) {
      const columns = result.bootstrap?.draws ?? {};
      const names = Object.keys(columns);
      const count = names.length ? columns[names[0]].length : 0;
      draws.groups[name] = { names, values: Array.from({ length: count }, (_, b) => names.map((n) => columns[n][b])) };
    }
    artifact.bootstrap_draws = { samples: options.bootstrap, seed: options.seed, file: DRAWS_FILE };
  }
  let seconds = 0;
  for (const result of results.values()) seconds += result.seconds;
  const intervals = predictionIntervals(artifact, table, draws, designs);
  return { artifact, predictions: predictionsCsv(table, predicted, heldOut, groupOf, intervals), results, draws, seconds };
}

/**
 * predictions.csv: observed and fitted loss per row, with its split (`train`, `heldout`, or
 * `dropped` for rows the checkpoint policy kept out of the fit) and group, and (when given)
 * the 95 % prediction interval of each row (lo95, hi95; docs/intervals.md).
 */
export function predictionsCsv(table: RunTable, predicted: Float64Array, heldOut: Uint8Array, groupOf: string[], intervals?: { lo: Float64Array; hi: Float64Array }): string {
  const header = csvLine(['run_id', 'params', 'tokens', 'eval_lang', 'step', 'loss', 'predicted', 'residual_log', 'split', 'group', ...(intervals ? ['lo95', 'hi95'] : [])]);
  // One string per row, numbers as csvRows writes them (`${number}`, never quoted): on large logs
  // this is most of the fit stage outside the fit, and an array of cells per row doubles it.
  const lines: string[] = new Array(table.rows);
  // A run's rows share its first cells: those are formatted once per run.
  let run = '';
  let lastRun = -1;
  for (let i = 0; i < table.rows; i++) {
    if (lastRun < 0 || table.runId[i] !== table.runId[lastRun] || table.params[i] !== table.params[lastRun] || table.tokens[i] !== table.tokens[lastRun] || table.evalLang[i] !== table.evalLang[lastRun]) {
      run = `${csvField(table.runId[i])},${table.params[i]},${table.tokens[i]},${csvField(table.evalLang[i])},`;
      lastRun = i;
    }
    const step = table.step[i];
    const loss = table.loss[i];
    const p = predicted[i];
    const split = heldOut[i] === 1 ? 'heldout' : heldOut[i] === 2 ? 'dropped' : 'train';
    let line = `${run}${Number.isNaN(step) ? '' : step},${loss},${p},${Math.log(p) - Math.log(loss)},${split},${csvField(groupOf[i])}`;
    if (intervals) line += `,${intervals.lo[i]},${intervals.hi[i]}`;
    lines[i] = line;
  }
  return table.rows === 0 ? header : `${header}${lines.join('\n')}\n`;
}

export type { Metrics };
