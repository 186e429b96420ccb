/**
 * Delimited text: CSV, TSV or any one-character delimiter (RFC 4180 quoting), gzip or not. The
 * delimiter is `--delimiter` when given, a tab for `.tsv`/`.tab`, else sniffed from the header
 * line: the most frequent of `,` tab `;` `|` outside quotes (a comma on a tie).
 */
import { parseCsvFile, type RowSink } from '../../io/csv.ts';
import { InputError } from '../../io/types.ts';

const CANDIDATES = [',', '\t', ';', '|'];

/** The delimiter of a header line: the candidate seen most often outside quotes (comma on a tie). */
export function sniffDelimiter(firstLine: string): string {
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  let quoted = false;
  for (const c of firstLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const c of CANDIDATES) if (counts.get(c)! > counts.get(best)!) best = c;
  return best;
}

/** `--delimiter` text as one character (`tab` and `\t` name the tab). */
export function parseDelimiter(text: string): string {
  const value = text === 'tab' || text === '\\t' ? '\t' : text;
  if (value.length !== 1 || value === '"' || value === '\n' || value === '\r') {
    throw new InputError(`--delimiter: expected one character (e.g. --delimiter ';' or --delimiter tab), got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Stream a delimited file into `sink`; returns its SHA-256. */
export async function readDelimited(path: string, sink: RowSink, delimiter: string, gzip: boolean): Promise<string> {
  return (await parseCsvFile(path, sink, { delimiter, gzip })).sha256;
}
