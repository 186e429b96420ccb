/**
 * Ingest: CSV run logs → a validated, normalised {@link RunTable} (SPEC §1).
 *
 * The reader streams each file and writes straight into block columns: typed arrays for numbers,
 * and for text and mixtures a per-row number into their distinct values (interned strings copied
 * out of the read chunks, one shared {@link Mixture} per distinct mixture). No per-row objects are
 * made; `finish` builds the table's arrays at their exact length.
 *
 * Source columns reach SPEC columns through a column map (`--map tokens=D_billions*1e9`, or a
 * config's `columns:` block); optional `where` filters drop rows on source columns before they
 * are validated; an optional `values` map rewrites cell values (e.g. `kind: {mono: pretrain}`).
 *
 * Every problem is collected and reported together as `FILE:LINE: column: what is wrong`
 * (an {@link InputError}; the CLI exits 2). A table is returned only when there is none.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { CsvSyntaxError, csvLine, parseCsvFile, parseCsvText, type CsvSink } from '../io/csv.ts';
import { compare, parseComposite, parseFilter, parseSourceExpression, parseStrictNumber, showCell, LINE_SOURCE, type RowFilter } from './expressions.ts';
import { InputError, type LanguageInfo, type LanguageTable, type Mixture, type RunTable, type SourceFile } from '../io/types.ts';

/** How to read logs: languages table, column map, row filters, tolerances. */
export interface IngestOptions {
  /** Path of a languages table CSV (`lang`, `unique_tokens`, `script`, `family`, `name`). */
  languages?: string;
  /** Target (SPEC) column → source expression: a column name, optionally `*`/`/` numeric constants. */
  map?: Record<string, string>;
  /** Row filters on source columns (`step > 0`, `kind != finetune`); a row must pass all. */
  where?: string[];
  /** Allowed |Σ weights − 1| of a mixture (default 1e-6); mixtures within it are renormalised. */
  mixtureTolerance?: number;
  /** Target column → {source value → value} rewrites applied before validation. */
  values?: Record<string, Record<string, string>>;
}

/** SPEC §1 columns, in the order the normalised CSV writes them. */
export const SPEC_COLUMNS = [
  'run_id', 'params', 'tokens', 'loss', 'eval_lang', 'mixture', 'unique_tokens', 'kind',
  'base_run', 'base_tokens', 'step', 'seed', 'flops', 'split',
] as const;
export type SpecColumn = (typeof SPEC_COLUMNS)[number];

const REQUIRED: readonly SpecColumn[] = ['run_id', 'params', 'tokens', 'loss'];
const NUMERIC = new Set<SpecColumn>(['params', 'tokens', 'loss', 'base_tokens', 'step', 'flops']);

/** Default allowed deviation of a mixture's weight sum from 1 (SPEC §1). */
export const DEFAULT_MIXTURE_TOLERANCE = 1e-6;

/** Most problems listed in one error; the rest are counted. */
export const MAX_PROBLEMS = 50;

// ---------------------------------------------------------------------------------------------
// Numbers and column maps (expressions live in config/expressions.ts)

export { LINE_SOURCE, parseFilter, parseSourceExpression, parseStrictNumber, showCell } from './expressions.ts';
export type { RowFilter, SourceExpression } from './expressions.ts';

function describeNumberProblem(text: string): string {
  if (text.trim() === '') return 'empty (a number is required)';
  const n = parseStrictNumber(text);
  if (Number.isNaN(n)) return `not a number: ${showCell(text)}`;
  return `not a finite number: ${showCell(text)}`;
}

/**
 * Parse repeated `--map K=V` flags into a column map. Throws an InputError naming `--map` for
 * a flag without `=` or with an unknown target column.
 */
