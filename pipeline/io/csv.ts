/**
 * CSV reading and writing for run logs and languages tables.
 *
 * Parsing is csv-parse's (RFC 4180: quoted fields with embedded commas, quotes and newlines; a
 * UTF-8 byte-order mark; LF or CRLF line ends). Records are handed to a {@link CsvSink} one at a
 * time with the real 1-based line of the file on which the record starts, so that messages point
 * at the line an editor shows even after quoted multi-line fields. No per-record objects are kept
 * here: the sink decides what to store.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, parse as parseStream, type Options, type Parser } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

/** Receives the header and then every data record of one source (the canonical rows every log reader yields). */
export interface CsvSink {
  /** The header row (line is where it starts, normally 1). */
  header(fields: string[], line: number): void;
  /** One data record; `line` is the 1-based line of the file where the record starts. */
  record(fields: string[], line: number): void;
}

/** What every log reader hands its rows to: a header, then one string field list per row. */
export type RowSink = CsvSink;

/** A CSV syntax error (unclosed quote, stray quote …) at a line of the source. */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

/** What was read: byte count and SHA-256 of the raw bytes. */
export interface CsvSourceInfo {
  bytes: number;
  sha256: string;
}

interface RecordContext {
  lines: number;
  empty_lines: number;
}

/** Line breaks inside the fields of a record (CRLF, LF and lone CR each count once). */
function breaksInside(fields: string[]): number {
  let count = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.indexOf('\n') < 0 && f.indexOf('\r') < 0) continue;
    for (let j = 0; j < f.length; j++) {
      const c = f.charCodeAt(j);
      if (c === 10) count++;
      else if (c === 13 && f.charCodeAt(j + 1) !== 10) count++;
    }
  }
  return count;
}

/**
 * Turns csv-parse's per-record context into real start lines. csv-parse counts a CRLF inside a
 * quoted field as two lines, so its running count drifts; here every record's start line is the
 * previous record's end line plus the empty lines skipped in between, and a record ends
 * `breaksInside` lines after it starts.
 */
class LineTracker {
  lastEnd = 0;
  private lastParserLines = 0;
  private lastEmpty = 0;
  seenHeader = false;

  constructor(private readonly sink: CsvSink, private readonly delimiter = ',') {}

  /**
   * Plain path: hand every line of `text` (complete lines; the last may lack its newline) to the
   * sink, splitting fields at the delimiter. Only for text without quotes or lone CRs (see `isPlain`).
   */
  plainLines(text: string): void {
    const n = text.length;
    let pos = 0;
    while (pos < n) {
      const newline = text.indexOf('\n', pos);
      const end = newline < 0 ? n : newline;
      const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      const line = ++this.lastEnd;
      if (lineEnd > pos) {
        const fields = text.slice(pos, lineEnd).split(this.delimiter);
        if (!this.seenHeader) {
          this.seenHeader = true;
          this.sink.header(fields, line);
        } else {
          this.sink.record(fields, line);
        }
      }
      pos = end + 1;
    }
  }

  /** Start counting csv-parse's context afresh (a parser that begins where the plain path stopped). */
  restartParser(): void {
    this.lastParserLines = 0;
    this.lastEmpty = 0;
  }

  onRecord = (fields: string[], ctx: RecordContext): null => {
    const empty = ctx.empty_lines - this.lastEmpty;
    const advanced = ctx.lines - this.lastParserLines;
    this.lastEmpty = ctx.empty_lines;
    this.lastParserLines = ctx.lines;
    const start = this.lastEnd + 1 + empty;
    // Fast path: the parser advanced exactly one line (plus skipped empty lines): no break inside.
    const inside = advanced === 1 + empty ? 0 : breaksInside(fields);
    this.lastEnd = start + inside;
    if (!this.seenHeader) {
      this.seenHeader = true;
      this.sink.header(fields, start);
    } else {
      this.sink.record(fields, start);
    }
    return null;
  };

  /** Start line of the record after the last complete one (`emptyLines`: the parser's running count). */
  nextRecordLine(emptyLines: number | undefined): number {
    return this.lastEnd + 1 + Math.max(0, (emptyLines ?? this.lastEmpty) - this.lastEmpty);
  }

  /** Best line for a parser error: the line after the last complete record, or the parser's count. */
  errorLine(parserLines: number | undefined): number {
    return Math.max(this.lastEnd + 1, parserLines ?? 0);
  }
}

/**
 * Whether text can take the plain path: no quote character and no CR outside a CRLF pair. Such
 * text means the same under RFC 4180 and under a split at newlines and commas, which is several
 * times faster than the general parser; anything else goes through csv-parse.
 */
function isPlain(text: string): boolean {
  if (text.indexOf('"') >= 0) return false;
  return text.indexOf('\r') < 0 || !/\r(?!\n)/.test(text);
}

function options(tracker: LineTracker, delimiter: string): Options {
  return {
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    // Fields are strings; the sink parses numbers strictly.
    cast: false,
    on_record: tracker.onRecord as unknown as Options['on_record'],
  };
}

function syntaxError(error: unknown, tracker: LineTracker): CsvSyntaxError {
  const e = error as { lines?: number; message?: string; code?: string };
  const raw = String(e.message ?? error);
  // csv-parse appends "at line N"; the line is reported separately.
  const message = raw.replace(/\s+at line \d+/, '').replace(/\s+/g, ' ').trim();
  // An unclosed quote swallows the rest of the file: report the line of the record that opened it.
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') return new CsvSyntaxError(tracker.nextRecordLine((error as { empty_lines?: number }).empty_lines), 'a quote opened on this line is never closed');
  return new CsvSyntaxError(tracker.errorLine(e.lines), message);
}

