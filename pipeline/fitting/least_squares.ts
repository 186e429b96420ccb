/**
 * Bounded, robust nonlinear least squares: Levenberg–Marquardt with Marquardt (diagonal) scaling,
 * analytic Jacobians, an active-set projection for bounds and the Huber loss by iteratively
 * reweighted Gauss–Newton.
 *
 * Minimises F(x) = Σ_i w_i ρ(r_i(x)) with ρ(r) = r²/2 (`lsq`) or Huber_δ(r) = r²/2 for |r| ≤ δ,
 * δ(|r| − δ/2) otherwise (`huber`, scipy.special.huber). Each iteration solves
 * (H + μ·diag(H)) Δ = −g with g = Σ w ψ(r) J and H = JᵀWJ for `lsq`. For `huber`, H starts as the
 * IRLS Hessian Σ w ψ(r)/r · J Jᵀ and, once progress slows (INLIER_SWITCH), becomes the
 * Gauss–Newton Hessian of the rows inside δ (the linear rows add no curvature), which converges
 * in a few steps where IRLS creeps. A step is accepted only when F decreases (Nielsen's damping
 * update); the fit stops on relative tolerances, never on an absolute error level. The Jacobian is
 * evaluated with each trial's residuals, so an accepted step costs one law evaluation.
 *
 * Every exit carries a status; a non-finite start or a run that hits the iteration cap is never
 * reported as converged.
 */
import type { FitStatus } from './result.ts';
import { flatDirections, typicalScale, type Identifiability } from './identifiability.ts';
import { normalEquations, type NormalEquations } from './normal_equations.ts';

/** A residual problem r(x) ∈ ℝⁿ with an analytic Jacobian. */
export interface ResidualProblem {
  /** Number of residuals. */
  n: number;
  /** Number of parameters. */
  p: number;
  /** Residuals into `out`; when `jac` is given, ∂r_i/∂x_j row-major (n × p). */
  residuals(x: Float64Array, out: Float64Array, jac?: Float64Array): void;
  lower?: Float64Array;
  upper?: Float64Array;
}

export interface LeastSquaresOptions {
  /** @default 'lsq' */
  loss?: 'lsq' | 'huber';
  /** Huber δ. @default 1e-3 */
  delta?: number;
  /** Per-residual weights (multiplicities; 0 excludes a row). @default 1 for every row */
  weights?: Float64Array;
  /** @default 200 */
  maxIterations?: number;
  /** Relative decrease of F below which the fit has converged. @default 1e-12 */
  ftol?: number;
  /** Relative step size below which the fit has converged. @default 1e-10 */
  xtol?: number;
  /** Scaled gradient size below which the fit has converged. @default 1e-10 */
  gtol?: number;
  /** Initial damping μ (dimensionless: the system is H + μ·diag(H)). @default 1e-3 */
  initialDamping?: number;
  /** Copy the final residuals and Jacobian into the result (multi-start screening needs neither). @default true */
  keepArrays?: boolean;
  /** Stop early when, after `abandonAfter` iterations, F exceeds this value (multi-start pruning). */
  abandonAbove?: number;
  abandonAfter?: number;
  /**
   * Typical magnitude of each coordinate for the flat-direction check at a converged stop
   * (identifiability.ts), from the stop x and the start x0. @default max(|x|, |x0|), 1 where both are zero
   */
  typical?: (x: Float64Array, x0: Float64Array) => Float64Array;
  /**
   * Check a converged stop for flat directions (an SVD of the scaled Jacobian). Callers that use
   * only x and the objective (bootstrap refits) turn it off. @default true
   */
  identify?: boolean;
  /**
   * Huber only: relative decrease per accepted step below which the curvature switches from IRLS
   * to the inliers' Gauss–Newton curvature; 0 keeps IRLS throughout. @default INLIER_SWITCH
   */
  inlierSwitch?: number;
}

export interface LeastSquaresResult {
  x: Float64Array;
  /** F at x: Σ w r²/2 for lsq, Σ w Huber_δ(r) for huber. */
  cost: number;
  status: FitStatus | 'abandoned';
  message: string;
  iterations: number;
  /** Residual evaluations (with or without Jacobian). */
  evaluations: number;
  /** Residuals at x. */
  residuals: Float64Array;
  /** Jacobian at x (n × p, row-major). */
  jacobian: Float64Array;
  /**
   * Flat directions of the column-scaled Jacobian at a `converged` or `degenerate` stop: a stop
   * with any flat direction is `degenerate`, never `converged`.
   */
  identifiability?: Identifiability;
}

