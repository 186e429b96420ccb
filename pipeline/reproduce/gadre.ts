/**
 * `atlas reproduce gadre`: Gadre et al. 2024's over-training extrapolation. Their law
 * L = E + α·N^b + β·6^(b/2)·(M·N)^b is Chinchilla with tied exponents (B = β·6^(b/2), D = M·N),
 * fitted by least squares on the loss itself (scipy curve_fit) to five small RedPajama runs and
 * used to predict the C4-validation loss of a 1.4B model at M = 640 and a 6.9B model at M = 20.
 */
import { loadTable } from '../config/load.ts';
import { runFit } from '../fit/fit.ts';
import { check, type Check, type ReproduceTarget } from './check.ts';
import { shipped } from '../io/shipped.ts';

/** Relative errors (%) printed in mlfoundations/scaling's scaling_explorer.ipynb (commit a003c49). */
const PUBLISHED = [
  { run: 'rpj-open_lm_1b-32.0', label: '1.4B at M = 640', error: 0.7103 },
  { run: 'rpj-open_lm_7b-1.0', label: '6.9B at M = 20', error: 0.7320 },
];

export const gadreTarget: ReproduceTarget = {
  name: 'gadre',
  description: 'over-training extrapolation of Gadre et al. 2024 on datasets/gadre-overtraining (5 RedPajama fit runs)',
  async run(): Promise<Check[]> {
    const { table, config } = await loadTable({ config: shipped('configs', 'gadre-overtraining.yaml') });
    const { artifact, predictions } = await runFit({
      table,
      law: 'chinchilla',
      fit: { ...(config?.fit ?? {}), objective: 'lsq-linear', starts: 'grid' },
      holdout: config?.holdout ?? null,
      configSha256: config?.sha256 ?? null,
    });
    const rows = predictions.trim().split('\n').slice(1).map((line) => line.split(','));
    const t = 'gadre';
    const checks: Check[] = [check(t, 'fit runs (4 small sizes at M = 20, d=96 at M = 320)', 5, artifact.metrics.train.rows, { abs: 0 },
      `tied exponent eta = ${artifact.params.alpha.value.toPrecision(5)}, E = ${artifact.params.E.value.toPrecision(5)}, status ${artifact.fit.status}`)];
    for (const target of PUBLISHED) {
      const row = rows.find((r) => r[0] === target.run);
      const error = row ? (100 * Math.abs(Number(row[6]) - Number(row[5]))) / Number(row[5]) : NaN;
      checks.push(check(t, `relative error (%) predicting ${target.label}, C4-eval loss`, target.error, error, { abs: 0.005 }));
    }
    return checks;
  },
};
