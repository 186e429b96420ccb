/**
 * Config loading: YAML → {@link ConfigSchema} → {@link AtlasConfig}, with the file's line in every
 * message (`configs/x.yaml:7: fit.delta: expected a number, got "abc"`), and {@link loadTable},
 * which merges command-line flags over a config and ingests the run logs.
 *
 * Paths in a config (`data`, `languages`) are relative to the config file. They may not leave
 * the allowed folder (through `..`, a symlink or as an absolute path elsewhere) unless
 * `allowOutside` is set (`--allow-outside`). The allowed folder is the config's folder, widened to the working
 * directory when the config lies inside it (so `configs/x.yaml` may read `../datasets/x.csv`
 * when run from the checkout) and to the atlas package for its shipped configs (so `reproduce`
 * works from any directory). A config downloaded elsewhere cannot reach outside its folder.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import type { LawOptions } from '../laws/law.ts';
import type { FitOptions } from '../fitting/options.ts';
import { ingestOptionsFor, tableFor, type TableRequest, type TableSource } from './table.ts';
import { parseFilter } from '../ingest/expressions.ts';
import { parseHoldoutSpec } from '../fit/holdout.ts';
import { InputError, type RunTable } from '../io/types.ts';
import { ConfigSchema, type ConfigInput } from './schema.ts';
import { allowedRoot, displayPath, escapeProblem } from '../io/paths.ts';
import { reservedNameProblem } from './limits.ts';

/**
 * A loaded, checked config. Paths are resolved (relative to the working directory when inside it).
 * What the ingest reads (path, data, languages, columns, values, where, mixture_tolerance) is
 * declared in table.ts.
 */
export interface AtlasConfig extends TableSource {
  /** Folder of the config file (absolute). */
  dir: string;
  /** SHA-256 of the config file's bytes. */
  sha256: string;
  description?: string;
  law?: string;
  law_options: LawOptions;
  fit: Partial<FitOptions>;
  /** Hold-out spec; absent or `none` = no hold-out. */
  holdout?: string;
  /** Group column for per-group fits; absent or `none` = pooled. */
  group_by?: string;
  /** Parameters shared across groups (with group_by). */
  share?: string[];
  /** The `backtest:` block as written (checked by the schema). */
  backtest?: BacktestConfig;
  /** Line of each top-level key in the file (for messages about a value found later, e.g. `law:`). */
  lines?: Record<string, number>;
}

export type BacktestConfig = NonNullable<ConfigInput['backtest']>;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Let config paths leave the config's folder (`--allow-outside`). */
  allowOutside?: boolean;
}

// Path safety (pipeline/io/paths.ts) and the ingest options of a loaded config (table.ts):
// re-exported for callers of this module.
export { ingestOptionsFor, tableFor };
export { displayPath, outsideProblem, resolveInside } from '../io/paths.ts';

// ---------------------------------------------------------------------------------------------
// YAML with lines

type PathKey = string | number;

class Located {
  constructor(readonly file: string, readonly doc: Document.Parsed, readonly lines: LineCounter) {}

  private lineOf(offset: number | undefined): number {
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }

  /** Line of the value at `path` (or of the nearest ancestor that exists). */
  valueLine(path: readonly PathKey[]): number {
    for (let len = path.length; len >= 0; len--) {
      const node = len === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, len), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return this.lineOf(range[0]);
    }
    return 1;
  }

  /** Line of the key `key` in the mapping at `path`. */
  keyLine(path: readonly PathKey[], key: string): number {
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = pair.key as { value?: unknown; range?: [number, number, number] } | null;
        if (k && String(k.value) === key && k.range) return this.lineOf(k.range[0]);
      }
    }
    return this.valueLine(path);
  }

  message(path: readonly PathKey[], text: string, line = this.valueLine(path)): string {
    const where = path.length === 0 ? '(top level)' : path.map(String).join('.');
    return `${this.file}:${line}: ${where}: ${text}`;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key as string];
  }
  return current;
}

const ARTICLE: Record<string, string> = {
  number: 'a number', string: 'a string', boolean: 'true or false', array: 'a list', object: 'a mapping',
  record: 'a mapping', int: 'a whole number', null: 'null',
};

