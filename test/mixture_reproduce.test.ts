/**
 * `atlas reproduce regmix` and `atlas reproduce mixing-laws`: rank correlations of mixture laws on
 * held-out mixtures of the shipped RegMix (Liu et al. 2025) and data-mixing-laws (Ye et al. 2025)
 * runs, against numpy/scipy reference values (scripts/reference/mixture_laws.py).
 */
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../pipeline/reproduce/index.ts';
import { olsBaselineRho, regmixBacktest, regmixTarget } from '../pipeline/reproduce/regmix.ts';
import { mixingLawsTarget } from '../pipeline/reproduce/mixing_laws.ts';
import { rhoAt } from '../pipeline/fit/mixture_backtest.ts';

describe('reproduce regmix', () => {
  it('is registered with mixing-laws', () => {
    expect(TARGETS.map((t) => t.name)).toEqual(expect.arrayContaining(['regmix', 'mixing-laws']));
  });

  it('recomputes the linear baseline ρ from the verbatim files (numpy: 0.9021, 0.8933, 0.8766)', () => {
    const rho = olsBaselineRho();
    expect(rho[0]).toBeCloseTo(0.9021, 3);
    expect(rho[1]).toBeCloseTo(0.8933, 3);
    expect(rho[2]).toBeCloseTo(0.8766, 3);
  });

  it('every check is within tolerance, and the mixing law ranks the held-out mixtures better than the linear baseline at every size', async () => {
    const checks = await regmixTarget.run({});
    expect(checks).toHaveLength(9);
    for (const c of checks) expect(c.ok, `${c.quantity}: ours ${c.ours} vs ${c.published}`).toBe(true);
    const results = await regmixBacktest();
    const mixing = results.find((r) => r.label === 'mixing-law')!;
    const linear = results.find((r) => r.label === 'mixture-linear')!;
    for (const n of [1e6, 6e7, 1e9]) expect(rhoAt(mixing, n)).toBeGreaterThan(rhoAt(linear, n));
    expect(rhoAt(mixing, 1e9)).toBeGreaterThanOrEqual(0.98);
  }, 120_000);
});

describe('reproduce mixing-laws', () => {
  it('the size-aware mixing law fitted on 70M-410M predicts the 1B runs as scipy does', async () => {
    const checks = await mixingLawsTarget.run({});
    expect(checks).toHaveLength(2);
    for (const c of checks) expect(c.ok, `${c.quantity}: ours ${c.ours} vs ${c.published}`).toBe(true);
  }, 120_000);
});
