/**
 * `atlas predict`: predicted loss with its 95 % interval from a fitted artifact, at one or many
 * points (N, D and language, mixture, U), with the distance of each point from the fitted data.
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { readArtifact, readDraws } from '../io/artifact.ts';
import { parseCsvText } from '../io/csv.ts';
import { ingestText } from '../ingest/ingest.ts';
import { extrapolation, extrapolationWarning, predictionIntervals, rangesOf, type Extrapolation } from '../fit/intervals.ts';
import { InputError } from '../io/types.ts';
import { csvRows } from '../io/csv.ts';
import { printJson } from './common.ts';
import { num } from './format.ts';

interface Args {
  coefficients: string;
  params?: string;
  tokens?: string;
  points?: string;
  lang?: string;
  mixture?: string;
  'unique-tokens'?: string;
  csv?: boolean;
  json?: boolean;
}

/** One asked point. */
export interface PredictPoint {
  params: number;
  tokens: number;
  lang: string;
  mixture?: string;
  uniqueTokens?: string;
  /** Where the point came from (`--params/--tokens #k` or `FILE:LINE`), for messages. */
  at: string;
}

function numberList(flag: string, text: string): number[] {
  return text.split(',').map((part, k) => {
    const t = part.trim();
    const v = Number(t);
    if (t === '' || !Number.isFinite(v) || v <= 0) throw new InputError(`--${flag}: item ${k + 1} "${t}" is not a number > 0 (give a comma-separated list, e.g. --${flag} 1e9,2e9)`);
    return v;
  });
}

/**
 * Points from `--params` and `--tokens` lists: equal lengths pair element by element; a list of
 * one value is used with every value of the other list.
 */
export function pointsFromLists(params: string, tokens: string, common: Omit<PredictPoint, 'params' | 'tokens' | 'at'>): PredictPoint[] {
  const n = numberList('params', params);
  const d = numberList('tokens', tokens);
  if (n.length !== d.length && n.length !== 1 && d.length !== 1) {
    throw new InputError(`--params has ${n.length} values and --tokens ${d.length}: give lists of equal length (paired) or a single value for one of them (used with every value of the other)`);
  }
  const count = Math.max(n.length, d.length);
  return Array.from({ length: count }, (_, k) => ({ ...common, params: n[n.length === 1 ? 0 : k], tokens: d[d.length === 1 ? 0 : k], at: `--params/--tokens #${k + 1}` }));
}

/**
 * Points from a CSV file: columns `params` and `tokens` (required), `eval_lang`, `mixture`,
 * `unique_tokens` (optional; the flags give their defaults).
 */
export function pointsFromCsv(text: string, file: string, common: Omit<PredictPoint, 'params' | 'tokens' | 'at'>): PredictPoint[] {
  const problems: string[] = [];
  const points: PredictPoint[] = [];
  let columns: Map<string, number> | null = null;
  try {
    parseCsvText(text, {
      header: (fields, line) => {
        columns = new Map(fields.map((f, j) => [f.trim(), j]));
        for (const need of ['params', 'tokens']) if (!columns.has(need)) problems.push(`${file}:${line}: ${need}: missing required column (columns: ${fields.join(', ')})`);
      },
      record: (fields, line) => {
        const cols = columns!;
        const cell = (name: string) => (cols.has(name) ? (fields[cols.get(name)!] ?? '').trim() : '');
        const value = (name: string) => {
          const t = cell(name);
          const v = Number(t);
          if (t === '' || !Number.isFinite(v) || v <= 0) {
            problems.push(`${file}:${line}:${cols.get(name)! + 1}: ${name}: "${t}" is not a number > 0`);
            return NaN;
          }
          return v;
        };
        const params = value('params');
        const tokens = value('tokens');
        points.push({
          params, tokens,
          lang: cell('eval_lang') || common.lang,
          ...(cell('mixture') || common.mixture ? { mixture: cell('mixture') || common.mixture } : {}),
          ...(cell('unique_tokens') || common.uniqueTokens ? { uniqueTokens: cell('unique_tokens') || common.uniqueTokens } : {}),
          at: `${file}:${line}`,
        });
      },
    });
  } catch (error) {
    throw new InputError(`${file}: ${(error as Error).message}`);
  }
  if (problems.length > 0) throw new InputError(problems);
  if (points.length === 0) throw new InputError(`${file}: no points (expected a header with params,tokens and one row per point)`);
  return points;
}

/** The points as a run-log table the artifact's law can read. */
function pointsTable(points: PredictPoint[]) {
  const header = ['run_id', 'params', 'tokens', 'loss', 'eval_lang', 'mixture', 'unique_tokens'];
  return ingestText(csvRows([header, ...points.map((p, k) => [`point${k + 1}`, String(p.params), String(p.tokens), '1', p.lang, p.mixture ?? '', p.uniqueTokens ?? ''])]), '<points>');
}

export interface PredictRow {
  params: number;
  tokens: number;
  eval_lang: string;
  loss: number;
  lo95: number;
  hi95: number;
  extrapolation: Extrapolation | null;
}

