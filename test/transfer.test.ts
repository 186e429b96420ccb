/**
 * Bilingual Transfer Score and Finetuning Adaptation Score from run logs (pipeline/transfer/transfer.ts).
 *
 * Synthetic truth: loss L = E + A/N^α + B/(D_t + τ_{s→t}·D_s)^β with no repetition. A mono run on t
 * has D_t = d; a 50/50 bilingual run with D total tokens has D_t = D_s = D/2, so its effective data is
 * D·(1 + τ)/2. Equal loss means d_bi·(1 + τ)/2 = d_mono, hence BTS = 2 − d_bi/d_mono = 2τ/(1 + τ).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeFas, computeTransfer } from '../pipeline/transfer/transfer.ts';
import { lossAt, monotoneCurve, tokensToReach, trapezoidMean } from '../pipeline/transfer/curve.ts';
import { matrixFromJson, readTransferJson, transferFiles, transferJson } from '../pipeline/transfer/io.ts';
import { matrixHeatmap } from '../pipeline/report/plots/heatmap.ts';
import { parseMatrixCsv } from '../pipeline/transfer/matrix.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { InputError } from '../pipeline/io/types.ts';

const E = 1.6;
const A = 400;
const ALPHA = 0.34;
const B = 600;
const BETA = 0.3;
const N = 1e8;
const loss = (dEff: number) => E + A / N ** ALPHA + B / dEff ** BETA;
const LANGS = ['aa', 'bb', 'cc', 'dd'];
/** τ_{s→t}, keyed `t<s`: asymmetric, positive and negative. */
const TAU: Record<string, number> = {
  'aa<bb': 0.5, 'bb<aa': 0.2, 'aa<cc': -0.3, 'cc<aa': 0.05, 'aa<dd': 0.0, 'dd<aa': 0.8,
  'bb<cc': -0.45, 'cc<bb': 0.35, 'bb<dd': 0.15, 'dd<bb': -0.2, 'cc<dd': 0.6, 'dd<cc': -0.1,
};

function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
}

/** Bilingual runs on [1e7·shift, biMax·shift] tokens, loss × scale, run ids suffixed. */
function bilingualLines(biMax: number, suffix = '', shift = 1, scale = 1): string[] {
  const lines: string[] = [];
  for (let a = 0; a < LANGS.length; a++) {
    for (let b = a + 1; b < LANGS.length; b++) {
      const [s, t] = [LANGS[a], LANGS[b]];
      for (const D of grid(1e7 * shift, biMax * shift, 50)) {
        lines.push(`bi_${s}_${t}${suffix},${N},${D},${scale * loss((D / 2) * (1 + TAU[`${t}<${s}`]))},${t},${s}:0.5;${t}:0.5`);
        lines.push(`bi_${s}_${t}${suffix},${N},${D},${scale * loss((D / 2) * (1 + TAU[`${s}<${t}`]))},${s},${s}:0.5;${t}:0.5`);
      }
    }
  }
  return lines;
}

/** Synthetic logs: mono runs on [1e7, 1e10] tokens, bilingual runs on [1e7, biMax]. */
function syntheticCsv(biMax = 1e11): string {
  const lines = ['run_id,params,tokens,loss,eval_lang,mixture'];
  for (const t of LANGS) {
    for (const d of grid(1e7, 1e10, 40)) lines.push(`mono_${t},${N},${d},${loss(d)},${t},${t}:1`);
  }
  lines.push(...bilingualLines(biMax));
  return `${lines.join('\n')}\n`;
}

describe('monotone curves', () => {
  it('interpolates ln loss linearly in ln tokens and inverts it', () => {
    // A pure power law is exact under log-log interpolation.
    const tokens = [1e6, 1e7, 1e8];
    const c = monotoneCurve(tokens, tokens.map((d) => 5 * d ** -0.2));
    expect(Math.exp(lossAt(c, Math.log(3e6)).value)).toBeCloseTo(5 * 3e6 ** -0.2, 10);
    expect(Math.exp(tokensToReach(c, Math.log(5 * 3e7 ** -0.2)).value)).toBeCloseTo(3e7, 0);
  });

  it('takes the running minimum and flags queries outside the logged range', () => {
    const c = monotoneCurve([0, 1e6, 2e6, 4e6], [5.5, 3, 2, 2.5]);
    expect(c.x.length).toBe(3); // the tokens = 0 row is dropped
    expect(Math.exp(c.y[2])).toBeCloseTo(2, 12); // 2.5 after 2.0 is overfitting: running minimum keeps 2
    expect(lossAt(c, Math.log(8e6)).flag).toBe('after');
    expect(tokensToReach(c, Math.log(1.5)).flag).toBe('after');
    expect(tokensToReach(c, Math.log(4)).flag).toBe('before');
  });

  it('trapezoid mean of a linear function is its midpoint value', () => {
    expect(trapezoidMean([0, 1, 3, 4], [0, 1, 3, 4])).toBeCloseTo(2, 12);
  });
});

