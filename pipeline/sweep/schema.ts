/**
 * The sweep config (`atlas sweep CONFIG`): a YAML file that lists job blocks, each a matrix of axes
 * whose product is a set of jobs.
 *
 * ```yaml
 * sweep: chinchilla-grid            # name: results go to results/<sweep>/ (default: file name)
 * defaults:                         # merged under every fit block
 *   fit: { starts: init, bootstrap: 0 }
 * jobs:
 *   - kind: fit
 *     matrix:
 *       config: [../epoch-chinchilla.yaml, ../datablations.yaml]   # datasets (fit configs) …
 *       law: [chinchilla, data-constrained]
 *       holdout: [none, "top-params:0.2"]
 *       fit: { huber: { objective: huber }, lsq: { objective: lsq } }  # named option variants
 *       group_by: [none, eval_lang]
 *     exclude: [{ law: data-constrained, holdout: none }]
 *   - kind: reproduce
 *     targets: all                  # every registered reproduce target, or a list of names
 * ```
 *
 * A top-level `matrix:` (with `fit`, `law_options`, `exclude` beside it) is shorthand for a single
 * fit block. Unknown keys are errors. Paths (`config`, `data`, `languages`) are relative to the
 * sweep file.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, extname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Pair } from 'yaml';
import { z } from 'zod';
import { InputError } from '../io/types.ts';
import { FitOptionsSchema } from '../config/schema.ts';
import { reservedKeyProblems } from '../config/load.ts';

/** Fit options as a config may write them: the same schema as a dataset config's `fit:` block. */
export { FitOptionsSchema };

/** `none` / null: the axis value "not set" (no hold-out, pooled fit). */
const Nullable = z.union([z.string(), z.null()]);

/** An axis is a list of values, or a map `name: value` whose names appear in job names. */
function axis<T extends z.ZodType>(value: T) {
  return z.union([z.array(value).min(1), z.record(z.string(), value)]);
}

const FitMatrixSchema = z
  .object({
    /** Fit configs (datasets): each names data, columns, law options … (pipeline/config/load.ts). */
    config: axis(z.string()),
    /** Raw run-log files (one dataset per entry; a list entry may itself be a list of files). */
    data: axis(z.union([z.string(), z.array(z.string()).min(1)])),
    law: axis(z.string()),
    holdout: axis(Nullable),
    group_by: axis(Nullable),
    /** Fit option variants, each merged over the block's `fit`. */
    fit: axis(FitOptionsSchema),
    /** Law option variants (e.g. atlas `terms`). */
    law_options: axis(z.record(z.string(), z.unknown())),
  })
  .partial()
  .strict();

const FitBlockBase = {
  matrix: FitMatrixSchema.default({}),
  /** Fixed values for every job of the block (under the matrix values). */
  config: z.string().optional(),
  data: z.array(z.string()).optional(),
  languages: z.string().optional(),
  map: z.record(z.string(), z.string()).optional(),
  law: z.string().optional(),
  law_options: z.record(z.string(), z.unknown()).optional(),
  holdout: Nullable.optional(),
  group_by: Nullable.optional(),
  fit: FitOptionsSchema.optional(),
  /** Combinations to drop: every listed axis must match (values as written, or variant names). */
  exclude: z.array(z.record(z.string(), z.unknown())).optional(),
};

export const FitBlockSchema = z.object({ kind: z.literal('fit'), ...FitBlockBase }).strict();

export const ReproduceBlockSchema = z
  .object({
    kind: z.literal('reproduce'),
    /** `all` (every registered target) or target names. */
    targets: z.union([z.literal('all'), z.array(z.string()).min(1)]).default('all'),
    /** Passed to the targets: fewer bootstrap samples / starts where a target supports it. */
    quick: z.boolean().default(false),
    seed: z.number().int().default(0),
  })
  .strict();

/** Any other job kind (registered by a plugin module): its fields are checked by the kind itself. */
export const OtherBlockSchema = z
  .object({ kind: z.string(), matrix: z.record(z.string(), z.unknown()).optional() })
  .passthrough();

export const SweepSchema = z
  .object({
    sweep: z.string().regex(/^(?!\.)[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only, not starting with a dot (the name is a folder under the output folder)').optional(),
    /** Output folder (relative to the working directory). @default results/<sweep> */
    out: z.string().optional(),
    /** Build `<out>/report.html` (the report stage) when every job is done. @default false */
    report: z.boolean().optional(),
    defaults: z
      .object({
        fit: FitOptionsSchema.optional(),
        law_options: z.record(z.string(), z.unknown()).optional(),
        holdout: Nullable.optional(),
        group_by: Nullable.optional(),
      })
      .strict()
      .optional(),
    jobs: z.array(z.record(z.string(), z.unknown())).optional(),
    ...FitBlockBase,
    matrix: FitMatrixSchema.optional(),
  })
  .strict();

export type FitBlock = z.infer<typeof FitBlockSchema>;
export type ReproduceBlock = z.infer<typeof ReproduceBlockSchema>;
export type OtherBlock = z.infer<typeof OtherBlockSchema>;
export type SweepBlock = FitBlock | ReproduceBlock | OtherBlock;

/** A loaded sweep config. */
export interface SweepConfig {
  /** Path as given. */
  path: string;
  /** Folder of the sweep file (config-relative paths resolve against it). */
  dir: string;
  /** sha256 of the file's bytes. */
  sha256: string;
  name: string;
  out: string | null;
  report: boolean;
  defaults: NonNullable<z.infer<typeof SweepSchema>['defaults']>;
  blocks: SweepBlock[];
  /** Let the sweep's paths leave its folder, and `out` leave the working directory (`--allow-outside`). */
  allowOutside?: boolean;
  /** Line of the first value `value` under a key named `key` (1 when not found), for messages. */
  line?: (key: string, value?: string) => number;
}

/** Line (1-based) of the YAML node at `path` (or of its nearest ancestor; of the key `key` inside it). */
function lineOf(doc: Document, counter: LineCounter, path: (string | number)[], key?: string): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (!node || !node.range) continue;
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((item: Pair<unknown, unknown>) => isScalar(item.key) && item.key.value === key);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return counter.linePos(range[0]).line;
    }
    return counter.linePos(node.range[0]).line;
  }
  return 1;
}

