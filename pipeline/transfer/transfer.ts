/**
 * Bilingual Transfer Scores and Finetuning Adaptation Scores from run logs (ATLAS §4.1–4.2).
 *
 * BTS_{s→t} = 2 − d_bi / d_mono. The monolingual run on t reaches loss ℓ = L_t(d_mono) after
 * d_mono tokens; the 50/50 bilingual (s, t) run needs d_bi total tokens to reach ℓ on t. With no
 * transfer it needs twice the tokens (half of them are t), so BTS = 0; BTS > 0 is positive
 * transfer, BTS < 0 interference, BTS = 1 means source tokens are as good as target tokens.
 *
 * Both curves are made monotone (running minimum) and interpolated piecewise-linearly in
 * (ln tokens, ln loss) (see transfer_curve.ts). A bilingual curve that never reaches ℓ gives
 * d_bi > its last checkpoint, so BTS is *below* 2 − d_last/d_mono: the score is reported as that
 * bound with `censored = below`; one that is already below ℓ at its first checkpoint gives
 * `censored = above`. Nothing is extrapolated.
 *
 * Several runs of one curve (seeds, or repeated runs of the same mixture) are averaged on a common
 * token grid. Intervals: a seeded bootstrap. A curve backed by several runs resamples the runs; a
 * curve from one run resamples its checkpoints (the first and last are always kept, so the
 * logged range is a property of the design, not of the draw; the interior checkpoints are drawn
 * with replacement and the distinct ones kept). Each replicate redraws every mono and bilingual
 * curve independently and recomputes every score; the interval is the 2.5–97.5 % percentile of
 * the replicates (censored replicates enter at their bound).
 *
 * FAS_{s→t} = (1/d_max) ∫_0^{d_max} (L_t^base − L_{s→t}(d)) dd, from finetune runs that continue
 * a base checkpoint on source s alone: L_t^base is the base run's loss on t at the checkpoint the
 * finetune starts from; the integral is the trapezoid rule over the finetune's checkpoints on t,
 * starting at d = 0 where the finetune *is* the base model (difference 0, unless the log has its
 * own d = 0 row). A target evaluated only at the end gets the two-point trapezoid.
 */
import { deriveSeed, Random } from '../fitting/random.ts';
import { quantileSorted } from '../fitting/stats.ts';
import { InputError, type RunTable } from '../io/types.ts';
import { lossAt, tokensToReach, type Curve } from './curve.ts';
import type { TransferMatrix } from './matrix.ts';
import { collectRuns, curveData, drawCurve, isBilingual, isMono, sameSize, type CurveData } from './runs.ts';
import { computeFas, type FasScore } from './fas.ts';

export { computeFas, type FasScore } from './fas.ts';

/** Options of `computeTransfer`. */
export interface TransferOptions {
  /** Reference horizons d_mono (target tokens). Default: see `defaultReference`. */
  refTokens?: number[] | null;
  /** Model size (params) whose mono + bilingual runs are used; default: the most complete size. */
  size?: number | null;
  /** Bootstrap replicates (0 = none). @default 200 */
  bootstrap?: number;
  /** Seed of the bootstrap. @default 0 */
  seed?: number;
}

/** `false` (measured), `above` / `below` (true score above / below the reported bound), `mono` (d_mono outside the mono run's range: no score). */
export type Censoring = 'false' | 'above' | 'below' | 'mono';

/** One directed score at one reference horizon. */
export interface TransferScore {
  target: string;
  source: string;
  bts: number;
  /** Reference horizon: target tokens of the monolingual run. */
  d_mono: number;
  /** Total tokens the bilingual run needs to match the mono loss at d_mono (a bound when censored). */
  d_bi: number;
  censored: Censoring;
  ci_low: number;
  ci_high: number;
  /** Bootstrap standard deviation. */
  se: number;
  /** Fraction of bootstrap replicates that were censored. */
  boot_censored: number;
  /** Mono loss at d_mono (the loss the bilingual run has to reach). */
  loss_ref: number;
  mono_runs: string[];
  bilingual_runs: string[];
}

/** One Finetuning Adaptation Score. */

export interface TransferResult {
  /** Model size (params) of the mono and bilingual runs used. */
  size: number;
  /** Sizes that had bilingual runs, with their number of scorable directed pairs. */
  sizes: { params: number; pairs: number }[];
  refTokens: number[];
  /** How the reference horizon was chosen. */
  refRule: string;
  /** Languages with a mono run and at least one bilingual pair, in table order. */
  languages: string[];
  scores: TransferScore[];
  fas: FasScore[];
  bootstrap: { replicates: number; seed: number; method: string; interval: [number, number] };
  /** BTS matrix at the first reference horizon (censored cells hold their bound). */
  matrix: TransferMatrix;
  notes: string[];
}


/** Round down to 3 significant digits (a readable default horizon). */
function roundDown3(x: number): number {
  const p = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Math.floor(x / p) * p;
}

