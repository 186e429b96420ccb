/**
 * The dataset/fit config (`--config F`, `configs/<dataset>.yaml`): where the run logs are, how
 * their columns map onto SPEC §1, which rows to keep, and how to fit them.
 *
 * ```yaml
 * description: Hoffmann et al. (2022) Fig. 4 as digitised by Epoch AI
 * data: [../datasets/epoch-chinchilla/chinchilla_fig4_ND.csv]   # relative to this file
 * languages: ../datasets/x/languages.csv                        # optional languages table
 * columns: { run_id: row, params: N_params, tokens: D_billions*1e9 }
 * values: { kind: { mono: pretrain, multi: pretrain } }          # rewrite cell values
 * where: ["epoch_excluded_outlier == 0"]                        # row filters on source columns
 * mixture_tolerance: 5.0e-5                                     # widen the ±1e-6 of SPEC §1
 * law: chinchilla
 * law_options: { tokens: total }
 * fit: { objective: huber, delta: 1.0e-3, starts: grid }
 * holdout: top-params:0.2
 * group_by: eval_lang
 * share: [alpha, beta, E]                                       # with group_by: one joint fit
 * ```
 *
 * Every key is optional and unknown keys are errors (`.strict()`). Types come from `z.infer`.
 */
import { z } from 'zod';
import { SPEC_COLUMNS } from '../ingest/ingest.ts';
import { MAX_BOOTSTRAP, MAX_ITERATIONS, MAX_STARTS, maxThreads, reservedNameProblem } from './limits.ts';

const Name = z.string().min(1, { error: 'expected a non-empty string' })
  .refine((name) => reservedNameProblem(name) === null, { error: 'this name cannot be used (it is a built-in property name)' });

/** A string, or a number written where a string is meant (YAML `seed: 1` in a values map). */
const Text = z.union([z.string(), z.number().transform(String)], { error: 'expected a string' });

/**
 * A parameter value: a number, or `exp(NUMBER)` for an amplitude published in log space
 * (`A: exp(6.255414)`), so that configs quote the source's digits instead of a conversion.
 */
export const ParamValue = z.union([
  z.number(),
  z.string()
    .regex(/^\s*exp\(\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*\)\s*$/)
    .transform((text) => Math.exp(Number(text.trim().slice(4, -1)))),
], { error: 'expected a number or exp(NUMBER)' });

/** Fit options as a config writes them (FitOptions names; every key optional). */
export const FitOptionsSchema = z
  .object({
    objective: z.enum(['huber', 'lsq', 'lsq-linear']),
    delta: z.number().positive().finite(),
    starts: z.union([z.literal('grid'), z.literal('init'), z.number().int().positive().max(MAX_STARTS)], {
      error: `expected grid, init or a positive whole number of random starts (at most ${MAX_STARTS})`,
    }),
    fix: z.record(Name, ParamValue),
    tie: z.record(Name, Name),
    init: z.record(Name, ParamValue),
    grid: z.record(Name, z.array(z.number()).min(1)),
    bootstrap: z.number().int().min(0).max(MAX_BOOTSTRAP),
    seed: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
    maxIterations: z.number().int().positive().max(MAX_ITERATIONS),
    threads: z.number().int().positive().max(maxThreads(), { error: `expected at most ${maxThreads()} threads (4 per core)` }),
    /** Checkpoint policy: all | final | drop-early:F | tokens>=X. */
    checkpoints: z.string().regex(/^\s*(?:all|final|drop-early:\s*(?:0(?:\.\d*)?|\.\d+)|tokens\s*>=\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*[kKMBGT]?)\s*$/, {
      error: 'expected all, final, drop-early:F (0 ≤ F < 1) or tokens>=X (e.g. tokens>=2e6)',
    }),
  })
  .partial()
  .strict();

const SpecColumn = z.enum(SPEC_COLUMNS);

const ShareList = z.union([Name, z.array(Name)], { error: 'expected a comma-separated list or a list of parameter names' });

/** One backtest candidate (docs/backtest.md). */
const CandidateSchema = z
  .object({
    law: Name,
    law_options: z.record(z.string(), z.unknown()),
    checkpoints: FitOptionsSchema.shape.checkpoints.unwrap(),
    share: z.union([ShareList, z.null()]),
    fit: FitOptionsSchema,
  })
  .partial()
  .required({ law: true })
  .strict();

/**
 * The `backtest:` block: explicit `candidates`, or the product of `laws` × `checkpoints` ×
 * `shares` (each defaulting to the documented list), plus the hold-outs and their fraction.
 */
export const BacktestSchema = z
  .object({
    candidates: z.array(CandidateSchema).min(1),
    laws: z.array(Name).min(1),
    checkpoints: z.array(FitOptionsSchema.shape.checkpoints.unwrap()).min(1),
    /** Sharing choices: `none` or a list of parameters, e.g. [none, "alpha,beta,E"]. */
    shares: z.array(z.union([ShareList, z.null()])).min(1),
    holdouts: z.array(z.enum(['top-params', 'top-tokens'])).min(1),
    fraction: z.number().gt(0).lt(1),
  })
  .partial()
  .strict();

/** The config file's schema. */
export const ConfigSchema = z
  .object({
    /** Free text shown in reports. */
    description: z.string(),
    /** Run-log CSV files, relative to the config file. */
    data: z.union([Name, z.array(Name).min(1)], { error: 'expected a path or a list of paths' }),
    /** Languages table CSV, relative to the config file. */
    languages: Name,
    /** SPEC column → source column (optionally `*`/`/` numeric constants). */
    columns: z.partialRecord(SpecColumn, Name),
    /** SPEC column → { source value → value }. */
    values: z.partialRecord(SpecColumn, z.record(z.string(), Text)),
    /** Row filters on source columns (`step > 0`). */
    where: z.union([Name, z.array(Name)], { error: 'expected a filter or a list of filters' }),
    /** Allowed |Σ mixture weights − 1| (default 1e-6); within it weights are renormalised. */
    mixture_tolerance: z.number().min(0).max(0.5),
    law: Name,
    /** Free-form options passed to the law (`terms`, `tokens`, `transferLanguages` …). */
    law_options: z.record(z.string(), z.unknown()),
    fit: FitOptionsSchema,
    /** Hold-out spec (SPEC §2) or `none`. */
    holdout: z.union([Name, z.null()]),
    /** `eval_lang` (one fit per language) or `none`. */
    group_by: z.union([Name, z.null()]),
    /** With group_by: parameters common to every group in one joint fit (`alpha,beta,E` or a list). */
    share: ShareList,
    /** Backtest candidates and hold-outs (`atlas backtest`, `atlas fit --law auto`). */
    backtest: BacktestSchema,
  })
  .partial()
  .strict();

export type ConfigInput = z.infer<typeof ConfigSchema>;
