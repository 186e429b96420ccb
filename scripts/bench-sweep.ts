/**
 * Speed-up of `atlas sweep --jobs 2` over `--jobs 1` on the same sweep, measured in one process
 * run (both from scratch, `force`), plus a byte-for-byte comparison of the two result folders.
 *
 *   npx tsx scripts/bench-sweep.ts [SWEEP.yaml] [--jobs J] [--repeat R]
 *   (defaults: configs/sweeps/shipped-grid.yaml, J = 2, R = 1)
 *
 * Prints the job count, both wall-clock times (the best of R alternating runs each), the ratio,
 * and whether the folders are identical (timing.json aside). As a peer measured in the same run it
 * also prints the machine's own speed-up on pure CPU work (the same busy loop on 1 thread, then
 * split over J threads): on a machine shared with other work that bound is below J, and the
 * sweep's ratio should be read against it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { runSweep } from '../pipeline/stages/sweep.ts';

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

/** Peer workloads: a scalar loop (latency-bound) and a Float64Array matrix product (like the fits' linear algebra). */
const PEERS = {
  loop: `let x = 0; for (let i = 0; i < WORK * 6e6; i++) x += Math.sqrt(i + (x % 7)); return x;`,
  matmul: `const n = 160; const a = new Float64Array(n * n).map((_, i) => Math.sin(i)); const b = new Float64Array(n * n).map((_, i) => Math.cos(i)); const c = new Float64Array(n * n);
    for (let r = 0; r < WORK * 16; r++) for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) { const v = a[i * n + k]; for (let j = 0; j < n; j++) c[i * n + j] += v * b[k * n + j]; }
    return c[0];`,
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

const scratch = mkdtempSync(join(tmpdir(), 'atlas-bench-sweep-'));
try {
  const times: Record<number, number> = { 1: Infinity, [parallel]: Infinity };
  let total = 0;
  let failed = 0;
  const peers: Record<string, { one: number; many: number }> = { loop: { one: Infinity, many: Infinity }, matmul: { one: Infinity, many: Infinity } };
  for (let r = 0; r < repeat; r++) {
    for (const kind of ['loop', 'matmul'] as const) {
      peers[kind].one = Math.min(peers[kind].one, await peer(kind, 1, 10));
      peers[kind].many = Math.min(peers[kind].many, await peer(kind, parallel, 10));
    }
    for (const jobs of [1, parallel]) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const result = await runSweep({ config, out: join(scratch, `j${jobs}`), jobs, force: true });
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      // Sum of the jobs' own wall-clock seconds: equal at J = 1 and J = 2 when the cores do not slow
      // each other down (shared caches, hyper-threads, other load).
      const jobSeconds = readdirSync(join(scratch, `j${jobs}`), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .reduce((sum, e) => sum + (JSON.parse(readFileSync(join(scratch, `j${jobs}`, e.name, 'timing.json'), 'utf8')) as { seconds: number }).seconds, 0);
      times[jobs] = Math.min(times[jobs], seconds);
      total = result.total;
      failed = result.failed;
      process.stderr.write(`jobs=${jobs}: ${result.ok} ok, ${result.failed} failed of ${result.total} in ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s, sum of job times ${jobSeconds.toFixed(2)} s)\n`);
    }
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
      `results identical: ${identical ? 'yes' : 'NO'}\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
