/**
 * What a fit returns. Statuses are explicit and never silently "ok".
 */
import type { ParamSpec } from '../laws/law.ts';

/**
 * `converged`: a relative tolerance was met with a small gradient;
 * `max-iterations`: the iteration cap stopped it; `at-bound`: converged with a free parameter on a
 * bound; `non-finite`: the objective or a parameter became NaN/Infinity; `degenerate`: the solve stopped
 * where the column-scaled Jacobian has a numerically flat direction (σ ≤ √ε·σ_max: an asymptote or
 * a redundant parameter), so the point is not a well-defined minimum (identifiability.ts).
 */
export type FitStatus = 'converged' | 'max-iterations' | 'at-bound' | 'non-finite' | 'degenerate';

export interface Estimate {
  name: string;
  /** Natural-scale value. */
  value: number;
  /** Internal coordinate. */
  internal: number;
  /** `free`, `fixed` or `tied:<name>`. */
  vary: string;
  atBound: 'lower' | 'upper' | null;
  /** Bootstrap standard error (natural scale); null when the parameter is not identified. */
  stderr?: number | null;
  /** Bootstrap percentile 95 % interval (natural scale). */
  ci95?: [number, number];
  /** Asymptotic standard error from the Jacobian (natural scale, delta method); absent when not identified. */
  stderrAsymptotic?: number;
  /**
   * Why the data do not identify this free parameter: it loads on a flat direction of the scaled
   * Jacobian at the optimum, its bootstrap interval is unbounded (non-finite or more than 2.5 % of
   * replicates non-finite), or its spread is exactly zero. Absent when identified.
   */
  notIdentified?: 'flat direction' | 'unbounded bootstrap interval' | 'zero spread';
  spec: ParamSpec;
}

export interface DerivedEstimate {
  value: number;
  stderr?: number;
  ci95?: [number, number];
}

export interface FitResult {
  law: string;
  specs: ParamSpec[];
  /** Internal coordinates of every parameter (fixed and tied included). */
  theta: Float64Array;
  estimates: Estimate[];
  /** Natural-scale values by name. */
  values: Record<string, number>;
  objective: { kind: 'huber-log' | 'lsq-log' | 'lsq-linear'; delta?: number; value: number };
  status: FitStatus;
  converged: boolean;
  message: string;
  iterations: number;
  evaluations: number;
  starts: number;
  /** Rows of the subsample the starts were screened on (absent: all training rows). */
  searchRows?: number;
  seconds: number;
  optimizer: string;
  derived: Record<string, DerivedEstimate>;
  /** Best distinct optima of the multi-start, best first. */
  optima: { objective: number; values: Record<string, number>; degenerate?: boolean }[];
  /** σ_min/σ_max of the column-scaled Jacobian at the optimum and the parameters not identified. */
  identifiability: { ratio: number; notIdentified: string[] };
  bootstrap?: { samples: number; seed: number; failed: number; draws: Record<string, Float64Array> };
}
