/**
 * Hold-out rules (SPEC §2 `--holdout`): one test per spec, the split override, and bad specs.
 */
import { describe, expect, it } from 'vitest';
import { heldOutMask, parseHoldoutSpec, parseQuantity } from '../pipeline/fit/holdout.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { InputError, type RunTable } from '../pipeline/io/types.ts';

/** 5 sizes × 4 token counts, one run per (size, tokens); mixtures mono, bi and K=3. */
function grid(extra = ''): RunTable {
  const sizes = [1e6, 2e6, 4e6, 8e6, 16e6];
  const tokens = [1e8, 2e8, 4e8, 8e8];
  const mixtures = ['en:1', 'en:0.5;fr:0.5', 'de:0.2;en:0.4;fr:0.4', 'fr:1'];
  const lines = ['run_id,params,tokens,loss,mixture,split'];
  sizes.forEach((n, i) => tokens.forEach((d, j) => {
    lines.push(`r${i}_${j},${n},${d},${(2 + 1e3 / n ** 0.3 + 1e3 / d ** 0.3).toFixed(5)},${mixtures[j]},${extra && i === 0 && j === 0 ? extra : ''}`);
  }));
  return ingestText(`${lines.join('\n')}\n`, 'grid.csv');
}

const held = (table: RunTable, mask: Uint8Array): number[] => Array.from(mask.keys()).filter((i) => mask[i] === 1);

describe('heldOutMask', () => {
  const table = grid();

  it('none holds out nothing', () => {
    expect(held(table, heldOutMask(table, 'none'))).toEqual([]);
    expect(held(table, heldOutMask(table, null))).toEqual([]);
  });

  it('top-params:FRAC holds out the largest round(FRAC × sizes) sizes, at least one', () => {
    const mask = heldOutMask(table, 'top-params:0.4'); // round(0.4 × 5) = 2 sizes: 8e6, 16e6
    expect(new Set(held(table, mask).map((i) => table.params[i]))).toEqual(new Set([8e6, 16e6]));
    const one = heldOutMask(table, 'top-params:0.01'); // round(0.05) = 0 → at least one
    expect(new Set(held(table, one).map((i) => table.params[i]))).toEqual(new Set([16e6]));
  });

  it('top-tokens:FRAC holds out the top distinct token counts', () => {
    const mask = heldOutMask(table, 'top-tokens:0.25'); // 1 of 4 values
    expect(held(table, mask).every((i) => table.tokens[i] === 8e8)).toBe(true);
    expect(held(table, mask)).toHaveLength(5);
  });

  it('top-compute:FRAC holds out the largest FLOP values', () => {
    const mask = heldOutMask(table, 'top-compute:0.1'); // 20 rows, distinct flops: 6·N·D
    const heldFlops = held(table, mask).map((i) => table.flops[i]);
    const max = Math.max(...Array.from(table.flops));
    const distinct = [...new Set(Array.from(table.flops))].sort((a, b) => b - a);
    const k = Math.round(0.1 * distinct.length);
    expect(Math.max(...heldFlops)).toBe(max);
    expect(new Set(heldFlops)).toEqual(new Set(distinct.slice(0, k)));
  });

  it('params>=X and tokens>=X hold out rows at or above X (with suffixes)', () => {
    expect(held(table, heldOutMask(table, 'params>=8e6')).every((i) => table.params[i] >= 8e6)).toBe(true);
    expect(held(table, heldOutMask(table, 'params>=8M'))).toHaveLength(8);
    expect(held(table, heldOutMask(table, 'tokens>=4e8'))).toHaveLength(10);
    expect(parseQuantity('1.5B')).toBe(1.5e9);
    expect(parseQuantity('2k')).toBe(2000);
    expect(parseQuantity('x')).toBeNaN();
  });

  it('mixtures:unseen holds out every mixture with more than two languages', () => {
    const mask = heldOutMask(table, 'mixtures:unseen');
    expect(held(table, mask).map((i) => table.mixture[i].key)).toEqual(Array(5).fill('de:0.2;en:0.4;fr:0.4'));
  });

  it('runs:ID,ID holds out those runs and rejects unknown ids', () => {
    expect(held(table, heldOutMask(table, 'runs:r0_0,r4_3')).map((i) => table.runId[i])).toEqual(['r0_0', 'r4_3']);
    expect(() => heldOutMask(table, 'runs:r0_0,nope')).toThrow(/--holdout runs:r0_0,nope: unknown run id "nope"/);
  });

  it('random:FRAC[:SEED] holds out whole runs, seeded and independent of row order', () => {
    const a = heldOutMask(table, 'random:0.25:7');
    expect(held(table, a)).toHaveLength(5);
    expect(Array.from(heldOutMask(table, 'random:0.25:7'))).toEqual(Array.from(a));
    const other = heldOutMask(table, 'random:0.25:8');
    expect(Array.from(other)).not.toEqual(Array.from(a));
    // Same runs chosen when the rows come in another order.
    const lines = ['run_id,params,tokens,loss'];
    for (let i = table.rows - 1; i >= 0; i--) lines.push(`${table.runId[i]},${table.params[i]},${table.tokens[i]},${table.loss[i]}`);
    const reversed = ingestText(`${lines.join('\n')}\n`, 'rev.csv');
    const runsA = held(table, a).map((i) => table.runId[i]).sort();
    const runsB = held(reversed, heldOutMask(reversed, 'random:0.25:7')).map((i) => reversed.runId[i]).sort();
    expect(runsB).toEqual(runsA);
    // Rows of one run stay together.
    const multi = ingestText('run_id,params,tokens,loss\na,1,1,3\na,1,2,2\nb,1,1,3\nb,1,2,2\nc,1,1,3\nc,1,2,2\n', 'm.csv');
    const m = heldOutMask(multi, 'random:0.34:1');
    for (let i = 0; i < multi.rows; i += 2) expect(m[i]).toBe(m[i + 1]);
    expect(held(multi, m)).toHaveLength(2);
  });

  it('the split column overrides any rule', () => {
    const t = grid('heldout');
    expect(held(t, heldOutMask(t, 'none'))).toEqual([0]);
    const t2 = ingestText('run_id,params,tokens,loss,split\na,1e9,1,1,train\nb,1e6,1,1,\n', 's.csv');
    expect(held(t2, heldOutMask(t2, 'params>=1e6'))).toEqual([1]);
  });

  it('rejects malformed specs naming --holdout', () => {
    for (const bad of ['top-params:2', 'top-params:0', 'top-params:x', 'random:0.2:-1', 'random:0.2:1:2', 'mixtures:seen', 'runs:', 'params>=lots', 'sideways:0.2', 'foo']) {
      expect(() => parseHoldoutSpec(bad), bad).toThrow(InputError);
      expect(() => parseHoldoutSpec(bad), bad).toThrow(/^--holdout /);
    }
    expect(parseHoldoutSpec('random:0.2')).toEqual({ kind: 'random', fraction: 0.2, seed: 0 });
    const single = ingestText('run_id,params,tokens,loss\na,1e6,1,3\na,1e6,2,2\n', 'one.csv');
    expect(() => heldOutMask(single, 'top-params:0.5')).toThrow(/^--holdout top-params:0\.5: the data has 1 distinct params values, so nothing would be left to fit/);
    expect(() => heldOutMask(single, 'random:0.5')).toThrow(/1 distinct runs/);
  });
});
