/**
 * The `atlas` command line: yargs over the thin command modules in `commands/`.
 * Exit codes (SPEC §4): 0 success, 1 the run failed, 2 bad input or usage.
 */
import yargs from 'yargs';
import { commands } from './commands/index.ts';
import { InputError, RunFailure } from './io/types.ts';
import { VERSION } from './io/version.ts';
import { OUTCOME, type Outcome } from './commands/common.ts';

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const outcome: Outcome = { code: 0 };
  let usageError: string | null = null;
  const parser = yargs(argv)
    .scriptName('atlas')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'name a command (atlas --help lists them)')
    .recommendCommands()
    .wrap(Math.min(110, process.stderr.columns ?? 100))
    .fail((message, error) => {
      if (error) throw error;
      usageError = message ?? 'usage error';
    })
    .help();
  for (const command of commands) parser.command(command);
  try {
    await parser.parseAsync(argv, { [OUTCOME]: outcome });
  } catch (error) {
    return reportError(error);
  }
  if (usageError !== null) {
    process.stderr.write(`atlas: ${usageError}\n`);
    return 2;
  }
  return outcome.code;
}

function reportError(error: unknown): number {
  if (error instanceof InputError) {
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
    return 2;
  }
  if (error instanceof RunFailure) {
    process.stderr.write(`atlas: ${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`atlas: internal error: ${message}\n`);
  if (process.env.ATLAS_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}
