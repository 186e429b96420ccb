/**
 * The joint fit of the full ATLAS law (target + other + transfer terms, 16 parameters) on the
 * simulated 774-run study (configs/designs/atlas-774.yaml, a checkpoint every 1k steps, about 47k
 * rows), against a peer measured in the same run: scipy.optimize.least_squares(method='trf') on
 * the same law, design, data, starts and screening strategy (bench/peer/atlas_trf.py).
 *
 *   npx tsx scripts/bench-atlas-fit.ts [--threads 1,2] [--x-scale jac,1] [--plain] [--two-point] [--checkpoint-every S] [--no-peer] [--json]
 *
 * atlas runs through the fit stage, as `atlas fit` does: the law's 72 grid starts screened on an
 * even subsample of the rows, the three best distinct optima polished on every row. The peer gets
 * atlas's own design arrays, log-losses, subsample rows and starts (written to a temporary
 * folder), and the same tolerances (loose for screening, ftol 1e-12 / xtol 1e-10 / gtol 1e-10 for
 * the polish). The peer runs once per `--x-scale` setting of least_squares: `jac` (scale each
 * parameter by its Jacobian column, what atlas's Marquardt damping does; the peer that reaches
 * atlas's objective) and `1` (scipy's default). With `--plain` it also runs the plain multi-start
 * script (x_scale='jac', every start run to convergence on the subsample, no pruning: the obvious
 * scipy script, which atlas's pruning is measured against), and with `--two-point` that script
 * with scipy's default Jacobian (forward differences) instead of the law's analytic one: the
 * script a researcher writes without deriving the Jacobian. Prints, per atlas thread count and per peer,
 * seconds and the objective reached on every row (Σ Huber_δ of log-loss residuals), and the ratio
 * peer / atlas. atlas's time is the whole fit stage (`runFit`: the design, the fit, predictions.csv
 * and prediction intervals); the time of the fit alone (FitResult.seconds) is printed beside it,
 * as the peer's clock starts with the design already built.
 */
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDesign, loadTruth, simulate } from '../pipeline/simulate/simulate.ts';
import { atlas, DEFF_FLOOR } from '../pipeline/laws/atlas.ts';
import { runFit, SEARCH_ROWS } from '../pipeline/fit/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { buildParameterMap } from '../pipeline/fitting/parameters.ts';
import { startingPoints } from '../pipeline/fitting/fit.ts';
import { SEARCH_FTOL } from '../pipeline/fitting/search.ts';
import { PRUNE_AFTER, PRUNE_FACTOR } from '../pipeline/fitting/pruning.ts';
import { closePool, warmPool } from '../pipeline/fitting/pool.ts';
import { shipped } from '../pipeline/io/shipped.ts';
import { atlasPeerLabel, findPeerPython, peerEnv } from './bench-vs-scipy.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const every = Number(flag('--checkpoint-every') ?? 1000);
const threadCounts = (flag('--threads') ?? '1,2').split(',').map(Number);
const log = (line: string) => process.stderr.write(`${line}\n`);

const design = loadDesign(shipped('configs', 'designs', 'atlas-774.yaml'));
const truth = loadTruth(shipped('configs', 'truth', 'atlas-774.json'));
const { table } = simulate(design, truth, { seed: 0, checkpointEvery: every });
const lawOptions = { terms: 'target,other,transfer' };

export interface AtlasFitBench {
  rows: number;
  searchRows: number | null;
  parameters: number;
  starts: number;
  atlas: { threads: number; seconds: number; fitSeconds: number; objective: number; iterations: number; evaluations: number; status: string }[];
  peers: { xScale: string; prune: boolean; jac: 'analytic' | '2-point'; seconds: number; objective: number; scipy_version: string; nfev: number; abandoned: number; search_seconds: number }[];
}

const out: AtlasFitBench = { rows: table.rows, searchRows: null, parameters: 0, starts: 0, atlas: [], peers: [] };
for (const threads of threadCounts) {
  if (threads > 1) await warmPool(threads);
  log(`atlas fit, ${threads} thread(s) …`);
  const started = performance.now();
  const { results } = await runFit({ table, law: 'atlas', lawOptions, fit: { starts: 'grid', threads, checkpoints: 'all' } });
  const seconds = (performance.now() - started) / 1000;
  const fit = results.get('')!;
  out.searchRows = fit.searchRows ?? null;
  out.parameters = fit.specs.length;
  out.starts = fit.starts;
  out.atlas.push({ threads, seconds, fitSeconds: fit.seconds, objective: fit.objective.value, iterations: fit.iterations, evaluations: fit.evaluations, status: fit.status });
}
await closePool();

