/**
 * Synthetic run logs from a study design and known coefficients (`atlas simulate`).
 *
 * A *design* (YAML, e.g. `configs/designs/atlas-774.yaml`) lists model scales with their
 * parameter counts, batch sizes, languages with unique tokens and families, mixtures and an
 * inventory of experiments (mono, bilingual pairs, uniform capacity mixtures, Unimax, finetunes
 * from a base run). A *truth* (JSON, e.g. `configs/truth/atlas-774.json`) names a law, its law
 * options and natural-scale parameter values. The simulator expands the design into runs and
 * checkpoints, evaluates the law exactly as a fit would (same K_t rule, same D_eff) and multiplies
 * every loss by log-normal noise exp(σ·z), z ~ N(0, 1) from a seeded stream. Output is a SPEC §1
 * CSV plus the design's languages table; the same seed gives the same bytes.
 *
 * `buildAtlasTruth` computes the shipped truth from the paper's published numbers (Table C.1,
 * the Fig. C.2 transfer matrix, the Fig. 5 multipliers), so no coefficient is typed in.
 */
import { join } from 'node:path';
import { InputError, type LanguageInfo, type RunTable } from '../io/types.ts';
import { getLaw } from '../laws/index.ts';
import { ingestText } from '../ingest/ingest.ts';
import { Random, deriveSeed } from '../fitting/random.ts';
import { shipped } from '../io/shipped.ts';
import { fail, type Experiment, type SimRun, type SimulateOptions, type Simulation, type StudyDesign, type Truth } from './design.ts';

export { checkDesign, loadDesign, loadTruth, type Experiment, type SimRun, type SimulateOptions, type Simulation, type StudyDesign, type Truth } from './design.ts';
export { tauFromBts, readTransferMatrix, atlasPaperDir, buildAtlasTruth } from './atlas_truth.ts';

/** Tokens per step of a model with N parameters (Table B.2 batch sizes × sequence length). */
export function tokensPerStep(design: StudyDesign, params: number): number {
  for (const b of design.batch_sequences) if (params < Number(b.below)) return b.sequences * design.sequence_length;
  return design.batch_sequences[design.batch_sequences.length - 1].sequences * design.sequence_length;
}

/** Expand the design's experiments into runs. */
export function expandRuns(design: StudyDesign, options: Pick<SimulateOptions, 'replicates' | 'experiments'> = {}): SimRun[] {
  const runs: SimRun[] = [];
  const evalSet = new Set(design.eval_languages);
  const replicates = options.replicates ?? 1;
  const unimaxLangs = Object.keys(design.unimax).sort();
  const unimaxSum = unimaxLangs.reduce((s, l) => s + design.unimax[l], 0);
  /** `experiment|scale|replicate` → the run finetunes of that scale start from. */
  const byId = new Map<string, SimRun>();
  for (const e of design.experiments) {
    if (options.experiments && !options.experiments.includes(e.name) && !design.experiments.some((x) => x.finetune && x.base === e.name && options.experiments!.includes(x.name))) continue;
    const mixtures: { tag: string; langs: string[]; weights: number[] }[] = [];
    const uniform = (tag: string, langs: string[]) => {
      const sorted = [...langs].sort();
      mixtures.push({ tag, langs: sorted, weights: sorted.map(() => 1 / sorted.length) });
    };
    for (const l of e.mono ?? []) uniform(l, [l]);
    for (const l of e.finetune ?? []) uniform(l, [l]);
    const pairList: [string, string][] = [...(e.pairs ?? [])];
    if (e.all_pairs) for (let i = 0; i < e.all_pairs.length; i++) for (let j = i + 1; j < e.all_pairs.length; j++) pairList.push([e.all_pairs[i], e.all_pairs[j]]);
    for (const [a, b] of pairList) uniform(`${a}-${b}`, [a, b]);
    for (const m of e.uniform ?? []) uniform(m, design.capacity[m]);
    if (e.unimax) mixtures.push({ tag: 'unimax', langs: unimaxLangs, weights: unimaxLangs.map((l) => design.unimax[l] / unimaxSum) });
    const seeds = e.seeds ?? 1;
    for (const scale of design.scale_sets[e.scales]) {
      const params = design.scales[String(scale)];
      const tps = tokensPerStep(design, params);
      for (const m of mixtures) {
        for (let s = 0; s < seeds; s++) {
          for (let r = 0; r < replicates; r++) {
            const suffix = (seeds > 1 ? `-seed${s}` : '') + (replicates > 1 ? `-r${r}` : '');
            const id = `${e.name}-${m.tag}-s${scale}${suffix}`;
            const inEval = m.langs.filter((l) => evalSet.has(l));
            const run: SimRun = {
              id,
              params,
              langs: m.langs,
              weights: m.weights,
              tokensPerStep: tps,
              steps: e.steps ?? design.steps,
              evalLangs: inEval.length ? inEval : m.langs,
              seed: s,
              experiment: e.name,
            };
            if (e.finetune) {
              const base = byId.get(`${e.base}|${scale}|${r}`);
              if (!base) fail('design', `${e.name}: base experiment ${e.base} has no run at scale ${scale} (list it before ${e.name}, with one mixture)`);
              run.base = { id: base.id, tokens: base.steps * base.tokensPerStep };
            }
            runs.push(run);
            // the base a finetune of this scale starts from: the experiment's only mixture, first seed
            if (mixtures.length === 1 && s === 0) byId.set(`${e.name}|${scale}|${r}`, run);
          }
        }
      }
    }
  }
  if (options.experiments) return runs.filter((r) => options.experiments!.includes(r.experiment));
  return runs;
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(12)));
}

