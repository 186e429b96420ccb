/**
 * Two inner loops against the code they replace, measured in the same run:
 * - the normal equations (JᵀWJ and Jᵀψ of one Levenberg–Marquardt iteration): the kernel generated
 *   per parameter count (pipeline/fitting/normal_equations.ts) against the plain loop
 *   `normalEquationsLoop`, on a 1e6 × 5 (Chinchilla on a million rows) and a 47,460 × 16 (the
 *   joint ATLAS fit) Jacobian, checking that both give the same bits;
 * - CSV writing: `csvRows` against csv-stringify with the same quoting, on a predictions.csv of
 *   47,460 rows shaped like `atlas fit`'s (run id, numbers at full precision, split, group).
 *
 *   npx tsx scripts/bench-kernels.ts
 *
 * Prints the median of 5 timings of each side and the ratio (reference / atlas).
 */
import { stringify } from 'csv-stringify/sync';
import { csvRows, type CsvValue } from '../pipeline/io/csv.ts';
import { normalEquations, normalEquationsLoop } from '../pipeline/fitting/normal_equations.ts';
import { Random } from '../pipeline/fitting/random.ts';
import { median } from './median.ts';

function time(fn: () => void, repeats = 5): number {
  fn();
  const out: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const started = performance.now();
    fn();
    out.push(performance.now() - started);
  }
  return median(out);
}

const rng = new Random(3);
for (const [n, p] of [[1_000_000, 5], [47_460, 16]]) {
  const r = Float64Array.from({ length: n }, () => 0.02 * rng.normal());
  const jac = Float64Array.from({ length: n * p }, () => (rng.next() < 0.1 ? 0 : rng.normal()));
  const weights = new Float64Array(n).fill(1);
  const g1 = new Float64Array(p); const H1 = new Float64Array(p * p);
  const g2 = new Float64Array(p); const H2 = new Float64Array(p * p);
  const loop = normalEquationsLoop(p);
  const kernel = normalEquations(p);
  const tLoop = time(() => loop(n, r, jac, weights, false, 1e-3, g1, H1, 1));
  const tKernel = time(() => kernel(n, r, jac, weights, false, 1e-3, g2, H2, 1));
  const same = g1.every((v, k) => Object.is(v, g2[k])) && H1.every((v, k) => Object.is(v, H2[k]));
  console.log(`normal equations, ${n.toLocaleString('en')} × ${p}: generated kernel ${tKernel.toFixed(1)} ms, plain loop ${tLoop.toFixed(1)} ms, ${(tLoop / tKernel).toFixed(1)}×; same bits: ${same ? 'yes' : 'NO'}`);
}

const rows: CsvValue[][] = [['run_id', 'params', 'tokens', 'eval_lang', 'step', 'loss', 'predicted', 'residual_log', 'split', 'group']];
for (let i = 0; i < 47_460; i++) {
  const loss = 2 + rng.next();
  const predicted = loss * (1 + 0.02 * rng.normal());
  rows.push([`run-${Math.floor(i / 61)}`, 1e7 * (1 + (i % 13)), 1e9 * (1 + (i % 61)) / 61, 'en', 1000 * (i % 61), loss, predicted, Math.log(predicted) - Math.log(loss), 'train', '']);
}
let ours = '';
let theirs = '';
const tOurs = time(() => { ours = csvRows(rows); });
const tTheirs = time(() => { theirs = stringify(rows, { record_delimiter: '\n', eof: true, quoted_match: [/^\s|\s$/] }); });
console.log(`predictions.csv, ${(rows.length - 1).toLocaleString('en')} rows: csvRows ${tOurs.toFixed(0)} ms, csv-stringify ${tTheirs.toFixed(0)} ms, ${(tTheirs / tOurs).toFixed(1)}×; same text: ${ours === theirs ? 'yes' : 'NO'}`);
