/**
 * What an ingest produced, for people and for other tools: the summary `atlas ingest` prints
 * (sizes, ranges, filters, skipped rows, files) and the table as normalised SPEC §1 CSV.
 */
import { csvLine, csvRows, type CsvValue } from '../io/csv.ts';
import type { Mixture, RunTable, SourceFile } from '../io/types.ts';
import { SPEC_COLUMNS } from './column_maps.ts';
import { STATS } from './run_table.ts';

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
  /** Rows skipped for a NaN or empty params, tokens or loss (formats that log NaN: wandb, trainer_state). */
  missing_skipped: number;
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
  const stats = STATS.get(table) ?? { filters: [], duplicatesCollapsed: 0, missingSkipped: 0 };
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
    missing_skipped: stats.missingSkipped,
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
  if (s.missing_skipped > 0) lines.push(`rows without a value (NaN or empty params, tokens or loss) skipped: ${s.missing_skipped}`);
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
  // Written in blocks of rows, so a large table never holds every row's cells at once.
  const BLOCK = 8192;
  for (let start = 0; start < table.rows; start += BLOCK) {
    const rows: CsvValue[][] = [];
    for (let i = start; i < Math.min(table.rows, start + BLOCK); i++) {
      rows.push([
        table.runId[i], num(table.params[i]), num(table.tokens[i]), num(table.loss[i]), table.evalLang[i],
        table.mixture[i].key, uniqueOf(table.uniqueTokens[i]), table.kind[i], table.baseRun[i] ?? '',
        num(table.baseTokens[i]), num(table.step[i]), table.seed[i] ?? '', num(table.flops[i]), table.split[i] ?? '',
      ]);
    }
    chunks.push(csvRows(rows));
  }
  return chunks.join('');
}
