/**
 * `atlas reproduce nist`: the NIST StRD nonlinear-regression benchmark (27 problems, lower,
 * average and higher difficulty) fitted by the project's own optimiser, `leastSquares`.
 *
 * For each problem and each of NIST's two starting points the target fits the certified model by
 * plain least squares (r_i = y_i − f(x_i; b), analytic Jacobian) and compares, in LRE (log
 * relative error, the number of matching significant digits, McCullough 1998):
 *
 * - every parameter with its certified value, to 6 digits;
 * - the residual sum of squares and the residual standard deviation, to 6 digits (an RSS that is
 *   zero to double precision, Lanczos1's 1.4e-25, is compared against the double-precision floor
 *   n·(ε·max|y|)² computed from the data instead);
 * - every certified standard deviation, s·sqrt(diag((JᵀJ)⁻¹)) with s² = RSS/(n − p) from our own
 *   Jacobian at our optimum, to 4 digits.
 *
 * Start 2 (the start nearer the solution) is the requirement: its checks decide the exit code.
 * Start 1 is reported the same way but its checks are informational (`ok` is true, the `note`
 * says whether it met the tolerance), and one summary check counts the problems whose every
 * start-1 figure met it.
 *
 * The `.dat` files are read from `datasets/nist-strd/` with their own "File Format" line ranges;
 * every number compared is parsed from them, nothing is typed in.
 */
import { join } from 'node:path';
import { SingularValueDecomposition, Matrix } from 'ml-matrix';
import { leastSquares, type LeastSquaresOptions } from '../fitting/least_squares.ts';
import { InputError } from '../io/types.ts';
import { check, matchingDigits, type Check, type ReproduceTarget } from './check.ts';
import { nistModel, type NistModel } from './nist_models.ts';
import { loadNistProblems, type NistProblem } from './nist_data.ts';

export { NIST_DIR, parseNistDat, loadNistProblems, type NistProblem } from './nist_data.ts';


/** The model of a parsed problem, checked against the formula the file states. */
export function modelFor(problem: NistProblem): NistModel {
  const model = nistModel(problem.name);
  if (!model) throw new InputError(`${problem.file}:1: model: no model function for NIST problem ${problem.name}`);
  if (model.formula !== problem.formula || model.p !== problem.parameters.length) {
    throw new InputError(`${problem.file}:1: model: the file states ${JSON.stringify(problem.formula)} with ${problem.parameters.length} parameters; the model function implements ${JSON.stringify(model.formula)} with ${model.p}`);
  }
  return model;
}

/** The response the model predicts: y, or log y for Nelson. */
export function responseOf(problem: NistProblem, model: NistModel): Float64Array {
  return model.response === 'log' ? problem.y.map(Math.log) : problem.y;
}

/**
 * The least-squares residual problem r_i(b) = y_i − f(x_i; b) of a NIST problem, with the
 * Jacobian ∂r_i/∂b_j = −∂f/∂b_j, in the shape `leastSquares` takes.
 */
export function residualProblem(problem: NistProblem, model: NistModel = modelFor(problem)) {
  const y = responseOf(problem, model);
  const n = y.length;
  const p = model.p;
  const grad = new Float64Array(p);
  return {
    n,
    p,
    residuals(b: Float64Array, out: Float64Array, jac?: Float64Array): void {
      for (let i = 0; i < n; i++) {
        out[i] = y[i] - model.evaluate(b, problem.x, i, jac ? grad : undefined);
        if (jac) for (let j = 0; j < p; j++) jac[i * p + j] = -grad[j];
      }
    },
  };
}

/**
 * Asymptotic standard deviations s·sqrt(diag((JᵀJ)⁻¹)), s² = RSS/(n − p), from the Jacobian J
 * (n × p, row-major). The inverse is taken through the SVD of the column-equilibrated J, never by
 * forming JᵀJ, so that ill-conditioned problems (Lanczos, MGH10, Bennett5) keep their digits.
 */
export function standardDeviations(jac: Float64Array, n: number, p: number, rss: number): Float64Array {
  const scale = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += jac[i * p + j] ** 2;
    scale[j] = Math.sqrt(s) || 1;
  }
  const J = new Matrix(n, p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) J.set(i, j, jac[i * p + j] / scale[j]);
  const svd = new SingularValueDecomposition(J, { computeLeftSingularVectors: false, autoTranspose: true });
  const V = svd.rightSingularVectors;
  const sigma = svd.diagonal;
  const s2 = rss / (n - p);
  const out = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let d = 0;
    for (let k = 0; k < p; k++) d += (V.get(j, k) / sigma[k]) ** 2;
    out[j] = Math.sqrt(s2 * d) / scale[j];
  }
  return out;
}

