/**
 * Flags shared by the commands that read run logs and fit laws, and their translation into stage
 * inputs. Command-line flags override a config's values.
 */
import type { Argv } from 'yargs';
import type { FitOptions } from '../fitting/options.ts';
import { InputError } from '../io/types.ts';
import type { AtlasConfig } from '../config/load.ts';
import { parseStrictNumber, showCell } from '../ingest/expressions.ts';
import { MAX_BOOTSTRAP, MAX_ITERATIONS, MAX_STARTS, reservedNameProblem } from '../config/limits.ts';
import { isLaw, unknownLawMessage } from '../laws/index.ts';
import { outputPath, probeWritable, type OutputKind } from '../io/paths.ts';
import { checkReplaceable, FIT_FOLDER, recoverFolder } from '../io/folder.ts';
import type { LoadTableRequest } from '../config/load.ts';
import { LOG_FORMATS, summarize } from '../ingest/ingest.ts';
import type { RunTable } from '../io/types.ts';

export interface DataArgs {
  files?: string[];
  data?: string[];
  config?: string;
  languages?: string;
  map?: string[];
  where?: string[];
  format?: string;
  delimiter?: string;
  'allow-outside'?: boolean;
}

/**
 * Run-log files (positional `[files..]` where the command declares it, or --data), --config,
 * --languages, --map, --where, --format, --delimiter (SPEC §2: every command that reads run logs).
 */
export function withDataOptions<T>(y: Argv<T>) {
  return y
    .positional('files', { type: 'string', array: true, describe: 'run logs: CSV, TSV, JSON lines, W&B export, trainer_state.json, or gzip of any (SPEC §1); default: the config\'s data' })
    .option('data', { type: 'string', array: true, describe: 'run log file(s), as the positional files (SPEC §1); default: the config\'s data' })
    .option('config', { type: 'string', describe: 'YAML config (data, columns, where, law, fit options, holdout)' })
    .option('languages', { type: 'string', describe: 'languages table CSV (lang, unique_tokens, script, family, name)' })
    .option('map', { type: 'string', array: true, nargs: 1, describe: 'column map TARGET=SOURCE[*scale] or a constant, e.g. tokens=D_billions*1e9, params=70M, mixture=en:0.5;de:0.5 (repeatable)' })
    .option('where', { type: 'string', array: true, nargs: 1, describe: 'row filter on a source column, e.g. "step > 0" (repeatable; ops == != < <= > >=)' })
    .option('format', { type: 'string', choices: [...LOG_FORMATS], describe: 'log format (default auto: by extension and content; wandb skips steps that logged no loss)' })
    .option('delimiter', { type: 'string', describe: 'field delimiter of delimited text, e.g. ";" or tab (default: sniffed from the header)' })
    .option('allow-outside', { type: 'boolean', default: false, describe: 'allow --out outside the working directory and config paths outside the config\'s folder' });
}

/** What {@link loadTable} reads, from the data flags: positional files and --data together. */
export function tableRequest(args: DataArgs): LoadTableRequest {
  return {
    data: [...(args.files ?? []), ...(args.data ?? [])],
    config: args.config,
    languages: args.languages,
    map: args.map ?? [],
    where: args.where,
    format: args.format,
    delimiter: args.delimiter,
    allowOutside: args['allow-outside'],
  };
}

/** Say on stderr how many rows a log format skipped for a missing loss, params or tokens (W&B's NaN steps). */
export function noteSkippedRows(table: RunTable): void {
  const skipped = summarize(table).missing_skipped;
  if (skipped > 0) process.stderr.write(`skipped ${skipped} rows without a value (NaN or empty params, tokens or loss)\n`);
}

export interface FitArgs {
  objective?: string;
  delta?: number;
  starts?: string;
  tie?: string[];
  fix?: string[];
  init?: string[];
  bootstrap?: number;
  seed?: number;
  'max-iterations'?: number;
  exhaustive?: boolean;
  checkpoints?: string;
}

/** Fit options (SPEC §2). */
export function withFitOptions<T>(y: Argv<T>) {
  return y
    .option('objective', { type: 'string', choices: ['huber', 'lsq', 'lsq-linear'], describe: 'huber: Σ Huber_δ of log-loss residuals; lsq: Σ r²/2 of log-loss residuals; lsq-linear: Σ (L̂ − L)²/2 (default huber)' })
    .option('delta', { type: 'number', describe: 'Huber δ on log-loss residuals (default 1e-3)' })
    .option('starts', { type: 'string', describe: 'grid (product of the law\'s grids), init, or N seeded random starts (default grid)' })
    .option('tie', { type: 'string', array: true, describe: 'NAME=OTHER: NAME follows OTHER, e.g. beta=alpha' })
    .option('fix', { type: 'string', array: true, describe: 'NAME=VALUE: hold NAME at VALUE (natural scale)' })
    .option('init', { type: 'string', array: true, describe: 'NAME=VALUE: starting value (natural scale)' })
    .option('bootstrap', { type: 'number', describe: 'bootstrap resamples over runs (default 0)' })
    .option('seed', { type: 'number', describe: 'seed of random starts, bootstrap and random hold-outs (default 0)' })
    .option('max-iterations', { type: 'number', describe: 'local optimiser iteration cap per start (default 500)' })
    .option('exhaustive', { type: 'boolean', describe: 'run every start to convergence (no pruning of starts heading for worse basins)' })
    .option('checkpoints', { type: 'string', describe: 'which checkpoints of each run enter the fit: all | final | drop-early:F (drop the first fraction F of each run\'s tokens) | tokens>=X (default drop-early:0.5, which the backtests on the shipped real logs support)' });
}

