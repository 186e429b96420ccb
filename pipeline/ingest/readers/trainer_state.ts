/**
 * Hugging Face `trainer_state.json` (written by `transformers.Trainer` beside each checkpoint):
 * one row per entry of `log_history`. Training entries carry `loss`, `step`, `epoch`,
 * `learning_rate` and, with `include_num_input_tokens_seen`, `num_input_tokens_seen`; evaluation
 * entries carry `eval_loss`. Entries without the mapped loss are skipped and counted.
 *
 * Each row gets `run_id`, the name of the run's folder (the folder holding the file, or the one
 * above a `checkpoint-N` folder). When the file has `total_flos` and the entries count input
 * tokens, each row also gets `params` = total_flos / (6 × the last num_input_tokens_seen): the
 * Trainer counts 6 × tokens × non-embedding parameters per step, so this is the model's
 * non-embedding parameter count. A `--map params=…` wins over it.
 */
import { basename, dirname, resolve } from 'node:path';
import type { RowSink } from '../../io/csv.ts';
import type { ColumnAliases } from '../column_maps.ts';
import { emit, LogSyntaxError, objectsToRows, parseJsonLenient, readText, type CollectedRows } from './source.ts';

/** Source names of a trainer_state row for the SPEC columns. */
export const TRAINER_STATE_ALIASES: ColumnAliases = {
  tokens: ['num_input_tokens_seen'],
  loss: ['loss'],
  step: ['step'],
};

/** The run name of a trainer_state.json at `path`: its folder, or the one above `checkpoint-N`. */
export function runNameOf(path: string): string {
  const folder = dirname(resolve(path));
  const name = basename(folder);
  return /^checkpoint-\d+$/.test(name) ? basename(dirname(folder)) : name;
}

/** 1-based line of each top-level object of the `log_history` array in a JSON text. */
function entryLines(text: string): number[] {
  const key = text.indexOf('"log_history"');
  const out: number[] = [];
  if (key < 0) return out;
  let line = 1;
  for (let i = 0; i < key; i++) if (text.charCodeAt(i) === 10) line++;
  let depth = 0;
  let inString = false;
  for (let i = key + '"log_history"'.length; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') { line++; continue; }
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (c === '{' && depth === 2) out.push(line);
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) break;
    }
  }
  return out;
}

/** The rows of a trainer_state.json text. Throws {@link LogSyntaxError}. */
export function trainerStateRows(text: string, runName: string): CollectedRows {
  let state: unknown;
  try {
    state = parseJsonLenient(text);
  } catch (error) {
    throw new LogSyntaxError(1, 'json', (error as Error).message);
  }
  const history = (state as { log_history?: unknown } | null)?.log_history;
  if (!Array.isArray(history)) {
    throw new LogSyntaxError(1, 'log_history', 'no log_history array: not a Hugging Face trainer_state.json (for JSON lines pass --format jsonl)');
  }
  const entries = history.filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object' && !Array.isArray(e));
  const lines = entryLines(text);
  const totalFlos = (state as { total_flos?: unknown }).total_flos;
  let tokensSeen = 0;
  for (const e of entries) if (typeof e.num_input_tokens_seen === 'number') tokensSeen = Math.max(tokensSeen, e.num_input_tokens_seen);
  const params = typeof totalFlos === 'number' && totalFlos > 0 && tokensSeen > 0 ? totalFlos / (6 * tokensSeen) : null;
  const objects = entries.map((e) => ({ run_id: runName, ...(params !== null && !('params' in e) ? { params } : {}), ...e }));
  return objectsToRows(objects, entries.map((_, i) => lines[i] ?? i + 1), ['run_id']);
}

/** Read a trainer_state.json (gzip or not) into `sink`; returns the file's SHA-256. */
export function readTrainerState(path: string, sink: RowSink): string {
  const { text, sha256 } = readText(path);
  emit(trainerStateRows(text, runNameOf(path)), sink);
  return sha256;
}
