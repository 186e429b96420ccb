/**
 * languageTokensOf (the per-table form the atlas design uses, which computes each shared
 * (mixture, unique tokens) pair's language order once) gives every row exactly what
 * languageTokens gives it, pretraining and finetune rows alike: on the simulated study, and on
 * arbitrary tables with languages listed twice, finetunes whose base run is in the table, only in
 * `bases`, or nowhere, and base_tokens unknown, zero or larger than the row's tokens.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeTable, type Row } from '../curse_helpers.ts';
import { languageTokens, languageTokensOf, runIndex, baseMixtures } from '../../pipeline/laws/repetition.ts';
import { loadDesign, loadTruth, simulate } from '../../pipeline/simulate/simulate.ts';
import { shipped } from '../../pipeline/io/shipped.ts';

describe('languageTokensOf', () => {
  it('equals languageTokens on every row of the simulated 774-run study', () => {
    const design = loadDesign(shipped('configs', 'designs', 'atlas-774.yaml'));
    const truth = loadTruth(shipped('configs', 'truth', 'atlas-774.json'));
    const { table } = simulate(design, truth, { seed: 0, checkpointEvery: 20_000 });
    const runs = runIndex(table);
    const bases = baseMixtures(table);
    const cached = languageTokensOf(table, runs, bases);
    let finetunes = 0;
    for (let i = 0; i < table.rows; i++) {
      if (table.kind[i] === 'finetune') finetunes++;
      expect(cached(i)).toStrictEqual(languageTokens(table, i, runs, bases));
    }
    expect(finetunes).toBeGreaterThan(0);
  });

  it('equals languageTokens on arbitrary mixtures, finetunes and base runs (property)', () => {
    const lang = fc.constantFrom('en', 'de', 'fr', 'sw');
    const mixture = fc.array(fc.tuple(lang, fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.map(([l, w]) => `${l}:${w / 10}`).join(';'));
    const row = fc.record({
      run: fc.integer({ min: 0, max: 3 }),
      mixture,
      tokens: fc.double({ min: 1, max: 1e12, noNaN: true }),
      finetune: fc.boolean(),
      base: fc.constantFrom('r0', 'r1', 'elsewhere', 'missing'),
      baseTokens: fc.constantFrom(NaN, 0, 5e8, 2e12),
    });
    fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), (spec) => {
      const rows: Row[] = spec.map((r) => ({
        runId: `r${r.run}`, params: 1e8, tokens: r.tokens, loss: 3, evalLang: 'en', mixture: r.mixture,
        ...(r.finetune ? { kind: 'finetune' as const, baseRun: r.base, baseTokens: r.baseTokens } : {}),
      }));
      const table = makeTable(rows);
      const runs = runIndex(table);
      const bases = { ...baseMixtures(table), elsewhere: { langs: ['fr', 'en', 'fr'], weights: [0.25, 0.5, 0.25] } };
      const cached = languageTokensOf(table, runs, bases);
      for (let i = 0; i < table.rows; i++) expect(cached(i)).toStrictEqual(languageTokens(table, i, runs, bases));
    }), { numRuns: 300, seed: 11 });
  });
});