function zodProblems(file: string, prefix: (string | number)[], error: z.ZodError, doc: Document, counter: LineCounter): string[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    const line = lineOf(doc, counter, path, keys[0]);
    const where = [...path, ...keys.slice(0, 1)].map(String).join('.');
    return `${file}:${line}: ${where || '(top level)'}: ${issue.message}`;
  });
}

/**
 * The block with its matrix axes in the order the file declares them (schema parsing orders keys
 * by the schema): the product, and so job names and order, follow the file.
 */
function withMatrixOrder<T extends SweepBlock>(block: T, raw: object | undefined): T {
  const matrix = (block as { matrix?: Record<string, unknown> }).matrix;
  if (!matrix || !raw) return block;
  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) if (key in matrix) ordered[key] = matrix[key];
  for (const key of Object.keys(matrix)) if (!(key in ordered)) ordered[key] = matrix[key];
  return { ...block, matrix: ordered };
}

/** Parse and check a sweep config's text; `path` is used in messages and for relative paths. */
export function parseSweep(text: string, path: string): SweepConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  if (doc.errors.length > 0) {
    throw new InputError(doc.errors.map((error) => `${path}:${error.linePos?.[0]?.line ?? 1}: yaml: ${error.message.split('\n')[0]}`));
  }
  const reserved = reservedKeyProblems(path, doc, counter);
  if (reserved.length > 0) throw new InputError(reserved);
  let raw: unknown;
  try {
    // Aliases expand at most 100 times: a "billion laughs" file is refused, not expanded.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(`${path}:1: yaml: ${(error as Error).message.split('\n')[0]} (aliases may expand at most 100 times)`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${path}:1: (top level): expected a mapping with jobs: or matrix:`);
  }
  const top = SweepSchema.safeParse(raw);
  if (!top.success) throw new InputError(zodProblems(path, [], top.error, doc, counter));
  const value = top.data;
  const problems: string[] = [];
  const blocks: SweepBlock[] = [];
  const { sweep, out, report, defaults, jobs, ...shorthand } = value;
  const hasShorthand = Object.values(shorthand).some((v) => v !== undefined);
  if (hasShorthand) {
    const parsed = FitBlockSchema.safeParse({ kind: 'fit', ...shorthand });
    if (!parsed.success) problems.push(...zodProblems(path, [], parsed.error, doc, counter));
    else blocks.push(withMatrixOrder(parsed.data, (raw as { matrix?: object }).matrix));
  }
  (jobs ?? []).forEach((block, index) => {
    const kind = block.kind;
    const schema = kind === 'fit' ? FitBlockSchema : kind === 'reproduce' ? ReproduceBlockSchema : OtherBlockSchema;
    const parsed = schema.safeParse(block);
    if (!parsed.success) problems.push(...zodProblems(path, ['jobs', index], parsed.error, doc, counter));
    else blocks.push(withMatrixOrder(parsed.data as SweepBlock, (block as { matrix?: object }).matrix));
  });
  if (problems.length === 0 && blocks.length === 0) problems.push(`${path}:1: jobs: the sweep has no jobs (add jobs: or matrix:)`);
  if (problems.length > 0) throw new InputError(problems);
  return {
    path,
    dir: dirname(resolve(path)),
    sha256: createHash('sha256').update(text).digest('hex'),
    name: sweep ?? basename(path, extname(path)),
    out: out ?? null,
    report: report ?? false,
    defaults: defaults ?? {},
    blocks,
    line: (key: string, value?: string) => keyLine(doc, counter, key, value),
  };
}

/** Line of the first pair `key: value` (or `key: [… value …]`) anywhere in the file; 1 when none. */
function keyLine(doc: Document, counter: LineCounter, key: string, value?: string): number {
  let found: number | null = null;
  visit(doc, {
    Pair(_, pair) {
      if (found !== null || !isScalar(pair.key) || pair.key.value !== key) return undefined;
      const node = pair.value as { range?: [number, number, number]; items?: unknown[] } | null;
      if (value !== undefined) {
        const scalars = isScalar(node) ? [node] : isSeq(node) ? node.items.filter(isScalar) : isMap(node) ? node.items.map((p) => (p as Pair).value).filter(isScalar) : [];
        const hit = scalars.find((item) => String(item.value) === value);
        if (!hit) return undefined;
        if (hit.range) found = counter.linePos(hit.range[0]).line;
      } else if (pair.key.range) {
        found = counter.linePos(pair.key.range[0]).line;
      }
      return found !== null ? visit.BREAK : undefined;
    },
  });
  return found ?? 1;
}

/** Read, parse and check a sweep config file. */
export function loadSweep(path: string): SweepConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseSweep(text, path);
}
