/**
 * commands/: every command of the CLI, in `--help` order. One module per command; each is a thin
 * yargs wrapper: flags → stage function → files on disk, results on stdout, exit code returned
 * (common.ts: shared flags and returnsExitCode; format.ts: human-readable tables).
 *
 * May import: every capability folder (sweep/, report/, reproduce/, plan/, config/, fit/, …), io/.
 */
import type { CommandModule } from 'yargs';

// Add one import and one list entry per command module.
import { ingestCommand } from './ingest.ts';
import { fitCommand } from './fit.ts';
import { validateCommand } from './validate.ts';
import { predictCommand } from './predict.ts';
import { reproduceCommand } from './reproduce.ts';
import { sweepCommand } from './sweep.ts';
import { planCommand } from './plan.ts';
import { crossoverCommand } from './crossover.ts';
import { simulateCommand } from './simulate.ts';
import { protocolCommand } from './protocol.ts';
import { reportCommand } from './report.ts';
import { transferCommand } from './transfer.ts';

export const commands: CommandModule<object, any>[] = [
  ingestCommand,
  fitCommand,
  validateCommand,
  predictCommand,
  reproduceCommand,
  sweepCommand,
  planCommand,
  crossoverCommand,
  transferCommand,
  reportCommand,
  simulateCommand,
  protocolCommand,
];
