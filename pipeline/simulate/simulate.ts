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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError, type LanguageInfo, type RunTable } from '../io/types.ts';
import { getLaw } from '../laws/index.ts';
import { LAMBDA_INIT } from '../laws/atlas.ts';
import { ingestText } from '../ingest/ingest.ts';
import { Random, deriveSeed } from '../fitting/random.ts';
import { shipped } from '../io/shipped.ts';

/** One experiment of a design: mixtures crossed with a scale set. */
export interface Experiment {
  name: string;
  /** One monolingual run per language. */
  mono?: string[];
  /** 50/50 bilingual runs for every unordered pair of these languages. */
  all_pairs?: string[];
  /** 50/50 bilingual runs for these pairs. */
  pairs?: [string, string][];
  /** Uniform mixtures named in the design's `capacity` block. */
  uniform?: string[];
  /** The Unimax mixture. */
  unimax?: boolean;
  /** Monolingual finetunes from `base`'s run of the same scale (a base experiment has one mixture), one per language. */
  finetune?: string[];
  base?: string;
  scales: string;
  /** Runs per mixture and scale (distinct seeds). @default 1 */
  seeds?: number;
  /** Steps of this experiment (finetunes: steps after the base). @default design.steps */
  steps?: number;
}

/** A study design (see `configs/designs/atlas-774.yaml`). */
export interface StudyDesign {
  name: string;
  sequence_length: number;
  batch_sequences: { below: number; sequences: number }[];
  steps: number;
  checkpoint_every: number;
  scales: Record<string, number>;
  scale_sets: Record<string, number[]>;
  eval_languages: string[];
  languages: Record<string, { unique_tokens?: number; family?: string; script?: string; name?: string }>;
  capacity: Record<string, string[]>;
  unimax: Record<string, number>;
  experiments: Experiment[];
}

/** Known coefficients: a law, its options and natural-scale parameter values. */
export interface Truth {
  schema: 'atlas.truth/1';
  law: string;
  law_options: Record<string, unknown>;
  params: Record<string, number>;
  /** Where each value comes from. */
  sources?: Record<string, string>;
}

/** One simulated training run. */
export interface SimRun {
  id: string;
  params: number;
  langs: string[];
  weights: number[];
  /** Tokens per optimiser step. */
  tokensPerStep: number;
  steps: number;
  evalLangs: string[];
  seed: number;
  base?: { id: string; tokens: number };
  experiment: string;
}

export interface SimulateOptions {
  /** σ of the multiplicative log-normal noise. @default 0.01 */
  noise?: number;
  /** @default 0 */
  seed?: number;
  /** Steps between checkpoints (overrides the design). */
  checkpointEvery?: number;
  /** Copies of every run (distinct run ids and noise), to scale the log. @default 1 */
  replicates?: number;
  /** Keep only runs of these experiments. */
  experiments?: string[];
}

export interface Simulation {
  csv: string;
  /** Languages table (CSV) of the design, for `--languages`. */
  languagesCsv: string;
  table: RunTable;
  rows: number;
  runs: number;
}

