/**
 * Using atlas as a library: build a run log in memory, check it, fit the Chinchilla law, read the
 * coefficients and the held-out fit quality.
 *
 *   node --import tsx scripts/example-library.ts          (prints JSON on stdout)
 *
 * The rows are generated from Hoffmann et al.'s (2022) published Approach 3 coefficients
 * (E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28), so the fit should give them back.
 */
import { fit, ingest, laws, type RowInput } from '@atlas-scaling/atlas';

const truth = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
const rows: RowInput[] = [];
for (const params of [2e7, 6e7, 2e8, 6e8, 2e9, 6e9]) {
  for (const tokensPerParam of [5, 10, 20, 40, 80]) {
    const tokens = params * tokensPerParam;
    const loss = truth.E + truth.A / params ** truth.alpha + truth.B / tokens ** truth.beta;
    rows.push({ run_id: `N${params}-D${tokens}`, params, tokens, loss });
  }
}

const table = ingest.rows(rows); // throws InputError listing every bad row
const summary = ingest.summarize(table);
const { values, artifact } = await fit(table, { law: 'chinchilla', holdout: 'top-params:0.2', objective: 'lsq' });

process.stdout.write(
  `${JSON.stringify(
    {
      laws: Object.keys(laws).sort(),
      rows: summary.rows,
      law: artifact.law,
      converged: artifact.fit.converged,
      values,
      truth,
      heldout_r2: artifact.metrics.heldout?.r2 ?? null,
    },
    null,
    2,
  )}\n`,
);
