/**
 * `atlas predict`: predicted loss from a fitted artifact at given N, D (and language, mixture, U).
 */
import type { Argv, CommandModule } from 'yargs';
import { readArtifact } from '../io/artifact.ts';
import { ingestText } from '../ingest/ingest.ts';
import { predictTable } from '../fit/validate.ts';
import { InputError } from '../io/types.ts';
import { csvLine } from '../io/csv.ts';
import { printJson } from './common.ts';

interface Args {
  coefficients: string;
  params: number;
  tokens: number;
  lang?: string;
  mixture?: string;
  'unique-tokens'?: string;
  json?: boolean;
}

export const predictCommand: CommandModule<object, Args> = {
  command: 'predict',
  describe: 'predicted loss from a fitted artifact',
  builder: (y: Argv) =>
    y
      .option('coefficients', { type: 'string', demandOption: true, describe: 'coefficients.json written by atlas fit' })
      .option('params', { type: 'number', demandOption: true, describe: 'N, model parameters' })
      .option('tokens', { type: 'number', demandOption: true, describe: 'D, total training tokens' })
      .option('lang', { type: 'string', describe: 'evaluation language (default und)' })
      .option('mixture', { type: 'string', describe: 'training mixture lang:weight;lang:weight (default <lang>:1)' })
      .option('unique-tokens', { type: 'string', describe: 'U: a number or lang:count;… (default unlimited)' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"loss": …} on stdout' })
      .example('atlas predict --coefficients results/datablations/coefficients.json --params 6.34e9 --tokens 242e9 --unique-tokens 25e9', 'data-constrained prediction') as unknown as Argv<Args>,
  handler: (args) => {
    const artifact = readArtifact(args.coefficients);
    const header = ['run_id', 'params', 'tokens', 'loss', 'eval_lang'];
    const row = ['predict', String(args.params), String(args.tokens), '1', args.lang ?? 'und'];
    if (args.mixture !== undefined) { header.push('mixture'); row.push(args.mixture); }
    if (args['unique-tokens'] !== undefined) { header.push('unique_tokens'); row.push(args['unique-tokens']); }
    if (!Number.isFinite(args.params) || !Number.isFinite(args.tokens)) throw new InputError('--params/--tokens: expected finite numbers');
    const table = ingestText(csvLine(header) + csvLine(row), '<command line>');
    const loss = predictTable(artifact, table)[0];
    if (args.json) printJson({ loss });
    else process.stdout.write(`${String(loss)}\n`);
  },
};
