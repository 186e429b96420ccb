/**
 * The `atlas` command line: yargs over the thin command modules in `commands/`.
 * Exit codes (SPEC §4): 0 success, 1 the run failed, 2 bad input or usage.
 *
 * Flags are checked before any command runs: an unknown flag (with the nearest known one
 * suggested), a missing or surplus argument, a value outside `choices` or a number that is not a
 * number stops the command with exit 2 before it reads or writes anything. Only the module of the
 * command being run is loaded.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { commands } from './commands/index.ts';
import { OUTCOME, type Outcome } from './commands/common.ts';
import { InputError, RunFailure } from './io/types.ts';
import { VERSION } from './io/version.ts';

/** A usage error found by yargs or by the flag checks; exit 2. */
class UsageError extends Error {}

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  // The first word that is not a flag names the command (atlas has no global flags that take a value).
  const name = argv.find((a) => !a.startsWith('-'));
  const entry = commands.find((c) => c.name === name);
  let loaded: CommandModule<object, any> | null = null;
  try {
    if (entry) loaded = await entry.load();
  } catch (error) {
    return reportError(error);
  }
  const outcome: Outcome = { code: 0 };
  // The parser the flags are checked against: the command's, once its builder has run.
  let current: Argv | null = null;
  const parser: Argv = yargs(argv)
    .scriptName('atlas')
    // atlas speaks English, and withSuggestion reads yargs' English messages: under LANG=de_DE
    // yargs said "Unbekanntes Argument: lawx" and the nearest flag was never offered.
    .locale('en')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'name a command (atlas --help lists them)')
    .recommendCommands()
    .wrap(Math.min(110, process.stderr.columns ?? 100))
    .middleware(rejectNaN as never, true)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(withSuggestion(message ?? 'usage error', current ?? parser, name, argv));
    })
    .help();
  for (const c of commands) {
    if (loaded && c === entry) {
      const module = loaded;
      const builder = module.builder;
      parser.command({
        ...module,
        builder: (y: Argv) => {
          current = y;
          return typeof builder === 'function' ? builder(y) : y.options(builder ?? {});
        },
      } as never);
    } else {
      parser.command(c.name, c.describe, {}, () => {});
    }
  }
  skipHelpCache(parser);
  try {
    await parser.parseAsync(argv, { [OUTCOME]: outcome });
  } catch (error) {
    return reportError(error);
  }
  return outcome.code;
}

/**
 * yargs renders the running command's whole help text as the command starts, and keeps it in case
 * the command later asks for its help. atlas's commands never do (their errors end in
 * `reportError`, and `--help` renders it afresh), and the render was 40–50 ms of every command's
 * start-up, most of a sweep's before its first job. The hook is yargs' internal usage object;
 * where a yargs release lacks it, nothing changes.
 */
export function skipHelpCache(parser: Argv): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (parser as unknown as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

interface ParsedOptions {
  key?: Record<string, unknown>;
  alias?: Record<string, string[]>;
  number?: string[];
}

/** The flags yargs knows in the current command (`getOptions` is public but missing from its types). */
function optionsOf(y: Argv): ParsedOptions {
  return (y as unknown as { getOptions(): ParsedOptions }).getOptions();
}

/** Numbers yargs could not read arrive as NaN: refuse them before the command runs. */
function rejectNaN(args: Record<string, unknown>, y: Argv): void {
  const numeric = new Set(optionsOf(y).number ?? []);
  for (const key of numeric) {
    const value = args[key];
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'number' && Number.isNaN(v))) {
      throw new UsageError(`--${key}: expected a number (e.g. --${key} 100)`);
    }
  }
}

/**
 * yargs' message, with the nearest known flag for each unknown one:
 * "Unknown argument: boostrap" → "unknown flag --boostrap: did you mean --bootstrap?".
 */
function withSuggestion(message: string, y: Argv, command: string | undefined, argv: readonly string[]): string {
  const knownCommand = commands.some((c) => c.name === command);
  const help = `\`atlas ${knownCommand ? `${command} ` : ''}--help\` lists the flags`;
  if (message.startsWith('Did you mean')) return `unknown command "${command ?? ''}": ${message.replace('Did you mean', 'did you mean')}`;
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (!match) return message;
  const options = optionsOf(y);
  const known = new Set(Object.keys(options.key ?? {}));
  for (const aliases of Object.values(options.alias ?? {})) for (const a of aliases) known.add(a);
  known.delete('$0');
  const lines = match[1].split(', ').map((unknown) => {
    const isFlag = argv.some((a) => a.startsWith('-') && a.replace(/^-+/, '').split('=')[0] === unknown);
    if (!isFlag) return `unexpected argument "${unknown}"`;
    const best = nearest(unknown, [...known]);
    return `unknown flag --${unknown}${best ? `: did you mean --${best}?` : ''}`;
  });
  return `${lines.join('; ')} (${help})`;
}

/** The candidate closest to `word` in edit distance, if it is close enough to be a typo. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate.length === 1) continue;
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/** Damerau–Levenshtein distance (optimal string alignment): a swap of neighbours costs 1. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`atlas: ${error.message}\n`);
    return 2;
  }
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
