/**
 * How much compiling a fresh V8 isolate does over one lane's share of a sweep: every `atlas`
 * process and every sweep worker starts with nothing compiled, and the optimising compiler
 * (TurboFan, on V8's background threads) compiles the fitting code from what it has seen it do so
 * far. Code that then does something new (a second law, a parameter on a bound, the first Huber
 * fit) throws the compiled code away (a deoptimisation) and it is compiled again. That is the
 * larger part of what the second lane of `atlas sweep --jobs 2` costs beyond one process
 * (scripts/bench-isolate.ts).
 *
 *   npx tsx scripts/bench-compile.ts [SWEEP.yaml] [--peer DIR] [--repeat R]
 *   (defaults: configs/sweeps/shipped-grid.yaml, no peer, R = 1)
 *
 * Each run is a plain `node --trace-opt --trace-deopt` process over the compiled modules (dist/)
 * that runs the sweep's even-numbered jobs, as the main thread's lane of `--jobs 2` roughly does.
 * From V8's trace it counts the TurboFan compilations (and of them the on-stack replacements), the
 * milliseconds they took, the deoptimisations and the compiled code thrown away because an
 * assumption it made no longer holds ("code dependencies"), and the functions compiled most.
 * `--peer DIR` runs the same in another built checkout (another commit's `npm ci`), alternating
 * with this one, and prints this checkout's counts over the peer's. The counts depend on what V8
 * sees when it decides, and so vary a little from run to run; the milliseconds follow the
 * machine's speed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './median.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const repeat = Number(flag('--repeat') ?? 1);
const peer = flag('--peer');
const flagValues = new Set(['--repeat', '--peer'].map((f) => args.indexOf(f)).filter((i) => i >= 0).map((i) => i + 1));
const config = resolve(args.find((a, i) => !a.startsWith('--') && !flagValues.has(i)) ?? 'configs/sweeps/shipped-grid.yaml');
const here = fileURLToPath(new URL('..', import.meta.url));

interface Trace {
  compiles: number;
  osr: number;
  ms: number;
  deopts: number;
  dependencies: number;
  seconds: number;
  byFunction: Map<string, { count: number; ms: number }>;
}

/** One fresh process over the even-numbered jobs of `config`, with V8's compiler trace. */
function traced(root: string, out: string): Trace {
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(root, 'dist', path)).href);
  const code = `const { planSweep } = await import(${dist('sweep/index.js')});
    const { executeJob, jobInputs } = await import(${dist('sweep/jobs.js')});
    const { specs } = await planSweep(${JSON.stringify(config)}, [], true);
    let seconds = 0;
    for (let i = 0; i < specs.length; i += 2) seconds += (await executeJob(specs[i], await jobInputs(specs[i]), ${JSON.stringify(out)})).seconds;
    console.log('bench-compile seconds ' + seconds);`;
  const run = spawnSync(process.execPath, ['--trace-opt', '--trace-deopt', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`bench-compile (${root}): ${run.stderr}`);
  const trace: Trace = { compiles: 0, osr: 0, ms: 0, deopts: 0, dependencies: 0, seconds: NaN, byFunction: new Map() };
  for (const line of run.stdout.split('\n')) {
    const compiled = /^\[completed compiling .*<JSFunction (\S*)[^>]*> \(target TURBOFAN\)( OSR)? - took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(line);
    if (compiled) {
      const ms = Number(compiled[3]) + Number(compiled[4]) + Number(compiled[5]);
      const name = compiled[1] === '(sfi' ? '(anonymous)' : compiled[1];
      trace.compiles++;
      if (compiled[2]) trace.osr++;
      trace.ms += ms;
      const entry = trace.byFunction.get(name) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += ms;
      trace.byFunction.set(name, entry);
    } else if (line.startsWith('[bailout (kind: deopt-eager') || line.startsWith('[bailout (kind: deopt-soft')) trace.deopts++;
    else if (line.startsWith('[marking dependent code')) trace.dependencies++;
    else if (line.startsWith('bench-compile seconds ')) trace.seconds = Number(line.slice('bench-compile seconds '.length));
  }
  return trace;
}

const roots = peer ? [{ label: 'this checkout', root: here }, { label: `peer ${peer}`, root: resolve(peer) }] : [{ label: 'this checkout', root: here }];
const scratch = mkdtempSync(join(tmpdir(), 'atlas-bench-compile-'));
try {
  const runs = new Map<string, Trace[]>(roots.map((r) => [r.label, []]));
  for (let r = 0; r < repeat; r++) {
    // Alternating order, so that a machine changing speed favours neither side.
    for (const { label, root } of r % 2 ? [...roots].reverse() : roots) {
      const trace = traced(root, join(scratch, `${r}-${runs.get(label)!.length}`));
      runs.get(label)!.push(trace);
      process.stderr.write(`${label}: ${trace.compiles} compilations (${trace.osr} OSR) in ${trace.ms.toFixed(0)} ms, ${trace.deopts} deoptimisations, ${trace.dependencies} invalidated by dependencies; jobs ${trace.seconds.toFixed(2)} s\n`);
    }
  }
  const summary = (traces: Trace[]) => ({
    compiles: median(traces.map((t) => t.compiles)),
    ms: median(traces.map((t) => t.ms)),
    deopts: median(traces.map((t) => t.deopts)),
    dependencies: median(traces.map((t) => t.dependencies)),
    seconds: median(traces.map((t) => t.seconds)),
  });
  let text = `sweep ${config}: one fresh process over the even-numbered jobs, ${repeat} run${repeat > 1 ? 's' : ''} each (medians)\n`;
  for (const { label } of roots) {
    const traces = runs.get(label)!;
    const s = summary(traces);
    const top = [...traces[traces.length - 1].byFunction].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
    text += `${label}: ${s.compiles} TurboFan compilations in ${s.ms.toFixed(0)} ms; ${s.deopts} deoptimisations; ${s.dependencies} compiled functions invalidated by dependencies; the jobs ${s.seconds.toFixed(2)} s\n` +
      `  compiled most (last run): ${top.map(([name, e]) => `${name} ${e.count}× ${e.ms.toFixed(0)} ms`).join(', ')}\n`;
  }
  if (peer) {
    const a = summary(runs.get(roots[0].label)!);
    const b = summary(runs.get(roots[1].label)!);
    text += `this checkout over the peer: compilations ${(a.compiles / b.compiles).toFixed(2)}, compile ms ${(a.ms / b.ms).toFixed(2)}, deoptimisations ${(a.deopts / b.deopts).toFixed(2)}, the jobs' seconds ${(a.seconds / b.seconds).toFixed(3)}\n`;
  }
  process.stdout.write(text);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