/** Solver settings for the benchmark: tight relative tolerances, generous iteration cap. */
export const NIST_SOLVER: LeastSquaresOptions = {
  loss: 'lsq',
  maxIterations: 10000,
  ftol: 1e-15,
  xtol: 1e-15,
  gtol: 1e-15,
};

/** Outcome of one fit of one NIST problem from one start. */
export interface NistFit {
  problem: string;
  start: 1 | 2;
  b: Float64Array;
  /** Residual sum of squares at b (Σ r², not halved). */
  rss: number;
  /** sqrt(RSS/(n − p)). */
  residualSd: number;
  /** Asymptotic standard deviations s·sqrt(diag((JᵀJ)⁻¹)), s² = RSS/(n − p). */
  std: Float64Array;
  status: string;
  message: string;
  iterations: number;
  evaluations: number;
  /** LRE of each parameter against its certified value. */
  digits: number[];
}

/** Fit a NIST problem from start 1 or 2 with `leastSquares`. */
export function fitNist(problem: NistProblem, start: 1 | 2, options: LeastSquaresOptions = NIST_SOLVER): NistFit {
  const model = modelFor(problem);
  const rp = residualProblem(problem, model);
  const x0 = Float64Array.from(start === 1 ? problem.start1 : problem.start2);
  const res = leastSquares(rp, x0, { ...NIST_SOLVER, ...options });
  let rss = 0;
  for (const r of res.residuals) rss += r * r;
  return {
    problem: problem.name,
    start,
    b: res.x,
    rss,
    residualSd: Math.sqrt(rss / (rp.n - rp.p)),
    std: standardDeviations(res.jacobian, rp.n, rp.p, rss),
    status: res.status,
    message: res.message,
    iterations: res.iterations,
    evaluations: res.evaluations,
    digits: Array.from(res.x, (v, j) => matchingDigits(v, problem.certified[j])),
  };
}

/** Matching digits required of parameters, RSS and residual SD (NIST's usual bar). */
export const PARAMETER_DIGITS = 6;
/** Matching digits required of the standard deviations (met with margin; see docs/nist.md). */
export const STD_DIGITS = 6;
/**
 * Roundoff allowed in one residual, in units of ε·|y_i|: y_i − f(x_i; b) is a handful of
 * floating-point operations (an exp or pow, a few products and sums), each off by ≤ ε/2.
 */
export const ROUNDOFF_ULPS = 4;

const TARGET = 'nist';

/**
 * How far double precision lets a computed RSS sit from the exact one for these data: with each
 * residual off by δ_i ≤ ROUNDOFF_ULPS·ε·|y_i|, |Σ(r+δ)² − Σr²| ≤ 2·sqrt(RSS·Σδ²) + Σδ².
 */
export function rssRoundoff(problem: NistProblem, model: NistModel = modelFor(problem)): number {
  let sum = 0;
  for (const v of responseOf(problem, model)) sum += (ROUNDOFF_ULPS * Number.EPSILON * v) ** 2;
  return 2 * Math.sqrt(problem.rss * sum) + sum;
}

/**
 * The tolerances of one problem. Parameters: 6 digits. RSS and residual SD: 6 digits, unless
 * roundoff alone exceeds that (Lanczos1, whose certified RSS is 1.4e-25), in which case the
 * roundoff bound is the absolute tolerance, and the standard deviations (∝ sqrt(RSS)) get half
 * the RSS's relative bound on top of their own.
 */
export function tolerances(problem: NistProblem, model: NistModel = modelFor(problem)) {
  const roundoff = rssRoundoff(problem, model);
  const roundoffBound = roundoff > 10 ** -PARAMETER_DIGITS * problem.rss;
  const parameter: Check['tolerance'] = { digits: PARAMETER_DIGITS };
  const rss: Check['tolerance'] = roundoffBound ? { abs: roundoff } : { digits: PARAMETER_DIGITS };
  const residualSd: Check['tolerance'] = roundoffBound
    ? { abs: roundoff / (2 * Math.sqrt(problem.rss * (problem.observations - problem.parameters.length))) }
    : { digits: PARAMETER_DIGITS };
  const std: Check['tolerance'] = roundoffBound ? { rel: 0.5 * (roundoff / problem.rss) + 10 ** -STD_DIGITS } : { digits: STD_DIGITS };
  return { parameter, rss, residualSd, std };
}

