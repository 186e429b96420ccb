/**
 * The Finetuning Adaptation Score (ATLAS §5): how much a finetune from a source-language base
 * saves over training on the target from scratch, per (source, target) pair.
 */
import { type RunTable } from '../io/types.ts';
import { trapezoidMean } from './curve.ts';
import { collectRuns, type RunRows } from './runs.ts';
export interface FasScore {
  target: string;
  source: string;
  fas: number;
  /** δ_{s→t} = L_{s→t}(d_max) − L_t^base: final loss change on t (negative = better). */
  delta: number;
  d_max: number;
  /** Checkpoints on t used by the trapezoid (d = 0 included). */
  checkpoints: number;
  base_loss: number;
  final_loss: number;
  runs: string[];
}

/** Finetuning Adaptation Scores of every finetune run in the table (grouped by source and target). */
export function computeFas(table: RunTable, runs: RunRows[] = collectRuns(table), notes: string[] = []): FasScore[] {
  const byId = new Map(runs.map((r) => [r.id, r]));
  interface Acc { fas: number[]; delta: number[]; dMax: number[]; checkpoints: number[]; base: number[]; final: number[]; runs: string[] }
  const groups = new Map<string, Acc>();
  const order: string[] = [];
  for (const run of runs) {
    if (run.kind !== 'finetune') continue;
    if (run.mixture.langs.length !== 1) {
      notes.push(`finetune ${run.id}: mixture has ${run.mixture.langs.length} languages; FAS needs a single source language`);
      continue;
    }
    const source = run.mixture.langs[0];
    const base = run.baseRun ? byId.get(run.baseRun) : undefined;
    if (!base) {
      notes.push(`finetune ${run.id}: base run ${run.baseRun ?? '(none)'} not in the data; no FAS`);
      continue;
    }
    let start = run.baseTokens;
    if (!Number.isFinite(start)) {
      start = base.maxTokens;
      notes.push(`finetune ${run.id}: no base_tokens; assumed the base run's last checkpoint (${start})`);
    }
    // Tokens counted from the base run's start (cumulative) or from the finetune's own start.
    const offset = run.minTokens >= start ? start : 0;
    for (const [target, rows] of run.byLang) {
      const baseRows = base.byLang.get(target);
      if (!baseRows) continue;
      const baseLoss = lossOfRun(table, baseRows, start);
      if (!Number.isFinite(baseLoss)) continue;
      const pts = new Map<number, number[]>();
      for (const i of rows) {
        const d = table.tokens[i] - offset;
        if (d < 0) continue;
        let list = pts.get(d);
        if (!list) pts.set(d, (list = []));
        list.push(table.loss[i]);
      }
      if (!pts.has(0)) pts.set(0, [baseLoss]);
      const ds = [...pts.keys()].sort((a, b) => a - b);
      if (ds.length < 2) continue;
      const losses = ds.map((d) => pts.get(d)!.reduce((a, b) => a + b, 0) / pts.get(d)!.length);
      const gain = losses.map((l) => baseLoss - l);
      const key = `${target}<${source}`;
      let acc = groups.get(key);
      if (!acc) {
        groups.set(key, (acc = { fas: [], delta: [], dMax: [], checkpoints: [], base: [], final: [], runs: [] }));
        order.push(key);
      }
      acc.fas.push(trapezoidMean(ds, gain));
      acc.delta.push(losses[losses.length - 1] - baseLoss);
      acc.dMax.push(ds[ds.length - 1]);
      acc.checkpoints.push(ds.length);
      acc.base.push(baseLoss);
      acc.final.push(losses[losses.length - 1]);
      acc.runs.push(run.id);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return order.map((key) => {
    const [target, source] = key.split('<');
    const acc = groups.get(key)!;
    return {
      target, source, fas: mean(acc.fas), delta: mean(acc.delta), d_max: mean(acc.dMax), checkpoints: Math.min(...acc.checkpoints),
      base_loss: mean(acc.base), final_loss: mean(acc.final), runs: acc.runs,
    };
  });
}

/** A run's loss at exactly `tokens` (mean over duplicates), else log-log interpolation inside its range. */
function lossOfRun(table: RunTable, rows: number[], tokens: number): number {
  const exact = rows.filter((i) => Math.abs(table.tokens[i] - tokens) <= 1e-9 * Math.max(1, tokens));
  if (exact.length > 0) return exact.reduce((a, i) => a + table.loss[i], 0) / exact.length;
  const pts = rows.filter((i) => table.tokens[i] > 0).sort((a, b) => table.tokens[a] - table.tokens[b]);
  for (let k = 1; k < pts.length; k++) {
    const a = pts[k - 1];
    const b = pts[k];
    if (table.tokens[a] <= tokens && tokens <= table.tokens[b]) {
      const w = (Math.log(tokens) - Math.log(table.tokens[a])) / (Math.log(table.tokens[b]) - Math.log(table.tokens[a]));
      return Math.exp(Math.log(table.loss[a]) + w * (Math.log(table.loss[b]) - Math.log(table.loss[a])));
    }
  }
  return Number.NaN;
}
