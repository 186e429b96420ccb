/**
 * `atlas fit --law auto`: run the backtest over the candidates, refit the winner (lowest mean
 * MAPE over the hold-outs) on every row, and record the whole table and the choice in the
 * artifact's `selection` section.
 */
import type { CoefficientArtifact } from '../io/artifact.ts';
import { InputError } from '../io/types.ts';
import { runBacktest, type BacktestRequest, type BacktestResult } from './backtest.ts';
import { runFit, type FitOutput, type FitRequest } from './fit.ts';

export interface AutoFitRequest extends Omit<FitRequest, 'law' | 'share'> {
  /** The backtest (its table, group and fit options default to the fit's). */
  backtest?: Omit<BacktestRequest, 'table'>;
  /** A backtest already run on this table (`atlas backtest --out DIR` → DIR/backtest.json): used instead of rerunning it. */
  precomputed?: BacktestResult;
}

/** Fit the law the backtest selects; `artifact.selection` holds the table and the choice. */
export async function runAutoFit(request: AutoFitRequest): Promise<FitOutput & { selection: NonNullable<CoefficientArtifact['selection']> }> {
  // The candidates are scored without a bootstrap (intervals from residual scatter); the refit
  // of the winner runs the bootstrap the request asks for.
  if (request.precomputed && (request.precomputed.groupBy ?? null) !== (request.groupBy ?? null)) {
    throw new InputError(`--backtest: that backtest grouped by ${request.precomputed.groupBy ?? 'nothing'}, this fit by ${request.groupBy ?? 'nothing'}; rerun atlas backtest with the same --group-by`);
  }
  const backtest = request.precomputed ?? await runBacktest({
    groupBy: request.groupBy ?? null,
    lawOptions: request.lawOptions,
    fit: { ...(request.fit ?? {}), bootstrap: 0 },
    ...(request.backtest ?? {}),
    table: request.table,
  });
  const best = backtest.best ? backtest.rows.find((row) => row.candidate === backtest.best!.candidate) ?? backtest.best : null;
  if (!best) {
    const reasons = [...new Set(backtest.rows.flatMap((r) => r.scores.flatMap((s) => (s.error ? [s.error] : []))))].slice(0, 3);
    throw new InputError(`--law auto: no candidate could be fitted and scored on every hold-out${reasons.length ? ` (${reasons.join('; ')})` : ''}; pass --law ID instead`);
  }
  const candidate = (request.backtest?.candidates ?? []).find((c) => c.law === best.law && (c.checkpoints ?? 'all') === best.checkpoints) ?? null;
  const output = await runFit({
    ...request,
    law: best.law,
    lawOptions: { ...(request.lawOptions ?? {}), ...best.lawOptions },
    fit: { ...(request.fit ?? {}), ...(candidate?.fit ?? {}), checkpoints: best.checkpoints },
    share: best.share,
  });
  const selection: NonNullable<CoefficientArtifact['selection']> = {
    method: 'backtest',
    criterion: 'mean MAPE over the hold-outs (final checkpoints of the held-out runs)',
    holdouts: backtest.holdouts,
    fraction: backtest.fraction,
    chosen: best.candidate,
    law: best.law,
    law_options: best.lawOptions,
    checkpoints: best.checkpoints,
    share: best.share,
    table: backtest.rows.map((row) => ({
      candidate: row.candidate,
      mean_mape: row.meanMape,
      scores: row.scores.map((s) => ({ holdout: s.holdout, train_rows: s.trainRows, scored_rows: s.scoredRows, mape: s.mape, rmse: s.rmse, r2: s.r2, coverage95: s.coverage95, ...(s.error ? { error: s.error } : {}) })),
    })),
  };
  output.artifact.selection = selection;
  return { ...output, selection };
}