describe('computeTransfer on synthetic logs with known τ', () => {
  const table = ingestText(syntheticCsv(), 'synthetic.csv');

  it('recovers BTS = 2τ/(1+τ) within ±0.02 for every directed pair', () => {
    const result = computeTransfer(table, { bootstrap: 0 });
    expect(result.languages).toEqual(LANGS);
    expect(result.refTokens).toEqual([1e10]);
    expect(result.scores.length).toBe(12);
    for (const s of result.scores) {
      const tau = TAU[`${s.target}<${s.source}`];
      expect(s.censored).toBe('false');
      expect(Math.abs(s.bts - (2 * tau) / (1 + tau))).toBeLessThan(0.02);
    }
  });

  it('scores several horizons and reports censoring instead of extrapolating', () => {
    const result = computeTransfer(table, { bootstrap: 0, refTokens: [1e9, 1e10] });
    expect(result.scores.length).toBe(24);
    for (const s of result.scores) {
      const tau = TAU[`${s.target}<${s.source}`];
      expect(Math.abs(s.bts - (2 * tau) / (1 + tau))).toBeLessThan(0.02);
    }
    // Short bilingual runs: τ = −0.45 needs d_bi = 3.6 d_mono, beyond a 1.5e10-token run.
    const short = computeTransfer(ingestText(syntheticCsv(1.5e10), 'short.csv'), { bootstrap: 0, refTokens: [1e10] });
    const cell = short.scores.find((s) => s.target === 'bb' && s.source === 'cc')!;
    expect(cell.censored).toBe('below');
    expect(cell.bts).toBeCloseTo(2 - 1.5, 6); // the bound 2 − d_last/d_mono; the truth (−1.64) is below it
    expect(short.matrix.censored![1 * 4 + 2]).toBe(-1);
    // A horizon beyond the mono runs gives no score at all.
    const beyond = computeTransfer(table, { bootstrap: 0, refTokens: [5e10] });
    expect(beyond.scores.every((s) => s.censored === 'mono' && Number.isNaN(s.bts))).toBe(true);
  });

  it('bootstrap over checkpoints is seeded and its interval covers the truth', () => {
    const a = computeTransfer(table, { bootstrap: 30, seed: 7 });
    const b = computeTransfer(table, { bootstrap: 30, seed: 7 });
    expect(a.scores.map((s) => s.ci_low)).toEqual(b.scores.map((s) => s.ci_low));
    expect(a.bootstrap.method).toBe('checkpoints');
    for (const s of a.scores) {
      const truth = (2 * TAU[`${s.target}<${s.source}`]) / (1 + TAU[`${s.target}<${s.source}`]);
      expect(s.ci_low).toBeLessThanOrEqual(s.ci_high);
      expect(s.ci_low - 0.02).toBeLessThanOrEqual(truth);
      expect(s.ci_high + 0.02).toBeGreaterThanOrEqual(truth);
    }
  });

  it('averages repeated runs logged on different checkpoint grids (no zig-zag between them)', () => {
    // A second run of every bilingual mixture, checkpoints shifted by half a grid step and its
    // loss 1 % higher. Averaging ln loss on a common grid gives the curve L_bi·√1.01; pooling raw
    // checkpoints and taking the running minimum would instead follow the lower run alone.
    const extra = bilingualLines(1e11, '_r2', 1.07, 1.01);
    const both = ingestText(`${syntheticCsv()}${extra.join('\n')}\n`, 'two-runs.csv');
    const result = computeTransfer(both, { bootstrap: 10 });
    expect(result.bootstrap.method).toBe('runs where a curve has several seeds, else checkpoints');
    const single = computeTransfer(table, { bootstrap: 0 });
    for (const s of result.scores) {
      expect(s.bilingual_runs.length).toBe(2);
      const tau = TAU[`${s.target}<${s.source}`];
      // Solve √1.01 · L((D/2)(1 + τ)) = L(d_mono) for D by bisection in ln D.
      let lo = Math.log(1e7);
      let hi = Math.log(1e11);
      for (let k = 0; k < 100; k++) {
        const mid = (lo + hi) / 2;
        if (Math.sqrt(1.01) * loss((Math.exp(mid) / 2) * (1 + tau)) > loss(1e10)) lo = mid;
        else hi = mid;
      }
      const expected = 2 - Math.exp(lo) / 1e10;
      const alone = single.scores.find((x) => x.target === s.target && x.source === s.source)!;
      expect(Math.abs(s.bts - expected)).toBeLessThan(0.02);
      expect(Math.abs(alone.bts - expected)).toBeGreaterThan(0.05);
    }
  });

  it('rejects a table without bilingual runs and an unknown size', () => {
    const monoOnly = ingestText(syntheticCsv().split('\n').filter((l) => !l.startsWith('bi_')).join('\n'), 'mono.csv');
    expect(() => computeTransfer(monoOnly, { bootstrap: 0 })).toThrow(InputError);
    expect(() => computeTransfer(table, { bootstrap: 0, size: 123 })).toThrow(/--size/);
  });

  it('writes CSV, matrix, JSON and SVG that read back', async () => {
    const result = computeTransfer(table, { bootstrap: 5 });
    const json = transferJson(result, { stats: null, predictor: null, provenance: { version: 'test', files: [], config_sha256: null } });
    const files = await transferFiles(json, result, matrixHeatmap);
    expect(files['transfer.csv'].split('\n')[0]).toBe('target,source,bts,d_mono,d_bi,censored,ci_low,ci_high,se,boot_censored,loss_ref');
    expect(files['transfer_heatmap.svg']).toMatch(/^<svg[^]*<\/svg>\n$/);
    expect(files['fas.csv']).toBeUndefined();
    const m = parseMatrixCsv(files['transfer_matrix.csv'], 'm.csv');
    expect(m.targets).toEqual(LANGS);
    expect(m.values[0 * 4 + 1]).toBeCloseTo(result.matrix.values[1], 4);
    const dir = mkdtempSync(join(tmpdir(), 'atlas-transfer-'));
    try {
      writeFileSync(join(dir, 'transfer.json'), files['transfer.json']);
      const back = readTransferJson(join(dir, 'transfer.json'));
      expect(back.scores.length).toBe(12);
      expect(matrixFromJson(back).values[1]).toBeCloseTo(result.matrix.values[1], 12);
      writeFileSync(join(dir, 'bad.json'), '{"schema":"other"}');
      expect(() => readTransferJson(join(dir, 'bad.json'))).toThrow(InputError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Finetuning Adaptation Score', () => {
  it('integrates the loss gain over the finetune checkpoints (trapezoid)', () => {
    // Base run evaluated on aa and bb at 1e8 tokens; finetune on aa lowers aa linearly by 0.4 over
    // 1e8 tokens (FAS = 0.2) and raises bb linearly by 0.1 (FAS = −0.05), evaluated only at the end.
    const lines = ['run_id,params,tokens,loss,eval_lang,mixture,kind,base_run,base_tokens'];
    for (const d of [5e7, 1e8]) {
      lines.push(`base,1e7,${d},3,aa,aa:0.5;bb:0.5,pretrain,,`);
      lines.push(`base,1e7,${d},3.5,bb,aa:0.5;bb:0.5,pretrain,,`);
    }
    for (const d of [2.5e7, 5e7, 7.5e7, 1e8]) lines.push(`ft,1e7,${1e8 + d},${3 - 0.4 * (d / 1e8)},aa,aa:1,finetune,base,1e8`);
    lines.push(`ft,1e7,${2e8},3.6,bb,aa:1,finetune,base,1e8`);
    const table = ingestText(`${lines.join('\n')}\n`, 'ft.csv');
    const fas = computeFas(table);
    const self = fas.find((f) => f.target === 'aa' && f.source === 'aa')!;
    expect(self.fas).toBeCloseTo(0.2, 10);
    expect(self.delta).toBeCloseTo(-0.4, 10);
    expect(self.checkpoints).toBe(5);
    const cross = fas.find((f) => f.target === 'bb' && f.source === 'aa')!;
    expect(cross.fas).toBeCloseTo(-0.05, 10);
    expect(cross.d_max).toBe(1e8);
  });
});
