/**
 * The run table: {@link TableBuilder} turns canonical rows from any reader into a validated,
 * normalised {@link RunTable} (SPEC §1). Cells are validated as they arrive and written straight
 * into block columns (typed arrays for numbers; per-row numbers into the distinct values for text
 * and mixtures); `finish` checks duplicates and builds the table's arrays at their exact length.
 */
import type { RowSink } from '../io/csv.ts';
import type { LanguageTable, Mixture, RunTable, SourceFile } from '../io/types.ts';
import { Column, f64, gather, i32, Indexer, ObjectIndexer, select, u8 } from './column_store.ts';
import { checkMapTargets, describeNumberProblem, resolveHeader, type ColumnAliases, type ColumnRef, type SpecColumn } from './column_maps.ts';
import { findDuplicates } from './duplicates.ts';
import { checkRuns } from './run_checks.ts';
import { compare, parseFilter, parseSizeNumber, parseStrictNumber, showCell, type RowFilter } from './expressions.ts';
import { DEFAULT_MIXTURE_TOLERANCE, MixtureCache } from './mixtures.ts';
import { Problems } from './problems.ts';

/** How to read logs: languages table, column map, row filters, tolerances. */
export interface IngestOptions {
  /** Path of a languages table CSV (`lang`, `unique_tokens`, `script`, `family`, `name`). */
  languages?: string;
  /** Target (SPEC) column → source expression: a column name, optionally `*`/`/` numeric constants, or a constant (`70M`, `en:0.5;de:0.5`). */
  map?: Record<string, string>;
  /** Row filters on source columns (`step > 0`, `kind != finetune`); a row must pass all. */
  where?: string[];
  /** Allowed |Σ weights − 1| of a mixture (default 1e-6); mixtures within it are renormalised. */
  mixtureTolerance?: number;
  /** Target column → {source value → value} rewrites applied before validation. */
  values?: Record<string, Record<string, string>>;
  /** Log format: `auto` (default: by extension and content), csv, tsv, jsonl, wandb, trainer_state. */
  format?: string;
  /** Field delimiter of delimited text (default: sniffed from the header line). */
  delimiter?: string;
  /** Source names tried for SPEC columns absent from a header (set by the log format). */
  aliases?: ColumnAliases;
  /** Skip and count rows whose params, tokens or loss is NaN or empty (W&B histories log NaN for steps without a metric). */
  skipMissing?: boolean;
}

/** A required number cell that is empty or NaN (W&B writes NaN for a metric a step did not log). */
function missing(fields: string[], ref: ColumnRef): boolean {
  if (ref.parts) return false;
  const cell = fields[ref.index].trim();
  return cell === '' || cell === 'NaN' || cell === 'nan' || cell === 'None' || cell === 'null';
}

interface FileState {
  path: string;
  sourceIndex: number;
  headerLength: number;
  cols: Partial<Record<SpecColumn, ColumnRef>>;
  filters: { filter: RowFilter; index: number }[];
  /** Constant cells (`--map params=70M`) appended to every row's fields. */
  constants: string[];
  aliases: ColumnAliases;
  skipMissing: boolean;
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
  /** Rows skipped because a required number was missing (NaN or empty; `skipMissing` formats). */
  missingSkipped: number;
}

export const STATS = new WeakMap<RunTable, IngestStats>();

/** Values of the `kind` and `split` columns by their per-row codes. */
const KINDS: readonly ('pretrain' | 'finetune')[] = ['pretrain', 'finetune'];
const SPLITS: readonly ('train' | 'heldout' | null)[] = [null, 'train', 'heldout'];

/**
 * Builds a {@link RunTable} from canonical rows (a header, then string fields per row with the
 * line they start on), whichever reader produced them: resolves each file's header through the
 * column map, applies the row filters, validates every cell and stores it in block columns.
 */
