/**
 * Flags shared by the commands that read run logs and fit laws, and their translation into stage
 * inputs. Command-line flags override a config's values.
 */
import type { Argv } from 'yargs';
import type { FitOptions } from '../fitting/options.ts';
import { InputError } from '../io/types.ts';
import { outputPath, probeWritable, type OutputKind } from '../io/paths.ts';
import { checkReplaceable, FIT_FOLDER, recoverFolder } from '../io/folder.ts';

export interface DataArgs {
  data?: string[];
  config?: string;
  languages?: string;
  map?: string[];
  'allow-outside'?: boolean;
}

/** --data, --config, --languages, --map (SPEC §2: every command that reads run logs). */
export function withDataOptions<T>(y: Argv<T>) {
  return y
    .option('data', { type: 'string', array: true, describe: 'run log CSV file(s) (SPEC §1); default: the config\'s data' })
    .option('config', { type: 'string', describe: 'YAML config (data, columns, where, law, fit options, holdout)' })
    .option('languages', { type: 'string', describe: 'languages table CSV (lang, unique_tokens, script, family, name)' })
    .option('map', { type: 'string', array: true, nargs: 1, describe: 'column map TARGET=SOURCE[*scale], e.g. tokens=D_billions*1e9 (repeatable)' })
    .option('allow-outside', { type: 'boolean', default: false, describe: 'allow --out outside the working directory and config paths outside the config\'s folder' });
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
    .option('exhaustive', { type: 'boolean', describe: 'run every start to convergence (no pruning of starts heading for worse basins)' });
}

function pairs(flag: string, values: string[] | undefined, numeric: true): Record<string, number>;
function pairs(flag: string, values: string[] | undefined, numeric: false): Record<string, string>;
function pairs(flag: string, values: string[] | undefined, numeric: boolean): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`--${flag}: expected NAME=VALUE, got "${item}"`);
    const name = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    if (numeric) {
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new InputError(`--${flag}: ${name}: "${raw}" is not a finite number`);
      out[name] = value;
    } else out[name] = raw;
  }
  return out;
}

/** Fit options from flags (only those given), to layer over a config's `fit` block. */
export function fitOptionsFromArgs(args: FitArgs): Partial<FitOptions> {
  const out: Partial<FitOptions> = {};
  if (args.objective !== undefined) out.objective = args.objective as FitOptions['objective'];
  if (args.delta !== undefined) {
    if (!(args.delta > 0)) throw new InputError(`--delta: must be > 0, got ${args.delta}`);
    out.delta = args.delta;
  }
  if (args.starts !== undefined) out.starts = parseStarts(args.starts);
  if (args.tie) out.tie = pairs('tie', args.tie, false);
  if (args.fix) out.fix = pairs('fix', args.fix, true);
  if (args.init) out.init = pairs('init', args.init, true);
  if (args.bootstrap !== undefined) {
    if (!Number.isInteger(args.bootstrap) || args.bootstrap < 0) throw new InputError(`--bootstrap: expected a whole number ≥ 0, got ${args.bootstrap}`);
    out.bootstrap = args.bootstrap;
  }
  if (args.seed !== undefined) {
    if (!Number.isInteger(args.seed)) throw new InputError(`--seed: expected an integer, got ${args.seed}`);
    out.seed = args.seed;
  }
  if (args['max-iterations'] !== undefined) out.maxIterations = args['max-iterations'];
  if (args.exhaustive) out.prune = false;
  return out;
}

/** `grid`, `init` or a positive integer. */
export function parseStarts(text: string): FitOptions['starts'] {
  if (text === 'grid' || text === 'init') return text;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--starts: expected grid, init or a positive integer, got "${text}"`);
  return n;
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
