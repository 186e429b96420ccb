/**
 * Checks across the rows of a run: one run has one model size (every row of a run_id gives the
 * same params; the first conflicting row of each run is reported), and a base_run names a run of
 * the data.
 */
import type { SourceFile } from '../io/types.ts';
import { showCell } from './expressions.ts';
import type { Problems } from './problems.ts';

export interface RunCheckColumns {
  params: Float64Array;
  /** Index into `baseRuns`, −1 for none. */
  baseRunIndex: Int32Array;
  runIndex: Int32Array;
  line: Int32Array;
  source: Int32Array;
}

export interface RunCheckContext {
  runs: readonly string[];
  baseRuns: readonly string[];
  sources: readonly SourceFile[];
  problems: Problems;
}

/** Report conflicting params per run and dangling base_run values (`FILE:LINE: column:`). */
export function checkRuns(c: RunCheckColumns, table: RunCheckContext): void {
  const { params, baseRunIndex, runIndex, line, source } = c;
  const firstRow = new Int32Array(table.runs.length).fill(-1);
  const reported = new Uint8Array(table.runs.length);
  const runNames = new Set(table.runs);
  const danglingSeen = new Set<number>();
  const where = (i: number, j: number) => (source[i] === source[j] ? `line ${line[j]}` : `${table.sources[source[j]].path}:${line[j]}`);
  for (let i = 0; i < params.length; i++) {
    const r = runIndex[i];
    const first = firstRow[r];
    if (first < 0) firstRow[r] = i;
    else if (params[i] !== params[first] && !reported[r]) {
      reported[r] = 1;
      table.problems.at(table.sources[source[i]].path, line[i], 'params',
        `run ${showCell(table.runs[r])} has params ${params[first]} on ${where(i, first)} and ${params[i]} here; one run has one model size (give the runs different run_id values)`);
    }
    const b = baseRunIndex[i];
    if (b >= 0 && !danglingSeen.has(b) && !runNames.has(table.baseRuns[b])) {
      danglingSeen.add(b);
      table.problems.at(table.sources[source[i]].path, line[i], 'base_run',
        `${showCell(table.baseRuns[b])} names no run in the data (a finetune's base_run must be the run_id of a run in the logs, or empty)`);
    }
  }
}
