/**
 * `atlas transfer --data FILE… [--config F] [--ref-tokens D[,D…]] [--size N] [--bootstrap B]
 * [--seed S] [--out DIR] [--json]`: Bilingual Transfer Scores from mono + 50/50 bilingual runs,
 * FAS from finetunes, matrix statistics and the cross-validated predictors
 * (transfer/). Writes DIR/transfer.csv, transfer_matrix.csv, transfer.json,
 * transfer_heatmap.svg and (with finetunes) fas.csv.
 *
 * `atlas transfer --matrix F --languages L [--out DIR] [--json]`: statistics and predictors of an
 * existing matrix (e.g. the paper's published one), no run logs needed.
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadTable } from '../config/load.ts';
import { stableJson, writeFileAtomic } from '../io/atomic.ts';
import { computeTransfer, type FasScore } from '../transfer/transfer.ts';
import { transferFiles, transferJson } from '../transfer/io.ts';
import { featuresFromTable, formatScore, readLanguageFeatures, readMatrixCsv, subMatrix, type LanguageFeatures, type TransferMatrix } from '../transfer/matrix.ts';
import { evaluatePredictors, type PredictorReport } from '../transfer/predict.ts';
import { matrixStats, type MatrixStats } from '../transfer/stats.ts';
import { InputError } from '../io/types.ts';
import { VERSION } from '../io/version.ts';
import { checkOutput, tableRequest, withDataOptions, type DataArgs } from './common.ts';

interface TransferArgs extends DataArgs {
  'ref-tokens'?: string;
  size?: number;
  bootstrap: number;
  seed: number;
  out?: string;
  json?: boolean;
  matrix?: string;
  folds: number;
  trees: number;
  permutations: number;
  only?: string;
}

function parseRefs(text: string | undefined): number[] | null {
  if (text === undefined) return null;
  const refs = text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (refs.length === 0 || refs.some((r) => !Number.isFinite(r) || r <= 0)) throw new InputError(`--ref-tokens: expected positive numbers separated by commas, got "${text}"`);
  return refs;
}

function wholeNumber(flag: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new InputError(`--${flag}: expected a whole number ≥ ${min}, got ${v}`);
}

/** Matrix as aligned text. */
export function formatMatrix(m: TransferMatrix, digits = 2): string {
  const w = Math.max(5, digits + 4);
  const lines = [`${'t\\s'.padEnd(5)}${m.sources.map((s) => s.padStart(w)).join('')}`];
  m.targets.forEach((t, i) => {
    const cells = m.sources.map((_, j) => {
      const k = i * m.sources.length + j;
      const c = m.censored?.[k] ?? 0;
      const text = formatScore(m.values[k], digits);
      return (text === '' ? '.' : `${c < 0 ? '<' : c > 0 ? '>' : ''}${text}`).padStart(w);
    });
    lines.push(`${t.padEnd(5)}${cells.join('')}`);
  });
  return `${lines.join('\n')}\n`;
}

