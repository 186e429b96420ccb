/**
 * Ingest: run logs → a validated, normalised {@link RunTable} (SPEC §1). This folder owns reading
 * logs; it imports io/ only.
 *
 *   readers/        one reader per log format (CSV/TSV/any delimiter, JSON lines, W&B exports,
 *                   Hugging Face trainer_state.json; gzip of any), each yielding the same
 *                   canonical rows: a header, then string fields with the line they start on
 *   column_maps.ts  header → SPEC columns (`--map`, constants, format aliases, suggestions)
 *   expressions.ts  numbers (with k/M/B/T suffixes), column-map sources and row filters
 *   run_table.ts    the builder that validates rows into block columns and finishes the table
 *   mixtures.ts     mixtures and unique-token counts; languages.ts the languages table
 *   duplicates.ts, problems.ts, column_store.ts   what the builder uses
 *   summary.ts      the printed summary and the normalised CSV
 *
 * Public: {@link ingestFiles}, {@link ingestText}, {@link summarize}, {@link formatSummary},
 * {@link toNormalizedCsv}, {@link parseMapFlags}, {@link parseMixture}, {@link SPEC_COLUMNS}.
 * Every problem is collected and reported together as `FILE:LINE: column: what is wrong` (an
 * {@link InputError}; the CLI exits 2). A table is returned only when there is none.
 */
import { createHash } from 'node:crypto';
import { CsvSyntaxError, parseCsvText, type CsvSink } from '../io/csv.ts';
import { InputError, type LanguageTable, type RunTable } from '../io/types.ts';
import { readLanguagesTable } from './languages.ts';
import { openLog } from './readers/formats.ts';
import { LogSyntaxError } from './readers/source.ts';
import { TableBuilder, type IngestOptions } from './run_table.ts';

export { SPEC_COLUMNS, checkMapTargets, parseMapFlags, type SpecColumn } from './column_maps.ts';
export { LINE_SOURCE, parseFilter, parseSizeNumber, parseSourceExpression, parseStrictNumber, showCell } from './expressions.ts';
export type { RowFilter, SourceExpression } from './expressions.ts';
export { DEFAULT_MIXTURE_TOLERANCE, mixtureKey, parseMixture } from './mixtures.ts';
export { parseLanguagesTable, readLanguagesTable } from './languages.ts';
export { MAX_PROBLEMS } from './problems.ts';
export { LOG_FORMATS, parseFormat, type LogFormat } from './readers/formats.ts';
export type { IngestOptions, IngestStats } from './run_table.ts';
export { formatSummary, summarize, toNormalizedCsv, type IngestSummary } from './summary.ts';

function languagesFor(options: IngestOptions): LanguageTable {
  return options.languages ? readLanguagesTable(options.languages) : new Map();
}

/** A sink that forwards to the builder and notes whether a header arrived. */
function tracking(builder: TableBuilder): CsvSink & { headerSeen: boolean } {
  const sink = {
    headerSeen: false,
    header: (fields: string[], line: number) => { sink.headerSeen = true; builder.header(fields, line); },
    record: (fields: string[], line: number) => builder.record(fields, line),
  };
  return sink;
}

/**
 * Ingest CSV text (one file's content). `fileName` is used in messages and in `sources`.
 * Throws {@link InputError} listing every problem.
 */
export function ingestText(text: string, fileName: string, options: IngestOptions = {}): RunTable {
  const builder = new TableBuilder(options, languagesFor(options));
  builder.problems.throwIfAny();
  builder.beginFile(fileName);
  const sink = tracking(builder);
  let sha256: string;
  try {
    sha256 = parseCsvText(text, sink, options.delimiter ?? ',').sha256;
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    builder.problems.at(fileName, error.line, 'csv', error.message);
    sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  }
  builder.endFile(sha256, sink.headerSeen);
  return builder.finish();
}

/**
 * Ingest run-log files in any supported format (see readers/formats.ts; several files make one
 * table). Paths are kept as given. Throws {@link InputError} listing every problem of every file.
 */
export async function ingestFiles(files: string[], options: IngestOptions = {}): Promise<RunTable> {
  if (files.length === 0) throw new InputError('ingest: no run-log files given');
  const builder = new TableBuilder(options, languagesFor(options));
  builder.problems.throwIfAny();
  for (const path of files) {
    let reader;
    try {
      reader = openLog(path, { format: options.format, delimiter: options.delimiter });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code !== 'string') throw error;
      builder.beginFile(path);
      builder.problems.add(`${path}: cannot read (${code})`);
      builder.endFile('', true);
      continue;
    }
    builder.beginFile(path, { aliases: reader.aliases, skipMissing: reader.skipMissing || options.skipMissing });
    const sink = tracking(builder);
    let sha256 = '';
    try {
      sha256 = await reader.read(sink);
    } catch (error) {
      if (error instanceof CsvSyntaxError) {
        builder.problems.at(path, error.line, 'csv', error.message);
      } else if (error instanceof LogSyntaxError) {
        builder.problems.at(path, error.line, error.column, error.message);
      } else {
        const code = (error as NodeJS.ErrnoException).code;
        if (typeof code !== 'string') throw error;
        builder.problems.add(`${path}: cannot read (${code}${code.startsWith('Z_') ? ': not valid gzip' : ''})`);
      }
      sink.headerSeen = true;
    }
    builder.endFile(sha256, sink.headerSeen);
  }
  return builder.finish();
}