export class TableBuilder implements RowSink {
  readonly problems = new Problems();
  private readonly defaultUnique: ReadonlyMap<string, number>;
  private readonly mixtureCache: MixtureCache;
  private readonly map: Record<string, string>;
  private readonly filterSpecs: RowFilter[];
  readonly filterDropped: number[];
  private file: FileState | null = null;
  /** Skip (and count) rows whose params, tokens or loss is missing instead of reporting them. */
  private readonly skipMissing: boolean;
  private missingSkipped = 0;

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
    this.map = options.map ?? {};
    this.skipMissing = options.skipMissing ?? false;
    const defaults = new Map<string, number>();
    for (const [lang, info] of languages) if (info.uniqueTokens !== undefined) defaults.set(lang, info.uniqueTokens);
    this.defaultUnique = defaults;
    this.mixtureCache = new MixtureCache(options.mixtureTolerance ?? DEFAULT_MIXTURE_TOLERANCE, defaults);
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

  /** Start a file; a reader may give aliases for absent columns and ask to skip rows without values. */
  beginFile(path: string, reader: { aliases?: ColumnAliases; skipMissing?: boolean } = {}): void {
    this.sourceRows.push(0);
    this.file = {
      path, sourceIndex: this.sources.length, headerLength: 0, cols: {}, filters: [], constants: [], records: 0, skip: true,
      aliases: { ...reader.aliases, ...this.options.aliases }, skipMissing: reader.skipMissing ?? this.skipMissing,
    };
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
    const resolved = resolveHeader(names, {
      map: this.map,
      values: this.options.values,
      aliases: f.aliases,
      filters: this.filterSpecs,
      report: (column, message) => this.problems.at(f.path, line, column, message),
    });
    f.cols = resolved.cols;
    f.filters = resolved.filters;
    f.constants = resolved.constants;
    f.skip = !resolved.ok;
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
    for (let k = 0; k < f.constants.length; k++) fields.push(f.constants[k]);
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
    const c = f.cols;
    if (f.skipMissing && (missing(fields, c.params!) || missing(fields, c.tokens!) || missing(fields, c.loss!))) {
      this.missingSkipped++;
      return;
    }
    const before = problems.count;

    const runId = this.text(fields, c.run_id, line);
    if (runId === '') problems.at(f.path, line, c.run_id!.label, 'empty (a run id is required)');
    const params = this.number(fields, c.params!, line, true);
    const tokens = this.number(fields, c.tokens!, line, true);
    const loss = this.number(fields, c.loss!, line, true);

    const evalLang = c.eval_lang ? this.text(fields, c.eval_lang) || 'und' : 'und';

    let mixture: Mixture | undefined;
    const layout = c.mixture?.mixture?.read(fields);
    if (layout && 'problem' in layout) {
      problems.at(f.path, line, c.mixture!.label, layout.problem);
    } else {
      const mixtureText = layout ? layout.text : c.mixture ? this.text(fields, c.mixture) : '';
      const mixtureSource = mixtureText === '' ? `${evalLang}:1` : mixtureText;
      const parsedMixture = this.mixtureCache.mixtureOf(mixtureSource);
      if (typeof parsedMixture === 'string') problems.at(f.path, line, c.mixture?.label ?? 'mixture', parsedMixture);
      else mixture = parsedMixture;
    }

    let unique: ReadonlyMap<string, number> = this.defaultUnique;
    if (c.unique_tokens) {
      const text = this.text(fields, c.unique_tokens);
      if (text !== '' && mixture) {
        const parsed = this.mixtureCache.uniqueOf(text, mixture);
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
    let value = parseStrictNumber(cell);
    if (Number.isNaN(value) && ref.sized) value = parseSizeNumber(cell);
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
    const { keep, collapsed } = findDuplicates({ tokens, loss, runIndex, langIndex, line, source }, {
      runs: this.runs.names, evalLangs: this.evalLangs.names, sources: this.sources, problems: this.problems,
    });
    const params = this.params.take();
    const baseRunIndex = this.baseRunIndex.take();
    checkRuns({ params, baseRunIndex, runIndex, line, source }, { runs: this.runs.names, baseRuns: this.baseRuns.names, sources: this.sources, problems: this.problems });
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
      missingSkipped: this.missingSkipped,
    });
    return table;
  }
}
