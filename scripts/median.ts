/** Medians for the benchmark scripts, which time each case a few times and report the median. */

/** The median (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * A distribution-free interval for the median of `values` (order statistics, binomial(n, ½)):
 * the narrowest symmetric pair of order statistics that still covers the median with at least 90 %
 * probability; null when there are too few values (n < 5).
 */
export function medianInterval(values: number[]): { lo: number; hi: number; coverage: number } | null {
  const s = [...values].sort((x, y) => x - y);
  const n = s.length;
  const pmf = (k: number) => { let c = 1; for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1); return c / 2 ** n; };
  let best: { lo: number; hi: number; coverage: number } | null = null;
  for (let k = 0; 2 * k < n - 1; k++) {
    // P(s[k] ≤ median ≤ s[n − 1 − k]) = 1 − 2 P(Binomial(n, ½) ≤ k).
    let tail = 0;
    for (let i = 0; i <= k; i++) tail += pmf(i);
    const coverage = 1 - 2 * tail;
    if (coverage < 0.9) break;
    best = { lo: s[k], hi: s[n - 1 - k], coverage };
  }
  return best;
}
