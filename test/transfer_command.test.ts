/**
 * `atlas transfer` as a command: SPEC §2 files and columns, --json shape, --matrix mode, and bad
 * input rejected before anything is written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { transferCommand } from '../pipeline/commands/transfer.ts';
import { InputError } from '../pipeline/io/types.ts';
import { runCommand, useTempDirs } from './helpers/command.ts';
const tempDir = useTempDirs();

const grid = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const loss = (d: number) => 2 + 300 / d ** 0.3;

/** Two languages, two seeds of every run; τ(x→y) = 0.5, τ(y→x) = −0.2; plus a finetune from the bilingual run. */
function csv(): string {
  const lines = ['run_id,params,tokens,loss,eval_lang,mixture,seed,kind,base_run,base_tokens'];
  for (const seed of [0, 1]) {
    const wobble = 1 + 0.002 * (seed ? 1 : -1);
    for (const l of ['x', 'y']) for (const d of grid(1e6, 1e8, 20)) lines.push(`mono_${l}_${seed},1e6,${d},${loss(d) * wobble},${l},${l}:1,${seed},pretrain,,`);
    for (const d of grid(1e6, 1e9, 25)) {
      lines.push(`bi_${seed},1e6,${d},${loss(d * 0.75) * wobble},x,x:0.5;y:0.5,${seed},pretrain,,`);
      lines.push(`bi_${seed},1e6,${d},${loss(d * 0.4) * wobble},y,x:0.5;y:0.5,${seed},pretrain,,`);
    }
  }
  for (const d of [1e6, 2e6, 4e6]) lines.push(`ft_y,1e6,${d},${loss(1e9 * 0.4) - 0.01 * d / 1e6},y,y:1,0,finetune,bi_0,1000000000`);
  return `${lines.join('\n')}\n`;
}

const run = (argv: string[]): Promise<string> => runCommand(transferCommand, argv);

describe('atlas transfer (command)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the SPEC files, resamples seeds, and prints {"scores": …} with --json', async () => {
    const dir = tempDir('atlas-transfer-');
    writeFileSync(join(dir, 'runs.csv'), csv());
    const out = join(dir, 'out');
    await run(['transfer', '--data', join(dir, 'runs.csv'), '--ref-tokens', '1e7,3e7', '--bootstrap', '20', '--trees', '5', '--out', out, '--allow-outside']);
    for (const f of ['transfer.csv', 'transfer_matrix.csv', 'transfer.json', 'transfer_heatmap.svg', 'fas.csv', 'transfer_matrix_d30000000.csv']) expect(existsSync(join(out, f)), f).toBe(true);
    const rows = readFileSync(join(out, 'transfer.csv'), 'utf8').trim().split('\n');
    expect(rows[0].startsWith('target,source,bts,d_mono,d_bi,censored')).toBe(true);
    expect(rows.length).toBe(1 + 2 * 2);
    const json = JSON.parse(await run(['transfer', '--data', join(dir, 'runs.csv'), '--ref-tokens', '1e7', '--bootstrap', '10', '--trees', '5', '--json']));
    expect(json.schema).toBe('atlas.transfer/1');
    expect(json.bootstrap.method).toBe('runs (seeds)');
    const xy = json.scores.find((s: { target: string; source: string }) => s.target === 'x' && s.source === 'y');
    expect(xy.bts).toBeCloseTo((2 * 0.5) / 1.5, 1);
    expect(json.scores.find((s: { target: string }) => s.target === 'y').bts).toBeCloseTo((2 * -0.2) / 0.8, 1);
    expect(json.fas.find((f: { source: string; target: string }) => f.source === 'y' && f.target === 'y').fas).toBeGreaterThan(0);
  });

  it('analyses a given matrix with --matrix', async () => {
    const dir = tempDir('atlas-transfer-');
    writeFileSync(join(dir, 'm.csv'), 'target\\source,a,b,c\na,,0.2,-0.1\nb,0.1,,-0.3\nc,-0.2,-0.4,\n');
    writeFileSync(join(dir, 'langs.csv'), 'lang,script,family\na,Latn,F\nb,Latn,G\nc,Cyrl,F\n');
    const json = JSON.parse(await run(['transfer', '--matrix', join(dir, 'm.csv'), '--languages', join(dir, 'langs.csv'), '--json', '--permutations', '10']));
    expect(json.stats.effects[0].same.mean).toBeCloseTo(0.15, 12);
    expect(json.stats.symmetry.pairs).toBe(3);
  });

  it('rejects bad input and writes nothing', async () => {
    const dir = tempDir('atlas-transfer-');
    writeFileSync(join(dir, 'runs.csv'), csv().replace(/\nmono_x_0,1e6,(\S+?),[0-9.]+,/, '\nmono_x_0,1e6,$1,-1,'));
    const out = join(dir, 'out');
    await expect(run(['transfer', '--data', join(dir, 'runs.csv'), '--out', out, '--allow-outside'])).rejects.toThrow(/runs\.csv:2: loss/);
    writeFileSync(join(dir, 'good.csv'), csv());
    await expect(run(['transfer', '--data', join(dir, 'good.csv'), '--ref-tokens', 'abc', '--out', out, '--allow-outside'])).rejects.toThrow(InputError);
    await expect(run(['transfer', '--data', join(dir, 'good.csv'), '--size', '5', '--out', out, '--allow-outside'])).rejects.toThrow(/--size/);
    expect(existsSync(out)).toBe(false);
  });
});
