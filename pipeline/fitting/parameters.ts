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
  /**
   * How `expand` fills θ, computed once: spec i takes `values[source[i]]`, where `values` holds the
   * free vector (slots 0..p−1) and then the fixed values. A parameter tied to another on the same
   * scale shares its source; one tied across scales (log to linear or back) is listed in
   * `crossTies` and converted after. The hot loops then run the same operations for every law,
   * whichever parameters it fixes or ties.
   */
  source: Int32Array;
  values: Float64Array;
  crossTies: Int32Array;
  /** Tied parameters whose target is free, by ascending index (`tiedIndex`), and the free column each adds to (`tiedColumn`). */
  tiedIndex: Int32Array;
  tiedColumn: Int32Array;
  /** Scratch: each tie's chain factor at the θ of the Jacobian being projected. */
  tiedFactor: Float64Array;
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
  return { specs, free, vary, fixedInternal, tiedTo, initInternal, ...expansionPlan(specs, free, fixedInternal, tiedTo) };
}

/** The precomputed part of a map (see ParameterMap.source). */
function expansionPlan(specs: ParamSpec[], free: number[], fixedInternal: Float64Array, tiedTo: Int32Array): Pick<ParameterMap, 'source' | 'values' | 'crossTies' | 'tiedIndex' | 'tiedColumn' | 'tiedFactor'> {
  const P = specs.length;
  const source = new Int32Array(P).fill(-1);
  const fixed: number[] = [];
  free.forEach((s, k) => { source[s] = k; });
  for (let i = 0; i < P; i++) {
    if (Number.isNaN(fixedInternal[i])) continue;
    source[i] = free.length + fixed.length;
    fixed.push(fixedInternal[i]);
  }
  const values = new Float64Array(free.length + fixed.length);
  values.set(fixed, free.length);
  const crossTies: number[] = [];
  const tiedIndex: number[] = [];
  const tiedColumn: number[] = [];
  for (let i = 0; i < P; i++) {
    const j = tiedTo[i];
    if (j < 0) continue;
    // A tie's target is free or fixed (never tied itself), so its source is already set; a tie
    // across scales reads it too, then is converted.
    source[i] = source[j];
    if (specs[i].log !== specs[j].log) crossTies.push(i);
    const k = free.indexOf(j);
    if (k >= 0) {
      tiedIndex.push(i);
      tiedColumn.push(k);
    }
  }
  return {
    source, values, crossTies: Int32Array.from(crossTies),
    tiedIndex: Int32Array.from(tiedIndex), tiedColumn: Int32Array.from(tiedColumn), tiedFactor: new Float64Array(tiedIndex.length),
  };
}

/** Expand a free vector into every spec's internal value. */
export function expand(map: ParameterMap, x: Float64Array, theta: Float64Array): void {
  const { source, values, crossTies } = map;
  const p = map.free.length;
  for (let k = 0; k < p; k++) values[k] = x[k];
  for (let i = 0; i < source.length; i++) theta[i] = values[source[i]];
  for (let c = 0; c < crossTies.length; c++) {
    const i = crossTies[c];
    const j = map.tiedTo[i];
    theta[i] = toInternal(map.specs[i], toNatural(map.specs[j], theta[j]));
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
  const { free, tiedIndex, tiedColumn, tiedFactor } = map;
  const ties = tiedIndex.length;
  for (let t = 0; t < ties; t++) tiedFactor[t] = tieFactor(map, tiedIndex[t], theta);
  for (let row = 0; row < n; row++) {
    const src = row * P;
    const dst = row * p;
    for (let k = 0; k < p; k++) out[dst + k] = full[src + free[k]];
    for (let t = 0; t < ties; t++) out[dst + tiedColumn[t]] += full[src + tiedIndex[t]] * tiedFactor[t];
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
