/**
 * Speed-up of `atlas sweep --jobs 2` over `--jobs 1` on the same sweep: both run from scratch
 * (`--force`) as the user runs them (`node bin/atlas.mjs sweep …`), one after the other, plus a
 * byte-for-byte comparison of the two result folders.
 *
 *   npx tsx scripts/bench-sweep.ts [SWEEP.yaml] [--jobs J] [--repeat R]
 *   (defaults: configs/sweeps/shipped-grid.yaml, J = 2, R = 1)
 *
 * Prints both wall-clock times (the best of R alternating runs each), the ratio, whether the folders
 * are identical (timing.json aside), and for each run how busy the whole machine was (Linux
 * /proc/stat; 100 % = one core): well above 100·J % means other work shared the cores. As peers
 * measured in the same run it prints the machine's own speed-up on pure CPU workloads (the same
 * work on 1 thread, then split over J threads): a scalar loop, a matrix product and an exp/log
 * loop like the laws' residuals.
 *
 * On a shared virtual machine the J-thread speed-up of the same code moves from run to run (the
 * loop peer gave 1.75× to 1.93× within one `--repeat 3` run on the project's 2-core machine), so
 * each repeat measures the loop peer immediately before and after its sweep pair,
 * and the sweep's efficiency is its speed-up over that repeat's bound (the mean of the two); the
 * median efficiency over the repeats is the number to read.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const args = process.argv.slice(2);
const jobsFlag = args.indexOf('--jobs');
const parallel = jobsFlag >= 0 ? Number(args[jobsFlag + 1]) : 2;
const repeatFlag = args.indexOf('--repeat');
const repeat = repeatFlag >= 0 ? Number(args[repeatFlag + 1]) : 1;
const flagValues = new Set([jobsFlag, repeatFlag].filter((i) => i >= 0).map((i) => i + 1));
const config = args.find((a, i) => !a.startsWith('--') && !flagValues.has(i)) ?? 'configs/sweeps/shipped-grid.yaml';

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name !== 'timing.json') out.set(rel, readFileSync(join(dir, rel), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** Busy and total CPU ticks of the machine so far (null where /proc/stat is missing). */
function cpuTicks(): { busy: number; total: number } | null {
  if (!existsSync('/proc/stat')) return null;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3] - fields[4], total };
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Peer workloads: a scalar loop (latency-bound) and a Float64Array matrix product (like the fits' linear algebra). */
const PEERS = {
  loop: `let x = 0; for (let i = 0; i < WORK * 6e6; i++) x += Math.sqrt(i + (x % 7)); return x;`,
  matmul: `const n = 160; const a = new Float64Array(n * n).map((_, i) => Math.sin(i)); const b = new Float64Array(n * n).map((_, i) => Math.cos(i)); const c = new Float64Array(n * n);
    for (let r = 0; r < WORK * 16; r++) for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) { const v = a[i * n + k]; for (let j = 0; j < n; j++) c[i * n + j] += v * b[k * n + j]; }
    return c[0];`,
  explog: `const n = 256; const a = new Float64Array(n).map((_, i) => 1 + i / n); const out = new Float64Array(n); let s = 0;
    for (let r = 0; r < WORK * 25000; r++) { const c = r * 1e-9; for (let i = 0; i < n; i++) { const t = Math.exp(-0.3 * a[i] + c) + Math.exp(-0.2 * a[i]); out[i] = Math.log(t + 1.7); } s += out[r % n]; }
    return s;`,
};

/** Seconds for `threads` workers to share `units` units of a peer workload. */
async function peer(kind: keyof typeof PEERS, threads: number, units: number): Promise<number> {
  const code = `const { parentPort, workerData: WORK } = require('node:worker_threads'); parentPort.postMessage((() => { ${PEERS[kind]} })());`;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true, workerData: units / threads }));
  const started = performance.now();
  await Promise.all(workers.map((w) => new Promise((done) => w.once('message', done))));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return seconds;
}

