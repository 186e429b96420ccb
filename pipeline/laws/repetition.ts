/**
 * Data repetition and per-language token accounting shared by the multilingual laws.
 *
 * The repetition function of ATLAS (Longpre et al. 2025, Eq. 3):
 *
 *   S_λ(D; U) = D                                   if D ≤ U   (at most one epoch)
 *   S_λ(D; U) = U · [1 + (1 − e^(−λ(D/U − 1))) / λ]  if D > U   (repeated epochs)
 *
 * With R_D = D/U − 1 this is Muennighoff et al.'s D′ with R_D* = 1/λ: repeated tokens are worth
 * less and less, and S_λ never exceeds U·(1 + 1/λ). U = +Infinity (unknown unique tokens) means no
 * repetition, S_λ = D.
 * @see https://arxiv.org/abs/2510.22037 (§3, Eq. 3)
 * @see https://arxiv.org/abs/2305.16264 (Eq. 5)
 */
import type { RunTable } from '../io/types.ts';

/** S_λ(D; U): effective tokens of D tokens drawn from U unique ones. */
export function saturate(d: number, u: number, lambda: number): number {
  if (!(d > u)) return d;
  const r = d / u - 1;
  return u * (1 - Math.expm1(-lambda * r) / lambda);
}

/** ∂S_λ(D; U)/∂λ (0 within the first epoch). */
export function saturateDLambda(d: number, u: number, lambda: number): number {
  if (!(d > u)) return 0;
  const r = d / u - 1;
  const e = Math.exp(-lambda * r);
  // d/dλ [−expm1(−λr)/λ] = r·e^(−λr)/λ + expm1(−λr)/λ²
  return u * ((r * e) / lambda + Math.expm1(-lambda * r) / (lambda * lambda));
}

/** Tokens and unique tokens of each language a row was trained on. */
export interface LanguageTokens {
  langs: string[];
  /** Tokens seen of each language (weight × tokens; for finetunes base and finetune parts added). */
  tokens: number[];
  /** Unique tokens of each language (+Infinity when unknown). */
  unique: number[];
}

/** Index of rows by run id, for finetunes that name their base run. */
export type RunIndex = ReadonlyMap<string, number>;

/** First row of each run (a run's mixture is the same on every row). */
export function runIndex(table: RunTable): RunIndex {
  const index = new Map<string, number>();
  for (let i = 0; i < table.rows; i++) if (!index.has(table.runId[i])) index.set(table.runId[i], i);
  return index;
}

/**
 * Tokens of every training language of row i. A pretraining row has weight × tokens. A finetune
 * whose base run is in the table and whose `base_tokens` is known adds the base run's mixture ×
 * base_tokens to its own mixture × (tokens − base_tokens): `tokens` counts every token the model
 * has seen (SPEC §1). A finetune without a known base is treated as a pretraining run.
 */
export function languageTokens(table: RunTable, i: number, runs: RunIndex, bases?: Record<string, BaseMixture>): LanguageTokens {
  const out = new Map<string, number>();
  const mixture = table.mixture[i];
  let own = table.tokens[i];
  if (table.kind[i] === 'finetune') {
    const base = table.baseRun[i];
    const baseTokens = table.baseTokens[i];
    const j = base === null ? undefined : runs.get(base);
    const bm = j !== undefined ? table.mixture[j] : base !== null ? bases?.[base] : undefined;
    if (bm && Number.isFinite(baseTokens) && baseTokens > 0) {
      for (let k = 0; k < bm.langs.length; k++) out.set(bm.langs[k], bm.weights[k] * baseTokens);
      own = Math.max(0, own - baseTokens);
    }
  }
  for (let k = 0; k < mixture.langs.length; k++) {
    out.set(mixture.langs[k], (out.get(mixture.langs[k]) ?? 0) + mixture.weights[k] * own);
  }
  const langs = [...out.keys()].sort();
  const unique = table.uniqueTokens[i];
  return {
    langs,
    tokens: langs.map((l) => out.get(l)!),
    unique: langs.map((l) => uniqueTokensOf(table, unique, l)),
  };
}

/** Unique tokens of language `l` for a row: the row's own count, else the languages table's, else unlimited. */
function uniqueTokensOf(table: RunTable, rowUnique: ReadonlyMap<string, number>, l: string): number {
  return rowUnique.get(l) ?? table.languages.get(l)?.uniqueTokens ?? Infinity;
}

