import { describe, expect, it } from 'vitest';
import { mixingLaw, mixingLawLoss, type MixingLawContext } from '../../pipeline/laws/mixing_law.ts';
import { mixtureLinear } from '../../pipeline/laws/mixture_linear.ts';
import { atlas, prepareAtlas, type AtlasContext } from '../../pipeline/laws/atlas.ts';
import { ingestText } from '../../pipeline/ingest/ingest.ts';
import { runFit } from '../../pipeline/fit/fit.ts';
import { Random } from '../../pipeline/fitting/random.ts';
import { jacobianError } from '../helpers/jacobian.ts';

const DOMAINS = ['code', 'prose', 'web'];
/** A known mixing law (t_j = ln of the reducible loss when training on j alone). */
const TRUTH = { c: 1.8, t_code: 0.4, t_prose: -0.3, t_web: -1.2 };

/** Dirichlet(1) mixtures over three domains, rounded to 1e-3 and renormalised, as `-` proportions. */
function mixtures(count: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () => {
    const e = DOMAINS.map(() => -Math.log(1 - rng.next()));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  });
}

function lossOf(r: number[], values: Record<string, number>, n = 1e8, alpha = 0): number {
  const s = DOMAINS.reduce((acc, d, j) => acc + values[`t_${d}`] * r[j], 0);
  return values.c + Math.exp(s) * (n / 1e8) ** -alpha;
}

/** A run log in the data-mixing-laws layout (`-`-separated proportions). */
function splitCsv(rows: { r: number[]; loss: number; n?: number }[]): string {
  const lines = ['run,N,D,valid,mix,loss'];
  rows.forEach((row, k) => lines.push(`r${k},${row.n ?? 1e8},2e9,web,${row.r.join('-')},${row.loss}`));
  return `${lines.join('\n')}\n`;
}

const SPLIT_MAP = { run_id: 'run', params: 'N', tokens: 'D', eval_lang: 'valid', mixture: 'split:mix:code,prose,web' };

describe('mixing law (Ye et al. 2025)', () => {
  it('analytic Jacobian matches central differences, with and without the size terms', () => {
    const rs = mixtures(12, 1);
    for (const scale of ['none', 'params', 'params,tokens'] as const) {
      const table = ingestText(splitCsv(rs.map((r, k) => ({ r, loss: 3, n: 1e7 * (1 + k) }))), 'syn.csv', { map: SPLIT_MAP });
      const ctx = mixingLaw.context(table, { scale });
      const design = mixingLaw.prepare(table, ctx);
      const p = mixingLaw.parameters(ctx).length;
      const theta = Float64Array.from({ length: p }, (_, k) => (k === 0 ? Math.log(1.5) : 0.3 - 0.2 * k));
      expect(jacobianError(mixingLaw, ctx, design, theta)).toBeLessThan(1e-6);
    }
  });

  it('recovers a known law from noise-free runs on random mixtures', async () => {
    const rows = mixtures(40, 2).map((r) => ({ r, loss: lossOf(r, TRUTH) }));
    const table = ingestText(splitCsv(rows), 'syn.csv', { map: SPLIT_MAP });
    const { artifact } = await runFit({ table, law: 'mixing-law' });
    for (const [name, truth] of Object.entries(TRUTH)) expect(Math.abs(artifact.params[name].value - truth)).toBeLessThan(1e-5);
  });

  it('recovers the size exponent of the scaled law across model sizes', async () => {
    const rows = mixtures(30, 3).flatMap((r) => [3e7, 1e8, 3e8].map((n) => ({ r, n, loss: lossOf(r, TRUTH, n, 0.25) })));
    const table = ingestText(splitCsv(rows), 'syn.csv', { map: SPLIT_MAP });
    const { artifact } = await runFit({ table, law: 'mixing-law', lawOptions: { scale: 'params' } });
    const ctx = artifact.context as MixingLawContext;
    expect(Math.abs(artifact.params.alpha.value - 0.25)).toBeLessThan(1e-4);
    // t is defined at the geometric-mean size N₀; at N = 1e8 the law gives back the truth.
    const values = Object.fromEntries(Object.entries(artifact.params).map(([k, v]) => [k, v.value]));
    for (const r of mixtures(5, 9)) expect(mixingLawLoss(values, ctx, r, 1e8).loss).toBeCloseTo(lossOf(r, TRUTH, 1e8, 0.25), 5);
  });

  it('asks for one target per fit, naming the fix', () => {
    const text = 'run,N,D,valid,mix,loss\na,1e8,2e9,web,0.5-0.5-0,3\nb,1e8,2e9,code,0.5-0.5-0,3\n';
    const table = ingestText(text, 'two.csv', { map: SPLIT_MAP });
    expect(() => mixingLaw.context(table, {})).toThrow(/group-by eval_lang/);
  });
});