interface Score1 { bts: number; dBi: number; censored: Censoring; lossRef: number }

function score(mono: Curve, bi: Curve, ref: number): Score1 {
  const at = lossAt(mono, Math.log(ref));
  if (at.flag !== null || !Number.isFinite(at.value)) return { bts: Number.NaN, dBi: Number.NaN, censored: 'mono', lossRef: Number.NaN };
  const reach = tokensToReach(bi, at.value);
  const dBi = Math.exp(reach.value);
  const censored: Censoring = reach.flag === 'after' ? 'below' : reach.flag === 'before' ? 'above' : 'false';
  return { bts: 2 - dBi / ref, dBi, censored, lossRef: Math.exp(at.value) };
}

/**
 * Compute every BTS (mono + 50/50 bilingual runs of one size) and every FAS (finetune runs) in
 * `table`. Throws InputError when the table has no usable mono/bilingual pair or a requested
 * size or horizon does not exist.
 */
export function computeTransfer(table: RunTable, options: TransferOptions = {}): TransferResult {
  const replicates = options.bootstrap ?? 200;
  const seed = options.seed ?? 0;
  const notes: string[] = [];
  const runs = collectRuns(table);
  const monos = runs.filter(isMono);
  const bis = runs.filter(isBilingual);
  const firstFile = table.sources[0]?.path ?? 'data';

  // Sizes with bilingual runs and how many directed cells each can score.
  const sizeList: { params: number; pairs: number }[] = [];
  for (const run of bis) {
    let entry = sizeList.find((s) => sameSize(s.params, run.params));
    if (!entry) sizeList.push((entry = { params: run.params, pairs: 0 }));
  }
  for (const entry of sizeList) {
    const pairs = new Set<string>();
    for (const run of bis) {
      if (!sameSize(run.params, entry.params)) continue;
      for (const t of run.mixture.langs) {
        const s = run.mixture.langs.find((l) => l !== t)!;
        if (monos.some((m) => sameSize(m.params, entry.params) && m.mixture.langs[0] === t && m.byLang.has(t)) && run.byLang.has(t)) pairs.add(`${t}<${s}`);
      }
    }
    entry.pairs = pairs.size;
  }
  sizeList.sort((a, b) => a.params - b.params);
  if (sizeList.length === 0) throw new InputError(`${firstFile}:0: mixture: no bilingual 50/50 runs (two languages at weight 0.5 each); BTS needs mono + bilingual runs of one size`);
  let size: number;
  if (options.size !== undefined && options.size !== null) {
    const found = sizeList.find((s) => sameSize(s.params, options.size!));
    if (!found) throw new InputError(`--size: ${options.size}: no bilingual runs of that size (sizes with bilingual runs: ${sizeList.map((s) => s.params).join(', ')})`);
    size = found.params;
  } else {
    const best = sizeList.reduce((a, b) => (b.pairs > a.pairs || (b.pairs === a.pairs && b.params > a.params) ? b : a));
    size = best.params;
    if (sizeList.length > 1) notes.push(`size ${size} chosen: most scorable pairs (${sizeList.map((s) => `${s.params}: ${s.pairs}`).join(', ')})`);
  }
  if ((sizeList.find((s) => s.params === size)?.pairs ?? 0) === 0) throw new InputError(`${firstFile}:0: mixture: no bilingual run of size ${size} has a mono run of the same size for its target language`);

  const monoAt = monos.filter((m) => sameSize(m.params, size));
  const biAt = bis.filter((b) => sameSize(b.params, size));

  // Language order: first appearance among mono runs that take part in a scorable pair.
  const languages: string[] = [];
  for (const m of monoAt) {
    const lang = m.mixture.langs[0];
    if (languages.includes(lang)) continue;
    if (biAt.some((b) => b.mixture.langs.includes(lang))) languages.push(lang);
  }
  const monoData = new Map<string, CurveData>();
  for (const lang of languages) monoData.set(lang, curveData(table, monoAt.filter((m) => m.mixture.langs[0] === lang), lang));
  interface Cell { target: string; source: string; data: CurveData }
  const cells: Cell[] = [];
  for (const t of languages) {
    for (const s of languages) {
      if (s === t) continue;
      const pairRuns = biAt.filter((b) => b.mixture.langs.includes(s) && b.mixture.langs.includes(t));
      const data = curveData(table, pairRuns, t);
      if (data.runs.length > 0 && (monoData.get(t)?.runs.length ?? 0) > 0) cells.push({ target: t, source: s, data });
    }
  }

  // Reference horizon(s).
  let refTokens: number[];
  let refRule: string;
  if (options.refTokens && options.refTokens.length > 0) {
    refTokens = [...options.refTokens];
    refRule = 'given (--ref-tokens)';
  } else {
    const span = (data: CurveData) => {
      let first = Infinity;
      let last = 0;
      for (const run of data.runs) {
        for (let i = 0; i < run.tokens.length; i++) {
          if (!(run.tokens[i] > 0)) continue;
          first = Math.min(first, run.tokens[i]);
          last = Math.max(last, run.tokens[i]);
        }
      }
      return { first, last };
    };
    let monoLast = Infinity;
    let monoFirst = 0;
    for (const lang of languages) {
      const { first, last } = span(monoData.get(lang)!);
      if (last === 0) continue;
      monoLast = Math.min(monoLast, last);
      monoFirst = Math.max(monoFirst, first);
    }
    let biLast = Infinity;
    for (const c of cells) {
      const { last } = span(c.data);
      if (last > 0) biLast = Math.min(biLast, last);
    }
    const ref = roundDown3(Math.max(monoFirst, Math.min(monoLast, biLast / 3)));
    refTokens = [ref];
    refRule = `default: min(shortest mono run ${monoLast}, shortest bilingual run ${biLast} / 3) rounded down to 3 digits, so every BTS ≥ −1 lies inside the logged range`;
  }
  for (const ref of refTokens) if (!(ref > 0) || !Number.isFinite(ref)) throw new InputError(`--ref-tokens: ${ref}: must be a positive number`);

  // Point estimates.
  const monoCurves = new Map<string, Curve>();
  for (const lang of languages) monoCurves.set(lang, drawCurve(monoData.get(lang)!, null));
  const point: Score1[][] = refTokens.map((ref) => cells.map((c) => score(monoCurves.get(c.target)!, drawCurve(c.data, null), ref)));

  // Bootstrap.
  const boot: Float64Array[][] = refTokens.map(() => cells.map(() => new Float64Array(replicates)));
  const bootCens: Int32Array[] = refTokens.map(() => new Int32Array(cells.length));
  for (let b = 0; b < replicates; b++) {
    const rng = new Random(deriveSeed(seed, b));
    const monoB = new Map<string, Curve>();
    for (const lang of languages) monoB.set(lang, drawCurve(monoData.get(lang)!, rng));
    const biB = cells.map((c) => drawCurve(c.data, rng));
    refTokens.forEach((ref, r) => {
      cells.forEach((c, k) => {
        const s = score(monoB.get(c.target)!, biB[k], ref);
        boot[r][k][b] = s.bts;
        if (s.censored !== 'false') bootCens[r][k]++;
      });
    });
  }
  const multiRun = cells.some((c) => c.data.runs.length > 1) || [...monoData.values()].some((d) => d.runs.length > 1);
  const singleRun = cells.some((c) => c.data.runs.length === 1) || [...monoData.values()].some((d) => d.runs.length === 1);
  const method = replicates === 0 ? 'none' : multiRun && singleRun ? 'runs where a curve has several seeds, else checkpoints' : multiRun ? 'runs (seeds)' : 'checkpoints';

  const scores: TransferScore[] = [];
  refTokens.forEach((ref, r) => {
    cells.forEach((c, k) => {
      const p = point[r][k];
      const values = Array.from(boot[r][k]).filter(Number.isFinite).sort((a, b) => a - b);
      let mean = 0;
      for (const v of values) mean += v;
      mean /= values.length || 1;
      let ss = 0;
      for (const v of values) ss += (v - mean) ** 2;
      scores.push({
        target: c.target, source: c.source, bts: p.bts, d_mono: ref, d_bi: p.dBi, censored: p.censored,
        ci_low: replicates > 0 ? quantileSorted(values, 0.025) : Number.NaN,
        ci_high: replicates > 0 ? quantileSorted(values, 0.975) : Number.NaN,
        se: values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : Number.NaN,
        boot_censored: replicates > 0 ? bootCens[r][k] / replicates : 0,
        loss_ref: p.lossRef,
        mono_runs: monoData.get(c.target)!.ids,
        bilingual_runs: c.data.ids,
      });
    });
  });
  const monoOut = scores.filter((s) => s.censored === 'mono').length;
  if (monoOut > 0) notes.push(`${monoOut} scores have d_mono outside their mono run's logged range: left empty (censored = mono)`);

  // Matrix at the first horizon.
  const n = languages.length;
  const values = new Float64Array(n * n).fill(Number.NaN);
  const censored = new Int8Array(n * n);
  for (const s of scores) {
    if (s.d_mono !== refTokens[0] || s.censored === 'mono') continue;
    const k = languages.indexOf(s.target) * n + languages.indexOf(s.source);
    values[k] = s.bts;
    censored[k] = s.censored === 'below' ? -1 : s.censored === 'above' ? 1 : 0;
  }
  const matrix: TransferMatrix = { targets: [...languages], sources: [...languages], values, censored };

  return {
    size, sizes: sizeList, refTokens, refRule, languages, scores, fas: computeFas(table, runs, notes),
    bootstrap: { replicates, seed, method, interval: [0.025, 0.975] }, matrix, notes,
  };
}
