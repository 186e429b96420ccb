/**
 * The ATLAS law (Longpre et al. 2025, "Adaptive Transfer Scaling Laws", Eqs. 1–3).
 *
 *   L(N, D_eff) = E + A / N^alpha + B / D_eff^beta
 *   D_eff = S_λ(D_t; U_t) + Σ_{i∈K_t} tau_i · S_λ(D_i; U_i) + tau_other · S_λ(D_other; U_other)
 *
 * D_t is the target (evaluation) language's own training tokens, D_i those of each of the target's
 * transfer languages K_t, D_other the pooled tokens of every other language of the mixture
 * (U_other the sum of their unique tokens; unlimited when any of them is). S_λ is the repetition
 * function of `repetition.ts` with one global λ (the paper: "shared across each data source").
 *
 * Law option `terms` selects the three multilingual rows of the paper's Table 1:
 * `target` (D_eff = S_λ(D_t; U_t), the monolingual ATLAS law), `target,other` (every other language
 * pooled into the "other" term) and `target,other,transfer` (the full law, the default).
 *
 * K_t (option `transferCount`, default 3) is the languages most often co-sampled with t, counted
 * over the data's distinct mixtures, ties broken alphabetically; option `transferLanguages`
 * (`{ t: [i, …] }`) overrides it per target. Transfer weights are shared across targets and named
 * after the source language (`tau_<lang>`, SPEC §2), so one joint fit covers every target. A K_t
 * language that no training row of target t trains on gets no weight (nothing could determine
 * it); for rows that do meet it later (prediction), it counts as an "other" language.
 *
 * Domains as languages (law option `domains: true`, for data-mixture runs such as RegMix's Pile
 * domains): K_t defaults to every domain co-sampled with the target, and a row whose mixture holds
 * none of the target domain is accepted, its D_eff coming from the transfer terms alone (the
 * floor below is then taken relative to the row's total tokens instead of S_λ(D_t; U_t)). Option
 * `targetSources` (`{ eval domain: training domain }`) names the training domain that is the
 * target's own data when the two are named differently (e.g. `Pile-CC: internet`).
 *
 * Interference: tau may be negative (bounds −1…2). D_eff must stay positive, so with
 * q = D_eff,lin / S_λ(D_t; U_t) the law uses D_eff = S_t·q while q ≥ q₀ = 0.05 and the C¹
 * continuation D_eff = S_t·q₀²/(2q₀ − q) below: interference can shrink the effective data to a
 * small share of the target's own tokens, smoothly and never to zero, so the objective stays
 * finite and differentiable at every tau and extrapolation to many-language mixtures degrades
 * gracefully (as q₀²/|q|) instead of blowing up.
 *
 * Fitted in log space: ln L̂ = LSE(ln E, ln A − alpha·ln N, ln B − beta·ln D_eff), with λ fitted as
 * ln λ. `evaluate` is allocation-free over the design's Float64Arrays and returns the analytic
 * Jacobian for every parameter.
 * @see https://arxiv.org/abs/2510.22037
 */
import type { Law, LawOptions, ParamSpec } from './law.ts';
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';
import { chinchillaDerived } from './chinchilla.ts';
import { pickRows as pick } from './law.ts';
import { baseMixtures, languageTokensOf, rowWhere, runIndex, type BaseMixture } from './repetition.ts';

export type AtlasTerms = 'target' | 'target,other' | 'target,other,transfer';

/** Context stored in the artifact. */
export interface AtlasContext {
  terms: AtlasTerms;
  /** K_t of every target language seen in the training data. */
  transfer: Record<string, string[]>;
  /** Source languages with a transfer weight: those of some K_t that a training row of that target trains on. */
  tauLanguages: string[];
  /** Mixtures of the base runs that finetunes start from (so a design can be built without the base's rows). */
  baseMixtures?: Record<string, BaseMixture>;
  /** Domain mixtures: rows without target tokens are accepted (option `domains`). */
  domains?: boolean;
  /** Training domain that holds each evaluation domain's own data, where the names differ. */
  targetSources?: Record<string, string>;
}

