/**
 * Fit options: one place where defaults are resolved and echoed into artifacts.
 */

export type ObjectiveKind = 'huber' | 'lsq' | 'lsq-linear';

/** The loss function of an objective: Huber or squares. */
export function lossOf(objective: ObjectiveKind): 'huber' | 'lsq' {
  return objective === 'huber' ? 'huber' : 'lsq';
}

/** Where residuals live: ln L̂ − ln L (`huber`, `lsq`) or L̂ − L (`lsq-linear`). */
export function spaceOf(objective: ObjectiveKind): 'log' | 'linear' {
  return objective === 'lsq-linear' ? 'linear' : 'log';
}

export interface FitOptions {
  /**
   * `huber` (sum of Huber_δ on log-loss residuals, Hoffmann/Epoch), `lsq` (sum of r²/2 on log-loss
   * residuals) or `lsq-linear` (sum of (L̂ − L)²/2 on the loss itself, scipy curve_fit's objective as
   * used by Gadre et al. 2024). @default 'huber'
   */
  objective: ObjectiveKind;
  /** Huber δ on log-loss residuals. @default 1e-3 */
  delta: number;
  /** `grid` (the product of every free parameter's grid), `init` (one start), or a number of seeded random starts. @default 'grid' */
  starts: 'grid' | 'init' | number;
  /** Parameters held at a value (natural scale). */
  fix: Record<string, number>;
  /** Parameters tied to another: `{ beta: 'alpha' }` makes beta equal alpha. */
  tie: Record<string, string>;
  /** Overrides of starting values (natural scale). */
  init: Record<string, number>;
  /** Overrides of grids (internal coordinates). */
  grid: Record<string, number[]>;
  /** Bootstrap resamples over runs (0 = none). @default 0 */
  bootstrap: number;
  /** Seed of every random choice (random starts, bootstrap). @default 0 */
  seed: number;
  /** Local optimiser iteration cap per start. @default 500 */
  maxIterations: number;
  /**
   * Abandon multi-start runs heading for a basin well above the best found so far (see
   * multiStart). `false` runs every start to convergence: the exhaustive grid. @default true
   */
  prune: boolean;
  /** Worker threads for multi-start and bootstrap (1 = in process). @default 1 */
  threads: number;
  /**
   * Checkpoint policy: which checkpoints of each run enter the fit (`all`, `final`,
   * `drop-early:F`, `tokens>=X`; pipeline/fit/checkpoints.ts). The default is the policy the
   * backtests on the shipped real logs support (docs/backtest.md): `drop-early:0.5` wins on the
   * learning curves of manpages-sweep, and keeps every row of the logs with one checkpoint per
   * run (a run's final checkpoint is always kept). A run is one run id: a log that files several
   * token budgets under one id must give each budget its own id, or pass `all`.
   * @default 'drop-early:0.5'
   */
  checkpoints: string;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = {
  objective: 'huber',
  delta: 1e-3,
  starts: 'grid',
  fix: {},
  tie: {},
  init: {},
  grid: {},
  bootstrap: 0,
  seed: 0,
  maxIterations: 500,
  prune: true,
  threads: 1,
  checkpoints: 'drop-early:0.5',
};

/** Resolve options: law defaults, then user overrides, over the global defaults. */
export function resolveFitOptions(...layers: (Partial<FitOptions> | undefined)[]): FitOptions {
  return mergeFitOptions(DEFAULT_FIT_OPTIONS, ...layers) as FitOptions;
}

/**
 * Layer partial fit options, later layers winning: scalar options are replaced, the per-parameter
 * maps (`fix`, `tie`, `init`, `grid`) are merged key by key (a config's `fix` and a command line's
 * `--fix` both hold).
 */
export function mergeFitOptions(...layers: (Partial<FitOptions> | undefined)[]): Partial<FitOptions> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      out[key] = key === 'fix' || key === 'tie' || key === 'init' || key === 'grid'
        ? { ...(out[key] as object | undefined), ...(value as object) }
        : value;
    }
  }
  return out as Partial<FitOptions>;
}
