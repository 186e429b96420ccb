/**
 * commands/: every command of the CLI, in `--help` order. One module per command; each is a thin
 * yargs wrapper: flags → stage function → files on disk, results on stdout, exit code returned
 * (common.ts: shared flags and returnsExitCode; format.ts: human-readable tables).
 *
 * May import: every capability folder (sweep/, report/, reproduce/, plan/, config/, fit/, …), io/.
 *
 * A command's module is loaded only when that command runs, so `atlas --help` and `atlas
 * --version` load none of the pipeline: the list below holds each command's name and the
 * one-line description `--help` shows.
 */
import type { CommandModule } from 'yargs';

/** A command as `--help` lists it, and how to load its module. */
export interface CommandEntry {
  name: string;
  describe: string;
  load: () => Promise<CommandModule<object, any>>;
}

// Add one entry per command module; its `describe` must match the module's (a test checks).
export const commands: CommandEntry[] = [
  { name: 'ingest', describe: 'validate and normalise run logs; print a summary (rows, runs, languages, N and D ranges)', load: async () => (await import('./ingest.ts')).ingestCommand },
  { name: 'fit', describe: 'fit one law to run logs; write DIR/coefficients.json and DIR/predictions.csv', load: async () => (await import('./fit.ts')).fitCommand },
  { name: 'backtest', describe: 'score fitting choices (law × checkpoints × sharing) by predicting the largest model and the longest budget from the rest', load: async () => (await import('./backtest.ts')).backtestCommand },
  { name: 'validate', describe: 'score a fitted artifact on data (R², RMSE, MAPE; per group when the artifact has groups)', load: async () => (await import('./validate.ts')).validateCommand },
  { name: 'predict', describe: 'predicted loss with its 95 % interval from a fitted artifact, at one point or many', load: async () => (await import('./predict.ts')).predictCommand },
  { name: 'reproduce', describe: 'recompute published numbers from the shipped data, beside the published values', load: async () => (await import('./reproduce.ts')).reproduceCommand },
  { name: 'sweep', describe: 'run every job of a sweep config (or: sweep merge DIR… to merge shard folders)', load: async () => (await import('./sweep.ts')).sweepCommand },
  { name: 'plan', describe: 'decisions from fitted laws: languages ↔ model size and data; pretrain or finetune; co-training partners; training mixture', load: async () => (await import('./plan.ts')).planCommand },
  { name: 'crossover', describe: 'tokens where pretraining from scratch overtakes finetuning a multilingual checkpoint, per language and size, and C(N) = a·N^b', load: async () => (await import('./crossover.ts')).crossoverCommand },
  { name: 'transfer', describe: 'bilingual transfer scores (BTS) from mono + 50/50 bilingual runs, FAS from finetunes, matrix statistics; DIR/transfer.csv …', load: async () => (await import('./transfer.ts')).transferCommand },
  { name: 'report', describe: 'DIR/report.html with plots (fit status, coefficients, loss curves, residuals, bands, iso-loss, transfer)', load: async () => (await import('./report.ts')).reportCommand },
  { name: 'simulate', describe: 'synthetic run logs for a study design from known coefficients (log-normal noise, seeded)', load: async () => (await import('./simulate.ts')).simulateCommand },
  { name: 'protocol', describe: 'fit laws under the five hold-outs of ATLAS Table 1 (R², R²(N), R²(D), R²(C), R²(M)); write the table', load: async () => (await import('./protocol.ts')).protocolCommand },
];

/**
 * `atlas --help`: the command list, written without loading yargs (which costs more start-up than
 * the rest of the command line together). `atlas COMMAND --help` goes through yargs.
 */
export function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 'atlas '.length + 2;
  const lines = ['atlas <command>', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${`atlas ${c.name}`.padEnd(width)}${c.describe}`);
  lines.push('', 'Options:', `  ${'--version'.padEnd(width)}Show version number`, `  ${'--help'.padEnd(width)}Show help`, '', '`atlas <command> --help` lists the flags of a command.');
  return `${lines.join('\n')}\n`;
}
