/**
 * Bootstrap replicates of a fit from the `bootstrap.csv` beside its coefficients.json: header
 * `replicate,<param>…` (ungrouped) or `group,replicate,<param>…` (grouped), one row per
 * replicate, natural-scale values; an empty cell is a parameter the group does not have.
 * Returns the replicates per group ('' for an ungrouped fit).
 */
import { InputError } from '../io/types.ts';

export function parseBootstrapDraws(text: string, path: string): Record<string, Record<string, number>[]> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new InputError(`${path}:1: (file): empty bootstrap file`);
  const head = lines[0].split(',').map((h) => h.trim());
  const groupCol = head.indexOf('group');
  const repCol = head.indexOf('replicate');
  if (repCol < 0) throw new InputError(`${path}:1: replicate: missing column (header: ${head.join(', ')})`);
  const out: Record<string, Record<string, number>[]> = {};
  lines.slice(1).forEach((line, k) => {
    const cells = line.split(',');
    if (cells.length !== head.length) throw new InputError(`${path}:${k + 2}: (row): has ${cells.length} fields, the header has ${head.length}`);
    const group = groupCol >= 0 ? cells[groupCol].trim() : '';
    const values: Record<string, number> = {};
    head.forEach((name, j) => {
      if (j === groupCol || j === repCol || cells[j].trim() === '') return;
      const v = Number(cells[j]);
      if (!Number.isFinite(v)) throw new InputError(`${path}:${k + 2}: ${name}: not a number: "${cells[j]}"`);
      values[name] = v;
    });
    (out[group] ??= []).push(values);
  });
  return out;
}
