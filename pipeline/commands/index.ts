/**
 * Every command of the CLI, in `--help` order, with the one-line description `atlas --help`
 * shows. A command's module (a thin yargs wrapper: flags → stage function → files and exit code)
 * is loaded only when that command runs, so `atlas --help` and `atlas --version` load none of
 * the pipeline.
 */
import type { Argv, ArgumentsCamelCase, CommandModule } from 'yargs';

/**
 * A command module: yargs' `command`, `describe` and `builder`, and a handler that returns the
 * exit code (0 when it returns nothing; bad input throws `InputError`, exit 2).
 */
export interface AtlasCommand<A = any> extends Omit<CommandModule<object, A>, 'handler'> {
  handler(args: ArgumentsCamelCase<A>): number | void | Promise<number | void>;
}

/** A command as `--help` lists it, and how to load its module. */
export interface CommandEntry {
  name: string;
  describe: string;
  load: () => Promise<AtlasCommand>;
}

// Add one entry per command module; its `describe` must match the module's (a test checks).
export const commands: CommandEntry[] = [
  { name: 'ingest', describe: 'validate and normalise run logs; print a summary (rows, runs, languages, N and D ranges)', load: async () => (await import('./ingest.ts')).ingestCommand },
  { name: 'fit', describe: 'fit one law to run logs; write DIR/coefficients.json and DIR/predictions.csv', load: async () => (await import('./fit.ts')).fitCommand },
  { name: 'validate', describe: 'score a fitted artifact on data (R², RMSE, MAPE; per group when the artifact has groups)', load: async () => (await import('./validate.ts')).validateCommand },
  { name: 'predict', describe: 'predicted loss from a fitted artifact', load: async () => (await import('./predict.ts')).predictCommand },
  { name: 'reproduce', describe: 'recompute published numbers from the shipped data, beside the published values', load: async () => (await import('./reproduce.ts')).reproduceCommand },
  { name: 'sweep', describe: 'run every job of a sweep config (or: sweep merge DIR… to merge shard folders)', load: async () => (await import('./sweep.ts')).sweepCommand },
  { name: 'plan', describe: 'decisions from fitted laws: languages ↔ model size and data; pretrain or finetune; co-training partners', load: async () => (await import('./plan.ts')).planCommand },
  { name: 'crossover', describe: 'tokens where pretraining from scratch overtakes finetuning a multilingual checkpoint, per language and size, and C(N) = a·N^b', load: async () => (await import('./crossover.ts')).crossoverCommand },
  { name: 'transfer', describe: 'bilingual transfer scores (BTS) from mono + 50/50 bilingual runs, FAS from finetunes, matrix statistics; DIR/transfer.csv …', load: async () => (await import('./transfer.ts')).transferCommand },
  { name: 'report', describe: 'DIR/report.html with plots (fit status, coefficients, loss curves, residuals, bands, iso-loss, transfer)', load: async () => (await import('./report.ts')).reportCommand },
  { name: 'simulate', describe: 'synthetic run logs for a study design from known coefficients (log-normal noise, seeded)', load: async () => (await import('./simulate.ts')).simulateCommand },
  { name: 'protocol', describe: 'fit laws under the five hold-outs of ATLAS Table 1 (R², R²(N), R²(D), R²(C), R²(M)); write the table', load: async () => (await import('./protocol.ts')).protocolCommand },
];

/** The yargs parser type the command builders receive. */
export type { Argv };
