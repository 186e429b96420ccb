/**
 * Speed-up of `atlas sweep --jobs 2` over `--jobs 1` on the same sweep, measured in one process
 * run (both from scratch, `force`), plus a byte-for-byte comparison of the two result folders.
 *
 *   npx tsx scripts/bench-sweep.ts [SWEEP.yaml] [--jobs J]     (default configs/sweeps/bench.yaml, J = 2)
 *
 * Prints the job count, both wall-clock times, the ratio, and whether the folders are identical
 * (timing.json aside). Other processes on the machine slow both runs alike only if they run
 * throughout: run it on an otherwise idle machine.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runSweep } from '../pipeline/stages/sweep.ts';

const args = process.argv.slice(2);
const jobsFlag = args.indexOf('--jobs');
const parallel = jobsFlag >= 0 ? Number(args[jobsFlag + 1]) : 2;
const config = args.find((a, i) => !a.startsWith('--') && (jobsFlag < 0 || i !== jobsFlag + 1)) ?? 'configs/sweeps/bench.yaml';

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
  const times: Record<number, number> = {};
  let total = 0;
  let failed = 0;
  for (const jobs of [1, parallel]) {
    const started = performance.now();
    const result = await runSweep({ config, out: join(scratch, `j${jobs}`), jobs, force: true });
    times[jobs] = (performance.now() - started) / 1000;
    total = result.total;
    failed = result.failed;
    process.stderr.write(`jobs=${jobs}: ${result.ok} ok, ${result.failed} failed of ${result.total} in ${times[jobs].toFixed(2)} s\n`);
  }
  const a = snapshot(join(scratch, 'j1'));
  const b = snapshot(join(scratch, `j${parallel}`));
  const identical = a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  process.stdout.write(
    `sweep ${config}: ${total} jobs (${failed} failed)\n` +
      `jobs=1: ${times[1].toFixed(2)} s\n` +
      `jobs=${parallel}: ${times[parallel].toFixed(2)} s\n` +
      `speed-up: ${(times[1] / times[parallel]).toFixed(2)}x\n` +
      `results identical: ${identical ? 'yes' : 'NO'}\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