/** The design's languages table as CSV (`lang,unique_tokens,family,script`). */
export function languagesCsv(design: StudyDesign): string {
  const lines = ['lang,unique_tokens,family,script'];
  for (const l of Object.keys(design.languages).sort()) {
    const info = design.languages[l];
    lines.push([l, info.unique_tokens !== undefined ? num(Number(info.unique_tokens)) : '', info.family ?? '', info.script ?? ''].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function languageMap(design: StudyDesign): Map<string, LanguageInfo> {
  const map = new Map<string, LanguageInfo>();
  for (const [lang, info] of Object.entries(design.languages)) {
    const entry: LanguageInfo = { lang };
    if (info.unique_tokens !== undefined) entry.uniqueTokens = Number(info.unique_tokens);
    if (info.family) entry.family = info.family;
    if (info.script) entry.script = info.script;
    map.set(lang, entry);
  }
  return map;
}

const HEADER = 'run_id,params,tokens,loss,eval_lang,mixture,unique_tokens,kind,base_run,base_tokens,step,seed';

/**
 * Simulate run logs: every run's checkpoints (every `checkpoint_every` steps, the last step
 * always included) × its evaluation languages, with losses from the truth's law and seeded
 * log-normal noise. Deterministic for a given seed.
 */
export function simulate(design: StudyDesign, truth: Truth, options: SimulateOptions = {}): Simulation {
  const noise = options.noise ?? 0.01;
  if (!(noise >= 0) || !Number.isFinite(noise)) throw new InputError(`--noise: expected a number ≥ 0, got ${String(options.noise)}`);
  const every = options.checkpointEvery ?? design.checkpoint_every;
  if (!Number.isInteger(every) || every <= 0) throw new InputError(`--checkpoint-every: expected a positive integer, got ${String(every)}`);
  const replicates = options.replicates ?? 1;
  if (!Number.isInteger(replicates) || replicates < 1) throw new InputError(`--replicates: expected a positive integer, got ${String(replicates)}`);
  const seed = options.seed ?? 0;
  const law = getLaw(truth.law);
  const runs = expandRuns(design, { replicates, experiments: options.experiments });
  const unique = new Map<string, number>();
  for (const [l, info] of Object.entries(design.languages)) if (info.unique_tokens !== undefined) unique.set(l, Number(info.unique_tokens));
  const byId = new Map(runs.map((r) => [r.id, r]));
  const lines: string[] = [HEADER];
  const fields: string[][] = [];
  for (const run of runs) {
    const mixture = run.langs.map((l, k) => `${l}:${num(run.weights[k])}`).join(';');
    const baseLangs = run.base ? byId.get(run.base.id)?.langs ?? [] : [];
    const limited = [...new Set([...run.langs, ...baseLangs])].sort().filter((l) => unique.has(l));
    const uniqueText = limited.map((l) => `${l}:${num(unique.get(l)!)}`).join(';');
    const start = run.base ? run.base.tokens : 0;
    const steps: number[] = [];
    for (let s = every; s < run.steps; s += every) steps.push(s);
    steps.push(run.steps);
    for (const step of steps) {
      const tokens = start + step * run.tokensPerStep;
      for (const lang of run.evalLangs) {
        fields.push([
          run.id, num(run.params), num(tokens), '1', lang, mixture, uniqueText,
          run.base ? 'finetune' : 'pretrain', run.base ? run.base.id : '', run.base ? num(run.base.tokens) : '',
          String(step), String(run.seed),
        ]);
      }
    }
  }
  const skeleton = `${HEADER}\n${fields.map((f) => f.join(',')).join('\n')}\n`;
  const parsed = ingestText(skeleton, `${design.name}.csv`, { mixtureTolerance: 1e-9 });
  const table: RunTable = { ...parsed, languages: languageMap(design) };
  const ctx = law.context(table, truth.law_options as never);
  const specs = law.parameters(ctx);
  const theta = Float64Array.from(specs.map((spec) => {
    const v = truth.params[spec.name] ?? (spec.name.startsWith('tau_') ? truth.params.tau_other : undefined);
    if (v === undefined) throw new InputError(`truth: no value for parameter "${spec.name}" of law ${law.id}`);
    return spec.log ? Math.log(v) : v;
  }));
  const design_ = law.prepare(table, ctx);
  const logLoss = new Float64Array(table.rows);
  law.evaluate(theta, design_, logLoss);
  const rng = new Random(deriveSeed(seed, 0x51a));
  for (let i = 0; i < table.rows; i++) {
    const loss = Math.exp(logLoss[i] + noise * rng.normal());
    table.loss[i] = loss;
    fields[i][3] = String(Number(loss.toPrecision(10)));
    lines.push(fields[i].join(','));
  }
  return { csv: `${lines.join('\n')}\n`, languagesCsv: languagesCsv(design), table, rows: table.rows, runs: runs.length };
}
