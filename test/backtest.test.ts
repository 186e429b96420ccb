import { describe, expect, it } from 'vitest';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { backtestCsv, backtestMarkdown, backtestSplit, candidatesFrom, defaultCandidates, runBacktest } from '../pipeline/fit/backtest.ts';
import { predictLoss } from '../pipeline/fitting/fit.ts';
import { kaplan } from '../pipeline/laws/kaplan.ts';
import { runAutoFit } from '../pipeline/fit/select.ts';

// Learning curves from a Kaplan-form truth (interacting N and D terms), whose first two
// checkpoints sit 8 % above the law (warm-up), five sizes with budgets growing with size.
const TRUTH = { E: 0.6, N_c: 2e5, D_c: 3e6, alpha: 0.45, beta: 0.5 };
function log(): string {
  const lines = ['run_id,params,tokens,loss,step'];
  const sizes = [1e5, 3e5, 1e6, 3e6, 1e7];
  sizes.forEach((n, s) => {
    const total = 2e7 * 1.5 ** s;
    for (let k = 1; k <= 8; k++) {
      const d = (total * k) / 8;
      const [clean] = predictLoss(kaplan, { tokens: 'total' }, { n: 1, logN: Float64Array.of(Math.log(n)), logD: Float64Array.of(Math.log(d)) }, TRUTH);
      lines.push(`r${s},${n},${d},${k <= 2 ? clean * 1.08 : clean},${k}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

describe('backtest', () => {
  const table = ingestText(log(), 'curves.csv');

  it('top-params trains on the smaller models and scores the largest model\'s final checkpoint', () => {
    const { train, score } = backtestSplit(table, 'top-params', 0.2);
    expect(train.every((i) => table.params[i] < 1e7)).toBe(true);
    expect(train.length).toBe(32);
    expect(score.map((i) => table.runId[i] + ':' + table.step[i])).toEqual(['r4:8']);
  });

  it('top-tokens trains below the longest budget (earlier checkpoints of that run included) and scores its final', () => {
    const { train, score } = backtestSplit(table, 'top-tokens', 0.2);
    const longest = Math.max(...table.tokens);
    expect(train.every((i) => table.tokens[i] < longest)).toBe(true);
    expect(train.some((i) => table.runId[i] === 'r4')).toBe(true);
    expect(score.map((i) => table.runId[i] + ':' + table.step[i])).toEqual(['r4:8']);
  });

  it('default candidates skip checkpoint policies that keep the same rows, and sharing without groups', () => {
    const finalsOnly = ingestText('run_id,params,tokens,loss\na,1e6,1e8,3\nb,2e6,2e8,2.8\n', 'one.csv');
    const candidates = defaultCandidates(finalsOnly, false);
    expect(candidates.map((c) => c.checkpoints)).toEqual(['all', 'all']);
    expect(candidates.map((c) => c.law)).toEqual(['chinchilla', 'kaplan']);
    expect(candidatesFrom({ laws: ['kaplan'], checkpoints: ['all', 'final'], shares: [null, 'alpha,E'] }, table, true)).toEqual([
      { law: 'kaplan', checkpoints: 'all', share: [] }, { law: 'kaplan', checkpoints: 'all', share: ['alpha', 'E'] },
      { law: 'kaplan', checkpoints: 'final', share: [] }, { law: 'kaplan', checkpoints: 'final', share: ['alpha', 'E'] },
    ]);
  });

  it('ranks the true form without the warm-up checkpoints first, and writes one CSV line per candidate and hold-out', async () => {
    const result = await runBacktest({
      table,
      candidates: [
        { law: 'chinchilla', checkpoints: 'all' },
        { law: 'kaplan', checkpoints: 'all' },
        { law: 'kaplan', checkpoints: 'drop-early:0.25' },
      ],
      fit: { objective: 'lsq' },
    });
    expect(result.best!.candidate).toBe('kaplan · drop-early:0.25');
    expect(result.best!.meanMape!).toBeLessThan(1);
    for (const row of result.rows) for (const s of row.scores) {
      expect(s.scoredRows).toBe(1);
      expect(s.coverage95 === 0 || s.coverage95 === 1).toBe(true);
    }
    const kaplanAll = result.rows.find((r) => r.candidate === 'kaplan · all')!;
    expect(kaplanAll.meanMape!).toBeGreaterThan(2 * result.best!.meanMape!);
    const csv = backtestCsv(result).trim().split('\n');
    expect(csv.length).toBe(1 + 3 * 2);
    expect(backtestMarkdown(result).split('\n')[2]).toContain('**kaplan · drop-early:0.25**');
  });

  it('fit --law auto refits the winner on every row and records the table and the choice', async () => {
    const candidates = [{ law: 'chinchilla', checkpoints: 'all' }, { law: 'kaplan', checkpoints: 'drop-early:0.25' }];
    const { artifact, selection } = await runAutoFit({ table, fit: { objective: 'lsq' }, backtest: { candidates } });
    expect(selection.chosen).toBe('kaplan · drop-early:0.25');
    expect(artifact.law).toBe('kaplan');
    expect(artifact.checkpoints).toEqual({ policy: 'drop-early:0.25', rows_removed: 10 });
    expect(artifact.selection!.table.map((r) => r.candidate)).toEqual(['chinchilla · all', 'kaplan · drop-early:0.25']);
    for (const [name, value] of Object.entries(TRUTH)) expect(Math.abs(artifact.params[name].value / value - 1)).toBeLessThan(1e-3);
    // A backtest already run is reused, not rerun.
    const reused = await runAutoFit({ table, fit: { objective: 'lsq' }, precomputed: { rows: [], best: null, holdouts: ['top-params'], fraction: 0.2, groupBy: null } }).catch((e: Error) => e.message);
    expect(reused).toMatch(/no candidate/);
  });
});
