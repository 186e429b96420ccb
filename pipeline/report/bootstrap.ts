/**
 * Joint bootstrap parameter draws for the report's uncertainty band, recomputed from a fit folder.
 *
 * coefficients.json keeps each parameter's bootstrap interval but not the draws, and a band built
 * from marginal intervals ignores how parameters trade off (A against α), which makes it far too
 * wide. When the fit can be rebuilt exactly from predictions.csv (the `chinchilla` law on total
 * tokens: its design needs only N, D and the loss), the report reruns the bootstrap the fit ran:
 * the same objective, δ, fixed and tied parameters, seed and resampling of runs, held-out rows
 * excluded, each replicate warm-started at the fitted optimum. The draws are joint, so the band
 * of L(N, D) over them is the bootstrap band of the fitted curve.
 */
import { getLaw } from '../laws/index.ts';
import { csvRows, type CsvValue } from '../io/csv.ts';
import { fitLaw } from '../fitting/fit.ts';
import { resolveFitOptions, type FitOptions } from '../fitting/options.ts';
import type { CoefficientArtifact } from '../io/artifact.ts';
import { ingestText } from '../ingest/ingest.ts';
import type { PredictionRows } from './inputs.ts';
import { quantile } from './plots/format.ts';

/** Joint parameter draws (natural scale), one array per parameter, and how they were made. */
export interface RecomputedDraws {
  draws: Record<string, number[]>;
  count: number;
  seed: number;
  /** Resamples requested (the fit's B, capped). */
  requested: number;
  /**
   * Largest difference between the draws' 2.5/97.5 % quantiles and the artifact's `ci95`, as a
   * fraction of the interval's width (0 = the draws reproduce the fit's intervals exactly).
   */
  mismatch: number;
}

/**
 * Whether the fit (or, with `group`, one group of a `--group-by eval_lang` fit) can be rebuilt
 * from predictions.csv alone.
 */
export function canRecompute(artifact: CoefficientArtifact, group?: string): boolean {
  const tokens = (artifact.law_options as { tokens?: string } | undefined)?.tokens ?? 'total';
  const boot = Number((artifact.options as { bootstrap?: unknown } | undefined)?.bootstrap ?? 0);
  const scope = group === undefined ? !artifact.groups : artifact.group_by === 'eval_lang' && Boolean(artifact.groups?.[group]);
  return artifact.law === 'chinchilla' && tokens === 'total' && boot > 0 && scope;
}

/**
 * Rerun the fit's bootstrap on the rows of predictions.csv (at most `maxDraws` resamples), for
 * the whole fit or for one group (`group` = its evaluation language); null when the fit cannot
 * be rebuilt from those rows.
 */
export async function recomputeDraws(artifact: CoefficientArtifact, p: PredictionRows, maxDraws = 400, group?: string): Promise<RecomputedDraws | null> {
  if (!canRecompute(artifact, group)) return null;
  const params = group === undefined ? artifact.params : artifact.groups![group].params;
  const rows: CsvValue[][] = [['run_id', 'params', 'tokens', 'eval_lang', 'loss', 'split']];
  for (let i = 0; i < p.rows; i++) {
    if (group !== undefined && p.evalLang[i] !== group) continue;
    rows.push([p.runId[i], p.params[i], p.tokens[i], p.evalLang[i], p.loss[i], p.split[i]]);
  }
  const table = ingestText(csvRows(rows), 'predictions.csv');
  const law = getLaw(artifact.law);
  const ctx = law.context(table, artifact.law_options ?? {});
  const design = law.prepare(table, ctx);
  const y = new Float64Array(table.rows);
  const weights = new Float64Array(table.rows);
  const clusters = new Int32Array(table.rows);
  const runs = new Map<string, number>();
  for (let i = 0; i < table.rows; i++) {
    y[i] = Math.log(table.loss[i]);
    weights[i] = table.split[i] === 'heldout' ? 0 : 1;
    let k = runs.get(table.runId[i]);
    if (k === undefined) runs.set(table.runId[i], (k = runs.size));
    clusters[i] = k;
  }
  const saved = (artifact.options ?? {}) as Partial<FitOptions>;
  const requested = Math.min(Number(saved.bootstrap), maxDraws);
  const init = Object.fromEntries(Object.entries(params).map(([k, e]) => [k, e.value]));
  const options = resolveFitOptions(law.defaults, {
    objective: saved.objective,
    delta: saved.delta,
    fix: saved.fix,
    tie: saved.tie,
    seed: saved.seed ?? 0,
    maxIterations: saved.maxIterations,
    starts: 'init',
    init,
    bootstrap: requested,
    threads: 1,
  });
  const result = await fitLaw({ law, ctx, design, y, weights, clusters }, options);
  const columns = result.bootstrap?.draws;
  if (!columns) return null;
  const draws: Record<string, number[]> = {};
  let count = Infinity;
  for (const [name, column] of Object.entries(columns)) {
    draws[name] = Array.from(column);
    count = Math.min(count, column.length);
  }
  if (!(Number.isFinite(count) && count > 1)) return null;
  let mismatch = 0;
  for (const [name, entry] of Object.entries(params)) {
    if (!entry.ci95 || !draws[name]) continue;
    const sorted = Float64Array.from(draws[name]).sort();
    const width = Math.abs(entry.ci95[1] - entry.ci95[0]) || 1;
    mismatch = Math.max(mismatch, Math.abs(quantile(sorted, 0.025) - entry.ci95[0]) / width, Math.abs(quantile(sorted, 0.975) - entry.ci95[1]) / width);
  }
  return { draws, count, seed: options.seed, requested, mismatch };
}
