/**
 * The small expression languages of configs and flags, shared by ingest and config loading:
 * strict decimal numbers, column-map sources (`D_billions*1e9`, `model+peak_lr+@line`) and
 * row filters (`step > 0`, `kind != finetune`).
 */

// ---------------------------------------------------------------------------------------------
// Numbers

const NUMBER_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Strict decimal number: digits with optional sign, point and exponent (`1.6e8`, `-.5`).
 * Returns NaN for anything else (`1.6e8x`, `NaN`, `inf`, `0x10`, empty). May return ±Infinity on
 * overflow (`1e999`): callers check finiteness.
 */
export function parseStrictNumber(text: string): number {
  return NUMBER_RE.test(text) ? Number(text) : Number.NaN;
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

/** A cell as it appears in messages: JSON-quoted (control characters escaped), shortened. */
export function showCell(text: string): string {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  return shown;
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
  const match = /^\s*(.+?)\s*(==|!=|<=|>=|<|>)\s*(.*?)\s*$/.exec(text);
  if (!match) return `expected COLUMN OP VALUE with OP one of == != < <= > >= (e.g. "step > 0"), got "${text}"`;
  const [, column, op, rawValue] = match;
  let value = rawValue;
  const quoted = /^(["'])(.*)\1$/.exec(value);
  if (quoted) value = quoted[2];
  if (value === '' && !quoted) return `missing value after "${op}" in "${text}"`;
  const number = quoted ? Number.NaN : parseStrictNumber(value);
  if (Number.isNaN(number) && op !== '==' && op !== '!=') return `"${op}" needs a number, got "${value}" in "${text}"`;
  return { text: text.trim(), column, op: op as FilterOp, value, number };
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
