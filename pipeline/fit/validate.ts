/**
 * Score a fitted artifact on data (`atlas validate`) and predict losses from it (`atlas predict`).
 */
import type { CoefficientArtifact, Metrics } from '../io/artifact.ts';
import { getLaw } from '../laws/index.ts';
import { predictLoss } from '../fitting/fit.ts';
import type { RunTable } from '../io/types.ts';
import { InputError } from '../io/types.ts';
import { groupRows, subsetTable } from '../io/table.ts';
import { heldOutMask } from './holdout.ts';
import { lossMetrics } from './metrics.ts';
import { mixtureSpearman, type MixtureRankMetrics } from '../fit/rank.ts';

function valuesOf(params: CoefficientArtifact['params']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, entry] of Object.entries(params)) out[name] = entry.value;
  return out;
}

const GROUP_KEYS: Record<string, (table: RunTable, i: number) => string> = {
  eval_lang: (table, i) => table.evalLang[i],
  run_id: (table, i) => table.runId[i],
  kind: (table, i) => table.kind[i],
};

/** Predicted loss of every row of `table` under the artifact (per group when it has groups). */
export function predictTable(artifact: CoefficientArtifact, table: RunTable): Float64Array {
  const law = getLaw(artifact.law);
  const out = new Float64Array(table.rows);
  if (artifact.groups) {
    const key = GROUP_KEYS[artifact.group_by ?? ''];
    if (!key) throw new InputError(`coefficients: unknown group_by "${artifact.group_by}"`);
    for (const [name, rows] of groupRows(table, (i) => key(table, i))) {
      const group = artifact.groups[name];
      if (!group) {
        const at = `${table.sources[table.source[rows[0]]]?.path ?? 'data'}:${table.line[rows[0]]}`;
        throw new InputError(`${at}: ${artifact.group_by}: the coefficients have no group "${name}" (groups: ${Object.keys(artifact.groups).join(', ')})`);
      }
      const sub = subsetTable(table, rows);
      const design = law.prepare(sub, group.context);
      const predicted = predictLoss(law, group.context, design, valuesOf(group.params));
      rows.forEach((row, k) => { out[row] = predicted[k]; });
    }
    return out;
  }
  const design = law.prepare(table, artifact.context);
  return predictLoss(law, artifact.context, design, valuesOf(artifact.params));
}

export interface ValidationReport extends Metrics {
  spec: string | null;
  groups?: Record<string, Metrics>;
  /**
   * Spearman's ρ of predicted against observed loss across the scored mixtures, averaged over
   * (eval_lang, N, D) cells; present when some cell holds more than one mixture.
   */
  spearman?: number;
  spearman_cells?: MixtureRankMetrics['by_cell'];
}

/**
 * Metrics of the artifact on `table`: on every row, or only on the rows a hold-out spec selects.
 */
export function validateArtifact(artifact: CoefficientArtifact, table: RunTable, holdout?: string | null): ValidationReport {
  const predicted = predictTable(artifact, table);
  const mask = holdout ? heldOutMask(table, holdout) : null;
  const include = (i: number) => (mask ? mask[i] === 1 : true);
  const report: ValidationReport = { spec: holdout ?? null, ...lossMetrics(table.loss, predicted, include) };
  if (report.rows === 0) throw new InputError(`--holdout: "${holdout}" selects no rows of the data`);
  const ranking = mixtureSpearman(table, predicted, include);
  if (ranking) {
    report.spearman = ranking.spearman;
    report.spearman_cells = ranking.by_cell;
  }
  if (artifact.groups) {
    const key = GROUP_KEYS[artifact.group_by ?? '']!;
    report.groups = {};
    for (const [name, rows] of groupRows(table, (i) => key(table, i))) {
      const set = new Set(rows);
      report.groups[name] = lossMetrics(table.loss, predicted, (i) => set.has(i) && include(i));
    }
  }
  return report;
}
