/**
 * NIST StRD nonlinear-regression problems: parse the .dat files shipped in datasets/nist-strd/
 * (data, both starts, certified values) into NistProblem records.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../io/types.ts';

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
