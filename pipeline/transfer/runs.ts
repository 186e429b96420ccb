/**
 * The runs a transfer score reads: mono and bilingual runs of one model size grouped from the run
 * table, their loss curves on one evaluation language, pooled over seeds and redrawn for the
 * bootstrap.
 */
import { Random } from '../fitting/random.ts';
import { type Mixture, type RunTable } from '../io/types.ts';
import { lossAt, monotoneCurve, type Curve } from './curve.ts';

export interface RunRows {
  id: string;
  mixture: Mixture;
  params: number;
  kind: 'pretrain' | 'finetune';
  baseRun: string | null;
  baseTokens: number;
  /** eval language → row indices */
  byLang: Map<string, number[]>;
  minTokens: number;
  maxTokens: number;
}

export interface CurveData {
  runs: { tokens: Float64Array; loss: Float64Array }[];
  ids: string[];
}

export const MIX_TOL = 1e-3;

export function sameSize(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
}

export function collectRuns(table: RunTable): RunRows[] {
  const map = new Map<string, RunRows>();
  const list: RunRows[] = [];
  for (let i = 0; i < table.rows; i++) {
    const id = table.runId[i];
    let run = map.get(id);
    if (!run) {
      run = {
        id, mixture: table.mixture[i], params: table.params[i], kind: table.kind[i], baseRun: table.baseRun[i],
        baseTokens: table.baseTokens[i], byLang: new Map(), minTokens: Infinity, maxTokens: -Infinity,
      };
      map.set(id, run);
      list.push(run);
    }
    let rows = run.byLang.get(table.evalLang[i]);
    if (!rows) run.byLang.set(table.evalLang[i], (rows = []));
    rows.push(i);
    run.minTokens = Math.min(run.minTokens, table.tokens[i]);
    run.maxTokens = Math.max(run.maxTokens, table.tokens[i]);
  }
  return list;
}

export function isMono(run: RunRows): boolean {
  return run.kind === 'pretrain' && run.mixture.langs.length === 1;
}

export function isBilingual(run: RunRows): boolean {
  return run.kind === 'pretrain' && run.mixture.langs.length === 2
    && Math.abs(run.mixture.weights[0] - 0.5) <= MIX_TOL && Math.abs(run.mixture.weights[1] - 0.5) <= MIX_TOL;
}

export function curveData(table: RunTable, runs: RunRows[], lang: string): CurveData {
  const out: CurveData = { runs: [], ids: [] };
  for (const run of runs) {
    const rows = run.byLang.get(lang);
    if (!rows || rows.length === 0) continue;
    out.runs.push({ tokens: Float64Array.from(rows, (i) => table.tokens[i]), loss: Float64Array.from(rows, (i) => table.loss[i]) });
    out.ids.push(run.id);
  }
  return out;
}

/**
 * One curve from several runs (seeds, or repeated runs of one mixture): each run's monotone curve
 * is interpolated onto the union of their checkpoints inside the range they share, and ln loss is
 * averaged. Runs whose ranges do not overlap are pooled checkpoint by checkpoint instead.
 */
export function pooled(runs: CurveData['runs']): Curve {
  if (runs.length === 1) return monotoneCurve(runs[0].tokens, runs[0].loss);
  const curves = runs.map((r) => monotoneCurve(r.tokens, r.loss)).filter((c) => c.x.length > 0);
  let lo = -Infinity;
  let hi = Infinity;
  for (const c of curves) {
    lo = Math.max(lo, c.x[0]);
    hi = Math.min(hi, c.x[c.x.length - 1]);
  }
  if (curves.length === 0 || !(lo <= hi)) {
    let n = 0;
    for (const r of runs) n += r.tokens.length;
    const tokens = new Float64Array(n);
    const loss = new Float64Array(n);
    let k = 0;
    for (const r of runs) {
      tokens.set(r.tokens, k);
      loss.set(r.loss, k);
      k += r.tokens.length;
    }
    return monotoneCurve(tokens, loss);
  }
  const grid = [...new Set(curves.flatMap((c) => Array.from(c.x).filter((x) => x >= lo && x <= hi)))].sort((a, b) => a - b);
  const y = grid.map((x) => curves.reduce((sum, c) => sum + lossAt(c, x).value, 0) / curves.length);
  for (let i = 1; i < y.length; i++) y[i] = Math.min(y[i], y[i - 1]);
  return { x: Float64Array.from(grid), y: Float64Array.from(y) };
}

/** Point-estimate curve (rng null) or one bootstrap draw of it. */
export function drawCurve(data: CurveData, rng: Random | null): Curve {
  if (rng === null) return pooled(data.runs);
  if (data.runs.length >= 2) {
    const pick = data.runs.map(() => data.runs[rng.int(data.runs.length)]);
    return pooled(pick);
  }
  const base = monotoneCurveInputs(data.runs[0]);
  const n = base.tokens.length;
  if (n <= 2) return monotoneCurve(base.tokens, base.loss);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  for (let i = 0; i < n - 2; i++) keep[1 + rng.int(n - 2)] = 1;
  const tokens: number[] = [];
  const loss: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) { tokens.push(base.tokens[i]); loss.push(base.loss[i]); }
  return monotoneCurve(tokens, loss);
}

/** Checkpoints with tokens > 0, sorted by tokens (duplicates kept). */
export function monotoneCurveInputs(run: { tokens: Float64Array; loss: Float64Array }): { tokens: number[]; loss: number[] } {
  const idx: number[] = [];
  for (let i = 0; i < run.tokens.length; i++) if (run.tokens[i] > 0) idx.push(i);
  idx.sort((a, b) => run.tokens[a] - run.tokens[b]);
  return { tokens: idx.map((i) => run.tokens[i]), loss: idx.map((i) => run.loss[i]) };
}