/** Numeric design of the atlas law. */
export interface AtlasDesign {
  n: number;
  /** Number of parameters (row length of the Jacobian). */
  p: number;
  /** Transfer slots per row. */
  slots: number;
  logN: Float64Array;
  /** Index of each row's model size in `sizes` (the A/N^alpha term is computed once per size). */
  sizeIndex: Int32Array;
  /** Distinct ln N values. */
  sizes: Float64Array;
  /** Scratch (one per size) for A/N^alpha. */
  scratchA: Float64Array;
  dT: Float64Array;
  uT: Float64Array;
  /** Theta index of each slot's tau (−1 = empty), n × slots. */
  kParam: Int32Array;
  dK: Float64Array;
  uK: Float64Array;
  /** Theta index of tau_other (−1 without the other term). */
  otherParam: number;
  dO: Float64Array;
  uO: Float64Array;
  /** Total tokens of rows without target tokens (domain mixtures; the floor's reference), else 0. */
  dRef: Float64Array;
  /** Scratch (slots entries) for S and ∂S/∂λ of the transfer languages. */
  scratchS: Float64Array;
  scratchDS: Float64Array;
}

/** Smallest D_eff / S_λ(D_t) before the smooth floor takes over. */
export const DEFF_FLOOR = 0.05;

/** λ = 1/R_D* with Muennighoff et al.'s C4 fit R_D* = 15.387756 (arXiv:2305.16264, Table 3): the default start. */
export const LAMBDA_INIT = 1 / 15.387756;

const TERMS: AtlasTerms[] = ['target', 'target,other', 'target,other,transfer'];

/** The core parameters shared by every variant (indices 0…5). */
export function atlasCoreParameters(): ParamSpec[] {
  return [
    { name: 'E', init: 1.5, lower: Math.log(1e-4), upper: Math.log(100), log: true, grid: [-0.5, 0.5], description: 'irreducible loss' },
    { name: 'A', init: 400, lower: -Infinity, upper: Infinity, log: true, grid: [2, 6, 10], description: 'amplitude of the parameter term' },
    { name: 'B', init: 400, lower: -Infinity, upper: Infinity, log: true, grid: [2, 6, 10], description: 'amplitude of the data term' },
    { name: 'alpha', init: 0.34, lower: 0, upper: 3, grid: [0.25, 0.6], description: 'parameter exponent' },
    { name: 'beta', init: 0.28, lower: 0, upper: 3, grid: [0.25, 0.6], description: 'data exponent' },
    { name: 'lambda', init: LAMBDA_INIT, lower: Math.log(1e-4), upper: Math.log(10), log: true, description: 'repetition decay (1/R_D*), shared by every language' },
  ];
}

/** Parse the `terms` law option. */
export function parseTerms(value: unknown): AtlasTerms {
  if (value === undefined || value === null) return 'target,other,transfer';
  const text = String(value).split(',').map((s) => s.trim()).filter(Boolean);
  const set = new Set(text);
  for (const t of set) if (t !== 'target' && t !== 'other' && t !== 'transfer') throw new InputError(`--terms: unknown term "${t}" (use target, target,other or target,other,transfer)`);
  if (!set.has('target')) throw new InputError('--terms: the target term is always part of the law');
  if (set.has('transfer') && !set.has('other')) throw new InputError('--terms: transfer needs other (target,other,transfer)');
  return set.has('transfer') ? 'target,other,transfer' : set.has('other') ? 'target,other' : 'target';
}

/**
 * K_t for every target: the `count` languages most often co-sampled with t over the distinct
 * mixtures of the table (ties broken alphabetically), unless `explicit` lists them.
 */
