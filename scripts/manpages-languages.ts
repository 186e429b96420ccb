/**
 * Derive `datasets/manpages-sweep/languages.csv` (the languages table of the manpages sweep)
 * from `datasets/manpages-sweep/runs_meta.json`.
 *
 *   npx tsx scripts/manpages-languages.ts [--check]
 *
 * Columns: `lang`; `unique_tokens` = the language's training bytes (`languages.<lang>.train_bytes`):
 * the models are byte-level (one token per byte, PROVENANCE.md), so unique tokens = unique
 * training bytes; `script` (ISO 15924: Cyrl for ru and uk, Latn for the others); `family` = the
 * sweep's language group (`languages.<lang>.group`, e.g. germanic-west, romance); `name` (English).
 * With `--check`, compares with the committed file and exits 1 when they differ.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../pipeline/io/atomic.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folder = join(root, 'datasets', 'manpages-sweep');

const NAMES: Record<string, string> = {
  en: 'English', de: 'German', fr: 'French', es: 'Spanish', it: 'Italian', pl: 'Polish', cs: 'Czech',
  ru: 'Russian', uk: 'Ukrainian', da: 'Danish', sv: 'Swedish', tr: 'Turkish',
};
const CYRILLIC = new Set(['ru', 'uk']);

interface LanguageMeta { train_bytes: number; group: string }

/** The languages table text derived from the sweep's `runs_meta.json` content. */
export function manpagesLanguagesCsv(meta: { languages: Record<string, LanguageMeta> }): string {
  const lines = ['lang,unique_tokens,script,family,name'];
  for (const [lang, info] of Object.entries(meta.languages)) {
    if (!Number.isInteger(info.train_bytes) || info.train_bytes <= 0) throw new Error(`${lang}: bad train_bytes ${info.train_bytes}`);
    const name = NAMES[lang];
    if (!name) throw new Error(`${lang}: no English name in scripts/manpages-languages.ts`);
    lines.push([lang, String(info.train_bytes), CYRILLIC.has(lang) ? 'Cyrl' : 'Latn', info.group, name].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const meta = JSON.parse(readFileSync(join(folder, 'runs_meta.json'), 'utf8')) as { languages: Record<string, LanguageMeta> };
  const text = manpagesLanguagesCsv(meta);
  const target = join(folder, 'languages.csv');
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(target, 'utf8'); } catch { /* missing */ }
    if (current !== text) {
      process.stderr.write('datasets/manpages-sweep/languages.csv differs from runs_meta.json (run scripts/manpages-languages.ts)\n');
      process.exitCode = 1;
    } else {
      process.stderr.write('datasets/manpages-sweep/languages.csv matches runs_meta.json\n');
    }
  } else {
    writeFileAtomic(target, text);
    process.stderr.write(`wrote datasets/manpages-sweep/languages.csv (${text.split('\n').length - 2} languages)\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
