/**
 * `atlas plan mixture`: the training mixture that minimises a fitted mixture law's predicted loss
 * on a target domain (or a weighted set of targets), on the probability simplex.
 *
 * Laws: `mixing-law` (L = c + exp(t·r), convex in r) and `mixture-linear` (L = w·r, linear), as a
 * single fit or one fit per target (`--group-by eval_lang`). Constraint: with a token budget and
 * each domain's unique tokens U_j, no domain may be repeated more than `maxEpochs` times,
 * r_j ≤ maxEpochs·U_j / budget.
 *
 * Optimiser: projected gradient descent with an Armijo backtracking step on the capped simplex
 * {0 ≤ r_j ≤ u_j, Σ r_j = 1} (Euclidean projection by bisection on the shift), started from the
 * uniform mixture, every pure domain and seeded Dirichlet(1) draws; the best end point wins.
 * Intervals: the predicted loss at the recommended mixture under each bootstrap replicate of the
 * fit (2.5 % and 97.5 % quantiles).
 */
import type { CoefficientArtifact } from '../io/artifact.ts';
import { InputError, type RunTable } from '../io/types.ts';
import { Random } from '../fitting/random.ts';
import { mixingLawLoss, type MixingLawContext } from '../laws/mixing_law.ts';
import { mixtureLinearLoss, type MixtureLinearContext } from '../laws/mixture_linear.ts';
import { spearman } from '../fit/rank.ts';

/** Predicted loss and gradient over r for one target. */
type Objective = (r: Float64Array) => { loss: number; grad: Float64Array };

export interface MixtureRequest {
  /** Target domains and their weights (one target: `{ pile_cc: 1 }`). */
  targets: Record<string, number>;
  /** Training tokens of the planned run (needed for the epoch cap). */
  budget?: number;
  /** Unique tokens available per domain (domains not listed are unlimited). */
  uniqueTokens?: Record<string, number>;
  /** Most epochs over any domain's unique tokens. @default 4 */
  maxEpochs?: number;
  /** Model size and tokens the law is evaluated at (mixing law with a size term); default the fit's centre. */
  params?: number;
  tokens?: number;
  /** Random starts beside the uniform and pure-domain ones. @default 32 */
  starts?: number;
  seed?: number;
  /** Bootstrap replicates of the fit: per target, natural-scale parameter values per replicate. */
  draws?: Record<string, Record<string, number>[]>;
}

export interface RankedMixture {
  mixture: Record<string, number>;
  observed: number;
  predicted: number;
  /** 1 = lowest predicted loss among the candidates. */
  predictedRank: number;
  /** 1 = lowest observed loss. */
  observedRank: number;
}

export interface MixturePlan {
  law: string;
  targets: Record<string, number>;
  domains: string[];
  /** Recommended mixture (weights ≥ 1e-6, in domain order). */
  mixture: Record<string, number>;
  predicted: number;
  /** 95 % bootstrap interval of the predicted loss at the recommended mixture, when draws were given. */
  interval: { ci95: [number, number]; replicates: number } | null;
  /** Upper bound of each capped domain's weight. */
  caps: Record<string, number>;
  /** Predicted loss of the uniform mixture (within the caps), for scale. */
  uniform: number;
  starts: number;
  /** Candidate mixtures from data, ranked (when candidates were given). */
  candidates?: { count: number; bestObserved: RankedMixture; bestPredicted: RankedMixture; spearman: number };
}

function contextOf(artifact: CoefficientArtifact, target: string): { ctx: unknown; values: Record<string, number> } {
  const group = artifact.groups?.[target];
  if (artifact.groups && !group) throw new InputError(`--target: the coefficients have no group "${target}" (groups: ${Object.keys(artifact.groups).join(', ')})`);
  const params = group ? group.params : artifact.params;
  const ctx = group ? group.context : artifact.context;
  const values: Record<string, number> = {};
  for (const [name, entry] of Object.entries(params)) values[name] = entry.value;
  const own = (ctx as { target?: string }).target;
  if (!group && own !== undefined && own !== target) throw new InputError(`--target: the coefficients were fitted for target "${own}", not "${target}"`);
  return { ctx, values };
}

function objectiveOf(law: string, ctx: unknown, values: Record<string, number>, request: MixtureRequest): Objective {
  if (law === 'mixing-law') return (r) => mixingLawLoss(values, ctx as MixingLawContext, r, request.params, request.tokens);
  if (law === 'mixture-linear') return (r) => mixtureLinearLoss(values, ctx as MixtureLinearContext, r);
  throw new InputError(`atlas plan mixture: the coefficients are a ${law} fit; plan mixture needs mixing-law or mixture-linear coefficients (atlas fit --law mixing-law)`);
}

