/**
 * Every benchmark of atlas in one table: atlas's time, the peer's time measured in the same run,
 * the ratio, and the objective values.
 *
 *   npx tsx scripts/bench.ts [--repeats 3] [--skip-sweep]
 *
 * | benchmark | peer |
 * |---|---|
 * | Epoch 4,500-start grid fit (1 and 2 threads) | scipy L-BFGS-B, 1 BLAS thread (bench/peer/fit_scipy.py) |
 * | 1,000 bootstrap refits of the Epoch fit (1 and 2 threads) | scipy L-BFGS-B refits warm-started at the same optimum, at atlas's tolerances (`--tight`) |
 * | ingest of a ≥ 1,000,000-row log made by `atlas simulate` (time, peak RSS) | csv-parse's plain synchronous parse of the same file |
 * | joint atlas fit on the simulated 774-run design (1 and 2 threads) | scipy least_squares(trf) on the same law, design, starts and screening, with atlas's pruning and as a plain multi-start, with the analytic Jacobian and with scipy's default 2-point one (bench/peer/atlas_trf.py via scripts/bench-atlas-fit.ts) |
 * | Chinchilla fit on 1,000,000 rows, 64 starts (time, peak RSS) | the targets ≤ 5 s and ≤ 500 MB (scripts/bench-million.ts) |
 * | 40-job sweep, --jobs 2 against --jobs 1 | two --jobs 1 sweeps run at once: the machine's own 2-thread throughput on the same work (scripts/bench-sweep.ts); beside it, the CPU a second lane costs (scripts/bench-isolate.ts) and what a fresh isolate compiles (scripts/bench-compile.ts) |
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atlasGrid, atlasPeerLabel, epochProblem, findPeerPython, runPeer } from './bench-vs-scipy.ts';
import type { AtlasFitBench } from './bench-atlas-fit.ts';
import { huber } from '../pipeline/fitting/least_squares.ts';
import { activeClusters, replicateWeights } from '../pipeline/fitting/bootstrap.ts';
import type { FitResult } from '../pipeline/fitting/result.ts';
import type { ChinchillaDesign } from '../pipeline/laws/chinchilla.ts';
import { chinchilla } from '../pipeline/laws/chinchilla.ts';
import { fitLaw } from '../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { closePool, warmPool } from '../pipeline/fitting/pool.ts';
import { median } from './median.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const repeats = args.includes('--repeats') ? Number(args[args.indexOf('--repeats') + 1]) : 3;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Row { benchmark: string; atlas: string; peer: string; ratio: string; objective: string }
const rows: Row[] = [];

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - started) / 1000, value };
}

/** Mean over the replicates of the objective each bootstrap refit reached on its own resample. */
function meanReplicateObjective(result: FitResult, design: ChinchillaDesign, y: Float64Array): number {
  const boot = result.bootstrap;
  if (!boot || boot.failed > 0) return NaN;
  const { clusters, count } = activeClusters(design.n, undefined, undefined);
  const weights = new Float64Array(design.n);
  const out = new Float64Array(design.n);
  const names = result.specs.map((s) => s.name);
  let sum = 0;
  for (let b = 0; b < boot.samples; b++) {
    replicateWeights(clusters, count, undefined, boot.seed, b, weights);
    const theta = Float64Array.from(result.specs, (spec, k) => (spec.log ? Math.log(boot.draws[names[k]][b]) : boot.draws[names[k]][b]));
    chinchilla.evaluate(theta, design, out);
    for (let i = 0; i < design.n; i++) if (weights[i] !== 0) sum += weights[i] * huber(1e-3, out[i] - y[i]);
  }
  return sum / boot.samples;
}

