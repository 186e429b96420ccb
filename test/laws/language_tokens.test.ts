/**
 * languageTokensOf (the per-table form the atlas design uses, which computes each shared
 * (mixture, unique tokens) pair's language order once) gives every row exactly what
 * languageTokens gives it, pretraining and finetune rows alike.
 */
import { describe, expect, it } from 'vitest';
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
});
