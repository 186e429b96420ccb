/**
 * The held-out protocol of ATLAS (Longpre et al. 2025, App. B.3, Table 1): fit a law once per
 * hold-out rule on the remaining rows and score it on the held-out rows.
 *
 * | column | hold-out (SPEC §2) | what it asks of a law |
 * |---|---|---|
 * | R²    | `random:0.2`      | interpolation: a random 20 % of the rows |
 * | R²(N) | `top-params:0.2`  | the largest model sizes |
 * | R²(D) | `top-tokens:0.2`  | the top 20 % of training tokens |
 * | R²(C) | `top-compute:0.2` | the top 20 % of compute (6ND) |
 * | R²(M) | `mixtures:unseen` | every mixture that is neither monolingual nor bilingual |
 *
 * Each cell is a fresh fit on the training rows only. The law's context (K_t, families) is by
 * default computed from every row's *inputs* (`contextFrom: 'all'`): K_t is "the languages most
 * co-sampled across the data's mixtures", a property of the study design, and no held-out loss
 * enters it (as in `atlas fit --holdout`). A transfer weight whose source appears only in held-out
 * rows then keeps its neutral start (0). `contextFrom: 'train'` computes the context from the
 * training rows alone. R² is 1 − SS_res/SS_tot on loss over the held-out rows (it can be negative).
 * A cell whose rule holds out no row, or every row, is empty (`–` in the table).
 */
import type { LawOptions } from '../laws/law.ts';
import type { CoefficientArtifact } from '../io/artifact.ts';
import { getLaw } from '../laws/index.ts';
import { fitLaw, predictLoss } from '../fitting/fit.ts';
import { resolveFitOptions, type FitOptions } from '../fitting/options.ts';
import type { RunTable } from '../io/types.ts';
import { runIndex, subsetTable } from '../io/table.ts';
import { heldOutMask } from './holdout.ts';
import { lossMetrics } from './metrics.ts';
import { csvLine } from '../io/csv.ts';

/** One column of the protocol table. */
export interface ProtocolSpec {
  /** Column key: `r2`, `r2_N`, `r2_D`, `r2_C`, `r2_M` (the names of the paper's Table 1 file). */
  key: string;
  /** Printed header. */
  label: string;
  /** Hold-out spec (SPEC §2). */
  holdout: string;
}

/** The five hold-outs of the paper's Table 1. */
export const DEFAULT_PROTOCOL: readonly ProtocolSpec[] = [
  { key: 'r2', label: 'R²', holdout: 'random:0.2' },
  { key: 'r2_N', label: 'R²(N)', holdout: 'top-params:0.2' },
  { key: 'r2_D', label: 'R²(D)', holdout: 'top-tokens:0.2' },
  { key: 'r2_C', label: 'R²(C)', holdout: 'top-compute:0.2' },
  { key: 'r2_M', label: 'R²(M)', holdout: 'mixtures:unseen' },
];

/** A law to score: a display name, the law id, its options and fit options. */
export interface ProtocolLaw {
  name: string;
  law: string;
  lawOptions?: LawOptions;
  fit?: Partial<FitOptions>;
  /** Rows this law is fitted on (default: the request's table), e.g. only monolingual runs. */
  table?: RunTable;
}

/** One fitted and scored cell. */
export interface ProtocolCell {
  holdout: string;
  r2: number;
  rmse: number;
  mape: number;
  trainRows: number;
  heldoutRows: number;
  status: string;
  seconds: number;
  /** Fitted values (natural scale). */
  values: Record<string, number>;
  /** R² of the held-out rows of each evaluation language (the paper averages these). */
  perLanguage: Record<string, { rows: number; r2: number }>;
}

export interface ProtocolRow {
  name: string;
  law: string;
  lawOptions: LawOptions;
  cells: Record<string, ProtocolCell | null>;
}

export interface ProtocolResult {
  specs: ProtocolSpec[];
  rows: ProtocolRow[];
}

export interface ProtocolRequest {
  table: RunTable;
  laws: ProtocolLaw[];
  specs?: readonly ProtocolSpec[];
  /** Fit options for every law (a law's own `fit` overrides them). */
  fit?: Partial<FitOptions>;
  /** Rows the law context is computed from (see the module comment). @default 'all' */
  contextFrom?: 'all' | 'train';
  /** Called after each cell (progress on stderr is the command's business). */
  onCell?: (law: ProtocolLaw, spec: ProtocolSpec, cell: ProtocolCell | null) => void;
}

