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