export function parseMapFlags(flags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq <= 0 || eq === flag.length - 1) {
      problems.push(`--map: expected TARGET=SOURCE (e.g. params=N_params), got ${showCell(flag)}`);
      continue;
    }
    const target = flag.slice(0, eq).trim();
    if (!(SPEC_COLUMNS as readonly string[]).includes(target)) {
      problems.push(`--map: unknown target column ${showCell(target)} (one of ${SPEC_COLUMNS.join(', ')})`);
      continue;
    }
    out[target] = flag.slice(eq + 1).trim();
  }
  problems.push(...checkMapTargets(out, '--map'));
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/** Problems with the target names of a column map (`where` names the source of the map). */
export function checkMapTargets(map: Record<string, string>, where: string): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(map)) {
    if (!(SPEC_COLUMNS as readonly string[]).includes(key)) {
      problems.push(`${where}: unknown target column "${key}" (one of ${SPEC_COLUMNS.join(', ')})`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Problems

/** Collected problems: listed in file order, then line order (at most MAX_PROBLEMS, then a count). */
class Problems {
  private readonly entries: { file: number; line: number; seq: number; text: string }[] = [];
  private readonly files = new Map<string, number>();
  count = 0;
  add(message: string): void {
    this.push(-1, 0, message);
  }
  at(file: string, line: number, column: string, message: string): void {
    let order = this.files.get(file);
    if (order === undefined) { order = this.files.size; this.files.set(file, order); }
    this.push(order, line, `${file}:${line}: ${column}: ${message}`);
  }
  private push(file: number, line: number, text: string): void {
    this.count++;
    if (this.entries.length < MAX_PROBLEMS) this.entries.push({ file, line, seq: this.count, text: detach(text) });
  }
  throwIfAny(): void {
    if (this.count === 0) return;
    const out = [...this.entries].sort((a, b) => a.file - b.file || a.line - b.line || a.seq - b.seq).map((e) => e.text);
    if (this.count > this.entries.length) out.push(`… and ${this.count - this.entries.length} more problems (${this.count} in all)`);
    throw new InputError(out);
  }
}

// ---------------------------------------------------------------------------------------------
// Growable columns

type NumberArray = Float64Array | Int32Array | Uint8Array;

/** Rows per block of a {@link Column}, and the size its first block starts at. */
const BLOCK = 1 << 16;
const FIRST_BLOCK = 1024;

/**
 * A growable numeric column kept in blocks of {@link BLOCK} values: the first block doubles up to
 * that size (small tables stay small), later ones are added as they fill, so appending never
 * copies what is already stored. {@link take} copies the blocks once into an array of the exact
 * row count.
 */
class Column<A extends NumberArray> {
  private current: A;
  private blocks: A[];
  private used = 0;
  length = 0;
  constructor(private readonly make: (n: number) => A) {
    this.current = make(FIRST_BLOCK);
    this.blocks = [this.current];
  }
  push(value: number): void {
    if (this.used === this.current.length) this.grow();
    this.current[this.used++] = value;
    this.length++;
  }
  private grow(): void {
    if (this.current.length < BLOCK) {
      const next = this.make(Math.min(this.current.length * 2, BLOCK));
      next.set(this.current);
      this.blocks[this.blocks.length - 1] = next;
      this.current = next;
    } else {
      this.current = this.make(BLOCK);
      this.blocks.push(this.current);
      this.used = 0;
    }
  }
  /** Every value in an array of exactly `length` elements; the column is left empty. */
  take(): A {
    const out = this.make(this.length);
    for (let b = 0; b < this.blocks.length; b++) {
      const start = b * BLOCK;
      const count = Math.min(this.length - start, this.blocks[b].length);
      if (count > 0) out.set(count === this.blocks[b].length ? this.blocks[b] : this.blocks[b].subarray(0, count), start);
    }
    this.current = this.make(FIRST_BLOCK);
    this.blocks = [this.current];
    this.used = 0;
    this.length = 0;
    return out;
  }
}

const f64 = (n: number): Float64Array => new Float64Array(n);
const i32 = (n: number): Int32Array => new Int32Array(n);
const u8 = (n: number): Uint8Array => new Uint8Array(n);

/** The rows of `values` that `keep` marks (all of them without a mask), as a new array. */
function select<A extends NumberArray>(values: A, keep: Uint8Array | null, rows: number, make: (n: number) => A): A {
  if (!keep) return values;
  const out = make(rows);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (keep[i]) out[j++] = values[i];
  return out;
}

/** Longest array allocated at its final length up front (V8 makes longer ones dictionaries). */
const PREALLOCATE_LIMIT = 1 << 24;

/**
 * A JS column from per-row codes: row i holds `values[codes[i] + offset]` (offset 1 lets code −1
 * stand for `values[0]`, e.g. null). The array is allocated at its final length (pushing would
 * leave up to half again as spare capacity) and filled completely.
 */
function gather<T>(codes: Int32Array | Uint8Array, values: readonly T[], offset: number, keep: Uint8Array | null, rows: number): T[] {
  const out: T[] = rows <= PREALLOCATE_LIMIT ? new Array<T>(rows) : [];
  let j = 0;
  for (let i = 0; i < codes.length; i++) if (!keep || keep[i]) out[j++] = values[codes[i] + offset];
  return out;
}

/**
 * A copy of `value` that shares no memory with the text it was cut from. V8 keeps a substring's
 * parent alive (a field of a 1 MB read chunk holds the whole chunk), so every string that outlives
 * the parse (table values, cache keys, messages) is copied once, when it is first stored.
 */
function detach(value: string): string {
  return value.length === 0 ? value : (JSON.parse(JSON.stringify(value)) as string);
}

/** Strings numbered in order of first appearance, with a one-entry cache for runs of equal values. */
class Indexer {
  private readonly map = new Map<string, number>();
  readonly names: string[] = [];
  private last: string | null = null;
  private lastIndex = -1;
  index(value: string): number {
    if (value === this.last) return this.lastIndex;
    let i = this.map.get(value);
    if (i === undefined) {
      const own = detach(value);
      i = this.names.length;
      this.map.set(own, i);
      this.names.push(own);
    }
    this.last = value;
    this.lastIndex = i;
    return i;
  }
  get size(): number {
    return this.names.length;
  }
}

/** Objects numbered in order of first appearance, with a one-entry cache. */
class ObjectIndexer<T extends object> {
  private readonly map = new Map<T, number>();
  readonly values: T[] = [];
  private last: T | null = null;
  private lastIndex = -1;
  index(value: T): number {
    if (value === this.last) return this.lastIndex;
    let i = this.map.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.map.set(value, i);
      this.values.push(value);
    }
    this.last = value;
    this.lastIndex = i;
    return i;
  }
}

class Interner {
  private readonly map = new Map<string, string>();
  get(value: string): string {
    const found = this.map.get(value);
    if (found !== undefined) return found;
    const own = detach(value);
    this.map.set(own, own);
    return own;
  }
}

// ---------------------------------------------------------------------------------------------
// Mixtures and unique tokens

/**
 * Parse a mixture `lang:weight;lang:weight` (weights > 0; Σ within `tolerance` of 1, then
 * renormalised). Returns the languages sorted with their weights, or a message.
 */
export function parseMixture(text: string, tolerance = DEFAULT_MIXTURE_TOLERANCE): { langs: string[]; weights: number[] } | string {
  const parts = text.split(';').map((p) => p.trim());
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const entries: [string, number][] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon < 0 || part.indexOf(':', colon + 1) >= 0) return `malformed mixture "${text}": expected lang:weight;lang:weight, got "${part}"`;
    const lang = part.slice(0, colon).trim();
    const weightText = part.slice(colon + 1).trim();
    if (lang === '') return `malformed mixture "${text}": empty language in "${part}"`;
    if (seen.has(lang)) return `malformed mixture "${text}": language "${lang}" appears twice`;
    seen.add(lang);
    const weight = parseStrictNumber(weightText);
    if (!Number.isFinite(weight)) return `malformed mixture "${text}": weight of ${lang} is not a number ("${weightText}")`;
    if (weight <= 0) return `malformed mixture "${text}": weight of ${lang} must be > 0, got ${weightText}`;
    entries.push([lang, weight]);
  }
  let sum = 0;
  for (const [, w] of entries) sum += w;
  if (Math.abs(sum - 1) > tolerance) {
    return `mixture weights sum to ${Number(sum.toPrecision(12))}, not 1 (±${tolerance}) in "${text}"`;
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { langs: entries.map((e) => e[0]), weights: entries.map((e) => (sum === 1 ? e[1] : e[1] / sum)) };
}

/** Canonical text of a mixture (languages sorted, shortest round-trip weights). */
export function mixtureKey(langs: readonly string[], weights: readonly number[]): string {
  return langs.map((lang, i) => `${lang}:${weights[i]}`).join(';');
}

/** Parse `unique_tokens` text `lang:count;lang:count` (counts > 0). */
function parseUniqueList(text: string): Map<string, number> | string {
  const out = new Map<string, number>();
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const colon = part.indexOf(':');
    if (colon <= 0) return `malformed unique_tokens "${text}": expected a number or lang:count;lang:count, got "${part}"`;
    const lang = part.slice(0, colon).trim();
    const countText = part.slice(colon + 1).trim();
    const count = parseStrictNumber(countText);
    if (!Number.isFinite(count)) return `malformed unique_tokens "${text}": count of ${lang} is not a number ("${countText}")`;
    if (count <= 0) return `malformed unique_tokens "${text}": count of ${lang} must be > 0`;
    if (out.has(lang)) return `malformed unique_tokens "${text}": language "${lang}" appears twice`;
    out.set(lang, count);
  }
  if (out.size === 0) return `malformed unique_tokens "${text}"`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Languages table

/** Parse a languages table (CSV text) into a map; throws InputError with every problem. */
export function parseLanguagesTable(text: string | Uint8Array, fileName: string): LanguageTable {
  const problems = new Problems();
  const table = new Map<string, LanguageInfo>();
  const lines = new Map<string, number>();
  let cols: Record<string, number> = {};
  let header: string[] | null = null;
  const sink: CsvSink = {
    header(fields, line) {
      header = fields.map((f) => f.trim());
      cols = {};
      header.forEach((name, i) => { cols[name] = i; });
      if (cols.lang === undefined) problems.at(fileName, line, 'lang', 'missing required column');
    },
    record(fields, line) {
      if (!header || cols.lang === undefined) return;
      if (fields.length !== header.length) {
        problems.at(fileName, line, '(row)', `has ${fields.length} fields, the header has ${header.length}`);
        return;
      }
      const lang = fields[cols.lang].trim();
      if (lang === '') { problems.at(fileName, line, 'lang', 'empty'); return; }
      if (lines.has(lang)) { problems.at(fileName, line, 'lang', `"${lang}" already listed on line ${lines.get(lang)}`); return; }
      lines.set(lang, line);
      const info: LanguageInfo = { lang: detach(lang) };
      if (cols.unique_tokens !== undefined) {
        const text = fields[cols.unique_tokens];
        if (text.trim() !== '') {
          const value = parseStrictNumber(text);
          if (!Number.isFinite(value)) problems.at(fileName, line, 'unique_tokens', describeNumberProblem(text));
          else if (value <= 0) problems.at(fileName, line, 'unique_tokens', `must be > 0, got ${text.trim()}`);
          else info.uniqueTokens = value;
        }
      }
      for (const key of ['script', 'family', 'name'] as const) {
        if (cols[key] !== undefined && fields[cols[key]].trim() !== '') info[key] = detach(fields[cols[key]].trim());
      }
      table.set(info.lang, info);
    },
  };
  try {
    parseCsvText(text, sink);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    problems.at(fileName, error.line, 'csv', error.message);
  }
  if (header === null && problems.count === 0) problems.add(`${fileName}:1: (file): empty file`);
  else if (table.size === 0 && problems.count === 0) problems.add(`${fileName}:2: (file): no data rows`);
  problems.throwIfAny();
  return table;
}

/** Read a languages table file. */
export function readLanguagesTable(path: string): LanguageTable {
  return parseLanguagesTable(readFile(path, '--languages'), path);
}

function readFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InputError(`${path}: ${flag}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

// ---------------------------------------------------------------------------------------------
// The builder

interface ColumnRef {
  /** Source column index (−1 for a composite). */
  index: number;
  /** Composite of source columns joined with `/` (−1 = the row's line number), or null. */
  parts: number[] | null;
  factor: number;
  /** Label for messages: the target name, or `source (as target)`. */
  label: string;
  values: Record<string, string> | null;
}

interface FileState {
  path: string;
  sourceIndex: number;
  headerLength: number;
  cols: Partial<Record<SpecColumn, ColumnRef>>;
  filters: { filter: RowFilter; index: number }[];
  /** Rows seen (data records) and whether processing is off (header problems). */
  records: number;
  skip: boolean;
}

/** Per-table ingest statistics (kept beside the table for {@link summarize}). */
export interface IngestStats {
  /** Rows dropped by each `where` filter (in order; a row counts for the first filter it fails). */
  filters: { filter: string; dropped: number }[];
  /** Identical duplicate rows (same run, tokens, eval_lang and loss) collapsed into one. */
  duplicatesCollapsed: number;
}

const STATS = new WeakMap<RunTable, IngestStats>();

/** Values of the `kind` and `split` columns by their per-row codes. */
const KINDS: readonly ('pretrain' | 'finetune')[] = ['pretrain', 'finetune'];
const SPLITS: readonly ('train' | 'heldout' | null)[] = [null, 'train', 'heldout'];

class TableBuilder implements CsvSink {
  readonly problems = new Problems();
  private readonly strings = new Interner();
  private readonly mixtures = new Map<string, Mixture | string>();
  private readonly canonical = new Map<string, Mixture>();
  private readonly uniques = new Map<string, ReadonlyMap<string, number> | string>();
  private readonly defaultUnique: ReadonlyMap<string, number>;
  private readonly tolerance: number;
  private readonly map: Record<string, string>;
  private readonly filterSpecs: RowFilter[];
  readonly filterDropped: number[];
  private file: FileState | null = null;

  // Text and object columns are kept as per-row numbers into their distinct values (4 bytes or 1
  // byte a row instead of an 8-byte reference) and become arrays in `finish`.
  private readonly runs = new Indexer();
  private readonly evalLangs = new Indexer();
  private readonly baseRuns = new Indexer();
  private readonly seeds = new Indexer();
  private readonly mixtureIds = new ObjectIndexer<Mixture>();
  private readonly uniqueIds = new ObjectIndexer<ReadonlyMap<string, number>>();
  private readonly runIndex = new Column(i32);
  private readonly langIndex = new Column(i32);
  private readonly mixtureIndex = new Column(i32);
  private readonly uniqueIndex = new Column(i32);
  /** KINDS index. */
  private readonly kindCode = new Column(u8);
  /** Index into baseRuns.names, −1 for none. */
  private readonly baseRunIndex = new Column(i32);
  /** Index into seeds.names, −1 for none. */
  private readonly seedIndex = new Column(i32);
  /** SPLITS index. */
  private readonly splitCode = new Column(u8);
  private readonly params = new Column(f64);
  private readonly tokens = new Column(f64);
  private readonly loss = new Column(f64);
  private readonly baseTokens = new Column(f64);
  private readonly step = new Column(f64);
  private readonly flops = new Column(f64);
  private readonly line = new Column(i32);
  private readonly source = new Column(i32);
  sources: SourceFile[] = [];
  private sourceRows: number[] = [];

  constructor(readonly options: IngestOptions, readonly languages: LanguageTable) {
    this.tolerance = options.mixtureTolerance ?? DEFAULT_MIXTURE_TOLERANCE;
    this.map = options.map ?? {};
    const defaults = new Map<string, number>();
    for (const [lang, info] of languages) if (info.uniqueTokens !== undefined) defaults.set(lang, info.uniqueTokens);
    this.defaultUnique = defaults;
    this.filterSpecs = [];
    for (const text of options.where ?? []) {
      const parsed = parseFilter(text);
      if (typeof parsed === 'string') this.problems.add(`where: ${parsed}`);
      else this.filterSpecs.push(parsed);
    }
    this.filterDropped = this.filterSpecs.map(() => 0);
    for (const problem of checkMapTargets(this.map, '--map')) this.problems.add(problem);
  }

  get rows(): number {
    return this.line.length;
  }

  beginFile(path: string): void {
    this.sourceRows.push(0);
    this.file = { path, sourceIndex: this.sources.length, headerLength: 0, cols: {}, filters: [], records: 0, skip: true };
  }

  endFile(sha256: string, headerSeen: boolean): void {
    const f = this.file!;
    if (!headerSeen) this.problems.at(f.path, 1, '(file)', 'empty file (no header row)');
    else if (f.records === 0 && !f.skip) this.problems.at(f.path, 2, '(file)', 'no data rows');
    this.sources.push({ path: f.path, sha256, rows: this.sourceRows[f.sourceIndex] });
    this.file = null;
  }

  header(fields: string[], line: number): void {
    const f = this.file!;
    const names = fields.map((name) => name.trim());
    f.headerLength = names.length;
    let ok = true;
    const seen = new Map<string, number>();
    names.forEach((name, i) => {
      // Unnamed columns (a pandas index, a trailing comma) are kept and ignored like other extra columns.
      if (name === '') return;
      if (seen.has(name)) { this.problems.at(f.path, line, name, `column appears twice in the header (columns ${seen.get(name)! + 1} and ${i + 1})`); ok = false; }
      else seen.set(name, i);
    });
    if (!ok) return;
    for (const target of SPEC_COLUMNS) {
      const expression = this.map[target];
      const values = this.options.values?.[target] ?? null;
      if (expression === undefined) {
        const index = seen.get(target);
        if (index !== undefined) f.cols[target] = { index, parts: null, factor: 1, label: target, values };
        continue;
      }
      if (!NUMERIC.has(target) && !seen.has(expression.trim()) && (expression.includes('+') || expression.trim() === LINE_SOURCE)) {
        const parts = parseComposite(expression, seen);
        if (typeof parts === 'string') {
          this.problems.at(f.path, line, target, `--map ${target}=${expression}: ${parts}`);
          ok = false;
        } else {
          f.cols[target] = { index: -1, parts, factor: 1, label: `${expression.trim()} (as ${target})`, values };
        }
        continue;
      }
      const parsed = parseSourceExpression(expression, names);
      if (typeof parsed === 'string') {
        this.problems.at(f.path, line, target, `--map ${target}=${expression}: ${parsed}`);
        ok = false;
        continue;
      }
      if (parsed.factor !== 1 && !NUMERIC.has(target)) {
        this.problems.at(f.path, line, target, `--map ${target}=${expression}: a scale applies to numeric columns only`);
        ok = false;
        continue;
      }
      f.cols[target] = { index: seen.get(parsed.column)!, parts: null, factor: parsed.factor, label: parsed.column === target ? target : `${parsed.column} (as ${target})`, values };
    }
    for (const target of REQUIRED) {
      if (!f.cols[target] && this.map[target] === undefined) {
        this.problems.at(f.path, line, target, `missing required column (columns: ${names.join(', ')}; map one with --map ${target}=COLUMN)`);
        ok = false;
      }
    }
    for (const filter of this.filterSpecs) {
      const index = seen.get(filter.column);
      if (index === undefined) {
        this.problems.at(f.path, line, filter.column, `where "${filter.text}": unknown column (columns: ${names.join(', ')})`);
        ok = false;
      } else {
        f.filters.push({ filter, index });
      }
    }
    f.skip = !ok;
  }

  record(fields: string[], line: number): void {
    const f = this.file!;
    f.records++;
    if (f.skip) return;
    const problems = this.problems;
    if (fields.length !== f.headerLength) {
      problems.at(f.path, line, '(row)', `has ${fields.length} fields, the header has ${f.headerLength}`);
      return;
    }
    // Filters, on source columns, before any validation.
    for (let k = 0; k < f.filters.length; k++) {
      const { filter, index } = f.filters[k];
      const cell = fields[index];
      let pass: boolean;
      if (Number.isNaN(filter.number)) {
        pass = filter.op === '==' ? cell.trim() === filter.value : cell.trim() !== filter.value;
      } else {
        const value = parseStrictNumber(cell);
        if (Number.isNaN(value) && cell.trim() !== '') {
          problems.at(f.path, line, filter.column, `where "${filter.text}": not a number: ${showCell(cell)}`);
          return;
        }
        // An empty cell fails every numeric comparison (the row is dropped and counted).
        pass = !Number.isNaN(value) && compare(filter.op, value, filter.number);
      }
      if (!pass) {
        this.filterDropped[this.filterSpecs.indexOf(filter)]++;
        return;
      }
    }
    const before = problems.count;
    const c = f.cols;

    const runId = this.text(fields, c.run_id, line);
    if (runId === '') problems.at(f.path, line, c.run_id!.label, 'empty (a run id is required)');
    const params = this.number(fields, c.params!, line, true);
    const tokens = this.number(fields, c.tokens!, line, true);
    const loss = this.number(fields, c.loss!, line, true);

    const evalLang = c.eval_lang ? this.text(fields, c.eval_lang) || 'und' : 'und';

    let mixture: Mixture | undefined;
    const mixtureText = c.mixture ? this.text(fields, c.mixture) : '';
    const mixtureSource = mixtureText === '' ? `${evalLang}:1` : mixtureText;
    const parsedMixture = this.mixtureOf(mixtureSource);
    if (typeof parsedMixture === 'string') problems.at(f.path, line, c.mixture?.label ?? 'mixture', parsedMixture);
    else mixture = parsedMixture;

    let unique: ReadonlyMap<string, number> = this.defaultUnique;
    if (c.unique_tokens) {
      const text = this.text(fields, c.unique_tokens);
      if (text !== '' && mixture) {
        const parsed = this.uniqueOf(text, mixture);
        if (typeof parsed === 'string') problems.at(f.path, line, c.unique_tokens.label, parsed);
        else unique = parsed;
      }
    }

    let kind: 'pretrain' | 'finetune' = 'pretrain';
    if (c.kind) {
      const text = this.text(fields, c.kind);
      if (text === 'finetune') kind = 'finetune';
      else if (text !== '' && text !== 'pretrain') problems.at(f.path, line, c.kind.label, `must be pretrain or finetune, got ${showCell(text)}`);
    }
    const baseRun = c.base_run ? this.text(fields, c.base_run, line) || null : null;
    const baseTokens = c.base_tokens ? this.optionalNumber(fields, c.base_tokens, line, false) : Number.NaN;
    const step = c.step ? this.optionalNumber(fields, c.step, line, false) : Number.NaN;
    const seed = c.seed ? this.text(fields, c.seed, line) || null : null;
    let flops = c.flops ? this.optionalNumber(fields, c.flops, line, true) : Number.NaN;
    let split: 'train' | 'heldout' | null = null;
    if (c.split) {
      const text = this.text(fields, c.split);
      if (text === 'train' || text === 'heldout') split = text;
      else if (text !== '') problems.at(f.path, line, c.split.label, `must be train or heldout, got ${showCell(text)}`);
    }
    if (problems.count !== before || !mixture) return;
    if (Number.isNaN(flops)) flops = 6 * params * tokens;

    this.runIndex.push(this.runs.index(runId));
    this.params.push(params);
    this.tokens.push(tokens);
    this.loss.push(loss);
    this.langIndex.push(this.evalLangs.index(evalLang));
    this.mixtureIndex.push(this.mixtureIds.index(mixture));
    this.uniqueIndex.push(this.uniqueIds.index(unique));
    this.kindCode.push(kind === 'finetune' ? 1 : 0);
    this.baseRunIndex.push(baseRun === null ? -1 : this.baseRuns.index(baseRun));
    this.baseTokens.push(baseTokens);
    this.step.push(step);
    this.seedIndex.push(seed === null ? -1 : this.seeds.index(seed));
    this.flops.push(flops);
    this.splitCode.push(split === null ? 0 : split === 'train' ? 1 : 2);
    this.line.push(line);
    this.source.push(f.sourceIndex);
    this.sourceRows[f.sourceIndex]++;
  }

  private text(fields: string[], ref: ColumnRef | undefined, line = 0): string {
    if (!ref) return '';
    const raw = ref.parts ? ref.parts.map((i) => (i < 0 ? String(line) : fields[i].trim())).join('/') : fields[ref.index].trim();
    if (ref.values) {
      const mapped = ref.values[raw];
      if (mapped !== undefined) return mapped;
    }
    return raw;
  }

  /** A required positive number. */
  private number(fields: string[], ref: ColumnRef, line: number, positive: boolean): number {
    const cell = ref.values ? this.text(fields, ref) : fields[ref.index];
    const value = parseStrictNumber(cell);
    if (!Number.isFinite(value)) {
      this.problems.at(this.file!.path, line, ref.label, describeNumberProblem(cell));
      return Number.NaN;
    }
    const scaled = value * ref.factor;
    if (positive ? !(scaled > 0) : !(scaled >= 0)) {
      const shown = ref.factor === 1 ? showCell(cell.trim()).slice(1, -1) : `${scaled} (${showCell(cell.trim()).slice(1, -1)} × ${ref.factor} from the column map)`;
      this.problems.at(this.file!.path, line, ref.label, `must be ${positive ? '> 0' : '≥ 0'}, got ${shown}`);
      return Number.NaN;
    }
    if (!Number.isFinite(scaled)) {
      this.problems.at(this.file!.path, line, ref.label, `not a finite number after scaling: ${showCell(cell)}`);
      return Number.NaN;
    }
    return scaled;
  }

  /** An optional number: empty → NaN. */
  private optionalNumber(fields: string[], ref: ColumnRef, line: number, positive: boolean): number {
    const cell = ref.values ? this.text(fields, ref) : fields[ref.index];
    if (cell.trim() === '') return Number.NaN;
    return this.number(fields, ref, line, positive);
  }

  private lastMixtureText: string | null = null;
  private lastMixture: Mixture | string = '';
  private lastUniqueText: string | null = null;
  private lastUniqueMixture: Mixture | null = null;
  private lastUnique: ReadonlyMap<string, number> | string = '';

  private mixtureOf(text: string): Mixture | string {
    if (text === this.lastMixtureText) return this.lastMixture;
    const result = this.mixtureUncached(text);
    this.lastMixtureText = text;
    this.lastMixture = result;
    return result;
  }

  private mixtureUncached(text: string): Mixture | string {
    const cached = this.mixtures.get(text);
    if (cached !== undefined) return cached;
    const parsed = parseMixture(text, this.tolerance);
    let result: Mixture | string;
    if (typeof parsed === 'string') {
      result = detach(parsed);
    } else {
      const key = mixtureKey(parsed.langs, parsed.weights);
      let shared = this.canonical.get(key);
      if (!shared) {
        shared = Object.freeze({ key, langs: Object.freeze(parsed.langs.map((l) => this.strings.get(l))), weights: Object.freeze(parsed.weights) });
        this.canonical.set(key, shared);
      }
      result = shared;
    }
    this.mixtures.set(detach(text), result);
    return result;
  }

  private uniqueOf(text: string, mixture: Mixture): ReadonlyMap<string, number> | string {
    if (text === this.lastUniqueText && mixture === this.lastUniqueMixture) return this.lastUnique;
    const result = this.uniqueUncached(text, mixture);
    this.lastUniqueText = text;
    this.lastUniqueMixture = mixture;
    this.lastUnique = result;
    return result;
  }

  private uniqueUncached(text: string, mixture: Mixture): ReadonlyMap<string, number> | string {
    const single = parseStrictNumber(text);
    const cacheKey = Number.isNaN(single) ? text : `${text}\u0000${mixture.key}`;
    const cached = this.uniques.get(cacheKey);
    if (cached !== undefined) return cached;
    let result: ReadonlyMap<string, number> | string;
    if (!Number.isNaN(single)) {
      if (!Number.isFinite(single)) result = `not a finite number: "${text}"`;
      else if (single <= 0) result = `must be > 0, got ${text}`;
      else if (mixture.langs.length !== 1) result = `a single number needs a one-language mixture (this row's is "${mixture.key}"); write lang:count;lang:count`;
      else result = new Map([...this.defaultUnique, [mixture.langs[0], single]]);
    } else {
      const parsed = parseUniqueList(text);
      if (typeof parsed === 'string') {
        result = parsed;
      } else {
        const own = new Map(this.defaultUnique);
        for (const [lang, count] of parsed) own.set(this.strings.get(lang), count);
        result = own;
      }
    }
    if (typeof result === 'string') result = detach(result);
    this.uniques.set(detach(cacheKey), result);
    return result;
  }

  /**
   * Duplicates of (run_id, tokens, eval_lang): identical losses collapse into the first row,
   * different losses are problems. Returns the keep mask (null when every row stays).
   */
  private duplicates(c: { tokens: Float64Array; loss: Float64Array; runIndex: Int32Array; langIndex: Int32Array; line: Int32Array; source: Int32Array }): { keep: Uint8Array | null; collapsed: number } {
    const { tokens, loss, runIndex, langIndex, line, source } = c;
    const n = tokens.length;
    const runCount = this.runs.size;
    // Counting sort by run, then sort each run's rows by (language, tokens, row).
    const start = new Int32Array(runCount + 1);
    for (let i = 0; i < n; i++) start[runIndex[i] + 1]++;
    for (let r = 0; r < runCount; r++) start[r + 1] += start[r];
    const fill = start.slice(0, runCount);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[fill[runIndex[i]]++] = i;
    let keep: Uint8Array | null = null;
    let collapsed = 0;
    const cmp = (a: number, b: number): number => langIndex[a] - langIndex[b] || tokens[a] - tokens[b] || a - b;
    for (let r = 0; r < runCount; r++) {
      const lo = start[r];
      const hi = start[r + 1];
      if (hi - lo < 2) continue;
      const slice = order.subarray(lo, hi);
      slice.sort(cmp);
      let first = slice[0];
      for (let k = 1; k < slice.length; k++) {
        const i = slice[k];
        if (langIndex[i] !== langIndex[first] || tokens[i] !== tokens[first]) { first = i; continue; }
        if (!keep) keep = new Uint8Array(n).fill(1);
        if (loss[i] === loss[first]) {
          keep[i] = 0;
          collapsed++;
        } else {
          const file = this.sources[source[i]].path;
          const firstFile = this.sources[source[first]].path;
          const where = firstFile === file ? `line ${line[first]}` : `${firstFile}:${line[first]}`;
          this.problems.at(file, line[i], 'loss',
            `duplicate of ${where} (run_id ${this.runs.names[runIndex[i]]}, tokens ${tokens[i]}, eval_lang ${this.evalLangs.names[langIndex[i]]}) with a different loss (${loss[first]} there, ${loss[i]} here)`);
        }
      }
    }
    return { keep, collapsed };
  }

  /**
   * One run has one model size: every row of a run_id must give the same params (the first
   * conflicting row of each run is reported). A base_run must name a run of the data.
   */
  private runConsistency(params: Float64Array, baseRunIndex: Int32Array, runIndex: Int32Array, line: Int32Array, source: Int32Array): void {
    const firstRow = new Int32Array(this.runs.size).fill(-1);
    const reported = new Uint8Array(this.runs.size);
    const runNames = new Set(this.runs.names);
    const danglingSeen = new Set<number>();
    const where = (i: number, j: number) => (source[i] === source[j] ? `line ${line[j]}` : `${this.sources[source[j]].path}:${line[j]}`);
    for (let i = 0; i < params.length; i++) {
      const r = runIndex[i];
      const first = firstRow[r];
      if (first < 0) firstRow[r] = i;
      else if (params[i] !== params[first] && !reported[r]) {
        reported[r] = 1;
        this.problems.at(this.sources[source[i]].path, line[i], 'params',
          `run ${showCell(this.runs.names[r])} has params ${params[first]} on ${where(i, first)} and ${params[i]} here; one run has one model size (give the runs different run_id values)`);
      }
      const b = baseRunIndex[i];
      if (b >= 0 && !danglingSeen.has(b) && !runNames.has(this.baseRuns.names[b])) {
        danglingSeen.add(b);
        this.problems.at(this.sources[source[i]].path, line[i], 'base_run',
          `${showCell(this.baseRuns.names[b])} names no run in the data (a finetune's base_run must be the run_id of a run in the logs, or empty)`);
      }
    }
  }

  finish(): RunTable {
    if (this.problems.count === 0 && this.rows === 0 && this.sources.length > 0) {
      const dropped = this.filterDropped.reduce((a, b) => a + b, 0);
      this.problems.add(`${this.sources.map((s) => s.path).join(', ')}: (file): no data rows${dropped > 0 ? ` left after the where filters (${dropped} dropped)` : ''}`);
    }
    const count = this.rows;
    // The columns the duplicate check reads are taken first, the others as the table is built.
    const tokens = this.tokens.take();
    const loss = this.loss.take();
    const runIndex = this.runIndex.take();
    const langIndex = this.langIndex.take();
    const line = this.line.take();
    const source = this.source.take();
    const { keep, collapsed } = this.duplicates({ tokens, loss, runIndex, langIndex, line, source });
    const params = this.params.take();
    const baseRunIndex = this.baseRunIndex.take();
    this.runConsistency(params, baseRunIndex, runIndex, line, source);
    this.problems.throwIfAny();
    let rows = count;
    if (keep) {
      rows = 0;
      for (let i = 0; i < keep.length; i++) rows += keep[i];
      for (let i = 0; i < keep.length; i++) if (!keep[i]) this.sources[source[i]].rows--;
    }
    const table: RunTable = {
      rows,
      runId: gather(runIndex, this.runs.names, 0, keep, rows),
      params: select(params, keep, rows, f64),
      tokens: select(tokens, keep, rows, f64),
      loss: select(loss, keep, rows, f64),
      evalLang: gather(langIndex, this.evalLangs.names, 0, keep, rows),
      mixture: gather(this.mixtureIndex.take(), this.mixtureIds.values, 0, keep, rows),
      uniqueTokens: gather(this.uniqueIndex.take(), this.uniqueIds.values, 0, keep, rows),
      kind: gather(this.kindCode.take(), KINDS, 0, keep, rows),
      baseRun: gather(baseRunIndex, [null, ...this.baseRuns.names], 1, keep, rows),
      baseTokens: select(this.baseTokens.take(), keep, rows, f64),
      step: select(this.step.take(), keep, rows, f64),
      seed: gather(this.seedIndex.take(), [null, ...this.seeds.names], 1, keep, rows),
      flops: select(this.flops.take(), keep, rows, f64),
      split: gather(this.splitCode.take(), SPLITS, 0, keep, rows),
      line: select(line, keep, rows, i32),
      source: select(source, keep, rows, i32),
      sources: this.sources,
      languages: this.languages,
    };
    STATS.set(table, {
      filters: this.filterSpecs.map((filter, i) => ({ filter: filter.text, dropped: this.filterDropped[i] })),
      duplicatesCollapsed: collapsed,
    });
    return table;
  }
}

