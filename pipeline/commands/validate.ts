/**
 * `atlas validate`: score a fitted artifact on data.
 */
import type { Argv, CommandModule } from 'yargs';
import { loadTable } from '../config/load.ts';
import { readArtifact } from '../io/artifact.ts';
import { validateArtifact } from '../fit/validate.ts';
import { printJson, noteSkippedRows, tableRequest, withDataOptions, type DataArgs } from './common.ts';
import { num } from './format.ts';
import { protocolForArtifact, protocolMarkdown, protocolSummary } from '../fit/protocol.ts';

interface Args extends DataArgs {
  where?: string[];
  coefficients: string;
  holdout?: string;
  json?: boolean;
  protocol?: boolean;
}

export const validateCommand: CommandModule<object, Args> = {
  command: 'validate [files..]',
  describe: 'score a fitted artifact on data (R², RMSE, MAPE; per group when the artifact has groups)',
  builder: (y: Argv) =>
    withDataOptions(y)
      .option('coefficients', { type: 'string', demandOption: true, describe: 'coefficients.json written by atlas fit' })
      .option('holdout', { type: 'string', describe: 'score only the rows this hold-out spec selects' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"rows","r2","rmse","mape"} (and groups; and "spearman" across mixtures when several are scored) on stdout' })
      .option('protocol', { type: 'boolean', default: false, describe: 'refit the artifact\'s law under the five hold-outs of ATLAS Table 1 and print R², R²(N), R²(D), R²(C), R²(M)' })
      .example('atlas validate --coefficients results/epoch/coefficients.json --config configs/epoch-chinchilla.yaml', 'score a fit on its data') as unknown as Argv<Args>,
  handler: async (args) => {
    const artifact = readArtifact(args.coefficients);
    const { table } = await loadTable(tableRequest(args));
    noteSkippedRows(table);
    if (args.protocol) {
      const result = await protocolForArtifact(artifact, table);
      if (args.json) printJson(protocolSummary(result));
      return void process.stderr.write(protocolMarkdown(result));
    }
    const report = validateArtifact(artifact, table, args.holdout ?? null);
    if (args.json) {
      const { spec: _spec, ...rest } = report;
      printJson(rest);
    }
    let text = `${artifact.law}${report.spec ? ` on ${report.spec}` : ''}: rows ${report.rows}, R² ${num(report.r2, 5)}, RMSE ${num(report.rmse, 4)}, MAPE ${num(report.mape, 3)} %${report.spearman !== undefined ? `, Spearman ρ ${num(report.spearman, 4)}` : ''}\n`;
    for (const c of report.spearman_cells ?? []) text += `  ρ ${num(c.spearman, 4)} over ${c.mixtures} mixtures (${c.eval_lang}, N ${num(c.params, 3)}, D ${num(c.tokens, 3)})\n`;
    for (const [name, m] of Object.entries(report.groups ?? {})) text += `  ${name}: rows ${m.rows}, R² ${num(m.r2, 5)}, RMSE ${num(m.rmse, 4)}, MAPE ${num(m.mape, 3)} %\n`;
    process.stderr.write(text);
  },
};
