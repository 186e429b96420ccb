/**
 * Number formatting and small deterministic helpers shared by the report's plots and tables.
 */

/** A count with an SI-like suffix used for model sizes and tokens: 7e7 → "70M", 1.2e9 → "1.2B", 3e12 → "3T". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, suffix] of units) {
    if (abs >= scale) return `${trimNumber(value / scale, 3)}${suffix}`;
  }
  return trimNumber(value, 3);
}

/** `value` to `digits` significant digits without trailing zeros or exponent noise for everyday magnitudes. */
export function trimNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '−∞' : 'NaN';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
    return `${String(Number(mantissa))}e${Number(exponent)}`;
  }
  return String(Number(value.toPrecision(digits)));
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), for draws shown in plots. */
export { mulberry32 } from '../../fitting/random.ts';

/** Standard normal draws from a uniform generator (Box–Muller, one value per call). */
export function normalFrom(uniform: () => number): () => number {
  return () => {
    const u = Math.max(uniform(), 1e-300);
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** `count` values spaced evenly in log between `lo` and `hi` (inclusive). */
export function logSpace(lo: number, hi: number, count: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  if (count <= 1) return [lo];
  return Array.from({ length: count }, (_, k) => Math.exp(a + ((b - a) * k) / (count - 1)));
}

/** Quantile of a sorted array (linear interpolation, q in [0, 1]). */
export { quantileSorted as quantile } from '../../fitting/stats.ts';

/** Round to 6 significant digits, so plot data (and thus SVG text) does not carry float noise. */
export function round6(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}

/** Vega expression for axis and legend labels 100M, 1B, 10B: SI prefixes, with B (not G) for 10^9 as model sizes and token counts are written. */
export const SI_LABEL = "replace(format(datum.value, '.3~s'), 'G', 'B')";
