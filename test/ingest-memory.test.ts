/**
 * What an ingested table keeps in memory. Fields cut from a read chunk share the chunk's memory
 * in V8 (a substring keeps its parent alive), so a table that stored them as they were cut would
 * hold on to most of the file; the table's strings must be copies, and its columns exactly as
 * long as the table.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles, ingestText } from '../pipeline/ingest/ingest.ts';

const tmp = mkdtempSync(join(tmpdir(), 'atlas-ingest-memory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

function heapUsed(): number {
  gc();
  gc();
  return getHeapStatistics().used_heap_size;
}

/**
 * Write a log of `runs` runs with long ids (longer than V8 copies when cutting a substring) and a
 * padding column, so that every 1 MB read chunk holds the first rows of some run. Written run by
 * run, so that no copy of the text is left on the heap.
 */
function writeLog(path: string, runs: number, rowsPerRun: number): void {
  const pad = 'x'.repeat(400);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, 'run_id,params,tokens,loss,eval_lang,mixture,unique_tokens,kind,base_run,seed,notes\n');
    for (let r = 0; r < runs; r++) {
      const run = `experiment-run-${String(r).padStart(6, '0')}`;
      let text = '';
      for (let k = 1; k <= rowsPerRun; k++) {
        text += `${run},${1e8 + r},${k * 1e9},${(3 + 1 / k).toFixed(6)},en,en:1,en:${1e12 + r},finetune,experiment-run-${String((r + runs - 1) % runs).padStart(6, '0')},seed-number-${r % 3},${pad}\n`;
      }
      writeSync(fd, text);
    }
  } finally {
    closeSync(fd);
  }
}

describe('ingest memory', () => {
  it('keeps no read chunk alive: retained heap stays near the size of the table', async () => {
    const runs = 600;
    const rowsPerRun = 80;
    const path = join(tmp, 'long.csv');
    writeLog(path, runs, rowsPerRun); // ≈ 22 MB, 48,000 rows
    const before = heapUsed();
    const table = await ingestFiles([path]);
    const retained = heapUsed() - before;
    expect(table.rows).toBe(runs * rowsPerRun);
    expect(table.runId[0]).toBe('experiment-run-000000');
    // Each run's base is the run before it (the first run's, the last run): a base_run must name a run.
    expect(table.baseRun[table.rows - 1]).toBe(`experiment-run-${String(runs - 2).padStart(6, '0')}`);
    // Eight arrays of references (8 bytes a row) plus the distinct strings and unique-token maps:
    // about 4 MB. Keeping the chunks the strings were cut from would add about 22 MB.
    expect(retained).toBeLessThan(10 * 2 ** 20);
  });

  it('builds every column at exactly the row count, also after collapsing duplicates', async () => {
    const text = 'run_id,params,tokens,loss,seed\n'
      + Array.from({ length: 3000 }, (_, i) => `r${(i % 2500) % 7},1e8,${1e9 * (1 + (i % 2500))},${3 + (i % 2500) / 1e4},s${i % 2}`).join('\n');
    for (const table of [ingestText(text, 'dup.csv'), await ingestFiles([(writeFileSync(join(tmp, 'dup.csv'), text), join(tmp, 'dup.csv'))])]) {
      expect(table.rows).toBe(2500); // rows 2501–3000 repeat rows 1–500
      for (const column of [table.params, table.tokens, table.loss, table.baseTokens, table.step, table.flops, table.line, table.source]) {
        expect(column.length).toBe(table.rows);
        expect(column.buffer.byteLength).toBe(table.rows * column.BYTES_PER_ELEMENT);
      }
      for (const column of [table.runId, table.evalLang, table.mixture, table.uniqueTokens, table.kind, table.baseRun, table.seed, table.split]) {
        expect(column.length).toBe(table.rows);
        expect(Object.keys(column).length).toBe(table.rows);
      }
      expect(table.seed.slice(0, 3)).toEqual(['s0', 's1', 's0']);
      expect(table.baseRun[0]).toBeNull();
      expect(table.split[0]).toBeNull();
      expect(table.kind[0]).toBe('pretrain');
    }
  });
});
