/**
 * `atlas backtest`: fit every candidate (law × checkpoint policy × sharing) on the smaller models
 * and shorter budgets of a log, score each on the final checkpoints of the held-out largest size
 * and longest budget; print the table, write DIR/backtest.csv and DIR/backtest.json.
 */
import type { Argv, CommandModule } from 'yargs';
import { join } from 'node:path';
import { loadTable } from '../config/load.ts';
import { backtestCsv, backtestMarkdown, candidatesFrom, runBacktest, type HoldoutKind } from '../fit/backtest.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { stableJson } from '../io/atomic.ts';
import { InputError } from '../io/types.ts';
import type { LawOptions } from '../laws/law.ts';
import { checkOutput, fitOptionsFromArgs, noteSkippedRows, printJson, returnsExitCode, tableRequest, withDataOptions, withFitOptions, type DataArgs, type FitArgs } from './common.ts';
import { backtestFitOptions } from './backtest_options.ts';

interface Args extends DataArgs, FitArgs {
  'group-by'?: string;
  laws?: string;
  policies?: string;
  holdouts?: string;
  fraction?: number;
  tokens?: string;
  out?: string;
  json?: boolean;
}

export const backtestCommand: CommandModule<object, Args> = {
  command: 'backtest [files..]',
  describe: 'score fitting choices (law × checkpoints × sharing) by predicting the largest model and the longest budget from the rest',
  builder: (y: Argv) =>
    withFitOptions(withDataOptions(y))
      .option('group-by', { type: 'string', describe: 'eval_lang: fit per evaluation language (and try shared parameters)' })
      .option('laws', { type: 'string', describe: 'comma-separated laws to try (default: chinchilla, kaplan, data-constrained where applicable)' })
      .option('policies', { type: 'string', describe: 'semicolon-separated checkpoint policies to try (default: all;drop-early:0.5;final)' })
      .option('holdouts', { type: 'string', describe: 'comma-separated: top-params, top-tokens (default both)' })
      .option('fraction', { type: 'number', describe: 'fraction of distinct sizes / budgets held out (default 0.2: at least one)' })
      .option('tokens', { type: 'string', choices: ['total', 'target'], describe: 'chinchilla, kaplan: total tokens or the evaluation language\'s own' })
      .option('out', { type: 'string', describe: 'folder for backtest.csv and backtest.json' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON on stdout instead of the table' })
      .example('atlas backtest --config configs/manpages-mono.yaml --out results/backtest-manpages', 'every candidate on the manpages mono runs, per language')
      .example('atlas backtest --config configs/epoch-chinchilla.yaml --laws chinchilla,kaplan', 'two laws on Hoffmann\'s Fig. 4 runs') as unknown as Argv<Args>,
  handler: returnsExitCode(async (args: Args) => {
    // A refused output folder must not cost a whole backtest.
    if (args.out !== undefined) checkOutput(args.out, 'folder', args['allow-outside'], '--out', false);
    const { table, config } = await loadTable(tableRequest(args));
    noteSkippedRows(table);
    const lawOptions: LawOptions = { ...(config?.law_options ?? {}) };
    delete lawOptions.terms;
    if (args.tokens !== undefined) lawOptions.tokens = args.tokens as 'total' | 'target';
    const groupBy = args['group-by'] ?? config?.group_by ?? null;
    const block = { ...(config?.backtest ?? {}) };
    if (args.laws !== undefined) { block.laws = args.laws.split(',').map((s) => s.trim()).filter(Boolean); delete block.candidates; }
    if (args.policies !== undefined) { block.checkpoints = args.policies.split(';').map((s) => s.trim()).filter(Boolean); delete block.candidates; }
    const holdouts = (args.holdouts?.split(',').map((s) => s.trim()) ?? block.holdouts ?? ['top-params', 'top-tokens']) as HoldoutKind[];
    for (const h of holdouts) if (h !== 'top-params' && h !== 'top-tokens') throw new InputError(`--holdouts: expected top-params and/or top-tokens, got "${h}"`);
    const candidates = candidatesFrom(block, table, Boolean(groupBy), lawOptions);
    process.stderr.write(`backtest: ${candidates.length} candidates × ${holdouts.length} hold-outs on ${table.rows} rows${groupBy ? `, per ${groupBy}` : ''}\n`);
    const result = await runBacktest({
      table,
      candidates,
      holdouts,
      fraction: args.fraction ?? block.fraction ?? 0.2,
      groupBy,
      lawOptions,
      fit: backtestFitOptions(config?.fit, fitOptionsFromArgs(args)),
      onFit: (row) => process.stderr.write(`  ${row.candidate}: ${row.scores.map((s) => `${s.holdout} ${s.mape === null ? `failed (${s.error})` : `${s.mape.toFixed(2)} %`}`).join(', ')}\n`),
    });
    if (args.out) {
      writeFileAtomic(join(args.out, 'backtest.csv'), backtestCsv(result));
      writeFileAtomic(join(args.out, 'backtest.json'), stableJson(result));
    }
    if (args.json) printJson(result);
    else process.stdout.write(backtestMarkdown(result));
    if (result.best) process.stderr.write(`best: ${result.best.candidate} (mean MAPE ${result.best.meanMape!.toFixed(2)} %)\n`);
    if (args.out) process.stderr.write(`wrote ${join(args.out, 'backtest.csv')} and ${join(args.out, 'backtest.json')}\n`);
    return result.best ? 0 : 1;
  }),
};
