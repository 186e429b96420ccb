/**
 * Property tests of the run-log parser (fast-check): row-order invariance, round trips of
 * generated valid logs, BOM / CRLF / quoting / quoted newlines, and every malformed number
 * rejected at the right line.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles, ingestText, toNormalizedCsv } from '../pipeline/ingest/ingest.ts';
import { InputError, type RunTable } from '../pipeline/io/types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'atlas-ingest-prop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Row { run: string; params: number; tokens: number; loss: number; lang: string; mixture: string; note: string }

const positive = fc.double({ min: 1e-3, max: 1e15, noNaN: true, noDefaultInfinity: true }).filter((x) => x > 0);
const runName = fc.stringMatching(/^[a-z][a-z0-9_,"'-]{0,7}$/);
const note = fc.stringMatching(/^[a-z ,"\n]{0,10}$/).map((s) => s.trim());
const LANGS = ['en', 'fr', 'de'];
const MIXTURES = ['', 'en:1', 'en:0.5;fr:0.5', 'fr:0.25;de:0.75', 'de:0.2;en:0.3;fr:0.5'];

/** A valid log: unique (run, tokens, lang) by construction. */
const logArb = fc.uniqueArray(runName, { minLength: 1, maxLength: 4 }).chain((runs) =>
  fc.tuple(...runs.map((run) =>
    fc.record({
      params: positive,
      mixture: fc.constantFrom(...MIXTURES),
      points: fc.uniqueArray(fc.tuple(positive, fc.constantFrom(...LANGS)), { minLength: 1, maxLength: 4, selector: ([t, l]) => `${t}|${l}` }),
      losses: fc.array(positive, { minLength: 4, maxLength: 4 }),
      notes: fc.array(note, { minLength: 4, maxLength: 4 }),
    }).map(({ params, mixture, points, losses, notes }) =>
      points.map(([tokens, lang], i): Row => ({ run, params, tokens, loss: losses[i], lang, mixture, note: notes[i] }))),
  )).map((groups) => groups.flat()));

interface Style { bom: boolean; crlf: boolean; quoteAll: boolean }
const styleArb = fc.record({ bom: fc.boolean(), crlf: fc.boolean(), quoteAll: fc.boolean() });

function field(value: string, quoteAll: boolean): string {
  return quoteAll || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Render rows as CSV; returns the text and each row's first physical line. */
function render(rows: Row[], style: Style, override?: { row: number; column: string; text: string }): { text: string; lines: number[] } {
  const eol = style.crlf ? '\r\n' : '\n';
  const columns = ['run_id', 'params', 'tokens', 'loss', 'eval_lang', 'mixture', 'note'];
  let text = (style.bom ? '\uFEFF' : '') + columns.join(',') + eol;
  let line = 2;
  const lines: number[] = [];
  rows.forEach((r, i) => {
    const values: Record<string, string> = { run_id: r.run, params: String(r.params), tokens: String(r.tokens), loss: String(r.loss), eval_lang: r.lang, mixture: r.mixture, note: r.note.replace(/\n/g, eol) };
    if (override && override.row === i) values[override.column] = override.text;
    lines.push(line);
    const rendered = columns.map((c) => field(values[c], style.quoteAll));
    line += 1 + rendered.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    text += rendered.join(',') + eol;
  });
  return { text, lines };
}

/** The table's rows as comparable strings (normalised CSV lines without the header). */
function rowSet(table: RunTable): string[] {
  return toNormalizedCsv(table).split('\n').slice(1, -1).sort();
}

describe('parser properties', () => {
  it('keeps every value of a generated valid log (round trip through the normalised CSV)', () => {
    fc.assert(fc.property(logArb, styleArb, (rows, style) => {
      const { text } = render(rows, style);
      const table = ingestText(text, 'gen.csv');
      expect(table.rows).toBe(rows.length);
      rows.forEach((r, i) => {
        expect(table.runId[i]).toBe(r.run);
        expect(table.params[i]).toBe(r.params);
        expect(table.tokens[i]).toBe(r.tokens);
        expect(table.loss[i]).toBe(r.loss);
        expect(table.evalLang[i]).toBe(r.lang);
      });
      const again = ingestText(toNormalizedCsv(table), 'norm.csv');
      expect(toNormalizedCsv(again)).toBe(toNormalizedCsv(table));
    }), { numRuns: 150 });
  });

  it('does not depend on row order', () => {
    fc.assert(fc.property(logArb.chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }))), ([rows, shuffled]) => {
      const a = ingestText(render(rows, { bom: false, crlf: false, quoteAll: false }).text, 'a.csv');
      const b = ingestText(render(shuffled, { bom: false, crlf: false, quoteAll: false }).text, 'b.csv');
      expect(rowSet(b)).toEqual(rowSet(a));
    }), { numRuns: 100 });
  });

  it('reads BOM, CRLF, quoting and quoted newlines identically, with real line numbers', () => {
    fc.assert(fc.property(logArb, styleArb, (rows, style) => {
      const plain = ingestText(render(rows, { bom: false, crlf: false, quoteAll: false }).text, 'p.csv');
      const { text, lines } = render(rows, style);
      const styled = ingestText(text, 's.csv');
      expect(toNormalizedCsv(styled)).toBe(toNormalizedCsv(plain));
      expect(Array.from(styled.line)).toEqual(lines);
    }), { numRuns: 150 });
  });

  it('the streaming file reader agrees with the text reader (plain and quoted paths)', async () => {
    await fc.assert(fc.asyncProperty(logArb, styleArb, async (rows, style) => {
      const { text, lines } = render(rows, style);
      const path = join(tmp, 'stream.csv');
      writeFileSync(path, text);
      const fromFile = await ingestFiles([path]);
      expect(toNormalizedCsv(fromFile)).toBe(toNormalizedCsv(ingestText(text, path)));
      expect(Array.from(fromFile.line)).toEqual(lines);
    }), { numRuns: 40 });
  });

  it('rejects every malformed number with its file, line and column', () => {
    const malformed = fc.oneof(
      fc.constantFrom('NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '1.6e8x', '0x1F', '1,5', '1e', '.', '-', '+', '1..2', '1e5.5', '∞', '١٢', '1 2', 'e3'),
      // a size suffix (70M, 1.5B) is a valid size or token count, so strings ending in one are left out
      fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*[kKmMbBgGtT]?\s*$/.test(s) && s.trim() !== ''),
    );
    fc.assert(fc.property(logArb, styleArb, fc.nat(), fc.constantFrom('params', 'tokens', 'loss'), malformed, (rows, style, pick, column, bad) => {
      const row = pick % rows.length;
      const { text, lines } = render(rows, style, { row, column, text: bad });
      let problems: string[] = [];
      try {
        ingestText(text, 'bad.csv');
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        problems = (error as InputError).problems;
      }
      const rest = bad.replace(/\r\n|\r/g, '\n');
      // A cell that spans lines moves the following rows down; the bad row's own line is known.
      expect(problems.some((p) => p.startsWith(`bad.csv:${lines[row]}: ${column}: `)), `${JSON.stringify(rest)} → ${problems.join(' | ')}`).toBe(true);
    }), { numRuns: 200 });
  });
});
