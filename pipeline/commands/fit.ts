/**
 * `atlas fit`: fit one law to run logs; write DIR/coefficients.json and DIR/predictions.csv.
 */
import type { Argv, CommandModule } from 'yargs';
import { join } from 'node:path';
import { loadTable } from '../config/load.ts';
import { runFit, type FitOutput } from '../fit/fit.ts';
import { runAutoFit } from '../fit/select.ts';
import { candidatesFrom, readBacktest } from '../fit/backtest.ts';
import { backtestFitOptions } from './backtest_options.ts';
import { DRAWS_FILE, drawsCsv } from '../io/artifact.ts';
import { stableJson } from '../io/atomic.ts';
import { publishFolder } from '../io/folder.ts';
import { checkOutput, fitOptionsFromArgs, lawFrom, printJson, returnsExitCode, noteSkippedRows, tableRequest, withDataOptions, withFitOptions, type DataArgs, type FitArgs } from './common.ts';
import { formatFit, identifiabilityWarnings } from './format.ts';
import { progress } from './progress.ts';
import type { LawOptions } from '../laws/law.ts';
import { mergeFitOptions } from '../fitting/options.ts';
import { parseShare } from '../fit/shared.ts';

interface Args extends DataArgs, FitArgs {
  where?: string[];
  law?: string;
  holdout?: string;
  'group-by'?: string;
  share?: string;
  backtest?: string;
  out?: string;
  terms?: string;
  tokens?: string;
  json?: boolean;
}

/** The fit's output folder: --out, or results/fit-<law> (results/fit-auto for --law auto). */
function outFolder(args: Args, law: string): string {
  return args.out ?? join('results', `fit-${args.law === 'auto' ? 'auto' : law}`);
}

/** Write the artifact, predictions, draws and timing; print the summary; 1 when the fit did not converge. */
function finish(args: Args, law: string, output: FitOutput): number {
  const out = outFolder(args, law);
  // One commit for the files of a fit: a crash leaves the old folder or the new one, never a mix
  // (and no bootstrap.csv of an earlier fit beside new coefficients).
  publishFolder(out, 'fit', {
    'coefficients.json': stableJson(output.artifact),
    'predictions.csv': output.predictions,
    ...(output.draws ? { [DRAWS_FILE]: drawsCsv(output.draws) } : {}),
    'timing.json': `${JSON.stringify({ seconds: output.seconds }, null, 2)}\n`,
  });
  if (args.json) printJson(output.artifact);
  else process.stdout.write(formatFit(output.artifact, output.seconds));
  process.stderr.write(identifiabilityWarnings(output.artifact));
  process.stderr.write(`wrote ${join(out, 'coefficients.json')}${output.draws ? `, ${join(out, DRAWS_FILE)}` : ''} and ${join(out, 'predictions.csv')}\n`);
  if (!output.artifact.fit.converged) {
    process.stderr.write(output.artifact.fit.status === 'degenerate'
      ? `atlas: the fit is degenerate (${output.artifact.fit.message}); fix the parameters named above or add data that vary them\n`
      : `atlas: the fit did not converge (${output.artifact.fit.status}: ${output.artifact.fit.message})\n`);
    return 1;
  }
  return 0;
}