const python = findPeerPython(log);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`;

// 1. Epoch grid.
log('Epoch grid: atlas, 1 thread …');
await atlasGrid(true);
const grid1: number[] = [];
let gridResult = await atlasGrid(true);
for (let r = 0; r < repeats; r++) { gridResult = await atlasGrid(true); grid1.push(gridResult.seconds); }
log('Epoch grid: atlas, 2 threads …');
await warmPool(2);
const { ctx, design, y } = await epochProblem();
const grid2: number[] = [];
let grid2Objective = NaN;
for (let r = 0; r < repeats; r++) {
  const run = await timed(() => fitLaw({ law: chinchilla, ctx, design, y }, resolveFitOptions({ starts: 'grid', threads: 2 })));
  grid2.push(run.seconds);
  grid2Objective = run.value.objective.value;
}
// 2. Bootstrap: 1,000 refits warm-started at the optimum.
const optimum = gridResult.values;
const startAt = [Math.log(optimum.A), Math.log(optimum.B), Math.log(optimum.E), optimum.alpha, optimum.beta].join(',');
const boot: Record<number, { seconds: number; stderr: number[]; objective: number }> = {};
for (const threads of [1, 2]) {
  log(`bootstrap 1,000: atlas, ${threads} thread(s) …`);
  const times: number[] = [];
  let stderr: number[] = [];
  let objective = NaN;
  for (let r = 0; r < repeats; r++) {
    const run = await timed(() => fitLaw({ law: chinchilla, ctx, design, y }, resolveFitOptions({ starts: 'init', init: optimum, bootstrap: 1000, threads })));
    times.push(run.seconds);
    stderr = run.value.estimates.map((e) => e.stderr ?? NaN);
    objective = meanReplicateObjective(run.value, design, y);
  }
  boot[threads] = { seconds: median(times), stderr, objective };
}
// The peers run after the pool is closed (a long synchronous child process must not hold idle workers).
await closePool();
log('Epoch grid: scipy …');
const peerGrid = python ? runPeer(python, ['--starts', 'grid']) : null;
const fmtRatio = (peer: number | undefined, ours: number) => (peer ? `${(peer / ours).toFixed(1)}×` : '—');
rows.push({
  benchmark: 'Epoch 4,500-start grid, 1 thread',
  atlas: `${median(grid1).toFixed(3)} s`,
  peer: peerGrid ? `${peerGrid.seconds.toFixed(2)} s (scipy ${peerGrid.scipy_version})` : '—',
  ratio: fmtRatio(peerGrid?.seconds, median(grid1)),
  objective: `${gridResult.objective.toPrecision(11)} vs ${peerGrid ? peerGrid.objective.toPrecision(11) : '—'}`,
});
rows.push({
  benchmark: 'Epoch 4,500-start grid, 2 threads',
  atlas: `${median(grid2).toFixed(3)} s`,
  peer: peerGrid ? `${peerGrid.seconds.toFixed(2)} s` : '—',
  ratio: fmtRatio(peerGrid?.seconds, median(grid2)),
  objective: `${grid2Objective.toPrecision(11)} vs ${peerGrid ? peerGrid.objective.toPrecision(11) : '—'}`,
});

log('bootstrap 1,000: scipy …');
const peerBoot = python ? runPeer(python, ['--starts', 'init', '--start-at', startAt, '--bootstrap', '1000', '--tight']) : null;
for (const threads of [1, 2]) {
  rows.push({
    benchmark: `1,000 bootstrap refits, ${threads} thread${threads > 1 ? 's' : ''}`,
    atlas: `${boot[threads].seconds.toFixed(3)} s`,
    peer: peerBoot?.bootstrap ? `${peerBoot.bootstrap.seconds.toFixed(2)} s (tight)` : '—',
    ratio: fmtRatio(peerBoot?.bootstrap?.seconds, boot[threads].seconds),
    objective: `mean replicate objective ${boot[threads].objective.toPrecision(6)} vs ${peerBoot?.bootstrap ? peerBoot.bootstrap.mean_objective.toPrecision(6) : '—'}; stderr α ${boot[threads].stderr[3].toFixed(4)}, β ${boot[threads].stderr[4].toFixed(4)} vs ${peerBoot?.bootstrap ? `${peerBoot.bootstrap.stderr.alpha.toFixed(4)}, ${peerBoot.bootstrap.stderr.beta.toFixed(4)}` : '—'}`,
  });
}

// 3. Ingest of a simulated ~1M-row log.
const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-'));
try {
  log('ingest: simulating a ≥ 1,000,000-row log (a checkpoint every 45 steps) with atlas simulate …');
  const big = join(dir, 'big.csv');
  execFileSync('node', [join(root, 'bin/atlas.mjs'), 'simulate', '--design', join(root, 'configs/designs/atlas-774.yaml'), '--truth', join(root, 'configs/truth/atlas-774.json'), '--checkpoint-every', '45', '--seed', '1', '--out', big, '--allow-outside'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const measure = (code: string) => {
    const script = join(dir, `m${Math.random().toString(36).slice(2)}.mts`);
    writeFileSync(script, code);
    const out = spawnSync('node', ['--import', 'tsx', script, big], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (out.status !== 0) throw new Error(out.stderr);
    return JSON.parse(out.stdout.trim().split('\n').pop()!) as { seconds: number; rss: number; rows: number };
  };
  const ingestUrl = new URL('../pipeline/ingest/ingest.ts', import.meta.url).href;
  const csvUrl = new URL('../node_modules/csv-parse/lib/sync.js', import.meta.url).href;
  const ours = measure(`import { ingestFiles } from ${JSON.stringify(ingestUrl)};\nconst t0 = performance.now();\nconst t = await ingestFiles([process.argv[2]]);\nconsole.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, rss: process.resourceUsage().maxRSS / 1024, rows: t.rows }));\n`);
  const peer = measure(`import { readFileSync } from 'node:fs';\nimport { parse } from ${JSON.stringify(csvUrl)};\nconst t0 = performance.now();\nconst r = parse(readFileSync(process.argv[2], 'utf8'), { bom: true, skip_empty_lines: true });\nconsole.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, rss: process.resourceUsage().maxRSS / 1024, rows: r.length - 1 }));\n`);
  rows.push({
    benchmark: `ingest ${ours.rows.toLocaleString('en')} simulated rows`,
    atlas: `${ours.seconds.toFixed(2)} s, ${ours.rss.toFixed(0)} MB peak`,
    peer: `${peer.seconds.toFixed(2)} s, ${peer.rss.toFixed(0)} MB (csv-parse, no validation)`,
    ratio: `${(peer.seconds / ours.seconds).toFixed(2)}× time, ${(peer.rss / ours.rss).toFixed(2)}× memory`,
    objective: '—',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// 4. Joint atlas fit on the 774-run simulation, against scipy least_squares(trf).
log('joint atlas fit on the 774-run simulation, atlas (1 and 2 threads) and scipy trf …');
const atlasFit = spawnSync('node', ['--import', 'tsx', join(root, 'scripts/bench-atlas-fit.ts'), '--json', '--threads', '1,2', '--plain', '--two-point'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
if (atlasFit.status !== 0) process.stderr.write(atlasFit.stderr);
else {
  const joint = JSON.parse(atlasFit.stdout.trim().split('\n').pop()!) as AtlasFitBench;
  for (const a of joint.atlas) {
    for (const peer of joint.peers) {
      rows.push({
        benchmark: `joint atlas fit, 774 runs (${joint.rows} rows, ${joint.parameters} parameters, ${joint.starts} starts), ${a.threads} thread${a.threads > 1 ? 's' : ''}`,
        atlas: `${a.seconds.toFixed(2)} s (fit ${a.fitSeconds.toFixed(2)} s)`,
        peer: `${peer.seconds.toFixed(2)} s (scipy ${peer.scipy_version} trf, ${atlasPeerLabel(peer)})`,
        ratio: `${fmtRatio(peer.seconds, a.seconds)} (fit alone ${fmtRatio(peer.seconds, a.fitSeconds)})`,
        objective: `${a.objective.toPrecision(12)} vs ${peer.objective.toPrecision(12)}`,
      });
    }
  }
}

// 4b. Chinchilla on a million rows: time and peak memory.
log('Chinchilla fit on 1,000,000 rows …');
const million = spawnSync('node', ['--import', 'tsx', join(root, 'scripts/bench-million.ts'), '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
if (million.status !== 0) process.stderr.write(million.stderr);
else {
  const m = JSON.parse(million.stdout.trim().split('\n').pop()!) as { rows: number; starts: number; seconds: number; peakMB: number; objective: number; status: string };
  rows.push({
    benchmark: `Chinchilla fit, ${m.rows.toLocaleString('en')} rows, ${m.starts} starts`,
    atlas: `${m.seconds.toFixed(2)} s, ${m.peakMB.toFixed(0)} MB peak`,
    peer: 'target ≤ 5 s, ≤ 500 MB',
    ratio: `${(5 / m.seconds).toFixed(2)}× time, ${(500 / m.peakMB).toFixed(2)}× memory`,
    objective: `${m.objective.toPrecision(12)}, ${m.status}`,
  });
}

// 5. Sweep.
if (!args.includes('--skip-sweep')) {
  // At least 5 repeats: the fewest for which bench-sweep can put an interval on the median efficiency.
  const sweepRepeats = Math.max(repeats, 5);
  log(`40-job sweep, --jobs 1 and 2 (${sweepRepeats} repeats) …`);
  const sweep = spawnSync('node', ['--import', 'tsx', join(root, 'scripts/bench-sweep.ts'), '--repeat', String(sweepRepeats)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const text = sweep.stdout;
  const jobs = /: (\d+) jobs/.exec(text)?.[1] ?? '?';
  const j1 = Number(/^jobs=1: ([\d.]+) s/m.exec(text)?.[1] ?? NaN);
  const j2 = Number(/^jobs=2: ([\d.]+) s/m.exec(text)?.[1] ?? NaN);
  const loop = /peer loop: .*speed-up now is ([\d.]+)x/.exec(text)?.[1] ?? '—';
  const efficiency = /efficiency against that bound: (.*) \(median ([\d.]+); bound ([\d.]+)x\)/.exec(text);
  const interval = /median efficiency, distribution-free interval: ([\d.]+–[\d.]+ \(\d+ %)/.exec(text)?.[1];
  const split = /split time \/ --jobs 2 time: .* \(median ([\d.]+)/.exec(text)?.[1] ?? '—';
  // What a second lane costs: a fresh V8 isolate's extra CPU on half the jobs (bench-isolate.ts).
  log(`40-job sweep, a fresh isolate against a warm one (${repeats} repeats) …`);
  const isolate = spawnSync('node', ['--import', 'tsx', join(root, 'scripts/bench-isolate.ts'), '--repeat', String(repeats)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const lane = /beyond one process over the whole sweep: .* \(median ([\d.]+)/.exec(isolate.stdout)?.[1] ?? '—';
  const threads = /other threads \(compilers, garbage collector\): .* \(median ([\d.]+)\)/.exec(isolate.stdout)?.[1] ?? '—';
  const allows = /W \/ \(W \+ extra\): .* \(median ([\d.]+)\)/.exec(isolate.stdout)?.[1] ?? '—';
  if (isolate.status !== 0) process.stderr.write(isolate.stdout + isolate.stderr);
  // Most of that cost is compiling: a fresh isolate's TurboFan work over half the jobs (bench-compile.ts).
  log('40-job sweep, what a fresh isolate compiles over half the jobs …');
  const compile = spawnSync('node', ['--import', 'tsx', join(root, 'scripts/bench-compile.ts')], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const compiled = /this checkout: ([\d.]+) TurboFan compilations in (\d+) ms; ([\d.]+) deoptimisations/.exec(compile.stdout);
  if (compile.status !== 0) process.stderr.write(compile.stdout + compile.stderr);
  rows.push({
    benchmark: `sweep of ${jobs} jobs, --jobs 2`,
    atlas: `${j2.toFixed(2)} s`,
    peer: `${j1.toFixed(2)} s (--jobs 1)`,
    ratio: `${(j1 / j2).toFixed(2)}× (bound: two --jobs 1 sweeps at once, median ${efficiency?.[3] ?? '—'}×; efficiency ${efficiency?.[1] ?? '—'}, median ${efficiency?.[2] ?? '—'}${interval ? `, interval ${interval})` : ''}; split by hand over two processes / --jobs 2, median ${split}; the second lane's extra CPU, median ${lane} s, ${threads} s of it on V8's compiler and GC threads, which alone allows ${allows}; a fresh isolate over half the jobs: ${compiled ? `${compiled[1]} TurboFan compilations in ${compiled[2]} ms, ${compiled[3]} deoptimisations` : '—'}; busy-loop speed-up ${loop}×)`,
    objective: /results identical: \w+/.exec(text)?.[0] ?? '—',
  });
  if (!Number.isFinite(j1)) process.stderr.write(text + sweep.stderr);
}

const head: Row = { benchmark: 'benchmark', atlas: 'atlas', peer: 'peer (same run)', ratio: 'peer / atlas', objective: 'objective / check' };
const all = [head, ...rows];
const keys = Object.keys(head) as (keyof Row)[];
const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
const line = (r: Row) => `| ${keys.map((k, i) => r[k].padEnd(widths[i])).join(' | ')} |`;
process.stdout.write(`machine: ${machine}; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
process.stdout.write(`${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