function languagesFor(options: IngestOptions): LanguageTable {
  return options.languages ? readLanguagesTable(options.languages) : new Map();
}

/**
 * Ingest CSV text (one file's content). `fileName` is used in messages and in `sources`.
 * Throws {@link InputError} listing every problem.
 */
export function ingestText(text: string, fileName: string, options: IngestOptions = {}): RunTable {
  const builder = new TableBuilder(options, languagesFor(options));
  builder.problems.throwIfAny();
  builder.beginFile(fileName);
  let headerSeen = false;
  const sink: CsvSink = {
    header: (fields, line) => { headerSeen = true; builder.header(fields, line); },
    record: (fields, line) => builder.record(fields, line),
  };
  let sha256: string;
  try {
    sha256 = parseCsvText(text, sink).sha256;
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    builder.problems.at(fileName, error.line, 'csv', error.message);
    sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  }
  builder.endFile(sha256, headerSeen);
  return builder.finish();
}

/**
 * Ingest run-log files (streamed; several files make one table). Paths are kept as given.
 * Throws {@link InputError} listing every problem of every file.
 */
export async function ingestFiles(files: string[], options: IngestOptions = {}): Promise<RunTable> {
  if (files.length === 0) throw new InputError('ingest: no run-log files given');
  const builder = new TableBuilder(options, languagesFor(options));
  builder.problems.throwIfAny();
  for (const path of files) {
    builder.beginFile(path);
    let headerSeen = false;
    const sink: CsvSink = {
      header: (fields, line) => { headerSeen = true; builder.header(fields, line); },
      record: (fields, line) => builder.record(fields, line),
    };
    let sha256 = '';
    try {
      sha256 = (await parseCsvFile(path, sink)).sha256;
    } catch (error) {
      if (error instanceof CsvSyntaxError) {
        builder.problems.at(path, error.line, 'csv', error.message);
        headerSeen = true;
      } else {
        const code = (error as NodeJS.ErrnoException).code;
        if (typeof code !== 'string') throw error;
        builder.problems.add(`${path}: cannot read (${code})`);
        headerSeen = true;
      }
    }
    builder.endFile(sha256, headerSeen);
  }
  return builder.finish();
}

