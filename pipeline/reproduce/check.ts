/**
 * One reproduced number: what the publication printed, what atlas computed from data, and
 * whether they agree within the stated tolerance.
 */
export interface Check {
  /** Reproduce target (`chinchilla`, `datablations`, `nist`, `atlas`, `transfer`, `curse`, `crossover`). */
  target: string;
  /** What is compared, with its source (`Epoch grid fit: alpha`). */
  quantity: string;
  published: number;
  ours: number;
  /** Allowed deviation: `{ rel: 0.002 }` relative, `{ abs: 0.01 }` absolute, or `{ digits: 6 }` significant digits. */
  tolerance: { rel?: number; abs?: number; digits?: number };
  ok: boolean;
  /** Optional remark (e.g. the command that shows it, or why a deviation is expected). */
  note?: string;
}

/** A reproduce target: computes its checks from shipped data. */
export interface ReproduceTarget {
  name: string;
  description: string;
  run(options: { quick?: boolean; seed?: number }): Promise<Check[]>;
}

/** Number of matching significant digits between `ours` and `published` (lmfit/NIST `ndig` style). */
export function matchingDigits(ours: number, published: number): number {
  if (ours === published) return 17;
  if (published === 0) return -Math.log10(Math.abs(ours));
  return -Math.log10(Math.abs(ours - published) / Math.abs(published));
}

/** Build a check, deciding `ok` from the tolerance. */
export function check(target: string, quantity: string, published: number, ours: number, tolerance: Check['tolerance'], note?: string): Check {
  let ok = Number.isFinite(ours);
  if (tolerance.rel !== undefined) ok &&= Math.abs(ours - published) <= tolerance.rel * Math.abs(published);
  if (tolerance.abs !== undefined) ok &&= Math.abs(ours - published) <= tolerance.abs;
  if (tolerance.digits !== undefined) ok &&= matchingDigits(ours, published) >= tolerance.digits;
  return note === undefined ? { target, quantity, published, ours, tolerance, ok } : { target, quantity, published, ours, tolerance, ok, note };
}
