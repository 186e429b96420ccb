/**
 * Summary statistics shared by fits, analyses and reports: the quantile of sorted values
 * (simple-statistics' `quantileSorted`, numpy's default linear interpolation, type 7) and R² of
 * predictions, so each is defined once.
 */
import { quantileSorted as quantileSortedSS } from 'simple-statistics';

/** Linear-interpolation quantile (type 7, numpy's default) of ascending values; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  return sorted.length === 0 ? Number.NaN : quantileSortedSS(sorted as number[], q);
}

/**
 * R² = 1 − SS_res/SS_tot of `predicted` against `observed` over the rows where `include(i)`
 * holds (can be negative; NaN for no rows or constant observations).
 */
export function rSquared(observed: ArrayLike<number>, predicted: ArrayLike<number>, include: (i: number) => boolean = () => true): number {
  let rows = 0;
  let mean = 0;
  for (let i = 0; i < observed.length; i++) {
    if (!include(i)) continue;
    rows++;
    mean += (observed[i] - mean) / rows;
  }
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < observed.length; i++) {
    if (!include(i)) continue;
    const e = predicted[i] - observed[i];
    ssRes += e * e;
    ssTot += (observed[i] - mean) ** 2;
  }
  return rows > 0 && ssTot > 0 ? 1 - ssRes / ssTot : Number.NaN;
}

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