export function transferLanguages(table: RunTable, count = 3, explicit: Record<string, string[]> = {}, sourceOf: (target: string) => string = (t) => t): Record<string, string[]> {
  const mixtures = new Map<string, readonly string[]>();
  const targets = new Set<string>();
  for (let i = 0; i < table.rows; i++) {
    mixtures.set(table.mixture[i].key, table.mixture[i].langs);
    targets.add(table.evalLang[i]);
  }
  const out: Record<string, string[]> = {};
  for (const t of [...targets].sort()) {
    if (explicit[t]) { out[t] = [...explicit[t]]; continue; }
    const counts = new Map<string, number>();
    const source = sourceOf(t);
    for (const langs of mixtures.values()) {
      if (!langs.includes(source)) continue;
      for (const l of langs) if (l !== source) counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    out[t] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, count).map(([l]) => l);
  }
  return out;
}

function atlasParameters(ctx: AtlasContext): ParamSpec[] {
  const specs = atlasCoreParameters();
  if (ctx.terms !== 'target') specs.push({ name: 'tau_other', init: 0, lower: -1, upper: 2, description: 'transfer weight of the pooled other languages' });
  if (ctx.terms === 'target,other,transfer') {
    for (const l of ctx.tauLanguages) specs.push({ name: `tau_${l}`, init: 0, lower: -1, upper: 2, description: `transfer weight of ${l} as a source language` });
  }
  return specs;
}

/** Build the atlas design (exported for the simulator, which evaluates the same law). */
export function prepareAtlas(table: RunTable, ctx: AtlasContext): AtlasDesign {
  const specs = atlasParameters(ctx);
  const p = specs.length;
  const tauIndex = new Map<string, number>();
  specs.forEach((s, k) => { if (s.name.startsWith('tau_') && s.name !== 'tau_other') tauIndex.set(s.name.slice(4), k); });
  const slots = ctx.terms === 'target,other,transfer' ? Math.max(1, ...Object.values(ctx.transfer).map((k) => k.length)) : 0;
  const n = table.rows;
  const logN = new Float64Array(n);
  const dT = new Float64Array(n);
  const uT = new Float64Array(n);
  const kParam = new Int32Array(n * slots).fill(-1);
  const dK = new Float64Array(n * slots);
  const uK = new Float64Array(n * slots).fill(Infinity);
  const dO = new Float64Array(n);
  const uO = new Float64Array(n);
  const dRef = new Float64Array(n);
  const otherParam = ctx.terms === 'target' ? -1 : 6;
  const tokensOf = languageTokensOf(table, runIndex(table), ctx.baseMixtures);
  // Where each of a row's languages goes (target, a transfer slot and its tau, or the other
  // term) depends only on its language list and its target: worked out once per pair.
  type Roles = { target: number; slotLang: number[]; slotParam: number[]; others: number[] };
  const rolesCache = new Map<readonly string[], Map<string, Roles>>();
  const rolesOf = (langs: readonly string[], t: string, kt: readonly string[], key: string): Roles => {
    let byTarget = rolesCache.get(langs);
    if (!byTarget) rolesCache.set(langs, (byTarget = new Map()));
    let roles = byTarget.get(key);
    if (!roles) {
      roles = { target: -1, slotLang: [], slotParam: [], others: [] };
      for (let k = 0; k < langs.length; k++) {
        const l = langs[k];
        if (l === t) roles.target = k;
        else if (kt.includes(l) && tauIndex.has(l)) { roles.slotLang.push(k); roles.slotParam.push(tauIndex.get(l)!); }
        else roles.others.push(k);
      }
      byTarget.set(key, roles);
    }
    return roles;
  };
  const problems: string[] = [];
  for (let i = 0; i < n; i++) {
    logN[i] = Math.log(table.params[i]);
    const t = ctx.targetSources?.[table.evalLang[i]] ?? table.evalLang[i];
    const lt = tokensOf(i);
    const kt = slots > 0 ? (ctx.transfer[table.evalLang[i]] ?? []) : [];
    const roles = rolesOf(lt.langs, t, kt, slots > 0 ? `${t}\u0000${table.evalLang[i]}` : t);
    const found = roles.target >= 0;
    if (found) {
      dT[i] = lt.tokens[roles.target];
      uT[i] = lt.unique[roles.target];
    }
    for (let slot = 0; slot < roles.slotLang.length; slot++) {
      const k = roles.slotLang[slot];
      kParam[i * slots + slot] = roles.slotParam[slot];
      dK[i * slots + slot] = lt.tokens[k];
      uK[i * slots + slot] = lt.unique[k];
    }
    let other = 0;
    let otherU = 0;
    for (const k of roles.others) {
      other += lt.tokens[k];
      otherU += lt.unique[k];
    }
    dO[i] = other;
    uO[i] = other > 0 ? otherU : Infinity;
    if ((!found || !(dT[i] > 0)) && ctx.domains && table.tokens[i] > 0) {
      dT[i] = 0;
      uT[i] = Infinity;
      dRef[i] = table.tokens[i];
    } else if (!found || !(dT[i] > 0)) {
      if (problems.length < 20) problems.push(`${rowWhere(table, i)}: eval_lang: "${t}" has no training tokens in this row's mixture (the atlas law needs D_t > 0; filter zero-shot rows)`);
    }
  }
  if (problems.length) throw new InputError(problems);
  const distinct = new Map<number, number>();
  const sizeIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let k = distinct.get(logN[i]);
    if (k === undefined) distinct.set(logN[i], (k = distinct.size));
    sizeIndex[i] = k;
  }
  const sizes = Float64Array.from(distinct.keys());
  return {
    n, p, slots, logN, sizeIndex, sizes, scratchA: new Float64Array(sizes.length), dT, uT, kParam, dK, uK, otherParam, dO, uO, dRef,
    scratchS: new Float64Array(Math.max(1, slots)), scratchDS: new Float64Array(Math.max(1, slots)),
  };
}

