/**
 * `atlas plan languages|finetune|cotrain|mixture`: decisions from fitted artifacts (plan/plan.ts).
 * A human-readable table on stdout by default; `--json` prints the plan object instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { readArtifact } from '../io/artifact.ts';
import { parseCrossoverJson } from '../crossover/crossover.ts';
import { planCotrain, planFinetune, planLanguages, type CotrainPlan, type FinetunePlan, type LanguagesPlan } from '../plan/plan.ts';
import { readTransferJson } from '../transfer/io.ts';
import { InputError } from '../io/types.ts';
import { planMixture, parseBootstrapDraws } from '../plan/index.ts';
import type { MixturePlan, MixtureRequest } from '../plan/mixture.ts';
import { loadTable } from '../config/load.ts';
import { withDataOptions, type DataArgs } from './common.ts';

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Human-readable plan (a). */
export function formatLanguagesPlan(p: LanguagesPlan): string {
  const { request: q, values: v } = p;
  const out: string[] = [];
  out.push(`Curse law: L = ${num(v.E)} + ${num(v.A)}·K^${num(v.phi)}/N^${num(v.alpha)} + ${num(v.B)}·K^${num(v.psi)}/D_t^${num(v.beta)}`);
  out.push(`Baseline: N = ${num(q.params)}, D = ${num(q.tokens)} tokens over K = ${q.k} languages (D_t = ${num(q.tokens / q.k)} each), C = 6ND = ${num(p.baselineCompute)}`);
  out.push(`  predicted loss ${p.loss === null ? '?' : num(p.loss)}; with ${q.targetK} languages and no change: ${p.lossAtTargetK === null ? '?' : num(p.lossAtTargetK)}`);
  out.push(`  reducible terms: parameter ${num(p.paramTerm)} (w_N = ${num(p.wN)}), data ${num(p.dataTerm)} (w_D = ${num(p.wD)})`);
  out.push('');
  out.push(`Same loss with ${q.targetK} languages (r = ${num(p.r)}), minimum compute:`);
  out.push(`  N' = ${num(p.params)} (×${num(p.optimum.s)}), D' = ${num(p.tokens)} total tokens (×${num(p.optimum.totalTokens)}; each language ×${num(p.optimum.t)}), C' = ${num(p.compute)} (×${num(p.optimum.compute)})`);
  const optimalWN = v.beta / (v.alpha + v.beta);
  if (Math.abs(p.wN - optimalWN) > 0.05) {
    out.push(`  note: the baseline is not compute-optimal (w_N = ${num(p.wN)}; compute-optimal w_N = beta/(alpha+beta) = ${num(optimalWN)}),`);
    out.push('  so this point also re-balances N against D; the curve row with s = 1 keeps the model size');
  }
  const m = p.paperMultipliers;
  out.push(`  ATLAS §5.3 multipliers (exact from a compute-optimal baseline): N ×${num(m.params)}, D ×${num(m.totalTokens)}, each language ×${num(m.targetTokens)}, C ×${num(m.compute)}`);
  if (p.intervals) {
    const parts = Object.entries(p.intervals).map(([k, e]) => `${k} ${num(e.value)} [${num(e.ci95![0])}, ${num(e.ci95![1])}]`);
    out.push(`  bootstrap 95 % intervals: ${parts.join('; ')}`);
  }
  out.push('');
  out.push(`Iso-loss curve (every row has the baseline's loss with ${q.targetK} languages; s > ${num(p.sMin)}, t > ${num(p.tMin)}):`);
  out.push(table(['s = N\'/N', 't = D\'_t/D_t', 'D\'/D', 'C\'/C', 'N\'', 'D\''], p.curve.map((c) => [num(c.s), num(c.t), num(c.totalTokens), num(c.compute), num(c.params), num(c.tokens)])));
  return `${out.join('\n')}\n`;
}

