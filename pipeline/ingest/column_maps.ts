/**
 * Column maps: how the columns of a log's header reach the SPEC §1 columns. A target column is
 * found under its own name, through a `--map TARGET=SOURCE` entry (a column, a column scaled by
 * constants, a composite `a+b+@line`, or a constant such as `params=70M` or
 * `mixture=en:0.5;de:0.5`), or through a name a log format uses for it (W&B's `_step`).
 *
 * When a required column is missing, the message lists the header and suggests the closest
 * column as the `--map` to type.
 */
import { InputError } from '../io/types.ts';
import { LINE_SOURCE, parseComposite, parseSizeNumber, parseSourceExpression, parseStrictNumber, showCell, type RowFilter } from './expressions.ts';
import { DEFAULT_MIXTURE_TOLERANCE, parseMixture, parseUniqueList } from './mixtures.ts';
import { compileMixtureColumns, isMixtureLayout, type MixtureColumns } from './mixture_columns.ts';

/** SPEC §1 columns, in the order the normalised CSV writes them. */
export const SPEC_COLUMNS = [
  'run_id', 'params', 'tokens', 'loss', 'eval_lang', 'mixture', 'unique_tokens', 'kind',
  'base_run', 'base_tokens', 'step', 'seed', 'flops', 'split',
] as const;
export type SpecColumn = (typeof SPEC_COLUMNS)[number];

export const REQUIRED: readonly SpecColumn[] = ['run_id', 'params', 'tokens', 'loss'];
export const NUMERIC = new Set<SpecColumn>(['params', 'tokens', 'loss', 'base_tokens', 'step', 'flops']);
/** Size and token columns: their cells may carry a k/M/B/T suffix (`70M`, `1.5B`). */
export const SIZED = new Set<SpecColumn>(['params', 'tokens', 'base_tokens', 'flops']);

/** Source names a log format uses for SPEC columns, tried in order when the column is absent. */
export type ColumnAliases = Partial<Record<SpecColumn, readonly string[]>>;

/** The message for a cell that should be a number. */
export function describeNumberProblem(text: string): string {
  if (text.trim() === '') return 'empty (a number is required)';
  const n = parseStrictNumber(text);
  if (Number.isNaN(n)) return `not a number: ${showCell(text)}`;
  return `not a finite number: ${showCell(text)}`;
}

/**
 * Parse repeated `--map K=V` flags into a column map. Throws an InputError naming `--map` for
 * a flag without `=` or with an unknown target column.
 */
