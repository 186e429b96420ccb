/**
 * Hold-out rules (SPEC §2 `--holdout SPEC`): which rows of a table are kept out of the fit and
 * scored afterwards.
 *
 * | spec | held out |
 * |---|---|
 * | `none` | nothing |
 * | `random:FRAC[:SEED]` | round(FRAC × runs) whole runs, drawn with a seeded RNG (default seed 0) |
 * | `top-tokens:FRAC` | rows whose tokens are among the largest round(FRAC × distinct token counts) values |
 * | `top-params:FRAC` | rows of the largest round(FRAC × distinct model sizes) sizes (at least one) |
 * | `top-compute:FRAC` | rows whose FLOPs are among the largest round(FRAC × distinct FLOP values) |
 * | `params>=X`, `tokens>=X`, `flops>=X` | rows at or above X (`1e9`, `1.5B`, `500M`, `2k`, `1T`) |
 * | `mixtures:unseen` | rows whose mixture has more than two languages (neither mono- nor bilingual) |
 * | `mixtures:random:FRAC[:SEED]` | every row of round(FRAC × distinct mixtures) mixtures, drawn with a seeded RNG (held-out mixtures of data-mixture studies) |
 * | `runs:ID,ID` | the rows of those runs |
 *
 * Every `top-*` rule holds out at least one value and at most all but one. A row's `split` column
 * (`train`/`heldout`) overrides any rule. A malformed spec is an {@link InputError} naming
 * `--holdout`.
 */
import { Random } from '../fitting/random.ts';
import { InputError, type RunTable } from '../io/types.ts';

/** A parsed hold-out spec. */
export type HoldoutSpec =
  | { kind: 'none' }
  | { kind: 'random'; fraction: number; seed: number }
  | { kind: 'top'; column: 'tokens' | 'params' | 'flops'; fraction: number }
  | { kind: 'at-least'; column: 'tokens' | 'params' | 'flops'; min: number }
  | { kind: 'mixtures-unseen' }
  | { kind: 'mixtures-random'; fraction: number; seed: number }
  | { kind: 'runs'; ids: string[] };

const SUFFIX: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12 };

/** A threshold: a decimal number with an optional k/M/B/G/T suffix. NaN when malformed. */
export function parseQuantity(text: string): number {
  const match = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([kKMBGT]?)\s*$/.exec(text);
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] ? SUFFIX[match[2]] : 1);
}

const USAGE = 'expected none, random:FRAC[:SEED], top-tokens:FRAC, top-params:FRAC, top-compute:FRAC, params>=X, tokens>=X, flops>=X, mixtures:unseen, mixtures:random:FRAC[:SEED] or runs:ID,ID';

function seedOf(spec: string, seed: string | undefined): number {
  const value = seed === undefined ? 0 : /^\s*\d+\s*$/.test(seed) ? Number(seed) : Number.NaN;
  if (!Number.isSafeInteger(value)) fail(spec, `SEED must be a non-negative whole number, got "${seed}"`);
  return value;
}

function fail(spec: string, why: string): never {
  throw new InputError(`--holdout ${spec}: ${why}`);
}

function fraction(spec: string, text: string): number {
  const value = /^\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(value > 0 && value < 1)) fail(spec, `FRAC must be a number between 0 and 1 (exclusive), got "${text}"`);
  return value;
}

/** Parse a hold-out spec; throws an InputError naming `--holdout` when malformed. */
export function parseHoldoutSpec(spec: string): HoldoutSpec {
  const text = spec.trim();
  if (text === '' || text === 'none') return { kind: 'none' };
  const at = /^(params|tokens|flops|compute)\s*>=\s*(.+)$/.exec(text);
  if (at) {
    const min = parseQuantity(at[2]);
    if (!Number.isFinite(min)) fail(spec, `threshold must be a number (1e9, 1.5B, 500M), got "${at[2]}"`);
    const column = at[1] === 'compute' ? 'flops' : (at[1] as 'params' | 'tokens' | 'flops');
    return { kind: 'at-least', column, min };
  }
  const colon = text.indexOf(':');
  if (colon < 0) fail(spec, USAGE);
  const name = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (name) {
    case 'random': {
      const [frac, seed, ...extra] = rest.split(':');
      if (extra.length > 0) fail(spec, 'expected random:FRAC[:SEED]');
      const seedValue = seed === undefined ? 0 : /^\s*\d+\s*$/.test(seed) ? Number(seed) : Number.NaN;
      if (!Number.isSafeInteger(seedValue)) fail(spec, `SEED must be a non-negative whole number, got "${seed}"`);
      return { kind: 'random', fraction: fraction(spec, frac), seed: seedValue };
    }
    case 'top-tokens':
      return { kind: 'top', column: 'tokens', fraction: fraction(spec, rest) };
    case 'top-params':
      return { kind: 'top', column: 'params', fraction: fraction(spec, rest) };
    case 'top-compute':
    case 'top-flops':
      return { kind: 'top', column: 'flops', fraction: fraction(spec, rest) };
    case 'mixtures': {
      if (rest.trim() === 'unseen') return { kind: 'mixtures-unseen' };
      const [how, frac, seed, ...extra] = rest.split(':');
      if (how.trim() !== 'random' || frac === undefined || extra.length > 0) fail(spec, `expected mixtures:unseen or mixtures:random:FRAC[:SEED], got mixtures:${rest}`);
      return { kind: 'mixtures-random', fraction: fraction(spec, frac), seed: seedOf(spec, seed) };
    }
    case 'runs': {
      const ids = rest.split(',').map((id) => id.trim()).filter((id) => id !== '');
      if (ids.length === 0) fail(spec, 'expected runs:ID,ID with at least one run id');
      return { kind: 'runs', ids };
    }
    default:
      return fail(spec, USAGE);
  }
}

