/**
 * `atlas reproduce datablations`: the data-constrained law of Muennighoff et al. 2023 on the 182
 * points of their default fit, with the base coefficients fixed, from the authors' grid.
 */
import { loadTable } from '../config/load.ts';
import { getLaw } from '../laws/index.ts';
import { DATABLATIONS_COEFFICIENTS } from '../laws/data_constrained.ts';
import { fitLaw, predictLoss } from '../fitting/fit.ts';
import { resolveFitOptions } from '../fitting/options.ts';
import { lossMetrics } from '../fit/metrics.ts';
import { ingestText } from '../ingest/ingest.ts';
import { check, type Check, type ReproduceTarget } from './check.ts';
import { shipped } from '../io/shipped.ts';
import type { FitResult } from '../fitting/result.ts';

/** datablations README and utils/parametric_fit.ipynb (commit 1370131): published results. */
const PUBLISHED = { R_D: 15.387756, R_N: 5.309743, objective: 0.0158259, r2Law: 0.7722, r2Chinchilla: 0.4452 };
/** README examples: scaling_law(6.34e9, 242e9, 25e9) and scaling_law(8.67e9, 178e9, 25e9). */
const README_EXAMPLES = [
  { N: 6.34e9, D: 242e9, U: 25e9, loss: 2.2256440889984477, tolerance: 1e-9 },
  { N: 8.67e9, D: 178e9, U: 25e9, loss: 2.2270, tolerance: 5e-5 },
];
/** The authors' grid, linspace(0, 20, 4) for R_D* and R_N*; the 0 start is replaced by 0.01 (R* > 0). */
const AUTHORS_GRID = [0.01, 20 / 3, 40 / 3, 20];

export const datablationsTarget: ReproduceTarget = {
  name: 'datablations',
  description: 'data-constrained law (Muennighoff et al. 2023) on datasets/datablations (182 points)',
  async run(): Promise<Check[]> {
    const law = getLaw('data-constrained');
    const { table, config } = await loadTable({ config: shipped('configs', 'datablations.yaml') });
    const ctx = law.context(table, {});
    const design = law.prepare(table, ctx);
    const y = Float64Array.from(table.loss, Math.log);
    const { E, A, B, alpha, beta } = DATABLATIONS_COEFFICIENTS;
    const fix = { E, A, B, alpha, beta, ...(config?.fit?.fix ?? {}) };
    // Every start of the authors' grid, each with the local optimiser; the basins they reach.
    const basins: { result: FitResult; starts: number }[] = [];
    for (const rd of AUTHORS_GRID) {
      for (const rn of AUTHORS_GRID) {
        const result = await fitLaw({ law, ctx, design, y }, resolveFitOptions({ fix, starts: 'init', init: { R_D: rd, R_N: rn } }));
        const same = basins.find((b) => Math.abs(Math.log(b.result.values.R_D / result.values.R_D)) < 1e-3 && Math.abs(Math.log(b.result.values.R_N / result.values.R_N)) < 1e-3);
        if (same) same.starts++;
        else basins.push({ result, starts: 1 });
      }
    }
    basins.sort((a, b) => b.starts - a.starts || a.result.objective.value - b.result.objective.value);
    const modal = basins[0];
    const lowest = [...basins].sort((a, b) => a.result.objective.value - b.result.objective.value)[0];
    const basinNote = `${modal.starts} of ${AUTHORS_GRID.length ** 2} grid starts reach this optimum; the lowest objective over the grid is ${lowest.result.objective.value.toPrecision(6)} at R_D*=${lowest.result.values.R_D.toPrecision(4)}, R_N*=${lowest.result.values.R_N.toPrecision(4)} (${lowest.starts} starts): the objective is flat and multimodal`;
    const ours = modal.result.values;
    const r2Law = lossMetrics(table.loss, predictLoss(law, ctx, design, ours)).r2;
    const unlimited = { ...design, U: new Float64Array(design.n).fill(Infinity) };
    const r2Chinchilla = lossMetrics(table.loss, predictLoss(law, ctx, unlimited, { ...DATABLATIONS_COEFFICIENTS })).r2;
    const t = 'datablations';
    const checks: Check[] = [
      check(t, 'rows fitted', 182, table.rows, { abs: 0 }),
      check(t, "R_D* (modal basin of the authors' grid)", PUBLISHED.R_D, ours.R_D, { rel: 0.01 }, basinNote),
      check(t, "R_N* (modal basin of the authors' grid)", PUBLISHED.R_N, ours.R_N, { rel: 0.02 }),
      check(t, 'objective Σ Huber_1e-3 at that optimum', PUBLISHED.objective, modal.result.objective.value, { rel: 1e-4 }),
      check(t, 'R² of the data-constrained law (182 points)', PUBLISHED.r2Law, r2Law, { abs: 0.002 }),
      check(t, 'R² of plain Chinchilla with the base coefficients', PUBLISHED.r2Chinchilla, r2Chinchilla, { abs: 0.002 }),
    ];
    for (const example of README_EXAMPLES) {
      const row = ingestText(`run_id,params,tokens,loss,unique_tokens\nexample,${example.N},${example.D},1,${example.U}\n`, '<readme example>');
      const predicted = predictLoss(law, {}, law.prepare(row, {}), { ...DATABLATIONS_COEFFICIENTS })[0];
      checks.push(check(t, `predict N=${example.N.toExponential(3)} D=${example.D.toExponential(3)} U=${example.U.toExponential(1)} (published coefficients)`, example.loss, predicted, { abs: example.tolerance }));
    }
    return checks;
  },
};