/** Euclidean projection of v onto {0 ≤ r ≤ cap, Σ r = 1} (bisection on the shift τ). */
export function projectCappedSimplex(v: Float64Array, cap: Float64Array): Float64Array {
  const m = v.length;
  const sumAt = (tau: number) => {
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.min(cap[j], Math.max(0, v[j] - tau));
    return s;
  };
  let lo = Math.min(...v) - 1;
  let hi = Math.max(...v);
  for (let it = 0; it < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(hi)); it++) {
    const mid = (lo + hi) / 2;
    if (sumAt(mid) > 1) lo = mid;
    else hi = mid;
  }
  const tau = (lo + hi) / 2;
  return Float64Array.from(v, (x, j) => Math.min(cap[j], Math.max(0, x - tau)));
}

/** Projected gradient descent with Armijo backtracking from one start. */
function descend(f: Objective, start: Float64Array, cap: Float64Array, iterations = 3000): { r: Float64Array; loss: number } {
  let r = projectCappedSimplex(start, cap);
  let { loss, grad } = f(r);
  let step = 1;
  for (let it = 0; it < iterations; it++) {
    let moved = false;
    for (let tries = 0; tries < 60; tries++) {
      const trial = projectCappedSimplex(Float64Array.from(r, (x, j) => x - step * grad[j]), cap);
      let decrease = 0;
      for (let j = 0; j < r.length; j++) decrease += grad[j] * (r[j] - trial[j]);
      const next = f(trial);
      if (next.loss <= loss - 1e-4 * decrease) {
        let change = 0;
        for (let j = 0; j < r.length; j++) change = Math.max(change, Math.abs(trial[j] - r[j]));
        r = trial;
        const improvement = loss - next.loss;
        loss = next.loss;
        grad = next.grad;
        moved = change > 1e-12 && improvement > 1e-15 * Math.abs(loss);
        step *= 2;
        break;
      }
      step /= 2;
    }
    if (!moved) break;
  }
  return { r, loss };
}

