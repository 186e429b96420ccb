/**
 * Weights & Biases exports (`--format wandb`, or found by their `_step` column or their
 * `RUN - METRIC` column names):
 * - run history (`run.history()` or `scan_history()` saved as CSV or JSON lines, several runs
 *   concatenated with a run-name column): one row per logged step; `_step` is the step;
 * - UI chart exports (Step, `RUN - METRIC`, `RUN - METRIC__MIN`, `RUN - METRIC__MAX`): reshaped
 *   to one row per run and step with a `run` column and one column per metric.
 * A step that did not log the loss (W&B writes NaN or an empty cell) is skipped and counted in
 * the summary instead of reported.
 */
import type { RowSink } from '../../io/csv.ts';
import type { ColumnAliases } from '../column_maps.ts';
import { emit, type CollectedRows } from './source.ts';

/** Source names W&B uses for SPEC columns. */
export const WANDB_ALIASES: ColumnAliases = {
  run_id: ['run', 'name', 'Name', 'run_name', 'run_id', 'id'],
  step: ['_step', 'Step', 'trainer/global_step', 'global_step'],
  loss: ['train/loss', 'train_loss', 'loss/train'],
  tokens: ['train/tokens', 'num_tokens', 'tokens_seen', 'train/num_input_tokens_seen'],
  params: ['num_params', 'n_params', 'model/params', 'parameters'],
};

const WIDE = /^(.+?) - (.+?)(__MIN|__MAX)?$/;

/** Whether a header is a W&B export: a `_step` column, or a chart export's `RUN - METRIC` columns. */
export function isWandbHeader(header: readonly string[]): boolean {
  return header.includes('_step') || header.some((name) => WIDE.test(name) && /__(MIN|MAX)$/.test(name));
}

/**
 * Reshape a W&B chart export (Step, `RUN - METRIC`, `…__MIN`, `…__MAX`) to one row per run and
 * step; other headers are returned unchanged. `__MIN`/`__MAX` (the chart's sampling envelope)
 * are dropped.
 */
export function wandbRows(rows: CollectedRows): CollectedRows {
  const header = rows.header.map((h) => h.trim());
  const wide = header.map((name) => WIDE.exec(name));
  if (!wide.some((m) => m && m[3])) return rows;
  const plain = header.map((name, i) => (wide[i] ? null : name));
  const runs: string[] = [];
  const metrics: string[] = [];
  const where = new Map<string, number>();
  wide.forEach((m, i) => {
    if (!m || m[3]) return;
    if (!runs.includes(m[1])) runs.push(m[1]);
    if (!metrics.includes(m[2])) metrics.push(m[2]);
    where.set(`${m[1]}\u0000${m[2]}`, i);
  });
  const shared = plain.flatMap((name, i) => (name === null || name === '' ? [] : [i]));
  const out: CollectedRows = { header: ['run', ...shared.map((i) => header[i]), ...metrics], headerLine: rows.headerLine, rows: [], lines: [] };
  for (let r = 0; r < rows.rows.length; r++) {
    const fields = rows.rows[r];
    for (const run of runs) {
      const values = metrics.map((metric) => {
        const i = where.get(`${run}\u0000${metric}`);
        return i === undefined ? '' : fields[i] ?? '';
      });
      if (values.every((v) => v.trim() === '')) continue;
      out.rows.push([run, ...shared.map((i) => fields[i] ?? ''), ...values]);
      out.lines.push(rows.lines[r]);
    }
  }
  return out;
}

/** Emit W&B rows (reshaped when a chart export) into `sink`. */
export function emitWandb(rows: CollectedRows, sink: RowSink): void {
  emit(wandbRows(rows), sink);
}