/** Human-readable plan (b). */
export function formatFinetunePlan(p: FinetunePlan): string {
  const verdict = p.decision === 'undetermined' ? 'UNDETERMINED' : p.decision === 'finetune' ? 'FINETUNE the multilingual checkpoint' : 'PRETRAIN from scratch';
  const lines = [
    `${p.request.lang} at N = ${num(p.request.params)} with ${num(p.request.tokens)} tokens: ${verdict}`,
    `  ${p.reason}`,
    `  crossover: ${p.crossoverTokens === null ? '?' : num(p.crossoverTokens)} tokens${p.ci95 ? ` (95 % ${num(p.ci95[0])}–${num(p.ci95[1])})` : ''}; basis: ${p.basis}; finetune tokens counted as: ${p.tokenAxis}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Human-readable plan (c). */
export function formatCotrainPlan(p: CotrainPlan): string {
  const head = `Top ${p.rows.length} of ${p.candidates} co-training sources for ${p.lang} by Bilingual Transfer Score (N = ${num(p.size)}, d_mono = ${num(p.refTokens)} tokens; > 0 helps, < 0 interferes):`;
  const rows = p.rows.map((r) => [String(r.rank), r.source, num(r.bts), r.ciLow === null ? '' : num(r.ciLow), r.ciHigh === null ? '' : num(r.ciHigh),
    r.censored === 'false' ? '' : r.censored === 'below' ? 'true value below' : r.censored === 'above' ? 'true value above' : r.censored]);
  return `${head}\n${table(['rank', 'source', 'BTS', 'ci95 low', 'ci95 high', 'censored'], rows)}\n`;
}

/** Human-readable plan (d). */
export function formatMixturePlan(p: MixturePlan): string {
  const targets = Object.entries(p.targets).map(([t, w]) => (Object.keys(p.targets).length > 1 ? `${w}×${t}` : t)).join(' + ');
  const out: string[] = [];
  out.push(`Mixture minimising the predicted ${targets} loss (${p.law}, ${p.domains.length} domains, ${p.starts} starts):`);
  const rows = Object.entries(p.mixture).sort((a, b) => b[1] - a[1]).map(([d, w]) => [d, num(w), p.caps[d] === undefined ? '' : num(p.caps[d])]);
  out.push(table(['domain', 'weight', 'cap'], rows));
  out.push(`predicted loss ${num(p.predicted)}${p.interval ? ` (95 % ${num(p.interval.ci95[0])}–${num(p.interval.ci95[1])} over ${p.interval.replicates} bootstrap replicates)` : ' (no interval: fit with --bootstrap B for one)'}; uniform mixture ${num(p.uniform)}`);
  if (p.candidates) {
    const c = p.candidates;
    out.push(`Among ${c.count} candidate mixtures (Spearman ρ of predicted vs observed ${num(c.spearman)}):`);
    out.push(`  best observed (loss ${num(c.bestObserved.observed)}) ranks ${c.bestObserved.predictedRank} of ${c.count} under the law (predicted ${num(c.bestObserved.predicted)})`);
    out.push(`  the law's best candidate (predicted ${num(c.bestPredicted.predicted)}) ranks ${c.bestPredicted.observedRank} of ${c.count} observed (loss ${num(c.bestPredicted.observed)})`);
  }
  return `${out.join('\n')}\n`;
}

function emit(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text);
}

function positive(name: string, v: unknown): number {
  const x = Number(v);
  if (v === undefined || !Number.isFinite(x) || x <= 0) throw new InputError(`--${name}: expected a number > 0, got ${String(v)}`);
  return x;
}

interface LanguagesArgs { coefficients: string; params: number; tokens: number; k: number; 'target-k': number; group?: string; points: number; json?: boolean }
interface FinetuneArgs { crossover?: string; formula?: string; lang: string; params: number; tokens: number; json?: boolean }
interface MixtureArgs extends DataArgs {
  coefficients: string;
  target: string[];
  budget?: number;
  'unique-tokens'?: string[];
  'max-epochs': number;
  params?: number;
  tokens?: number;
  starts: number;
  seed: number;
  bootstrap?: string;
  where?: string[];
  json?: boolean;
}
interface CotrainArgs { transfer: string; lang: string; top: number; 'ref-tokens'?: number; json?: boolean }

const languages: CommandModule<object, LanguagesArgs> = {
  command: 'languages',
  describe: 'K → rK languages at the same loss: N\', D\', compute and the iso-loss curve (curse-law coefficients)',
  builder: (y: Argv) => y
    .option('coefficients', { type: 'string', demandOption: true, describe: 'coefficients.json of a curse-law fit (atlas fit --law curse)' })
    .option('params', { type: 'number', demandOption: true, describe: 'N of the current model' })
    .option('tokens', { type: 'number', demandOption: true, describe: 'total training tokens D of the current model' })
    .option('k', { type: 'number', demandOption: true, describe: 'languages the current model serves (uniform mixture)' })
    .option('target-k', { type: 'number', demandOption: true, describe: 'languages to serve' })
    .option('group', { type: 'string', describe: 'group of a --group-by artifact' })
    .option('points', { type: 'number', default: 9, describe: 'points of the iso-loss curve around the optimum' })
    .option('json', { type: 'boolean', describe: 'print the plan as JSON' })
    .example('atlas plan languages --coefficients results/curse-manpages/coefficients.json --params 1.8e6 --tokens 9e6 --k 4 --target-k 8', '') as unknown as Argv<LanguagesArgs>,
  handler: (args) => {
    const plan = planLanguages(readArtifact(args.coefficients), {
      params: positive('params', args.params),
      tokens: positive('tokens', args.tokens),
      k: positive('k', args.k),
      targetK: positive('target-k', args['target-k']),
      group: args.group ?? null,
      points: Math.max(1, Math.floor(positive('points', args.points))),
    });
    emit(args.json, plan, formatLanguagesPlan(plan));
  },
};

