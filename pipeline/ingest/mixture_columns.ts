/**
 * Mixture column maps: training mixtures written as something other than the SPEC §1 text
 * `lang:weight;lang:weight`. A config's `columns: { mixture: … }` (or `--map mixture=…`) selects
 * one of two layouts; the reader turns each row's cells into the canonical text, which ingest
 * then validates like any other mixture (weights > 0, sum within the mixture tolerance).
 *
 * | map | layout | example |
 * |---|---|---|
 * | `wide:PREFIX*SUFFIX` | one column per domain, named PREFIX·domain·SUFFIX (RegMix) | `wide:train_the_pile_*` |
 * | `split:COLUMN:D1,D2,…` | one column holding `-`-separated proportions in the order D1, D2, … (data-mixing-laws) | `split:train_mixture:Github,Pile-CC` |
 *
 * Domains whose weight is 0 are left out of the row's mixture (a mixture lists the domains it
 * trains on). A cell that is not a number, a negative weight, a row whose weights are all zero or
 * a `split` cell with the wrong number of parts is a problem reported as `FILE:LINE: column: …`.
 */
import { parseStrictNumber, showCell } from './expressions.ts';

/** A compiled mixture column map: the domains and how to read their weights from a row. */
export interface MixtureColumns {
  /** The map as written (for messages). */
  readonly expression: string;
  /** Domain names, in source order. */
  readonly domains: readonly string[];
  /** Label of the source column(s) for messages. */
  readonly label: string;
  /** The row's mixture as `lang:weight;…` text (zero weights dropped), or a problem message. */
  read(fields: readonly string[]): { text: string } | { problem: string };
}

/** Whether a column-map expression is a mixture layout this module reads. */
export function isMixtureLayout(expression: string): boolean {
  const text = expression.trim();
  return text.startsWith('wide:') || text.startsWith('split:');
}

function weightOf(cell: string, domain: string): number | string {
  const value = parseStrictNumber(cell);
  if (!Number.isFinite(value)) return `weight of ${domain} is not a number: ${showCell(cell)}`;
  if (value < 0) return `weight of ${domain} must be ≥ 0, got ${cell.trim()}`;
  return value;
}

function joinWeights(domains: readonly string[], weights: readonly number[]): { text: string } | { problem: string } {
  const parts: string[] = [];
  for (let k = 0; k < domains.length; k++) if (weights[k] > 0) parts.push(`${domains[k]}:${weights[k]}`);
  return parts.length === 0 ? { problem: 'every domain weight is 0 (a mixture needs at least one domain)' } : { text: parts.join(';') };
}

/**
 * Compile a mixture layout against a file's header. Returns a reader, or a message saying what
 * is wrong and what to write instead.
 */
export function compileMixtureColumns(expression: string, header: readonly string[]): MixtureColumns | string {
  const text = expression.trim();
  if (text.startsWith('wide:')) {
    const pattern = text.slice(5).trim();
    const star = pattern.indexOf('*');
    if (star < 0 || pattern.indexOf('*', star + 1) >= 0) return `expected wide:PREFIX*SUFFIX with one * standing for the domain name (e.g. wide:train_the_pile_*), got "${text}"`;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    const indices: number[] = [];
    const domains: string[] = [];
    header.forEach((name, i) => {
      const column = name.trim();
      if (column.length > prefix.length + suffix.length && column.startsWith(prefix) && column.endsWith(suffix)) {
        indices.push(i);
        domains.push(column.slice(prefix.length, column.length - suffix.length));
      }
    });
    if (indices.length === 0) return `no column matches ${pattern} (columns: ${header.join(', ')})`;
    return {
      expression: text,
      domains,
      label: `${pattern} (as mixture)`,
      read(fields) {
        const weights: number[] = [];
        for (let k = 0; k < indices.length; k++) {
          const w = weightOf(fields[indices[k]], domains[k]);
          if (typeof w === 'string') return { problem: `${header[indices[k]].trim()}: ${w}` };
          weights.push(w);
        }
        return joinWeights(domains, weights);
      },
    };
  }
  if (text.startsWith('split:')) {
    const rest = text.slice(6);
    const colon = rest.indexOf(':');
    if (colon <= 0) return `expected split:COLUMN:D1,D2,… (e.g. split:train_mixture:Github,Pile-CC), got "${text}"`;
    const column = rest.slice(0, colon).trim();
    const domains = rest.slice(colon + 1).split(',').map((d) => d.trim());
    if (domains.some((d) => d === '')) return `split: empty domain name in "${rest.slice(colon + 1)}" (write D1,D2,…)`;
    if (new Set(domains).size !== domains.length) return `split: a domain appears twice in "${rest.slice(colon + 1)}"`;
    const index = header.findIndex((name) => name.trim() === column);
    if (index < 0) return `split: unknown column "${column}" (columns: ${header.join(', ')})`;
    return {
      expression: text,
      domains,
      label: `${column} (as mixture)`,
      read(fields) {
        const cell = fields[index].trim();
        const parts = cell.split('-');
        if (parts.length !== domains.length) return { problem: `expected ${domains.length} '-'-separated proportions (${domains.join(', ')}), got ${showCell(cell)}` };
        const weights: number[] = [];
        for (let k = 0; k < parts.length; k++) {
          const w = weightOf(parts[k], domains[k]);
          if (typeof w === 'string') return { problem: `${w} in ${showCell(cell)}` };
          weights.push(w);
        }
        return joinWeights(domains, weights);
      },
    };
  }
  return `unknown mixture layout "${text}" (use wide:PREFIX*SUFFIX or split:COLUMN:D1,D2,…)`;
}
