/**
 * Decisions from fitted laws (`atlas plan`):
 *
 * - `planLanguages`: "my model has N parameters and D tokens and serves K languages; I want rK
 *   languages at the same loss: what N′, D′ and compute?" from a curse-law artifact (ATLAS §5.3).
 * - `planFinetune`: "for language L at size N with a budget of D tokens, pretrain from scratch or
 *   finetune the multilingual checkpoint?" from a crossover.json (ATLAS §6) or a C(N) = a·N^b law.
 * - `planCotrain`: "which languages should I co-train with L?" from a transfer.json: the sources
 *   with the highest Bilingual Transfer Score into L, with their bootstrap intervals (ATLAS §4).
 *
 * Every function is pure: it takes parsed artifacts and returns a plain object; the command
 * formats it as a table or JSON.
 */
import type { BootstrapDraws, CoefficientArtifact, DataRanges, DerivedEntry } from '../io/artifact.ts';
import { drawValues, extrapolation, intervalFromSamples, rangesOf, type Extrapolation } from '../fit/intervals.ts';
import { InputError } from '../io/types.ts';
import { isoLossPlan, type IsoLossPlan } from '../curse/curse.ts';
import { predictCrossoverTokens, type CrossoverResult, type FinetuneTokens } from '../crossover/crossover.ts';
import { multiplierPrefix } from '../laws/curse.ts';
import type { TransferJson } from '../transfer/io.ts';

// ----------------------------------------------------------------------------------------------
// (a) languages: K → rK at the same loss

export interface LanguagesRequest {
  params: number;
  tokens: number;
  k: number;
  targetK: number;
  /** Group of a `--group-by` artifact (e.g. an evaluation language). */
  group?: string | null;
  /** Number of curve points. @default 9 */
  points?: number;
}

export interface LanguagesPlan extends IsoLossPlan {
  request: LanguagesRequest;
  /** Curse-law values used. */
  values: { E: number; A: number; B: number; alpha: number; beta: number; phi: number; psi: number };
  /** N′, D′ (total) and C′ = 6·N′·D′ of the minimum-compute iso-loss point. */
  params: number;
  tokens: number;
  compute: number;
  baselineCompute: number;
  /** Bootstrap intervals of the §5.3 multipliers when the artifact has them for this r (2, 4, 8, 16). */
  intervals: Record<string, DerivedEntry> | null;
  /** 95 % prediction interval of the baseline loss (bootstrap draws and residual scatter; docs/intervals.md). */
  lossInterval: [number, number] | null;
  /** How far the baseline and the minimum-compute point lie outside the fitted data (null: ranges not recorded). */
  extrapolation: { baseline: Extrapolation; optimum: Extrapolation } | null;
}

function curseLoss(v: Record<string, number>, params: number, tokens: number, k: number): number {
  return v.E + (v.A * Math.pow(k, v.phi)) / Math.pow(params, v.alpha) + (v.B * Math.pow(k, v.psi)) / Math.pow(tokens / k, v.beta);
}

function curseSection(artifact: CoefficientArtifact, group: string | null | undefined): { params: Record<string, { value: number }>; derived: Record<string, DerivedEntry> } {
  if (artifact.law !== 'curse') throw new InputError(`--coefficients: law is "${artifact.law}"; atlas plan languages needs a curse-law fit (atlas fit --law curse)`);
  if (group) {
    const g = artifact.groups?.[group];
    if (!g) throw new InputError(`--group: "${group}" is not a group of the artifact (groups: ${Object.keys(artifact.groups ?? {}).join(', ') || 'none'})`);
    return { params: g.params, derived: g.derived ?? {} };
  }
  if (artifact.groups && !artifact.params?.phi) {
    throw new InputError(`--group: the artifact was fitted per group (${artifact.group_by ?? 'group'}); name one of: ${Object.keys(artifact.groups).join(', ')}`);
  }
  return { params: artifact.params, derived: artifact.derived ?? {} };
}