/** The checks of one fit with `ok` as measured (start 1 not yet made informational). */
function measuredChecks(problem: NistProblem, fit: NistFit): Check[] {
  const tol = tolerances(problem);
  const label = `${problem.name} (${problem.difficulty}) start ${fit.start}`;
  const out: Check[] = [];
  problem.parameters.forEach((name, j) => {
    out.push(check(TARGET, `${label}: ${name}`, problem.certified[j], fit.b[j], tol.parameter));
  });
  out.push(check(TARGET, `${label}: residual sum of squares`, problem.rss, fit.rss, tol.rss));
  out.push(check(TARGET, `${label}: residual standard deviation`, problem.residualSd, fit.residualSd, tol.residualSd));
  problem.parameters.forEach((name, j) => {
    out.push(check(TARGET, `${label}: sd(${name}) = s·sqrt(diag((JᵀJ)⁻¹))`, problem.certifiedStd[j], fit.std[j], tol.std));
  });
  return out;
}

/** Whether every figure of a fit meets its tolerance. */
export function fitPasses(problem: NistProblem, fit: NistFit): boolean {
  return measuredChecks(problem, fit).every((c) => c.ok);
}

/**
 * The checks of one fit, each with its LRE and the solver's exit in the note. Start-1 checks are
 * informational: `ok` is true and the note says whether the tolerance was met.
 */
export function fitChecks(problem: NistProblem, fit: NistFit): Check[] {
  const how = `${fit.status} after ${fit.iterations} iterations, ${fit.evaluations} evaluations`;
  return measuredChecks(problem, fit).map((c) => {
    const lre = `LRE ${lreText(matchingDigits(c.ours, c.published))}`;
    if (fit.start === 2) return { ...c, note: `${lre}; ${how}` };
    return { ...c, ok: true, note: `start 1, informational (not in the exit code): ${c.ok ? 'meets' : 'MISSES'} the tolerance, ${lre}; ${how}` };
  });
}

/** All checks: every problem from start 2 (required) and start 1 (informational), plus the start-1 tally. */
export function nistChecks(problems: NistProblem[] = loadNistProblems()): Check[] {
  const checks: Check[] = [];
  const failures: Record<1 | 2, string[]> = { 1: [], 2: [] };
  for (const start of [2, 1] as const) {
    for (const problem of problems) {
      const fit = fitNist(problem, start);
      checks.push(...fitChecks(problem, fit));
      if (!fitPasses(problem, fit)) failures[start].push(problem.name);
    }
  }
  const list = (names: string[]) => (names.length === 0 ? 'none fails' : `fails: ${names.join(', ')}`);
  checks.push(check(TARGET, 'start 2: problems whose every figure meets its tolerance', problems.length,
    problems.length - failures[2].length, { abs: 0 }, list(failures[2])));
  // Start 1 is reported, not required: the tolerance spans every possible count.
  checks.push(check(TARGET, 'start 1: problems whose every figure meets its tolerance (informational)', problems.length,
    problems.length - failures[1].length, { abs: problems.length }, `informational (not in the exit code); ${list(failures[1])}`));
  return checks;
}

/** LRE as printed in the summary table: one decimal, `—` where not finite. */
function lreText(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '—';
}

/**
 * A Markdown table of every problem and start: the smallest LRE over the parameters, the LRE of
 * the RSS, the smallest LRE over the standard deviations, the iterations and whether every
 * figure met its tolerance. This is the table docs/nist.md shows;
 * `npx tsx -e "import('./pipeline/reproduce/nist.ts').then((m) => console.log(m.nistTable()))"`
 * prints it.
 */
export function nistTable(problems: NistProblem[] = loadNistProblems()): string {
  const head = '| problem | difficulty | start 1: b | RSS | sd | iterations | | start 2: b | RSS | sd | iterations | |';
  const rule = '|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|';
  const rows = problems.map((p) => {
    const cells = [p.name, p.difficulty];
    for (const start of [1, 2] as const) {
      const fit = fitNist(p, start);
      cells.push(
        lreText(Math.min(...fit.digits)),
        lreText(matchingDigits(fit.rss, p.rss)),
        lreText(Math.min(...Array.from(fit.std, (v, j) => matchingDigits(v, p.certifiedStd[j])))),
        String(fit.iterations),
        fitPasses(p, fit) ? 'pass' : '**fail**',
      );
    }
    return `| ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}

/** The `nist` reproduce target. */
export const nistTarget: ReproduceTarget = {
  name: TARGET,
  description: 'NIST StRD nonlinear regression: the certified values of all 27 problems from both starts (start 2 required, start 1 reported)',
  async run() {
    return nistChecks();
  },
};
