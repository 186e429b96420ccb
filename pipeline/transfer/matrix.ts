/**
 * Transfer matrices: a square-ish table of scores with rows = target languages and columns =
 * source languages (the orientation of ATLAS Fig. 2 and Fig. C.2), plus the per-language
 * features (script, family, branch) that the statistics and the predictor group by.
 *
 * Cell (t, s) holds BTS_{s→t}: how much training on source s helps target t. Unmeasured cells
 * and the diagonal are NaN. A `-0.0` in a published CSV (a small negative value rounded to zero)
 * is kept as IEEE negative zero so rounding-aware statistics can tell it from `0.0`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError, type LanguageTable } from '../io/types.ts';

/** A transfer matrix: `values[i * sources.length + j]` = score of source j on target i (NaN = none). */
export interface TransferMatrix {
  targets: string[];
  sources: string[];
  values: Float64Array;
  /**
   * Censoring per cell: 0 = measured, +1 = the true value lies above the stored bound,
   * −1 = below it. Absent for published matrices.
   */
  censored?: Int8Array;
}

/** What the statistics know about one language. Missing fields are unknown. */
export interface LanguageFeature {
  lang: string;
  script?: string;
  family?: string;
  /** Sub-family (genus), e.g. Germanic or Romance inside Indo-European. */
  branch?: string;
  name?: string;
}

export type LanguageFeatures = ReadonlyMap<string, LanguageFeature>;

/** Value of cell (target, source), NaN when either is absent or the cell is empty. */
export function cell(m: TransferMatrix, target: string, source: string): number {
  const i = m.targets.indexOf(target);
  const j = m.sources.indexOf(source);
  if (i < 0 || j < 0) return Number.NaN;
  return m.values[i * m.sources.length + j];
}

/** The sub-matrix over `langs` (as both targets and sources), in that order. */
export function subMatrix(m: TransferMatrix, langs: readonly string[]): TransferMatrix {
  const n = langs.length;
  const values = new Float64Array(n * n).fill(Number.NaN);
  const censored = m.censored ? new Int8Array(n * n) : undefined;
  for (let a = 0; a < n; a++) {
    const i = m.targets.indexOf(langs[a]);
    for (let b = 0; b < n; b++) {
      const j = m.sources.indexOf(langs[b]);
      if (i < 0 || j < 0 || a === b) continue;
      values[a * n + b] = m.values[i * m.sources.length + j];
      if (censored && m.censored) censored[a * n + b] = m.censored[i * m.sources.length + j];
    }
  }
  return censored ? { targets: [...langs], sources: [...langs], values, censored } : { targets: [...langs], sources: [...langs], values };
}

/**
 * Parse a matrix CSV: header `target\source,<src>,…`, one row per target. Empty cells are
 * unmeasured. A cell written `<v` or `>v` is a censored bound (the true value is below / above v).
 */
export function parseMatrixCsv(text: string, fileName: string): TransferMatrix {
  const records = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  if (records.length < 2) throw new InputError(`${fileName}:1: matrix: needs a header row and at least one target row`);
  const sources = records[0].slice(1).map((s) => s.trim());
  const targets: string[] = [];
  const values = new Float64Array((records.length - 1) * sources.length).fill(Number.NaN);
  const censored = new Int8Array(values.length);
  const problems: string[] = [];
  for (let r = 1; r < records.length; r++) {
    const row = records[r];
    const i = r - 1;
    targets.push(row[0].trim());
    if (row.length - 1 > sources.length) problems.push(`${fileName}:${r + 1}: ${row[0]}: ${row.length - 1} cells for ${sources.length} sources`);
    for (let j = 0; j < sources.length; j++) {
      let text = (row[j + 1] ?? '').trim();
      if (text === '') continue;
      let flag = 0;
      if (text.startsWith('<')) { flag = -1; text = text.slice(1); }
      else if (text.startsWith('>')) { flag = 1; text = text.slice(1); }
      const v = Number(text);
      if (text === '' || !Number.isFinite(v)) {
        problems.push(`${fileName}:${r + 1}: ${sources[j]}: '${row[j + 1]}' is not a number`);
        continue;
      }
      values[i * sources.length + j] = v;
      censored[i * sources.length + j] = flag;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return censored.some((c) => c !== 0) ? { targets, sources, values, censored } : { targets, sources, values };
}

/** Read a matrix CSV file (see `parseMatrixCsv`). */
export function readMatrixCsv(path: string): TransferMatrix {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}:0: file: cannot be read`);
  }
  return parseMatrixCsv(text, path);
}

/** Number formatting shared by every transfer output: fixed decimals, `-0` printed as `-0.000`… */
export function formatScore(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return '';
  return v.toFixed(digits);
}

/** Matrix CSV text (rows target, columns source); censored cells as `<v` / `>v`. */
export function matrixCsv(m: TransferMatrix, digits = 4): string {
  const lines = [['target\\source', ...m.sources].join(',')];
  for (let i = 0; i < m.targets.length; i++) {
    const cells = [m.targets[i]];
    for (let j = 0; j < m.sources.length; j++) {
      const k = i * m.sources.length + j;
      const text = formatScore(m.values[k], digits);
      const flag = m.censored?.[k] ?? 0;
      cells.push(text === '' ? '' : flag < 0 ? `<${text}` : flag > 0 ? `>${text}` : text);
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Read a languages table CSV (`lang` plus optional `script`, `family`, `branch`, `name`; other
 * columns such as `unique_tokens` are ignored here).
 */
export function readLanguageFeatures(path: string): Map<string, LanguageFeature> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}:0: file: cannot be read`);
  }
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const out = new Map<string, LanguageFeature>();
  records.forEach((rec, index) => {
    if (!rec.lang) throw new InputError(`${path}:${index + 2}: lang: missing`);
    const f: LanguageFeature = { lang: rec.lang };
    if (rec.script) f.script = rec.script;
    if (rec.family) f.family = rec.family;
    if (rec.branch) f.branch = rec.branch;
    if (rec.name) f.name = rec.name;
    out.set(rec.lang, f);
  });
  return out;
}

/** Language features from a RunTable's languages table (script, family, name; branch when present). */
export function featuresFromTable(languages: LanguageTable): Map<string, LanguageFeature> {
  const out = new Map<string, LanguageFeature>();
  for (const [lang, info] of languages) {
    const f: LanguageFeature = { lang };
    if (info.script) f.script = info.script;
    if (info.family) f.family = info.family;
    const branch = (info as unknown as Record<string, unknown>).branch;
    if (typeof branch === 'string' && branch !== '') f.branch = branch;
    if (info.name) f.name = info.name;
    out.set(lang, f);
  }
  return out;
}
