/**
 * TensorBoard event files (`events.out.tfevents.*`) are not read: no maintained reader of the
 * event format exists on the npm registry. The error says how to export the scalars to CSV, which
 * atlas then reads like any other log (docs/ingest.md).
 */
import { InputError } from '../../io/types.ts';

/** Whether a file is a TensorBoard event file (by name, or the `brain.Event` record it starts with). */
export function isTensorBoard(path: string, head: Uint8Array): boolean {
  return /tfevents/.test(path) || Buffer.from(head.subarray(0, 256)).includes('brain.Event');
}

/** The error for an event file: what to type instead. */
export function tensorBoardError(path: string): InputError {
  return new InputError([
    `${path}: a TensorBoard event file; atlas reads CSV, TSV, JSON lines, W&B exports and trainer_state.json, not event files.`,
    'Export the scalars to CSV first (one row per step, one column per tag), then read that file:',
    '  pip install tbparse',
    '  python -c "from tbparse import SummaryReader; SummaryReader(\'LOGDIR\', pivot=True, extra_columns={\'dir_name\'}).scalars.to_csv(\'scalars.csv\', index=False)"',
    '  atlas ingest scalars.csv --map run_id=dir_name --map loss=TAG --map tokens=step*TOKENS_PER_STEP --map params=70M',
    'or download each scalar chart as CSV from the TensorBoard UI (Show data download links).',
  ]);
}
