/**
 * Pretrain from scratch or finetune a multilingual checkpoint? (ATLAS §6, Figs. 6–7.)
 *
 * For a language L and a model size N, compare the loss on L of a model trained from scratch on L
 * alone with that of a finetune that continues a multilingual base checkpoint on L alone. The
 * finetune starts far ahead; the scratch run learns faster and eventually overtakes it. The
 * *crossover* is the first token count at which the scratch curve reaches the finetune curve.
 *
 * What "tokens" means (option `finetuneTokens`):
 * - `target` (default, the paper's reading): every curve is plotted against the target-language
 *   training tokens the model has seen in total. For a scratch run that is its tokens; for a
 *   finetune it is the base's L tokens at the start (base mixture weight of L × `base_tokens`)
 *   plus the finetune's own tokens. A finetune thus gets no credit for the base's other-language
 *   tokens, and the crossover is where the two models have seen equally many L tokens.
 * - `since-start`: the finetune's tokens since the start of the finetune (the base's L tokens
 *   are not counted), i.e. the budget one still has to spend on L.
 * Both values are reported; the option picks the one used for the crossover compute fit.
 *
 * Curves: loss vs tokens of each run, restricted to evaluation on L and tokens > 0, interpolated
 * in (ln tokens, ln loss) by the monotone piecewise-cubic Hermite interpolant of Fritsch & Carlson
 * (1980) (scipy's PchipInterpolator): it passes through every checkpoint, never overshoots
 * between them, and keeps each monotone stretch monotone, so a finetune that starts overfitting
 * keeps its upturn. Several runs of one kind (seeds) are averaged in ln loss on their common
 * token range. Nothing is extrapolated: the crossover is searched on the token range both curves
 * cover. When the scratch curve is still above at its end the crossover is right-censored
 * (`status: after`, reported bound = end of the common range); when it is already at or below
 * at the start, left-censored (`status: before`, bound = start of the range).
 *
 * Crossover compute: C = 6·N·D at the crossover (D = the scratch run's tokens there), and the
 * power law C(N) = a·N^b fitted by least squares of ln C on ln N over the uncensored crossovers,
 * with Student-t 95 % intervals on ln a and b (and on a predicted crossover at any N).
 */
import { InputError, type RunTable } from '../io/types.ts';
import { findCrossover, mergeCurves, type CrossoverStatus, type Curve } from './curves.ts';
import { fitCrossoverLaw, type CrossoverFit } from './power_law.ts';

export { pchip, pchipSlopes, mergeCurves, findCrossover, type Curve, type CrossoverStatus } from './curves.ts';
export { fitCrossoverLaw, predictCrossoverTokens, incompleteBeta, studentTCdf, studentTQuantile, type CrossoverFit } from './power_law.ts';

/** Token axis of the finetune curve (see the module comment). */
export type FinetuneTokens = 'target' | 'since-start';

export interface CrossoverOptions {
  /** @default 'target' */
  finetuneTokens?: FinetuneTokens;
  /** Hold the exponent b of C(N) = a·N^b at this value and fit a only (e.g. with a single model size). */
  fixedExponent?: number | null;
  /** Only these languages (default: every language that has both a finetune and a scratch run). */
  languages?: string[] | null;
}


export interface CrossoverPoint {
  lang: string;
  params: number;
  finetuneRuns: string[];
  scratchRuns: string[];
  baseRun: string | null;
  /** L tokens of the base at the start of the finetune (NaN when unknown). */
  baseTargetTokens: number;
  status: CrossoverStatus;
  /** Crossover tokens on the chosen axis; for censored points the bound (end or start of the range). */
  tokens: number;
  /** 6·N·tokens. */
  compute: number;
  /** Loss of both curves at the crossover (or of the scratch curve at the bound). */
  loss: number;
  /** Loss of the finetune curve at the same tokens (equal to `loss` when crossed). */
  finetuneLoss: number;
  /** Token range both curves cover on the chosen axis. */
  range: [number, number];
  /** The same crossover on the other token axis (null when it cannot be computed). */
  other: { axis: FinetuneTokens; status: CrossoverStatus; tokens: number } | null;
}


export interface CrossoverResult {
  schema: 'atlas.crossover/1';
  finetuneTokens: FinetuneTokens;
  points: CrossoverPoint[];
  fit: CrossoverFit | null;
  /** Why there is no fit, or remarks (censored points left out, …). */
  notes: string[];
}

// ----------------------------------------------------------------------------------------------
// From a run table

interface RunInfo {
  id: string;
  lang: string;
  params: number;
  finetune: boolean;
  baseRun: string | null;
  baseTokens: number;
  /** Rows evaluated on the run's language. */
  rows: number[];
}

