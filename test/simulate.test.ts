/**
 * `atlas simulate`: design expansion (the paper's 774 runs), determinism, exact losses at zero
 * noise, the truth computed from published numbers, and recovery of the truth by a fit.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkDesign, expandRuns, loadDesign, simulate, buildAtlasTruth, tauFromBts, tokensPerStep, type StudyDesign, type Truth } from '../pipeline/simulate/simulate.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { atlas } from '../pipeline/laws/atlas.ts';
import { fitLaw } from '../pipeline/fitting/fit.ts';
import { resolveFitOptions } from '../pipeline/fitting/options.ts';
import { shipped } from '../pipeline/io/shipped.ts';

const DESIGN = shipped('configs', 'designs', 'atlas-774.yaml');
const TRUTH = shipped('configs', 'truth', 'atlas-774.json');

/** A small design: 3 languages, 3 scales, mono, pairs and one 3-language mixture. */
export function smallDesign(): StudyDesign {
  return checkDesign({
    name: 'small',
    sequence_length: 2048,
    batch_sequences: [{ below: 1e8, sequences: 128 }, { below: Infinity, sequences: 256 }],
    steps: 6000,
    checkpoint_every: 1000,
    scales: { a: 2e7, b: 6e7, c: 2e8, d: 6e8 },
    scale_sets: { all: ['a', 'b', 'c', 'd'] },
    eval_languages: ['en', 'fr', 'sw'],
    languages: { sw: { unique_tokens: 2e8, family: 'niger-congo' }, en: { family: 'ie' }, fr: { family: 'ie' } },
    capacity: { k3: ['en', 'fr', 'sw'] },
    unimax: {},
    experiments: [
      { name: 'mono', mono: ['en', 'fr', 'sw'], scales: 'all' },
      { name: 'bi', all_pairs: ['en', 'fr', 'sw'], scales: 'all' },
      { name: 'cap', uniform: ['k3'], scales: 'all' },
    ],
  });
}

const SMALL_TRUTH: Truth = {
  schema: 'atlas.truth/1',
  law: 'atlas',
  law_options: { terms: 'target,other,transfer', transferCount: 1 },
  params: { E: 0.8, A: 480, B: 3800, alpha: 0.4, beta: 0.38, lambda: 0.065, tau_other: 0.1, tau_en: 0.3, tau_fr: -0.2, tau_sw: 0.05 },
};

describe('atlas-774 design', () => {
  it('expands to the 774 runs of Table B.1', () => {
    const runs = expandRuns(loadDesign(DESIGN));
    expect(runs.length).toBe(774);
    expect(new Set(runs.map((r) => r.id)).size).toBe(774);
    const by = (e: string) => runs.filter((r) => r.experiment === e).length;
    expect([by('mono'), by('unimax'), by('mvmono'), by('pairs-mono'), by('pairs-bi'), by('target-bi'), by('capacity'), by('ft-eval'), by('ft-mono')])
      .toEqual([140, 20, 70, 50, 90, 150, 120, 50, 84]);
  });
  it('uses the batch sizes of Table B.2', () => {
    const d = loadDesign(DESIGN);
    expect(tokensPerStep(d, 9044352)).toBe(256 * 2048);
    expect(tokensPerStep(d, 2034422912)).toBe(2048 * 2048);
    // 2B at 10k steps is the paper's BTS reference point "42B tokens, roughly 10,000 steps"
    expect(tokensPerStep(d, 2034422912) * 10000 / 42e9).toBeCloseTo(1, 0);
  });
  it('ships the truth computed from the published numbers', () => {
    const computed = buildAtlasTruth(loadDesign(DESIGN));
    const shippedTruth = JSON.parse(readFileSync(TRUTH, 'utf8'));
    expect(shippedTruth.params).toEqual(computed.params);
    // Table C.1 (en, mono vocab): E 0.67, ln A 6.18, ln B 8.25, alpha = beta = 0.41
    expect(computed.params.E).toBe(0.67);
    expect(Math.log(computed.params.A)).toBeCloseTo(6.18, 10);
    expect(computed.params.lambda).toBeCloseTo(1 / 15.387756, 12);
    expect(tauFromBts(0.5)).toBeCloseTo(1 / 3, 12);
    expect(tauFromBts(0)).toBe(0);
    expect(computed.params.tau_other).toBeGreaterThan(0);
  });
});

describe('simulate', () => {
  it('is deterministic for a seed and varies with it', () => {
    const d = smallDesign();
    const a = simulate(d, SMALL_TRUTH, { seed: 3 });
    const b = simulate(d, SMALL_TRUTH, { seed: 3 });
    const c = simulate(d, SMALL_TRUTH, { seed: 4 });
    expect(a.csv).toBe(b.csv);
    expect(a.csv).not.toBe(c.csv);
    expect(a.runs).toBe(4 * 3 + 4 * 3 + 4);
  });
  it('writes logs that ingest accepts, with the law\'s exact loss at zero noise', () => {
    const d = smallDesign();
    const sim = simulate(d, SMALL_TRUTH, { noise: 0, checkpointEvery: 2000 });
    const table = ingestText(sim.csv, 'sim.csv');
    expect(table.rows).toBe(sim.rows);
    const ctx = atlas.context(table, SMALL_TRUTH.law_options);
    const design = atlas.prepare({ ...table, languages: sim.table.languages }, ctx);
    const theta = Float64Array.from(atlas.parameters(ctx).map((s) => (s.log ? Math.log(SMALL_TRUTH.params[s.name]) : SMALL_TRUTH.params[s.name])));
    const out = new Float64Array(table.rows);
    atlas.evaluate(theta, design, out);
    for (let i = 0; i < table.rows; i++) expect(table.loss[i] / Math.exp(out[i])).toBeCloseTo(1, 8);
    // sw repeats: 200M unique tokens, up to 6000 × 256 × 2048 / 2 tokens
    expect(sim.csv).toContain('sw:200000000');
  });
  it('scales the log with replicates and checkpoint density', () => {
    const d = smallDesign();
    const base = simulate(d, SMALL_TRUTH, { checkpointEvery: 3000 });
    const more = simulate(d, SMALL_TRUTH, { checkpointEvery: 1000, replicates: 2 });
    expect(more.rows).toBe(base.rows * 3 * 2);
  });
  it('rejects a design with an unknown scale set', () => {
    expect(() => checkDesign({ ...smallDesign(), experiments: [{ name: 'x', mono: ['en'], scales: 'nope' }] }, 'bad.yaml')).toThrow(/bad\.yaml: experiments\[0\].*unknown scale set/);
  });
  it('recovers the truth by a fit (full atlas law, noise 1 %)', async () => {
    const sim = simulate(smallDesign(), SMALL_TRUTH, { seed: 1, noise: 0.01, checkpointEvery: 1000 });
    const table = sim.table;
    const ctx = atlas.context(table, SMALL_TRUTH.law_options);
    const design = atlas.prepare(table, ctx);
    const y = Float64Array.from(table.loss, Math.log);
    const fit = await fitLaw({ law: atlas, ctx, design, y }, resolveFitOptions({ starts: 'init' }));
    expect(fit.converged).toBe(true);
    expect(fit.values.alpha).toBeCloseTo(0.4, 1);
    expect(fit.values.beta).toBeCloseTo(0.38, 1);
    expect(fit.values.tau_other).toBeCloseTo(0.1, 1);
    expect(Math.abs(Math.log(fit.values.lambda / 0.065))).toBeLessThan(0.3);
  });
});
