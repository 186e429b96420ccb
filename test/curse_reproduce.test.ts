import { describe, expect, it } from 'vitest';
import { curseChecks, halfUlp, readPublishedCsv, curseTarget } from '../pipeline/reproduce/curse.ts';
import { crossoverChecks, crossoverTokensFromLaw, crossoverTarget } from '../pipeline/reproduce/crossover.ts';
import { TARGETS } from '../pipeline/reproduce/index.ts';

describe('reproduce curse (ATLAS §5.3, Fig. 5)', () => {
  it('is registered', () => {
    expect(TARGETS).toContain(curseTarget);
    expect(TARGETS).toContain(crossoverTarget);
  });

  it('reads the tolerance from the printed digits', () => {
    expect(halfUlp('1.4')).toBeCloseTo(0.05, 15);
    expect(halfUlp('7.52')).toBeCloseTo(0.005, 15);
    expect(halfUlp('144e9')).toBe(0.5);
  });

  it('recovers every Fig. 5 multiplier from phi = 0.11, psi = -0.04', () => {
    const checks = curseChecks();
    const fig5 = readPublishedCsv('curse_fig5_multipliers.csv');
    expect(checks).toHaveLength(1 + 2 * fig5.length);
    for (const c of checks) expect(c.ok, `${c.quantity}: ${c.ours} vs ${c.published}`).toBe(true);
    // Fig. 5, 2K: ×1.18 model size, ×1.66 data (also quoted in the Google Research blog)
    const twoK = checks.filter((c) => c.quantity.startsWith('Fig. 5 2K'));
    expect(twoK.map((c) => c.published).sort()).toEqual([1.18, 1.66]);
    expect(checks[0].note).toMatch(/alpha = phi\/0\.243 = 0\.11\/0\.243 = 0\.4527/);
  });

  it('would fail on a wrong exponent (the checks can fail)', () => {
    // 16K total tokens with 1 + psi/beta = 0.74 instead of 0.728 lies outside the rounding band
    const c = curseChecks().find((x) => x.quantity.startsWith('Fig. 5 16K: total'))!;
    const wrong = 16 ** 0.74;
    expect(Math.abs(wrong - c.published)).toBeGreaterThan(c.tolerance.abs!);
  });
});

describe('reproduce crossover (ATLAS §6, Fig. 7)', () => {
  it('places the text and legend laws inside 144B-283B and the caption law ~10x above', () => {
    const checks = crossoverChecks();
    expect(checks).toHaveLength(3);
    for (const c of checks) expect(c.ok, c.quantity).toBe(true);
    // digest §6: 1113708·(2e9)^1.65 = 2.47e21 FLOPs -> ~206B tokens; 10283128·(2e9)^1.54 -> ~181B
    expect(crossoverTokensFromLaw(1113708, 1.65, 2e9) / 1e9).toBeCloseTo(206.2, 1);
    expect(crossoverTokensFromLaw(10283128, 1.54, 2e9) / 1e9).toBeCloseTo(180.5, 1);
    const caption = checks.find((c) => c.quantity.includes('caption'))!;
    expect(caption.ours).toBeGreaterThan(0.9);
  });
});
