/**
 * Fit time of the full ATLAS law (target + other + transfer terms) on the simulated 774-run study
 * (configs/designs/atlas-774.yaml, a checkpoint every 1k steps, about 47k rows), against a peer
 * measured in the same run: Chinchilla (total tokens) on the same rows with the same starts.
 *
 *   npx tsx scripts/bench-atlas-fit.ts [--checkpoint-every S] [--starts grid|init|N]
 *   (defaults: the design's 1000 steps, grid = the atlas law's 72 starts)
 *
 * Prints rows, parameters, starts, seconds, iterations and status of both fits; the time per
 * start and per LM iteration; the ratio atlas / chinchilla per iteration (what the atlas law's
 * extra terms cost over the plain law); and the evaluate() throughput (rows × parameters per
 * second with the Jacobian) of both laws. The target is the full atlas fit in ≤ 10 s.
 */
import { performance } from 'node:perf_hooks';
import { loadDesign, loadTruth, simulate } from '../pipeline/simulate/simulate.ts';
import { atlas } from '../pipeline/laws/atlas.ts';
import { chinchilla } from '../pipeline/laws/chinchilla.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import type { FitOptions } from '../pipeline/fitting/options.ts';
import { parseStarts } from '../pipeline/commands/common.ts';
import type { Law } from '../pipeline/laws/law.ts';
import { shipped } from '../pipeline/io/shipped.ts';

const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const every = Number(flag('--checkpoint-every') ?? 1000);
const starts: FitOptions['starts'] = parseStarts(flag('--starts') ?? 'grid');

const design = loadDesign(shipped('configs', 'designs', 'atlas-774.yaml'));
const truth = loadTruth(shipped('configs', 'truth', 'atlas-774.json'));
let t0 = performance.now();
const { table } = simulate(design, truth, { seed: 0, checkpointEvery: every });
console.log(`simulated ${table.rows} rows of 774 runs in ${((performance.now() - t0) / 1000).toFixed(2)} s`);

async function run<C, D>(law: Law<C, D>, lawOptions: Record<string, unknown>, peerStarts?: number) {
  const ctx = law.context(table, lawOptions);
  const design_ = law.prepare(table, ctx);
  const p = law.parameters(ctx).length;
  // evaluate() throughput with the Jacobian
  const out = new Float64Array(table.rows);
  const jac = new Float64Array(table.rows * p);
  const theta = Float64Array.from(law.parameters(ctx).map((s) => (s.log ? Math.log(s.init) : s.init)));
  let reps = 0;
  t0 = performance.now();
  while (performance.now() - t0 < 500) { law.evaluate(theta, design_, out, jac); reps++; }
  const evalSeconds = (performance.now() - t0) / 1000 / reps;
  // Through the fit stage, as `atlas fit` runs it (large logs screen starts on a subsample).
  const { results } = await runFit({ table, law: law.id, lawOptions, fit: { starts: peerStarts ?? starts } });
  const fit = results.get('')!;
  return { p, fit, evalSeconds };
}

const a = await run(atlas, { terms: 'target,other,transfer' });
const c = await run(chinchilla, { tokens: 'total' }, a.fit.starts > 1 ? a.fit.starts : undefined);
for (const [name, r] of [['atlas (full)', a], ['chinchilla (peer)', c]] as const) {
  console.log(`${name}: ${table.rows} rows, ${r.p} parameters, ${r.fit.starts} starts, ${r.fit.seconds.toFixed(2)} s, ${r.fit.iterations} iterations (${(r.fit.seconds / r.fit.iterations * 1000).toFixed(2)} ms each), ${r.fit.status}; evaluate+Jacobian ${(r.evalSeconds * 1000).toFixed(2)} ms = ${(table.rows * r.p / r.evalSeconds / 1e6).toFixed(1)} M entries/s`);
}
console.log(`ratio atlas/chinchilla: ${(a.fit.seconds / c.fit.seconds).toFixed(2)}× total, ${((a.fit.seconds / a.fit.iterations) / (c.fit.seconds / c.fit.iterations)).toFixed(2)}× per iteration, ${(a.evalSeconds / c.evalSeconds).toFixed(2)}× per evaluate`);
console.log(`target (full atlas fit ≤ 10 s): ${a.fit.seconds <= 10 ? 'met' : 'not met'} (${a.fit.seconds.toFixed(2)} s)`);