/** Seeded Dirichlet(1) draw (normalised exponentials). */
function dirichlet(m: number, rng: Random): Float64Array {
  const out = Float64Array.from({ length: m }, () => -Math.log(1 - rng.next()));
  const s = out.reduce((a, b) => a + b, 0);
  return out.map((x) => x / s);
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Weighted objective over the targets, from a value set per target. */
function combined(artifact: CoefficientArtifact, request: MixtureRequest, valuesOf: (target: string) => Record<string, number>, domains: string[]): Objective {
  const parts = Object.entries(request.targets).map(([target, weight]) => {
    const { ctx } = contextOf(artifact, target);
    const own = (ctx as { domains: string[] }).domains;
    if (own.join('\u0000') !== domains.join('\u0000')) throw new InputError(`--target: ${target}'s fit has domains ${own.join(', ')}, not ${domains.join(', ')}; plan one target at a time`);
    return { weight, f: objectiveOf(artifact.law, ctx, valuesOf(target), request) };
  });
  return (r) => {
    let loss = 0;
    const grad = new Float64Array(r.length);
    for (const { weight, f } of parts) {
      const one = f(r);
      loss += weight * one.loss;
      for (let j = 0; j < r.length; j++) grad[j] += weight * one.grad[j];
    }
    return { loss, grad };
  };
}

/**
 * The mixture that minimises the predicted (weighted) target loss, with its interval and,
 * given candidate rows, where the best observed candidate ranks under the law.
 */
export function planMixture(artifact: CoefficientArtifact, request: MixtureRequest, candidates?: RunTable): MixturePlan {
  const targets = Object.keys(request.targets);
  if (targets.length === 0) throw new InputError('atlas plan mixture: name a target domain (--target DOMAIN)');
  for (const [t, w] of Object.entries(request.targets)) if (!(w > 0) || !Number.isFinite(w)) throw new InputError(`--target ${t}: weight must be > 0, got ${w}`);
  const first = contextOf(artifact, targets[0]);
  objectiveOf(artifact.law, first.ctx, first.values, request);
  const domains = [...(first.ctx as { domains: string[] }).domains];
  const m = domains.length;
  const f = combined(artifact, request, (t) => contextOf(artifact, t).values, domains);

  const maxEpochs = request.maxEpochs ?? 4;
  if (!(maxEpochs > 0)) throw new InputError(`--max-epochs: expected a number > 0, got ${maxEpochs}`);
  const cap = new Float64Array(m).fill(1);
  const caps: Record<string, number> = {};
  const unique = request.uniqueTokens ?? {};
  for (const name of Object.keys(unique)) if (!domains.includes(name)) throw new InputError(`--unique-tokens: "${name}" is not a domain of the fit (domains: ${domains.join(', ')})`);
  if (Object.keys(unique).length > 0) {
    if (!(request.budget && request.budget > 0)) throw new InputError('atlas plan mixture: unique tokens cap a domain only against a token budget; add --budget TOKENS');
    domains.forEach((d, j) => {
      if (unique[d] === undefined) return;
      cap[j] = Math.min(1, (maxEpochs * unique[d]) / request.budget!);
      caps[d] = cap[j];
    });
    if (cap.reduce((a, b) => a + b, 0) < 1) throw new InputError(`atlas plan mixture: the budget ${request.budget} tokens exceeds ${maxEpochs} epochs of every domain's unique tokens together; raise --max-epochs or lower --budget`);
  }

  const rng = new Random(request.seed ?? 0);
  const starts: Float64Array[] = [Float64Array.from({ length: m }, () => 1 / m)];
  for (let j = 0; j < m; j++) starts.push(Float64Array.from({ length: m }, (_, k) => (k === j ? 1 : 0)));
  for (let s = 0; s < (request.starts ?? 32); s++) starts.push(dirichlet(m, rng));
  let best = { r: starts[0], loss: Infinity };
  for (const start of starts) {
    const end = descend(f, start, cap);
    if (end.loss < best.loss) best = end;
  }
  const mixture: Record<string, number> = {};
  domains.forEach((d, j) => { if (best.r[j] >= 1e-6) mixture[d] = best.r[j]; });

  let interval: MixturePlan['interval'] = null;
  if (request.draws) {
    const counts = targets.map((t) => request.draws![t]?.length ?? 0);
    const replicates = Math.min(...counts);
    if (replicates > 0) {
      const losses: number[] = [];
      for (let b = 0; b < replicates; b++) {
        const fb = combined(artifact, request, (t) => ({ ...contextOf(artifact, t).values, ...request.draws![t][b] }), domains);
        const loss = fb(best.r).loss;
        if (Number.isFinite(loss)) losses.push(loss);
      }
      losses.sort((a, b) => a - b);
      if (losses.length > 1) interval = { ci95: [quantile(losses, 0.025), quantile(losses, 0.975)], replicates: losses.length };
    }
  }

  const plan: MixturePlan = {
    law: artifact.law,
    targets: request.targets,
    domains,
    mixture,
    predicted: best.loss,
    interval,
    caps,
    uniform: f(projectCappedSimplex(Float64Array.from({ length: m }, () => 1 / m), cap)).loss,
    starts: starts.length,
  };
  if (candidates) plan.candidates = rankCandidates(candidates, domains, f, targets.length === 1 ? targets[0] : null);
  return plan;
}

/**
 * Distinct mixtures of `table` (rows of the single target, when there is one), with the mean
 * observed loss of each, ranked by observed and by predicted loss.
 */
function rankCandidates(table: RunTable, domains: string[], f: Objective, target: string | null): NonNullable<MixturePlan['candidates']> {
  const groups = new Map<string, { r: Float64Array; mixture: Record<string, number>; sum: number; count: number }>();
  for (let i = 0; i < table.rows; i++) {
    if (target !== null && table.evalLang[i] !== target) continue;
    const mix = table.mixture[i];
    let g = groups.get(mix.key);
    if (!g) {
      const r = new Float64Array(domains.length);
      const mixture: Record<string, number> = {};
      mix.langs.forEach((l, k) => {
        const j = domains.indexOf(l);
        if (j < 0) throw new InputError(`${table.sources[table.source[i]]?.path ?? 'data'}:${table.line[i]}: mixture: domain "${l}" is not a domain of the fit (domains: ${domains.join(', ')})`);
        r[j] = mix.weights[k];
        mixture[l] = mix.weights[k];
      });
      groups.set(mix.key, (g = { r, mixture, sum: 0, count: 0 }));
    }
    g.sum += table.loss[i];
    g.count++;
  }
  if (groups.size === 0) throw new InputError(`--candidates: no rows${target ? ` for target "${target}"` : ''}`);
  const rows = [...groups.values()].map((g) => ({ mixture: g.mixture, observed: g.sum / g.count, predicted: f(g.r).loss, predictedRank: 0, observedRank: 0 }));
  [...rows].sort((a, b) => a.predicted - b.predicted).forEach((r, k) => { r.predictedRank = k + 1; });
  [...rows].sort((a, b) => a.observed - b.observed).forEach((r, k) => { r.observedRank = k + 1; });
  const bestObserved = rows.find((r) => r.observedRank === 1)!;
  const bestPredicted = rows.find((r) => r.predictedRank === 1)!;
  return { count: rows.length, bestObserved, bestPredicted, spearman: spearman(rows.map((r) => r.predicted), rows.map((r) => r.observed)) };
}
