/**
 * Pieces of `atlas reproduce atlas` and `atlas protocol` that run fast: the Table C.1 arithmetic
 * against the digest, the paper's Table 1 file, law specs on the command line, the protocol of a
 * fitted artifact, and finetune rows predicted without their base run's rows.
 */
import { describe, expect, it } from 'vitest';
import { tableC1Checks, paperTable1, monolingualRows } from '../pipeline/reproduce/atlas.ts';
import { parseLawSpec, parseHoldoutColumn, DEFAULT_LAWS } from '../pipeline/commands/protocol.ts';
import { protocolForArtifact, protocolSummary } from '../pipeline/fit/protocol.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import { checkDesign, simulate, type Truth } from '../pipeline/simulate/simulate.ts';
import { atlas } from '../pipeline/laws/atlas.ts';
import { subsetTable } from '../pipeline/io/table.ts';

describe('Table C.1 arithmetic (ATLAS Table C.1; digest §1.2)', () => {
  it('reproduces every loss at (2B, 144B) and tokens per parameter at C = 1e21', () => {
    const checks = tableC1Checks();
    expect(checks.length).toBe(18 + 6 + 2);
    for (const c of checks) expect(c.ok, `${c.quantity}: ${c.ours} vs ${c.published}`).toBe(true);
    // EN, monolingual vocabulary: 0.67 + e^6.18/2e9^0.41 + e^8.25/144e9^0.41
    const en = checks.find((c) => c.quantity.includes('mono-vocab-mono-data en: L'))!;
    expect(en.ours).toBeCloseTo(0.67 + Math.exp(6.18) / 2e9 ** 0.41 + Math.exp(8.25) / 144e9 ** 0.41, 12);
  });
  it('reads the paper\'s Table 1 (ATLAS Table 1: full ATLAS R²(M) 0.82, MSL 0.70)', () => {
    const t = paperTable1();
    expect(t['multi,atlas-target-other-transfer'].r2_M).toBe(0.82);
    expect(t['multi,multilingual-family'].r2_M).toBe(0.7);
    expect(t['mono,chinchilla'].r2_M).toBeNull();
  });
});

describe('atlas protocol command parsing', () => {
  it('parses law specs and hold-out columns', () => {
    expect(parseLawSpec('atlas:terms=target,other;transferCount=2')).toEqual({ name: 'atlas:terms=target,other;transferCount=2', law: 'atlas', lawOptions: { terms: 'target,other', transferCount: 2 } });
    expect(parseLawSpec('multilingual-family').lawOptions).toEqual({});
    expect(() => parseLawSpec('atlas:terms')).toThrow(/--laws/);
    expect(parseHoldoutColumn('r2_N=params>=1e9')).toEqual({ key: 'r2_N', label: 'r2_N', holdout: 'params>=1e9' });
    expect(parseHoldoutColumn('params>=1e9').holdout).toBe('params>=1e9');
    expect(DEFAULT_LAWS).toHaveLength(6);
  });
});

const design = checkDesign({
  name: 'ft',
  sequence_length: 1024,
  batch_sequences: [{ below: Infinity, sequences: 64 }],
  steps: 4000,
  checkpoint_every: 1000,
  scales: { a: 3e7, b: 1e8, c: 3e8, d: 1e9 },
  scale_sets: { all: ['a', 'b', 'c', 'd'] },
  eval_languages: ['en', 'fr', 'de'],
  languages: {},
  capacity: { k3: ['de', 'en', 'fr'] },
  unimax: {},
  experiments: [
    { name: 'mono', mono: ['en', 'fr', 'de'], scales: 'all' },
    { name: 'bi', all_pairs: ['en', 'fr', 'de'], scales: 'all' },
    { name: 'cap', uniform: ['k3'], scales: 'all' },
    { name: 'ft', finetune: ['fr'], base: 'cap', scales: 'all' },
  ],
});
const truth: Truth = { schema: 'atlas.truth/1', law: 'atlas', law_options: { terms: 'target,other' }, params: { E: 0.9, A: 400, B: 3000, alpha: 0.4, beta: 0.38, lambda: 0.065, tau_other: 0.2 } };

describe('finetunes and artifacts', () => {
  it('predicts finetune rows from the context\'s base mixtures when the base rows are absent', () => {
    const { table } = simulate(design, truth, { noise: 0 });
    const ctx = atlas.context(table, { terms: 'target,other' });
    const ft: number[] = [];
    for (let i = 0; i < table.rows; i++) if (table.kind[i] === 'finetune') ft.push(i);
    expect(ft.length).toBeGreaterThan(0);
    const alone = atlas.prepare(subsetTable(table, ft), ctx);
    const whole = atlas.prepare(table, ctx);
    ft.forEach((row, k) => {
      expect(alone.dT[k]).toBe(whole.dT[row]);
      expect(alone.dO[k]).toBe(whole.dO[row]);
    });
    // base: 4000 steps × 64 × 1024 tokens of de/en/fr in thirds, then fr alone
    expect(whole.dO[ft[0]]).toBeCloseTo((2 / 3) * 4000 * 64 * 1024, 0);
    expect(monolingualRows(table).rows).toBe(table.mixture.filter((m, i) => m.langs.length === 1 && table.kind[i] === 'pretrain').length);
  });
  it('refits an artifact\'s law under the five hold-outs (validate --protocol)', async () => {
    const { table } = simulate(design, truth, { noise: 0.005, seed: 1 });
    const { artifact } = await runFit({ table, law: 'atlas', lawOptions: { terms: 'target,other' }, fit: { starts: 'init' } });
    const result = await protocolForArtifact(artifact, table);
    const summary = protocolSummary(result);
    expect(summary.laws).toHaveLength(1);
    expect(summary.laws[0].name).toBe('atlas (terms=target,other)');
    for (const key of ['r2', 'r2_N', 'r2_D', 'r2_C', 'r2_M']) expect(summary.laws[0][key] as number).toBeGreaterThan(0.9);
  });
});
