/**
 * What every log reader shares: the bytes of a log file (gunzipped when they start with gzip's
 * magic bytes, hashed as stored), rows collected in memory for the formats that need a whole file
 * before they can emit a header, and the error for a malformed file.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import type { RowSink } from '../../io/csv.ts';

/** A syntax error in a log file at a line, under a label (`json`, `csv`, `log_history`). */
export class LogSyntaxError extends Error {
  constructor(readonly line: number, readonly column: string, message: string) {
    super(message);
    this.name = 'LogSyntaxError';
  }
}

/** Whether bytes start with gzip's magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The first `size` bytes of a file, gunzipped as far as they go when the file is gzip. */
export function head(path: string, size = 1 << 16): { bytes: Buffer; gzip: boolean } {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    const bytes = buffer.subarray(0, read);
    if (!isGzip(bytes)) return { bytes, gzip: false };
    try {
      return { bytes: gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }), gzip: true };
    } catch {
      return { bytes: Buffer.alloc(0), gzip: true };
    }
  } finally {
    closeSync(fd);
  }
}

/** A whole log file as text (gunzipped when gzip) and the SHA-256 of its stored bytes. */
export function readText(path: string): { text: string; sha256: string } {
  const raw = readFileSync(path);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const bytes = isGzip(raw) ? gunzipSync(raw) : raw;
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, sha256 };
}

/** Rows kept in memory: a header and string fields with their lines. */
export interface CollectedRows {
  header: string[];
  headerLine: number;
  rows: string[][];
  lines: number[];
}

/** A sink that keeps every row (for readers that reshape a whole file before emitting it). */
export function collector(): RowSink & { result: CollectedRows } {
  const result: CollectedRows = { header: [], headerLine: 1, rows: [], lines: [] };
  return {
    result,
    header(fields, line) { result.header = fields; result.headerLine = line; },
    record(fields, line) { result.rows.push(fields); result.lines.push(line); },
  };
}

/** Hand collected rows to a sink. */
export function emit(rows: CollectedRows, sink: RowSink): void {
  sink.header(rows.header, rows.headerLine);
  for (let i = 0; i < rows.rows.length; i++) sink.record(rows.rows[i], rows.lines[i]);
}

/** A JSON value as a cell: numbers as JavaScript prints them, null as empty, objects as JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Objects as rows: the union of their keys (nested objects flattened with `.`) in order of first
 * appearance, each object one row (absent keys empty). `lines[i]` is object i's line.
 */
export function objectsToRows(objects: readonly Record<string, unknown>[], lines: readonly number[], first: readonly string[] = []): CollectedRows {
  const flat = objects.map((o) => flatten(o));
  const index = new Map<string, number>();
  for (const name of first) index.set(name, index.size);
  for (const o of flat) for (const key of Object.keys(o)) if (!index.has(key)) index.set(key, index.size);
  const header = [...index.keys()];
  const rows = flat.map((o) => {
    const row = new Array<string>(header.length).fill('');
    for (const [key, value] of Object.entries(o)) row[index.get(key)!] = cell(value);
    return row;
  });
  return { header, headerLine: 1, rows, lines: [...lines] };
}

function flatten(o: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, value] of Object.entries(o)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value as Record<string, unknown>, name, out);
    else out[name] = value;
  }
  return out;
}

/**
 * Parse one JSON text, reading the bare `NaN`, `Infinity` and `-Infinity` that Python's json
 * module writes as null (they are not JSON).
 */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    return JSON.parse(text.replace(/("(?:[^"\\]|\\.)*")|-?\b(?:NaN|Infinity)\b/g, (match, string: string | undefined) => string ?? 'null'));
  }
}