/** Plan (a): the iso-loss curve and minimum-compute point for K → targetK languages. */
export function planLanguages(artifact: CoefficientArtifact, request: LanguagesRequest, draws: BootstrapDraws | null = null): LanguagesPlan {
  const section = curseSection(artifact, request.group);
  const value = (name: string): number => {
    const v = section.params[name]?.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`--coefficients: params.${name}: missing or not a number`);
    return v;
  };
  const values = { E: value('E'), A: value('A'), B: value('B'), alpha: value('alpha'), beta: value('beta'), phi: value('phi'), psi: value('psi') };
  const plan = isoLossPlan(values, request, request.points ?? 9);
  let intervals: Record<string, DerivedEntry> | null = null;
  if ([2, 4, 8, 16].includes(plan.r)) {
    const prefix = multiplierPrefix(plan.r);
    const picked = Object.entries(section.derived).filter(([k, v]) => k.startsWith(`${prefix}_`) && v.ci95);
    if (picked.length) intervals = Object.fromEntries(picked);
  }
  const residuals = request.group ? artifact.groups?.[request.group]?.residuals : artifact.residuals;
  const samples = drawValues(draws, request.group).map((v) => curseLoss(v, request.params, request.tokens, request.k));
  const lossInterval = plan.loss === null ? null : intervalFromSamples(plan.loss, samples, residuals);
  const ranges = rangesOf(artifact, request.group);
  return {
    ...plan,
    request,
    values,
    lossInterval: lossInterval && lossInterval.every(Number.isFinite) ? lossInterval : null,
    extrapolation: ranges ? { baseline: extrapolation(ranges, request.params, request.tokens), optimum: extrapolation(ranges, plan.optimum.params, plan.optimum.tokens) } : null,
    params: plan.optimum.params,
    tokens: plan.optimum.tokens,
    compute: 6 * plan.optimum.params * plan.optimum.tokens,
    baselineCompute: 6 * request.params * request.tokens,
    intervals,
  };
}

// ----------------------------------------------------------------------------------------------
// (b) finetune or pretrain

export interface FinetuneRequest {
  lang: string;
  params: number;
  tokens: number;
}

export type FinetuneDecision = 'finetune' | 'pretrain' | 'undetermined';

export interface FinetunePlan {
  request: FinetuneRequest;
  decision: FinetuneDecision;
  /** Crossover tokens used (point estimate, or censoring bound). */
  crossoverTokens: number | null;
  ci95: [number, number] | null;
  /** `measured` (this language and size in crossover.json), `fit` (its C(N) law) or `formula`. */
  basis: 'measured' | 'fit' | 'formula';
  /** How tokens are counted for the finetune (see crossover/crossover.ts). */
  tokenAxis: FinetuneTokens | 'as-published';
  reason: string;
  /**
   * How far the asked (N, D) lies outside the crossovers the C(N) law was fitted on (N of the
   * measured crossovers, D and C = 6ND of their logged token ranges); null with a formula.
   */
  extrapolation?: Extrapolation | null;
}

/** Ranges of N, D and C = 6ND covered by the measured crossovers of a crossover.json. */
export function crossoverRanges(file: CrossoverResult): DataRanges | null {
  const points = file.points.filter((p) => Number.isFinite(p.params) && p.params > 0 && p.range.every((v) => Number.isFinite(v) && v > 0));
  if (points.length === 0) return null;
  const span = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];
  return {
    params: span(points.map((p) => p.params)),
    tokens: span(points.flatMap((p) => p.range)),
    compute: span(points.flatMap((p) => p.range.map((d) => 6 * p.params * d))),
  };
}

