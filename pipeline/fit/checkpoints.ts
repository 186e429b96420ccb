/**
 * Checkpoint policies (SPEC §2 `--checkpoints POLICY`, config `fit.checkpoints`): which
 * checkpoints of each run enter a fit. The rows a policy removes are still predicted and written
 * to predictions.csv (split `dropped`); they only leave the objective.
 *
 * | policy | rows that enter the fit |
 * |---|---|
 * | `all` | every row |
 * | `final` | each run's last checkpoint (the rows at the run's largest token count) |
 * | `drop-early:F` | rows past the first fraction F of their run's tokens (tokens > F × the run's final tokens) |
 * | `tokens>=X` | rows with at least X tokens (`2e6`, `2M`, `1.5B`) |
 *
 * A log with one row per run is unchanged by `final` and `drop-early`. A malformed policy is an
 * {@link InputError} naming `--checkpoints`.
 */
import { InputError, type RunTable } from '../io/types.ts';
import { parseQuantity } from './holdout.ts';

export type CheckpointPolicy =
  | { kind: 'all' }
  | { kind: 'final' }
  | { kind: 'drop-early'; fraction: number }
  | { kind: 'tokens-at-least'; min: number };

const USAGE = 'expected all, final, drop-early:F (0 ≤ F < 1) or tokens>=X (e.g. tokens>=2e6)';

/** Parse a checkpoint policy; throws an InputError naming `--checkpoints` when malformed. */
export function parseCheckpointPolicy(text: string): CheckpointPolicy {
  const spec = text.trim();
  if (spec === '' || spec === 'all') return { kind: 'all' };
  if (spec === 'final') return { kind: 'final' };
  const early = /^drop-early:\s*(.+)$/.exec(spec);
  if (early) {
    const raw = early[1].trim();
    const fraction = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(fraction >= 0 && fraction < 1)) throw new InputError(`--checkpoints ${text}: F must be a number in [0, 1), got "${raw}"`);
    return { kind: 'drop-early', fraction };
  }
  const atLeast = /^tokens\s*>=\s*(.+)$/.exec(spec);
  if (atLeast) {
    const min = parseQuantity(atLeast[1]);
    if (!Number.isFinite(min)) throw new InputError(`--checkpoints ${text}: X must be a number (2e6, 2M, 1.5B), got "${atLeast[1].trim()}"`);
    return { kind: 'tokens-at-least', min };
  }
  throw new InputError(`--checkpoints ${text}: ${USAGE}`);
}

/** A policy in canonical form (artifacts, tables). */
export function checkpointLabel(policy: CheckpointPolicy): string {
  switch (policy.kind) {
    case 'all': return 'all';
    case 'final': return 'final';
    case 'drop-early': return `drop-early:${policy.fraction}`;
    case 'tokens-at-least': return `tokens>=${policy.min}`;
  }
}

/** Largest token count of each run (keyed by run id). */
export function finalTokens(table: RunTable): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < table.rows; i++) {
    const id = table.runId[i];
    const t = table.tokens[i];
    const seen = out.get(id);
    if (seen === undefined || t > seen) out.set(id, t);
  }
  return out;
}

/**
 * Keep-mask of `table` under a policy: 1 = the row enters the fit, 0 = the policy removes it.
 * Run finals are measured on `table` itself (pass the full table, not a hold-out's remainder,
 * when a run's later checkpoints are held out).
 */
export function checkpointMask(table: RunTable, policy: string | CheckpointPolicy | null | undefined, finals: Map<string, number> = finalTokens(table)): Uint8Array {
  const parsed = policy === null || policy === undefined ? { kind: 'all' as const } : typeof policy === 'string' ? parseCheckpointPolicy(policy) : policy;
  const keep = new Uint8Array(table.rows).fill(1);
  if (parsed.kind === 'all') return keep;
  for (let i = 0; i < table.rows; i++) {
    const final = finals.get(table.runId[i]) ?? table.tokens[i];
    const t = table.tokens[i];
    switch (parsed.kind) {
      case 'final': keep[i] = t >= final ? 1 : 0; break;
      case 'drop-early': keep[i] = t >= final || t > parsed.fraction * final ? 1 : 0; break;
      case 'tokens-at-least': keep[i] = t >= parsed.min ? 1 : 0; break;
    }
  }
  return keep;
}
