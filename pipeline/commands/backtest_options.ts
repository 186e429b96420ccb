/**
 * Fit options a backtest (or `fit --law auto`) gives every candidate: the config's objective, δ,
 * starts and iteration cap, then every flag typed on the command line. A config's `fix`, `tie`,
 * `init` and `grid` belong to its one law and are not carried to other candidates (a candidate
 * of the `backtest:` block sets its own).
 */
import { mergeFitOptions, type FitOptions } from '../fitting/options.ts';

export function backtestFitOptions(config: Partial<FitOptions> | undefined, flags: Partial<FitOptions>): Partial<FitOptions> {
  const { objective, delta, starts, maxIterations, threads } = config ?? {};
  return mergeFitOptions({ objective, delta, starts, maxIterations, threads }, flags);
}