/**
 * Number of values to hold out of `distinct`: round(fraction × distinct), at least 1, at most
 * distinct − 1. With fewer than two values nothing could be left to fit: an InputError.
 */
function topCount(spec: HoldoutSpec, fraction: number, distinct: number, what: string): number {
  if (distinct < 2) throw new InputError(`--holdout ${describeSpec(spec)}: the data has ${distinct} distinct ${what}, so nothing would be left to fit`);
  return Math.min(distinct - 1, Math.max(1, Math.round(fraction * distinct)));
}

function describeSpec(spec: HoldoutSpec): string {
  switch (spec.kind) {
    case 'random': return `random:${spec.fraction}:${spec.seed}`;
    case 'top': return `top-${spec.column === 'flops' ? 'compute' : spec.column}:${spec.fraction}`;
    case 'mixtures-random': return `mixtures:random:${spec.fraction}:${spec.seed}`;
    default: return spec.kind;
  }
}

/**
 * Hold-out mask of `table` under `spec`: 1 = held out, 0 = training row. The `split` column
 * overrides the rule row by row. Throws an InputError naming `--holdout` for a malformed spec or
 * unknown run ids.
 */
export function heldOutMask(table: RunTable, spec: string | HoldoutSpec | null | undefined): Uint8Array {
  const parsed = spec === null || spec === undefined ? { kind: 'none' as const } : typeof spec === 'string' ? parseHoldoutSpec(spec) : spec;
  const n = table.rows;
  const mask = new Uint8Array(n);
  switch (parsed.kind) {
    case 'none':
      break;
    case 'random': {
      const runs = [...new Set(table.runId)].sort();
      const count = topCount(parsed, parsed.fraction, runs.length, 'runs');
      // Seeded Fisher–Yates over the sorted run ids: independent of row order.
      const rng = new Random(parsed.seed);
      for (let i = runs.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [runs[i], runs[j]] = [runs[j], runs[i]];
      }
      const chosen = new Set(runs.slice(0, count));
      for (let i = 0; i < n; i++) if (chosen.has(table.runId[i])) mask[i] = 1;
      break;
    }
    case 'top': {
      const values = table[parsed.column];
      const distinct = [...new Set(values)].sort((a, b) => a - b);
      const count = topCount(parsed, parsed.fraction, distinct.length, `${parsed.column} values`);
      const threshold = distinct[distinct.length - count];
      for (let i = 0; i < n; i++) if (values[i] >= threshold) mask[i] = 1;
      break;
    }
    case 'at-least': {
      const values = table[parsed.column];
      for (let i = 0; i < n; i++) if (values[i] >= parsed.min) mask[i] = 1;
      break;
    }
    case 'mixtures-unseen':
      for (let i = 0; i < n; i++) if (table.mixture[i].langs.length > 2) mask[i] = 1;
      break;
    case 'mixtures-random': {
      const keys = [...new Set(table.mixture.map((m) => m.key))].sort();
      const count = topCount(parsed, parsed.fraction, keys.length, 'mixtures');
      const rng = new Random(parsed.seed);
      for (let i = keys.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [keys[i], keys[j]] = [keys[j], keys[i]];
      }
      const chosen = new Set(keys.slice(0, count));
      for (let i = 0; i < n; i++) if (chosen.has(table.mixture[i].key)) mask[i] = 1;
      break;
    }
    case 'runs': {
      const ids = new Set(parsed.ids);
      const present = new Set(table.runId);
      const unknown = parsed.ids.filter((id) => !present.has(id));
      if (unknown.length > 0) {
        throw new InputError(`--holdout runs:${parsed.ids.join(',')}: unknown run id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')}`);
      }
      for (let i = 0; i < n; i++) if (ids.has(table.runId[i])) mask[i] = 1;
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    const split = table.split[i];
    if (split === 'heldout') mask[i] = 1;
    else if (split === 'train') mask[i] = 0;
  }
  return mask;
}

/** A spec in canonical form (for artifacts and messages): `none` for an absent spec. */
export function holdoutLabel(spec: string | null | undefined): string {
  return spec === null || spec === undefined || spec.trim() === '' ? 'none' : spec.trim();
}
