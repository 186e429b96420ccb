/**
 * The shared-parameter fit (`--group-by G --share alpha,beta,E`): one joint law in which the
 * named parameters are common to all groups and the rest are per group.
 *
 * Starts, in three steps: (1) every parameter shared (one pooled law over all groups, from the
 * law's grid or the options' starts); (2) each group alone with the shared parameters held at the
 * pooled values (its own parameters from their grid); (3) the joint fit from those values.
 * The result is split back into one FitResult per group (values, stderrs, the group's share of
 * the objective), so artifacts, predictions and validation read it like independent group fits.
 */
import type { Law } from '../laws/law.ts';
import { toInternal } from '../laws/law.ts';
import { fitLaw } from '../fitting/fit.ts';
import { groupParamName, jointLaw, jointOptions, type JointGroup } from '../fitting/joint.ts';
import { objectiveValue } from '../fitting/least_squares.ts';
import { lossOf, spaceOf, type FitOptions } from '../fitting/options.ts';
import type { Estimate, FitResult } from '../fitting/result.ts';
import { InputError } from '../io/types.ts';

export interface SharedGroupInput<Ctx = unknown, D = unknown> extends JointGroup<Ctx, D> {
  /** ln(observed loss) per row. */
  y: Float64Array;
  /** 0 for rows outside the fit (held out or dropped), else 1. */
  weights: Float64Array;
  /** Run index per row (bootstrap clusters), unique across groups. */
  clusters: Int32Array;
}

/** Parse `--share` text (`alpha,beta,E`) into names. */
export function parseShare(text: string | string[] | null | undefined): string[] {
  if (text === null || text === undefined) return [];
  const items = (Array.isArray(text) ? text : text.split(',')).map((s) => s.trim()).filter((s) => s !== '' && s !== 'none');
  return [...new Set(items)];
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return out;
}

function concatInt(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return out;
}

/**
 * Fit `base` jointly over `groups` with `share` common. Returns one FitResult per group (in
 * group order) and the joint result.
 */
export async function fitShared<Ctx, D>(base: Law<Ctx, D>, groups: SharedGroupInput<Ctx, D>[], share: string[], options: FitOptions): Promise<{ perGroup: FitResult[]; joint: FitResult }> {
  if (groups.length === 0) throw new InputError('--share: no groups to fit');
  const names = base.parameters(groups[0].ctx).map((s) => s.name);
  for (const name of share) {
    if (!names.includes(name)) throw new InputError(`--share: law ${base.id} has no parameter "${name}" (it has: ${names.join(', ')})`);
  }
  for (const [param, target] of Object.entries(options.tie)) {
    if (share.includes(param) && !share.includes(target)) throw new InputError(`--tie ${param}=${target}: ${param} is shared but ${target} is per group; share ${target} too`);
  }
  const y = concat(groups.map((g) => g.y));
  const weights = concat(groups.map((g) => g.weights));
  const clusters = concatInt(groups.map((g) => g.clusters));
  const started = performance.now();

  // (1) Everything shared: the pooled law, from the law's grid (or the options' starts).
  const pooled = jointLaw(base, groups, names);
  pooled.specs.forEach((spec) => { spec.grid = base.parameters(groups[0].ctx).find((s) => s.name === spec.name)?.grid; });
  const pooledFit = await fitLaw({ law: pooled.law, ctx: null, design: pooled.design, y, weights, clusters }, { ...options, bootstrap: 0 });
  const sharedValues: Record<string, number> = {};
  for (const name of share) sharedValues[name] = pooledFit.values[name];

  // (2) Each group alone, the shared parameters held at the pooled values.
  const init: Record<string, number> = { ...sharedValues };
  for (const group of groups) {
    let values: Record<string, number> = pooledFit.values;
    try {
      const fix = { ...options.fix, ...sharedValues };
      const tie = Object.fromEntries(Object.entries(options.tie).filter(([param]) => !share.includes(param)));
      const alone = await fitLaw({ law: base, ctx: group.ctx, design: group.design, y: group.y, weights: group.weights }, { ...options, fix, tie, bootstrap: 0 });
      values = alone.values;
    } catch (error) {
      // Too few rows for the group's own parameters: start it from the pooled values.
      if (!(error instanceof InputError)) throw error;
    }
    for (const spec of base.parameters(group.ctx)) {
      if (share.includes(spec.name)) continue;
      // A value the optimiser cannot start from (an amplitude underflowed to 0): the pooled one.
      const value = Number.isFinite(toInternal(spec, values[spec.name])) ? values[spec.name] : pooledFit.values[spec.name];
      init[groupParamName(spec.name, group.name)] = value;
    }
  }

  // (3) The joint fit.
  const joint = jointLaw(base, groups, share);
  const jointFit = await fitLaw({ law: joint.law, ctx: null, design: joint.design, y, weights, clusters }, jointOptions(options, groups.map((g) => g.name), share, init));
  jointFit.seconds = (performance.now() - started) / 1000;
  jointFit.starts += pooledFit.starts;
  jointFit.iterations += pooledFit.iterations;

  // Split into per-group results.
  const perGroup: FitResult[] = [];
  const residuals = new Float64Array(joint.design.n);
  joint.law.evaluate(jointFit.theta, joint.design, residuals);
  const linear = spaceOf(options.objective) === 'linear';
  for (let i = 0; i < residuals.length; i++) residuals[i] = linear ? Math.exp(residuals[i]) - Math.exp(y[i]) : residuals[i] - y[i];
  groups.forEach((group, k) => {
    const part = joint.design.parts[k];
    const specs = base.parameters(group.ctx);
    const values: Record<string, number> = {};
    const theta = new Float64Array(specs.length);
    const estimates: Estimate[] = specs.map((spec, j) => {
      const source = jointFit.estimates[part.index[j]];
      values[spec.name] = source.value;
      theta[j] = toInternal(spec, source.value);
      const vary = share.includes(spec.name) && source.vary === 'free' ? 'shared' : source.vary.replace(/^tied:([^@]+)@.*$/, 'tied:$1');
      return { ...source, name: spec.name, vary, spec };
    });
    const rowsResiduals = residuals.subarray(part.offset, part.offset + part.size);
    const value = objectiveValue(rowsResiduals, lossOf(options.objective), options.delta, group.weights);
    const derivedValues = base.derived ? base.derived(values, group.ctx) : {};
    // The joint fit's time and counts are carried by the first group (so that sums over groups are right).
    const first = k === 0;
    perGroup.push({
      ...jointFit,
      seconds: first ? jointFit.seconds : 0,
      starts: first ? jointFit.starts : 0,
      iterations: first ? jointFit.iterations : 0,
      evaluations: first ? jointFit.evaluations : 0,
      law: base.id,
      specs,
      theta,
      estimates,
      values,
      objective: { ...jointFit.objective, value },
      message: `joint fit of ${groups.length} groups, ${share.join(', ')} shared: ${jointFit.message}`,
      derived: Object.fromEntries(Object.entries(derivedValues).map(([name, v]) => [name, { value: v }])),
      optima: [],
      bootstrap: jointFit.bootstrap
        ? { ...jointFit.bootstrap, draws: Object.fromEntries(specs.map((spec, j) => [spec.name, jointFit.bootstrap!.draws[joint.specs[part.index[j]].name]])) }
        : undefined,
    });
  });
  return { perGroup, joint: jointFit };
}