// ---------------------------------------------------------------------------------------------
// Summary and normalised output

/** What `atlas ingest` prints: sizes, ranges, filters, files. */
export interface IngestSummary {
  rows: number;
  runs: number;
  /** Evaluation languages, sorted. */
  languages: string[];
  /** Languages that appear in training mixtures, sorted. */
  mixture_languages: string[];
  mixtures: number;
  params: { min: number; max: number; distinct: number };
  tokens: { min: number; max: number };
  loss: { min: number; max: number };
  kinds: { pretrain: number; finetune: number };
  split: { train: number; heldout: number };
  filters: { filter: string; dropped: number }[];
  duplicates_collapsed: number;
  files: SourceFile[];
}

function range(values: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Summary of a table (sizes, languages, N/D/loss ranges, filter counts, source files). */
export function summarize(table: RunTable): IngestSummary {
  const stats = STATS.get(table) ?? { filters: [], duplicatesCollapsed: 0 };
  const mixtures = new Set<Mixture>(table.mixture);
  const mixtureLanguages = new Set<string>();
  for (const m of mixtures) for (const lang of m.langs) mixtureLanguages.add(lang);
  let finetune = 0;
  let train = 0;
  let heldout = 0;
  for (let i = 0; i < table.rows; i++) {
    if (table.kind[i] === 'finetune') finetune++;
    if (table.split[i] === 'train') train++;
    else if (table.split[i] === 'heldout') heldout++;
  }
  return {
    rows: table.rows,
    runs: new Set(table.runId).size,
    languages: [...new Set(table.evalLang)].sort(),
    mixture_languages: [...mixtureLanguages].sort(),
    mixtures: mixtures.size,
    params: { ...range(table.params), distinct: new Set(table.params).size },
    tokens: range(table.tokens),
    loss: range(table.loss),
    kinds: { pretrain: table.rows - finetune, finetune },
    split: { train, heldout },
    filters: stats.filters,
    duplicates_collapsed: stats.duplicatesCollapsed,
    files: table.sources,
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const [mantissa, exponent] = x.toPrecision(4).split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

/** The summary as human-readable lines (for stderr). */
export function formatSummary(s: IngestSummary): string {
  const lines = [
    `rows ${s.rows}, runs ${s.runs}, mixtures ${s.mixtures} (${s.kinds.pretrain} pretrain, ${s.kinds.finetune} finetune rows)`,
    `eval languages (${s.languages.length}): ${s.languages.join(' ')}`,
    `mixture languages (${s.mixture_languages.length}): ${s.mixture_languages.join(' ')}`,
    `N ${fmt(s.params.min)} … ${fmt(s.params.max)} (${s.params.distinct} sizes), D ${fmt(s.tokens.min)} … ${fmt(s.tokens.max)}, loss ${fmt(s.loss.min)} … ${fmt(s.loss.max)}`,
  ];
  if (s.split.train + s.split.heldout > 0) lines.push(`split column: ${s.split.train} train, ${s.split.heldout} heldout`);
  for (const f of s.filters) lines.push(`where ${f.filter}: dropped ${f.dropped} rows`);
  if (s.duplicates_collapsed > 0) lines.push(`identical duplicate rows collapsed: ${s.duplicates_collapsed}`);
  for (const file of s.files) lines.push(`file ${file.path}: ${file.rows} rows, sha256 ${file.sha256}`);
  return `${lines.join('\n')}\n`;
}

function num(x: number): string {
  return Number.isNaN(x) ? '' : String(x);
}

/**
 * The table as normalised CSV with the SPEC §1 column names. `unique_tokens` lists only counts
 * that differ from the table's languages table (re-ingesting with the same `--languages` gives
 * the same table).
 */
export function toNormalizedCsv(table: RunTable): string {
  const uniqueText = new Map<ReadonlyMap<string, number>, string>();
  const uniqueOf = (map: ReadonlyMap<string, number>): string => {
    let text = uniqueText.get(map);
    if (text === undefined) {
      const parts: string[] = [];
      for (const lang of [...map.keys()].sort()) {
        const count = map.get(lang)!;
        if (table.languages.get(lang)?.uniqueTokens !== count) parts.push(`${lang}:${count}`);
      }
      text = parts.join(';');
      uniqueText.set(map, text);
    }
    return text;
  };
  const chunks: string[] = [csvLine(SPEC_COLUMNS)];
  for (let i = 0; i < table.rows; i++) {
    chunks.push(csvLine([
      table.runId[i], num(table.params[i]), num(table.tokens[i]), num(table.loss[i]), table.evalLang[i],
      table.mixture[i].key, uniqueOf(table.uniqueTokens[i]), table.kind[i], table.baseRun[i] ?? '',
      num(table.baseTokens[i]), num(table.step[i]), table.seed[i] ?? '', num(table.flops[i]), table.split[i] ?? '',
    ]));
  }
  return chunks.join('');
}
