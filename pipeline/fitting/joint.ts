/**
 * Shared and per-group parameters: one law fitted jointly to several groups (languages), with the
 * named parameters common to every group and the others per group. The joint law is an ordinary
 * Law over the concatenated rows of the groups, so the optimiser, bootstrap and covariance treat
 * it like any other; its Jacobian is the groups' analytic Jacobians scattered into the shared and
 * per-group columns.
 *
 * Joint parameter names: a shared parameter keeps its name (`alpha`); a per-group one is
 * `<name>@<group>` (`A@fr`).
 */
import type { Law, ParamSpec } from '../laws/law.ts';
import type { FitOptions } from './options.ts';
import { InputError } from '../io/types.ts';

export interface JointGroup<Ctx = unknown, D = unknown> {
  name: string;
  ctx: Ctx;
  design: D;
}

export interface JointDesign {
  n: number;
  /** Per group: first row in the concatenated design, rows, and the joint index of each of its law's parameters. */
  parts: { offset: number; size: number; index: Int32Array; design: unknown }[];
}

/** Joint name of a per-group parameter. */
export function groupParamName(name: string, group: string): string {
  return `${name}@${group}`;
}

/**
 * The joint law of `base` over `groups` with the parameters in `share` common to all groups.
 * Every group's law must have each shared parameter.
 */
export function jointLaw<Ctx, D>(base: Law<Ctx, D>, groups: JointGroup<Ctx, D>[], share: string[]): { law: Law<null, JointDesign>; design: JointDesign; specs: ParamSpec[] } {
  const specs: ParamSpec[] = [];
  const position = new Map<string, number>();
  const add = (spec: ParamSpec, name: string) => {
    if (!position.has(name)) {
      position.set(name, specs.length);
      specs.push({ ...spec, name, grid: undefined });
    }
    return position.get(name)!;
  };
  const parts: JointDesign['parts'] = [];
  let offset = 0;
  for (const group of groups) {
    const own = base.parameters(group.ctx);
    const names = new Set(own.map((s) => s.name));
    for (const name of share) {
      if (!names.has(name)) throw new InputError(`--share: law ${base.id} has no parameter "${name}" for group "${group.name}" (it has: ${[...names].join(', ')})`);
    }
    const index = Int32Array.from(own.map((spec) => add(spec, share.includes(spec.name) ? spec.name : groupParamName(spec.name, group.name))));
    const size = base.size(group.design);
    parts.push({ offset, size, index, design: group.design });
    offset += size;
  }
  const design: JointDesign = { n: offset, parts };
  const P = specs.length;
  // Each group's parameter vector and Jacobian, allocated once per thread and group rather than
  // per evaluation (the optimiser evaluates thousands of times).
  const scratch = new WeakMap<object, { local: Float64Array; localJac: Float64Array }>();
  const scratchOf = (part: JointDesign['parts'][number]) => {
    let s = scratch.get(part);
    if (!s) scratch.set(part, (s = { local: new Float64Array(part.index.length), localJac: new Float64Array(part.size * part.index.length) }));
    return s;
  };
  const law: Law<null, JointDesign> = {
    id: `${base.id}+shared`,
    title: `${base.title}, ${share.join(', ')} shared across groups`,
    reference: base.reference,
    formula: base.formula,
    context: () => null,
    parameters: () => specs,
    prepare: () => design,
    size: (d) => d.n,
    evaluate(theta, d, out, jac) {
      for (const part of d.parts) {
        const p = part.index.length;
        const { local, localJac } = scratchOf(part);
        for (let j = 0; j < p; j++) local[j] = theta[part.index[j]];
        const view = out.subarray(part.offset, part.offset + part.size);
        if (!jac) {
          base.evaluate(local, part.design as D, view);
          continue;
        }
        base.evaluate(local, part.design as D, view, localJac);
        // The group's columns of each row; every other column of the row is 0.
        const index = part.index;
        for (let r = 0; r < part.size; r++) {
          const row = (part.offset + r) * P;
          for (let k = 0; k < P; k++) jac[row + k] = 0;
          const from = r * p;
          for (let j = 0; j < p; j++) jac[row + index[j]] += localJac[from + j];
        }
      }
    },
  };
  return { law, design, specs };
}

/**
 * Fit options of the joint law from the user's: `fix`, `init` and `tie` of a per-group parameter
 * apply to it in every group (`tie: { beta: alpha }` ties `beta@g` to `alpha@g`, or to `alpha`
 * when alpha is shared). Per-group grids do not carry over (the joint fit starts from `init`).
 */
export function jointOptions(options: FitOptions, groups: string[], share: string[], init: Record<string, number>): FitOptions {
  const name = (param: string, group: string) => (share.includes(param) ? param : groupParamName(param, group));
  const fix: Record<string, number> = {};
  const tie: Record<string, string> = {};
  const start: Record<string, number> = { ...init };
  for (const group of groups) {
    for (const [param, value] of Object.entries(options.fix)) fix[name(param, group)] = value;
    for (const [param, target] of Object.entries(options.tie)) tie[name(param, group)] = name(target, group);
  }
  return { ...options, fix, tie, init: start, grid: {}, starts: 'init' };
}