/**
 * Parse CSV text (string or bytes) into `sink`; `delimiter` separates fields (default a comma).
 * Throws {@link CsvSyntaxError} on malformed CSV.
 */
export function parseCsvText(text: string | Uint8Array, sink: CsvSink, delimiter = ','): CsvSourceInfo {
  // Size and hash of the UTF-8 bytes, without holding a second copy of the text during the parse.
  const info = (): CsvSourceInfo => typeof text === 'string'
    ? { bytes: Buffer.byteLength(text, 'utf8'), sha256: createHash('sha256').update(text, 'utf8').digest('hex') }
    : { bytes: text.byteLength, sha256: createHash('sha256').update(text).digest('hex') };
  const tracker = new LineTracker(sink, delimiter);
  let decoded = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  if (isPlain(decoded)) {
    if (decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
    tracker.plainLines(decoded);
    return info();
  }
  try {
    parseSync(decoded, options(tracker, delimiter));
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw error;
    if (isCsvError(error)) throw syntaxError(error, tracker);
    throw error;
  }
  return info();
}

function isCsvError(error: unknown): boolean {
  return error instanceof CsvError;
}

/**
 * Stream a CSV file into `sink` (constant memory beyond what the sink keeps), hashing the bytes
 * as they pass. Complete lines go through the plain path while the file has no quotes or lone
 * CRs; from the first chunk that has one, the rest of the file goes through csv-parse's streaming
 * parser (line numbers continue). With `gzip` the bytes are gunzipped as they are read (the hash
 * and byte count stay those of the file). Throws {@link CsvSyntaxError} on malformed CSV;
 * file-system and gzip errors pass through.
 */
export function parseCsvFile(path: string, sink: CsvSink, format: { delimiter?: string; gzip?: boolean } = {}): Promise<CsvSourceInfo> {
  const delimiter = format.delimiter ?? ',';
  return new Promise((resolvePromise, reject) => {
    const tracker = new LineTracker(sink, delimiter);
    const hash = createHash('sha256');
    let bytes = 0;
    let settled = false;
    let carry: Buffer | null = null;
    let first = true;
    let parser: Parser | null = null;
    const file = createReadStream(path, { highWaterMark: 1 << 20 });
    const input: Readable = format.gzip ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
    if (format.gzip) {
      file.on('data', (chunk) => { bytes += (chunk as Buffer).byteLength; hash.update(chunk as Buffer); });
      file.on('error', (error) => fail(error));
    }
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      input.destroy();
      file.destroy();
      if (error instanceof CsvSyntaxError || !isCsvError(error)) reject(error);
      else reject(syntaxError(error, tracker));
    };
    const done = (): void => {
      if (settled) return;
      settled = true;
      resolvePromise({ bytes, sha256: hash.digest('hex') });
    };
    const startParser = (): Parser => {
      tracker.restartParser();
      const p = parseStream(options(tracker, delimiter));
      p.on('error', fail);
      // on_record returns null, so nothing is emitted; keep the stream flowing.
      p.on('data', () => undefined);
      p.on('end', done);
      return p;
    };
    input.on('data', (chunk) => {
      if (settled) return;
      let buf = chunk as Buffer;
      if (!format.gzip) {
        bytes += buf.byteLength;
        hash.update(buf);
      }
      if (parser) {
        parser.write(buf);
        return;
      }
      if (first) {
        first = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      const joined: Buffer = carry ? Buffer.concat([carry, buf]) : buf;
      const lastNewline = joined.lastIndexOf(10);
      const complete = lastNewline < 0 ? null : joined.subarray(0, lastNewline + 1);
      const text = complete ? complete.toString('utf8') : '';
      if (complete && isPlain(text)) {
        try {
          tracker.plainLines(text);
        } catch (error) {
          fail(error);
          return;
        }
        carry = Buffer.from(joined.subarray(lastNewline + 1));
      } else if (complete || joined.indexOf(34) >= 0 || joined.indexOf(13) >= 0) {
        parser = startParser();
        carry = null;
        parser.write(joined);
      } else {
        carry = Buffer.from(joined);
      }
    });
    input.on('error', fail);
    input.on('end', () => {
      if (settled) return;
      if (parser) {
        parser.end();
        return;
      }
      const rest = carry ? carry.toString('utf8') : '';
      if (rest === '' || isPlain(rest)) {
        try {
          tracker.plainLines(rest);
        } catch (error) {
          fail(error);
          return;
        }
        done();
      } else {
        parser = startParser();
        parser.end(Buffer.from(rest, 'utf8'));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Writing: RFC 4180 with LF line ends. A field is quoted when it holds a comma, a quote, a CR or an
// LF, or has leading or trailing whitespace (which a reader that trims would otherwise lose);
// quotes inside are doubled. This is csv-stringify's output with `quoted_match: [/^\s|\s$/]`,
// except for a field with a lone CR, which csv-stringify leaves bare and an RFC 4180 reader would
// take for a line break (test/csv_write.test.ts compares the two on arbitrary rows).

/** A cell to write: strings as they are, numbers as JavaScript prints them (NaN as `NaN`), null and undefined empty. */
export type CsvValue = string | number | null | undefined;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? `${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text, each line ending in LF. */
export function csvRows(rows: readonly (readonly CsvValue[])[]): string {
  const lines: string[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let line = '';
    for (let k = 0; k < row.length; k++) line += k === 0 ? cell(row[k]) : `,${cell(row[k])}`;
    lines[r] = line;
  }
  return rows.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** One CSV line (with trailing LF). */
export function csvLine(fields: readonly CsvValue[]): string {
  return csvRows([fields]);
}

/** One field as CSV writes it (quoted when it needs it). */
export function csvField(value: CsvValue): string {
  return cell(value);
}
