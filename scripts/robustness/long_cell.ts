/**
 * Time to reject a run log whose one cell is 80,000 digits followed by `x` (and the same for
 * 10,000 … 160,000 digits), with the strict number parser against the regular expression it
 * replaced, measured in the same run. Usage: npx tsx scripts/robustness/long_cell.ts
 */
import { performance } from 'node:perf_hooks';
import { ingestText } from '../../pipeline/ingest/ingest.ts';
import { parseStrictNumber } from '../../pipeline/ingest/expressions.ts';
import { InputError } from '../../pipeline/io/types.ts';

/** The parser's previous form: a regular expression that backtracks on long digit runs. */
const BACKTRACKING = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function seconds(fn: () => void): number {
  const start = performance.now();
  fn();
  return (performance.now() - start) / 1000;
}

for (const digits of [10_000, 20_000, 40_000, 80_000, 160_000]) {
  const cell = `${'1'.repeat(digits)}x`;
  const text = `run_id,params,tokens,loss\nr1,${cell},1e9,2.5\n`;
  let message = '';
  const ingest = seconds(() => {
    try {
      ingestText(text, 'long.csv');
    } catch (error) {
      message = (error as InputError).problems[0];
    }
  });
  const parser = seconds(() => parseStrictNumber(cell));
  const peer = digits <= 40_000 ? seconds(() => BACKTRACKING.test(cell)) : Number.NaN;
  console.log(
    `${String(digits).padStart(7)} digits + x: ingest rejects in ${ingest.toFixed(4)} s; parseStrictNumber ${parser.toFixed(5)} s; ` +
      `old regex ${Number.isNaN(peer) ? '(not run: minutes)' : `${peer.toFixed(3)} s (${(peer / parser).toFixed(0)}× slower)`}; message ${message.length} chars`,
  );
}
