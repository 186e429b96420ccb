/**
 * `atlas ingest FILE… [--languages F] [--map K=V]… [--config F] [--where EXPR]… [--format F]
 * [--out F] [--json]`: validate and normalise run logs (SPEC §1). Prints a summary (rows, runs,
 * languages, N and D ranges, rows dropped by filters or skipped for NaN, files with sha256) on
 * stdout, or as JSON with `--json`; `--out F` writes the normalised CSV (SPEC column
 * names) atomically. Bad input: every problem as `FILE:LINE: column: what is wrong`, exit 2,
 * nothing written.
 */
import type { Argv, CommandModule } from 'yargs';
import { loadTable } from '../config/load.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { formatSummary, summarize, toNormalizedCsv } from '../ingest/ingest.ts';
import { checkOutput, tableRequest, withDataOptions, type DataArgs } from './common.ts';

interface Args extends DataArgs {
  out?: string;
  json?: boolean;
}

export const ingestCommand: CommandModule<object, Args> = {
  command: 'ingest [files..]',
  describe: 'validate and normalise run logs; print a summary (rows, runs, languages, N and D ranges)',
  builder: (y: Argv) =>
    withDataOptions(y)
      .option('out', { type: 'string', describe: 'write the normalised CSV (SPEC §1 column names) here' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON on stdout' })
      .example('atlas ingest runs.csv --map params=N_params --map tokens=D_billions*1e9', 'rename and scale columns')
      .example('atlas ingest history.csv --format wandb --map params=70M', 'a W&B history export of one 70M run (steps without a loss are skipped)')
      .example('atlas ingest --config configs/manpages-sweep.yaml --out results/manpages.csv', 'the config\'s data, column map and filters; write the normalised CSV')
      .example('atlas ingest runs.csv --json', 'summary as JSON') as unknown as Argv<Args>,
  handler: async (args) => {
    // Check --out before reading anything: a refused path must not cost a full ingest.
    const out = args.out === undefined ? null : checkOutput(args.out, 'file', args['allow-outside']);
    const { table } = await loadTable(tableRequest(args));
    const summary = summarize(table);
    if (out !== null) writeFileAtomic(out, toNormalizedCsv(table));
    if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else process.stdout.write(formatSummary(summary));
    if (out !== null) process.stderr.write(`wrote ${args.out} (${table.rows} rows)\n`);
  },
};
