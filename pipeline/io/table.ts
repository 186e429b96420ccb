/**
 * Operations on RunTables that every stage shares: row subsets, run indices, data hashes.
 */
import { createHash } from 'node:crypto';
import type { RunTable } from './types.ts';

/** A RunTable holding `indices` of `table`, in that order (rows may repeat). */
export function subsetTable(table: RunTable, indices: ArrayLike<number>): RunTable {
  const n = indices.length;
  const pick = <T>(column: T[]): T[] => Array.from({ length: n }, (_, k) => column[indices[k]]);
  const pickF = (column: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = column[indices[k]];
    return out;
  };
  const pickI = (column: Int32Array): Int32Array => {
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) out[k] = column[indices[k]];
    return out;
  };
  return {
    rows: n,
    runId: pick(table.runId),
    params: pickF(table.params),
    tokens: pickF(table.tokens),
    loss: pickF(table.loss),
    evalLang: pick(table.evalLang),
    mixture: pick(table.mixture),
    uniqueTokens: pick(table.uniqueTokens),
    kind: pick(table.kind),
    baseRun: pick(table.baseRun),
    baseTokens: pickF(table.baseTokens),
    step: pickF(table.step),
    seed: pick(table.seed),
    flops: pickF(table.flops),
    split: pick(table.split),
    line: pickI(table.line),
    source: pickI(table.source),
    sources: table.sources,
    languages: table.languages,
  };
}

/** Run index (0..runs−1, in order of first appearance) of every row, and the number of runs. */
export function runIndex(table: RunTable): { index: Int32Array; runs: number } {
  const ids = new Map<string, number>();
  const index = new Int32Array(table.rows);
  for (let i = 0; i < table.rows; i++) {
    let id = ids.get(table.runId[i]);
    if (id === undefined) {
      id = ids.size;
      ids.set(table.runId[i], id);
    }
    index[i] = id;
  }
  return { index, runs: ids.size };
}

/** Row indices grouped by a key, groups in sorted key order. */
export function groupRows(table: RunTable, key: (i: number) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < table.rows; i++) {
    const k = key(i);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(i);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** sha256 identifying a table's data: the file's own hash for one file, else a hash of the files' hashes. */
export function dataSha256(table: RunTable): string {
  if (table.sources.length === 1) return table.sources[0].sha256;
  const hash = createHash('sha256');
  for (const source of table.sources) hash.update(`${source.sha256}  ${source.path}\n`);
  return hash.digest('hex');
}

/** "FILE:LINE" of row i, for messages. */
export function rowLocation(table: RunTable, i: number): string {
  return `${table.sources[table.source[i]]?.path ?? 'data'}:${table.line[i]}`;
}