/**
 * `languageTokens` for every row of a table, with the language order and unique-token counts of a
 * row's (mixture, unique tokens, base mixture) computed once: ingest shares one mixture object and
 * one unique-tokens map among the rows that have the same ones (all the checkpoints of a run), so a
 * log with many checkpoints per run sorts each run's languages once instead of once per row. Each
 * language's tokens are summed in the same order, from the same products, as in languageTokens
 * (the base mixture's weight × base_tokens, then each own weight × own tokens), so they are equal.
 */
export function languageTokensOf(table: RunTable, runs: RunIndex, bases?: Record<string, BaseMixture>): (i: number) => LanguageTokens {
  /** Per language (sorted): the base mixture's entry (the last one listed, −1 for none) and its own entries. */
  type Plan = { langs: string[]; unique: number[]; base: Int32Array; own: number[][] };
  const cache = new Map<object, Map<object, Map<object | null, Plan>>>();
  const plan = (mixture: BaseMixture, uniqueMap: ReadonlyMap<string, number>, base: BaseMixture | null): Plan => {
    const at = new Map<string, { base: number; own: number[] }>();
    const slot = (l: string) => { let e = at.get(l); if (!e) at.set(l, (e = { base: -1, own: [] })); return e; };
    if (base) base.langs.forEach((l, k) => { slot(l).base = k; });
    mixture.langs.forEach((l, k) => { slot(l).own.push(k); });
    const langs = [...at.keys()].sort();
    return { langs, unique: langs.map((l) => uniqueTokensOf(table, uniqueMap, l)), base: Int32Array.from(langs, (l) => at.get(l)!.base), own: langs.map((l) => at.get(l)!.own) };
  };
  return (i) => {
    const mixture = table.mixture[i];
    const uniqueMap = table.uniqueTokens[i];
    let base: BaseMixture | null = null;
    let baseTokens = 0;
    let own = table.tokens[i];
    if (table.kind[i] === 'finetune') {
      const name = table.baseRun[i];
      const j = name === null ? undefined : runs.get(name);
      const bm = j !== undefined ? table.mixture[j] : name !== null ? bases?.[name] : undefined;
      if (bm && Number.isFinite(table.baseTokens[i]) && table.baseTokens[i] > 0) {
        base = bm;
        baseTokens = table.baseTokens[i];
        own = Math.max(0, own - baseTokens);
      }
    }
    let byUnique = cache.get(mixture);
    if (!byUnique) cache.set(mixture, (byUnique = new Map()));
    let byBase = byUnique.get(uniqueMap);
    if (!byBase) byUnique.set(uniqueMap, (byBase = new Map()));
    let p = byBase.get(base);
    if (!p) byBase.set(base, (p = plan(mixture, uniqueMap, base)));
    const tokens = new Array<number>(p.langs.length);
    for (let k = 0; k < tokens.length; k++) {
      let v: number | undefined = p.base[k] >= 0 ? base!.weights[p.base[k]] * baseTokens : undefined;
      for (const m of p.own[k]) v = (v ?? 0) + mixture.weights[m] * own;
      tokens[k] = v!;
    }
    return { langs: p.langs, tokens, unique: p.unique };
  };
}

/** A base run's training mixture. */
export interface BaseMixture {
  langs: readonly string[];
  weights: readonly number[];
}

/** Mixtures of every run that a finetune row of `table` names as its base (and that the table holds). */
export function baseMixtures(table: RunTable): Record<string, BaseMixture> {
  const runs = runIndex(table);
  const out: Record<string, BaseMixture> = {};
  for (let i = 0; i < table.rows; i++) {
    const base = table.baseRun[i];
    if (table.kind[i] !== 'finetune' || base === null || out[base]) continue;
    const j = runs.get(base);
    if (j !== undefined) out[base] = { langs: [...table.mixture[j].langs], weights: [...table.mixture[j].weights] };
  }
  return out;
}

/** Where a row came from, for messages: `FILE:LINE`. */
export function rowWhere(table: RunTable, i: number): string {
  return `${table.sources[table.source[i]]?.path ?? 'data'}:${table.line[i]}`;
}
