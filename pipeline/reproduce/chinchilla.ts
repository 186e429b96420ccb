/**
 * `atlas reproduce chinchilla`: Epoch AI's replication of Chinchilla Approach 3 (Besiroglu et al.
 * 2024) on the 240 non-excluded points of Hoffmann et al.'s Fig. 4, refitted from data with
 * Hoffmann's 4,500-start grid and a seeded 1,000-resample bootstrap.
 */
import { loadTable } from '../config/load.ts';
import { runFit } from '../fit/fit.ts';
import { check, type Check, type ReproduceTarget } from './check.ts';
import { shipped } from '../io/shipped.ts';
import { CHINCHILLA_PUBLISHED } from '../laws/chinchilla.ts';

const EPOCH_GRID = CHINCHILLA_PUBLISHED.epochGrid;
const EPOCH_STDERR = CHINCHILLA_PUBLISHED.epochStderr;
const EPOCH_N_OPT_EXPONENT = CHINCHILLA_PUBLISHED.epochNOptExponent;

export const chinchillaTarget: ReproduceTarget = {
  name: 'chinchilla',
  description: 'Epoch AI grid fit of Chinchilla Approach 3 on datasets/epoch-chinchilla (240 points)',
  async run({ quick, seed }): Promise<Check[]> {
    const config = shipped('configs', 'epoch-chinchilla.yaml');
    const { table, config: loaded } = await loadTable({ config });
    const bootstrap = quick ? 200 : 1000;
    const { artifact } = await runFit({
      table,
      law: 'chinchilla',
      lawOptions: loaded?.law_options ?? {},
      fit: { ...(loaded?.fit ?? {}), starts: 'grid', bootstrap, seed: seed ?? 0 },
      configSha256: loaded?.sha256 ?? null,
    });
    const p = artifact.params;
    const t = 'chinchilla';
    const checks: Check[] = [
      check(t, `rows fitted (non-excluded points)`, 240, artifact.metrics.train.rows, { abs: 0 }),
      check(t, `objective Σ Huber_1e-3 (≤ published·(1+1e-6))`, EPOCH_GRID.objective, artifact.objective.value, { rel: 1e-6 },
        `${artifact.fit.starts} starts, ${artifact.fit.iterations} iterations, status ${artifact.fit.status}`),
    ];
    checks[1].ok = artifact.objective.value <= EPOCH_GRID.objective * (1 + 1e-6);
    for (const name of ['A', 'B', 'E', 'alpha', 'beta'] as const) {
      checks.push(check(t, `grid fit ${name}`, EPOCH_GRID[name], p[name].value, { rel: 0.002 }));
    }
    for (const name of ['E', 'alpha', 'beta', 'A', 'B'] as const) {
      checks.push(check(t, `bootstrap stderr ${name} (${bootstrap} resamples, seed ${seed ?? 0})`, EPOCH_STDERR[name], p[name].stderr ?? NaN, { rel: 0.3 },
        p[name].ci95 ? `95% interval [${p[name].ci95![0].toPrecision(5)}, ${p[name].ci95![1].toPrecision(5)}]` : undefined));
    }
    checks.push(check(t, 'compute-optimal exponent a = beta/(alpha+beta)', EPOCH_N_OPT_EXPONENT, artifact.derived.n_opt_exponent.value, { abs: 0.002 },
      "Epoch's 0.513 comes from its Huber-likelihood fit; the grid fit's exponent differs in the third digit"));
    return checks;
  },
};
