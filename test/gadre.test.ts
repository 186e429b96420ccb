import { describe, expect, it } from 'vitest';
import { gadreTarget } from '../pipeline/reproduce/gadre.ts';
import { chinchilla, type ChinchillaDesign } from '../pipeline/laws/chinchilla.ts';
import { fitLaw, predictLoss } from '../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { Random } from '../pipeline/fitting/random.ts';

describe('lsq-linear objective (least squares on the loss itself)', () => {
  it('recovers known Chinchilla coefficients and differs from the log-space fit on noisy data', async () => {
    const N: number[] = [];
    const D: number[] = [];
    for (const n of [1e7, 4e7, 1.6e8, 6.4e8, 2.5e9]) for (const m of [5, 20, 80, 320]) { N.push(n); D.push(n * m); }
    const design: ChinchillaDesign = { n: N.length, logN: Float64Array.from(N, Math.log), logD: Float64Array.from(D, Math.log) };
    const truth = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
    const clean = predictLoss(chinchilla, { tokens: 'total' }, design, truth);
    const exact = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design, y: Float64Array.from(clean, Math.log) }, resolveFitOptions({ objective: 'lsq-linear' }));
    expect(exact.objective.kind).toBe('lsq-linear');
    for (const [name, value] of Object.entries(truth)) expect(Math.abs(exact.values[name] / value - 1)).toBeLessThan(1e-4);
    const rng = new Random(3);
    const y = Float64Array.from(clean, (l) => Math.log(l * (1 + 0.02 * rng.normal())));
    const linear = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design, y }, resolveFitOptions({ objective: 'lsq-linear', starts: 'init' }));
    const log = await fitLaw({ law: chinchilla, ctx: { tokens: 'total' }, design, y }, resolveFitOptions({ objective: 'lsq', starts: 'init' }));
    expect(linear.values.alpha).not.toBeCloseTo(log.values.alpha, 6);
  });
});

describe('reproduce gadre', () => {
  // mlfoundations/scaling, scaling_explorer.ipynb (commit a003c49): 0.7103 % and 0.7320 %.
  it('reproduces the published extrapolation errors of Gadre et al. 2024', async () => {
    const checks = await gadreTarget.run({});
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(checks.map((c) => c.published)).toEqual([5, 0.7103, 0.732]);
  });
});
