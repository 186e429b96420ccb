/**
 * The free-parameter map expands a free vector and projects a Jacobian through a plan computed
 * once per map (parameters.ts). These tests hold it to the plain definitions, bit for bit, over
 * random laws with fixed parameters, ties on the same scale and ties across scales.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildParameterMap, expand, projectJacobian, tieFactor, type ParameterMap } from '../../pipeline/fitting/parameters.ts';
import { toInternal, toNatural, type ParamSpec } from '../../pipeline/laws/law.ts';
import { Random } from '../../pipeline/fitting/random.ts';

/** θ by the definitions: free values, then fixed ones, then each tie from its target. */
function expandPlain(map: ParameterMap, x: Float64Array): Float64Array {
  const theta = new Float64Array(map.specs.length);
  map.free.forEach((s, k) => { theta[s] = x[k]; });
  map.specs.forEach((_, i) => { if (!Number.isNaN(map.fixedInternal[i])) theta[i] = map.fixedInternal[i]; });
  map.specs.forEach((spec, i) => {
    const j = map.tiedTo[i];
    if (j >= 0) theta[i] = spec.log === map.specs[j].log ? theta[j] : toInternal(spec, toNatural(map.specs[j], theta[j]));
  });
  return theta;
}

/** The free columns of a full Jacobian, each tied column added to its target's, in ascending order of the tied parameter. */
function projectPlain(map: ParameterMap, theta: Float64Array, full: Float64Array, n: number): Float64Array {
  const P = map.specs.length;
  const p = map.free.length;
  const out = new Float64Array(n * p);
  for (let row = 0; row < n; row++) {
    for (let k = 0; k < p; k++) out[row * p + k] = full[row * P + map.free[k]];
    for (let i = 0; i < P; i++) {
      const k = map.free.indexOf(map.tiedTo[i]);
      if (map.tiedTo[i] >= 0 && k >= 0) out[row * p + k] += full[row * P + i] * tieFactor(map, i, theta);
    }
  }
  return out;
}

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** A random law of P parameters with some fixed and some tied (each tie to a free or fixed one). */
function randomMap(P: number, seed: number): ParameterMap {
  const rng = new Random(seed);
  const specs: ParamSpec[] = Array.from({ length: P }, (_, i) => ({
    name: `q${i}`, init: 0.5 + rng.next(), lower: -Infinity, upper: Infinity, description: '',
    // log: true, false or absent (absent and false are both the linear scale)
    ...(rng.int(3) === 0 ? {} : { log: rng.int(2) === 0 }),
  }));
  const role = specs.map(() => rng.int(4)); // 0, 1: free; 2: fixed; 3: tied
  const fix: Record<string, number> = {};
  const tie: Record<string, string> = {};
  specs.forEach((spec, i) => { if (role[i] === 2) fix[spec.name] = 0.25 + rng.next(); });
  const targets = specs.filter((_, i) => role[i] !== 3);
  specs.forEach((spec, i) => { if (role[i] === 3 && targets.length > 0) tie[spec.name] = targets[rng.int(targets.length)].name; });
  return buildParameterMap(specs, { fix, tie, init: {} });
}

describe('parameter map', () => {
  it('expands and projects exactly as the definitions, for any mix of free, fixed and tied parameters', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 5 }), (P, seed, n) => {
      const map = randomMap(P, seed);
      const rng = new Random(seed ^ 0x5eed);
      const p = map.free.length;
      const x = Float64Array.from({ length: p }, () => rng.normal());
      const theta = new Float64Array(P).fill(NaN);
      expand(map, x, theta);
      const reference = expandPlain(map, x);
      expect(sameBits(theta, reference)).toBe(true);
      const full = Float64Array.from({ length: n * P }, () => rng.normal());
      const out = new Float64Array(n * p).fill(NaN);
      projectJacobian(map, theta, full, n, out);
      expect(sameBits(out, projectPlain(map, reference, full, n))).toBe(true);
    }), { numRuns: 300 });
  });

  it('converts a tie across scales (a log parameter tied to a linear one) and keeps same-scale ties as copies', () => {
    const specs: ParamSpec[] = [
      { name: 'a', init: 2, lower: -Infinity, upper: Infinity, log: true, description: '' },
      { name: 'b', init: 3, lower: -Infinity, upper: Infinity, description: '' },
      { name: 'c', init: 1, lower: -Infinity, upper: Infinity, log: true, description: '' },
      { name: 'd', init: 1, lower: -Infinity, upper: Infinity, log: true, description: '' },
      { name: 'e', init: 1, lower: -Infinity, upper: Infinity, description: '' },
    ];
    const map = buildParameterMap(specs, { fix: { e: 4 }, tie: { c: 'b', d: 'a' }, init: {} });
    expect(map.free).toEqual([0, 1]);
    const theta = new Float64Array(5);
    expand(map, Float64Array.of(Math.log(2), 3), theta);
    // c = b on the natural scale, stored as ln 3; d = a, stored as ln 2; e fixed at 4.
    expect([...theta]).toEqual([Math.log(2), 3, Math.log(3), Math.log(2), 4]);
    // The Jacobian: c's column enters b's with factor dθ_c/dθ_b = 1/b; d's enters a's with 1.
    const full = Float64Array.of(1, 10, 100, 1000, 7);
    const out = new Float64Array(2);
    projectJacobian(map, theta, full, 1, out);
    expect(out[0]).toBe(1 + 1000);
    expect(out[1]).toBe(10 + 100 * (1 / 3));
  });
});
