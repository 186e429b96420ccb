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
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPeerPython, peerEnv, runPeer } from './bench-vs-scipy.ts';
import { median } from './median.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'bin', 'atlas.mjs');
const dataPath = join(root, 'datasets', 'epoch-chinchilla', 'chinchilla_fig4_ND.csv');

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const cpuFile = join(tmpdir(), `atlas-bench-cli-${process.pid}.cpu`);

/**
 * Wall-clock seconds of one process, spawn to exit, and its CPU seconds (user + system, through
 * GNU time where present: on a busy machine the wall clock also counts the wait for a core).
 */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; cpu: number; stdout: string } {
  const [file, argv] = gnuTime ? [gnuTime, ['-f', '%U %S', '-o', cpuFile, command, ...args]] : [command, args];
  const started = performance.now();
  const run = spawnSync(file, argv, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const cpu = gnuTime ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0) : NaN;
  return { seconds, cpu, stdout: run.stdout };
}

/** Median wall and CPU seconds of `n` runs. */
function medianOf(n: number, command: string, args: string[], env?: NodeJS.ProcessEnv): { seconds: number; cpu: number; stdout: string } {
  const runs = Array.from({ length: n }, () => timed(command, args, env));
  return { seconds: median(runs.map((r) => r.seconds)), cpu: median(runs.map((r) => r.cpu)), stdout: runs[runs.length - 1].stdout };
}

const repeats = flag('--repeats', 5);
const peerRepeats = flag('--peer-repeats', 1);
const log = (line: string) => process.stderr.write(`${line}\n`);

const version = medianOf(repeats * 2, process.execPath, [bin, '--version']);
const help = medianOf(repeats * 2, process.execPath, [bin, '--help']);
const commandHelp = medianOf(repeats * 2, process.execPath, [bin, 'fit', '--help']);
const bare = medianOf(repeats * 2, process.execPath, ['-e', '0']);

const out = mkdtempSync(join(tmpdir(), 'atlas-bench-cli-'));
let atlasObjective = NaN;
let atlas: { seconds: number; cpu: number };
try {
  atlas = medianOf(repeats, process.execPath, [bin, 'fit', '--config', join(root, 'configs', 'epoch-chinchilla.yaml'), '--out', out, '--allow-outside']);
  atlasObjective = (JSON.parse(readFileSync(join(out, 'coefficients.json'), 'utf8')) as { objective: { value: number } }).objective.value;
} finally {
  rmSync(out, { recursive: true, force: true });
}

const python = findPeerPython(log);
let peer: { seconds: number; cpu: number; objective: number; version: string } | null = null;
if (python) {
  const run = medianOf(peerRepeats, python, [join(root, 'bench', 'peer', 'fit_scipy.py'), dataPath, '--starts', 'grid'], peerEnv());
  const result = JSON.parse(run.stdout) as ReturnType<typeof runPeer>;
  peer = { seconds: run.seconds, cpu: run.cpu, objective: result.objective, version: result.scipy_version };
}

rmSync(cpuFile, { force: true });
const load = loadavg()[0];
const result = {
  cores: cpus().length,
  load_1min: load,
  node_bare: bare,
  version,
  help,
  fit_help: commandHelp,
  fit_process: atlas,
  peer_process: peer,
  ratio_wall: peer ? peer.seconds / atlas.seconds : null,
  ratio_cpu: peer ? peer.cpu / atlas.cpu : null,
  objective: { atlas: atlasObjective, peer: peer?.objective ?? null },
};
if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const s = (t: { seconds: number; cpu: number }) => `${t.seconds.toFixed(3)} s (CPU ${t.cpu.toFixed(3)} s)`;
  process.stdout.write(
    `machine: ${result.cores} cores, load average ${load.toFixed(2)} (1 min); wall clock, CPU = user + system\n` +
      `node -e 0 (bare start-up)  ${s(bare)}\n` +
      `atlas --version            ${s(version)}\n` +
      `atlas --help               ${s(help)}\n` +
      `atlas fit --help           ${s(commandHelp)}\n` +
      `| benchmark | atlas | peer (same run) | peer / atlas | objective |\n|---|---|---|---|---|\n` +
      `| Epoch 4,500-start grid, whole process (atlas fit --config configs/epoch-chinchilla.yaml) | ${s(atlas)} | ` +
      (peer
        ? `${s(peer)}, python3 + scipy ${peer.version} | ${(peer.seconds / atlas.seconds).toFixed(1)}× wall, ${(peer.cpu / atlas.cpu).toFixed(1)}× CPU | ${atlasObjective.toPrecision(14)} vs ${peer.objective.toPrecision(14)} |\n`
        : 'no python3 with scipy | — | — |\n'),
  );
}
