/**
 * The atlas and multilingual-family laws: analytic Jacobians against central differences, the
 * repetition function, K_t selection and the D_eff floor.
 */
import { describe, expect, it } from 'vitest';
import { atlas, DEFF_FLOOR, parseTerms, transferLanguages, type AtlasContext } from '../pipeline/laws/atlas.ts';
import { multilingualFamily, familyShare } from '../pipeline/laws/multilingual_family.ts';
import { saturate, saturateDLambda } from '../pipeline/laws/repetition.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { jacobianError } from './helpers/jacobian.ts';

const CSV = [
  'run_id,params,tokens,loss,eval_lang,mixture,unique_tokens,kind,base_run,base_tokens',
  'm1,1e7,2e9,3.1,en,en:1,,pretrain,,',
  'm2,1e8,5e9,2.9,sw,sw:1,sw:1e9,pretrain,,',
  'b1,1e8,4e9,2.8,en,en:0.5;fr:0.5,fr:1e9,pretrain,,',
  'b1,1e8,4e9,2.9,fr,en:0.5;fr:0.5,fr:1e9,pretrain,,',
  'c1,3e8,8e9,2.7,en,de:0.25;en:0.25;fr:0.25;sw:0.25,sw:5e8,pretrain,,',
  'c1,3e8,8e9,2.8,sw,de:0.25;en:0.25;fr:0.25;sw:0.25,sw:5e8,pretrain,,',
  'c2,3e8,6e9,2.7,de,de:0.2;en:0.2;es:0.2;fr:0.2;ru:0.2,,pretrain,,',
  'c3,3e8,6e9,2.7,es,es:0.5;ru:0.5,,pretrain,,',
  'f1,3e8,9e9,2.6,sw,sw:1,sw:5e8,finetune,c1,8e9',
].join('\n');

function table() {
  return ingestText(CSV, 'mini.csv');
}


describe('S_lambda (ATLAS Eq. 3)', () => {
  it('is D within one epoch and tends to U(1 + 1/lambda)', () => {
    expect(saturate(5e8, 1e9, 0.065)).toBe(5e8);
    expect(saturate(1e9, 1e9, 0.065)).toBe(1e9);
    expect(saturate(1e15, 1e9, 0.065)).toBeCloseTo(1e9 * (1 + 1 / 0.065), -3);
    expect(saturate(1e12, Infinity, 0.065)).toBe(1e12);
  });
  it('equals Muennighoff D\' = U + U R_D* (1 - exp(-R_D/R_D*)) with R_D* = 1/lambda', () => {
    const U = 1e9, D = 7e9, RD = D / U - 1, RDs = 15.387756; // Muennighoff et al. 2023, C4 fit
    expect(saturate(D, U, 1 / RDs)).toBeCloseTo(U + U * RDs * (1 - Math.exp(-RD / RDs)), -1);
  });
  it('has the analytic derivative in lambda', () => {
    for (const lambda of [1e-3, 0.065, 0.7]) {
      const h = 1e-7 * lambda;
      const numeric = (saturate(9e9, 1e9, lambda + h) - saturate(9e9, 1e9, lambda - h)) / (2 * h);
      expect(saturateDLambda(9e9, 1e9, lambda) / numeric).toBeCloseTo(1, 5);
    }
  });
});