/**
 * Relative decrease of F per accepted step below which a Huber fit switches from IRLS curvature to
 * the inliers' Gauss–Newton curvature (see leastSquares).
 */
export const INLIER_SWITCH = 1e-2;

/** Huber function (scipy.special.huber convention). */
export function huber(delta: number, r: number): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/** Objective F = Σ w ρ(r). */
export function objectiveValue(residuals: Float64Array, loss: 'lsq' | 'huber', delta: number, weights?: Float64Array): number {
  let sum = 0;
  const n = residuals.length;
  if (loss === 'lsq') {
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      if (w !== 0) sum += w * 0.5 * residuals[i] * residuals[i];
    }
  } else {
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      if (w !== 0) sum += w * huber(delta, residuals[i]);
    }
  }
  return sum;
}

const EMPTY = new Float64Array(0);

/** Workspace reused across calls with the same (n, p): keeps multi-start allocation-free. */
export class Workspace {
  readonly r: Float64Array;
  readonly rTrial: Float64Array;
  readonly jac: Float64Array;
  /** The Jacobian at the trial point, computed with its residuals (swapped with `jac` on acceptance). */
  readonly jacTrial: Float64Array;
  readonly x: Float64Array;
  readonly xTrial: Float64Array;
  readonly g: Float64Array;
  readonly H: Float64Array;
  readonly A: Float64Array;
  readonly step: Float64Array;
  readonly active: Uint8Array;
  readonly scale: Float64Array;
  /** The normal-equations kernel for p parameters (normal_equations.ts). */
  readonly kernel: NormalEquations;
  // Always a Float64Array (empty until first asked for): a field that turns from undefined into an
  // array changes the hidden class V8 gives every workspace, and the solver's code optimised for it.
  private unit: Float64Array = EMPTY;
  /** n ones: the weights of an unweighted fit. */
  ones(): Float64Array {
    if (this.unit.length !== this.n) this.unit = new Float64Array(this.n).fill(1);
    return this.unit;
  }
  constructor(readonly n: number, readonly p: number) {
    this.r = new Float64Array(n);
    this.rTrial = new Float64Array(n);
    this.jac = new Float64Array(n * p);
    this.jacTrial = new Float64Array(n * p);
    this.x = new Float64Array(p);
    this.xTrial = new Float64Array(p);
    this.g = new Float64Array(p);
    this.H = new Float64Array(p * p);
    this.A = new Float64Array(p * p);
    this.step = new Float64Array(p);
    this.active = new Uint8Array(p);
    this.scale = new Float64Array(p);
    this.kernel = normalEquations(p);
  }
}

/**
 * Solve the symmetric positive definite system A s = b in place by Cholesky (A is overwritten by
 * its factor, b by s). Rows/columns with `skip[j]` set are treated as identity. Returns false when
 * A is not positive definite.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, p: number, skip?: Uint8Array): boolean {
  for (let j = 0; j < p; j++) {
    if (skip && skip[j]) continue;
    let d = A[j * p + j];
    for (let k = 0; k < j; k++) {
      if (skip && skip[k]) continue;
      d -= A[j * p + k] * A[j * p + k];
    }
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const l = Math.sqrt(d);
    A[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      if (skip && skip[i]) continue;
      let s = A[i * p + j];
      for (let k = 0; k < j; k++) {
        if (skip && skip[k]) continue;
        s -= A[i * p + k] * A[j * p + k];
      }
      A[i * p + j] = s / l;
    }
  }
  for (let i = 0; i < p; i++) {
    // One store for skipped and solved rows alike (see solve on code that runs only sometimes).
    let s = b[i];
    if (skip && skip[i]) s = 0;
    else {
      for (let k = 0; k < i; k++) if (!(skip && skip[k])) s -= A[i * p + k] * b[k];
      s /= A[i * p + i];
    }
    b[i] = s;
  }
  for (let i = p - 1; i >= 0; i--) {
    if (skip && skip[i]) continue;
    let s = b[i];
    for (let k = i + 1; k < p; k++) if (!(skip && skip[k])) s -= A[k * p + i] * b[k];
    b[i] = s / A[i * p + i];
  }
  return true;
}

/**
 * One option of the caller's object. Every read goes through this one keyed load, which meets many
 * names and so is compiled as a generic lookup: the callers' objects, each of its own shape, never
 * make the compiled code that reads them wrong (least_squares.ts's note on compiled code).
 */
function option<K extends keyof LeastSquaresOptions>(options: LeastSquaresOptions, key: K): LeastSquaresOptions[K] {
  return options[key];
}

