/**
 * The five-hold-out protocol (ATLAS Table 1) on simulated logs with a known law.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTOCOL, protocolTable, protocolCsv, protocolMarkdown, scoreHoldout, bestByColumn, meanLanguageR2 } from '../pipeline/fit/protocol.ts';
import { checkDesign, simulate, type Truth } from '../pipeline/simulate/simulate.ts';

const design = checkDesign({
  name: 'proto',
  sequence_length: 2048,
  batch_sequences: [{ below: Infinity, sequences: 128 }],
  steps: 6000,
  checkpoint_every: 2000,
  scales: { a: 2e7, b: 6e7, c: 2e8, d: 6e8, e: 1.2e9 },
  scale_sets: { all: ['a', 'b', 'c', 'd', 'e'] },
  eval_languages: ['en', 'fr', 'de', 'sw'],
  languages: { sw: { unique_tokens: 2e8 } },
  capacity: { k3: ['en', 'fr', 'sw'], k4: ['de', 'en', 'fr', 'sw'] },
  unimax: {},
  experiments: [
    { name: 'mono', mono: ['en', 'fr', 'de', 'sw'], scales: 'all' },
    { name: 'bi', all_pairs: ['en', 'fr', 'de', 'sw'], scales: 'all' },
    { name: 'cap', uniform: ['k3', 'k4'], scales: 'all' },
  ],
});

const truth: Truth = {
  schema: 'atlas.truth/1',
  law: 'atlas',
  law_options: { terms: 'target,other,transfer', transferCount: 1 },
  params: { E: 0.8, A: 480, B: 3800, alpha: 0.4, beta: 0.38, lambda: 0.065, tau_other: 0.1, tau_en: 0.5, tau_fr: 0.4, tau_de: 0.45, tau_sw: -0.3 },
};

describe('protocolTable', () => {
  it('scores every law under the five hold-outs and ranks the true law first on unseen mixtures', async () => {
    const { table } = simulate(design, truth, { seed: 2, noise: 0.005 });
    const result = await protocolTable({
      table,
      fit: { starts: 'init' },
      laws: [
        { name: 'chinchilla', law: 'chinchilla' },
        { name: 'atlas-target', law: 'atlas', lawOptions: { terms: 'target' } },
        { name: 'atlas-full', law: 'atlas', lawOptions: { terms: 'target,other,transfer', transferCount: 1 } },
      ],
    });
    expect(result.specs.map((s) => s.holdout)).toEqual(DEFAULT_PROTOCOL.map((s) => s.holdout));
    const full = result.rows[2].cells;
    for (const s of DEFAULT_PROTOCOL) expect(full[s.key]).not.toBeNull();
    expect(full.r2_M!.heldoutRows).toBe(table.mixture.filter((m) => m.langs.length > 2).length);
    // the true law extrapolates to unseen mixtures; the total-token Chinchilla law cannot
    expect(full.r2_M!.r2).toBeGreaterThan(0.95);
    expect(full.r2_M!.r2).toBeGreaterThan(result.rows[0].cells.r2_M!.r2);
    expect(bestByColumn(result).r2_M).toBe('atlas-full');
    const csv = protocolCsv(result);
    expect(csv.split('\n')[0]).toBe('law,law_id,law_options,r2,r2_N,r2_D,r2_C,r2_M,r2_heldout_rows,r2_N_heldout_rows,r2_D_heldout_rows,r2_C_heldout_rows,r2_M_heldout_rows');
    expect(csv.split('\n')).toHaveLength(5);
    const renamed = protocolCsv({ ...result, rows: [{ ...result.rows[2], name: 'atlas:terms=target,other' }] });
    expect(renamed.split('\n')[1].startsWith('"atlas:terms=target,other",atlas,')).toBe(true);
    expect(protocolMarkdown(result, { chinchilla: { r2: 0.64 } })).toContain('(0.64)');
    // per-language R² of the held-out rows, and their mean (the paper's averaging)
    const cell = full.r2_M!;
    expect(Object.values(cell.perLanguage).reduce((n, e) => n + e.rows, 0)).toBe(cell.heldoutRows);
    const langs = Object.keys(cell.perLanguage);
    expect(meanLanguageR2(cell, langs)).toBeCloseTo(langs.reduce((t, l) => t + cell.perLanguage[l].r2, 0) / langs.length, 12);
    expect(meanLanguageR2(cell, ['xx'])).toBeNaN();
    expect(protocolMarkdown(result, undefined, langs)).toContain(meanLanguageR2(cell, langs).toFixed(3));
  });

  it('computes the law context from all rows\' inputs, or from the training rows only', async () => {
    const { table } = simulate(design, truth, { seed: 2, noise: 0.005 });
    const mask = new Uint8Array(table.rows);
    for (let i = 0; i < table.rows; i++) mask[i] = table.mixture[i].langs.length > 2 ? 1 : 0;
    const entry = { name: 'a', law: 'atlas', lawOptions: { terms: 'target,other,transfer', transferCount: 1 } };
    const taus = (values: Record<string, number>) => Object.keys(values).filter((k) => k.startsWith('tau_') && k !== 'tau_other').sort();
    // With only pairs in training, every pair is co-sampled once: K_t is the alphabetically first partner.
    const train = await scoreHoldout(table, mask, entry, { starts: 'init' }, 'mixtures:unseen', 'train');
    expect(taus(train!.values)).toEqual(['tau_de', 'tau_en']);
    // Over all mixtures en, fr and sw share k3 and k4: K_en = fr, K_fr = en, K_sw = en, K_de = en.
    const all = await scoreHoldout(table, mask, entry, { starts: 'init' }, 'mixtures:unseen', 'all');
    expect(taus(all!.values)).toEqual(['tau_en', 'tau_fr']);
    expect(await scoreHoldout(table, new Uint8Array(table.rows), { name: 'c', law: 'chinchilla' }, { starts: 'init' }, 'none')).toBeNull();
  });
});