describe('atlas law', () => {
  it('parses terms and rejects unknown ones', () => {
    expect(parseTerms(undefined)).toBe('target,other,transfer');
    expect(parseTerms('target')).toBe('target');
    expect(parseTerms('other,target')).toBe('target,other');
    expect(() => parseTerms('target,transfer')).toThrow(/needs other/);
    expect(() => parseTerms('target,foo')).toThrow(/unknown term/);
  });

  it('picks K_t as the most co-sampled languages, ties alphabetical, and honours overrides', () => {
    const t = table();
    const k = transferLanguages(t, 3);
    // en is co-sampled with fr in b1, c1, c2 (3), de in c1, c2 (2), sw in c1 (1), es, ru in c2 (1): ties es < ru < sw
    expect(k.en).toEqual(['fr', 'de', 'es']);
    // es: ru in c2 and c3 (2), then de, en, fr once each
    expect(k.es).toEqual(['ru', 'de', 'en']);
    expect(transferLanguages(t, 3, { en: ['sw'] }).en).toEqual(['sw']);
    const ctx = atlas.context(t, { terms: 'target,other,transfer' });
    expect(atlas.parameters(ctx).map((s) => s.name).slice(0, 7)).toEqual(['E', 'A', 'B', 'alpha', 'beta', 'lambda', 'tau_other']);
    // weights only for sources some row of the target trains on
    expect(ctx.tauLanguages).toEqual(['de', 'en', 'es', 'fr', 'ru']);
  });

  for (const terms of ['target', 'target,other', 'target,other,transfer']) {
    it(`has an exact analytic Jacobian (${terms})`, () => {
      const t = table();
      const ctx = atlas.context(t, { terms });
      const design = atlas.prepare(t, ctx);
      const specs = atlas.parameters(ctx);
      // positive transfer, then interference strong enough to hit the D_eff floor
      for (const tau of [0.3, -0.9]) {
        const theta = Float64Array.from(specs.map((s, k) => (k < 6 ? [Math.log(1.2), Math.log(300), Math.log(900), 0.35, 0.3, Math.log(0.2)][k] : tau + 0.01 * k)));
        expect(jacobianError(atlas, ctx, design, theta)).toBeLessThan(1e-5);
      }
    });
  }

  it('stays exact when A/N^alpha overflows a double (shifted log-sum-exp)', () => {
    const t = table();
    const ctx = atlas.context(t, { terms: 'target,other' });
    const design = atlas.prepare(t, ctx);
    const theta = Float64Array.from([Math.log(1.2), 800, Math.log(900), 0.35, 0.3, Math.log(0.2), 0.1]);
    const out = new Float64Array(design.n);
    atlas.evaluate(theta, design, out);
    // ln L̂ ≈ ln A − alpha ln N when that term dominates
    for (let i = 0; i < design.n; i++) expect(out[i]).toBeCloseTo(800 - 0.35 * design.logN[i], 8);
    expect(jacobianError(atlas, ctx, design, theta)).toBeLessThan(1e-5);
  });

  it('keeps D_eff positive under interference (smooth floor)', () => {
    const t = table();
    const ctx: AtlasContext = atlas.context(t, { terms: 'target,other' });
    const design = atlas.prepare(t, ctx);
    const theta = Float64Array.from([Math.log(1), Math.log(300), Math.log(900), 0.35, 0.3, Math.log(0.065), -1]);
    const out = new Float64Array(design.n);
    atlas.evaluate(theta, design, out);
    for (const v of out) expect(Number.isFinite(v)).toBe(true);
    expect(DEFF_FLOOR).toBeGreaterThan(0);
  });

  it('reduces to Chinchilla on D_t when no row repeats and only the target term is used', () => {
    const t = table();
    const ctx = atlas.context(t, { terms: 'target' });
    const design = atlas.prepare(t, ctx);
    const v = { E: 1.1, A: 300, B: 900, alpha: 0.35, beta: 0.3, lambda: 0.065 };
    const theta = Float64Array.from([Math.log(v.E), Math.log(v.A), Math.log(v.B), v.alpha, v.beta, Math.log(v.lambda)]);
    const out = new Float64Array(design.n);
    atlas.evaluate(theta, design, out);
    // row b1/en: D_t = 2e9, unlimited U
    expect(Math.exp(out[2])).toBeCloseTo(v.E + v.A / 1e8 ** v.alpha + v.B / 2e9 ** v.beta, 10);
    // row m2/sw: 5 epochs of 1e9 unique tokens
    const deff = saturate(5e9, 1e9, 0.065);
    expect(Math.exp(out[1])).toBeCloseTo(v.E + v.A / 1e8 ** v.alpha + v.B / deff ** v.beta, 10);
  });

  it('adds the base run\'s tokens to a finetune', () => {
    const t = table();
    const ctx = atlas.context(t, { terms: 'target' });
    const design = atlas.prepare(t, ctx);
    // f1: base c1 gave sw 0.25 × 8e9 = 2e9, then 1e9 more of sw alone
    expect(design.dT[8]).toBeCloseTo(3e9, 0);
  });

  it('rejects rows whose target language was not trained on', () => {
    const t = ingestText('run_id,params,tokens,loss,eval_lang,mixture\nr,1e7,1e9,3,fr,en:1\n', 'zs.csv');
    expect(() => atlas.prepare(t, atlas.context(t, {}))).toThrow(/zs\.csv:2: eval_lang/);
  });
});

describe('multilingual-family law (He et al. 2024)', () => {
  it('has an exact analytic Jacobian and uses the family share', () => {
    const t = table();
    const ctx = multilingualFamily.context(t, {});
    ctx.families.fr = 'romance';
    ctx.families.es = 'romance';
    const design = multilingualFamily.prepare(t, ctx);
    const theta = Float64Array.from([Math.log(1.2), Math.log(300), Math.log(900), 0.35, 0.3, 0.2]);
    expect(jacobianError(multilingualFamily, ctx, design, theta)).toBeLessThan(1e-6);
    expect(familyShare(t, 3, ctx.families)).toBeCloseTo(0.5, 12);
    expect(familyShare(t, 7, ctx.families)).toBeCloseTo(0.5, 12);
  });
});
