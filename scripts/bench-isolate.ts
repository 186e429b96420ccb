/**
 * What a second lane costs in CPU: a fresh V8 isolate runs a sweep's jobs slower than one that has
 * run such jobs before, because it runs them unoptimised at first and compiles them (TurboFan, on
 * V8's background threads). `atlas sweep --jobs 2` has two isolates that each start fresh over
 * half the jobs; each of the two copies that make the machine's bound (bench-sweep.ts) starts
 * fresh once over all 40. This measures that difference on the sweep's own jobs.
 *
 *   npx tsx scripts/bench-isolate.ts [SWEEP.yaml] [--repeat R]
 *   (defaults: configs/sweeps/shipped-grid.yaml, R = 3)
 *
 * Each repeat runs two plain `node` processes over the compiled modules (dist/), one after the
 * other: A runs the sweep's even-numbered jobs and then its odd-numbered ones, B the odd and then
 * the even. Each half thus runs once in a fresh isolate and once in a warm one. A.even + B.odd is
 * what the two lanes of `--jobs 2` spend (two fresh isolates, half the jobs each); one process
 * over the whole sweep, as each of the two copies, spends W = A.even + A.odd (or B's), so the
 * second lane costs X = ((A.even + B.odd) − (A.odd + B.even)) / 2, the mean of the two. Each side
 * of that difference takes one half from each process, so a machine that changes speed between A
 * and B cancels out. Split into the job thread's CPU (Linux /proc/thread-self) and the other
 * threads' (V8's compilers and garbage collector). W / (W + X) is the efficiency against two copies
 * that this cost alone leaves `--jobs 2` (before its worker's start-up and the lanes' uneven ends).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, medianInterval } from './median.ts';

const args = process.argv.slice(2);
const repeatFlag = args.indexOf('--repeat');
const repeat = repeatFlag >= 0 ? Number(args[repeatFlag + 1]) : 3;
const config = args.find((a, i) => !a.startsWith('--') && (repeatFlag < 0 || i !== repeatFlag + 1)) ?? 'configs/sweeps/shipped-grid.yaml';
const root = fileURLToPath(new URL('..', import.meta.url));

interface Half { offset: number; jobs: number; cpu: number; main: number }

/** One process: the jobs at `first` (0 even, 1 odd) and then the others; the CPU of each half. */
function runHalves(first: number, out: string): Half[] {
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(root, 'dist', path)).href);
  const code = `import { readFileSync } from 'node:fs';
    const { planSweep } = await import(${dist('sweep/index.js')});
    const { executeJob, jobInputs } = await import(${dist('sweep/jobs.js')});
    const { specs } = await planSweep(${JSON.stringify(config)}, [], true);
    const thread = () => { try { const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; } catch { return NaN; } };
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
    const halves = [];
    for (const offset of [${first}, ${1 - first}]) {
      const c0 = cpu(), m0 = thread();
      let jobs = 0;
      for (let i = offset; i < specs.length; i += 2) jobs += (await executeJob(specs[i], await jobInputs(specs[i]), ${JSON.stringify(out)})).seconds;
      halves.push({ offset, jobs, cpu: cpu() - c0, main: thread() - m0 });
    }
    console.log(JSON.stringify(halves));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bench-isolate: ${run.stderr}`);
  return JSON.parse(run.stdout) as Half[];
}

const scratch = mkdtempSync(join(tmpdir(), 'atlas-bench-isolate-'));
try {
  const extra: number[] = [];
  const extraMain: number[] = [];
  const extraOther: number[] = [];
  const whole: number[] = [];
  const allowed: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const a = runHalves(0, join(scratch, 'a'));
    const b = runHalves(1, join(scratch, 'b'));
    // a[0]: even, fresh; a[1]: odd, warm; b[0]: odd, fresh; b[1]: even, warm.
    const fresh = (k: keyof Half) => a[0][k] + b[0][k];
    const warm = (k: keyof Half) => a[1][k] + b[1][k];
    const x = (fresh('cpu') - warm('cpu')) / 2;
    const w = (a[0].cpu + a[1].cpu + b[0].cpu + b[1].cpu) / 2;
    extra.push(x);
    extraMain.push((fresh('main') - warm('main')) / 2);
    extraOther.push((fresh('cpu') - fresh('main') - (warm('cpu') - warm('main'))) / 2);
    whole.push(w);
    allowed.push(w / (w + x));
    process.stderr.write(`repeat ${r + 1}: fresh halves ${fresh('cpu').toFixed(2)} CPU s (job thread ${fresh('main').toFixed(2)}), warm halves ${warm('cpu').toFixed(2)} (job thread ${warm('main').toFixed(2)}); the second lane's extra CPU ${x.toFixed(2)} s; one process over the whole sweep ${w.toFixed(2)} CPU s; allows ${(w / (w + x)).toFixed(3)}\n`);
  }
  const interval = medianInterval(extra);
  const list = (v: number[], digits = 2) => v.map((x) => x.toFixed(digits)).join(', ');
  process.stdout.write(
    `sweep ${config}: a fresh isolate against a warm one, the same half of the jobs (${repeat} repeats)\n` +
      `CPU of the second lane, beyond one process over the whole sweep: ${list(extra)} s (median ${median(extra).toFixed(2)}${interval ? `, interval ${interval.lo.toFixed(2)}–${interval.hi.toFixed(2)}` : ''})\n` +
      `  of it on the job thread: ${list(extraMain)} s (median ${median(extraMain).toFixed(2)}); on V8's other threads (compilers, garbage collector): ${list(extraOther)} s (median ${median(extraOther).toFixed(2)})\n` +
      `one process over the whole sweep: ${list(whole, 1)} CPU s (median ${median(whole).toFixed(1)})\n` +
      `efficiency of --jobs 2 against two copies that this cost alone allows, W / (W + extra): ${list(allowed, 3)} (median ${median(allowed).toFixed(3)})\n`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