export const predictCommand: CommandModule<object, Args> = {
  command: 'predict',
  describe: 'predicted loss with its 95 % interval from a fitted artifact, at one point or many',
  builder: (y: Argv) =>
    y
      .option('coefficients', { type: 'string', demandOption: true, describe: 'coefficients.json written by atlas fit (its bootstrap.json beside it gives parameter uncertainty)' })
      .option('params', { type: 'string', describe: 'N, model parameters: a number or a comma-separated list' })
      .option('tokens', { type: 'string', describe: 'D, total training tokens: a number or a comma-separated list (paired with --params; a single value is used with every value of the other list)' })
      .option('points', { type: 'string', describe: 'CSV of points instead: columns params, tokens (optional eval_lang, mixture, unique_tokens)' })
      .option('lang', { type: 'string', describe: 'evaluation language (default und)' })
      .option('mixture', { type: 'string', describe: 'training mixture lang:weight;lang:weight (default <lang>:1)' })
      .option('unique-tokens', { type: 'string', describe: 'U: a number or lang:count;… (default unlimited)' })
      .option('csv', { type: 'boolean', default: false, describe: 'print CSV instead of a table' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"points": [{params, tokens, eval_lang, loss, lo95, hi95, extrapolation}]} on stdout' })
      .example('atlas predict --coefficients results/datablations/coefficients.json --params 6.34e9 --tokens 242e9 --unique-tokens 25e9', 'data-constrained prediction')
      .example('atlas predict --coefficients results/epoch/coefficients.json --params 1e9,2e9,4e9 --tokens 2e10', 'three model sizes at one budget')
      .example('atlas predict --coefficients results/epoch/coefficients.json --points points.csv --csv', 'one row per point of a CSV') as unknown as Argv<Args>,
  handler: (args) => {
    const artifact = readArtifact(args.coefficients);
    const common = { lang: args.lang ?? 'und', ...(args.mixture !== undefined ? { mixture: args.mixture } : {}), ...(args['unique-tokens'] !== undefined ? { uniqueTokens: args['unique-tokens'] } : {}) };
    let points: PredictPoint[];
    if (args.points !== undefined) {
      if (args.params !== undefined || args.tokens !== undefined) throw new InputError('atlas predict: give --points FILE or --params/--tokens, not both');
      let text: string;
      try {
        text = readFileSync(args.points, 'utf8');
      } catch (error) {
        throw new InputError(`${args.points}: cannot read: ${(error as Error).message}`);
      }
      points = pointsFromCsv(text, args.points, common);
    } else {
      if (args.params === undefined || args.tokens === undefined) throw new InputError('atlas predict: give --params N and --tokens D (numbers or comma-separated lists), or --points FILE');
      points = pointsFromLists(String(args.params), String(args.tokens), common);
    }
    const table = pointsTable(points);
    const draws = readDraws(args.coefficients, artifact);
    const iv = predictionIntervals(artifact, table, draws);
    const rows: PredictRow[] = points.map((p, k) => {
      const ranges = rangesOf(artifact, artifact.groups ? table.evalLang[k] : null);
      return { params: p.params, tokens: p.tokens, eval_lang: table.evalLang[k], loss: iv.predicted[k], lo95: iv.lo[k], hi95: iv.hi[k], extrapolation: ranges ? extrapolation(ranges, p.params, p.tokens) : null };
    });
    let warnings = '';
    rows.forEach((row, k) => { if (row.extrapolation) warnings += extrapolationWarning(row.extrapolation, `point ${k + 1} (N = ${num(row.params, 4)}, D = ${num(row.tokens, 4)})`); });
    if (!iv.parameter) warnings += 'atlas: note: the fit ran no bootstrap (no bootstrap.json), so the 95 % intervals cover the residual scatter only; refit with --bootstrap 200 for parameter uncertainty\n';
    if (rows.some((r) => !r.extrapolation)) warnings += 'atlas: note: the artifact records no data ranges (fitted before they were recorded); refit to get extrapolation distances\n';
    if (args.json) printJson({ interval: iv.parameter ? 'bootstrap+residual' : 'residual only', points: rows });
    else if (args.csv) {
      process.stdout.write(csvRows([['params', 'tokens', 'eval_lang', 'loss', 'lo95', 'hi95', 'n_over_nmax', 'd_over_dmax', 'c_over_cmax'],
        ...rows.map((r) => [r.params, r.tokens, r.eval_lang, r.loss, r.lo95, r.hi95, r.extrapolation?.params_ratio ?? '', r.extrapolation?.tokens_ratio ?? '', r.extrapolation?.compute_ratio ?? ''])]));
    } else process.stdout.write(predictTableText(rows));
    process.stderr.write(warnings);
  },
};

/** Human-readable table of predictions. */
export function predictTableText(rows: PredictRow[]): string {
  const header = ['N', 'D', 'lang', 'loss', '95 % interval', 'N/N_max', 'D/D_max', 'C/C_max'];
  const cells = rows.map((r) => [num(r.params, 4), num(r.tokens, 4), r.eval_lang, num(r.loss, 5), `[${num(r.lo95, 5)}, ${num(r.hi95, 5)}]`,
    num(r.extrapolation?.params_ratio, 3), num(r.extrapolation?.tokens_ratio, 3), num(r.extrapolation?.compute_ratio, 3)]);
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)));
  const line = (c: string[]) => c.map((v, j) => (j === 2 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('  ').trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}
