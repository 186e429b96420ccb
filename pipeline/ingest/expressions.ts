/**
 * The small expression languages of configs and flags, shared by ingest and config loading:
 * strict decimal numbers, column-map sources (`D_billions*1e9`, `model+peak_lr+@line`) and
 * row filters (`step > 0`, `kind != finetune`).
 */

// ---------------------------------------------------------------------------------------------
// Numbers

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Whitespace as `\s` matches it in the ASCII range (space, tab, CR, LF, VT, FF) and NBSP. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0xfeff || code === 0x2028 || code === 0x2029;
}

/**
 * Strict decimal number: digits with optional sign, point and exponent (`1.6e8`, `-.5`),
 * surrounding whitespace allowed. Returns NaN for anything else (`1.6e8x`, `NaN`, `inf`, `0x10`,
 * empty). May return ±Infinity on overflow (`1e999`): callers check finiteness. One pass over the
 * text (no backtracking): an 80,000-digit cell is rejected as fast as it is read.
 */
export function parseStrictNumber(text: string): number {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  let end = n;
  while (end > i && isSpace(text.charCodeAt(end - 1))) end--;
  if (i < end && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++; // + -
  let digits = 0;
  while (i < end && isDigit(text.charCodeAt(i))) { i++; digits++; }
  if (i < end && text.charCodeAt(i) === 46) { // .
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) { i++; digits++; }
  }
  if (digits === 0) return Number.NaN;
  if (i < end && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) { // e E
    i++;
    if (i < end && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
    let exponent = 0;
    while (i < end && isDigit(text.charCodeAt(i))) { i++; exponent++; }
    if (exponent === 0) return Number.NaN;
  }
  return i === end ? Number(text) : Number.NaN;
}

const SIZE_RE = /^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([kKmMbBtT])\s*$/;
const SIZE_EXPONENT: Record<string, number> = { k: 3, m: 6, b: 9, t: 12 };

/**
 * A size or token count: a strict decimal number, or a decimal with a suffix k (10³), M (10⁶),
 * B (10⁹) or T (10¹²), either case (`70M`, `1.5B`, `2T`, `160m`). The suffix shifts the decimal
 * exponent, so `1.5B` is exactly the double nearest 1.5e9. Returns NaN for anything else.
 */
export function parseSizeNumber(text: string): number {
  const plain = parseStrictNumber(text);
  if (!Number.isNaN(plain)) return plain;
  const match = SIZE_RE.exec(text);
  return match ? Number(`${match[1]}e${SIZE_EXPONENT[match[2].toLowerCase()]}`) : Number.NaN;
}

/** Longest user text quoted in a message; longer text is cut with its length given. */
export const MESSAGE_TEXT_LIMIT = 60;

/** A cell as it appears in messages: JSON-quoted (control characters escaped), shortened. */
export function showCell(text: string): string {
  if (text.length <= MESSAGE_TEXT_LIMIT) return JSON.stringify(text);
  return `${JSON.stringify(`${text.slice(0, MESSAGE_TEXT_LIMIT - 3)}...`)} (${text.length} characters)`;
}

// ---------------------------------------------------------------------------------------------
// Column map expressions

/** A source column with a numeric scale factor. */
export interface SourceExpression {
  column: string;
  factor: number;
}

/**
 * Parse a column-map expression against a header: a column name, or a column name followed by
 * `*` or `/` numeric constants (`D_billions*1e9`, `bytes/4`). A header name containing `*` or
 * `/` matches as a whole first. Returns a message instead when it does not resolve.
 */
export function parseSourceExpression(expression: string, header: readonly string[]): SourceExpression | string {
  const text = expression.trim();
  if (header.includes(text)) return { column: text, factor: 1 };
  const match = /^(.*?)\s*((?:[*/]\s*[^*/\s]+\s*)+)$/.exec(text);
  if (match && match[1] !== '') {
    const column = match[1];
    let factor = 1;
    const ops = match[2].matchAll(/([*/])\s*([^*/\s]+)/g);
    for (const [, op, value] of ops) {
      const number = parseStrictNumber(value);
      if (!Number.isFinite(number)) return `"${value}" is not a numeric constant (only column*NUMBER or column/NUMBER)`;
      if (op === '/' && number === 0) return 'division by zero';
      factor = op === '*' ? factor * number : factor / number;
    }
    if (header.includes(column)) return { column, factor };
    return `unknown column "${column}" (columns: ${header.join(', ')})`;
  }
  return `unknown column "${text}" (columns: ${header.join(', ')})`;
}

/** Source name that stands for the row's line number in a composite (`run_id=model+@line`). */
export const LINE_SOURCE = '@line';

/**
 * Parse a composite string source `a+b+@line` (columns joined with `/`; `@line` = the row's line
 * in its file) into column indices (−1 for the line). Returns a message when a part is unknown.
 */
export function parseComposite(expression: string, header: ReadonlyMap<string, number>): number[] | string {
  const parts: number[] = [];
  for (const raw of expression.split('+')) {
    const name = raw.trim();
    if (name === LINE_SOURCE) { parts.push(-1); continue; }
    const index = header.get(name);
    if (index === undefined) return `unknown column "${name}" (columns: ${[...header.keys()].join(', ')}; ${LINE_SOURCE} = line number)`;
    parts.push(index);
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Row filters

export type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A parsed `where` filter. */
export interface RowFilter {
  text: string;
  column: string;
  op: FilterOp;
  /** The value as written (quotes removed). */
  value: string;
  /** The value as a number, or NaN when it is a bare string. */
  number: number;
}

/**
 * Parse a row filter `COLUMN OP VALUE` (ops `== != < <= > >=`; VALUE a number or a bare or
 * quoted string; ordering ops need a number). Returns a message instead when malformed.
 */
export function parseFilter(text: string): RowFilter | string {
  // The first operator after a non-empty column name (one pass; no backtracking on long text).
  const trimmed = text.trim();
  const ops = /==|!=|<=|>=|<|>/g;
  ops.lastIndex = 1;
  const found = trimmed.length > 1 ? ops.exec(trimmed) : null;
  const column = found ? trimmed.slice(0, found.index).trim() : '';
  if (!found || column === '') return `expected COLUMN OP VALUE with OP one of == != < <= > >= (e.g. "step > 0"), got ${showCell(text)}`;
  const op = found[0];
  const rawValue = trimmed.slice(found.index + op.length).trim();
  let value = rawValue;
  const quoted = rawValue.length >= 2 && (rawValue[0] === '"' || rawValue[0] === "'") && rawValue[rawValue.length - 1] === rawValue[0];
  if (quoted) value = rawValue.slice(1, -1);
  if (value === '' && !quoted) return `missing value after "${op}" in ${showCell(text)}`;
  const number = quoted ? Number.NaN : parseStrictNumber(value);
  if (Number.isNaN(number) && op !== '==' && op !== '!=') return `"${op}" needs a number, got ${showCell(value)} in ${showCell(text)}`;
  return { text: trimmed, column, op: op as FilterOp, value, number };
}

export function compare(op: FilterOp, a: number, b: number): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}