function pairs(flag: string, values: string[] | undefined, numeric: true): Record<string, number>;
function pairs(flag: string, values: string[] | undefined, numeric: false): Record<string, string>;
function pairs(flag: string, values: string[] | undefined, numeric: boolean): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const problems: string[] = [];
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) { problems.push(`--${flag}: expected NAME=VALUE, got ${showCell(item)}`); continue; }
    const name = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const reserved = reservedNameProblem(name);
    if (reserved) { problems.push(`--${flag}: ${reserved}; give a parameter name of the law (e.g. --${flag} ${numeric ? 'E=1.7' : 'beta=alpha'})`); continue; }
    if (numeric) {
      // The same strict decimal syntax as a cell of a run log (no 0x10, Infinity, 1e400).
      const value = parseStrictNumber(raw);
      if (!Number.isFinite(value)) { problems.push(`--${flag}: ${name}: ${showCell(raw)} is not a finite decimal number`); continue; }
      out[name] = value;
    } else {
      if (raw === '' || reservedNameProblem(raw)) { problems.push(`--${flag}: ${name}: expected another parameter's name, got ${showCell(raw)}`); continue; }
      out[name] = raw;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/** A whole-number flag in [min, max]; yargs gives NaN for text such as `abc`. */
function wholeFlag(flag: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`--${flag}: expected a whole number from ${min} to ${max}, got ${Number.isNaN(value) ? 'text that is not a number' : String(value)}`);
  }
  return value;
}

/** Fit options from flags (only those given), to layer over a config's `fit` block. */
export function fitOptionsFromArgs(args: FitArgs): Partial<FitOptions> {
  const out: Partial<FitOptions> = {};
  if (args.objective !== undefined) out.objective = args.objective as FitOptions['objective'];
  if (args.delta !== undefined) {
    if (!(args.delta > 0) || !Number.isFinite(args.delta)) throw new InputError(`--delta: expected a finite number > 0 (e.g. 1e-3), got ${Number.isNaN(args.delta) ? 'text that is not a number' : String(args.delta)}`);
    out.delta = args.delta;
  }
  if (args.starts !== undefined) out.starts = parseStarts(args.starts);
  if (args.tie) out.tie = pairs('tie', args.tie, false);
  if (args.fix) out.fix = pairs('fix', args.fix, true);
  if (args.init) out.init = pairs('init', args.init, true);
  if (args.bootstrap !== undefined) out.bootstrap = wholeFlag('bootstrap', args.bootstrap, 0, MAX_BOOTSTRAP);
  if (args.seed !== undefined) out.seed = wholeFlag('seed', args.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (args['max-iterations'] !== undefined) out.maxIterations = wholeFlag('max-iterations', args['max-iterations'], 1, MAX_ITERATIONS);
  if (args.exhaustive) out.prune = false;
  if (args.checkpoints !== undefined) out.checkpoints = args.checkpoints;
  return out;
}

/** `grid`, `init` or a whole number of random starts (1 … MAX_STARTS). */
export function parseStarts(value: string | number): FitOptions['starts'] {
  if (Array.isArray(value)) throw new InputError(`--starts: given ${value.length} times (${value.join(', ')}); give it once`);
  const text = String(value);
  if (text === 'grid' || text === 'init') return text;
  const n = parseStrictNumber(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_STARTS) throw new InputError(`--starts: expected grid, init or a whole number from 1 to ${MAX_STARTS}, got ${showCell(text)}`);
  return n;
}

/**
 * The law to fit: `--law`, else the config's `law:`. An unknown name is bad input, reported at
 * the config's file and line when it came from the config.
 */
export function lawFrom(flag: string | undefined, config: AtlasConfig | null): string {
  if (flag !== undefined) {
    if (!isLaw(flag)) throw new InputError(unknownLawMessage(flag));
    return flag;
  }
  const law = config?.law;
  if (!law) throw new InputError('--law: no law given (pass --law or set law: in the config)');
  if (!isLaw(law)) throw new InputError(unknownLawMessage(law, `${config!.path}:${config!.lines?.law ?? 1}: law`));
  return law;
}

/** `--allow-outside` for commands that write files but read no run logs. */
export function withAllowOutside<T>(y: Argv<T>) {
  return y.option('allow-outside', { type: 'boolean', default: false, describe: 'allow --out outside the working directory' });
}

/**
 * Check an output before any work (SPEC §4): `--out` not empty, inside the working directory
 * unless `--allow-outside`, not a file where a folder is meant (or the reverse); for a folder
 * that is replaced whole (`replace`, the default for folders), one atlas may replace (absent,
 * empty or carrying atlas's marker); and a file system that accepts a new file there. Returns
 * the absolute path.
 */
export function checkOutput(p: string, kind: OutputKind, allowOutside = false, flag = '--out', replace = kind === 'folder'): string {
  const abs = outputPath(p, kind, flag, allowOutside);
  if (replace) {
    recoverFolder(abs);
    checkReplaceable(abs, FIT_FOLDER);
  }
  probeWritable(abs);
  return abs;
}

/** Print JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Key under which `main` hands each invocation its own outcome record (yargs parse context). */
export const OUTCOME = '__atlasOutcome';

/** The exit code of one CLI invocation. */
export interface Outcome {
  code: number;
}

/**
 * Wrap a command handler that returns its exit code (0 or nothing = success, 1 = the run failed)
 * into the yargs handler shape; the code reaches `main` through the invocation's parse context.
 */
export function returnsExitCode<A>(handler: (args: A) => number | void | Promise<number | void>): (args: A) => Promise<void> {
  return async (args: A) => {
    const code = await handler(args);
    const outcome = (args as Record<string, unknown>)[OUTCOME] as Outcome | undefined;
    if (typeof code === 'number' && outcome) outcome.code = Math.max(outcome.code, code);
  };
}
