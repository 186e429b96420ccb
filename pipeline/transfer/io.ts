/**
 * The files `atlas transfer` writes, and the reader other stages use (`atlas plan` reads
 * `transfer.json` to answer "which languages should I co-train with L?").
 *
 * `transfer.json` (schema `atlas.transfer/1`):
 * ```
 * { "schema": "atlas.transfer/1",
 *   "size": 1772928,                 // params of the mono + bilingual runs used
 *   "ref_tokens": [3030000],         // reference horizons d_mono
 *   "ref_rule": "…",                 // how the horizon was chosen
 *   "languages": ["en", …],
 *   "bootstrap": { "replicates": 200, "seed": 0, "method": "checkpoints", "interval": [0.025, 0.975] },
 *   "scores": [ { "target", "source", "bts", "d_mono", "d_bi", "censored", "ci_low", "ci_high", "se",
 *                 "boot_censored", "loss_ref", "mono_runs", "bilingual_runs" } ],
 *   "matrix": { "targets": […], "sources": […], "values": [[…]], "censored": [[…]] },  // first horizon
 *   "fas": [ { "target", "source", "fas", "delta", "d_max", "checkpoints", "base_loss", "final_loss", "runs" } ],
 *   "stats": MatrixStats | null, "predictor": PredictorReport | null,
 *   "notes": […], "provenance": { "version", "files", "config_sha256" } }
 * ```
 * Matrix cells: null = not measured; `censored` is 0, +1 (true value above the bound) or −1 (below).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../io/types.ts';
import type { FasScore, TransferResult, TransferScore } from './transfer.ts';
import { formatScore, matrixCsv, type TransferMatrix } from './matrix.ts';
import type { PredictorReport } from './predict.ts';
import type { MatrixStats } from './stats.ts';

export const TRANSFER_SCHEMA = 'atlas.transfer/1';

/** Draws a matrix as an SVG document with a title (`matrixHeatmap` of report/plots/heatmap.ts). */
export type MatrixHeatmap = (m: TransferMatrix, title: string) => Promise<string>;

export interface TransferJson {
  schema: typeof TRANSFER_SCHEMA;
  size: number;
  ref_tokens: number[];
  ref_rule: string;
  languages: string[];
  bootstrap: TransferResult['bootstrap'];
  scores: TransferScore[];
  matrix: { targets: string[]; sources: string[]; values: (number | null)[][]; censored: number[][] };
  fas: FasScore[];
  stats: MatrixStats | null;
  predictor: PredictorReport | null;
  notes: string[];
  provenance: { version: string; files: { path: string; sha256: string }[]; config_sha256: string | null };
}

function matrixToJson(m: TransferMatrix): TransferJson['matrix'] {
  const nc = m.sources.length;
  return {
    targets: m.targets,
    sources: m.sources,
    values: m.targets.map((_, i) => m.sources.map((_, j) => (Number.isFinite(m.values[i * nc + j]) ? m.values[i * nc + j] : null))),
    censored: m.targets.map((_, i) => m.sources.map((_, j) => m.censored?.[i * nc + j] ?? 0)),
  };
}

/** The matrix stored in a transfer.json, back as a TransferMatrix. */
export function matrixFromJson(json: TransferJson): TransferMatrix {
  const { targets, sources } = json.matrix;
  const values = new Float64Array(targets.length * sources.length).fill(Number.NaN);
  const censored = new Int8Array(values.length);
  json.matrix.values.forEach((row, i) => row.forEach((v, j) => { if (v !== null) values[i * sources.length + j] = v; }));
  json.matrix.censored?.forEach((row, i) => row.forEach((c, j) => { censored[i * sources.length + j] = c; }));
  return { targets: [...targets], sources: [...sources], values, censored };
}

/** Assemble the transfer.json object. */
export function transferJson(result: TransferResult, extra: { stats: MatrixStats | null; predictor: PredictorReport | null; provenance: TransferJson['provenance'] }): TransferJson {
  return {
    schema: TRANSFER_SCHEMA,
    size: result.size,
    ref_tokens: result.refTokens,
    ref_rule: result.refRule,
    languages: result.languages,
    bootstrap: result.bootstrap,
    scores: result.scores,
    matrix: matrixToJson(result.matrix),
    fas: result.fas,
    stats: extra.stats,
    predictor: extra.predictor,
    notes: result.notes,
    provenance: extra.provenance,
  };
}