function tokensText(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toPrecision(3)}B`;
  if (v >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  return v.toPrecision(3);
}

/**
 * Plan (b). With a crossover.json: the measured crossover of this language at this size when
 * present (censored ones decide only on their side of the bound), else the file's C(N) fit
 * (D_cross = C(N)/(6N), "undetermined" when D lies inside its 95 % interval). With a formula
 * `{ a, b }` (e.g. the paper's 1113708·N^1.65): D_cross = a·N^b/(6N).
 */
export function planFinetune(source: { crossover?: CrossoverResult; formula?: { a: number; b: number } }, request: FinetuneRequest): FinetunePlan {
  const plan = planFinetuneDecision(source, request);
  const ranges = source.crossover ? crossoverRanges(source.crossover) : null;
  return { ...plan, extrapolation: ranges ? extrapolation(ranges, request.params, request.tokens) : null };
}

function planFinetuneDecision(source: { crossover?: CrossoverResult; formula?: { a: number; b: number } }, request: FinetuneRequest): FinetunePlan {
  for (const [name, v] of [['params', request.params], ['tokens', request.tokens]] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new InputError(`--${name}: expected a number > 0, got ${v}`);
  }
  const D = request.tokens;
  const decide = (cross: number): FinetuneDecision => (D < cross ? 'finetune' : 'pretrain');
  if (source.crossover) {
    const file = source.crossover;
    const axis = file.finetuneTokens;
    const point = file.points.find((p) => p.lang === request.lang && Math.abs(p.params - request.params) <= 1e-6 * request.params);
    if (point) {
      const bound = point.tokens;
      if (point.status === 'crossed') {
        const decision = decide(bound);
        return { request, decision, crossoverTokens: bound, ci95: null, basis: 'measured', tokenAxis: axis,
          reason: `measured crossover for ${request.lang} at N=${request.params}: from scratch overtakes the finetune at ${tokensText(bound)} tokens; ${tokensText(D)} is ${decision === 'finetune' ? 'below' : 'at or above'} it` };
      }
      if (point.status === 'after') {
        return D <= bound
          ? { request, decision: 'finetune', crossoverTokens: bound, ci95: null, basis: 'measured', tokenAxis: axis,
            reason: `the finetune stays ahead over the whole logged range (to ${tokensText(bound)} tokens), which covers ${tokensText(D)}` }
          : { request, decision: 'undetermined', crossoverTokens: bound, ci95: null, basis: 'measured', tokenAxis: axis,
            reason: `the finetune stays ahead up to ${tokensText(bound)} tokens, the end of the logged range; ${tokensText(D)} lies beyond it` };
      }
      return D >= bound
        ? { request, decision: 'pretrain', crossoverTokens: bound, ci95: null, basis: 'measured', tokenAxis: axis,
          reason: `from scratch is already ahead at ${tokensText(bound)} tokens, the start of the comparable range` }
        : { request, decision: 'undetermined', crossoverTokens: bound, ci95: null, basis: 'measured', tokenAxis: axis,
          reason: `from scratch is ahead from ${tokensText(bound)} tokens on; ${tokensText(D)} lies before the comparable range` };
    }
    if (!file.fit) {
      const have = file.points.map((p) => `${p.lang}@${p.params}`).join(', ');
      throw new InputError(`--crossover: no measured crossover for ${request.lang} at N=${request.params} (have ${have}) and no C(N) fit in the file (${file.notes.join('; ')})`);
    }
    const predicted = predictCrossoverTokens(file.fit, request.params);
    const ci = predicted.ci95;
    let decision = decide(predicted.tokens);
    if (ci && D >= ci[0] && D <= ci[1]) decision = 'undetermined';
    return { request, decision, crossoverTokens: predicted.tokens, ci95: ci, basis: 'fit', tokenAxis: axis,
      reason: `C(N) = ${file.fit.a.toPrecision(4)}·N^${file.fit.b.toFixed(3)} gives a crossover at ${tokensText(predicted.tokens)} tokens${ci ? ` (95 % ${tokensText(ci[0])}–${tokensText(ci[1])})` : ''}${decision === 'undetermined' ? `; ${tokensText(D)} lies inside the interval` : ''}` };
  }
  if (source.formula) {
    const { a, b } = source.formula;
    if (!(a > 0) || !Number.isFinite(b)) throw new InputError(`--formula: expected A,B with A > 0 (C = A·N^B), got ${a},${b}`);
    const cross = (a * Math.pow(request.params, b)) / (6 * request.params);
    const decision = decide(cross);
    return { request, decision, crossoverTokens: cross, ci95: null, basis: 'formula', tokenAxis: 'as-published',
      reason: `C = ${a}·N^${b} = ${(a * Math.pow(request.params, b)).toExponential(3)} FLOPs at N=${request.params}, i.e. ${tokensText(cross)} tokens (C/6N)` };
  }
  throw new InputError('atlas plan finetune: give --crossover FILE (written by atlas crossover) or --formula A,B');
}

// ----------------------------------------------------------------------------------------------
// (c) co-training partners

export interface CotrainRow {
  rank: number;
  source: string;
  bts: number;
  ciLow: number | null;
  ciHigh: number | null;
  /** `false` (measured), `above` or `below` (the true score is above / below the bound shown). */
  censored: string;
}

export interface CotrainPlan {
  lang: string;
  refTokens: number;
  size: number;
  rows: CotrainRow[];
  /** Languages scored into L at this horizon (before the top-n cut). */
  candidates: number;
}

/** Plan (c): the top sources by BTS into `lang` at the first (or given) reference horizon. */
export function planCotrain(transfer: TransferJson, lang: string, top = 5, refTokens: number | null = null): CotrainPlan {
  if (!Number.isInteger(top) || top < 1) throw new InputError(`--top: expected a whole number ≥ 1, got ${top}`);
  const horizons = transfer.ref_tokens ?? [];
  const ref = refTokens ?? horizons[0];
  if (ref === undefined) throw new InputError('--transfer: the file has no reference horizon (ref_tokens)');
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  const scores = transfer.scores.filter((s) => s.target === lang && s.censored !== 'mono' && near(s.d_mono, ref) && Number.isFinite(s.bts));
  if (!scores.length) {
    const targets = [...new Set(transfer.scores.map((s) => s.target))].sort();
    throw new InputError(`--lang: no transfer scores into "${lang}" at d_mono=${ref} (targets: ${targets.join(', ') || 'none'}; horizons: ${horizons.join(', ')})`);
  }
  const sorted = [...scores].sort((a, b) => b.bts - a.bts || (a.source < b.source ? -1 : 1));
  const rows = sorted.slice(0, top).map((s, i) => ({
    rank: i + 1,
    source: s.source,
    bts: s.bts,
    ciLow: Number.isFinite(s.ci_low) ? s.ci_low : null,
    ciHigh: Number.isFinite(s.ci_high) ? s.ci_high : null,
    censored: String(s.censored),
  }));
  return { lang, refTokens: ref, size: transfer.size, rows, candidates: scores.length };
}
