#!/usr/bin/env node
/**
 * The `atlas` executable. `atlas --version` and `atlas --help` answer without loading the command
 * line parser; anything else loads the CLI, which loads only the module of the command being run.
 */
import { VERSION } from './io/version.ts';
import { topLevelHelp } from './commands/index.ts';

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else if (argv.length === 1 && argv[0] === '--help') {
  process.stdout.write(topLevelHelp());
} else {
  const { main } = await import('./cli.ts');
  process.exitCode = await main(argv);
}