export const fitCommand: CommandModule<object, Args> = {
  command: 'fit [files..]',
  describe: 'fit one law to run logs; write DIR/coefficients.json and DIR/predictions.csv',
  builder: (y: Argv) =>
    withFitOptions(withDataOptions(y))
      .option('law', { type: 'string', describe: 'chinchilla | kaplan | data-constrained | atlas | multilingual-family | curse | mixing-law | mixture-linear, or auto: the candidate the backtest ranks first (docs/backtest.md; default: the config\'s law)' })
      .option('holdout', { type: 'string', describe: 'hold-out spec: random:FRAC[:SEED] top-tokens:FRAC top-params:FRAC top-compute:FRAC params>=X tokens>=X mixtures:unseen mixtures:random:FRAC[:SEED] runs:ID,ID none' })
      .option('group-by', { type: 'string', describe: 'eval_lang: one fit per evaluation language' })
      .option('share', { type: 'string', describe: 'with --group-by: parameters common to every group in one joint fit, e.g. alpha,beta,E (the rest per group)' })
      .option('backtest', { type: 'string', describe: 'with --law auto: backtest.json written by atlas backtest on the same data, instead of rerunning the backtest' })
      .option('terms', { type: 'string', describe: 'atlas: target | target,other | target,other,transfer' })
      .option('tokens', { type: 'string', choices: ['total', 'target'], describe: 'chinchilla: total tokens or the evaluation language\'s own tokens' })
      .option('out', { type: 'string', describe: 'output folder (default results/fit-<law>)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the artifact on stdout' })
      .example('atlas fit --config configs/epoch-chinchilla.yaml --bootstrap 1000 --out results/epoch', 'Epoch\'s replication of Chinchilla Approach 3')
      .example('atlas fit --config configs/manpages-mono.yaml --law kaplan --share alpha,beta,E --checkpoints drop-early:0.25', 'one joint Kaplan fit over the languages, exponents and E shared')
      .example('atlas fit --data runs.csv --map params=N --map tokens=D_billions*1e9 --law chinchilla --holdout top-params:0.2', 'fit with renamed columns and hold out the largest models') as unknown as Argv<Args>,
  handler: returnsExitCode(async (args: Args) => {
    // Check --out before the fit when it is given: a refused folder must not cost a whole fit.
    if (args.out !== undefined) checkOutput(args.out, 'folder', args['allow-outside']);
    const { table, config } = await loadTable(tableRequest(args));
    noteSkippedRows(table);
    const law = args.law === 'auto' ? 'auto' : lawFrom(args.law, config);
    const lawOptions: LawOptions = { ...(config?.law_options ?? {}) };
    if (args.terms !== undefined) lawOptions.terms = args.terms;
    if (args.tokens !== undefined) lawOptions.tokens = args.tokens as 'total' | 'target';
    const fit = mergeFitOptions(config?.fit, fitOptionsFromArgs(args));
    if (args.out === undefined) checkOutput(outFolder(args, law), 'folder', args['allow-outside']);
    const groupBy = args['group-by'] ?? config?.group_by ?? null;
    if (law === 'auto') {
      delete lawOptions.terms;
      const candidates = candidatesFrom(config?.backtest, table, Boolean(groupBy), lawOptions);
      process.stderr.write(`--law auto: backtesting ${candidates.length} candidates (docs/backtest.md)\n`);
      const auto = await runAutoFit({
        table,
        lawOptions,
        fit: backtestFitOptions(config?.fit, fitOptionsFromArgs(args)),
        holdout: args.holdout ?? config?.holdout ?? null,
        groupBy,
        configSha256: config?.sha256 ?? null,
        ...(args.backtest ? { precomputed: readBacktest(args.backtest) } : {}),
        backtest: {
          candidates,
          ...(config?.backtest?.holdouts ? { holdouts: config.backtest.holdouts } : {}),
          ...(config?.backtest?.fraction !== undefined ? { fraction: config.backtest.fraction } : {}),
          onFit: (row) => process.stderr.write(`  ${row.candidate}: mean MAPE ${row.meanMape === null ? 'failed' : `${row.meanMape.toFixed(2)} %`}\n`),
        },
      });
      process.stderr.write(`--law auto chose ${auto.selection.chosen}\n`);
      return finish(args, auto.selection.law, auto);
    }
    const bar = progress();
    const output = await runFit({
      table,
      law,
      lawOptions,
      fit,
      holdout: args.holdout ?? config?.holdout ?? null,
      groupBy,
      share: parseShare(args.share ?? config?.share),
      configSha256: config?.sha256 ?? null,
      onProgress: (e) => bar.update(`${e.group ? `[${e.group}] ` : ''}${e.phase === 'starts' ? 'starts' : 'bootstrap'}`, e.done, e.total),
    }).finally(() => bar.stop());
    return finish(args, law, output);
  }),
};