function issueMessages(located: Located, raw: unknown, issue: z.core.$ZodIssue): string[] {
  const path = issue.path as PathKey[];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path);
      return issue.keys.map((key) =>
        located.message([...path, key], `unknown key${known ? ` (known: ${known})` : ''}`, located.keyLine(path, key)));
    }
    case 'invalid_type':
      return [located.message(path, `expected ${ARTICLE[issue.expected] ?? issue.expected}, got ${describe(valueAt(raw, path))}`)];
    case 'invalid_value':
      return [located.message(path, `expected one of ${issue.values.map(String).join(', ')}, got ${describe(valueAt(raw, path))}`)];
    case 'too_small':
      if (issue.origin === 'array') return [located.message(path, `expected at least ${issue.minimum} entr${issue.minimum === 1 ? 'y' : 'ies'}`)];
      if (issue.origin === 'string') return [located.message(path, 'expected a non-empty string')];
      return [located.message(path, `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}, got ${describe(valueAt(raw, path))}`)];
    case 'too_big':
      return [located.message(path, `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}, got ${describe(valueAt(raw, path))}`)];
    default:
      return [located.message(path, `${issue.message}, got ${describe(valueAt(raw, path))}`)];
  }
}

function knownKeys(path: readonly PathKey[]): string | null {
  if (path.length === 0) return Object.keys(ConfigSchema.shape).join(', ');
  if (path.length === 1 && path[0] === 'fit') return Object.keys(ConfigSchema.shape.fit.unwrap().shape).join(', ');
  if (path.length === 1 && (path[0] === 'columns' || path[0] === 'values')) return 'the SPEC columns run_id, params, tokens, loss, eval_lang, mixture, unique_tokens, kind, base_run, base_tokens, step, seed, flops, split';
  return null;
}

/** Repeated keys of every mapping in a YAML tree, with their lines (the parser reports the map's line). */
function duplicateKeys(node: unknown, lines: LineCounter, prefix: string[] = []): { key: string; line: number; first: number }[] {
  const out: { key: string; line: number; first: number }[] = [];
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const k = pair.key as { value?: unknown; range?: [number, number, number] } | null;
      const name = String(k?.value ?? k);
      const line = k?.range ? lines.linePos(k.range[0]).line : 1;
      const first = seen.get(name);
      if (first !== undefined) out.push({ key: [...prefix, name].join('.'), line, first });
      else seen.set(name, line);
      out.push(...duplicateKeys(pair.value, lines, [...prefix, name]));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => out.push(...duplicateKeys(item, lines, [...prefix, String(i)])));
  }
  return out;
}

/**
 * `FILE:LINE: key: …` for every mapping key that names a built-in property (`__proto__`,
 * `constructor` …): such a key would be silently lost or misread in a lookup.
 */
