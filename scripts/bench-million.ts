/**
 * Chinchilla fit on a million rows: time and peak memory (targets ≤ 5 s, ≤ 500 MB).
 *
 *   npx tsx scripts/bench-million.ts [ROWS] [--starts 64] [--json]
 *
 * The data are made in process as Float64Array columns: 10,000 runs (model sizes 1e7…1e10, a
 * checkpoint every tenth of the run's tokens, ROWS / 10,000 checkpoints per run) with losses from
 * the Hoffmann coefficients and 1 % seeded log-normal noise. The fit is what `atlas fit` runs on a
 * log this size: 64 seeded random starts screened on an even subsample of SEARCH_ROWS rows (the fit
 * stage's rule), the best distinct optima polished on every row, asymptotic standard errors.
 * Prints wall-clock and CPU seconds of the fit, the objective, and the process's peak resident
 * memory (data included; CPU seconds show how much of the wall time other work took).
 */
import { performance } from 'node:perf_hooks';
import { chinchilla, CHINCHILLA_PUBLISHED } from '../pipeline/laws/chinchilla.ts';
import { fitLaw } from '../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { Random } from '../pipeline/fitting/random.ts';
import { SEARCH_ROWS } from '../pipeline/fit/fit.ts';

const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const starts = args.includes('--starts') ? Number(args[args.indexOf('--starts') + 1]) : 64;

const runs = 10_000;
const perRun = Math.ceil(rows / runs);
const logN = new Float64Array(rows);
const logD = new Float64Array(rows);
const y = new Float64Array(rows);
const clusters = new Int32Array(rows);
const rng = new Random(7);
const { E, A, B, alpha, beta } = CHINCHILLA_PUBLISHED.hoffmann;
for (let i = 0; i < rows; i++) {
  const run = Math.floor(i / perRun);
  const N = 10 ** (7 + (3 * (run % 100)) / 99);
  const D = N * (5 + (run % 37)) * (((i % perRun) + 1) / perRun);
  logN[i] = Math.log(N);
  logD[i] = Math.log(D);
  y[i] = Math.log(E + A / N ** alpha + B / D ** beta) + 0.01 * rng.normal();
  clusters[i] = run;
}
const stride = Math.ceil(rows / SEARCH_ROWS);
const sub = Array.from({ length: Math.ceil(rows / stride) }, (_, k) => k * stride);
const search = rows > SEARCH_ROWS
  ? { law: chinchilla, ctx: { tokens: 'total' as const }, design: { n: sub.length, logN: Float64Array.from(sub, (i) => logN[i]), logD: Float64Array.from(sub, (i) => logD[i]) }, y: Float64Array.from(sub, (i) => y[i]) }
  : undefined;

const started = performance.now();
const cpu = process.cpuUsage();
const result = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design: { n: rows, logN, logD }, y, clusters, search }, resolveFitOptions({ starts }));
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
const peakMB = process.resourceUsage().maxRSS / 1024;
const summary = { rows, starts, seconds, cpuSeconds, peakMB, objective: result.objective.value, status: result.status, iterations: result.iterations, evaluations: result.evaluations, values: result.values };
if (args.includes('--json')) process.stdout.write(`${JSON.stringify(summary)}\n`);
else {
  console.log(`chinchilla, ${rows.toLocaleString('en')} rows, ${starts} starts: ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU), peak RSS ${peakMB.toFixed(0)} MB, objective ${result.objective.value.toPrecision(12)}, ${result.status}`);
  console.log(`targets (≤ 5 s, ≤ 500 MB): ${seconds <= 5 ? 'time met' : 'time NOT met'}, ${peakMB <= 500 ? 'memory met' : 'memory NOT met'}`);
}
