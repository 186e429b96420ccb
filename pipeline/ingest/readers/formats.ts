/**
 * Which reader reads a log: `--format` when given, else the file's extension (after `.gz`) and
 * first bytes. Gzip is found by its magic bytes whatever the name. Every reader hands the same
 * canonical rows (a header, then string fields with their line) to the run table.
 *
 *   csv, tsv, delimited text  →  delimited.ts (streamed; delimiter sniffed or `--delimiter`)
 *   .jsonl, .ndjson           →  jsonl.ts
 *   .json                     →  trainer_state.ts (with `log_history`) or jsonl.ts (an array)
 *   W&B history / chart export →  wandb.ts (`--format wandb`, or a `_step` / `RUN - METRIC` header)
 *   TensorBoard event files   →  an error saying how to export them (tensorboard.ts)
 */
import type { RowSink } from '../../io/csv.ts';
import { InputError } from '../../io/types.ts';
import type { ColumnAliases } from '../column_maps.ts';
import { parseDelimiter, readDelimited, sniffDelimiter } from './delimited.ts';
import { jsonArrayRows, jsonlRows } from './jsonl.ts';
import { collector, emit, head, readText } from './source.ts';
import { isTensorBoard, tensorBoardError } from './tensorboard.ts';
import { runNameOf, TRAINER_STATE_ALIASES, trainerStateRows } from './trainer_state.ts';
import { emitWandb, isWandbHeader, WANDB_ALIASES } from './wandb.ts';

/** Values of `--format`. */
export const LOG_FORMATS = ['auto', 'csv', 'tsv', 'jsonl', 'json', 'wandb', 'trainer_state'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How to read one file. */
export interface LogReader {
  /** The format chosen (never `auto`). */
  format: Exclude<LogFormat, 'auto'>;
  gzip: boolean;
  /** Delimiter of delimited text. */
  delimiter?: string;
  /** Source names for SPEC columns the file's header lacks. */
  aliases?: ColumnAliases;
  /** Skip and count rows without params, tokens or loss (formats that log NaN or sparse entries). */
  skipMissing: boolean;
  /** Read the file into `sink`; resolves to the SHA-256 of its stored bytes. */
  read(sink: RowSink): Promise<string>;
}

/** `--format` text → a format, or an InputError listing the formats. */
export function parseFormat(text: string | undefined): LogFormat {
  if (text === undefined) return 'auto';
  const name = text === 'trainer-state' ? 'trainer_state' : text;
  if ((LOG_FORMATS as readonly string[]).includes(name)) return name as LogFormat;
  throw new InputError(`--format: unknown format "${text}" (one of ${LOG_FORMATS.join(', ')})`);
}

function extensionOf(path: string): string {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  const dot = name.lastIndexOf('.');
  return dot < 0 || dot < name.lastIndexOf('/') ? '' : name.slice(dot + 1);
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return (end < 0 ? text : text.slice(0, end)).replace(/^\uFEFF/, '').replace(/\r$/, '');
}

/**
 * Choose the reader of `path` (reads its first 64 KiB). Throws an InputError for a TensorBoard
 * event file, an unknown `--format`, or JSON in a file read as CSV (saying which --format to pass).
 */
export function openLog(path: string, options: { format?: string; delimiter?: string } = {}): LogReader {
  const requested = parseFormat(options.format);
  const start = head(path);
  if (isTensorBoard(path, start.bytes)) throw tensorBoardError(path);
  const gzip = start.gzip;
  const text = start.bytes.toString('utf8');
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  const ext = extensionOf(path);
  let format: Exclude<LogFormat, 'auto'>;
  if (requested !== 'auto') format = requested;
  else if (ext === 'jsonl' || ext === 'ndjson') format = 'jsonl';
  else if (ext === 'json') format = /"log_history"/.test(text) || /trainer_state/.test(path) ? 'trainer_state' : 'json';
  else if (ext === 'csv' || ext === 'tsv' || ext === 'tab' || ext === 'txt') format = ext === 'csv' || ext === 'txt' ? 'csv' : 'tsv';
  else format = trimmed.startsWith('{') ? 'jsonl' : trimmed.startsWith('[') ? 'json' : 'csv';
  if ((format === 'csv' || format === 'tsv') && trimmed.startsWith('{')) {
    throw new InputError(`${path}:1: (file): this looks like JSON lines, not ${format.toUpperCase()}; pass --format jsonl${/"log_history"/.test(text) ? ' (or --format trainer_state: it has a log_history)' : ''}`);
  }
  const delimited = (fmt: 'csv' | 'tsv'): string => options.delimiter !== undefined ? parseDelimiter(options.delimiter) : fmt === 'tsv' ? '\t' : sniffDelimiter(firstLine(text));
  // A W&B history or chart export read as plain CSV or JSON lines: read it as W&B.
  if (requested === 'auto' && (format === 'csv' || format === 'tsv')) {
    const delimiter = delimited(format);
    if (isWandbHeader(firstLine(text).split(delimiter).map((h) => h.trim().replace(/^"|"$/g, '')))) format = 'wandb';
  }
  if (requested === 'auto' && format === 'jsonl' && /"_step"\s*:/.test(firstLine(trimmed))) format = 'wandb';

  switch (format) {
    case 'csv':
    case 'tsv': {
      const delimiter = delimited(format);
      return { format, gzip, delimiter, skipMissing: false, read: (sink) => readDelimited(path, sink, delimiter, gzip) };
    }
    case 'jsonl':
    case 'json':
      return {
        format, gzip, skipMissing: false,
        read: async (sink) => {
          const { text: all, sha256 } = readText(path);
          emit(format === 'jsonl' ? jsonlRows(all) : jsonArrayRows(all), sink);
          return sha256;
        },
      };
    case 'trainer_state':
      return {
        format, gzip, aliases: TRAINER_STATE_ALIASES, skipMissing: true,
        read: async (sink) => {
          const { text: all, sha256 } = readText(path);
          emit(trainerStateRows(all, runNameOf(path)), sink);
          return sha256;
        },
      };
    case 'wandb': {
      const json = ext === 'jsonl' || ext === 'ndjson' || ext === 'json' || trimmed.startsWith('{');
      const delimiter = json ? undefined : delimited(ext === 'tsv' || ext === 'tab' ? 'tsv' : 'csv');
      return {
        format, gzip, delimiter, aliases: WANDB_ALIASES, skipMissing: true,
        read: async (sink) => {
          if (json) {
            const { text: all, sha256 } = readText(path);
            emitWandb(trimmed.startsWith('[') ? jsonArrayRows(all) : jsonlRows(all), sink);
            return sha256;
          }
          const rows = collector();
          const sha256 = await readDelimited(path, rows, delimiter!, gzip);
          emitWandb(rows.result, sink);
          return sha256;
        },
      };
    }
  }
}
