/**
 * The free-parameter map: which parameters of a law the optimiser moves (free), which are held
 * (`fix`) and which follow another (`tie`). Fixed and tied parameters are handled here, natively,
 * never by zero finite-difference steps.
 */
import type { ParamSpec } from '../laws/law.ts';
import { toInternal, toNatural } from '../laws/law.ts';
import type { FitOptions } from './options.ts';
import { InputError } from '../io/types.ts';

export interface ParameterMap {
  specs: ParamSpec[];
  /** Index (into specs) of each free parameter. */
  free: number[];
  /** For each spec: `free`, `fixed` or `tied:<name>`. */
  vary: string[];
  /** Internal value of fixed parameters (NaN for the others). */
  fixedInternal: Float64Array;
  /** For tied parameters: index of the spec they follow (−1 otherwise). */
  tiedTo: Int32Array;
  /** Starting point of every spec (internal). */
  initInternal: Float64Array;
}

/** Build the map from the law's specs and the user's fix/tie/init options. */
export function buildParameterMap(specs: ParamSpec[], options: Pick<FitOptions, 'fix' | 'tie' | 'init'>): ParameterMap {
  const index = new Map(specs.map((s, i) => [s.name, i]));
  const known = () => specs.map((s) => s.name).join(', ');
  for (const name of [...Object.keys(options.fix), ...Object.keys(options.tie), ...Object.keys(options.init)]) {
    if (!index.has(name)) throw new InputError(`--fix/--tie/--init: unknown parameter "${name}" (this law has: ${known()})`);
  }
  const p = specs.length;
  const vary: string[] = new Array(p).fill('free');
  const fixedInternal = new Float64Array(p).fill(NaN);
  const tiedTo = new Int32Array(p).fill(-1);
  const initInternal = new Float64Array(p);
  specs.forEach((spec, i) => {
    const init = options.init[spec.name] ?? spec.init;
    initInternal[i] = toInternal(spec, init);
    if (!Number.isFinite(initInternal[i])) throw new InputError(`--init: ${spec.name}=${init} is outside the parameter's domain`);
  });
  for (const [name, value] of Object.entries(options.fix)) {
    const i = index.get(name)!;
    const spec = specs[i];
    const internal = toInternal(spec, value);
    if (!Number.isFinite(internal)) throw new InputError(`--fix: ${name}=${value} is outside the parameter's domain`);
    vary[i] = 'fixed';
    fixedInternal[i] = internal;
    initInternal[i] = internal;
  }
  for (const [name, target] of Object.entries(options.tie)) {
    const i = index.get(name)!;
    const j = index.get(target);
    if (j === undefined) throw new InputError(`--tie: ${name}=${target}: unknown parameter "${target}" (this law has: ${known()})`);
    if (i === j) throw new InputError(`--tie: ${name} cannot be tied to itself`);
    if (vary[i] === 'fixed') throw new InputError(`--tie: ${name} is also fixed`);
    if (options.tie[target] !== undefined) throw new InputError(`--tie: ${target} is itself tied; tie ${name} to a free or fixed parameter`);
    vary[i] = `tied:${target}`;
    tiedTo[i] = j;
  }
  const free: number[] = [];
  for (let i = 0; i < p; i++) if (vary[i] === 'free') free.push(i);
  return { specs, free, vary, fixedInternal, tiedTo, initInternal };
}

/** Expand a free vector into every spec's internal value. */
export function expand(map: ParameterMap, x: Float64Array, theta: Float64Array): void {
  const { specs, free, fixedInternal, tiedTo } = map;
  for (let k = 0; k < free.length; k++) theta[free[k]] = x[k];
  for (let i = 0; i < specs.length; i++) {
    if (!Number.isNaN(fixedInternal[i])) theta[i] = fixedInternal[i];
  }
  for (let i = 0; i < specs.length; i++) {
    const j = tiedTo[i];
    if (j < 0) continue;
    theta[i] = specs[i].log === specs[j].log ? theta[j] : toInternal(specs[i], toNatural(specs[j], theta[j]));
  }
}

/** d θ_i / d θ_j for a tied pair (the chain factor of the Jacobian). */
export function tieFactor(map: ParameterMap, i: number, theta: Float64Array): number {
  const j = map.tiedTo[i];
  const a = map.specs[i];
  const b = map.specs[j];
  if (Boolean(a.log) === Boolean(b.log)) return 1;
  // value_i = value_j. a.log: θ_i = ln(θ_j) → 1/θ_j; b.log: θ_i = exp(θ_j).
  return a.log ? 1 / theta[j] : Math.exp(theta[j]);
}

/** Project a full Jacobian (n × P) onto the free parameters (n × p). */
export function projectJacobian(map: ParameterMap, theta: Float64Array, full: Float64Array, n: number, out: Float64Array): void {
  const P = map.specs.length;
  const p = map.free.length;
  const position = new Int32Array(P).fill(-1);
  map.free.forEach((s, k) => { position[s] = k; });
  const tied: { i: number; k: number; factor: number }[] = [];
  for (let i = 0; i < P; i++) {
    const j = map.tiedTo[i];
    if (j >= 0 && position[j] >= 0) tied.push({ i, k: position[j], factor: tieFactor(map, i, theta) });
  }
  for (let row = 0; row < n; row++) {
    const src = row * P;
    const dst = row * p;
    for (let k = 0; k < p; k++) out[dst + k] = full[src + map.free[k]];
    for (const t of tied) out[dst + t.k] += full[src + t.i] * t.factor;
  }
}

/**
 * Typical magnitudes of the free coordinates for the flat-direction check (identifiability.ts):
 * 1 for a log-scale parameter (a unit change of ln A is already relative), max(|x|, |x0|) for the
 * others (1 where both are zero).
 */
export function typicalOf(map: ParameterMap): (x: Float64Array, x0: Float64Array) => Float64Array {
  const log = map.free.map((s) => Boolean(map.specs[s].log));
  return (x, x0) => x.map((v, k) => {
    if (log[k]) return 1;
    const t = Math.max(Math.abs(v), Math.abs(x0[k]));
    return t > 0 && Number.isFinite(t) ? t : 1;
  });
}

/**
 * Whether a stop with flat coordinates `flat` is a genuine degenerate point. A log-scale parameter
 * driven towards 0 (natural value below √ε, e.g. an irreducible loss E the data push to zero) sits
 * on the boundary of its domain, value ≥ 0: its column vanishes with it, and the stop is an optimum
 * on that boundary (reported `at-bound`, the parameter not identified), not an asymptote.
 */
export function genuinelyDegenerate(map: ParameterMap, x: Float64Array, flat: readonly number[]): boolean {
  return flat.some((k) => !(map.specs[map.free[k]].log && Math.exp(x[k]) < NATURAL_ZERO));
}

/** Natural value below which a log-scale parameter counts as on its domain boundary 0: √ε. */
export const NATURAL_ZERO = Math.sqrt(Number.EPSILON);
