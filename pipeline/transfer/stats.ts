/**
 * Statistics of a transfer matrix (ATLAS §4.3), usable on any matrix, measured or published:
 *
 * - group means: pairs sharing a script vs not, sharing a family vs not (and a branch, when the
 *   languages table has one), each with a seeded two-sided permutation p-value for the
 *   difference of means, computed two ways: shuffling the same/different label over cells (the
 *   cell-level test the paper's "p < .001" suggests; it treats cells as independent, which they
 *   are not) and shuffling the attribute over languages (keeps the row/column structure; the
 *   honest test when a few languages dominate);
 * - symmetry: Pearson r between A→B and B→A over unordered pairs with both cells present;
 * - top-k sources per target, and for every source the number of targets for which it is
 *   top-k. Ties: a source counts as top-k "inclusive" when fewer than k other sources score
 *   strictly higher (ties at the k-th place all count), "strict" when fewer than k other
 *   sources score at least as high (ties count against it), and "expected" is the mean count
 *   under uniformly random tie-breaking. For a matrix rounded to 0.1 the true count lies between
 *   strict and inclusive.
 *
 * Cells censored at a bound enter at their bound value.
 */
import { Random } from '../fitting/random.ts';
import type { LanguageFeatures, TransferMatrix } from './matrix.ts';
import { pearson } from '../fitting/stats.ts';

export { pearson } from '../fitting/stats.ts';

export interface GroupEffect {
  /** Language attribute compared (`script`, `family`, `branch`). */
  attribute: string;
  same: { mean: number; n: number };
  different: { mean: number; n: number };
  /** same.mean − different.mean */
  difference: number;
  /** Permutation p-value, labels shuffled over cells. */
  p_cells: number;
  /** Permutation p-value, attribute shuffled over languages. */
  p_languages: number;
  permutations: number;
}

export interface TopCount {
  source: string;
  inclusive: number;
  strict: number;
  expected: number;
  /** Targets (other than the source itself) with a score from this source. */
  targets: number;
}

export interface MatrixStats {
  languages: number;
  cells: number;
  mean: number;
  effects: GroupEffect[];
  symmetry: { r: number; pairs: number };
  k: number;
  /** Per target, its top-k sources by score (ties broken by source order). */
  top: Record<string, { source: string; bts: number }[]>;
  /** Per source, how often it is top-k; sorted by `expected`, descending. */
  topCounts: TopCount[];
}

export interface StatsOptions {
  /** k of the top-k lists. @default 5 */
  k?: number;
  /** Permutations per p-value. @default 2000 */
  permutations?: number;
  /** @default 0 */
  seed?: number;
}

interface Entry { t: number; s: number; v: number }

function entries(m: TransferMatrix): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < m.targets.length; i++) {
    for (let j = 0; j < m.sources.length; j++) {
      const v = m.values[i * m.sources.length + j];
      if (Number.isFinite(v) && m.targets[i] !== m.sources[j]) out.push({ t: i, s: j, v });
    }
  }
  return out;
}


/** Pearson r of A→B vs B→A over unordered pairs with both cells (languages in both axes). */
export function symmetry(m: TransferMatrix): { r: number; pairs: number } {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < m.targets.length; i++) {
    for (let j = 0; j < m.sources.length; j++) {
      const ti = m.targets[i];
      const sj = m.sources[j];
      if (ti === sj) continue;
      const i2 = m.targets.indexOf(sj);
      const j2 = m.sources.indexOf(ti);
      if (i2 < 0 || j2 < 0 || i2 < i || (i2 === i && j2 <= j)) continue;
      // Count each unordered pair once: the cell whose target comes first in the target order.
      const x = m.values[i * m.sources.length + j];
      const y = m.values[i2 * m.sources.length + j2];
      if (Number.isFinite(x) && Number.isFinite(y)) { a.push(x); b.push(y); }
    }
  }
  return { r: pearson(a, b), pairs: a.length };
}

function sameMask(m: TransferMatrix, list: Entry[], attribute: (lang: string) => string | undefined): Int8Array {
  // 1 same, 0 different, −1 unknown
  return Int8Array.from(list, (e) => {
    const a = attribute(m.targets[e.t]);
    const b = attribute(m.sources[e.s]);
    return a === undefined || b === undefined ? -1 : a === b ? 1 : 0;
  });
}

function diffOfMeans(list: Entry[], mask: Int8Array): { same: { mean: number; n: number }; different: { mean: number; n: number } } {
  let s1 = 0; let n1 = 0; let s0 = 0; let n0 = 0;
  for (let k = 0; k < list.length; k++) {
    if (mask[k] === 1) { s1 += list[k].v; n1++; } else if (mask[k] === 0) { s0 += list[k].v; n0++; }
  }
  return { same: { mean: n1 ? s1 / n1 : Number.NaN, n: n1 }, different: { mean: n0 ? s0 / n0 : Number.NaN, n: n0 } };
}

