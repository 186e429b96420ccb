/**
 * csvRows writes exactly what csv-stringify writes with the settings below, for
 * arbitrary strings (commas, quotes, CR, LF, leading and trailing whitespace, unicode), numbers
 * (NaN, ±Infinity, −0, exponents), null and undefined, and ragged or empty rows; the one
 * difference is a field with a lone CR, which csvRows quotes and csv-stringify does not.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { csvRows, type CsvValue } from '../pipeline/io/csv.ts';

/** The reference: csv-stringify, LF line ends, fields with leading or trailing whitespace quoted. */
function csvRowsStringify(rows: CsvValue[][]): string {
  return stringify(rows, { record_delimiter: '\n', eof: true, quoted_match: [/^\s|\s$/] });
}

const value: fc.Arbitrary<CsvValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '\t', '\u00a0', 'é', '1', '.') }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e-300, 1e21, null, undefined, '', ' ', 'a b'),
);

describe('csvRows', () => {
  it('equals csv-stringify with the project settings', () => {
    fc.assert(fc.property(fc.array(fc.array(value, { maxLength: 8 }), { maxLength: 12 }), (rows) => {
      const loneCr = rows.some((row) => row.some((v) => typeof v === 'string' && /\r(?!\n)/.test(v)));
      fc.pre(!loneCr);
      return csvRows(rows) === csvRowsStringify(rows);
    }), { numRuns: 2000 });
  });
  it('quotes a field with a lone CR (an RFC 4180 reader would break the line there)', () => {
    expect(csvRows([['a\ra', 1]])).toBe('"a\ra",1\n');
  });
  it('writes a header and a quoted field as a reader expects', () => {
    expect(csvRows([['run_id', 'loss'], ['a,b', 2.5], [' x', null]])).toBe('run_id,loss\n"a,b",2.5\n" x",\n');
  });
});