const finetune: CommandModule<object, FinetuneArgs> = {
  command: 'finetune',
  describe: 'pretrain from scratch or finetune the multilingual checkpoint for one language (crossover.json or a C(N) formula)',
  builder: (y: Argv) => y
    .option('crossover', { type: 'string', describe: 'crossover.json written by atlas crossover' })
    .option('formula', { type: 'string', describe: 'A,B of a crossover compute law C = A·N^B, e.g. 1113708,1.65 (ATLAS §6)' })
    .option('lang', { type: 'string', demandOption: true, describe: 'target language' })
    .option('params', { type: 'number', demandOption: true, describe: 'model size N' })
    .option('tokens', { type: 'number', demandOption: true, describe: 'token budget D for the language' })
    .option('json', { type: 'boolean', describe: 'print the plan as JSON' })
    .example('atlas plan finetune --formula 1113708,1.65 --lang de --params 2e9 --tokens 1e11', '') as unknown as Argv<FinetuneArgs>,
  handler: (args) => {
    if (args.crossover && args.formula) throw new InputError('atlas plan finetune: give either --crossover or --formula, not both');
    let source: Parameters<typeof planFinetune>[0];
    if (args.crossover) {
      let text: string;
      try {
        text = readFileSync(args.crossover, 'utf8');
      } catch (error) {
        throw new InputError(`${args.crossover}: cannot read: ${(error as Error).message}`);
      }
      source = { crossover: parseCrossoverJson(text, args.crossover) };
    } else if (args.formula) {
      const parts = args.formula.split(',').map((s) => s.trim());
      const [a, b] = parts.map(Number);
      if (parts.length !== 2 || parts.some((s) => s === '') || !Number.isFinite(a) || !Number.isFinite(b)) throw new InputError(`--formula: expected A,B (C = A·N^B), got "${args.formula}"`);
      source = { formula: { a, b } };
    } else {
      throw new InputError('atlas plan finetune: give --crossover FILE (written by atlas crossover) or --formula A,B');
    }
    const plan = planFinetune(source, { lang: args.lang, params: positive('params', args.params), tokens: positive('tokens', args.tokens) });
    emit(args.json, plan, formatFinetunePlan(plan));
  },
};

const cotrain: CommandModule<object, CotrainArgs> = {
  command: 'cotrain',
  describe: 'which languages to co-train with L: top sources by Bilingual Transfer Score (transfer.json)',
  builder: (y: Argv) => y
    .option('transfer', { type: 'string', demandOption: true, describe: 'transfer.json written by atlas transfer' })
    .option('lang', { type: 'string', demandOption: true, describe: 'target language' })
    .option('top', { type: 'number', default: 5, describe: 'how many sources' })
    .option('ref-tokens', { type: 'number', describe: 'reference horizon d_mono (default: the file\'s first)' })
    .option('json', { type: 'boolean', describe: 'print the plan as JSON' })
    .example('atlas plan cotrain --transfer results/transfer-manpages/transfer.json --lang da --top 5', '') as unknown as Argv<CotrainArgs>,
  handler: (args) => {
    const plan = planCotrain(readTransferJson(args.transfer), args.lang, args.top, args['ref-tokens'] ?? null);
    emit(args.json, plan, formatCotrainPlan(plan));
  },
};

/** `NAME=NUMBER` flags (or a bare NAME = 1 where `bare` is allowed) as a record. */
function namedNumbers(flag: string, values: string[] | undefined, bare: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const text of values ?? []) {
    const eq = text.lastIndexOf('=');
    const name = (eq < 0 ? text : text.slice(0, eq)).trim();
    const value = eq < 0 && bare ? 1 : Number(text.slice(eq + 1));
    if (name === '' || (eq < 0 && !bare) || !Number.isFinite(value) || value <= 0) throw new InputError(`--${flag}: expected ${bare ? 'DOMAIN or DOMAIN=WEIGHT' : 'DOMAIN=TOKENS'} with a number > 0, got "${text}"`);
    out[name] = value;
  }
  return out;
}

