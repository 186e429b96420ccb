/**
 * Core data types shared by every stage.
 *
 * A run log is held column-wise (`RunTable`): numeric columns are Float64Arrays, string columns are
 * arrays of interned strings. This keeps a million-row log within a few hundred megabytes and lets
 * laws build their numeric designs without per-row objects.
 */

/** Training mixture of one row: languages and their sampling weights (sum 1). */
export interface Mixture {
  /** Canonical text `lang:weight;lang:weight` (languages sorted), identical for equal mixtures. */
  readonly key: string;
  readonly langs: readonly string[];
  readonly weights: readonly number[];
}

/** One language of the languages table (`--languages F`). */
export interface LanguageInfo {
  lang: string;
  /** Unique tokens available for this language; undefined = unlimited. */
  uniqueTokens?: number;
  script?: string;
  family?: string;
  name?: string;
}

export type LanguageTable = ReadonlyMap<string, LanguageInfo>;

/** Where a table's rows came from. */
export interface SourceFile {
  /** Path as given by the user (relative paths stay relative). */
  path: string;
  sha256: string;
  rows: number;
}

/**
 * A validated, normalised run log: one entry per (run, checkpoint, evaluation language).
 * All arrays have length `rows`. Optional numeric columns hold NaN where absent.
 */
export interface RunTable {
  rows: number;
  runId: string[];
  /** N: parameters counted by the law. */
  params: Float64Array;
  /** D: total training tokens seen at this checkpoint. */
  tokens: Float64Array;
  /** Evaluation loss (> 0). */
  loss: Float64Array;
  evalLang: string[];
  /** Training mixture (shared object per distinct mixture). */
  mixture: Mixture[];
  /**
   * U per language for this row: from the `unique_tokens` column, else the languages table;
   * a language missing from the map is unlimited. A single number in the column maps to the
   * row's only mixture language (or eval_lang).
   */
  uniqueTokens: ReadonlyMap<string, number>[];
  kind: ('pretrain' | 'finetune')[];
  baseRun: (string | null)[];
  /** Tokens of the base run at the start of a finetune; NaN when absent. */
  baseTokens: Float64Array;
  step: Float64Array;
  seed: (string | null)[];
  /** Training FLOPs; 6·N·D when the column is absent. */
  flops: Float64Array;
  /** Explicit split that overrides hold-out rules; null when absent. */
  split: ('train' | 'heldout' | null)[];
  /** 1-based line number of the row in its source file (for messages). */
  line: Int32Array;
  /** Index into `sources` of the row's file. */
  source: Int32Array;
  sources: SourceFile[];
  languages: LanguageTable;
}

/** Bad user input: every problem as `FILE:LINE: column: message`. Commands map it to exit code 2. */
export class InputError extends Error {
  readonly problems: string[];
  constructor(problems: string[] | string) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.join('\n'));
    this.name = 'InputError';
    this.problems = list;
  }
}

/** A run that failed (no convergence, tolerance not met). Commands map it to exit code 1. */
export class RunFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailure';
  }
}
