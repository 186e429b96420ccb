import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crossoverCommand } from '../pipeline/commands/crossover.ts';
import { InputError } from '../pipeline/io/types.ts';
import { useTempDirs, runCommand } from './helpers/command.ts';

const tempDir = useTempDirs();

const grid = Array.from({ length: 12 }, (_, k) => Math.round(1e5 * 300 ** (k / 11)));

function csv(): string {
  const lines = ['run_id,params,tokens,loss,eval_lang,mixture,kind,base_run,base_tokens'];
  lines.push('base,2000000,4000000,2.0,de,de:0.25;en:0.25;fr:0.25;ru:0.25,pretrain,,');
  for (const t of grid) lines.push(`scratch,2000000,${t},${1 + (t / 1e6) ** -0.5},de,de:1,pretrain,,`);
  for (const t of grid) lines.push(`ft,2000000,${t},${1.2 + 0.5 * ((t + 1e6) / 1e6) ** -0.5},de,de:1,finetune,base,4000000`);
  return `${lines.join('\n')}\n`;
}

const run = (argv: string[]): Promise<string> => runCommand(crossoverCommand, argv);

describe('atlas crossover (command)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes crossover.json and crossover.csv and prints a table', async () => {
    const dir = tempDir('atlas-crossover-');
    writeFileSync(join(dir, 'runs.csv'), csv());
    const text = await run(['crossover', '--data', join(dir, 'runs.csv'), '--out', join(dir, 'out'), '--allow-outside']);
    expect(text).toMatch(/^de .*crossed/m);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'crossover.json'), 'utf8'));
    expect(json.schema).toBe('atlas.crossover/1');
    expect(json.points[0].tokens / 6.25e6).toBeCloseTo(1, 1);
    expect(json.points[0].baseTargetTokens).toBeCloseTo(1e6, 3);
    expect(readFileSync(join(dir, 'out', 'crossover.csv'), 'utf8').split('\n')[1]).toMatch(/^de,2000000,crossed,/);
    const j = JSON.parse(await run(['crossover', '--data', join(dir, 'runs.csv'), '--finetune-tokens', 'since-start', '--json']));
    expect(j.finetuneTokens).toBe('since-start');
  });

  it('rejects bad input with FILE:LINE and writes nothing', async () => {
    const dir = tempDir('atlas-crossover-');
    writeFileSync(join(dir, 'runs.csv'), csv().replace(/\nscratch,2000000,(\d+),[0-9.]+/, '\nscratch,2000000,$1,-1'));
    await expect(run(['crossover', '--data', join(dir, 'runs.csv'), '--out', join(dir, 'out'), '--allow-outside'])).rejects.toThrow(InputError);
    await expect(run(['crossover', '--data', join(dir, 'runs.csv'), '--out', join(dir, 'out'), '--allow-outside'])).rejects.toThrow(/runs\.csv:3: loss/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
