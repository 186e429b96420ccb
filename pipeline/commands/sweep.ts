/**
 * `atlas sweep CONFIG [--shard I/N] [--resume] [--jobs J] [--out DIR]` and
 * `atlas sweep merge DIR… [--out DIR]`: thin wrapper over pipeline/sweep/sweep.ts with a progress
 * bar on stderr (plain lines when stderr is not a terminal). Exit 1 when a job failed (the sweep
 * still runs every other job) or, after a merge, when a job is missing.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import type { Argv, CommandModule } from 'yargs';
import { loadSweep } from '../sweep/schema.ts';
import { mergeSweeps, planSweep, runSweep, type SweepEvent, type SweepResult } from '../sweep/sweep.ts';
import { parseShard, shardOf } from '../sweep/expand.ts';
import { InputError } from '../io/types.ts';
import { outputPath } from '../io/paths.ts';
import { returnsExitCode } from './common.ts';

interface SweepArgs {
  config: string;
  dirs?: string[];
  shard?: string;
  resume?: boolean;
  force?: boolean;
  jobs: number;
  out?: string;
  plugin?: string[];
  report?: boolean;
  list?: boolean;
  json?: boolean;
  'allow-outside'?: boolean;
}

/** Progress on stderr: a bar on a terminal, one line per finished job otherwise. */
function progressReporter(stream: NodeJS.WriteStream): { onEvent: (event: SweepEvent) => void; stop: () => void } {
  const tty = Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let total = 0;
  let done = 0;
  let failed = 0;
  const onEvent = (event: SweepEvent) => {
    if (event.type === 'plan') {
      total = event.todo;
      stream.write(`atlas sweep: ${event.total} jobs, ${event.mine} in this shard, ${event.upToDate} up to date, ${event.todo} to run\n`);
      if (tty && total > 0) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: 'sweep {bar} {value}/{total} jobs | failed {failed} | ETA {eta_formatted} | {job}',
            etaBuffer: 8,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { failed: 0, job: '' });
      }
      return;
    }
    if (event.type === 'start') {
      bar?.update(done, { failed, job: event.name });
      return;
    }
    done += 1;
    if (event.status === 'failed') failed += 1;
    if (bar) {
      bar.update(done, { failed, job: event.name });
    } else {
      const status = event.status === 'ok' ? 'ok' : `FAILED: ${(event.error ?? '').split('\n')[0]}`;
      stream.write(`[${done}/${total}] ${event.name} ${status} (${event.seconds.toFixed(1)} s, ${failed} failed)\n`);
    }
  };
  return { onEvent, stop: () => bar?.stop() };
}

