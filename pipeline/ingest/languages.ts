/**
 * The languages table (`--languages`, a config's `languages:`): one row per language with its
 * unique-token count, script, family and name.
 */
import { readFileSync } from 'node:fs';
import { CsvSyntaxError, parseCsvText, type CsvSink } from '../io/csv.ts';
import { InputError, type LanguageInfo, type LanguageTable } from '../io/types.ts';
import { detach } from './column_store.ts';
import { parseStrictNumber } from './expressions.ts';
import { describeNumberProblem } from './column_maps.ts';
import { Problems } from './problems.ts';

/** Parse a languages table (CSV text) into a map; throws InputError with every problem. */
export function parseLanguagesTable(text: string | Uint8Array, fileName: string): LanguageTable {
  const problems = new Problems();
  const table = new Map<string, LanguageInfo>();
  const lines = new Map<string, number>();
  let cols: Record<string, number> = {};
  let header: string[] | null = null;
  const sink: CsvSink = {
    header(fields, line) {
      header = fields.map((f) => f.trim());
      cols = {};
      header.forEach((name, i) => { cols[name] = i; });
      if (cols.lang === undefined) problems.at(fileName, line, 'lang', 'missing required column');
    },
    record(fields, line) {
      if (!header || cols.lang === undefined) return;
      if (fields.length !== header.length) {
        problems.at(fileName, line, '(row)', `has ${fields.length} fields, the header has ${header.length}`);
        return;
      }
      const lang = fields[cols.lang].trim();
      if (lang === '') { problems.at(fileName, line, 'lang', 'empty'); return; }
      if (lines.has(lang)) { problems.at(fileName, line, 'lang', `"${lang}" already listed on line ${lines.get(lang)}`); return; }
      lines.set(lang, line);
      const info: LanguageInfo = { lang: detach(lang) };
      if (cols.unique_tokens !== undefined) {
        const text = fields[cols.unique_tokens];
        if (text.trim() !== '') {
          const value = parseStrictNumber(text);
          if (!Number.isFinite(value)) problems.at(fileName, line, 'unique_tokens', describeNumberProblem(text));
          else if (value <= 0) problems.at(fileName, line, 'unique_tokens', `must be > 0, got ${text.trim()}`);
          else info.uniqueTokens = value;
        }
      }
      for (const key of ['script', 'family', 'name'] as const) {
        if (cols[key] !== undefined && fields[cols[key]].trim() !== '') info[key] = detach(fields[cols[key]].trim());
      }
      table.set(info.lang, info);
    },
  };
  try {
    parseCsvText(text, sink);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    problems.at(fileName, error.line, 'csv', error.message);
  }
  if (header === null && problems.count === 0) problems.add(`${fileName}:1: (file): empty file`);
  else if (table.size === 0 && problems.count === 0) problems.add(`${fileName}:2: (file): no data rows`);
  problems.throwIfAny();
  return table;
}

/** Read a languages table file. */
export function readLanguagesTable(path: string): LanguageTable {
  return parseLanguagesTable(readFile(path, '--languages'), path);
}

function readFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InputError(`${path}: ${flag}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

