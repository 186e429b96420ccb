/**
 * Study designs and truths for `atlas simulate`: the YAML design (model scales, language sets,
 * mixtures, checkpoints) and the JSON truth (law coefficients), each checked with file and key in
 * every message.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { InputError, type RunTable } from '../io/types.ts';

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

export function fail(where: string, message: string): never {
  throw new InputError(`${where}: ${message}`);
}

export function readText(path: string): string {
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
