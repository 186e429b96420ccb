import { loadTable } from '../pipeline/config/load.ts';
import { backtestOne } from '../pipeline/fit/backtest.ts';
import { backtestSplit } from '../pipeline/fit/backtest.ts';
import { predictTable } from '../pipeline/fit/validate.ts';
import { subsetTable } from '../pipeline/io/table.ts';
async function main() {
const { table } = await loadTable({ config: 'configs/manpages-mono.yaml' });
const [law, checkpoints, share, holdout] = process.argv.slice(2);
const req = { table, groupBy: 'eval_lang', fit: { objective: 'huber' as const, delta: 1e-3, starts: 'grid' as const } };
const { score, artifact } = await backtestOne(req, { law, checkpoints, share: share ? share.split(',') : [] }, holdout as any);
console.log(JSON.stringify(score));
const { score: rows } = backtestSplit(table, holdout as any, 0.2);
const sub = subsetTable(table, rows);
const p = predictTable(artifact!, sub);
for (let i = 0; i < sub.rows; i++) console.log(sub.runId[i], sub.loss[i].toFixed(3), p[i].toFixed(3), ((p[i] / sub.loss[i] - 1) * 100).toFixed(1));

}
main();
