/**
 * `atlas report DIR`: write DIR/report.html (self-contained, plots inlined as SVG) and
 * DIR/plots/<name>.png from a fit folder or a sweep results folder.
 */
import type { Argv, CommandModule } from 'yargs';
import { join } from 'node:path';
import { buildReport } from '../report/report.ts';
import { checkOutput, withAllowOutside } from './common.ts';

interface Args {
  dir: string;
  out?: string;
  png?: boolean;
  json?: boolean;
  'allow-outside'?: boolean;
}

export const reportCommand: CommandModule<object, Args> = {
  command: 'report <dir>',
  describe: 'DIR/report.html with plots (fit status, coefficients, loss curves, residuals, bands, iso-loss, transfer)',
  builder: (y: Argv) =>
    withAllowOutside(y)
      .positional('dir', { type: 'string', demandOption: true, describe: 'a fit output folder (atlas fit --out DIR) or a sweep results folder' })
      .option('out', { type: 'string', describe: 'page to write (default DIR/report.html)' })
      .option('png', { type: 'boolean', default: true, describe: 'also write DIR/plots/<name>.png for every plot (--no-png to skip)' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"path","plots"} on stdout' })
      .example('atlas report results/epoch', 'report of one fit')
      .example('atlas report results/default', 'report of a sweep: every job, status first') as unknown as Argv<Args>,
  handler: async (args) => {
    checkOutput(args.out ?? join(args.dir, 'report.html'), 'file', args['allow-outside']);
    const result = await buildReport(args.dir, { out: args.out, png: args.png });
    process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `${result.path}\n`);
    process.stderr.write(`wrote ${result.path} (${result.plots} plot(s))\n`);
  },
};