function fail(where: string, message: string): never {
  throw new InputError(`${where}: ${message}`);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read: ${(error as Error).message}`);
  }
}

/** Parse and check a design file. */
export function loadDesign(path: string): StudyDesign {
  let raw: unknown;
  try {
    raw = parseYaml(readText(path), { merge: true });
  } catch (error) {
    if (error instanceof InputError) throw error;
    fail(`${path}:1`, `design: not YAML: ${(error as Error).message}`);
  }
  return checkDesign(raw, path);
}

/** Validate a parsed design object. */
export function checkDesign(raw: unknown, where = 'design'): StudyDesign {
  const d = raw as StudyDesign;
  if (!d || typeof d !== 'object') fail(where, 'design: expected a mapping');
  const problems: string[] = [];
  const need = (cond: boolean, msg: string) => { if (!cond) problems.push(`${where}: ${msg}`); };
  need(typeof d.name === 'string', 'name: missing');
  need(Number.isFinite(d.sequence_length) && d.sequence_length > 0, 'sequence_length: expected a positive number');
  need(Array.isArray(d.batch_sequences) && d.batch_sequences.length > 0, 'batch_sequences: expected a list');
  need(Number.isInteger(d.steps) && d.steps > 0, 'steps: expected a positive integer');
  need(Number.isInteger(d.checkpoint_every) && d.checkpoint_every > 0, 'checkpoint_every: expected a positive integer');
  need(!!d.scales && typeof d.scales === 'object', 'scales: missing');
  need(!!d.scale_sets && typeof d.scale_sets === 'object', 'scale_sets: missing');
  need(Array.isArray(d.eval_languages), 'eval_languages: expected a list');
  need(Array.isArray(d.experiments) && d.experiments.length > 0, 'experiments: expected a list');
  if (problems.length) throw new InputError(problems);
  d.languages ??= {};
  d.capacity ??= {};
  d.unimax ??= {};
  for (const [k, n] of Object.entries(d.scales)) need(Number.isFinite(n) && n > 0, `scales.${k}: expected a positive parameter count`);
  for (const [k, set] of Object.entries(d.scale_sets)) for (const s of set) need(d.scales[String(s)] !== undefined, `scale_sets.${k}: unknown scale ${s}`);
  d.experiments.forEach((e, i) => {
    const at = `experiments[${i}] (${e?.name ?? '?'})`;
    need(typeof e.name === 'string', `${at}: name missing`);
    need(!!d.scale_sets[e.scales], `${at}: scales: unknown scale set "${e.scales}"`);
    const kinds = ['mono', 'all_pairs', 'pairs', 'uniform', 'unimax', 'finetune'].filter((k) => (e as unknown as Record<string, unknown>)[k] !== undefined);
    need(kinds.length === 1, `${at}: expected exactly one of mono, all_pairs, pairs, uniform, unimax, finetune`);
    for (const m of e.uniform ?? []) need(!!d.capacity[m], `${at}: uniform: unknown mixture "${m}"`);
    if (e.unimax) need(Object.keys(d.unimax).length > 0, `${at}: unimax: the design has no unimax rates`);
    if (e.finetune) need(d.experiments.some((b) => b.name === e.base), `${at}: base: unknown experiment "${String(e.base)}"`);
  });
  if (problems.length) throw new InputError(problems);
  return d;
}

/** Parse a truth file (JSON or YAML). */
export function loadTruth(path: string): Truth {
  let raw: unknown;
  try {
    raw = parseYaml(readText(path));
  } catch (error) {
    if (error instanceof InputError) throw error;
    fail(`${path}:1`, `truth: not JSON/YAML: ${(error as Error).message}`);
  }
  const t = raw as Truth;
  if (!t || typeof t !== 'object' || typeof t.law !== 'string' || !t.params || typeof t.params !== 'object') {
    fail(`${path}:1`, 'truth: expected { law, law_options, params }');
  }
  for (const [k, v] of Object.entries(t.params)) if (!Number.isFinite(v)) fail(`${path}:1`, `params.${k}: not a number`);
  t.law_options ??= {};
  return t;
}

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

// ---------------------------------------------------------------------------------------------
// The truth of configs/truth/atlas-774.json, computed from the paper's published numbers.

function readCsv(path: string): string[][] {
  return readText(path).trim().split(/\r?\n/).map((l) => l.split(','));
}

/** BTS → transfer weight for a 50/50 pair: D_eff = (1 + tau)·d/2 and BTS = 2 − d_bi/d_mono give tau = BTS/(2 − BTS). */
export function tauFromBts(bts: number): number {
  return bts / (2 - bts);
}

/** The transfer matrix (Fig. C.2): `matrix.get(target).get(source)` = BTS. */
export function readTransferMatrix(path: string): Map<string, Map<string, number>> {
  const rows = readCsv(path);
  const sources = rows[0].slice(1);
  const matrix = new Map<string, Map<string, number>>();
  for (const row of rows.slice(1)) {
    const m = new Map<string, number>();
    row.slice(1).forEach((v, k) => { if (v.trim() !== '') m.set(sources[k], Number(v)); });
    matrix.set(row[0], m);
  }
  return matrix;
}

/** Folder of the ATLAS paper's published numbers (shipped with the package). */
export function atlasPaperDir(): string {
  return shipped('datasets', 'atlas-paper');
}

/**
 * Truth for the ATLAS design, from published values:
 * - E, A, B, alpha, beta: Table C.1, English, monolingual vocabulary and data (A = e^lnA, B = e^lnB);
 * - lambda = 1/R_D* with Muennighoff et al.'s R_D* = 15.387756 (the digest's §1.1 equivalence);
 * - tau_<s>: the mean over the design's evaluation languages t (rows of the Fig. C.2 matrix) of
 *   BTS_{s→t}/(2 − BTS_{s→t});
 * - tau_other: the pooled weight that makes a uniform K-language mixture's D_eff/D_t = 1 + (K−1)·tau
 *   match the curse law's K^(−psi/beta) (psi/beta from the Fig. 5 total-token multipliers
 *   r^(1+psi/beta)), least squares in log over the design's capacity mixtures. (The matrix's own
 *   mean BTS is negative; as a pooled weight over tens of languages it would drive D_eff below
 *   zero, whereas the curse law shows net positive transfer.)
 * Languages of the design without a row/column in the matrix get tau_other.
 */
export function buildAtlasTruth(design: StudyDesign, dir = atlasPaperDir()): Truth {
  const c1 = readCsv(join(dir, 'table_c1_monolingual_fits.csv'));
  const head = c1[0];
  const en = c1.find((r) => r[0] === 'mono-vocab-mono-data' && r[1] === 'en');
  if (!en) throw new InputError(`${dir}/table_c1_monolingual_fits.csv: no English mono-vocab row`);
  const col = (name: string) => Number(en[head.indexOf(name)]);
  const matrix = readTransferMatrix(join(dir, 'transfer_matrix_38x38.csv'));
  const mult = readCsv(join(dir, 'curse_fig5_multipliers.csv'));
  const mh = mult[0];
  const ratios = mult.slice(1).map((r) => Math.log(Number(r[mh.indexOf('total_tokens_multiplier')])) / Math.log(Number(r[mh.indexOf('languages_factor')])) - 1);
  const psiOverBeta = ratios.reduce((s, v) => s + v, 0) / ratios.length;
  const ks = Object.values(design.capacity).map((l) => l.length);
  const objective = (tau: number) => ks.reduce((s, K) => s + (Math.log(1 + (K - 1) * tau) + psiOverBeta * Math.log(K)) ** 2, 0);
  // golden-section search on [0, 1]
  let lo = 0;
  let hi = 1;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 200; it++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (objective(a) < objective(b)) hi = b; else lo = a;
  }
  const tauOther = (lo + hi) / 2;
  const params: Record<string, number> = {
    E: col('E'), A: Math.exp(col('lnA')), B: Math.exp(col('lnB')), alpha: col('alpha'), beta: col('beta'),
    lambda: LAMBDA_INIT, tau_other: tauOther,
  };
  const sources: Record<string, string> = {
    E: 'Table C.1 (en, mono vocab, mono data)', A: 'Table C.1 e^lnA', B: 'Table C.1 e^lnB', alpha: 'Table C.1', beta: 'Table C.1',
    lambda: '1/R_D*, R_D* = 15.387756 (Muennighoff et al. 2023)',
    tau_other: `fit of 1 + (K-1) tau = K^(-psi/beta) over the capacity mixtures, psi/beta = ${psiOverBeta.toFixed(4)} from Fig. 5`,
  };
  const targets = design.eval_languages.filter((t) => matrix.has(t));
  const langs = new Set<string>();
  for (const e of design.experiments) for (const l of [...(e.mono ?? []), ...(e.finetune ?? []), ...(e.all_pairs ?? []), ...(e.pairs ?? []).flat()]) langs.add(l);
  for (const m of Object.values(design.capacity)) for (const l of m) langs.add(l);
  for (const l of Object.keys(design.unimax)) langs.add(l);
  for (const s of [...langs].sort()) {
    const values = targets.filter((t) => t !== s && matrix.get(t)!.has(s)).map((t) => tauFromBts(matrix.get(t)!.get(s)!));
    if (values.length) {
      params[`tau_${s}`] = values.reduce((x, y) => x + y, 0) / values.length;
      sources[`tau_${s}`] = `mean of BTS/(2-BTS) over targets ${targets.filter((t) => t !== s).join(' ')} (Fig. C.2)`;
    } else {
      params[`tau_${s}`] = tauOther;
      sources[`tau_${s}`] = 'not in Fig. C.2: tau_other';
    }
  }
  return { schema: 'atlas.truth/1', law: 'atlas', law_options: { terms: 'target,other,transfer' }, params, sources };
}