/**
 * Fit `law` on the rows of `table` that `mask` keeps (0) and score it on the held-out rows (1).
 * Returns null when either side is empty.
 */
export async function scoreHoldout(table: RunTable, mask: Uint8Array, entry: ProtocolLaw, fit: Partial<FitOptions> | undefined, holdout: string, contextFrom: 'all' | 'train' = 'all'): Promise<ProtocolCell | null> {
  const train: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < table.rows; i++) (mask[i] ? held : train).push(i);
  if (train.length === 0 || held.length === 0) return null;
  const law = getLaw(entry.law);
  const options = resolveFitOptions(law.defaults, fit, entry.fit);
  const trainTable = subsetTable(table, train);
  const ctx = law.context(contextFrom === 'all' ? table : trainTable, entry.lawOptions ?? {});
  const design = law.prepare(trainTable, ctx);
  const y = Float64Array.from(trainTable.loss, Math.log);
  const result = await fitLaw({ law, ctx, design, y, clusters: runIndex(trainTable).index }, options);
  const heldTable = subsetTable(table, held);
  const predicted = predictLoss(law, ctx, law.prepare(heldTable, ctx), result.values);
  const m = lossMetrics(heldTable.loss, predicted);
  const perLanguage: Record<string, { rows: number; r2: number }> = {};
  for (const lang of [...new Set(heldTable.evalLang)].sort()) {
    const lm = lossMetrics(heldTable.loss, predicted, (i) => heldTable.evalLang[i] === lang);
    perLanguage[lang] = { rows: lm.rows, r2: lm.r2 };
  }
  return {
    holdout,
    r2: m.r2,
    rmse: m.rmse,
    mape: m.mape,
    trainRows: train.length,
    heldoutRows: held.length,
    status: result.status,
    seconds: result.seconds,
    values: result.values,
    perLanguage,
  };
}

/**
 * Mean over `languages` of the per-language held-out R² (the paper's Table 1 averages over EN,
 * FR, RU, ZH, HI, SW); languages without held-out rows (or with constant loss) are skipped.
 * NaN when none has rows.
 */
export function meanLanguageR2(cell: ProtocolCell, languages: readonly string[]): number {
  let sum = 0;
  let count = 0;
  for (const lang of languages) {
    const entry = cell.perLanguage[lang];
    if (!entry || entry.rows === 0 || !Number.isFinite(entry.r2)) continue;
    sum += entry.r2;
    count++;
  }
  return count ? sum / count : NaN;
}

/** Fit every law under every hold-out and score it: the rows of Table 1. */
export async function protocolTable(request: ProtocolRequest): Promise<ProtocolResult> {
  const specs = [...(request.specs ?? DEFAULT_PROTOCOL)];
  const rows: ProtocolRow[] = [];
  const masks = new Map<RunTable, Map<string, Uint8Array>>();
  for (const entry of request.laws) {
    const table = entry.table ?? request.table;
    let cache = masks.get(table);
    if (!cache) masks.set(table, (cache = new Map()));
    const cells: Record<string, ProtocolCell | null> = {};
    for (const spec of specs) {
      let mask = cache.get(spec.holdout);
      if (!mask) cache.set(spec.holdout, (mask = heldOutMask(table, spec.holdout)));
      const cell = await scoreHoldout(table, mask, entry, request.fit, spec.holdout, request.contextFrom ?? 'all');
      cells[spec.key] = cell;
      request.onCell?.(entry, spec, cell);
    }
    rows.push({ name: entry.name, law: entry.law, lawOptions: entry.lawOptions ?? {}, cells });
  }
  return { specs, rows };
}

function r2Text(cell: ProtocolCell | null | undefined, digits = 3): string {
  return cell ? cell.r2.toFixed(digits) : '';
}