export function reservedKeyProblems(file: string, doc: Document, lines: LineCounter): string[] {
  const problems: string[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as { value?: unknown; range?: [number, number, number] } | null;
      const name = key && typeof key === 'object' && 'value' in key ? String(key.value) : String(key);
      const problem = reservedNameProblem(name);
      if (problem) problems.push(`${file}:${key?.range ? lines.linePos(key.range[0]).line : 1}: ${name}: ${problem} (a key must name a column, option or parameter)`);
      return undefined;
    },
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Loading

function readConfigBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InputError(`${path}: --config: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Parse and check config text. `path` is the file's path as given (messages, and the folder that
 * relative paths resolve against). Throws an InputError listing every problem with its line.
 */
export function parseConfig(text: string, path: string, options: LoadConfigOptions = {}): AtlasConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const duplicates = duplicateKeys(doc.contents, lines);
    throw new InputError(doc.errors.flatMap((error) => {
      if (error.code === 'DUPLICATE_KEY' && duplicates.length > 0) {
        return duplicates.map(({ key, line, first }) => `${path}:${line}: ${key}: yaml: key repeated (first on line ${first}); map keys must be unique`);
      }
      const line = error.linePos?.[0]?.line ?? 1;
      return [`${path}:${line}: yaml: ${error.message.split('\n')[0]}`];
    }).filter((message, i, all) => all.indexOf(message) === i));
  }
  const reserved = reservedKeyProblems(path, doc, lines);
  if (reserved.length > 0) throw new InputError(reserved);
  const located = new Located(path, doc, lines);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(`${path}:1: yaml: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(located.message([], `expected a mapping of config keys, got ${describe(raw)}`));
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(parsed.error.issues.flatMap((issue) => issueMessages(located, raw, issue)));
  }
  const input: ConfigInput = parsed.data;
  const problems: string[] = [];
  const dir = dirname(resolve(path));
  const root = allowedRoot(dir);

  const resolvePath = (p: string, at: PathKey[]): string => {
    const target = resolve(dir, p);
    const problem = options.allowOutside ? null : escapeProblem(root, target, p);
    if (problem) problems.push(located.message(at, problem));
    return displayPath(target);
  };
  const dataList = input.data === undefined ? [] : Array.isArray(input.data) ? input.data : [input.data];
  const data = dataList.map((p, i) => resolvePath(p, Array.isArray(input.data) ? ['data', i] : ['data']));
  const languages = input.languages === undefined ? undefined : resolvePath(input.languages, ['languages']);

  const whereList = input.where === undefined ? [] : Array.isArray(input.where) ? input.where : [input.where];
  whereList.forEach((filter, i) => {
    const result = parseFilter(filter);
    if (typeof result === 'string') problems.push(located.message(Array.isArray(input.where) ? ['where', i] : ['where'], result));
  });
  if (input.holdout !== undefined && input.holdout !== null) {
    try {
      parseHoldoutSpec(input.holdout);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(located.message(['holdout'], error.message.replace(/^--holdout /, '')));
    }
  }
  if (problems.length > 0) throw new InputError(problems);

  const config: AtlasConfig = {
    path,
    dir,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    data,
    columns: (input.columns ?? {}) as Record<string, string>,
    values: (input.values ?? {}) as Record<string, Record<string, string>>,
    where: whereList,
    law_options: (input.law_options ?? {}) as LawOptions,
    fit: (input.fit ?? {}) as Partial<FitOptions>,
  };
  config.lines = Object.fromEntries(Object.keys(input).map((key) => [key, located.keyLine([], key)]));
  if (input.description !== undefined) config.description = input.description;
  if (languages !== undefined) config.languages = languages;
  if (input.mixture_tolerance !== undefined) config.mixture_tolerance = input.mixture_tolerance;
  if (input.law !== undefined) config.law = input.law;
  if (input.holdout !== undefined && input.holdout !== null && input.holdout !== 'none') {
    // A long runs: list may be folded over several YAML lines: canonical form has no spaces.
    config.holdout = input.holdout.trim().startsWith('runs:') ? input.holdout.trim().replace(/\s*,\s*/g, ',') : input.holdout.trim();
  }
  if (input.group_by !== undefined && input.group_by !== null && input.group_by !== 'none') config.group_by = input.group_by;
  if (input.backtest !== undefined) config.backtest = input.backtest;
  if (input.share !== undefined) config.share = (Array.isArray(input.share) ? input.share : input.share.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  return config;
}

/** Read, parse and check a config file (see {@link parseConfig}); `sha256` is of the file's bytes. */
export function loadConfig(path: string, options: LoadConfigOptions = {}): AtlasConfig {
  const bytes = readConfigBytes(path);
  const config = parseConfig(bytes.toString('utf8'), path, options);
  config.sha256 = createHash('sha256').update(bytes).digest('hex');
  return config;
}

/** What {@link loadTable} reads: command-line flags (table.ts), and optionally a config under them. */
export interface LoadTableRequest extends TableRequest {
  /** Config path (or an already loaded config). */
  config?: string | AtlasConfig | null;
  /** `--allow-outside`. */
  allowOutside?: boolean;
}

/**
 * Load a config (if any), merge the command-line flags over it (flags win) and ingest the run
 * logs. Throws an InputError when there is nothing to read or the input is bad.
 */
export async function loadTable(request: LoadTableRequest): Promise<{ table: RunTable; config: AtlasConfig | null }> {
  const config = request.config === undefined || request.config === null
    ? null
    : typeof request.config === 'string' ? loadConfig(request.config, { allowOutside: request.allowOutside }) : request.config;
  return { table: await tableFor(config, request), config };
}
