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
import { predictionsCsv } from '../pipeline/fit/fit.ts';
import type { RunTable } from '../pipeline/io/types.ts';

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

describe('predictions.csv', () => {
  // predictionsCsv formats each row as one string (numbers once per run where they repeat); it must
  // write what csvRows writes for the same cells.
  const text = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', ' ', 'é', '1') });
  const row = fc.record({
    runId: fc.constantFrom('r1', 'r,2', ' r3', 'r"4'),
    params: fc.constantFrom(1e8, 2.5e9, 7),
    tokens: fc.oneof(fc.constantFrom(1e10, 3e11), fc.double({ min: 1, max: 1e12, noNaN: true })),
    evalLang: fc.constantFrom('en', 'de', 'x y '),
    step: fc.oneof(fc.constant(Number.NaN), fc.integer({ min: 0, max: 10_000 })),
    loss: fc.double({ min: 0.5, max: 8, noNaN: true }),
    predicted: fc.double({ min: 0.5, max: 8, noNaN: true }),
    heldOut: fc.integer({ min: 0, max: 2 }),
    group: text,
    lo: fc.double(),
    hi: fc.double(),
  });
  it('writes what csvRows writes for the same cells, with and without intervals', () => {
    fc.assert(fc.property(fc.array(row, { maxLength: 12 }), fc.boolean(), (rows, withIntervals) => {
      const table = {
        rows: rows.length,
        runId: rows.map((r) => r.runId),
        params: Float64Array.from(rows, (r) => r.params),
        tokens: Float64Array.from(rows, (r) => r.tokens),
        evalLang: rows.map((r) => r.evalLang),
        step: Float64Array.from(rows, (r) => r.step),
        loss: Float64Array.from(rows, (r) => r.loss),
      } as unknown as RunTable;
      const predicted = Float64Array.from(rows, (r) => r.predicted);
      const intervals = withIntervals ? { lo: Float64Array.from(rows, (r) => r.lo), hi: Float64Array.from(rows, (r) => r.hi) } : undefined;
      const expected = csvRows([
        ['run_id', 'params', 'tokens', 'eval_lang', 'step', 'loss', 'predicted', 'residual_log', 'split', 'group', ...(intervals ? ['lo95', 'hi95'] : [])],
        ...rows.map((r, i) => [
          r.runId, table.params[i], table.tokens[i], r.evalLang, Number.isNaN(r.step) ? '' : table.step[i], table.loss[i], predicted[i],
          Math.log(predicted[i]) - Math.log(table.loss[i]), ['train', 'heldout', 'dropped'][r.heldOut], r.group,
          ...(intervals ? [intervals.lo[i], intervals.hi[i]] : []),
        ]),
      ]);
      expect(predictionsCsv(table, predicted, Uint8Array.from(rows, (r) => r.heldOut), rows.map((r) => r.group), intervals)).toBe(expected);
    }), { numRuns: 300 });
  });
});
