/**
 * Benchmark: the Epoch/Hoffmann 4,500-start grid fit of Chinchilla Approach 3 on the 240
 * non-excluded Epoch points, by atlas and by scipy's L-BFGS-B (bench/peer/fit_scipy.py), in the
 * same run. Prints both objectives, both times and the ratio.
 *
 *   npx tsx scripts/bench-vs-scipy.ts [--repeats 3] [--json]
 *
 * The peer is Debian's python3-scipy (installed with apt-get when missing), run with one BLAS
 * thread (OPENBLAS_NUM_THREADS=1; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in its environment
 * only). Where Debian's package cannot be installed, the first python3 on PATH with scipy is used
 * and its version printed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { ingestFiles } from '../pipeline/ingest/ingest.ts';
import { chinchilla } from '../pipeline/laws/chinchilla.ts';
import { fitLaw } from '../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { median } from './median.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const dataPath = `${root}datasets/epoch-chinchilla/chinchilla_fig4_ND.csv`;

export interface PeerResult {
  solver: string;
  scipy_version: string;
  python: string;
  starts: number;
  seconds: number;
  objective: number;
  params: Record<string, number>;
  bootstrap?: { samples: number; seconds: number; tight: boolean; mean_objective: number; stderr: Record<string, number> };
}

/** A python3 with scipy: Debian's (installed if missing), else the first on PATH. */
export function findPeerPython(log: (line: string) => void): string | null {
  const has = (python: string) => spawnSync(python, ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0;
  if (has('/usr/bin/python3')) return '/usr/bin/python3';
  if (process.env.ATLAS_BENCH_NO_INSTALL !== '1' && spawnSync('which', ['apt-get'], { stdio: 'ignore' }).status === 0) {
    log('installing Debian python3-scipy for the peer (apt-get)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-scipy'], { stdio: 'ignore', env, timeout: 300_000 });
    if (install.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 300_000 });
      install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-scipy'], { stdio: 'ignore', env, timeout: 300_000 });
    }
    if (has('/usr/bin/python3')) return '/usr/bin/python3';
  }
  if (has('python3')) return 'python3';
  return null;
}

/** How a run of the joint-fit peer (bench/peer/atlas_trf.py) is named in benchmark output. */
export function atlasPeerLabel(p: { xScale: string; prune: boolean; jac?: string }): string {
  return `x_scale=${p.xScale}${p.prune ? '' : ', plain multi-start'}${p.jac === '2-point' ? ', 2-point Jacobian' : ''}`;
}

/** The environment of a python peer: one BLAS thread, OpenBLAS's CPU overrides removed. */
export function peerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** Run the scipy peer once. */
export function runPeer(python: string, args: string[]): PeerResult {
  const result = spawnSync(python, [`${root}bench/peer/fit_scipy.py`, dataPath, ...args], { env: peerEnv(), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`peer failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PeerResult;
}

/** The Epoch design and log-losses through atlas's own ingest. */
export async function epochProblem() {
  const table = await ingestFiles([dataPath], {
    map: { run_id: 'row', params: 'N_params', tokens: 'D_tokens', loss: 'loss' },
    where: ['epoch_excluded_outlier == 0'],
  });
  const ctx = chinchilla.context(table, {});
  return { table, ctx, design: chinchilla.prepare(table, ctx), y: Float64Array.from(table.loss, Math.log) };
}

/** One atlas grid fit; seconds and objective. */
export async function atlasGrid(prune: boolean, bootstrap = 0) {
  const { ctx, design, y } = await epochProblem();
  const started = performance.now();
  const result = await fitLaw({ law: chinchilla, ctx, design, y }, resolveFitOptions({ starts: 'grid', prune, bootstrap }));
  return { seconds: (performance.now() - started) / 1000, objective: result.objective.value, values: result.values, iterations: result.iterations, result };
}

async function main() {
  const argv = process.argv.slice(2);
  const repeats = argv.includes('--repeats') ? Number(argv[argv.indexOf('--repeats') + 1]) : 3;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const python = findPeerPython(log);
  // Warm the JIT once, as a long-running process would be.
  await atlasGrid(true);
  const pruned: number[] = [];
  const exhaustive: number[] = [];
  let last = await atlasGrid(true);
  for (let r = 0; r < repeats; r++) {
    last = await atlasGrid(true);
    pruned.push(last.seconds);
  }
  const full = await atlasGrid(false);
  exhaustive.push(full.seconds);
  const peer = python ? runPeer(python, ['--starts', 'grid']) : null;
  const rows = [
    ['solver', 'objective', 'seconds', 'scipy / this'],
    ['atlas LM, pruned grid (default)', last.objective.toPrecision(12), median(pruned).toFixed(3), peer ? (peer.seconds / median(pruned)).toFixed(1) : '—'],
    ['atlas LM, exhaustive grid', full.objective.toPrecision(12), median(exhaustive).toFixed(3), peer ? (peer.seconds / median(exhaustive)).toFixed(1) : '—'],
    [peer ? `scipy ${peer.scipy_version} L-BFGS-B` : 'scipy (not available)', peer ? peer.objective.toPrecision(12) : '—', peer ? peer.seconds.toFixed(3) : '—', peer ? '1.0' : '—'],
  ];
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  const text = rows.map((r) => r.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ')).join('\n');
  const summary = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    epoch_grid: { starts: 4500, atlas_seconds_median: median(pruned), atlas_exhaustive_seconds: median(exhaustive), atlas_objective: last.objective, atlas_exhaustive_objective: full.objective, peer },
    ratio: peer ? peer.seconds / median(pruned) : null,
    objective_not_worse: peer ? last.objective <= peer.objective * (1 + 1e-9) : null,
  };
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stdout.write(`Epoch 4,500-start grid, 240 points (${summary.machine})\n${text}\n`);
    if (peer) process.stdout.write(`atlas is ${(peer.seconds / median(pruned)).toFixed(1)}× faster than scipy (median of ${repeats}), objective ${summary.objective_not_worse ? 'equal or lower' : 'HIGHER'}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
