/**
 * Speed-up of `atlas sweep --jobs 2` over `--jobs 1` on the same sweep: both run from scratch
 * (`--force`) as the user runs them (`node bin/atlas.mjs sweep …`), one after the other, plus a
 * byte-for-byte comparison of the two result folders.
 *
 *   npx tsx scripts/bench-sweep.ts [SWEEP.yaml] [--jobs J] [--repeat R] [--single-once]
 *   (defaults: configs/sweeps/shipped-grid.yaml, J = 2, R = 1)
 *
 * `--single-once` runs the `--jobs 1` sweep and the loop peers in the first repeat only: the
 * efficiency needs only the `--jobs J` sweep and its copies, so more repeats fit in the same time
 * (the speed-up and the bound's speed-up then use that one `--jobs 1` time).
 *
 * The bound: J copies of the `--jobs 1` sweep run at once as J separate processes (J × the work,
 * nothing shared, nothing to schedule). That is the machine's own J-thread throughput on exactly
 * this work, with whatever the cores lose to each other (a shared core's execution units and
 * caches, V8's garbage-collector threads, which at `--jobs 1` run on the idle core), so the
 * speed-up of `--jobs J` can at best be J × T(1) / T(J copies). The efficiency of `--jobs J` is its
 * speed-up over that bound, T(J copies) / (J × T(--jobs J)): 1 when the sweep's lanes are as busy
 * as J independent processes. On a shared virtual machine the speed of the same code drifts from
 * minute to minute, so each repeat measures the bound next to its `--jobs J` sweep (the two in
 * alternating order from repeat to repeat), and the median efficiency over the repeats is the
 * number to read, with a distribution-free interval for it (order statistics; 5 or more repeats):
 * an interval that straddles 0.95 means the run cannot tell whether `--jobs J` is within 5 % of
 * the bound.
 *
 * Beside that bound, each repeat runs the sweep split by hand: J plain processes taking jobs from
 * one list (scripts/bench-sweep-split.mjs), each paying its own start-up and warm-up once, as each
 * lane of `--jobs J` does. The bound above charges those once per J × 40 jobs; any J-lane run of
 * one sweep pays them once per 40 / J. The split's time over `--jobs J`'s, per repeat, says whether
 * atlas's lanes lose anything that J independent processes on the same job list do not.
 *
 * For context it also prints the machine's speed-up on three pure CPU workloads (the same work on
 * 1 thread, then split over J threads): a scalar loop, a matrix product and an exp/log loop like
 * the laws' residuals; and for each run how busy the whole machine was (Linux /proc/stat; in
 * cores) and the CPU time it used: well above J cores means other work shared the machine. The
 * CPU time `--jobs J` uses beyond one copy's (the same jobs in one lane) is what the extra lanes
 * cost: as far as it is a fixed cost per lane (scripts/bench-isolate.ts), the efficiency rises on
 * a longer sweep (configs/sweeps/shipped-grid-long.yaml: the same grid with 4× the bootstrap
 * replicates), which runs there have not always shown (docs/benchmarks.md).
 * From the jobs' own timing.json it splits each run's time in two: the jobs' seconds, and what the
 * lanes spend outside them (J × T − the jobs' seconds for `--jobs J`, T − the jobs' seconds for
 * one copy). The first is where the machine's drift shows; the second is the lanes' fixed cost.
 * Last, the CPU time a compiled worker takes to load the bundle's job runner, handed the fit
 * configs planning loaded (as `--jobs J` does) and without them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { median, medianInterval } from './median.ts';

const args = process.argv.slice(2);
const jobsFlag = args.indexOf('--jobs');
const parallel = jobsFlag >= 0 ? Number(args[jobsFlag + 1]) : 2;
const repeatFlag = args.indexOf('--repeat');
const repeat = repeatFlag >= 0 ? Number(args[repeatFlag + 1]) : 1;
const flagValues = new Set([jobsFlag, repeatFlag].filter((i) => i >= 0).map((i) => i + 1));
const singleOnce = args.includes('--single-once');
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

/** The jobs' own seconds in a sweep folder, summed (each job's timing.json). */
function jobSeconds(dir: string): number {
  let sum = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const timing = join(dir, entry.name, 'timing.json');
    if (entry.isDirectory() && existsSync(timing)) sum += (JSON.parse(readFileSync(timing, 'utf8')) as { seconds: number }).seconds;
  }
  return sum;
}

