/**
 * The RegMix files (Liu et al. 2025, sail-sg/regmix `data/`) in one long table: a run's mixture
 * (`train_the_pile_<domain>` weights) joined on `index` to its validation losses, one row per
 * validation domain. `scripts/regmix-long.ts` writes the result to datasets/regmix/regmix_runs.csv.
 */

/** The four RegMix sets: mixture file, loss file, nominal model size and training tokens. */
export const REGMIX_SETS = [
  { set: 'train_1m', mixture: 'train_mixture_1m.csv', loss: 'train_pile_loss_1m.csv', params: 1e6, tokens: 1e9 },
  { set: 'test_1m', mixture: 'test_mixture_1m.csv', loss: 'test_pile_loss_1m.csv', params: 1e6, tokens: 1e9 },
  { set: 'test_60m', mixture: 'test_mixture_60m.csv', loss: 'test_pile_loss_60m.csv', params: 6e7, tokens: 1e9 },
  { set: 'test_1B', mixture: 'test_mixture_1B.csv', loss: 'test_pile_loss_1B.csv', params: 1e9, tokens: 25e9 },
] as const;

const LOSS_PREFIX = 'metric/the_pile_';
const LOSS_SUFFIX = '_val_loss';

function rows(text: string): string[][] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => line.split(','));
}

/** The long CSV text from a reader of the verbatim files (by file name). */
export function regmixLongCsv(read: (name: string) => string): string {
  const out: string[] = [];
  for (const set of REGMIX_SETS) {
    const [mixHead, ...mixRows] = rows(read(set.mixture));
    const [lossHead, ...lossRows] = rows(read(set.loss));
    if (out.length === 0) out.push(['run_id', 'set', 'params', 'tokens', 'eval_domain', 'loss', ...mixHead.slice(1)].join(','));
    const byIndex = new Map(mixRows.map((r) => [r[0], r]));
    for (const loss of lossRows) {
      const mix = byIndex.get(loss[0]);
      if (!mix) throw new Error(`${set.loss}: index ${loss[0]} has no row in ${set.mixture}`);
      for (let k = 1; k < lossHead.length; k++) {
        const domain = lossHead[k].slice(LOSS_PREFIX.length, lossHead[k].length - LOSS_SUFFIX.length);
        out.push([`${set.set}_${loss[0]}`, set.set, set.params, set.tokens, domain, loss[k], ...mix.slice(1)].join(','));
      }
    }
  }
  return `${out.join('\n')}\n`;
}
