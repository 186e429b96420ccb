/**
 * Mixture column maps (ingest/mixture_columns.ts): RegMix's wide weight columns and
 * data-mixing-laws' `-`-separated proportions, with FILE:LINE messages for bad cells.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { compileMixtureColumns } from '../pipeline/ingest/mixture_columns.ts';
import { heldOutMask } from '../pipeline/fit/holdout.ts';
import { InputError } from '../pipeline/io/types.ts';
import { shipped } from '../pipeline/io/shipped.ts';
import { regmixLongCsv } from '../pipeline/reproduce/regmix_data.ts';
import { problemsOf } from './helpers/problems.ts';

const WIDE = ['id,N,D,target,loss,w_a,w_b,w_c', 'r1,1e6,1e9,c,3.1,0.5,0.0,0.5', 'r2,1e6,1e9,c,3.3,0.2,0.3,0.5', 'r3,1e6,1e9,c,3.2,0.2,0.3,0.5'].join('\n');
const WIDE_MAP = { run_id: 'id', params: 'N', tokens: 'D', eval_lang: 'target', mixture: 'wide:w_*' };
const SPLIT = ['run,N,D,valid,mix,loss', 'a,1e8,2e9,Github,0.25-0.75,2.1', 'b,1e8,2e9,Github,1.0-0.0,1.9'].join('\n');
const SPLIT_MAP = { run_id: 'run', params: 'N', tokens: 'D', eval_lang: 'valid', mixture: 'split:mix:Github,Pile-CC' };

describe('wide mixture columns (RegMix layout)', () => {
  it('reads one column per domain, drops zero weights and shares equal mixtures', () => {
    const table = ingestText(WIDE, 'wide.csv', { map: WIDE_MAP });
    expect(table.mixture[0].key).toBe('a:0.5;c:0.5');
    expect(table.mixture[1].key).toBe('a:0.2;b:0.3;c:0.5');
    expect(table.mixture[2]).toBe(table.mixture[1]);
  });

  it('reports bad weights, all-zero rows and sums off 1 with file, line and column', () => {
    const text = ['id,N,D,target,loss,w_a,w_b', 'r1,1e6,1e9,a,3,x,1', 'r2,1e6,1e9,a,3,-0.5,1.5', 'r3,1e6,1e9,a,3,0,0', 'r4,1e6,1e9,a,3,0.5,0.6'].join('\n');
    const problems = problemsOf(() => ingestText(text, 'bad.csv', { map: WIDE_MAP }));
    expect(problems[0]).toMatch(/^bad\.csv:2: w_\* \(as mixture\): w_a: weight of a is not a number: "x"/);
    expect(problems[1]).toMatch(/^bad\.csv:3: .*weight of a must be ≥ 0, got -0\.5/);
    expect(problems[2]).toMatch(/^bad\.csv:4: .*every domain weight is 0/);
    expect(problems[3]).toMatch(/^bad\.csv:5: .*sum to 1\.1, not 1/);
  });

  it('names the header line when no column matches the pattern', () => {
    const problems = problemsOf(() => ingestText(WIDE, 'wide.csv', { map: { ...WIDE_MAP, mixture: 'wide:train_*' } }));
    expect(problems[0]).toMatch(/^wide\.csv:1: mixture: --map mixture=wide:train_\*: no column matches train_\*/);
    const two = problemsOf(() => ingestText(WIDE, 'wide.csv', { map: { ...WIDE_MAP, mixture: 'wide:w_*_*' } }));
    expect(two[0]).toMatch(/one \* standing for the domain name/);
  });
});