/** Busy and total CPU ticks of the machine so far (null where /proc/stat is missing). */
function cpuTicks(): { busy: number; total: number } | null {
  if (!existsSync('/proc/stat')) return null;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3] - fields[4], total };
}

const root = fileURLToPath(new URL('..', import.meta.url));
/** Linux's USER_HZ: /proc/stat counts CPU time in hundredths of a second. */
const TICKS_PER_SECOND = 100;

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

/**
 * CPU time (ms, every thread of the process) from starting a compiled sweep worker until it has
 * loaded its modules, median of `tries`, handed the fit configs planning loaded (as `--jobs J`
 * does) or not (then it loads the YAML parser and the config schema too). The worker loads the
 * bundle's job runner (dist/cli/), as the `atlas` command's workers do. Measured in a plain
 * `node` process like the CLI's, not in this one (tsx's loader would add its own work); the worker
 * gets no execArgv, as the CLI's workers have none.
 */
function workerStartup(config: string, tries: number): { shared: number; bare: number } {
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(root, 'dist', path)).href);
  const code = `import { Worker } from 'node:worker_threads';
    const { planSweep } = await import(${dist('sweep/index.js')});
    const { shareJobKinds } = await import(${dist('sweep/jobs.js')});
    await planSweep(${JSON.stringify(config)}, [], true);
    const cpu = async (shared) => {
      const before = process.cpuUsage();
      const worker = new Worker(new URL(${dist('sweep/worker.mjs')}), { execArgv: [], workerData: { plugins: [], kinds: ['fit'], shared, bundle: ${dist('cli/')} } });
      await new Promise((done) => worker.on('message', (m) => { if (m.type === 'ready') done(); }));
      const used = process.cpuUsage(before);
      await worker.terminate();
      return (used.user + used.system) / 1000;
    };
    const shared = [], bare = [];
    for (let t = 0; t < ${tries}; t++) { shared.push(await cpu(shareJobKinds(['fit']))); bare.push(await cpu(undefined)); }
    console.log(JSON.stringify({ shared, bare }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`worker start-up: ${run.stderr}`);
  const { shared, bare } = JSON.parse(run.stdout) as { shared: number[]; bare: number[] };
  return { shared: median(shared), bare: median(bare) };
}

/** `node ARGS` for each entry of `argLists`, all at once: each process's exit status and output. */
function nodeProcesses(argLists: string[][]): Promise<{ status: number | null; stdout: string; stderr: string }[]> {
  return Promise.all(argLists.map((argv) => new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, argv);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (status) => done({ status, stdout, stderr }));
  })));
}

const cpuCount = availableParallelism();
const scratch = mkdtempSync(join(tmpdir(), 'atlas-bench-sweep-'));
try {
  const times: Record<number, number> = { 1: Infinity, [parallel]: Infinity };
  let total = 0;
  let failed = 0;
  const peers: Record<string, { one: number; many: number }> = { loop: { one: Infinity, many: Infinity }, matmul: { one: Infinity, many: Infinity }, explog: { one: Infinity, many: Infinity } };
  const efficiency: number[] = [];
  const bounds: number[] = [];
  const extraCpu: number[] = [];
  const splitRatio: number[] = [];
  const splitEfficiency: number[] = [];
  const jobsRatio: number[] = [];
  const fixedMany: number[] = [];
  const fixedCopy: number[] = [];
  /** J plain processes splitting the sweep's jobs by hand (bench-sweep-split.mjs); seconds until all are done. */
  const split = async () => {
    const out = join(scratch, 'split');
    rmSync(out, { recursive: true, force: true });
    const claims = join(scratch, 'split-claims');
    rmSync(claims, { recursive: true, force: true });
    const started = performance.now();
    const runs = await nodeProcesses(Array.from({ length: parallel }, () => [join(root, 'scripts/bench-sweep-split.mjs'), config, out, claims]));
    const seconds = (performance.now() - started) / 1000;
    for (const run of runs) if (run.status !== 0 && run.status !== 1) throw new Error(`bench-sweep-split exited ${run.status}: ${run.stderr}`);
    process.stderr.write(`split: ${parallel} processes over one job list in ${seconds.toFixed(2)} s\n`);
    return seconds;
  };
  /** Run `count` copies of the sweep at once (separate processes and folders); seconds until all are done. */
  const sweeps = async (jobs: number, count: number, label: string) => {
    const ticksBefore = cpuTicks();
    const started = performance.now();
    const runs = await nodeProcesses(Array.from({ length: count }, (_, k) => [join(root, 'bin/atlas.mjs'), 'sweep', config, '--out', join(scratch, count > 1 ? `${label}-${k}` : label), '--force', '--jobs', String(jobs), '--json', '--allow-outside']));
    const seconds = (performance.now() - started) / 1000;
    const ticksAfter = cpuTicks();
    for (const run of runs) if (run.status !== 0 && run.status !== 1) throw new Error(`atlas sweep exited ${run.status}: ${run.stderr}`);
    const result = JSON.parse(runs[0].stdout) as { ok: number; failed: number; total: number };
    const busy = ticksBefore && ticksAfter ? (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total) : NaN;
    const cores = busy * cpuCount;
    const cpuSeconds = ticksBefore && ticksAfter ? (ticksAfter.busy - ticksBefore.busy) / TICKS_PER_SECOND : NaN;
    total = result.total;
    failed = result.failed;
    process.stderr.write(`${label}: ${count > 1 ? `${count} copies of --jobs ${jobs}` : `--jobs ${jobs}`}, ${result.ok} ok, ${result.failed} failed of ${result.total} in ${seconds.toFixed(2)} s (machine busy ${cores.toFixed(2)} cores, ${cpuSeconds.toFixed(1)} CPU s)\n`);
    return { seconds, cpuSeconds };
  };
  for (let r = 0; r < repeat; r++) {
    for (const kind of r === 0 || !singleOnce ? (['loop', 'matmul', 'explog'] as const) : []) {
      peers[kind].one = Math.min(peers[kind].one, await peer(kind, 1, 10));
      peers[kind].many = Math.min(peers[kind].many, await peer(kind, parallel, 10));
    }
    const one = r === 0 || !singleOnce ? (await sweeps(1, 1, 'j1')).seconds : times[1];
    // The three in rotating order, so that a machine speeding up or slowing down over the run
    // favours none.
    let many = NaN, manyCpu = NaN, copies = NaN, copiesCpu = NaN, splitSeconds = NaN;
    const steps = [
      async () => { ({ seconds: many, cpuSeconds: manyCpu } = await sweeps(parallel, 1, `j${parallel}`)); },
      async () => { splitSeconds = await split(); },
      async () => { ({ seconds: copies, cpuSeconds: copiesCpu } = await sweeps(1, parallel, 'copies')); },
    ];
    for (let k = 0; k < steps.length; k++) await steps[(r + k) % steps.length]();
    splitRatio.push(splitSeconds / many);
    splitEfficiency.push(copies / (parallel * splitSeconds));
    // CPU time the J lanes spend beyond one copy's (the same jobs in one lane): what the J − 1 extra
    // lanes cost, whatever the sweep's length (a fresh V8 isolate runs the code unoptimised at
    // first and compiles it again; its heap grows from nothing).
    extraCpu.push(manyCpu - copiesCpu / parallel);
    // The jobs' own seconds (timing.json) against the wall clock: what the J lanes spend outside
    // their jobs (start-up, waiting, exit), J × T − the jobs' seconds, against what one copy spends
    // outside its jobs; and the jobs' seconds of --jobs J over one copy's (the same jobs: above 1,
    // they ran slower, the lanes' warm-up included).
    const copyJobs = Array.from({ length: parallel }, (_, k) => jobSeconds(join(scratch, `copies-${k}`))).reduce((x, y) => x + y, 0) / parallel;
    const manyJobs = jobSeconds(join(scratch, `j${parallel}`));
    jobsRatio.push(manyJobs / copyJobs);
    fixedMany.push(parallel * many - manyJobs);
    fixedCopy.push(copies - copyJobs);
    times[1] = Math.min(times[1], one);
    times[parallel] = Math.min(times[parallel], many);
    const bound = (parallel * one) / copies;
    bounds.push(bound);
    efficiency.push(copies / (parallel * many));
    process.stderr.write(`repeat ${r + 1}: speed-up ${(one / many).toFixed(2)}x; ${parallel} independent --jobs 1 sweeps at once: bound ${bound.toFixed(2)}x; efficiency ${efficiency[r].toFixed(3)} (the split by hand: ${splitEfficiency[r].toFixed(3)}); split / --jobs ${parallel} ${splitRatio[r].toFixed(3)}; --jobs ${parallel} CPU beyond one copy's ${extraCpu[r].toFixed(1)} s; outside the jobs: --jobs ${parallel}'s lanes ${fixedMany[r].toFixed(2)} s, a copy ${fixedCopy[r].toFixed(2)} s; jobs' seconds over a copy's ${jobsRatio[r].toFixed(3)}\n`);
  }
  const interval = medianInterval(efficiency);
  const splitInterval = medianInterval(splitRatio);
  const startupTries = 5;
  const startup = workerStartup(config, startupTries);
  const a = snapshot(join(scratch, 'j1'));
  const b = snapshot(join(scratch, `j${parallel}`));
  const identical = a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  // The split writes the job folders only (no index): each file as --jobs 1 wrote it.
  const c = snapshot(join(scratch, 'split'));
  const splitIdentical = c.size > 0 && [...c].every(([k, v]) => a.get(k) === v);
  process.stdout.write(
    `sweep ${config}: ${total} jobs (${failed} failed)\n` +
      `jobs=1: ${times[1].toFixed(2)} s\n` +
      `jobs=${parallel}: ${times[parallel].toFixed(2)} s\n` +
      `speed-up: ${(times[1] / times[parallel]).toFixed(2)}x\n` +
      Object.entries(peers)
        .map(([kind, p]) => `peer ${kind}: 1 thread ${p.one.toFixed(2)} s, ${parallel} threads ${p.many.toFixed(2)} s: the machine's speed-up now is ${(p.one / p.many).toFixed(2)}x\n`)
        .join('') +
      `bound (${parallel} independent --jobs 1 sweeps at once): ${bounds.map((b) => `${b.toFixed(2)}x`).join(', ')}\n` +
      `efficiency against that bound: ${efficiency.map((e) => e.toFixed(3)).join(', ')} (median ${median(efficiency).toFixed(3)}; bound ${median(bounds).toFixed(2)}x)\n` +
      `median efficiency, distribution-free interval: ${interval ? `${interval.lo.toFixed(3)}–${interval.hi.toFixed(3)} (${(100 * interval.coverage).toFixed(0)} % coverage over ${efficiency.length} repeats)` : 'needs --repeat 5 or more'}\n` +
      `the same sweep split by hand (${parallel} processes over one job list), efficiency against that bound: ${splitEfficiency.map((e) => e.toFixed(3)).join(', ')} (median ${median(splitEfficiency).toFixed(3)})\n` +
      `split time / --jobs ${parallel} time: ${splitRatio.map((e) => e.toFixed(3)).join(', ')} (median ${median(splitRatio).toFixed(3)}${splitInterval ? `, interval ${splitInterval.lo.toFixed(3)}–${splitInterval.hi.toFixed(3)}` : ''}; above 1: --jobs ${parallel} is faster)\n` +
      `CPU of --jobs ${parallel} beyond one copy's (the same jobs on one lane): ${extraCpu.map((c) => `${c.toFixed(1)} s`).join(', ')} (median ${median(extraCpu).toFixed(1)} s)\n` +
      `outside the jobs (wall × lanes − the jobs' own seconds): --jobs ${parallel}'s ${parallel} lanes ${fixedMany.map((c) => c.toFixed(2)).join(', ')} s (median ${median(fixedMany).toFixed(2)}); one copy ${fixedCopy.map((c) => c.toFixed(2)).join(', ')} s (median ${median(fixedCopy).toFixed(2)})\n` +
      `the jobs' own seconds, --jobs ${parallel} over one copy's: ${jobsRatio.map((c) => c.toFixed(3)).join(', ')} (median ${median(jobsRatio).toFixed(3)})\n` +
      `worker start-up (until loaded, median of ${startupTries}): ${startup.shared.toFixed(0)} ms CPU given the configs planning loaded, ${startup.bare.toFixed(0)} ms without\n` +
      `results identical: ${identical ? 'yes' : 'NO'} (the split's job folders: ${splitIdentical ? 'yes' : 'NO'})\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