/** The table as CSV: `law,law_id,law_options,r2,r2_N,r2_D,r2_C,r2_M` plus held-out row counts (RFC 4180 quoting). */
export function protocolCsv(result: ProtocolResult): string {
  const head = ['law', 'law_id', 'law_options', ...result.specs.map((s) => s.key), ...result.specs.map((s) => `${s.key}_heldout_rows`)];
  const lines = [csvLine(head)];
  for (const row of result.rows) {
    const options = Object.entries(row.lawOptions).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
    lines.push(csvLine([
      row.name, row.law, options,
      ...result.specs.map((s) => (row.cells[s.key] ? row.cells[s.key]!.r2.toPrecision(6) : '')),
      ...result.specs.map((s) => String(row.cells[s.key]?.heldoutRows ?? 0)),
    ]));
  }
  return lines.join('');
}

/**
 * The table as Markdown. `published` (optional) adds the paper's value beside ours in each cell
 * as `ours (paper)`. With `languages`, a cell is the mean of those languages' held-out R²
 * ({@link meanLanguageR2}) instead of the R² of all held-out rows.
 */
export function protocolMarkdown(result: ProtocolResult, published?: Record<string, Record<string, number | null>>, languages?: readonly string[]): string {
  const header = `| law | ${result.specs.map((s) => `${s.label} \`${s.holdout}\``).join(' | ')} |`;
  const rule = `|---|${result.specs.map(() => '---:').join('|')}|`;
  const lines = [header, rule];
  for (const row of result.rows) {
    const cells = result.specs.map((s) => {
      const cell = row.cells[s.key];
      const ours = !cell ? '–' : languages ? (Number.isFinite(meanLanguageR2(cell, languages)) ? meanLanguageR2(cell, languages).toFixed(3) : '–') : r2Text(cell);
      const paper = published?.[row.name]?.[s.key];
      return paper === undefined ? ours : `${ours} (${paper === null ? '–' : paper.toFixed(2)})`;
    });
    lines.push(`| ${row.name} | ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Best law (highest R²) of each column. */
export function bestByColumn(result: ProtocolResult): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const s of result.specs) {
    let best: string | null = null;
    let value = -Infinity;
    for (const row of result.rows) {
      const c = row.cells[s.key];
      if (c && c.r2 > value) { value = c.r2; best = row.name; }
    }
    out[s.key] = best;
  }
  return out;
}

/** Fit options of an artifact (as recorded in its `options`), without its bootstrap. */
function artifactFitOptions(artifact: CoefficientArtifact): Partial<FitOptions> {
  const o = artifact.options as Partial<FitOptions>;
  const out: Partial<FitOptions> = {};
  for (const key of ['objective', 'delta', 'starts', 'fix', 'tie', 'init', 'grid', 'seed', 'maxIterations'] as const) {
    if (o[key] !== undefined) (out as Record<string, unknown>)[key] = o[key];
  }
  return out;
}

/**
 * `atlas validate --protocol`: refit the artifact's law (its law options and fit options, no
 * bootstrap) under the five hold-outs on `table` and score each.
 */
export async function protocolForArtifact(artifact: CoefficientArtifact, table: RunTable, specs: readonly ProtocolSpec[] = DEFAULT_PROTOCOL): Promise<ProtocolResult> {
  const lawOptions = (artifact.law_options ?? {}) as LawOptions;
  const label = Object.keys(lawOptions).length ? `${artifact.law} (${Object.entries(lawOptions).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ')})` : artifact.law;
  return protocolTable({ table, laws: [{ name: label, law: artifact.law, lawOptions, fit: artifactFitOptions(artifact) }], specs });
}

/** Machine-readable protocol: `{ laws: [{ name, law, r2, r2_N, …, rows: { r2: n, … } }] }`. */
export function protocolSummary(result: ProtocolResult): { laws: Record<string, unknown>[] } {
  return {
    laws: result.rows.map((row) => {
      const entry: Record<string, unknown> = { name: row.name, law: row.law, law_options: row.lawOptions };
      const rows: Record<string, number> = {};
      const holdouts: Record<string, string> = {};
      for (const s of result.specs) {
        entry[s.key] = row.cells[s.key]?.r2 ?? null;
        rows[s.key] = row.cells[s.key]?.heldoutRows ?? 0;
        holdouts[s.key] = s.holdout;
      }
      return { ...entry, heldout_rows: rows, holdouts };
    }),
  };
}
