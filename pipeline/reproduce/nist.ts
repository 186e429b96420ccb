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
 * Both starts are required: every check of either start decides the exit code, and one summary
 * check per start counts the problems whose every figure met its tolerance. A local solve that
 * stops on a degenerate point (a flat direction of the scaled Jacobian: BoxBOD from start 1) is
 * restarted with its flat coordinates reset to the start (`leastSquaresRestarting`).
 *
 * The `.dat` files are read from `datasets/nist-strd/` with their own "File Format" line ranges;
 * every number compared is parsed from them, nothing is typed in.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingularValueDecomposition, Matrix } from 'ml-matrix';
import { leastSquaresRestarting, type LeastSquaresOptions } from '../fitting/least_squares.ts';
import { InputError } from '../io/types.ts';
import { check, matchingDigits, type Check, type ReproduceTarget } from './check.ts';
import { nistModel, type NistModel } from './nist_models.ts';

/** Folder of the NIST StRD `.dat` files in the repository. */
export const NIST_DIR = fileURLToPath(new URL('../../datasets/nist-strd/', import.meta.url));

/** One NIST StRD nonlinear-regression problem as its `.dat` file states it. */
export interface NistProblem {
  /** Dataset name (`Misra1a`). */
  name: string;
  /** File the problem was read from (as given to the parser). */
  file: string;
  difficulty: 'lower' | 'average' | 'higher';
  /** Model block lines, trimmed, joined with one space. */
  formula: string;
  modelLines: string[];
  /** `b1`, `b2`, … */
  parameters: string[];
  start1: number[];
  start2: number[];
  certified: number[];
  certifiedStd: number[];
  /** Certified residual sum of squares. */
  rss: number;
  /** Certified residual standard deviation sqrt(RSS/(n − p)). */
  residualSd: number;
  degreesOfFreedom: number;
  observations: number;
  /** Names of the data header (`y`, `x` or `y`, `x1`, `x2`). */
  dataColumns: string[];
  /** Response column. */
  y: Float64Array;
  /** Predictor columns, in header order. */
  x: Float64Array[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parse a NIST StRD nonlinear-regression `.dat` file.
 *
 * The header's "File Format" block gives the line ranges of the starting values, the certified
 * values and the data; the parser reads exactly those lines, takes the column names from the
 * `Data:` line just above the data, and cross-checks the observation count three ways (the
 * header, the "Number of Observations" line and the data rows) and the parameter count two ways
 * (the model block and the parameter table).
 *
 * @throws InputError listing every problem as `FILE:LINE: field: what is wrong`.
 * @example parseNistDat(readFileSync('datasets/nist-strd/Misra1a.dat', 'utf8'), 'Misra1a.dat').certified
 */
export function parseNistDat(text: string, fileName: string): NistProblem {
  const lines = text.split(/\r?\n/);
  const problems: string[] = [];
  const fail = (line: number, field: string, what: string) => problems.push(`${fileName}:${line}: ${field}: ${what}`);
  const num = (token: string | undefined, line: number, field: string): number => {
    if (token === undefined || !NUMBER.test(token)) {
      fail(line, field, `expected a number, found ${token === undefined ? 'nothing' : JSON.stringify(token)}`);
      return NaN;
    }
    return Number(token);
  };
  const findLine = (re: RegExp): number => lines.findIndex((l) => re.test(l));

  // Name.
  const nameAt = findLine(/^Dataset Name:/);
  const name = nameAt >= 0 ? (lines[nameAt].match(/^Dataset Name:\s*(\S+)/)?.[1] ?? '') : '';
  if (!name) fail(nameAt >= 0 ? nameAt + 1 : 1, 'Dataset Name', 'missing');

  // File Format block: line ranges (1-based, inclusive).
  const range = (label: string): [number, number] | null => {
    const at = findLine(new RegExp(`^\\s*(File Format:\\s*\\S+\\s*)?${label}\\s*\\(lines\\s+\\d+\\s+to\\s+\\d+\\)`));
    if (at < 0) {
      fail(1, 'File Format', `no "${label} (lines A to B)" line`);
      return null;
    }
    const m = lines[at].match(/\(lines\s+(\d+)\s+to\s+(\d+)\)/)!;
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (!(a >= 1 && b >= a && b <= lines.length)) {
      fail(at + 1, 'File Format', `${label} range ${a} to ${b} is outside the file (${lines.length} lines)`);
      return null;
    }
    return [a, b];
  };
  const startRange = range('Starting Values');
  const certRange = range('Certified Values');
  const dataRange = range('Data');

  // Difficulty.
  const diffAt = findLine(/(Lower|Average|Higher) Level of Difficulty/);
  const difficulty = (diffAt >= 0 ? lines[diffAt].match(/(Lower|Average|Higher) Level/)![1].toLowerCase() : 'lower') as NistProblem['difficulty'];
  if (diffAt < 0) fail(1, 'Level of Difficulty', 'missing');

  // Observations stated in the Data: header block.
  const obsAt = findLine(/^\s+(\d+)\s+Observations\s*$/);
  const statedObservations = obsAt >= 0 ? Number(lines[obsAt].trim().split(/\s+/)[0]) : NaN;
  if (obsAt < 0) fail(1, 'Observations', 'no "N Observations" line in the header');

  // Model block: the lines after "N Parameters (...)" up to the starting-values table.
  const paramsAt = findLine(/^\s+(\d+)\s+Parameters\s*\(/);
  const statedParameters = paramsAt >= 0 ? Number(lines[paramsAt].trim().split(/\s+/)[0]) : NaN;
  const modelLines: string[] = [];
  if (paramsAt < 0) fail(1, 'Model', 'no "N Parameters (...)" line');
  else {
    for (let i = paramsAt + 1; i < lines.length && !/Starting values/i.test(lines[i]); i++) {
      const t = lines[i].trim();
      if (t) modelLines.push(t);
    }
    if (modelLines.length === 0) fail(paramsAt + 2, 'Model', 'no formula after the parameter count');
  }

  // Parameter table: `bK = start1 start2 certified std`.
  const parameters: string[] = [];
  const start1: number[] = [];
  const start2: number[] = [];
  const certified: number[] = [];
  const certifiedStd: number[] = [];
  if (startRange) {
    for (let ln = startRange[0]; ln <= startRange[1]; ln++) {
      const m = lines[ln - 1].match(/^\s*(b\d+)\s*=\s*(.*)$/);
      if (!m) {
        fail(ln, 'parameter', `expected "bK = start1 start2 certified std", found ${JSON.stringify(lines[ln - 1].trim())}`);
        continue;
      }
      const tokens = m[2].trim().split(/\s+/);
      if (tokens.length !== 4) fail(ln, m[1], `expected 4 numbers (start 1, start 2, certified value, standard deviation), found ${tokens.length}`);
      parameters.push(m[1]);
      start1.push(num(tokens[0], ln, `${m[1]} start 1`));
      start2.push(num(tokens[1], ln, `${m[1]} start 2`));
      certified.push(num(tokens[2], ln, `${m[1]} certified value`));
      certifiedStd.push(num(tokens[3], ln, `${m[1]} certified standard deviation`));
    }
    parameters.forEach((p, j) => {
      if (p !== `b${j + 1}`) fail(startRange[0] + j, 'parameter', `expected b${j + 1}, found ${p}`);
    });
    if (Number.isFinite(statedParameters) && parameters.length !== statedParameters) {
      fail(startRange[0], 'parameter', `the model states ${statedParameters} parameters, the table has ${parameters.length}`);
    }
  }

  // Certified summary, inside the certified-values range.
  const summary = (label: string): number => {
    if (!certRange) return NaN;
    for (let ln = certRange[0]; ln <= certRange[1]; ln++) {
      const l = lines[ln - 1];
      if (l.trimStart().startsWith(`${label}:`)) return num(l.split(':')[1]?.trim(), ln, label);
    }
    fail(certRange[0], label, `no "${label}:" line in lines ${certRange[0]} to ${certRange[1]}`);
    return NaN;
  };
  const rss = summary('Residual Sum of Squares');
  const residualSd = summary('Residual Standard Deviation');
  const degreesOfFreedom = summary('Degrees of Freedom');
  const observations = summary('Number of Observations');

  // Data.
  let dataColumns: string[] = [];
  const columns: number[][] = [];
  if (dataRange) {
    const headerLine = dataRange[0] - 1;
    const header = lines[headerLine - 1] ?? '';
    const hm = header.match(/^Data:\s+(.*)$/);
    if (!hm) fail(headerLine, 'Data', `expected the column header "Data:  y  x" on the line above the data, found ${JSON.stringify(header.trim())}`);
    else {
      dataColumns = hm[1].trim().split(/\s+/);
      if (dataColumns[0] !== 'y' || dataColumns.length < 2) fail(headerLine, 'Data', `expected "y" then the predictors, found ${dataColumns.join(' ')}`);
    }
    for (let c = 0; c < dataColumns.length; c++) columns.push([]);
    for (let ln = dataRange[0]; ln <= dataRange[1]; ln++) {
      const tokens = lines[ln - 1].trim().split(/\s+/);
      if (tokens.length !== dataColumns.length) {
        fail(ln, 'data', `expected ${dataColumns.length} numbers (${dataColumns.join(', ')}), found ${lines[ln - 1].trim() === '' ? 0 : tokens.length}`);
        continue;
      }
      tokens.forEach((t, c) => columns[c].push(num(t, ln, dataColumns[c])));
    }
    const rows = dataRange[1] - dataRange[0] + 1;
    if (Number.isFinite(statedObservations) && statedObservations !== rows) fail(obsAt + 1, 'Observations', `header states ${statedObservations}, the data range holds ${rows} rows`);
    if (Number.isFinite(observations) && observations !== rows) fail(dataRange[0], 'Number of Observations', `certified summary states ${observations}, the data range holds ${rows} rows`);
    // Degrees of freedom are kept as stated: Rat43.dat states 9 where n − p = 11 (its certified
    // residual standard deviation and standard deviations both follow n − p = 11).
  }

  if (problems.length > 0) throw new InputError(problems);
  return {
    name, file: fileName, difficulty, formula: modelLines.join(' '), modelLines,
    parameters, start1, start2, certified, certifiedStd,
    rss, residualSd, degreesOfFreedom, observations, dataColumns,
    y: Float64Array.from(columns[0]),
    x: columns.slice(1).map((c) => Float64Array.from(c)),
  };
}

/** Every `.dat` problem of a folder (default: the repository's copy), sorted by name. */
export function loadNistProblems(dir: string = NIST_DIR): NistProblem[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dat'))
    .sort()
    .map((f) => parseNistDat(readFileSync(join(dir, f), 'utf8'), f));
}

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
  /** Local solves: 1, or more when a degenerate stop was restarted. */
  solves: number;
  /** LRE of each parameter against its certified value. */
  digits: number[];
}

/** Fit a NIST problem from start 1 or 2 with `leastSquares`. */
export function fitNist(problem: NistProblem, start: 1 | 2, options: LeastSquaresOptions = NIST_SOLVER): NistFit {
  const model = modelFor(problem);
  const rp = residualProblem(problem, model);
  const x0 = Float64Array.from(start === 1 ? problem.start1 : problem.start2);
  const res = leastSquaresRestarting(rp, x0, { ...NIST_SOLVER, ...options });
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
    solves: res.solves,
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
 * The checks of one fit, each with its LRE and the solver's exit in the note.
 */
export function fitChecks(problem: NistProblem, fit: NistFit): Check[] {
  const how = `${fit.status} after ${fit.iterations} iterations, ${fit.evaluations} evaluations${fit.solves > 1 ? `, ${fit.solves} solves (restarted from a degenerate stop)` : ''}`;
  return measuredChecks(problem, fit).map((c) => ({ ...c, note: `LRE ${lreText(matchingDigits(c.ours, c.published))}; ${how}` }));
}

/** All checks: every problem from start 2 and from start 1, plus one tally per start (all required). */
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
  for (const start of [2, 1] as const) {
    checks.push(check(TARGET, `start ${start}: problems whose every figure meets its tolerance`, problems.length,
      problems.length - failures[start].length, { abs: 0 }, list(failures[start])));
  }
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
  description: 'NIST StRD nonlinear regression: the certified values of all 27 problems from both starts',
  async run() {
    return nistChecks();
  },
};