/** Same-vs-different effect of one language attribute, with both permutation p-values. */
export function groupEffect(m: TransferMatrix, features: LanguageFeatures, attribute: 'script' | 'family' | 'branch', options: StatsOptions = {}): GroupEffect | null {
  const permutations = options.permutations ?? 2000;
  const rng = new Random(options.seed ?? 0);
  const list = entries(m);
  const get = (lang: string) => features.get(lang)?.[attribute];
  const mask = sameMask(m, list, get);
  const observed = diffOfMeans(list, mask);
  if (observed.same.n === 0 || observed.different.n === 0) return null;
  const diff = observed.same.mean - observed.different.mean;
  const absDiff = Math.abs(diff) - 1e-12;

  // (a) shuffle labels over cells with a known label.
  const known: number[] = [];
  for (let k = 0; k < mask.length; k++) if (mask[k] >= 0) known.push(k);
  const labels = Int8Array.from(known, (k) => mask[k]);
  const shuffled = new Int8Array(mask);
  let hitsCells = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = labels.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = labels[i]; labels[i] = labels[j]; labels[j] = tmp;
    }
    for (let i = 0; i < known.length; i++) shuffled[known[i]] = labels[i];
    const d = diffOfMeans(list, shuffled);
    if (Math.abs(d.same.mean - d.different.mean) >= absDiff) hitsCells++;
  }

  // (b) shuffle the attribute over languages (every language that has it).
  const langs = [...new Set([...m.targets, ...m.sources])].filter((l) => get(l) !== undefined);
  const values = langs.map((l) => get(l)!);
  let hitsLangs = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = values.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = values[i]; values[i] = values[j]; values[j] = tmp;
    }
    const assigned = new Map(langs.map((l, i) => [l, values[i]]));
    const d = diffOfMeans(list, sameMask(m, list, (l) => assigned.get(l)));
    if (Number.isFinite(d.same.mean) && Number.isFinite(d.different.mean) && Math.abs(d.same.mean - d.different.mean) >= absDiff) hitsLangs++;
  }
  return {
    attribute, same: observed.same, different: observed.different, difference: diff,
    p_cells: (1 + hitsCells) / (1 + permutations), p_languages: (1 + hitsLangs) / (1 + permutations), permutations,
  };
}

/** Top-k lists per target and top-k counts per source (see the module comment for ties). */
export function topSources(m: TransferMatrix, k = 5): { top: MatrixStats['top']; counts: TopCount[] } {
  const top: MatrixStats['top'] = {};
  const counts = new Map<string, TopCount>(m.sources.map((s) => [s, { source: s, inclusive: 0, strict: 0, expected: 0, targets: 0 }]));
  for (let i = 0; i < m.targets.length; i++) {
    const row: { source: string; bts: number }[] = [];
    for (let j = 0; j < m.sources.length; j++) {
      const v = m.values[i * m.sources.length + j];
      if (Number.isFinite(v) && m.sources[j] !== m.targets[i]) row.push({ source: m.sources[j], bts: v });
    }
    top[m.targets[i]] = [...row].sort((a, b) => b.bts - a.bts).slice(0, k);
    for (const entry of row) {
      let greater = 0;
      let equal = 0;
      for (const other of row) {
        if (other === entry) continue;
        if (other.bts > entry.bts) greater++;
        else if (other.bts === entry.bts) equal++;
      }
      const c = counts.get(entry.source)!;
      c.targets++;
      if (greater < k) c.inclusive++;
      if (greater + equal < k) c.strict++;
      c.expected += Math.min(1, Math.max(0, (k - greater) / (equal + 1)));
    }
  }
  const list = [...counts.values()].filter((c) => c.targets > 0).sort((a, b) => b.expected - a.expected || a.source.localeCompare(b.source));
  return { top, counts: list };
}

/** Every statistic of the module comment. */
export function matrixStats(m: TransferMatrix, features: LanguageFeatures, options: StatsOptions = {}): MatrixStats {
  const list = entries(m);
  const k = options.k ?? 5;
  const effects: GroupEffect[] = [];
  (['script', 'family', 'branch'] as const).forEach((attribute, index) => {
    const e = groupEffect(m, features, attribute, { ...options, seed: (options.seed ?? 0) + index });
    if (e) effects.push(e);
  });
  const { top, counts } = topSources(m, k);
  return {
    languages: new Set([...m.targets, ...m.sources]).size,
    cells: list.length,
    mean: list.reduce((a, e) => a + e.v, 0) / (list.length || 1),
    effects,
    symmetry: symmetry(m),
    k,
    top,
    topCounts: counts,
  };
}

/**
 * A draw of the unrounded matrix consistent with a matrix rounded to `step`: each cell uniform
 * in [v − step/2, v + step/2], except `-0` in [−step/2, 0] and `+0` in [0, step/2]. Used to
 * turn the rounding of a published matrix into a tolerance.
 */
export function jitterRounded(m: TransferMatrix, step: number, rng: Random): TransferMatrix {
  const values = Float64Array.from(m.values, (v) => {
    if (!Number.isFinite(v)) return v;
    if (v === 0) return (Object.is(v, -0) ? -1 : 1) * rng.next() * step / 2;
    return v + (rng.next() - 0.5) * step;
  });
  return { targets: m.targets, sources: m.sources, values };
}
