/**
 * Duplicate rows of a run table: rows with the same (run_id, tokens, eval_lang). Identical losses
 * collapse into the first row; different losses are problems naming both lines.
 */
import type { SourceFile } from '../io/types.ts';
import type { Problems } from './problems.ts';

/** The columns the duplicate check reads, one entry per stored row. */
export interface DuplicateColumns {
  tokens: Float64Array;
  loss: Float64Array;
  runIndex: Int32Array;
  langIndex: Int32Array;
  line: Int32Array;
  source: Int32Array;
}

/** Names behind the indices, the files behind `source`, and where problems go. */
export interface DuplicateContext {
  runs: readonly string[];
  evalLangs: readonly string[];
  sources: readonly SourceFile[];
  problems: Problems;
}

/**
 * Duplicates of (run_id, tokens, eval_lang): identical losses collapse into the first row,
 * different losses are problems. Returns the keep mask (null when every row stays).
 */
export function findDuplicates(c: DuplicateColumns, table: DuplicateContext): { keep: Uint8Array | null; collapsed: number } {
  const { tokens, loss, runIndex, langIndex, line, source } = c;
  const n = tokens.length;
  const runCount = table.runs.length;
  // Counting sort by run, then sort each run's rows by (language, tokens, row).
  const start = new Int32Array(runCount + 1);
  for (let i = 0; i < n; i++) start[runIndex[i] + 1]++;
  for (let r = 0; r < runCount; r++) start[r + 1] += start[r];
  const fill = start.slice(0, runCount);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[runIndex[i]]++] = i;
  let keep: Uint8Array | null = null;
  let collapsed = 0;
  const cmp = (a: number, b: number): number => langIndex[a] - langIndex[b] || tokens[a] - tokens[b] || a - b;
  for (let r = 0; r < runCount; r++) {
    const lo = start[r];
    const hi = start[r + 1];
    if (hi - lo < 2) continue;
    const slice = order.subarray(lo, hi);
    slice.sort(cmp);
    let first = slice[0];
    for (let k = 1; k < slice.length; k++) {
      const i = slice[k];
      if (langIndex[i] !== langIndex[first] || tokens[i] !== tokens[first]) { first = i; continue; }
      if (!keep) keep = new Uint8Array(n).fill(1);
      if (loss[i] === loss[first]) {
        keep[i] = 0;
        collapsed++;
      } else {
        const file = table.sources[source[i]].path;
        const firstFile = table.sources[source[first]].path;
        const where = firstFile === file ? `line ${line[first]}` : `${firstFile}:${line[first]}`;
        table.problems.at(file, line[i], 'loss',
          `duplicate of ${where} (run_id ${table.runs[runIndex[i]]}, tokens ${tokens[i]}, eval_lang ${table.evalLangs[langIndex[i]]}) with a different loss (${loss[first]} there, ${loss[i]} here)`);
      }
    }
  }
  return { keep, collapsed };
}
