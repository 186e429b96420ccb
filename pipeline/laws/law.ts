/**
 * The law contract. Every scaling law is one file under `pipeline/laws/` that declares its
 * parameters (with bounds, starting values and grid), its formula on the log-loss scale and the
 * analytic Jacobian of that formula, plus derived quantities. The fitting layer is law-agnostic.
 *
 * Coordinates: the optimiser works in *internal* coordinates θ. A parameter with `log: true`
 * (amplitudes: E, A, B, R_D …) is fitted as θ = ln(value); every other parameter as θ = value.
 * Bounds, `grid` values and the Jacobian are in internal coordinates; `init` and reported values
 * are on the natural scale.
 */
import type { RunTable } from '../io/types.ts';

export interface ParamSpec {
  /** Public name (SPEC §2): E A B alpha beta lambda tau_<lang> tau_other R_D R_N phi psi gamma. */
  name: string;
  /** Starting value on the natural scale. */
  init: number;
  /** Lower bound, internal coordinates (−Infinity for none). */
  lower: number;
  /** Upper bound, internal coordinates (+Infinity for none). */
  upper: number;
  /** Fitted as ln(value) (so the value stays positive). */
  log?: boolean;
  /** Values (internal coordinates) for the `grid` multi-start strategy; the product over parameters is the grid. */
  grid?: number[];
  description: string;
}

/** Options a law may read when it builds its context (from config or command line). */
export interface LawOptions {
  /** atlas: which terms (`target`, `target,other`, `target,other,transfer`). */
  terms?: string;
  /** chinchilla: which tokens (`total` default, or `target` = the eval language's share). */
  tokens?: 'total' | 'target';
  /** atlas: explicit transfer languages K_t per target language. */
  transferLanguages?: Record<string, string[]>;
  /** Number of transfer languages per target (atlas, default 3). */
  transferCount?: number;
  [key: string]: unknown;
}

/**
 * A law. `Ctx` is a JSON-serialisable context computed from the training data (language lists,
 * K_t, units); it is stored in the artifact so that `predict` and `validate` can rebuild designs
 * for new rows. `D` is the law's numeric design over the rows of a table.
 */
export interface Law<Ctx = unknown, D = unknown> {
  id: string;
  title: string;
  /** Citation of the law's source. */
  reference: string;
  /** Formula in plain text, for reports and `--help`. */
  formula: string;
  /** Context from the (training) table and options. */
  context(table: RunTable, options: LawOptions): Ctx;
  /** Parameters for this context (dynamic for per-language transfer weights). */
  parameters(ctx: Ctx): ParamSpec[];
  /** Numeric design over every row of `table` (throws InputError for rows the law cannot use). */
  prepare(table: RunTable, ctx: Ctx): D;
  /** Number of rows of a design. */
  size(design: D): number;
  /**
   * ln(predicted loss) for every design row into `out`; when `jac` is given, also
   * ∂ ln L̂ / ∂θ_j (internal coordinates) row-major into `jac` (size rows × parameters).
   */
  evaluate(theta: Float64Array, design: D, out: Float64Array, jac?: Float64Array): void;
  /** Derived quantities from natural-scale parameter values (exponents of N*(C), multipliers …). */
  derived?(values: Record<string, number>, ctx: Ctx): Record<string, number>;
  /** Fit options this law needs unless the user overrides them (e.g. staged fits, ties). */
  defaults?: LawFitDefaults;
}

/** Natural-scale value of a parameter from its internal coordinate. */
export function toNatural(spec: ParamSpec, internal: number): number {
  return spec.log ? Math.exp(internal) : internal;
}

/** Internal coordinate of a parameter from its natural-scale value. */
export function toInternal(spec: ParamSpec, value: number): number {
  return spec.log ? Math.log(value) : value;
}

/** ln of a sum of exponentials, stable. */
export function logSumExp(values: ArrayLike<number>, count = values.length): number {
  let max = -Infinity;
  for (let i = 0; i < count; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}

/**
 * Fit options a law may default (a subset of the fitting layer's FitOptions, declared here so that
 * laws depend on nothing above them).
 */
export interface LawFitDefaults {
  objective?: 'huber' | 'lsq' | 'lsq-linear';
  delta?: number;
  starts?: 'grid' | 'init' | number;
  maxIterations?: number;
}
