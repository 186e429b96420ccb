/**
 * Benchmark: whole processes, as a user runs them. The Epoch grid fit of Chinchilla Approach 3
 * (`atlas fit --config configs/epoch-chinchilla.yaml`: start-up, ingest, the 4,500-start grid,
 * writing the artifact) against the scipy peer's whole process (python start-up, imports, the
 * same 4,500-start L-BFGS-B fit; bench/peer/fit_scipy.py), in the same run; and the start-up of
 * `atlas --version` and `atlas --help`. Runs the compiled command (`npm run build` first).
 *
 *   npx tsx scripts/bench-cli.ts [--repeats 5] [--peer-repeats 1] [--json]
 *
 * Times are medians of the repeats (wall clock, spawn to exit). The one-minute load average is
 * printed beside them: on a busy machine every process waits for a core.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPeerPython, runPeer } from './bench-vs-scipy.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'bin', 'atlas.mjs');
const dataPath = join(root, 'datasets', 'epoch-chinchilla', 'chinchilla_fig4_ND.csv');

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall-clock seconds of one process, spawn to exit; throws when it fails. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; stdout: string } {
  const started = performance.now();
  const run = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { seconds, stdout: run.stdout };
}

const repeats = flag('--repeats', 5);
const peerRepeats = flag('--peer-repeats', 1);
const log = (line: string) => process.stderr.write(`${line}\n`);

const version = median(Array.from({ length: repeats * 2 }, () => timed(process.execPath, [bin, '--version']).seconds));
const help = median(Array.from({ length: repeats * 2 }, () => timed(process.execPath, [bin, '--help']).seconds));
const bare = median(Array.from({ length: repeats * 2 }, () => timed(process.execPath, ['-e', '0']).seconds));

const out = mkdtempSync(join(tmpdir(), 'atlas-bench-cli-'));
let atlasObjective = NaN;
const atlasTimes: number[] = [];
try {
  for (let k = 0; k < repeats; k++) {
    atlasTimes.push(timed(process.execPath, [bin, 'fit', '--config', join(root, 'configs', 'epoch-chinchilla.yaml'), '--out', out]).seconds);
    atlasObjective = (JSON.parse(readFileSync(join(out, 'coefficients.json'), 'utf8')) as { objective: { value: number } }).objective.value;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
const atlas = median(atlasTimes);

const python = findPeerPython(log);
let peer: { seconds: number; objective: number; version: string } | null = null;
if (python) {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const times: number[] = [];
  let objective = NaN;
  let scipyVersion = '';
  for (let k = 0; k < peerRepeats; k++) {
    const run = timed(python, [join(root, 'bench', 'peer', 'fit_scipy.py'), dataPath, '--starts', 'grid'], env);
    times.push(run.seconds);
    const result = JSON.parse(run.stdout) as ReturnType<typeof runPeer>;
    objective = result.objective;
    scipyVersion = result.scipy_version;
  }
  peer = { seconds: median(times), objective, version: scipyVersion };
}

const load = loadavg()[0];
const result = {
  cores: cpus().length,
  load_1min: load,
  node_bare_seconds: bare,
  version_seconds: version,
  help_seconds: help,
  fit_process_seconds: atlas,
  peer_process_seconds: peer?.seconds ?? null,
  ratio: peer ? peer.seconds / atlas : null,
  objective: { atlas: atlasObjective, peer: peer?.objective ?? null },
};
if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const s = (x: number) => `${x.toFixed(3)} s`;
  process.stdout.write(
    `machine: ${result.cores} cores, load average ${load.toFixed(2)} (1 min)\n` +
      `node -e 0 (bare start-up)        ${s(bare)}\n` +
      `atlas --version                  ${s(version)}\n` +
      `atlas --help                     ${s(help)}\n` +
      `| benchmark | atlas | peer (same run) | peer / atlas | objective |\n|---|---|---|---|---|\n` +
      `| Epoch 4,500-start grid, whole process (atlas fit --config configs/epoch-chinchilla.yaml) | ${s(atlas)} | ` +
      (peer ? `${s(peer.seconds)} (python3 + scipy ${peer.version}) | ${(peer.seconds / atlas).toFixed(1)}× | ${atlasObjective.toPrecision(14)} vs ${peer.objective.toPrecision(14)} |\n` : 'no python3 with scipy | — | — |\n'),
  );
}