/** The design of `rows` (in order): the same per-row values, model sizes and transfer slots. */
export function selectAtlas(design: AtlasDesign, rows: Int32Array): AtlasDesign {
  const n = rows.length;
  const { slots } = design;
  const perSlot = <T extends Float64Array | Int32Array>(values: T, make: (length: number) => T): T => {
    const out = make(n * slots);
    for (let k = 0; k < n; k++) for (let s = 0; s < slots; s++) out[k * slots + s] = values[rows[k] * slots + s];
    return out;
  };
  const sizeIndex = new Int32Array(n);
  for (let k = 0; k < n; k++) sizeIndex[k] = design.sizeIndex[rows[k]];
  return {
    ...design,
    n,
    logN: pick(design.logN, rows),
    sizeIndex,
    scratchA: new Float64Array(design.sizes.length),
    dT: pick(design.dT, rows),
    uT: pick(design.uT, rows),
    kParam: perSlot(design.kParam, (length) => new Int32Array(length)),
    dK: perSlot(design.dK, (length) => new Float64Array(length)),
    uK: perSlot(design.uK, (length) => new Float64Array(length)),
    dO: pick(design.dO, rows),
    uO: pick(design.uO, rows),
    dRef: pick(design.dRef, rows),
    scratchS: new Float64Array(design.scratchS.length),
    scratchDS: new Float64Array(design.scratchDS.length),
  };
}

/**
 * ln L̂ (and its Jacobian) of the atlas law over a design. Allocation-free: S_λ and ∂S_λ/∂λ of
 * the transfer slots go through the design's scratch arrays.
 */
