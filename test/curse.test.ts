import { describe, expect, it } from 'vitest';
import { curse, curseDerived, curseMultipliers } from '../pipeline/laws/curse.ts';
import { toInternal } from '../pipeline/laws/law.ts';
import { LAWS } from '../pipeline/laws/index.ts';
import { isoLossPlan, isoLossS, isoLossT, type CurseValues } from '../pipeline/curse/curse.ts';
import { InputError } from '../pipeline/io/types.ts';
import { makeTable, type Row } from './curse_helpers.ts';

const LANGS = ['en', 'fr', 'ru', 'pl', 'de', 'es', 'uk', 'da'];

function uniform(k: number): string {
  return LANGS.slice(0, k).map((l) => `${l}:${1 / k}`).join(';');
}

function designRows(): Row[] {
  const rows: Row[] = [];
  for (const k of [1, 2, 4, 8]) {
    for (const params of [1e6, 1e7, 1e8]) {
      for (const tokens of [1e8, 1e9, 1e10]) {
        rows.push({ runId: `k${k}_${params}`, params, tokens, loss: 2, evalLang: 'en', mixture: uniform(k) });
      }
    }
  }
  return rows;
}

describe('curse law', () => {
  it('is registered under its SPEC name', () => {
    expect(LAWS.curse).toBe(curse);
  });

  it('evaluates E + A K^phi/N^alpha + B K^psi/D_t^beta', () => {
    const table = makeTable(designRows());
    const ctx = curse.context(table, {});
    expect(ctx.ks).toEqual([1, 2, 4, 8]);
    const design = curse.prepare(table, ctx);
    const v = { E: 1.7, A: 300, B: 900, alpha: 0.4, beta: 0.3, phi: 0.11, psi: -0.04 };
    const specs = curse.parameters(ctx);
    const theta = Float64Array.from(specs.map((s) => toInternal(s, v[s.name as keyof typeof v])));
    const out = new Float64Array(table.rows);
    curse.evaluate(theta, design, out);
    for (let i = 0; i < table.rows; i++) {
      const k = table.mixture[i].langs.length;
      const dT = table.tokens[i] / k;
      const expected = v.E + (v.A * k ** v.phi) / table.params[i] ** v.alpha + (v.B * k ** v.psi) / dT ** v.beta;
      expect(Math.exp(out[i])).toBeCloseTo(expected, 10);
    }
  });

  it('has an analytic Jacobian that matches central differences', () => {
    const table = makeTable(designRows());
    const ctx = curse.context(table, {});
    const design = curse.prepare(table, ctx);
    const specs = curse.parameters(ctx);
    const p = specs.length;
    expect(specs.map((s) => s.name)).toEqual(['E', 'A', 'B', 'alpha', 'beta', 'phi', 'psi']);
    // A point where all three terms matter, and one where the data term dominates.
    for (const v of [
      { E: 1.2, A: 40, B: 60, alpha: 0.3, beta: 0.25, phi: 0.2, psi: -0.1 },
      { E: 0.5, A: 5, B: 5000, alpha: 0.5, beta: 0.35, phi: -0.05, psi: 0.3 },
    ]) {
      const theta = Float64Array.from(specs.map((s) => toInternal(s, v[s.name as keyof typeof v])));
      const n = table.rows;
      const out = new Float64Array(n);
      const jac = new Float64Array(n * p);
      curse.evaluate(theta, design, out, jac);
      const plus = new Float64Array(n);
      const minus = new Float64Array(n);
      let worst = 0;
      for (let j = 0; j < p; j++) {
        const h = 1e-6;
        const tp = Float64Array.from(theta);
        const tm = Float64Array.from(theta);
        tp[j] += h;
        tm[j] -= h;
        curse.evaluate(tp, design, plus);
        curse.evaluate(tm, design, minus);
        for (let i = 0; i < n; i++) {
          const numeric = (plus[i] - minus[i]) / (2 * h);
          worst = Math.max(worst, Math.abs(numeric - jac[i * p + j]));
        }
      }
      expect(worst).toBeLessThan(1e-7);
    }
  });

  it('rejects non-uniform mixtures and zero-shot rows with FILE:LINE messages', () => {
    const rows = designRows().slice(0, 2);
    rows.push({ runId: 'skew', params: 1e7, tokens: 1e9, loss: 2, evalLang: 'en', mixture: 'en:0.7;fr:0.3' });
    rows.push({ runId: 'zero', params: 1e7, tokens: 1e9, loss: 2, evalLang: 'de', mixture: 'en:0.5;fr:0.5' });
    const table = makeTable(rows, 'runs.csv');
    const ctx = curse.context(table, {});
    let error: unknown;
    try {
      curse.prepare(table, ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const problems = (error as InputError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^runs\.csv:4: mixture: .*not uniform/);
    expect(problems[1]).toMatch(/^runs\.csv:5: eval_lang: "de" is not in the training mixture/);
  });

  it('accepts weights printed to five decimals (0.08333 for 1/12)', () => {
    const mixture = Array.from({ length: 12 }, (_, i) => `l${i}:0.08333`).join(';');
    const table = makeTable([{ runId: 'k12', params: 1e6, tokens: 1e7, loss: 2, evalLang: 'l3', mixture }]);
    const design = curse.prepare(table, curse.context(table, {}));
    expect(Math.exp(design.logK[0])).toBeCloseTo(12, 12);
    expect(Math.exp(design.logD[0])).toBeCloseTo(1e7 * 0.08333, 6);
  });

  it('derives the SPEC multipliers 2^(phi/alpha) and 2^(1+psi/beta)', () => {
    const v = { alpha: 0.45, beta: 0.15, phi: 0.11, psi: -0.04 };
    const d = curseDerived(v);
    expect(d.double_k_params_multiplier).toBeCloseTo(2 ** (0.11 / 0.45), 12);
    expect(d.double_k_tokens_multiplier).toBeCloseTo(2 ** (1 - 0.04 / 0.15), 12);
    expect(d.double_k_compute_multiplier).toBeCloseTo(d.double_k_params_multiplier * d.double_k_tokens_multiplier, 12);
    expect(d.k_x16_params_multiplier).toBeCloseTo(16 ** (0.11 / 0.45), 12);
    expect(d.k_x8_tokens_multiplier).toBeCloseTo(8 ** (1 - 0.04 / 0.15), 12);
    // r^(psi/beta) per language times r languages = total tokens
    expect(d.k_x4_target_tokens_multiplier * 4).toBeCloseTo(d.k_x4_tokens_multiplier, 12);
  });
});

describe('iso-loss curve (Eq. 8)', () => {
  const values: CurseValues = { E: 1.5, A: 200, B: 3000, alpha: 0.35, beta: 0.3, phi: 0.12, psi: -0.05 };

  function lossOf(N: number, D: number, K: number): number {
    return values.E! + (values.A * K ** values.phi) / N ** values.alpha + (values.B * K ** values.psi) / (D / K) ** values.beta;
  }

  it('keeps the loss of the baseline at every point of the curve', () => {
    const req = { params: 1e8, tokens: 2e10, k: 4, targetK: 12 };
    const plan = isoLossPlan(values, req);
    const base = lossOf(req.params, req.tokens, req.k);
    expect(plan.loss).toBeCloseTo(base, 12);
    expect(plan.lossAtTargetK).toBeGreaterThan(base);
    expect(plan.curve.length).toBeGreaterThan(5);
    for (const p of plan.curve) expect(lossOf(p.params, p.tokens, req.targetK)).toBeCloseTo(base, 10);
    // t(s) and s(t) are inverse to each other
    for (const p of plan.curve) expect(isoLossS(isoLossT(p.s, plan.r, plan.wN, values), plan.r, plan.wN, values)).toBeCloseTo(p.s, 8);
  });

  it('finds the minimum-compute point of the curve', () => {
    const req = { params: 3e7, tokens: 5e9, k: 2, targetK: 8 };
    const plan = isoLossPlan(values, req, 41);
    for (const p of plan.curve) expect(p.compute).toBeGreaterThanOrEqual(plan.optimum.compute * (1 - 1e-12));
    // brute force over a fine grid of s
    let best = Infinity;
    for (let s = plan.sMin * 1.0001; s < plan.optimum.s * 20; s *= 1.001) {
      const t = isoLossT(s, plan.r, plan.wN, values);
      if (Number.isFinite(t)) best = Math.min(best, plan.r * s * t);
    }
    expect(plan.optimum.compute).toBeLessThanOrEqual(best * (1 + 1e-9));
    expect(plan.optimum.compute).toBeGreaterThan(best * (1 - 1e-5));
  });

  it('gives the paper multipliers r^(phi/alpha), r^(1+psi/beta) from a compute-optimal baseline', () => {
    // Compute-optimal at C = 6 N D_tot with K fixed: N*(C) with A' = A K^phi, B' = B K^(psi+beta)
    const K = 4;
    const Ap = values.A * K ** values.phi;
    const Bp = values.B * K ** (values.psi + values.beta);
    const G = ((values.alpha * Ap) / (values.beta * Bp)) ** (1 / (values.alpha + values.beta));
    const C = 1e20;
    const N = G * (C / 6) ** (values.beta / (values.alpha + values.beta));
    const D = C / (6 * N);
    for (const r of [2, 4, 8, 16]) {
      const plan = isoLossPlan(values, { params: N, tokens: D, k: K, targetK: r * K });
      const m = curseMultipliers(values, r);
      expect(plan.wN).toBeCloseTo(values.beta / (values.alpha + values.beta), 10);
      expect(plan.optimum.s).toBeCloseTo(m.params, 9);
      expect(plan.optimum.totalTokens).toBeCloseTo(m.totalTokens, 9);
      expect(plan.optimum.compute).toBeCloseTo(m.compute, 9);
      expect(plan.paperMultipliers.params).toBeCloseTo(m.params, 12);
    }
  });

  it('rejects impossible requests as input errors', () => {
    expect(() => isoLossPlan(values, { params: 0, tokens: 1e9, k: 1, targetK: 2 })).toThrow(InputError);
    expect(() => isoLossPlan({ ...values, alpha: 0 }, { params: 1e7, tokens: 1e9, k: 1, targetK: 2 })).toThrow(InputError);
  });
});
