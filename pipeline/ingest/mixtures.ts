/**
 * Training mixtures (`en:0.5;de:0.5`) and per-language unique-token counts (`en:1e12;de:8e11`):
 * parsing, the tolerance on a mixture's weight sum, and the canonical text of a mixture.
 */
import type { Mixture } from '../io/types.ts';
import { detach, Interner } from './column_store.ts';
import { parseSizeNumber, parseStrictNumber } from './expressions.ts';

/** Default allowed deviation of a mixture's weight sum from 1 (SPEC §1). */
export const DEFAULT_MIXTURE_TOLERANCE = 1e-6;

/**
 * Parse a mixture `lang:weight;lang:weight` (weights > 0; Σ within `tolerance` of 1, then
 * renormalised). Returns the languages sorted with their weights, or a message.
 */
export function parseMixture(text: string, tolerance = DEFAULT_MIXTURE_TOLERANCE): { langs: string[]; weights: number[] } | string {
  const parts = text.split(';').map((p) => p.trim());
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const entries: [string, number][] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon < 0 || part.indexOf(':', colon + 1) >= 0) return `malformed mixture "${text}": expected lang:weight;lang:weight, got "${part}"`;
    const lang = part.slice(0, colon).trim();
    const weightText = part.slice(colon + 1).trim();
    if (lang === '') return `malformed mixture "${text}": empty language in "${part}"`;
    if (seen.has(lang)) return `malformed mixture "${text}": language "${lang}" appears twice`;
    seen.add(lang);
    const weight = parseStrictNumber(weightText);
    if (!Number.isFinite(weight)) return `malformed mixture "${text}": weight of ${lang} is not a number ("${weightText}")`;
    if (weight <= 0) return `malformed mixture "${text}": weight of ${lang} must be > 0, got ${weightText}`;
    entries.push([lang, weight]);
  }
  let sum = 0;
  for (const [, w] of entries) sum += w;
  if (Math.abs(sum - 1) > tolerance) {
    return `mixture weights sum to ${Number(sum.toPrecision(12))}, not 1 (±${tolerance}) in "${text}"`;
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { langs: entries.map((e) => e[0]), weights: entries.map((e) => (sum === 1 ? e[1] : e[1] / sum)) };
}

/** Canonical text of a mixture (languages sorted, shortest round-trip weights). */
export function mixtureKey(langs: readonly string[], weights: readonly number[]): string {
  return langs.map((lang, i) => `${lang}:${weights[i]}`).join(';');
}

/** Parse `unique_tokens` text `lang:count;lang:count` (counts > 0). */
export function parseUniqueList(text: string): Map<string, number> | string {
  const out = new Map<string, number>();
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const colon = part.indexOf(':');
    if (colon <= 0) return `malformed unique_tokens "${text}": expected a number or lang:count;lang:count, got "${part}"`;
    const lang = part.slice(0, colon).trim();
    const countText = part.slice(colon + 1).trim();
    const count = parseSizeNumber(countText);
    if (!Number.isFinite(count)) return `malformed unique_tokens "${text}": count of ${lang} is not a number ("${countText}")`;
    if (count <= 0) return `malformed unique_tokens "${text}": count of ${lang} must be > 0`;
    if (out.has(lang)) return `malformed unique_tokens "${text}": language "${lang}" appears twice`;
    out.set(lang, count);
  }
  if (out.size === 0) return `malformed unique_tokens "${text}"`;
  return out;
}


/**
 * Parsed mixtures and unique-token counts by cell text, with a one-entry cache for runs of equal
 * cells: one frozen {@link Mixture} per distinct canonical mixture, one map per distinct count list.
 */
export class MixtureCache {
  private readonly strings = new Interner();
  private readonly mixtures = new Map<string, Mixture | string>();
  private readonly canonical = new Map<string, Mixture>();
  private readonly uniques = new Map<string, ReadonlyMap<string, number> | string>();

  constructor(private readonly tolerance: number, private readonly defaultUnique: ReadonlyMap<string, number>) {}

  private lastMixtureText: string | null = null;
  private lastMixture: Mixture | string = '';
  private lastUniqueText: string | null = null;
  private lastUniqueMixture: Mixture | null = null;
  private lastUnique: ReadonlyMap<string, number> | string = '';

  /** The shared mixture of a cell's text, or a message. */
  mixtureOf(text: string): Mixture | string {
    if (text === this.lastMixtureText) return this.lastMixture;
    const result = this.mixtureUncached(text);
    this.lastMixtureText = text;
    this.lastMixture = result;
    return result;
  }

  private mixtureUncached(text: string): Mixture | string {
    const cached = this.mixtures.get(text);
    if (cached !== undefined) return cached;
    const parsed = parseMixture(text, this.tolerance);
    let result: Mixture | string;
    if (typeof parsed === 'string') {
      result = detach(parsed);
    } else {
      const key = mixtureKey(parsed.langs, parsed.weights);
      let shared = this.canonical.get(key);
      if (!shared) {
        shared = Object.freeze({ key, langs: Object.freeze(parsed.langs.map((l) => this.strings.get(l))), weights: Object.freeze(parsed.weights) });
        this.canonical.set(key, shared);
      }
      result = shared;
    }
    this.mixtures.set(detach(text), result);
    return result;
  }

  /** The unique-token counts of a cell's text for a row's mixture, or a message. */
  uniqueOf(text: string, mixture: Mixture): ReadonlyMap<string, number> | string {
    if (text === this.lastUniqueText && mixture === this.lastUniqueMixture) return this.lastUnique;
    const result = this.uniqueUncached(text, mixture);
    this.lastUniqueText = text;
    this.lastUniqueMixture = mixture;
    this.lastUnique = result;
    return result;
  }

  private uniqueUncached(text: string, mixture: Mixture): ReadonlyMap<string, number> | string {
    const single = parseSizeNumber(text);
    const cacheKey = Number.isNaN(single) ? text : `${text}\u0000${mixture.key}`;
    const cached = this.uniques.get(cacheKey);
    if (cached !== undefined) return cached;
    let result: ReadonlyMap<string, number> | string;
    if (!Number.isNaN(single)) {
      if (!Number.isFinite(single)) result = `not a finite number: "${text}"`;
      else if (single <= 0) result = `must be > 0, got ${text}`;
      else if (mixture.langs.length !== 1) result = `a single number needs a one-language mixture (this row's is "${mixture.key}"); write lang:count;lang:count`;
      else result = new Map([...this.defaultUnique, [mixture.langs[0], single]]);
    } else {
      const parsed = parseUniqueList(text);
      if (typeof parsed === 'string') {
        result = parsed;
      } else {
        const own = new Map(this.defaultUnique);
        for (const [lang, count] of parsed) own.set(this.strings.get(lang), count);
        result = own;
      }
    }
    if (typeof result === 'string') result = detach(result);
    this.uniques.set(detach(cacheKey), result);
    return result;
  }
}
