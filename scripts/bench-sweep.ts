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
const config = args.find((a, i) => !a.startsWith('--') && i !== jobsFlag + 1 && i !== repeatFlag + 1) ?? 'configs/sweeps/shipped-grid.yaml';

/** Seconds for `threads` workers to run `total` busy-loop iterations between them. */
async function busy(threads: number, total: number): Promise<number> {
  const code = `const { parentPort, workerData } = require('node:worker_threads');
    let x = 0; for (let i = 0; i < workerData; i++) x += Math.sqrt(i + x % 7);
    parentPort.postMessage(x);`;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true, workerData: Math.floor(total / threads) }));
  const started = performance.now();
  await Promise.all(workers.map((w) => new Promise((done) => w.once('message', done))));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return seconds;
}

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

const scratch = mkdtempSync(join(tmpdir(), 'atlas-bench-sweep-'));
try {
  const times: Record<number, number> = { 1: Infinity, [parallel]: Infinity };
  let total = 0;
  let failed = 0;
  const calibration = { one: Infinity, many: Infinity };
  for (let r = 0; r < repeat; r++) {
    calibration.one = Math.min(calibration.one, await busy(1, 6e7));
    calibration.many = Math.min(calibration.many, await busy(parallel, 6e7));
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
      `peer: busy loop on 1 thread ${calibration.one.toFixed(2)} s, on ${parallel} threads ${calibration.many.toFixed(2)} s: the machine's speed-up now is ${(calibration.one / calibration.many).toFixed(2)}x\n` +
      `results identical: ${identical ? 'yes' : 'NO'}\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