/** Weight of `lang` in the mixture of run `id` (first row of the run), or NaN. */
function runWeight(table: RunTable, firstRow: Map<string, number>, id: string, lang: string): number {
  const i = firstRow.get(id);
  if (i === undefined) return NaN;
  const m = table.mixture[i];
  const k = m.langs.indexOf(lang);
  return k < 0 ? 0 : m.weights[k];
}

function curveOf(table: RunTable, rows: number[], where: string, keepZero = false, subtract = 0): Curve {
  const pairs = rows.map((i) => [table.tokens[i] - subtract, table.loss[i]] as const).filter(([t]) => t > 0 || (keepZero && t === 0)).sort((a, b) => a[0] - b[0]);
  const tokens: number[] = [];
  const loss: number[] = [];
  for (const [t, l] of pairs) {
    if (tokens.length && tokens[tokens.length - 1] === t) continue;
    tokens.push(t);
    loss.push(l);
  }
  if (tokens.filter((t) => t > 0).length < 2) throw new InputError(`${where}: fewer than 2 checkpoints with tokens > 0 on its language; a crossover needs a curve`);
  return { tokens: Float64Array.from(tokens), loss: Float64Array.from(loss) };
}

/**
 * What to subtract from a finetune's `tokens` to count tokens since the finetune's start:
 * `base_tokens` when every checkpoint is at or past it (the count includes the base run, as
 * SPEC §1 defines `tokens`), else 0 (the log restarts the count at the finetune).
 */
export function sinceStartOffset(table: RunTable, run: { rows: number[]; baseTokens: number }): number {
  if (!(run.baseTokens > 0)) return 0;
  return run.rows.every((i) => table.tokens[i] >= run.baseTokens) ? run.baseTokens : 0;
}

/** The curve on the `target` axis (shifted by the base's L tokens; the finetune's start is a point) or `since-start` (tokens > 0 only). */
function onAxis(curve: Curve, which: FinetuneTokens, shift: number): Curve {
  const offset = which === 'target' ? shift : 0;
  const keep = [...curve.tokens.keys()].filter((k) => curve.tokens[k] + offset > 0 && (which === 'target' || curve.tokens[k] > 0));
  return { tokens: Float64Array.from(keep, (k) => curve.tokens[k] + offset), loss: Float64Array.from(keep, (k) => curve.loss[k]) };
}

/**
 * Every (language, size) with both finetune and from-scratch runs, their crossover and the C(N)
 * fit. Finetunes are rows with kind `finetune` (or a `base_run`) on a single-language mixture,
 * evaluated on that language; scratch runs are pretraining runs on the same single language at
 * the same N.
 */