const mixture: CommandModule<object, MixtureArgs> = {
  command: 'mixture',
  describe: 'the training mixture that minimises a target domain\'s predicted loss (mixing-law or mixture-linear coefficients)',
  builder: (y: Argv) => withDataOptions(y)
    .option('coefficients', { type: 'string', demandOption: true, describe: 'coefficients.json of a mixing-law or mixture-linear fit' })
    .option('target', { type: 'string', array: true, demandOption: true, describe: 'target domain, or DOMAIN=WEIGHT (repeatable) for a weighted set of targets' })
    .option('budget', { type: 'number', describe: 'training tokens of the planned run (with --unique-tokens: caps each domain at max-epochs × its unique tokens)' })
    .option('unique-tokens', { type: 'string', array: true, describe: 'DOMAIN=TOKENS unique tokens available (repeatable)' })
    .option('max-epochs', { type: 'number', default: 4, describe: 'most passes over any domain\'s unique tokens' })
    .option('params', { type: 'number', describe: 'model size N for a mixing law with a size term (default: the fit\'s centre)' })
    .option('tokens', { type: 'number', describe: 'tokens D for a mixing law with a token term (default: the fit\'s centre)' })
    .option('starts', { type: 'number', default: 32, describe: 'random starts beside the uniform and pure-domain ones' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of the random starts' })
    .option('bootstrap', { type: 'string', describe: 'bootstrap.csv of the fit (default: the one beside --coefficients, if any) for the interval' })
    .option('where', { type: 'string', array: true, describe: 'row filters for the candidate data (--config/--data): rank these mixtures under the law' })
    .option('json', { type: 'boolean', describe: 'print the plan as JSON' })
    .example('atlas plan mixture --coefficients results/regmix/coefficients.json --target pile_cc --config configs/regmix.yaml --where "set == test_1B"', 'best mixture for Pile-CC, and where the 1B runs\' best mixture ranks under the law') as unknown as Argv<MixtureArgs>,
  handler: async (args) => {
    const artifact = readArtifact(args.coefficients);
    const targets = namedNumbers('target', args.target, true);
    const request: MixtureRequest = { targets, maxEpochs: positive('max-epochs', args['max-epochs']), starts: Math.max(0, Math.floor(args.starts)), seed: args.seed };
    if (args.budget !== undefined) request.budget = positive('budget', args.budget);
    if (args['unique-tokens']) request.uniqueTokens = namedNumbers('unique-tokens', args['unique-tokens'], false);
    if (args.params !== undefined) request.params = positive('params', args.params);
    if (args.tokens !== undefined) request.tokens = positive('tokens', args.tokens);
    const bootstrapPath = args.bootstrap ?? join(dirname(args.coefficients), 'bootstrap.csv');
    if (args.bootstrap !== undefined || existsSync(bootstrapPath)) {
      let text: string;
      try {
        text = readFileSync(bootstrapPath, 'utf8');
      } catch (error) {
        throw new InputError(`${bootstrapPath}: --bootstrap: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      const draws = parseBootstrapDraws(text, bootstrapPath);
      request.draws = Object.fromEntries(Object.keys(targets).map((t) => [t, draws[artifact.groups ? t : ''] ?? []]));
    }
    const candidates = args.config || args.data
      ? (await loadTable({ data: args.data, config: args.config, languages: args.languages, map: args.map, where: args.where, allowOutside: args['allow-outside'] })).table
      : undefined;
    const plan = planMixture(artifact, request, candidates);
    emit(args.json, plan, formatMixturePlan(plan));
  },
};

/** `atlas plan …` */
export const planCommand: CommandModule<object, object> = {
  command: 'plan',
  describe: 'decisions from fitted laws: languages ↔ model size and data; pretrain or finetune; co-training partners; training mixture',
  builder: (y: Argv) => y
    .command(languages as CommandModule<object, any>)
    .command(finetune as CommandModule<object, any>)
    .command(cotrain as CommandModule<object, any>)
    .command(mixture as CommandModule<object, any>)
    .demandCommand(1, 'name a decision: languages, finetune, cotrain or mixture'),
  handler: () => {},
};