export function evaluateAtlas(theta: Float64Array, design: AtlasDesign, out: Float64Array, jac?: Float64Array): void {
  const e = theta[0];
  const a = theta[1];
  const b = theta[2];
  const alpha = theta[3];
  const beta = theta[4];
  const lambda = Math.exp(theta[5]);
  const { n, p, slots, logN, sizeIndex, sizes, scratchA, dT, uT, kParam, dK, uK, otherParam, dO, uO, dRef, scratchS, scratchDS } = design;
  const tauOther = otherParam >= 0 ? theta[otherParam] : 0;
  // E and A/N^alpha do not depend on the row's data: once per call and once per model size.
  const expE = Math.exp(e);
  for (let k = 0; k < sizes.length; k++) scratchA[k] = Math.exp(a - alpha * sizes[k]);
  for (let i = 0; i < n; i++) {
    // Target term.
    const d0 = dT[i];
    const u0 = uT[i];
    let st: number;
    let dst: number;
    if (d0 > u0) {
      const r = d0 / u0 - 1;
      const em = Math.expm1(-lambda * r);
      st = u0 * (1 - em / lambda);
      dst = u0 * ((r * (em + 1)) / lambda + em / (lambda * lambda));
    } else {
      st = d0;
      dst = 0;
    }
    // Transfer and other terms: X = Σ tau·S, dX = Σ tau·∂S/∂λ.
    let x = 0;
    let dx = 0;
    const base = i * slots;
    for (let s = 0; s < slots; s++) {
      const k = kParam[base + s];
      if (k < 0) { scratchS[s] = 0; scratchDS[s] = 0; continue; }
      const d = dK[base + s];
      const u = uK[base + s];
      let sv: number;
      let dsv: number;
      if (d > u) {
        const r = d / u - 1;
        const em = Math.expm1(-lambda * r);
        sv = u * (1 - em / lambda);
        dsv = u * ((r * (em + 1)) / lambda + em / (lambda * lambda));
      } else {
        sv = d;
        dsv = 0;
      }
      scratchS[s] = sv;
      scratchDS[s] = dsv;
      x += theta[k] * sv;
      dx += theta[k] * dsv;
    }
    let so = 0;
    let dso = 0;
    if (otherParam >= 0) {
      const d = dO[i];
      const u = uO[i];
      if (d > u) {
        const r = d / u - 1;
        const em = Math.expm1(-lambda * r);
        so = u * (1 - em / lambda);
        dso = u * ((r * (em + 1)) / lambda + em / (lambda * lambda));
      } else {
        so = d;
        dso = 0;
      }
      x += tauOther * so;
      dx += tauOther * dso;
    }
    // D_eff with the smooth floor; gTau = ∂ln D_eff/∂(tau·S) per unit S, gLam = ∂ln D_eff/∂λ.
    // Without target tokens (domain mixtures) the floor's reference is the row's total tokens.
    const ref = st > 0 ? st : dRef[i];
    const q = st > 0 ? 1 + x / st : x / ref;
    let logD: number;
    let gTau: number;
    let gLam: number;
    if (q >= DEFF_FLOOR) {
      const deff = st + x;
      logD = Math.log(deff);
      gTau = 1 / deff;
      gLam = (dst + dx) / deff;
    } else if (st > 0) {
      // g(q) = q0² / (2q0 − q): value q0 and slope 1 at q0, → 0 like q0²/|q|
      const h = 2 * DEFF_FLOOR - q;
      logD = Math.log(st) + 2 * Math.log(DEFF_FLOOR) - Math.log(h);
      gTau = 1 / (h * st);
      gLam = dst / st + (dx / st - (x * dst) / (st * st)) / h;
    } else {
      // the same floor on D_eff / D_total (the reference does not depend on λ)
      const h = 2 * DEFF_FLOOR - q;
      logD = Math.log(ref) + 2 * Math.log(DEFF_FLOOR) - Math.log(h);
      gTau = 1 / (h * ref);
      gLam = dx / ref / h;
    }
    const tB = b - beta * logD;
    let xA = scratchA[sizeIndex[i]];
    let xB = Math.exp(tB);
    let xE = expE;
    let sum = xA + xB + xE;
    if (sum > 0 && sum < Infinity) {
      out[i] = Math.log(sum);
    } else {
      // extreme parameters: the shifted log-sum-exp
      const tA = a - alpha * logN[i];
      const m = tA > tB ? (tA > e ? tA : e) : (tB > e ? tB : e);
      xA = Math.exp(tA - m);
      xB = Math.exp(tB - m);
      xE = Math.exp(e - m);
      sum = xA + xB + xE;
      out[i] = m + Math.log(sum);
    }
    if (jac) {
      const wA = xA / sum;
      const wB = xB / sum;
      const row = i * p;
      for (let k = 6; k < p; k++) jac[row + k] = 0;
      jac[row] = xE / sum;
      jac[row + 1] = wA;
      jac[row + 2] = wB;
      jac[row + 3] = -wA * logN[i];
      jac[row + 4] = -wB * logD;
      const c = -beta * wB;
      jac[row + 5] = c * gLam * lambda;
      if (otherParam >= 0) jac[row + otherParam] = c * gTau * so;
      for (let s = 0; s < slots; s++) {
        const k = kParam[base + s];
        if (k >= 0) jac[row + k] += c * gTau * scratchS[s];
      }
    }
  }
}

