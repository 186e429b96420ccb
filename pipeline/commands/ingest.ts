/**
 * `atlas ingest FILE… [--languages F] [--map K=V]… [--config F] [--where EXPR]… [--out F] [--json]`:
 * validate and normalise run logs (SPEC §1). Prints a summary (rows, runs, languages, N and D
 * ranges, rows dropped by filters, files with sha256) on stderr, or as JSON on stdout with
 * `--json`; `--out F` writes the normalised CSV (SPEC column names) atomically. Bad input: every
 * problem as `FILE:LINE: column: what is wrong`, exit 2, nothing written.
 */
import type { Argv, CommandModule } from 'yargs';
import { loadTable } from '../config/load.ts';
import { checkOutput } from './common.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { formatSummary, summarize, toNormalizedCsv } from '../ingest/ingest.ts';

interface Args {
  files?: string[];
  config?: string;
  languages?: string;
  map?: string[];
  where?: string[];
  out?: string;
  json?: boolean;
  'allow-outside'?: boolean;
}

export const ingestCommand: CommandModule<object, Args> = {
  command: 'ingest [files..]',
  describe: 'validate and normalise run logs; print a summary (rows, runs, languages, N and D ranges)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'run-log CSV files (SPEC §1); default: the config\'s data' })
      .option('config', { type: 'string', describe: 'YAML config (data, languages, columns, values, where, mixture_tolerance)' })
      .option('languages', { type: 'string', describe: 'languages table CSV (lang, unique_tokens, script, family, name)' })
      .option('map', { type: 'string', array: true, nargs: 1, describe: 'column map TARGET=SOURCE[*scale], e.g. params=N_params, tokens=D_billions*1e9 (repeatable)' })
      .option('where', { type: 'string', array: true, nargs: 1, describe: 'row filter on a source column, e.g. "step > 0" (repeatable; ops == != < <= > >=)' })
      .option('out', { type: 'string', describe: 'write the normalised CSV (SPEC §1 column names) here' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON on stdout' })
      .option('allow-outside', { type: 'boolean', default: false, describe: 'allow --out outside the working directory and config paths outside the config\'s folder' })
      .example('atlas ingest runs.csv --map params=N_params --map tokens=D_billions*1e9', 'rename and scale columns')
      .example('atlas ingest --config configs/manpages-sweep.yaml --out results/manpages.csv', 'the config\'s data, column map and filters; write the normalised CSV')
      .example('atlas ingest runs.csv --json', 'summary as JSON') as unknown as Argv<Args>,
  handler: async (args) => {
    // Check --out before reading anything: a refused path must not cost a full ingest.
    const out = args.out === undefined ? null : checkOutput(args.out, 'file', args['allow-outside']);
    const { table } = await loadTable({
      data: args.files,
      config: args.config,
      languages: args.languages,
      map: args.map ?? [],
      where: args.where,
      allowOutside: args['allow-outside'],
    });
    const summary = summarize(table);
    if (out !== null) writeFileAtomic(out, toNormalizedCsv(table));
    process.stderr.write(formatSummary(summary));
    if (out !== null) process.stderr.write(`wrote ${args.out} (${table.rows} rows)\n`);
    if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  },
};