const cpuCount = availableParallelism();
const scratch = mkdtempSync(join(tmpdir(), 'atlas-bench-sweep-'));
try {
  const times: Record<number, number> = { 1: Infinity, [parallel]: Infinity };
  let total = 0;
  let failed = 0;
  const peers: Record<string, { one: number; many: number }> = { loop: { one: Infinity, many: Infinity }, matmul: { one: Infinity, many: Infinity }, explog: { one: Infinity, many: Infinity } };
  const efficiency: number[] = [];
  const loopBound = async () => {
    const one = await peer('loop', 1, 10);
    const many = await peer('loop', parallel, 10);
    peers.loop.one = Math.min(peers.loop.one, one);
    peers.loop.many = Math.min(peers.loop.many, many);
    return one / many;
  };
  for (let r = 0; r < repeat; r++) {
    for (const kind of ['matmul', 'explog'] as const) {
      peers[kind].one = Math.min(peers[kind].one, await peer(kind, 1, 10));
      peers[kind].many = Math.min(peers[kind].many, await peer(kind, parallel, 10));
    }
    const before = await loopBound();
    const pair: Record<number, number> = {};
    for (const jobs of [1, parallel]) {
      const ticksBefore = cpuTicks();
      const started = performance.now();
      const run = spawnSync(process.execPath, [join(root, 'bin/atlas.mjs'), 'sweep', config, '--out', join(scratch, `j${jobs}`), '--force', '--jobs', String(jobs), '--json', '--allow-outside'], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      const seconds = (performance.now() - started) / 1000;
      const ticksAfter = cpuTicks();
      if (run.status !== 0 && run.status !== 1) throw new Error(`atlas sweep exited ${run.status}: ${run.stderr}`);
      const result = JSON.parse(run.stdout) as { ok: number; failed: number; total: number };
      const cores = ticksBefore && ticksAfter ? (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total) * cpuCount : NaN;
      // Sum of the jobs' own wall-clock seconds: equal at J = 1 and J = 2 when the jobs never wait
      // for a core (other load) and the cores do not slow each other down.
      const jobSeconds = readdirSync(join(scratch, `j${jobs}`), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .reduce((sum, e) => sum + (JSON.parse(readFileSync(join(scratch, `j${jobs}`, e.name, 'timing.json'), 'utf8')) as { seconds: number }).seconds, 0);
      times[jobs] = Math.min(times[jobs], seconds);
      pair[jobs] = seconds;
      total = result.total;
      failed = result.failed;
      process.stderr.write(`jobs=${jobs}: ${result.ok} ok, ${result.failed} failed of ${result.total} in ${seconds.toFixed(2)} s (machine busy ${(100 * cores).toFixed(0)} %, sum of job times ${jobSeconds.toFixed(2)} s)\n`);
    }
    const after = await loopBound();
    const bound = (before + after) / 2;
    efficiency.push(pair[1] / pair[parallel] / bound);
    process.stderr.write(`repeat ${r + 1}: speed-up ${(pair[1] / pair[parallel]).toFixed(2)}x, loop bound ${before.toFixed(2)}x before and ${after.toFixed(2)}x after: efficiency ${(efficiency[r]).toFixed(3)}\n`);
  }
  const a = snapshot(join(scratch, 'j1'));
  const b = snapshot(join(scratch, `j${parallel}`));
  const identical = a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  process.stdout.write(
    `sweep ${config}: ${total} jobs (${failed} failed)\n` +
      `jobs=1: ${times[1].toFixed(2)} s\n` +
      `jobs=${parallel}: ${times[parallel].toFixed(2)} s\n` +
      `speed-up: ${(times[1] / times[parallel]).toFixed(2)}x\n` +
      Object.entries(peers)
        .map(([kind, p]) => `peer ${kind}: 1 thread ${p.one.toFixed(2)} s, ${parallel} threads ${p.many.toFixed(2)} s: the machine's speed-up now is ${(p.one / p.many).toFixed(2)}x\n`)
        .join('') +
      `efficiency against the loop bound measured around each pair: ${efficiency.map((e) => e.toFixed(3)).join(', ')} (median ${[...efficiency].sort((x, y) => x - y)[Math.floor(efficiency.length / 2)].toFixed(3)})\n` +
      `results identical: ${identical ? 'yes' : 'NO'}\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