describe('split proportions (data-mixing-laws layout)', () => {
  it('reads `-`-separated proportions in the mapped domain order', () => {
    const table = ingestText(SPLIT, 'split.csv', { map: SPLIT_MAP });
    expect(table.mixture[0].langs).toEqual(['Github', 'Pile-CC']);
    expect(table.mixture[0].weights).toEqual([0.25, 0.75]);
    expect(table.mixture[1].key).toBe('Github:1');
  });

  it('reports a wrong number of parts, bad numbers and unknown columns with file and line', () => {
    const text = ['run,N,D,valid,mix,loss', 'a,1e8,2e9,Github,0.25-0.5-0.25,2', 'b,1e8,2e9,Github,0.5-half,2'].join('\n');
    const problems = problemsOf(() => ingestText(text, 'parts.csv', { map: SPLIT_MAP }));
    expect(problems[0]).toMatch(/^parts\.csv:2: mix \(as mixture\): expected 2 '-'-separated proportions \(Github, Pile-CC\), got "0\.25-0\.5-0\.25"/);
    expect(problems[1]).toMatch(/^parts\.csv:3: mix \(as mixture\): weight of Pile-CC is not a number: "half"/);
    const unknown = problemsOf(() => ingestText(SPLIT, 'split.csv', { map: { ...SPLIT_MAP, mixture: 'split:proportions:Github,Pile-CC' } }));
    expect(unknown[0]).toMatch(/^split\.csv:1: mixture: .*unknown column "proportions"/);
    expect(problemsOf(() => ingestText(SPLIT, 'split.csv', { map: { ...SPLIT_MAP, mixture: 'split:mix:Github,,x' } }))[0]).toMatch(/empty domain name/);
  });

  it('round-trips any proportions (property)', () => {
    const weight = fc.integer({ min: 0, max: 1000 });
    fc.assert(fc.property(fc.array(weight, { minLength: 1, maxLength: 8 }).filter((w) => w.some((x) => x > 0)), (raw) => {
      const sum = raw.reduce((a, b) => a + b, 0);
      const cells = raw.map((x) => String(x / sum));
      const domains = raw.map((_, k) => `d${k}`);
      const reader = compileMixtureColumns(`split:mix:${domains.join(',')}`, ['mix']);
      if (typeof reader === 'string') throw new Error(reader);
      const read = reader.read([cells.join('-')]);
      expect('text' in read).toBe(true);
      if (!('text' in read)) return;
      const parsed = new Map(read.text.split(';').map((p) => [p.split(':')[0], Number(p.split(':')[1])]));
      domains.forEach((d, k) => expect(parsed.get(d) ?? 0).toBe(raw[k] / sum));
    }));
  });
});

describe('shipped mixture datasets', () => {
  it('regmix_runs.csv is the join of the verbatim RegMix files (scripts/regmix-long.ts)', () => {
    const read = (name: string) => readFileSync(shipped('datasets', 'regmix', name), 'utf8');
    expect(regmixLongCsv(read)).toBe(read('regmix_runs.csv'));
  });
});

describe('mixtures:random hold-out', () => {
  it('holds out every row of a seeded share of the distinct mixtures', () => {
    const lines = ['run,N,D,valid,mix,loss'];
    for (let k = 0; k < 20; k++) for (const n of [1e8, 2e8]) lines.push(`r${k}_${n},${n},2e9,Github,${k / 20}-${1 - k / 20},2`);
    const table = ingestText(lines.join('\n'), 'h.csv', { map: SPLIT_MAP });
    const mask = heldOutMask(table, 'mixtures:random:0.25:3');
    const held = new Set<string>();
    const kept = new Set<string>();
    for (let i = 0; i < table.rows; i++) (mask[i] ? held : kept).add(table.mixture[i].key);
    expect(held.size).toBe(5);
    for (const key of held) expect(kept.has(key)).toBe(false);
    expect(heldOutMask(table, 'mixtures:random:0.25:3')).toEqual(mask);
    expect(() => heldOutMask(table, 'mixtures:random:2')).toThrow(/FRAC must be a number between 0 and 1/);
    expect(() => heldOutMask(table, 'mixtures:sometimes')).toThrow(/mixtures:random:FRAC/);
  });
});
