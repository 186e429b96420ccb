#!/usr/bin/env node
/**
 * The `atlas` executable. `atlas --version` answers from package.json alone; anything else loads
 * the CLI, which loads only the module of the command being run.
 */
import { VERSION } from './io/version.ts';

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./cli.ts');
  process.exitCode = await main(argv);
}