/** 1772928 → 1.77e6 */
const short = (v: number) => (v >= 1e4 ? v.toExponential(2).replace('e+', 'e') : String(v));

const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(10))) : '');

/** `transfer.csv`: the SPEC columns `target,source,bts,d_mono,d_bi,censored`, then ci_low, ci_high, se, boot_censored, loss_ref. */
export function transferCsv(scores: TransferScore[]): string {
  const lines = ['target,source,bts,d_mono,d_bi,censored,ci_low,ci_high,se,boot_censored,loss_ref'];
  for (const s of scores) {
    lines.push([s.target, s.source, formatScore(s.bts, 6), num(s.d_mono), num(s.d_bi), s.censored, formatScore(s.ci_low, 6), formatScore(s.ci_high, 6),
      formatScore(s.se, 6), formatScore(s.boot_censored, 3), formatScore(s.loss_ref, 6)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** `fas.csv`: target,source,fas,delta,d_max,checkpoints,base_loss,final_loss,runs. */
export function fasCsv(fas: FasScore[]): string {
  const lines = ['target,source,fas,delta,d_max,checkpoints,base_loss,final_loss,runs'];
  for (const f of fas) {
    lines.push([f.target, f.source, formatScore(f.fas, 6), formatScore(f.delta, 6), num(f.d_max), String(f.checkpoints), formatScore(f.base_loss, 6),
      formatScore(f.final_loss, 6), f.runs.join(';')].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Every output file of `atlas transfer`, name → text. `fas.csv` only when finetune runs gave
 * scores. `heatmap` draws `transfer_heatmap.svg` (the command passes the report's vega-lite heatmap, so
 * this module stays free of the plotting stack).
 */
export async function transferFiles(json: TransferJson, result: TransferResult, heatmap: MatrixHeatmap): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  files['transfer.csv'] = transferCsv(result.scores);
  files['transfer_matrix.csv'] = matrixCsv(result.matrix);
  result.refTokens.slice(1).forEach((ref) => {
    const m = matrixAt(result, ref);
    files[`transfer_matrix_d${ref}.csv`] = matrixCsv(m);
  });
  files['transfer.json'] = `${JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
  files['transfer_heatmap.svg'] = await heatmap(result.matrix, `Bilingual transfer score BTS (row = target, column = source), N = ${short(result.size)}, d_mono = ${short(result.refTokens[0])} tokens`);
  if (result.fas.length > 0) files['fas.csv'] = fasCsv(result.fas);
  return files;
}

/** The BTS matrix of `result` at horizon `ref`. */
export function matrixAt(result: TransferResult, ref: number): TransferMatrix {
  const langs = result.languages;
  const n = langs.length;
  const values = new Float64Array(n * n).fill(Number.NaN);
  const censored = new Int8Array(n * n);
  for (const s of result.scores) {
    if (s.d_mono !== ref || s.censored === 'mono') continue;
    const k = langs.indexOf(s.target) * n + langs.indexOf(s.source);
    values[k] = s.bts;
    censored[k] = s.censored === 'below' ? -1 : s.censored === 'above' ? 1 : 0;
  }
  return { targets: [...langs], sources: [...langs], values, censored };
}

/**
 * Read a `transfer.json` written by `atlas transfer`. Throws InputError (exit 2) when the file is
 * missing, not JSON, or not schema `atlas.transfer/1`.
 */
export function readTransferJson(path: string): TransferJson {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}:0: file: cannot be read`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}:1: json: ${(error as Error).message}`);
  }
  const obj = data as Partial<TransferJson>;
  if (obj?.schema !== TRANSFER_SCHEMA) throw new InputError(`${path}:1: schema: expected '${TRANSFER_SCHEMA}', got '${String(obj?.schema)}'`);
  if (!Array.isArray(obj.scores) || !obj.matrix || !Array.isArray(obj.matrix.targets)) throw new InputError(`${path}:1: scores: missing scores or matrix`);
  return obj as TransferJson;
}
