/**
 * `atlas crossover --data FILE… [--config F] [--finetune-tokens target|since-start]
 * [--fixed-exponent B] [--lang L…] [--out DIR] [--json]`: where pretraining from scratch overtakes
 * finetuning a multilingual checkpoint, per language and size, and the crossover compute law
 * C(N) = a·N^b (crossover/crossover.ts). Writes DIR/crossover.json and DIR/crossover.csv.
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadTable } from '../config/load.ts';
import { stableJson, writeFileAtomic } from '../io/atomic.ts';
import { computeCrossovers, crossoverCsv, type CrossoverResult, type FinetuneTokens } from '../crossover/crossover.ts';
import { InputError } from '../io/types.ts';
import { VERSION } from '../io/version.ts';
import { checkOutput, tableRequest, withDataOptions, type DataArgs } from './common.ts';
import { dataRanges, extrapolation, extrapolationWarning, type Extrapolation } from '../fit/intervals.ts';

interface CrossoverArgs extends DataArgs {
  'finetune-tokens': string;
  'fixed-exponent'?: number;
  lang?: string[];
  out?: string;
  json?: boolean;
}

function num(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

/** Human-readable summary of a crossover result. */
export function formatCrossovers(r: CrossoverResult, extrapolations?: Extrapolation[]): string {
  const lines = [`Pretrain-from-scratch vs finetune crossovers (finetune tokens counted as: ${r.finetuneTokens})`];
  const header = ['lang', 'N', 'status', 'tokens', 'compute 6ND', 'loss scratch', 'loss finetune', `other axis (${r.points[0]?.other?.axis ?? '-'})`, 'logged range',
    ...(extrapolations ? ['N/N_max', 'D/D_max', 'C/C_max'] : [])];
  const rows = r.points.map((p, k) => [p.lang, num(p.params), p.status === 'crossed' ? 'crossed' : p.status === 'after' ? '> (not yet)' : '< (already)',
    num(p.tokens), num(p.compute), num(p.loss), num(p.finetuneLoss), p.other ? `${p.other.status === 'crossed' ? '' : p.other.status === 'after' ? '>' : '<'}${num(p.other.tokens)}` : '',
    `${num(p.range[0])}–${num(p.range[1])}`,
    ...(extrapolations ? [num(extrapolations[k].params_ratio), num(extrapolations[k].tokens_ratio), num(extrapolations[k].compute_ratio)] : [])]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((x) => x[j].length)));
  const fmt = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  lines.push(fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt));
  if (r.fit) {
    const f = r.fit;
    lines.push(`C(N) = a·N^b: a = ${num(f.a)}${f.aCi95 ? ` [${num(f.aCi95[0])}, ${num(f.aCi95[1])}]` : ''}, b = ${num(f.b)}${f.fixedExponent !== null ? ' (fixed)' : f.bCi95 ? ` [${num(f.bCi95[0])}, ${num(f.bCi95[1])}]` : ''} from ${f.points} crossovers at ${f.sizes} size(s)`);
  }
  for (const note of r.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

export const crossoverCommand: CommandModule<object, CrossoverArgs> = {
  command: 'crossover',
  describe: 'tokens where pretraining from scratch overtakes finetuning a multilingual checkpoint, per language and size, and C(N) = a·N^b',
  builder: (y: Argv) => withDataOptions(y)
    .option('finetune-tokens', { type: 'string', choices: ['target', 'since-start'], default: 'target',
      describe: 'x axis of a finetune: target = the base\'s tokens of the language + the finetune\'s (ATLAS §6); since-start = finetune tokens only' })
    .option('fixed-exponent', { type: 'number', describe: 'hold b of C(N) = a·N^b at this value (needed with a single model size)' })
    .option('lang', { type: 'string', array: true, describe: 'only these languages' })
    .option('out', { type: 'string', describe: 'folder for crossover.json and crossover.csv' })
    .option('json', { type: 'boolean', describe: 'print crossover.json on stdout' })
    .example('atlas crossover --config configs/manpages-sweep.yaml --out results/crossover-manpages', '') as unknown as Argv<CrossoverArgs>,
  handler: async (args) => {
    if (args.out !== undefined) checkOutput(args.out, 'folder', args['allow-outside'], '--out', false);
    if (args['fixed-exponent'] !== undefined && !Number.isFinite(args['fixed-exponent'])) throw new InputError('--fixed-exponent: expected a number');
    const { table, config } = await loadTable(tableRequest(args));
    const result = computeCrossovers(table, {
      finetuneTokens: args['finetune-tokens'] as FinetuneTokens,
      fixedExponent: args['fixed-exponent'] ?? null,
      languages: args.lang ?? null,
    });
    // How far each crossover lies outside the logged data (N, D, C = 6ND of the table).
    const ranges = dataRanges(table);
    const points = result.points.map((p) => ({ ...p, extrapolation: extrapolation(ranges, p.params, p.tokens) }));
    let warnings = '';
    for (const p of points) warnings += extrapolationWarning(p.extrapolation, `the ${p.lang} crossover at N = ${num(p.params)} (${num(p.tokens)} tokens)`);
    const json = {
      ...result,
      points,
      data_ranges: ranges,
      data: { rows: table.rows, files: table.sources.map((s) => ({ path: s.path, sha256: s.sha256 })) },
      provenance: { version: VERSION, config_sha256: config?.sha256 ?? null },
    };
    if (args.out) {
      writeFileAtomic(join(args.out, 'crossover.json'), stableJson(json));
      writeFileAtomic(join(args.out, 'crossover.csv'), crossoverCsv(result));
      process.stderr.write(`atlas crossover: wrote ${join(args.out, 'crossover.json')} and crossover.csv\n`);
    }
    process.stdout.write(args.json ? stableJson(json) : formatCrossovers(result, points.map((p) => p.extrapolation)));
    process.stderr.write(warnings);
  },
};
