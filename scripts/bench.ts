/**
 * Every benchmark of atlas in one table: atlas's time, the peer's time measured in the same run,
 * the ratio, and the objective values.
 *
 *   npx tsx scripts/bench.ts [--repeats 3] [--skip-sweep]
 *
 * | benchmark | peer |
 * |---|---|
 * | Epoch 4,500-start grid fit (1 and 2 threads) | scipy L-BFGS-B, 1 BLAS thread (bench/peer/fit_scipy.py) |
 * | 1,000 bootstrap refits of the Epoch fit (1 and 2 threads) | scipy L-BFGS-B refits warm-started at the same optimum |
 * | ingest of a ≥ 1,000,000-row log made by `atlas simulate` (time, peak RSS) | csv-parse's plain synchronous parse of the same file |
 * | joint atlas fit on the simulated 774-run design | Chinchilla on the same rows (scripts/bench-atlas-fit.ts) |
 * | 40-job sweep, --jobs 2 against --jobs 1 | the machine's own 2-thread speed-up on a busy loop (scripts/bench-sweep.ts) |
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atlasGrid, epochProblem, findPeerPython, runPeer } from './bench-vs-scipy.ts';
import { chinchilla } from '../pipeline/laws/chinchilla.ts';
import { fitLaw } from '../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { closePool, warmPool } from '../pipeline/fitting/pool.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const repeats = args.includes('--repeats') ? Number(args[args.indexOf('--repeats') + 1]) : 3;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Row { benchmark: string; atlas: string; peer: string; ratio: string; objective: string }
const rows: Row[] = [];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - started) / 1000, value };
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
const boot: Record<number, { seconds: number; stderr: number[] }> = {};
for (const threads of [1, 2]) {
  log(`bootstrap 1,000: atlas, ${threads} thread(s) …`);
  const times: number[] = [];
  let stderr: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const run = await timed(() => fitLaw({ law: chinchilla, ctx, design, y }, resolveFitOptions({ starts: 'init', init: optimum, bootstrap: 1000, threads })));
    times.push(run.seconds);
    stderr = run.value.estimates.map((e) => e.stderr ?? NaN);
  }
  boot[threads] = { seconds: median(times), stderr };
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
const peerBoot = python ? runPeer(python, ['--starts', 'init', '--start-at', startAt, '--bootstrap', '1000']) : null;
for (const threads of [1, 2]) {
  rows.push({
    benchmark: `1,000 bootstrap refits, ${threads} thread${threads > 1 ? 's' : ''}`,
    atlas: `${boot[threads].seconds.toFixed(3)} s`,
    peer: peerBoot?.bootstrap ? `${peerBoot.bootstrap.seconds.toFixed(2)} s` : '—',
    ratio: fmtRatio(peerBoot?.bootstrap?.seconds, boot[threads].seconds),
    objective: `stderr α ${boot[threads].stderr[3].toFixed(4)}, β ${boot[threads].stderr[4].toFixed(4)} vs scipy ${peerBoot?.bootstrap ? `${peerBoot.bootstrap.stderr.alpha.toFixed(4)}, ${peerBoot.bootstrap.stderr.beta.toFixed(4)}` : '—'}`,
  });
}

// 3. Ingest of a simulated ~1M-row log.
const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-'));
try {
  log('ingest: simulating a ≥ 1,000,000-row log (a checkpoint every 45 steps) with atlas simulate …');
  const big = join(dir, 'big.csv');
  execFileSync('node', [join(root, 'bin/atlas.mjs'), 'simulate', '--design', join(root, 'configs/designs/atlas-774.yaml'), '--truth', join(root, 'configs/truth/atlas-774.json'), '--checkpoint-every', '45', '--seed', '1', '--out', big], { stdio: ['ignore', 'ignore', 'inherit'] });
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

// 4. Joint atlas fit on the 774-run simulation.
log('atlas law on the 774-run simulation …');
const atlasFit = spawnSync('node', ['--import', 'tsx', join(root, 'scripts/bench-atlas-fit.ts')], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
const atlasLine = atlasFit.stdout.split('\n').find((l) => l.startsWith('atlas')) ?? '';
const chinLine = atlasFit.stdout.split('\n').find((l) => l.startsWith('chinchilla')) ?? '';
const secondsOf = (line: string) => Number(/, ([\d.]+) s, /.exec(line)?.[1] ?? NaN);
rows.push({
  benchmark: `joint atlas fit, 774 simulated runs (${/(\d+) rows/.exec(atlasLine)?.[1] ?? '?'} rows, ${/(\d+) starts/.exec(atlasLine)?.[1] ?? '?'} starts)`,
  atlas: `${secondsOf(atlasLine).toFixed(2)} s`,
  peer: `${secondsOf(chinLine).toFixed(2)} s (chinchilla, same rows and starts)`,
  ratio: `${(secondsOf(chinLine) / secondsOf(atlasLine)).toFixed(2)}×`,
  objective: /, (converged|at-bound|max-iterations|non-finite)/.exec(atlasLine)?.[1] ?? '—',
});

// 5. Sweep.
if (!args.includes('--skip-sweep')) {
  log('40-job sweep, --jobs 1 and 2 …');
  const sweep = spawnSync('node', ['--import', 'tsx', join(root, 'scripts/bench-sweep.ts')], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const text = sweep.stdout;
  const jobs = /: (\d+) jobs/.exec(text)?.[1] ?? '?';
  const j1 = Number(/^jobs=1: ([\d.]+) s/m.exec(text)?.[1] ?? NaN);
  const j2 = Number(/^jobs=2: ([\d.]+) s/m.exec(text)?.[1] ?? NaN);
  const busy = /speed-up now is ([\d.]+)x/.exec(text)?.[1] ?? '—';
  rows.push({
    benchmark: `sweep of ${jobs} jobs, --jobs 2`,
    atlas: `${j2.toFixed(2)} s`,
    peer: `${j1.toFixed(2)} s (--jobs 1)`,
    ratio: `${(j1 / j2).toFixed(2)}× (busy-loop bound ${busy}×)`,
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
