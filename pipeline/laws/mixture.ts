/**
 * What the mixture laws (`mixing-law`, `mixture-linear`) share: the domain list of a table's
 * mixtures, each row's weight vector over it, and a small least-squares solve for data-driven
 * starting values.
 */
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';

/** Sorted union of the domains the table's mixtures train on. */
export function mixtureDomains(table: RunTable): string[] {
  const out = new Set<string>();
  const seen = new Set<unknown>();
  for (let i = 0; i < table.rows; i++) {
    const m = table.mixture[i];
    if (seen.has(m)) continue;
    seen.add(m);
    for (const l of m.langs) out.add(l);
  }
  return [...out].sort();
}

/** Where row i came from, for messages. */
export function rowAt(table: RunTable, i: number): string {
  return `${table.sources[table.source[i]]?.path ?? 'data'}:${table.line[i]}`;
}

/**
 * Row-major n × m weights of every row over `domains`. A row training on a domain outside the
 * list is an input error (the law has no coefficient for it).
 */
export function mixtureWeights(table: RunTable, domains: readonly string[], law: string): Float64Array {
  const m = domains.length;
  const index = new Map(domains.map((d, k) => [d, k]));
  const out = new Float64Array(table.rows * m);
  const problems: string[] = [];
  for (let i = 0; i < table.rows; i++) {
    const mix = table.mixture[i];
    for (let k = 0; k < mix.langs.length; k++) {
      const j = index.get(mix.langs[k]);
      if (j === undefined) {
        if (problems.length < 20) problems.push(`${rowAt(table, i)}: mixture: domain "${mix.langs[k]}" was not in the ${law} fit's data (its domains: ${domains.join(', ')})`);
        continue;
      }
      out[i * m + j] = mix.weights[k];
    }
  }
  if (problems.length) throw new InputError(problems);
  return out;
}

/** The single evaluation domain of a table, or an input error naming the fix. */
export function singleTarget(table: RunTable, law: string): string {
  const targets = new Set(table.evalLang);
  if (targets.size !== 1) {
    throw new InputError(`--law ${law}: the law is fitted per target domain, and the data has ${targets.size} (${[...targets].slice(0, 8).join(', ')}${targets.size > 8 ? ', …' : ''}); add --group-by eval_lang (config: group_by: eval_lang) or filter one domain with --where`);
  }
  return [...targets][0];
}

/**
 * Least-squares coefficients of y ≈ X·b (X row-major n × m) by the normal equations with a tiny
 * ridge (so a domain no row trains on gets 0 instead of a singular system).
 */
export function leastSquaresCoefficients(x: Float64Array, y: ArrayLike<number>, n: number, m: number, ridge = 1e-9): Float64Array {
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const xj = x[row + j];
      if (xj === 0) continue;
      b[j] += xj * y[i];
      for (let k = 0; k < m; k++) a[j * m + k] += xj * x[row + k];
    }
  }
  let scale = 0;
  for (let j = 0; j < m; j++) scale = Math.max(scale, a[j * m + j]);
  for (let j = 0; j < m; j++) a[j * m + j] += ridge * Math.max(scale, 1);
  // Gaussian elimination with partial pivoting.
  const out = Float64Array.from(b);
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r * m + c]) > Math.abs(a[pivot * m + c])) pivot = r;
    if (pivot !== c) {
      for (let k = 0; k < m; k++) [a[c * m + k], a[pivot * m + k]] = [a[pivot * m + k], a[c * m + k]];
      [out[c], out[pivot]] = [out[pivot], out[c]];
    }
    const d = a[c * m + c];
    if (d === 0) continue;
    for (let r = c + 1; r < m; r++) {
      const f = a[r * m + c] / d;
      if (f === 0) continue;
      for (let k = c; k < m; k++) a[r * m + k] -= f * a[c * m + k];
      out[r] -= f * out[c];
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    let s = out[c];
    for (let k = c + 1; k < m; k++) s -= a[c * m + k] * out[k];
    out[c] = a[c * m + c] === 0 ? 0 : s / a[c * m + c];
  }
  return out;
}