// The peer: atlas's own design, data, subsample and starts.
const python = args.includes('--no-peer') ? null : findPeerPython(log);
if (python) {
  const ctx = atlas.context(table, lawOptions);
  const d = atlas.prepare(table, ctx);
  const options = resolveFitOptions(atlas.defaults, { starts: 'grid' });
  const map = buildParameterMap(atlas.parameters(ctx), options);
  if (map.free.length !== d.p) throw new Error('bench-atlas-fit: the peer needs every parameter free');
  const stride = Math.ceil(table.rows / SEARCH_ROWS);
  const searchRows = Array.from({ length: table.rows }, (_, i) => i).filter((i) => i % stride === 0);
  const keep = flag('--keep-peer-input');
  if (keep) mkdirSync(keep, { recursive: true });
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'atlas-trf-'));
  try {
    const write = (name: string, array: Float64Array | Int32Array) => writeFileSync(join(dir, name), new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    const y = Float64Array.from(table.loss, Math.log);
    for (const [name, array] of Object.entries({ logN: d.logN, dT: d.dT, uT: d.uT, dK: d.dK, uK: d.uK, dO: d.dO, uO: d.uO, y })) write(`${name}.f64`, array);
    write('kParam.i32', d.kParam);
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({
      n: d.n, p: d.p, slots: d.slots, other_param: d.otherParam, deff_floor: DEFF_FLOOR, delta: options.delta,
      lower: map.free.map((s) => finite(map.specs[s].lower)), upper: map.free.map((s) => finite(map.specs[s].upper)),
      starts: startingPoints(map, options).map((s) => Array.from(s)), search_rows: searchRows,
      search_ftol: SEARCH_FTOL, ftol: 1e-12, xtol: 1e-10, gtol: 1e-10, max_iterations: options.maxIterations,
      prune_factor: PRUNE_FACTOR, prune_after: PRUNE_AFTER,
    }));
    const runs: { xScale: string; prune: boolean; jac: 'analytic' | '2-point' }[] = (flag('--x-scale') ?? 'jac,1').split(',').map((xScale) => ({ xScale, prune: true, jac: 'analytic' }));
    if (args.includes('--plain')) runs.push({ xScale: 'jac', prune: false, jac: 'analytic' });
    if (args.includes('--two-point')) runs.push({ xScale: 'jac', prune: false, jac: '2-point' });
    for (const run of runs) {
      log(`scipy least_squares(trf, ${atlasPeerLabel(run)}) peer …`);
      const peer = spawnSync(python, [join(root, 'bench/peer/atlas_trf.py'), dir, '--x-scale', run.xScale, '--jac', run.jac, ...(run.prune ? [] : ['--no-prune'])], { env: peerEnv(), encoding: 'utf8', maxBuffer: 1 << 24 });
      if (peer.status !== 0) throw new Error(`atlas_trf.py failed: ${peer.stderr}`);
      out.peers.push({ ...JSON.parse(peer.stdout), ...run });
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (args.includes('--json')) process.stdout.write(`${JSON.stringify(out)}\n`);
else {
  console.log(`joint atlas fit: ${out.rows} rows (${out.searchRows ?? 'no'} screening rows), ${out.parameters} parameters, ${out.starts} starts`);
  for (const a of out.atlas) {
    const ratios = out.peers.map((p) => `${(p.seconds / a.seconds).toFixed(1)}× the ${atlasPeerLabel(p)} peer`).join(', ');
    console.log(`atlas, ${a.threads} thread(s): ${a.seconds.toFixed(2)} s (the fit itself ${a.fitSeconds.toFixed(2)} s; the rest builds the design, predictions.csv and intervals), objective ${a.objective.toPrecision(12)}, ${a.iterations} iterations, ${a.evaluations} evaluations, ${a.status}${ratios ? `; ${ratios}` : ''}`);
  }
  for (const p of out.peers) console.log(`scipy ${p.scipy_version} least_squares(trf, ${atlasPeerLabel(p)}): ${p.seconds.toFixed(2)} s (screening ${p.search_seconds.toFixed(2)} s, ${p.nfev} evaluations, ${p.abandoned} starts abandoned), objective ${p.objective.toPrecision(12)}`);
}
