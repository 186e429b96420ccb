/**
 * `atlas fit`: fit one law to run logs; write DIR/coefficients.json and DIR/predictions.csv.
 */
import type { Argv, CommandModule } from 'yargs';
import { join } from 'node:path';
import { loadTable } from '../config/load.ts';
import { runFit } from '../fit/fit.ts';
import { stableJson } from '../io/atomic.ts';
import { publishFolder } from '../io/folder.ts';
import { checkOutput, fitOptionsFromArgs, lawFrom, printJson, returnsExitCode, noteSkippedRows, tableRequest, withDataOptions, withFitOptions, type DataArgs, type FitArgs } from './common.ts';
import { formatFit } from './format.ts';
import type { LawOptions } from '../laws/law.ts';
import { mergeFitOptions } from '../fitting/options.ts';

interface Args extends DataArgs, FitArgs {
  where?: string[];
  law?: string;
  holdout?: string;
  'group-by'?: string;
  out?: string;
  terms?: string;
  tokens?: string;
  json?: boolean;
}

export const fitCommand: CommandModule<object, Args> = {
  command: 'fit [files..]',
  describe: 'fit one law to run logs; write DIR/coefficients.json and DIR/predictions.csv',
  builder: (y: Argv) =>
    withFitOptions(withDataOptions(y))
      .option('law', { type: 'string', describe: 'chinchilla | data-constrained | atlas | multilingual-family | curse | mixing-law | mixture-linear (default: the config\'s law)' })
      .option('holdout', { type: 'string', describe: 'hold-out spec: random:FRAC[:SEED] top-tokens:FRAC top-params:FRAC top-compute:FRAC params>=X tokens>=X mixtures:unseen mixtures:random:FRAC[:SEED] runs:ID,ID none' })
      .option('group-by', { type: 'string', describe: 'eval_lang: one fit per evaluation language' })
      .option('terms', { type: 'string', describe: 'atlas: target | target,other | target,other,transfer' })
      .option('tokens', { type: 'string', choices: ['total', 'target'], describe: 'chinchilla: total tokens or the evaluation language\'s own tokens' })
      .option('out', { type: 'string', describe: 'output folder (default results/fit-<law>)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the artifact on stdout' })
      .example('atlas fit --config configs/epoch-chinchilla.yaml --bootstrap 1000 --out results/epoch', 'Epoch\'s replication of Chinchilla Approach 3')
      .example('atlas fit --data runs.csv --map params=N --map tokens=D_billions*1e9 --law chinchilla --holdout top-params:0.2', 'fit with renamed columns and hold out the largest models') as unknown as Argv<Args>,
  handler: returnsExitCode(async (args: Args) => {
    // Check --out before the fit when it is given: a refused folder must not cost a whole fit.
    if (args.out !== undefined) checkOutput(args.out, 'folder', args['allow-outside']);
    const { table, config } = await loadTable(tableRequest(args));
    noteSkippedRows(table);
    const law = lawFrom(args.law, config);
    const lawOptions: LawOptions = { ...(config?.law_options ?? {}) };
    if (args.terms !== undefined) lawOptions.terms = args.terms;
    if (args.tokens !== undefined) lawOptions.tokens = args.tokens as 'total' | 'target';
    const fit = mergeFitOptions(config?.fit, fitOptionsFromArgs(args));
    const out = args.out ?? join('results', `fit-${law}`);
    if (args.out === undefined) checkOutput(out, 'folder', args['allow-outside']);
    const output = await runFit({
      table,
      law,
      lawOptions,
      fit,
      holdout: args.holdout ?? config?.holdout ?? null,
      groupBy: args['group-by'] ?? config?.group_by ?? null,
      configSha256: config?.sha256 ?? null,
    });
    // One commit for the three files: a crash leaves the old folder or the new one, never a mix.
    publishFolder(out, 'fit', {
      'coefficients.json': stableJson(output.artifact),
      'predictions.csv': output.predictions,
      'timing.json': `${JSON.stringify({ seconds: output.seconds }, null, 2)}\n`,
    });
    if (args.json) printJson(output.artifact);
    process.stderr.write(formatFit(output.artifact, output.seconds));
    process.stderr.write(`wrote ${join(out, 'coefficients.json')} and ${join(out, 'predictions.csv')}\n`);
    if (!output.artifact.fit.converged) {
      process.stderr.write(`atlas: the fit did not converge (${output.artifact.fit.status}: ${output.artifact.fit.message})\n`);
      return 1;
    }
    return 0;
  }),
};