export function computeCrossovers(table: RunTable, options: CrossoverOptions = {}): CrossoverResult {
  const axis: FinetuneTokens = options.finetuneTokens ?? 'target';
  if (axis !== 'target' && axis !== 'since-start') throw new InputError(`--finetune-tokens: expected target or since-start, got "${String(axis)}"`);
  const firstRow = new Map<string, number>();
  const runs = new Map<string, RunInfo>();
  for (let i = 0; i < table.rows; i++) {
    const id = table.runId[i];
    if (!firstRow.has(id)) firstRow.set(id, i);
    const m = table.mixture[i];
    if (m.langs.length !== 1 || table.evalLang[i] !== m.langs[0]) continue;
    let run = runs.get(id);
    if (!run) {
      run = {
        id,
        lang: m.langs[0],
        params: table.params[i],
        finetune: table.kind[i] === 'finetune' || table.baseRun[i] !== null,
        baseRun: table.baseRun[i],
        baseTokens: table.baseTokens[i],
        rows: [],
      };
      runs.set(id, run);
    }
    run.rows.push(i);
  }
  const wanted = options.languages ? new Set(options.languages) : null;
  const groups = new Map<string, { lang: string; params: number; finetune: RunInfo[]; scratch: RunInfo[] }>();
  for (const run of runs.values()) {
    if (wanted && !wanted.has(run.lang)) continue;
    const key = `${run.lang}\u0000${run.params}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { lang: run.lang, params: run.params, finetune: [], scratch: [] }));
    (run.finetune ? g.finetune : g.scratch).push(run);
  }
  const notes: string[] = [];
  const points: CrossoverPoint[] = [];
  const sorted = [...groups.values()].sort((a, b) => (a.lang < b.lang ? -1 : a.lang > b.lang ? 1 : a.params - b.params));
  for (const g of sorted) {
    if (!g.finetune.length) continue;
    if (!g.scratch.length) {
      notes.push(`${g.lang} at N=${g.params}: finetune run(s) ${g.finetune.map((r) => r.id).join(', ')} have no from-scratch run of the same language and size; skipped`);
      continue;
    }
    const source = (run: RunInfo) => `${table.sources[table.source[run.rows[0]]]?.path ?? 'data'}:${table.line[run.rows[0]]}: run ${run.id}`;
    const scratch = mergeCurves(g.scratch.map((r) => curveOf(table, r.rows, source(r))));
    // Base L tokens per finetune: weight of L in the base mixture × base_tokens.
    const baseTarget = g.finetune.map((r) => (r.baseRun !== null && Number.isFinite(r.baseTokens) ? r.baseTokens * runWeight(table, firstRow, r.baseRun, g.lang) : NaN));
    const shiftsKnown = baseTarget.every((v) => Number.isFinite(v));
    if (axis === 'target' && !shiftsKnown) {
      const bad = g.finetune.find((_, k) => !Number.isFinite(baseTarget[k]))!;
      throw new InputError(`${source(bad)}: base_run: the base run "${bad.baseRun ?? ''}" and its base_tokens are needed to count the base's ${g.lang} tokens (include the base run's rows, or use --finetune-tokens since-start)`);
    }
    // SPEC §1 counts a finetune's `tokens` from the start of its base run (cumulative); logs that
    // restart the count at the finetune (every checkpoint below base_tokens) are read as they are.
    const own = g.finetune.map((r) => curveOf(table, r.rows, source(r), true, sinceStartOffset(table, r)));
    const finetuneOn = (which: FinetuneTokens) => mergeCurves(own.map((c, k) => onAxis(c, which, baseTarget[k])));
    const main = findCrossover(scratch, finetuneOn(axis));
    if (!main) {
      notes.push(`${g.lang} at N=${g.params}: the scratch and finetune curves share no token range; skipped`);
      continue;
    }
    const otherAxis: FinetuneTokens = axis === 'target' ? 'since-start' : 'target';
    const alt = otherAxis === 'target' && !shiftsKnown ? null : findCrossover(scratch, finetuneOn(otherAxis));
    const baseRuns = [...new Set(g.finetune.map((r) => r.baseRun))];
    points.push({
      lang: g.lang,
      params: g.params,
      finetuneRuns: g.finetune.map((r) => r.id),
      scratchRuns: g.scratch.map((r) => r.id),
      baseRun: baseRuns.length === 1 ? baseRuns[0] : baseRuns.join(','),
      baseTargetTokens: baseTarget.reduce((s, v) => s + v, 0) / baseTarget.length,
      status: main.status,
      tokens: main.tokens,
      compute: 6 * g.params * main.tokens,
      loss: main.loss,
      finetuneLoss: main.finetuneLoss,
      range: main.range,
      other: alt ? { axis: otherAxis, status: alt.status, tokens: alt.tokens } : null,
    });
  }
  if (!points.length) throw new InputError('data: no language has both a finetune run and a from-scratch run of the same size on that language alone');
  const crossed = points.filter((p) => p.status === 'crossed');
  const censored = points.length - crossed.length;
  if (censored) notes.push(`${censored} censored crossover(s) (${points.filter((p) => p.status !== 'crossed').map((p) => `${p.lang} ${p.status}`).join(', ')}) are left out of the C(N) fit`);
  const fit = fitCrossoverLaw(crossed, options.fixedExponent ?? null);
  if ('error' in fit) notes.push(`no C(N) fit: ${fit.error}`);
  return { schema: 'atlas.crossover/1', finetuneTokens: axis, points, fit: 'error' in fit ? null : fit, notes };
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : String(v);
}

/** crossover.csv: one row per (language, size). */
export function crossoverCsv(result: CrossoverResult): string {
  const header = ['lang', 'params', 'status', 'crossover_tokens', 'crossover_compute', 'loss', 'finetune_loss', 'range_low', 'range_high', 'token_axis',
    'other_axis', 'other_status', 'other_tokens', 'base_run', 'base_target_tokens', 'finetune_runs', 'scratch_runs'];
  const lines = [header.join(',')];
  for (const p of result.points) {
    lines.push([p.lang, fmt(p.params), p.status, fmt(p.tokens), fmt(p.compute), fmt(p.loss), fmt(p.finetuneLoss), fmt(p.range[0]), fmt(p.range[1]), result.finetuneTokens,
      p.other?.axis ?? '', p.other?.status ?? '', fmt(p.other?.tokens), p.baseRun ?? '', fmt(p.baseTargetTokens),
      p.finetuneRuns.join(' '), p.scratchRuns.join(' ')].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Read and check a crossover.json written by `atlas crossover`. */
export function parseCrossoverJson(text: string, path: string): CrossoverResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}:1: not JSON: ${(error as Error).message}`);
  }
  const result = parsed as CrossoverResult;
  if (!result || result.schema !== 'atlas.crossover/1' || !Array.isArray(result.points)) {
    throw new InputError(`${path}:1: schema: expected "atlas.crossover/1" (written by atlas crossover --out DIR)`);
  }
  return result;
}
