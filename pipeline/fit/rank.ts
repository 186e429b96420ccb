/**
 * Rank agreement of predicted and observed losses across mixtures: the Spearman correlation the
 * data-mixture literature scores (RegMix, Liu et al. 2025, Sec. 4; Ye et al. 2025).
 */
import type { RunTable } from '../io/types.ts';

/** Ranks 1…n with ties given their average rank. */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  for (let k = 0; k < n;) {
    let end = k + 1;
    while (end < n && values[order[end]] === values[order[k]]) end++;
    const rank = (k + end + 1) / 2;
    for (let j = k; j < end; j++) out[order[j]] = rank;
    k = end;
  }
  return out;
}

/** Pearson correlation; NaN when either side is constant or there are fewer than two values. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** Spearman's ρ: the Pearson correlation of the ranks (ties averaged, as scipy.stats.spearmanr). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y));
}

/** Rank agreement over held-out mixtures. */
export interface MixtureRankMetrics {
  /** Mean over cells of Spearman's ρ between predicted and observed loss across mixtures. */
  spearman: number;
  /** Cells scored: (evaluation language, N, D) groups holding more than one distinct mixture. */
  cells: number;
  /** Distinct held-out mixtures. */
  mixtures: number;
  /** ρ of every cell. */
  by_cell: { eval_lang: string; params: number; tokens: number; mixtures: number; spearman: number }[];
}

/**
 * Spearman's ρ across mixtures within each (eval_lang, N, D) cell of the included rows, averaged
 * over cells (a ranking only compares mixtures at the same model size, tokens and target). Null
 * when no cell holds more than one mixture.
 */
export function mixtureSpearman(table: RunTable, predicted: ArrayLike<number>, include: (i: number) => boolean): MixtureRankMetrics | null {
  const cells = new Map<string, number[]>();
  const mixtures = new Set<string>();
  for (let i = 0; i < table.rows; i++) {
    if (!include(i)) continue;
    mixtures.add(table.mixture[i].key);
    const key = `${table.evalLang[i]}\u0000${table.params[i]}\u0000${table.tokens[i]}`;
    let rows = cells.get(key);
    if (!rows) cells.set(key, (rows = []));
    rows.push(i);
  }
  let sum = 0;
  const byCell: MixtureRankMetrics['by_cell'] = [];
  for (const rows of cells.values()) {
    const distinct = new Set(rows.map((i) => table.mixture[i].key)).size;
    if (distinct < 2) continue;
    const rho = spearman(rows.map((i) => predicted[i]), rows.map((i) => table.loss[i]));
    if (Number.isNaN(rho)) continue;
    sum += rho;
    const i = rows[0];
    byCell.push({ eval_lang: table.evalLang[i], params: table.params[i], tokens: table.tokens[i], mixtures: distinct, spearman: rho });
  }
  byCell.sort((a, b) => (a.eval_lang < b.eval_lang ? -1 : a.eval_lang > b.eval_lang ? 1 : a.params - b.params || a.tokens - b.tokens));
  return byCell.length === 0 ? null : { spearman: sum / byCell.length, cells: byCell.length, mixtures: mixtures.size, by_cell: byCell };
}
