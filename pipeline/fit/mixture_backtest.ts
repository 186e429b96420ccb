/**
 * Backtests of mixture laws on held-out mixtures: fit each candidate law on the training rows of
 * one table under one hold-out, then score the held-out rows by MAPE and by Spearman's ρ across
 * mixtures within each (target, N, D) cell. Used by `atlas reproduce regmix` and
 * `atlas reproduce mixing-laws`, and by the report's predicted-against-observed panel.
 */
import type { CoefficientArtifact } from '../io/artifact.ts';
import type { LawOptions } from '../laws/law.ts';
import type { FitOptions } from '../fitting/options.ts';
import type { RunTable } from '../io/types.ts';
import { runFit } from './fit.ts';
import { heldOutMask } from './holdout.ts';
import { predictTable } from './validate.ts';
import { lossMetrics } from './metrics.ts';
import { LAMBDA_INIT } from '../laws/atlas.ts';
import { mixtureSpearman, type MixtureRankMetrics } from './rank.ts';

/** A law as one contestant of a backtest. */
export interface MixtureCandidate {
  /** Label in tables (`mixing-law`, `atlas-with-domains`, …). */
  label: string;
  law: string;
  lawOptions?: LawOptions;
  fit?: Partial<FitOptions>;
}

/** One candidate's backtest. */
export interface MixtureBacktest {
  label: string;
  law: string;
  artifact: CoefficientArtifact;
  /** Predicted loss of every row of the table. */
  predicted: Float64Array;
  /** 1 = held-out row. */
  mask: Uint8Array;
  heldout: { rows: number; mape: number; r2: number };
  ranking: MixtureRankMetrics | null;
}

/**
 * The ATLAS law with domains as languages, set up for data of one model size and one token count
 * (the usual mixture study): the N term is constant there, so A and alpha are held (A/N^alpha then
 * only shifts E), no domain repeats (λ held at its default) and every co-sampled domain has its own
 * transfer weight (tau_other held at 0). With several sizes, pass `sizes: true` to fit A and alpha.
 */
export function atlasDomainsCandidate(options: { targetSources?: Record<string, string>; sizes?: boolean } = {}): MixtureCandidate {
  const fix: Record<string, number> = { lambda: LAMBDA_INIT, tau_other: 0 };
  if (!options.sizes) Object.assign(fix, { A: 1e-9, alpha: 0.34 });
  return {
    label: 'atlas-with-domains',
    law: 'atlas',
    lawOptions: { domains: true, ...(options.targetSources ? { targetSources: options.targetSources } : {}) },
    fit: { objective: 'lsq-linear', fix },
  };
}

/** Fit every candidate on the rows `holdout` keeps and score the rows it holds out. */
export async function backtestMixtures(table: RunTable, candidates: MixtureCandidate[], holdout: string | null, seed = 0): Promise<MixtureBacktest[]> {
  const mask = heldOutMask(table, holdout ?? 'none');
  const out: MixtureBacktest[] = [];
  for (const candidate of candidates) {
    const { artifact } = await runFit({ table, law: candidate.law, lawOptions: candidate.lawOptions, fit: { seed, ...(candidate.fit ?? {}) }, holdout });
    const predicted = predictTable(artifact, table);
    const metrics = lossMetrics(table.loss, predicted, (i) => mask[i] === 1);
    out.push({
      label: candidate.label,
      law: candidate.law,
      artifact,
      predicted,
      mask,
      heldout: { rows: metrics.rows, mape: metrics.mape, r2: metrics.r2 },
      ranking: mixtureSpearman(table, predicted, (i) => mask[i] === 1),
    });
  }
  return out;
}

/** ρ of a backtest in the cell of model size `params` (NaN when that cell was not scored). */
export function rhoAt(result: MixtureBacktest, params: number): number {
  return result.ranking?.by_cell.find((c) => c.params === params)?.spearman ?? Number.NaN;
}
