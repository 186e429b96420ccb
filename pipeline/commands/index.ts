/**
 * Every command of the CLI, in `--help` order. One module per command; each is a thin yargs
 * wrapper: flags → stage function → files and exit code.
 */
import type { CommandModule } from 'yargs';

// Add one import and one list entry per command module.
import { sweepCommand } from './sweep.ts';

export const commands: CommandModule<object, any>[] = [
  sweepCommand,
];
