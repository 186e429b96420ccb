import { describe, expect, it } from 'vitest';
import { curse } from '../pipeline/laws/curse.ts';
import { fitLaw } from '../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { gauss, makeTable, rng, type Row } from './curse_helpers.ts';

// Known coefficients in the range of ATLAS §5.2 (phi = 0.11, psi = -0.04, alpha ~ 0.45, beta ~ 0.15
// from phi/alpha = 0.243 and 1 + psi/beta = 0.728) with a Chinchilla-like E, A, B.
const TRUTH = { E: 1.6, A: 400, B: 300, alpha: 0.45, beta: 0.3, phi: 0.11, psi: -0.04 };
const LANGS = ['en', 'fr', 'ru', 'pl', 'de', 'es', 'uk', 'da', 'cs', 'it', 'sv', 'tr', 'ja', 'zh', 'hi', 'vi'];

function synthetic(noise: number, seed: number) {
  const u = rng(seed);
  const rows: Row[] = [];
  for (const k of [1, 2, 4, 8, 16]) {
    const mixture = LANGS.slice(0, k).map((l) => `${l}:${1 / k}`).join(';');
    for (const params of [1e7, 3e7, 1e8, 3e8, 1e9]) {
      const runId = `k${k}_n${params}`;
      for (const tokens of [1e9, 3e9, 1e10, 3e10, 1e11]) {
        for (const lang of LANGS.slice(0, Math.min(k, 2))) {
          const dT = tokens / k;
          const loss = TRUTH.E + (TRUTH.A * k ** TRUTH.phi) / params ** TRUTH.alpha + (TRUTH.B * k ** TRUTH.psi) / dT ** TRUTH.beta;
          rows.push({ runId, params, tokens, loss: loss * Math.exp(noise * gauss(u)), evalLang: lang, mixture });
        }
      }
    }
  }
  return makeTable(rows);
}

describe('curse law fit', () => {
  it('recovers known coefficients from noiseless synthetic runs (default grid)', async () => {
    const table = synthetic(0, 1);
    const ctx = curse.context(table, {});
    const design = curse.prepare(table, ctx);
    const y = Float64Array.from(table.loss, Math.log);
    const result = await fitLaw({ law: curse, ctx, design, y }, resolveFitOptions({ objective: 'lsq' }));
    expect(result.converged).toBe(true);
    for (const [name, value] of Object.entries(TRUTH)) expect(result.values[name], name).toBeCloseTo(value, name === 'A' || name === 'B' ? 1 : 4);
    expect(result.derived.double_k_params_multiplier.value).toBeCloseTo(2 ** (TRUTH.phi / TRUTH.alpha), 4);
  });

  it('gives bootstrap intervals for phi, psi and the multipliers that cover the truth under noise', async () => {
    const table = synthetic(0.01, 2);
    const ctx = curse.context(table, {});
    const design = curse.prepare(table, ctx);
    const y = Float64Array.from(table.loss, Math.log);
    const clusters = Int32Array.from(table.runId.map((id) => [...new Set(table.runId)].indexOf(id)));
    const result = await fitLaw({ law: curse, ctx, design, y, clusters }, resolveFitOptions({ objective: 'lsq', starts: 'init', bootstrap: 60, seed: 3 }));
    const phi = result.estimates.find((e) => e.name === 'phi')!;
    expect(phi.ci95![0]).toBeLessThan(TRUTH.phi);
    expect(phi.ci95![1]).toBeGreaterThan(TRUTH.phi);
    const m = result.derived.double_k_tokens_multiplier;
    const truth = 2 ** (1 + TRUTH.psi / TRUTH.beta);
    expect(m.ci95![0]).toBeLessThan(truth);
    expect(m.ci95![1]).toBeGreaterThan(truth);
    expect(m.ci95![1] - m.ci95![0]).toBeLessThan(0.2);
  });
});