/** The options of {@link leastSquares} with their defaults filled in. */
class Settings {
  readonly loss: 'lsq' | 'huber';
  readonly delta: number;
  readonly weights: Float64Array | undefined;
  readonly maxIterations: number;
  readonly ftol: number;
  readonly xtol: number;
  readonly gtol: number;
  readonly initialDamping: number;
  readonly keepArrays: boolean;
  /** Infinity: never abandon. */
  readonly abandonAbove: number;
  readonly abandonAfter: number;
  readonly typical: (x: Float64Array, x0: Float64Array) => Float64Array;
  readonly identify: boolean;
  readonly inlierSwitch: number;
  /**
   * objectiveValue, called through this field with `.call` so that the solver calls it rather than
   * building it in: its Huber loop, first run when the first Huber fit comes, then recompiles it
   * alone and not the solver.
   */
  readonly objective: typeof objectiveValue = objectiveValue;
  constructor(options: LeastSquaresOptions) {
    this.loss = option(options, 'loss') ?? 'lsq';
    this.delta = option(options, 'delta') ?? 1e-3;
    this.weights = option(options, 'weights');
    this.maxIterations = option(options, 'maxIterations') ?? 200;
    this.ftol = option(options, 'ftol') ?? 1e-12;
    this.xtol = option(options, 'xtol') ?? 1e-10;
    this.gtol = option(options, 'gtol') ?? 1e-10;
    this.initialDamping = option(options, 'initialDamping') ?? 1e-3;
    this.keepArrays = option(options, 'keepArrays') ?? true;
    this.abandonAbove = option(options, 'abandonAbove') ?? Infinity;
    this.abandonAfter = option(options, 'abandonAfter') ?? 5;
    this.typical = option(options, 'typical') ?? typicalScale;
    this.identify = option(options, 'identify') !== false;
    this.inlierSwitch = option(options, 'inlierSwitch') ?? INLIER_SWITCH;
  }
}

/**
 * Minimise Σ w ρ(r(x)) from x0 within bounds.
 * @example leastSquares({ n: 3, p: 1, residuals: (x, r, J) => { … } }, Float64Array.of(1))
 */
export function leastSquares(problem: ResidualProblem, x0: Float64Array, options: LeastSquaresOptions = {}, workspace?: Workspace): LeastSquaresResult {
  // The solver proper reads one shape of options whatever shapes the callers pass (each caller
  // spreads its own), so its optimised code is not thrown away and compiled again for each new
  // caller; a fresh worker thread of a sweep pays that compilation once per shape otherwise.
  return solve(problem, x0, new Settings(options), workspace);
}

/*
 * A note on the shape of this code. A fresh V8 isolate (every `atlas` process, every sweep and
 * fitting worker) compiles the solver from what it has seen it do so far; code that runs for the
 * first time after that (a parameter reaching a bound, the first Huber fit, a stop on a new
 * criterion, a second law) throws the compiled solver away, and it is compiled again. So:
 * - the solver has one exit, the operations of its rarer branches are evaluated on every pass with
 *   only the choice of result left to the branch, and the Huber curvature switch goes through the
 *   same kernel call as every iteration;
 * - the code that differs from problem to problem (the residuals, and through them the law; the
 *   kernel for p; the typical scales), and the objective's two loops, are called with `.call`: V8 then compiles the call as a plain
 *   call to whatever function it meets, rather than building that function into the solver's code
 *   and discarding the solver when another one comes. Each is compiled once, on its own, and a call
 *   costs nothing next to the pass over the rows it makes.
 * The arithmetic is the same as the plain form's, operation for operation.
 */