describe('mixture-linear (RegMix linear baseline)', () => {
  it('analytic Jacobian matches central differences', () => {
    const table = ingestText(splitCsv(mixtures(10, 4).map((r) => ({ r, loss: 3 }))), 'syn.csv', { map: SPLIT_MAP });
    const ctx = mixtureLinear.context(table, {});
    const design = mixtureLinear.prepare(table, ctx);
    expect(jacobianError(mixtureLinear, ctx, design, Float64Array.of(3.1, 4.2, 2.5))).toBeLessThan(1e-6);
  });

  it('recovers known weights (the ordinary least-squares solution)', async () => {
    const w = [5.5, 4.1, 3.2];
    const rows = mixtures(25, 5).map((r) => ({ r, loss: r.reduce((s, x, j) => s + x * w[j], 0) }));
    const table = ingestText(splitCsv(rows), 'syn.csv', { map: SPLIT_MAP });
    const { artifact } = await runFit({ table, law: 'mixture-linear' });
    DOMAINS.forEach((d, j) => expect(artifact.params[`w_${d}`].value).toBeCloseTo(w[j], 8));
  });
});

describe('atlas law with domains as languages', () => {
  it('accepts rows without target tokens and its Jacobian holds on both sides of the floor', () => {
    // Target web; rows with no web share (D_t = 0), one with interference pushing D_eff below the floor.
    const text = 'run,N,D,valid,mix,loss\n' + [
      'a,1e8,2e9,web,0.2-0.3-0.5,3', 'b,1e8,2e9,web,0.6-0.4-0,3.4', 'c,3e8,4e9,web,0-1-0,3.6', 'd,1e8,2e9,web,0.9-0-0.1,3.5',
    ].join('\n') + '\n';
    const table = ingestText(text, 'dom.csv', { map: SPLIT_MAP });
    expect(() => atlas.context(table, {})).not.toThrow();
    expect(() => prepareAtlas(table, atlas.context(table, {}) as AtlasContext)).toThrow(/D_t > 0/);
    const ctx = atlas.context(table, { domains: true }) as AtlasContext;
    expect(ctx.transfer.web).toEqual(['code', 'prose']);
    const design = atlas.prepare(table, ctx);
    const names = atlas.parameters(ctx).map((s) => s.name);
    for (const tauCode of [0.4, -0.9]) {
      const theta = Float64Array.from(names, (n) => ({ E: Math.log(1.5), A: Math.log(400), B: Math.log(600), alpha: 0.3, beta: 0.3, lambda: Math.log(0.06), tau_other: 0.1, tau_code: tauCode, tau_prose: 0.3 } as Record<string, number>)[n]);
      expect(jacobianError(atlas, ctx, design, theta)).toBeLessThan(1e-5);
    }
  });

  it('maps an evaluation domain to the training domain that holds its data (targetSources)', () => {
    const text = 'run,N,D,valid,mix,loss\na,1e8,2e9,Pile-CC,0.2-0.3-0.5,3\nb,1e8,2e9,Pile-CC,0.6-0.4-0,3.4\n';
    const table = ingestText(text, 'src.csv', { map: SPLIT_MAP });
    const ctx = atlas.context(table, { domains: true, targetSources: { 'Pile-CC': 'web' } }) as AtlasContext;
    expect(ctx.transfer['Pile-CC']).toEqual(['code', 'prose']);
    const design = prepareAtlas(table, ctx);
    expect(Array.from(design.dT)).toEqual([0.5 * 2e9, 0]);
  });
});