export const atlas: Law<AtlasContext, AtlasDesign> = {
  id: 'atlas',
  title: 'ATLAS adaptive transfer scaling law (Longpre et al. 2025)',
  reference: 'Longpre et al. 2025, ATLAS: Adaptive Transfer Scaling Laws for Multilingual Pretraining, arXiv:2510.22037, Eqs. 1-3',
  formula: 'L = E + A/N^alpha + B/D_eff^beta, D_eff = S(D_t;U_t) + sum_{i in K_t} tau_i S(D_i;U_i) + tau_other S(D_other;U_other), S(D;U) = U[1 + (1 - exp(-lambda(D/U - 1)))/lambda] beyond one epoch',
  context(table: RunTable, options: LawOptions): AtlasContext {
    const terms = parseTerms(options.terms);
    if (!TERMS.includes(terms)) throw new InputError(`--terms: unknown terms "${terms}"`);
    // `true` from a config, the text `true` from a command line's law spec (atlas:domains=true).
    const domains = options.domains === true || options.domains === 'true';
    if (options.domains !== undefined && !domains && options.domains !== false && options.domains !== 'false') throw new InputError(`domains: expected true or false, got ${String(options.domains)}`);
    const targetSources = (options.targetSources ?? undefined) as Record<string, string> | undefined;
    const count = options.transferCount ?? (domains ? Number.MAX_SAFE_INTEGER : 3);
    if (!Number.isInteger(count) || count < 0) throw new InputError(`transferCount: expected a non-negative integer, got ${String(count)}`);
    const explicit = (options.transferLanguages ?? {}) as Record<string, string[]>;
    const transfer = terms === 'target,other,transfer' ? transferLanguages(table, count, explicit, (t) => targetSources?.[t] ?? t) : {};
    // A source gets a weight only when some row trains on it while evaluating a target whose
    // K_t lists it; otherwise nothing in the data could determine it.
    const used = new Set<string>();
    for (let i = 0; i < table.rows; i++) {
      const kt = transfer[table.evalLang[i]];
      if (!kt) continue;
      for (const l of table.mixture[i].langs) if (kt.includes(l)) used.add(l);
    }
    const tauLanguages = [...used].sort();
    return { terms, transfer, tauLanguages, baseMixtures: baseMixtures(table), ...(domains ? { domains } : {}), ...(targetSources ? { targetSources } : {}) };
  },
  parameters: (ctx) => atlasParameters(ctx),
  prepare: prepareAtlas,
  size: (d) => d.n,
  select: selectAtlas,
  evaluate: evaluateAtlas,
  derived(values) {
    return { ...chinchillaDerived(values), R_D_star: 1 / values.lambda };
  },
};