/** Statistics and predictor scores as text. */
export function formatStats(stats: MatrixStats | null, predictor: PredictorReport | null): string {
  const lines: string[] = [];
  if (stats) {
    lines.push(`cells ${stats.cells}, mean ${stats.mean.toFixed(3)}`);
    for (const e of stats.effects) {
      lines.push(`same ${e.attribute}: ${e.same.mean.toFixed(3)} (n=${e.same.n}) vs different: ${e.different.mean.toFixed(3)} (n=${e.different.n}); difference ${e.difference.toFixed(3)}, permutation p = ${e.p_cells.toPrecision(2)} (cells), ${e.p_languages.toPrecision(2)} (languages)`);
    }
    lines.push(`symmetry: Pearson r(A→B, B→A) = ${stats.symmetry.r.toFixed(3)} over ${stats.symmetry.pairs} pairs`);
    lines.push(`top-${stats.k} counts (strict / expected under random tie-breaking / inclusive, of targets):`);
    for (const c of stats.topCounts.slice(0, 8)) lines.push(`  ${c.source.padEnd(4)} ${c.strict} / ${c.expected.toFixed(1)} / ${c.inclusive} of ${c.targets}`);
  }
  if (predictor) {
    lines.push(`predictors (${predictor.folds}-fold CV over ${predictor.cells} cells, seed ${predictor.seed}):`);
    for (const m of predictor.models) lines.push(`  ${m.model.padEnd(38)} R² ${m.r2.toFixed(3)}  Spearman ${m.spearman.toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}

function analyse(m: TransferMatrix, features: LanguageFeatures, args: TransferArgs, fas?: FasScore[]) {
  const known = [...new Set([...m.targets, ...m.sources])].filter((l) => features.has(l)).length;
  const stats = known >= 2 ? matrixStats(m, features, { permutations: args.permutations, seed: args.seed }) : null;
  let cells = 0;
  for (let k = 0; k < m.values.length; k++) if (Number.isFinite(m.values[k]) && (m.censored?.[k] ?? 0) === 0) cells++;
  const predictor = cells >= 2 * args.folds ? evaluatePredictors(m, features, { folds: args.folds, seed: args.seed, trees: args.trees, fas }) : null;
  return { stats, predictor };
}

export const transferCommand: CommandModule<object, TransferArgs> = {
  command: 'transfer',
  describe: 'bilingual transfer scores (BTS) from mono + 50/50 bilingual runs, FAS from finetunes, matrix statistics; DIR/transfer.csv …',
  builder: (y: Argv) => withDataOptions(y)
    .option('ref-tokens', { type: 'string', describe: 'reference horizon(s) d_mono in target tokens, comma-separated (default: min(shortest mono run, shortest bilingual run / 3))' })
    .option('size', { type: 'number', describe: 'model size (params) of the runs to use (default: the size with the most scorable pairs)' })
    .option('bootstrap', { type: 'number', default: 200, describe: 'bootstrap replicates for the intervals (seeds resampled when a curve has several, else checkpoints)' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the bootstrap, permutation tests and cross-validation' })
    .option('matrix', { type: 'string', describe: 'analyse an existing matrix CSV (rows target, columns source) instead of run logs; needs --languages' })
    .option('folds', { type: 'number', default: 5, describe: 'cross-validation folds of the predictors' })
    .option('trees', { type: 'number', default: 300, describe: 'trees of the random forests' })
    .option('permutations', { type: 'number', default: 2000, describe: 'permutations per p-value' })
    .option('only', { type: 'string', describe: 'with --matrix: analyse only these languages (comma-separated), e.g. the measured block' })
    .option('out', { type: 'string', describe: 'output folder (transfer.csv, transfer_matrix.csv, transfer.json, transfer_heatmap.svg, fas.csv)' })
    .option('json', { type: 'boolean', default: false, describe: 'print transfer.json ({"scores":[…], …}) on stdout' })
    .example('atlas transfer --config configs/manpages-sweep.yaml --out results/transfer-manpages', 'the 12×12 BTS matrix of the manpages sweep (d192 runs)')
    .example('atlas transfer --matrix datasets/atlas-paper/transfer_matrix_38x38.csv --languages datasets/atlas-paper/languages.csv', 'statistics and predictors of the published matrix')
    .example('atlas transfer --matrix datasets/atlas-paper/transfer_matrix_38x38.csv --languages datasets/atlas-paper/languages.csv --only en,ru,es,fr,de,pt,zh,vi,ja', 'the directly measured 9×9 block only') as unknown as Argv<TransferArgs>,
  handler: async (args) => {
    if (args.out !== undefined) checkOutput(args.out, 'folder', args['allow-outside'], '--out', false);
    wholeNumber('bootstrap', args.bootstrap, 0);
    wholeNumber('seed', args.seed, 0);
    wholeNumber('folds', args.folds, 2);
    wholeNumber('trees', args.trees, 1);
    wholeNumber('permutations', args.permutations, 0);
    if (args.matrix !== undefined) {
      if (!args.languages) throw new InputError('--languages: --matrix needs a languages table with script and family');
      const whole = readMatrixCsv(args.matrix);
      const only = args.only?.split(',').map((l) => l.trim()).filter((l) => l !== '');
      const missing = (only ?? []).filter((l) => !whole.targets.includes(l) || !whole.sources.includes(l));
      if (missing.length > 0) throw new InputError(`--only: ${missing.join(', ')}: not in ${args.matrix}`);
      const m = only ? subMatrix(whole, only) : whole;
      const features = readLanguageFeatures(args.languages);
      const { stats, predictor } = analyse(m, features, args);
      const json = { schema: 'atlas.transfer-stats/1', matrix: args.matrix, only: only ?? null, languages: args.languages, stats, predictor, provenance: { version: VERSION } };
      if (args.out) {
        writeFileAtomic(join(args.out, 'transfer_stats.json'), stableJson(json));
        const { matrixHeatmap } = await import('../report/plots/heatmap.ts');
        writeFileAtomic(join(args.out, 'transfer_heatmap.svg'), await matrixHeatmap(m, `Transfer matrix: ${args.matrix}`));
        process.stderr.write(`atlas transfer: wrote ${join(args.out, 'transfer_stats.json')} and transfer_heatmap.svg\n`);
      }
      process.stdout.write(args.json ? stableJson(json) : formatStats(stats, predictor));
      return;
    }
    const { table, config } = await loadTable(tableRequest(args));
    const result = computeTransfer(table, { refTokens: parseRefs(args['ref-tokens']), size: args.size ?? null, bootstrap: args.bootstrap, seed: args.seed });
    const { stats, predictor } = analyse(result.matrix, featuresFromTable(table.languages), args, result.fas);
    const json = transferJson(result, {
      stats, predictor,
      provenance: { version: VERSION, files: table.sources.map((s) => ({ path: s.path, sha256: s.sha256 })), config_sha256: config?.sha256 ?? null },
    });
    if (args.out) {
      const { matrixHeatmap } = await import('../report/plots/heatmap.ts');
      const files = await transferFiles(json, result, matrixHeatmap);
      for (const [name, text] of Object.entries(files)) writeFileAtomic(join(args.out, name), text);
      process.stderr.write(`atlas transfer: wrote ${Object.keys(files).map((f) => join(args.out!, f)).join(', ')}\n`);
    }
    if (args.json) {
      process.stdout.write(jsonText(json));
      return;
    }
    const lines = [`BTS at N = ${result.size}, d_mono = ${result.refTokens.join(', ')} (${result.refRule}); bootstrap ${result.bootstrap.replicates} × ${result.bootstrap.method}`];
    lines.push('rows target, columns source; <x = censored, true value below x; >x = above');
    process.stdout.write(`${lines.join('\n')}\n${formatMatrix(result.matrix)}${formatStats(stats, predictor)}`);
    for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
  },
};

function jsonText(json: unknown): string {
  return `${JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