function solve(problem: ResidualProblem, x0: Float64Array, options: Settings, workspace: Workspace | undefined): LeastSquaresResult {
  const { n, p } = problem;
  const ws = workspace && workspace.n === n && workspace.p === p ? workspace : new Workspace(n, p);
  const { loss, delta, weights, maxIterations, ftol, xtol, gtol, keepArrays, inlierSwitch, abandonAfter, abandonAbove } = options;
  const lower = problem.lower;
  const upper = problem.upper;
  const { r, rTrial, x, xTrial, g, H, A, step, active, scale, kernel } = ws;
  // The Jacobian is computed with the trial residuals (one law evaluation per trial instead of a
  // second one after acceptance); the two buffers swap when a step is accepted.
  let jac = ws.jac;
  let jacTrial = ws.jacTrial;
  const rowWeights = weights ?? ws.ones();
  const lsq = loss === 'lsq';
  const jacLength = n * p;
  scale.fill(0);

  for (let j = 0; j < p; j++) x[j] = clamp(x0[j], lower ? lower[j] : -Infinity, upper ? upper[j] : Infinity);
  const start = Float64Array.from(x);
  problem.residuals.call(problem, x, r, jac);
  let evaluations = 1;
  const objective = options.objective;
  let F = objective.call(undefined, r, loss, delta, rowWeights);
  // How the solve stopped (the iteration cap unless another criterion says otherwise).
  let status: LeastSquaresResult['status'] = 'max-iterations';
  let message = `iteration cap ${maxIterations} reached`;
  let iterations = maxIterations;
  if (!Number.isFinite(F)) {
    status = 'non-finite';
    message = 'objective is not finite at the start';
    iterations = 0;
  }

  let mu = -1;
  let nu = 2;
  // Huber curvature: IRLS (outside rows weighted by δ/|r|, a majoriser that is robust far from an
  // optimum but converges only linearly) until an accepted step decreases F by less than
  // `inlierSwitch` relatively; from then on the Gauss–Newton curvature of the rows inside δ only
  // (outside rows are linear in r and add none), as scipy's robust losses do, which converges in
  // a few steps once the inlier set settles. A step the inlier curvature proposes that does not
  // decrease F sends the iteration back to IRLS, so every stop is decided under IRLS as before.
  let irls = true;
  outer: for (let iter = 1; iter <= maxIterations && status !== 'non-finite'; iter++) {
    let hmax = 0;
    // The gradient, the curvature and the active set are computed on entry, and again with the
    // IRLS curvature when the inliers' curvature failed to decrease F (g, the active set and the
    // checks come out the same then; H and its largest diagonal entry do not).
    let curvature = true;
    // Inner loop: increase damping until a step decreases F.
    for (;;) {
      if (curvature) {
        curvature = false;
        // Gradient and Gauss–Newton Hessian (normal_equations.ts).
        kernel.call(undefined, n, r, jac, rowWeights, lsq, delta, g, H, irls ? 1 : 0);
        // Active set: a parameter on a bound whose descent direction leaves the box is frozen.
        let gmax = 0;
        hmax = 0;
        for (let j = 0; j < p; j++) {
          const lo = lower ? lower[j] : -Infinity;
          const hi = upper ? upper[j] : Infinity;
          const xj = x[j];
          const gj = g[j];
          const down = gj > 0;
          const up = gj < 0;
          active[j] = (xj <= lo && down) || (xj >= hi && up) ? 1 : 0;
          const scaled = Math.abs(gj) * Math.max(1, Math.abs(xj));
          if (!active[j]) gmax = Math.max(gmax, scaled);
          hmax = Math.max(hmax, H[j * p + j]);
        }
        if (!Number.isFinite(gmax)) {
          status = 'non-finite';
          message = 'gradient is not finite';
          iterations = iter;
          break outer;
        }
        if (gmax <= gtol * Math.max(F, 1e-300) || F === 0) {
          status = 'converged';
          message = 'scaled gradient below gtol';
          iterations = iter;
          break outer;
        }
        if (mu < 0) mu = options.initialDamping;
      }

      A.set(H);
      for (let j = 0; j < p; j++) {
        // MINPACK's scaling: the largest diag(H) seen so far, so a column that vanishes on the way
        // (an exponent driven to a flat region) is still damped.
        const hjj = H[j * p + j];
        if (hjj > scale[j]) scale[j] = hjj;
        const d = Math.max(scale[j], 1e-12 * hmax, 1e-300);
        A[j * p + j] = hjj + mu * d;
        step[j] = -g[j];
      }
      const ok = choleskySolve(A, step, p, active);
      let stepNorm = 0;
      let xNorm = 0;
      if (ok) {
        for (let j = 0; j < p; j++) {
          const lo = lower ? lower[j] : -Infinity;
          const hi = upper ? upper[j] : Infinity;
          const xj = x[j];
          const moved = clamp(xj + step[j], lo, hi);
          xTrial[j] = active[j] ? xj : moved;
          stepNorm += (xTrial[j] - xj) ** 2;
          xNorm += xj * xj;
        }
      }
      const tried = ok && stepNorm > 0;
      const stepSmall = Math.sqrt(stepNorm) <= xtol * (Math.sqrt(xNorm) + xtol);
      if (tried) {
        problem.residuals.call(problem, xTrial, rTrial, jacTrial);
        evaluations++;
        const Ft = objective.call(undefined, rTrial, loss, delta, rowWeights);
        if (Number.isFinite(Ft) && Ft < F) {
          // Gain ratio against the model decrease −gᵀs − ½ sᵀHs (with the projected step).
          let predicted = 0;
          for (let a = 0; a < p; a++) {
            const sa = xTrial[a] - x[a];
            predicted -= g[a] * sa;
            let hs = 0;
            for (let b = 0; b < p; b++) hs += H[a * p + b] * (xTrial[b] - x[b]);
            predicted -= 0.5 * sa * hs;
          }
          const gain = (F - Ft) / predicted;
          const rho = predicted > 0 ? gain : 0.5;
          mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
          nu = 2;
          const decrease = F - Ft;
          x.set(xTrial);
          r.set(rTrial);
          const swap = jac;
          jac = jacTrial;
          jacTrial = swap;
          F = Ft;
          const slowed = decrease <= inlierSwitch * F;
          const flat = decrease <= ftol * F;
          const far = iter >= abandonAfter && F > abandonAbove;
          if (!lsq && slowed) irls = false;
          if (flat) {
            status = 'converged';
            message = 'relative decrease of the objective below ftol';
          } else if (stepSmall) {
            status = 'converged';
            message = 'relative step below xtol';
          } else if (far) {
            status = 'abandoned';
            message = 'objective far above the best start so far';
          } else break;
          iterations = iter;
          break outer;
        }
      }
      if (!irls) {
        // The inliers' curvature proposed a step that does not decrease F: this iteration goes on
        // with the IRLS curvature.
        irls = true;
        curvature = true;
        continue;
      }
      if (tried && stepSmall) {
        status = 'converged';
        message = 'no decrease possible at the resolution of xtol';
        iterations = iter;
        break outer;
      }
      mu *= nu;
      nu *= 2;
      if (!Number.isFinite(mu) || mu > 1e30) {
        status = 'converged';
        message = 'damping grew without a decrease: local minimum within machine precision';
        iterations = iter;
        break outer;
      }
    }
  }

  let identifiability: Identifiability | undefined;
  if (status === 'converged' && options.identify) {
    // A stop on a numerically flat direction (an asymptote, a redundant parameter) is not a minimum.
    identifiability = flatDirections(jac, n, p, options.typical.call(undefined, x, start), weights);
    const degenerate = `${message}; degenerate: σ_min/σ_max = ${identifiability.ratio.toExponential(2)} of the scaled Jacobian, coordinates ${identifiability.flat.join(', ')} on flat directions`;
    if (identifiability.flat.length > 0) {
      status = 'degenerate';
      message = degenerate;
    }
  }
  // Every result has the same fields (identifiability undefined where not checked), so the code
  // that reads results sees one shape.
  return {
    x: x.slice(), cost: F, status, message, iterations, evaluations,
    // Empty copies when not kept: the same calls either way.
    residuals: r.slice(0, keepArrays ? n : 0), jacobian: jac.slice(0, keepArrays ? jacLength : 0),
    identifiability,
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * `leastSquares` that does not settle for a degenerate stop: when a solve ends where the scaled
 * Jacobian has a flat direction, the coordinates that load on it are reset to their starting
 * values (the identified ones keep the values reached, which the data determine) and the solve is
 * repeated, up to `restarts` times. Returns the best non-degenerate optimum, or the best stop when
 * every solve was degenerate. NIST BoxBOD from start 1 is the textbook case: the first solve drives
 * b2 until exp(−b2·x) vanishes (b1 = mean y, b2 on a flat asymptote); the restart from
 * (172.5, b2 = 1) reaches the certified values.
 * @example leastSquaresRestarting(problem, Float64Array.of(1, 1), { loss: 'lsq' })
 */
export function leastSquaresRestarting(problem: ResidualProblem, x0: Float64Array, options: LeastSquaresOptions = {}, restarts = 3, workspace?: Workspace): LeastSquaresResult & { solves: number } {
  let result = leastSquares(problem, x0, options, workspace);
  let best = result;
  let iterations = result.iterations;
  let evaluations = result.evaluations;
  let solves = 1;
  for (let k = 0; k < restarts && result.status === 'degenerate' && result.identifiability; k++) {
    const next = Float64Array.from(result.x);
    let moved = false;
    for (const j of result.identifiability.flat) {
      if (next[j] !== x0[j]) moved = true;
      next[j] = x0[j];
    }
    if (!moved) break;
    result = leastSquares(problem, next, options, workspace);
    solves++;
    iterations += result.iterations;
    evaluations += result.evaluations;
    const better = (result.status === 'degenerate') === (best.status === 'degenerate') ? result.cost < best.cost : best.status === 'degenerate' && result.status !== 'non-finite';
    if (better) best = result;
  }
  if (solves === 1) return { ...best, solves };
  return { ...best, iterations, evaluations, solves, message: `${best.message} (after ${solves - 1} restart${solves > 2 ? 's' : ''} of the flat coordinates from a degenerate stop)` };
}
