/**
 * The report's mixture plots: held-out mixtures observed against predicted (ρ per size in the
 * caption) and the data mixing law's transfer matrix.
 */
import { describe, expect, it } from 'vitest';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import { heldoutMixturePlot, isMixtureFit, mixingTransferHeatmap } from '../pipeline/report/plots/mixture_plots.ts';
import type { PredictionRows } from '../pipeline/report/inputs.ts';

const MAP = { run_id: 'run', params: 'N', tokens: 'D', eval_lang: 'valid', mixture: 'split:mix:a,b' };

describe('mixture plots', () => {
  it('draws the transfer matrix of a grouped mixing-law fit and ρ of held-out mixtures', async () => {
    const lines = ['run,N,D,valid,mix,loss'];
    for (let k = 0; k <= 10; k++) {
      const r = [k / 10, 1 - k / 10];
      lines.push(`r${k},1e8,2e9,x,${r.join('-')},${2 + Math.exp(0.5 * r[0] - 1 * r[1])}`);
      lines.push(`r${k},1e8,2e9,y,${r.join('-')},${2.5 + Math.exp(-1 * r[0] + 0.2 * r[1])}`);
    }
    const table = ingestText(lines.join('\n'), 'm.csv', { map: MAP });
    const { artifact } = await runFit({ table, law: 'mixing-law', groupBy: 'eval_lang' });
    expect(isMixtureFit(artifact)).toBe(true);
    const heat = mixingTransferHeatmap(artifact, 'mixing-transfer')!;
    const cells = (heat.spec as unknown as { data: { values: { target: string; source: string; t: number }[] } }).data.values;
    expect(cells).toHaveLength(4);
    expect(cells.find((c) => c.target === 'y' && c.source === 'a')!.t).toBeCloseTo(-1, 5);

    const predicted = Float64Array.from(table.loss, (l, i) => l + 0.001 * (i % 3));
    const p: PredictionRows = { rows: table.rows, runId: table.runId, params: table.params, tokens: table.tokens, evalLang: table.evalLang, loss: table.loss, predicted, split: table.runId.map((id) => (Number(id.slice(1)) % 2 ? 'heldout' : 'train')) };
    const plot = heldoutMixturePlot(p, 'heldout-mixtures')!;
    expect(plot.caption).toMatch(/N 100M: ρ 1 \(mean of 2 targets\)/);
  });
});