export function parseMapFlags(flags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq <= 0 || eq === flag.length - 1) {
      problems.push(`--map: expected TARGET=SOURCE (e.g. params=N_params, or a constant: params=70M), got ${showCell(flag)}`);
      continue;
    }
    const target = flag.slice(0, eq).trim();
    // Own names only: `__proto__` assigned into a plain object would vanish silently.
    if (!(SPEC_COLUMNS as readonly string[]).includes(target)) {
      problems.push(...checkMapTargets({ [target]: '' } as Record<string, string>, '--map').map((p) => p.replace(`"${target}"`, showCell(target))));
      continue;
    }
    out[target] = flag.slice(eq + 1).trim();
  }
  problems.push(...checkMapTargets(out, '--map'));
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/** Problems with the target names of a column map (`where` names the source of the map). */
export function checkMapTargets(map: Record<string, string>, where: string): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(map)) {
    if (!(SPEC_COLUMNS as readonly string[]).includes(key)) {
      const near = closest(key, SPEC_COLUMNS);
      problems.push(`${where}: unknown target column "${key}"${near ? ` (did you mean ${near}?)` : ''} (one of ${SPEC_COLUMNS.join(', ')})`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Suggestions

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Words researchers use for the SPEC columns, for suggestions. */
const SYNONYMS: Partial<Record<string, readonly string[]>> = {
  run_id: ['run', 'name', 'run_name', 'id', 'model'],
  params: ['n', 'parameters', 'num_params', 'n_params', 'model_size', 'size', 'nparams'],
  tokens: ['d', 'num_tokens', 'tokens_seen', 'num_input_tokens_seen', 'train_tokens', 'data'],
  loss: ['train_loss', 'eval_loss', 'val_loss', 'validation_loss', 'train/loss', 'eval/loss'],
  step: ['_step', 'global_step', 'iteration', 'iter'],
};

/**
 * The column of `names` closest to `wanted`: the same name in another case, a known synonym,
 * a name that contains it (`train/loss` for loss), or one within a small edit distance.
 */
export function closest(wanted: string, names: readonly string[]): string | null {
  const w = wanted.toLowerCase();
  const lower = names.map((n) => n.toLowerCase());
  const exact = lower.indexOf(w);
  if (exact >= 0) return names[exact];
  for (const synonym of (Object.hasOwn(SYNONYMS, w) ? SYNONYMS[w] ?? [] : [])) {
    const i = lower.indexOf(synonym);
    if (i >= 0) return names[i];
  }
  const containing = names.filter((_, i) => lower[i].includes(w));
  if (containing.length > 0) return containing.sort((a, b) => Number(!a.toLowerCase().startsWith(w)) - Number(!b.toLowerCase().startsWith(w)) || a.length - b.length)[0];
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(w.length / 3)) + 1;
  names.forEach((name, i) => {
    const d = editDistance(w, lower[i]);
    if (d < bestDistance) { best = name; bestDistance = d; }
  });
  return best;
}

/** ` (columns: a, b, c); type --map tokens=X` or the generic form when nothing is close. */
function missingHint(target: string, names: readonly string[]): string {
  const near = closest(target, names.filter((n) => n !== ''));
  const shown = names.filter((n) => n !== '').join(', ');
  const step = target === 'tokens' && !near ? closest('step', names.filter((n) => n !== '')) : null;
  if (step) return `(columns: ${shown}); type --map tokens=${step}*TOKENS_PER_STEP (e.g. ${step}*524288 for 256 sequences of 2,048 tokens) or give a constant (--map tokens=2B)`;
  const how = near ? `type --map ${target}=${/[\s;"']/.test(near) ? JSON.stringify(near) : near}` : `map one with --map ${target}=COLUMN`;
  return `(columns: ${shown}); ${how}${SIZED.has(target as SpecColumn) ? ` or give a constant (--map ${target}=70M)` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Resolving a header

/** Where a SPEC column's value comes from in a row's fields. */
export interface ColumnRef {
  /** Source column index (−1 for a composite; ≥ the header's length for a constant). */
  index: number;
  /** Composite of source columns joined with `/` (−1 = the row's line number), or null. */
  parts: number[] | null;
  factor: number;
  /** Label for messages: the target name, or `source (as target)`. */
  label: string;
  values: Record<string, string> | null;
  /** Whether the cells may carry a size suffix (`70M`). */
  sized: boolean;
  /** Mixture written in another layout (`wide:…`, `split:…`; see ingest/mixture_columns.ts). */
  mixture?: MixtureColumns;
}

/** The column refs of one file's header, its filters and the constants appended to each row. */
export interface ResolvedHeader {
  cols: Partial<Record<SpecColumn, ColumnRef>>;
  filters: { filter: RowFilter; index: number }[];
  /** Constant cells appended to every row (refs point past the header at them). */
  constants: string[];
  ok: boolean;
}

/** What {@link resolveHeader} needs besides the header. */
export interface HeaderContext {
  map: Record<string, string>;
  values?: Record<string, Record<string, string>>;
  aliases?: ColumnAliases;
  filters: readonly RowFilter[];
  mixtureTolerance?: number;
  /** Report a problem with a header column (the caller adds file and line). */
  report(column: string, message: string): void;
}

/** Whether `expression` is a constant for `target` (and not a column of the header). */
function constantFor(target: SpecColumn, expression: string): { value: string } | { problem: string } | null {
  const text = expression.trim();
  if (SIZED.has(target)) return Number.isFinite(parseSizeNumber(text)) ? { value: text } : null;
  if (NUMERIC.has(target)) return Number.isFinite(parseStrictNumber(text)) ? { value: text } : null;
  if (target === 'mixture' && text.includes(':')) {
    const parsed = parseMixture(text, DEFAULT_MIXTURE_TOLERANCE);
    return typeof parsed === 'string' ? { problem: parsed } : { value: text };
  }
  if (target === 'unique_tokens' && (text.includes(':') || Number.isFinite(parseSizeNumber(text)))) {
    if (!text.includes(':')) return { value: text };
    const parsed = parseUniqueList(text);
    return typeof parsed === 'string' ? { problem: parsed } : { value: text };
  }
  return null;
}

/** Resolve a header (trimmed names) against a column map, format aliases and row filters. */
export function resolveHeader(names: readonly string[], context: HeaderContext): ResolvedHeader {
  const out: ResolvedHeader = { cols: {}, filters: [], constants: [], ok: true };
  const fail = (column: string, message: string): void => { context.report(column, message); out.ok = false; };
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    // Unnamed columns (a pandas index, a trailing comma) are kept and ignored like other extra columns.
    if (name === '') return;
    if (seen.has(name)) fail(name, `column appears twice in the header (columns ${seen.get(name)! + 1} and ${i + 1})`);
    else seen.set(name, i);
  });
  if (!out.ok) return out;
  const { map } = context;
  for (const target of SPEC_COLUMNS) {
    const expression = map[target];
    const values = context.values?.[target] ?? null;
    const sized = SIZED.has(target);
    if (expression === undefined) {
      let index = seen.get(target);
      let label: string = target;
      if (index === undefined) {
        const alias = context.aliases?.[target]?.find((name) => seen.has(name));
        if (alias !== undefined) { index = seen.get(alias); label = `${alias} (as ${target})`; }
      }
      if (index !== undefined) out.cols[target] = { index, parts: null, factor: 1, label, values, sized };
      continue;
    }
    if (target === 'mixture' && isMixtureLayout(expression)) {
      const reader = compileMixtureColumns(expression, names);
      if (typeof reader === 'string') fail(target, `--map mixture=${expression.trim()}: ${reader}`);
      else out.cols.mixture = { index: -1, parts: null, factor: 1, label: reader.label, values: null, sized: false, mixture: reader };
      continue;
    }
    if (!NUMERIC.has(target) && !seen.has(expression.trim()) && (expression.includes('+') || expression.trim() === LINE_SOURCE)) {
      const parts = parseComposite(expression, seen);
      if (typeof parts === 'string') fail(target, `--map ${target}=${expression}: ${parts}`);
      else out.cols[target] = { index: -1, parts, factor: 1, label: `${expression.trim()} (as ${target})`, values, sized };
      continue;
    }
    if (!seen.has(expression.trim())) {
      const constant = constantFor(target, expression);
      if (constant && 'problem' in constant) { fail(target, `--map ${target}=${expression}: ${constant.problem}`); continue; }
      if (constant) {
        out.cols[target] = { index: names.length + out.constants.length, parts: null, factor: 1, label: `${target} (constant ${constant.value})`, values, sized };
        out.constants.push(constant.value);
        continue;
      }
    }
    const parsed = parseSourceExpression(expression, names);
    if (typeof parsed === 'string') {
      const unknown = /^unknown column "(.*)"/.exec(parsed);
      const near = unknown ? closest(unknown[1], names.filter((n) => n !== '')) : null;
      fail(target, `--map ${target}=${expression}: ${parsed}${near ? `; did you mean --map ${target}=${expression.trim().replace(unknown![1], near)}?` : ''}`);
      continue;
    }
    if (parsed.factor !== 1 && !NUMERIC.has(target)) {
      fail(target, `--map ${target}=${expression}: a scale applies to numeric columns only`);
      continue;
    }
    out.cols[target] = { index: seen.get(parsed.column)!, parts: null, factor: parsed.factor, label: parsed.column === target ? target : `${parsed.column} (as ${target})`, values, sized };
  }
  for (const target of REQUIRED) {
    if (!out.cols[target] && map[target] === undefined) fail(target, `missing required column ${missingHint(target, names)}`);
  }
  for (const filter of context.filters) {
    const index = seen.get(filter.column);
    if (index === undefined) {
      const near = closest(filter.column, names.filter((n) => n !== ''));
      fail(filter.column, `where "${filter.text}": unknown column (columns: ${names.filter((n) => n !== '').join(', ')})${near ? `; did you mean --where "${filter.text.replace(filter.column, near)}"?` : ''}`);
    } else {
      out.filters.push({ filter, index });
    }
  }
  return out;
}
