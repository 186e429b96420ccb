/**
 * JSON lines (`.jsonl`, `.ndjson`): one object per line, e.g. `{"run": "70M", "step": 100,
 * "loss": 3.2}`. The header is the union of the objects' keys (nested objects flattened with
 * `.`); a key an object lacks is an empty cell. Also a `.json` file holding an array of objects.
 */
import type { RowSink } from '../../io/csv.ts';
import { emit, LogSyntaxError, objectsToRows, parseJsonLenient, readText, type CollectedRows } from './source.ts';

/** The rows of a JSON-lines text (lines as in the file). Throws {@link LogSyntaxError}. */
export function jsonlRows(text: string): CollectedRows {
  const objects: Record<string, unknown>[] = [];
  const lines: number[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = parseJsonLenient(trimmed);
    } catch (error) {
      throw new LogSyntaxError(line, 'json', `${(error as Error).message}${line === 1 && !trimmed.startsWith('{') && !trimmed.startsWith('[') ? ' (not JSON lines: is this CSV? pass --format csv)' : ''}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new LogSyntaxError(line, 'json', `expected one object per line, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
    }
    objects.push(value as Record<string, unknown>);
    lines.push(line);
  }
  return objectsToRows(objects, lines);
}

/** The rows of a JSON array of objects (line = 1-based position in the array). */
export function jsonArrayRows(text: string): CollectedRows {
  let value: unknown;
  try {
    value = parseJsonLenient(text);
  } catch (error) {
    throw new LogSyntaxError(1, 'json', (error as Error).message);
  }
  if (!Array.isArray(value) || value.some((v) => v === null || typeof v !== 'object' || Array.isArray(v))) {
    throw new LogSyntaxError(1, 'json', 'expected an array of objects (or a trainer_state.json with log_history); for JSON lines pass --format jsonl');
  }
  return objectsToRows(value as Record<string, unknown>[], value.map((_, i) => i + 1));
}

/** Read a JSON-lines file (gzip or not) into `sink`; returns the file's SHA-256. */
export function readJsonl(path: string, sink: RowSink): string {
  const { text, sha256 } = readText(path);
  emit(jsonlRows(text), sink);
  return sha256;
}