function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** Write the closing lines; returns the exit code (1 when a job failed or is missing). */
function finish(result: SweepResult, args: SweepArgs): number {
  let code = 0;
  const err = process.stderr;
  for (const failure of result.failures) {
    const lines = failure.error.split('\n');
    const shown = lines.slice(0, 5).join('\n    ');
    const more = lines.length > 5 ? `\n    … ${lines.length - 5} more (${failure.name}/job.json has them all)` : '';
    err.write(`atlas sweep: job ${failure.name} failed: ${shown}${more}\n`);
  }
  err.write(
    `atlas sweep: ${result.sweep}: ${result.ok} ok, ${result.failed} failed, ${result.pending} pending of ${result.total}` +
      ` (ran ${result.ran}, up to date ${result.skipped}); index ${show(result.index)}, summary ${show(result.summary)}\n`,
  );
  // The result on stdout: the JSON, or the path of the sweep's summary table.
  process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${show(result.summary)}\n`);
  if (result.failures.length > 0) code = 1;
  if (args.config === 'merge' && result.pending > 0) {
    err.write(`atlas sweep merge: ${result.pending} job(s) missing from every folder\n`);
    code = 1;
  }
  return code;
}

/** Run the report stage over a finished sweep folder (loaded only when a report is asked for). */
async function report(dir: string): Promise<void> {
  const { buildReport } = await import('../report/report.ts');
  const { path } = await buildReport(dir);
  process.stderr.write(`atlas sweep: report written to ${show(path)}\n`);
  process.stdout.write(`${show(path)}\n`);
}

/** A `--plugin` value as an import specifier: a file (path, or a name that looks like one) or a package. */
function pluginSpecifier(p: string): string {
  if (existsSync(p) || /^[./]|\.(m?[jt]s|cjs)$/.test(p)) return pathToFileURL(p).href;
  return p;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <config> [dirs..]',
  describe: 'run every job of a sweep config (or: sweep merge DIR… to merge shard folders)',
  builder: (yargs: Argv) =>
    yargs
      .positional('config', { type: 'string', describe: 'sweep config (YAML), or `merge` followed by sweep folders', demandOption: true })
      .positional('dirs', { type: 'string', array: true, describe: 'with `merge`: the sweep folders to merge' })
      .option('shard', { type: 'string', describe: 'run only shard I of N (1-based, e.g. 2/4); jobs are assigned by name' })
      .option('resume', { type: 'boolean', default: false, describe: 'finish an interrupted sweep: keep every finished job (failed ones too) whose inputs are unchanged' })
      .option('force', { type: 'boolean', default: false, describe: 'rerun every job, even up-to-date ones' })
      .option('jobs', { alias: 'j', type: 'number', default: 1, describe: 'worker threads' })
      .option('out', { type: 'string', describe: 'output folder (default: results/<sweep>; for merge: the first folder)' })
      .option('plugin', { type: 'string', array: true, describe: 'module that registers more job kinds (path or package)' })
      .option('report', { type: 'boolean', describe: 'build DIR/report.html when every job is done (default: the config\'s report:)' })
      .option('list', { type: 'boolean', default: false, describe: 'print the job names (of the shard, with --shard) and run nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON on stdout' })
      .option('allow-outside', { type: 'boolean', default: false, describe: 'allow the output folder outside the working directory and config paths outside the sweep file\'s folder' })
      .example('atlas sweep configs/default.yaml --jobs 2', 'everything atlas reproduces and refits, on 2 threads')
      .example('atlas sweep configs/sweeps/shipped-grid.yaml --shard 1/3 --out results/part1', 'one of three shards')
      .example('atlas sweep merge results/part1 results/part2 results/part3 --out results/shipped-grid', 'merge shard folders') as unknown as Argv<SweepArgs>,
  handler: returnsExitCode(async (args: SweepArgs) => {
    if (args.config === 'merge') {
      const dirs = args.dirs ?? [];
      if (dirs.length === 0) throw new InputError('atlas sweep merge: name the sweep folders to merge');
      const out = args.out !== undefined ? outputPath(args.out, 'folder', '--out', args['allow-outside']) : undefined;
      return finish(mergeSweeps(dirs, out), args);
    }
    if (args.dirs && args.dirs.length > 0) throw new InputError(`atlas sweep: unexpected arguments ${args.dirs.join(' ')} (one config per sweep)`);
    const sweep = loadSweep(args.config);
    const plugins = (args.plugin ?? []).map(pluginSpecifier);
    if (args.list) {
      const { specs } = await planSweep(sweep, plugins, args['allow-outside']);
      const shard = args.shard ? parseShard(args.shard) : null;
      const names = specs.filter((s) => !shard || shardOf(s.name, shard.count) === shard.index).map((s) => s.name);
      process.stdout.write(args.json ? `${JSON.stringify({ sweep: sweep.name, jobs: names }, null, 2)}\n` : names.map((n) => `${n}\n`).join(''));
      return;
    }
    const out = args.out !== undefined ? outputPath(args.out, 'folder', '--out', args['allow-outside']) : null;
    const progress = progressReporter(process.stderr);
    let result: SweepResult;
    try {
      result = await runSweep({
        config: sweep,
        out,
        allowOutside: args['allow-outside'],
        shard: args.shard ?? null,
        resume: args.resume,
        force: args.force,
        jobs: args.jobs,
        plugins,
        onEvent: progress.onEvent,
      });
    } finally {
      progress.stop();
    }
    const code = finish(result, args);
    const wantReport = args.report ?? sweep.report;
    if (wantReport && result.pending === 0) await report(result.out);
    return code;
  }),
};

export default sweepCommand;
