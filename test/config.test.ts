/**
 * Config loading: schema, YAML line numbers in messages, path safety, flag merging, and every
 * shipped dataset config ingesting cleanly.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, loadTable, parseConfig, resolveInside } from '../pipeline/config/load.ts';
import { heldOutMask } from '../pipeline/fit/holdout.ts';
import { summarize } from '../pipeline/ingest/ingest.ts';
import { InputError } from '../pipeline/io/types.ts';
import { manpagesLanguagesCsv } from '../scripts/manpages-languages.ts';

const root = join(import.meta.dirname, '..');
const fixtures = join(import.meta.dirname, 'fixtures', 'ingest');
const tmp = mkdtempSync(join(tmpdir(), 'atlas-config-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function problems(text: string, path = 'configs/x.yaml'): string[] {
  try {
    parseConfig(text, path);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected an InputError');
}

describe('config schema and messages', () => {
  it('reads every field, resolving data and languages relative to the config', () => {
    const config = loadConfig(join(fixtures, 'config.yaml'));
    expect(config.data).toEqual([relative(process.cwd(), join(fixtures, 'runs_mapped.csv'))]);
    expect(config.languages).toBe(relative(process.cwd(), join(fixtures, 'languages.csv')));
    expect(config.columns).toEqual({ run_id: 'name', params: 'N_params', tokens: 'D_billions*1e9', loss: 'val_loss', eval_lang: 'lang' });
    expect(config.where).toEqual(['step > 0']);
    expect(config.fit).toEqual({ objective: 'huber', delta: 1e-3, starts: 'grid' });
    expect(config.law).toBe('chinchilla');
    expect(config.holdout).toBe('top-params:0.5');
    expect(config.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('puts the line and dotted key in type errors', () => {
    const text = 'law: chinchilla\nfit:\n  objective: huber\n  delta: abc\n';
    expect(problems(text)).toEqual(['configs/x.yaml:4: fit.delta: expected a number, got "abc"']);
  });

  it('names unknown keys with their line, at the top level and nested', () => {
    const text = 'law: chinchilla\nfit:\n  objective: huber\n  detla: 0.1\nholdot: none\n';
    expect(problems(text)).toEqual([
      expect.stringMatching(/^configs\/x\.yaml:4: fit\.detla: unknown key \(known: objective, delta/),
      expect.stringMatching(/^configs\/x\.yaml:5: holdot: unknown key \(known: description, data/),
    ]);
    expect(problems('columns:\n  parms: N\n')[0]).toMatch(/^configs\/x\.yaml:2: columns\.parms: unknown key/);
  });

  it('checks enums, starts, numbers, filters and hold-out specs with lines', () => {
    expect(problems('fit:\n  objective: l2\n')).toEqual(['configs/x.yaml:2: fit.objective: expected one of huber, lsq, lsq-linear, got "l2"']);
    expect(problems('fit:\n  starts: lots\n')[0]).toMatch(/^configs\/x\.yaml:2: fit\.starts: expected grid, init or a positive whole number/);
    expect(problems('mixture_tolerance: -1\n')[0]).toMatch(/^configs\/x\.yaml:1: mixture_tolerance: must be ≥ 0/);
    expect(problems('where:\n  - step > 0\n  - bogus\n')[0]).toMatch(/^configs\/x\.yaml:3: where\.1: expected COLUMN OP VALUE/);
    expect(problems('\n\nholdout: top-params:7\n')[0]).toMatch(/^configs\/x\.yaml:3: holdout: top-params:7: FRAC must be/);
    expect(problems('data: 5\n')[0]).toMatch(/^configs\/x\.yaml:1: data: expected a path or a list of paths/);
  });

  it('reports YAML syntax errors and non-mapping documents with a line', () => {
    expect(problems('law: chinchilla\nfit: [unclosed\n')[0]).toMatch(/^configs\/x\.yaml:\d+: yaml: /);
    expect(problems('a: 1\na: 2\n')).toEqual(['configs/x.yaml:2: a: yaml: key repeated (first on line 1); map keys must be unique']);
    expect(problems('fit:\n  delta: 1\n  seed: 2\n  delta: 3\n')).toEqual(['configs/x.yaml:4: fit.delta: yaml: key repeated (first on line 2); map keys must be unique']);
    expect(problems('- just\n- a list\n')).toEqual(['configs/x.yaml:1: (top level): expected a mapping of config keys, got a list']);
  });

  it('accepts exp(NUMBER) for fixed and initial values', () => {
    const config = parseConfig('fit:\n  fix:\n    A: exp(6.255414)\n    alpha: 0.35\n', join(tmp, 'c.yaml'));
    expect(config.fit.fix).toEqual({ A: Math.exp(6.255414), alpha: 0.35 });
    expect(problems('fit:\n  fix:\n    A: log(3)\n')[0]).toMatch(/^configs\/x\.yaml:3: fit\.fix\.A: expected a number or exp\(NUMBER\)/);
  });

  it('hashes the config bytes', () => {
    const a = join(tmp, 'h1.yaml');
    writeFileSync(a, 'law: chinchilla\n');
    const b = join(tmp, 'h2.yaml');
    writeFileSync(b, 'law: chinchilla \n');
    expect(loadConfig(a).sha256).not.toBe(loadConfig(b).sha256);
    expect(loadConfig(a).sha256).toBe(createHash('sha256').update('law: chinchilla\n').digest('hex'));
  });
});

describe('path safety', () => {
  const base = join(tmp, 'safe');
  mkdirSync(join(base, 'sub'), { recursive: true });
  writeFileSync(join(base, 'sub', 'x.csv'), 'a\n');
  const outside = join(tmp, 'outside');
  mkdirSync(outside, { recursive: true });
  symlinkSync(outside, join(base, 'link'));

  it('resolveInside allows paths inside, absolute paths, and anything with allowOutside', () => {
    expect(resolveInside(base, 'sub/x.csv')).toBe(join(base, 'sub', 'x.csv'));
    expect(resolveInside(base, 'sub/../sub/new.csv')).toBe(join(base, 'sub', 'new.csv'));
    expect(resolveInside(base, join(outside, 'y.csv'))).toBe(join(outside, 'y.csv'));
    expect(resolveInside(base, '../outside/y.csv', true)).toBe(join(outside, 'y.csv'));
  });

  it('resolveInside refuses .. and symlinks that leave the folder', () => {
    expect(() => resolveInside(base, '../outside/y.csv')).toThrow(/leaves .* through "\.\." \(pass --allow-outside/);
    expect(() => resolveInside(base, 'link/y.csv')).toThrow(/through a symlink/);
    expect(() => resolveInside(base, 'link/deeper/new.csv')).toThrow(/through a symlink/);
  });

  it('config paths may not leave the config folder (outside the working directory)', () => {
    const configPath = join(base, 'c.yaml');
    writeFileSync(configPath, 'data:\n  - sub/x.csv\n  - ../outside/y.csv\nlanguages: link/l.csv\n');
    let messages: string[] = [];
    try {
      loadConfig(configPath);
    } catch (error) {
      messages = (error as InputError).problems;
    }
    expect(messages).toEqual([
      expect.stringMatching(new RegExp(`^${configPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: data\\.1: "\\.\\./outside/y\\.csv" leaves`)),
      expect.stringMatching(/:4: languages: "link\/l\.csv" leaves .* through a symlink/),
    ]);
    expect(loadConfig(configPath, { allowOutside: true }).data).toHaveLength(2);
  });
});

describe('shipped configs from another working directory', () => {
  it('may read the shipped datasets wherever atlas runs', async () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const { table } = await loadTable({ config: join(root, 'configs', 'epoch-chinchilla.yaml') });
      expect(table.rows).toBe(240);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('loadTable', () => {
  it('ingests a config: map with scale, filters, languages table', async () => {
    const { table, config } = await loadTable({ config: join(fixtures, 'config.yaml') });
    expect(config?.law).toBe('chinchilla');
    expect(table.rows).toBe(2);
    expect(Array.from(table.tokens)).toEqual([3e9, 3e9]);
    expect(table.languages.get('fr')?.uniqueTokens).toBe(2e8);
    expect(summarize(table).filters).toEqual([{ filter: 'step > 0', dropped: 1 }]);
  });

  it('lets flags win over the config (data, map as object or raw flags, extra filters)', async () => {
    const other = join(tmp, 'other.csv');
    writeFileSync(other, 'name,N_params,D_billions,val_loss,step,lang,L2\nz,1e8,2,3.1,5,en,9\nz,1e8,4,2.9,50,en,8\n');
    const { table } = await loadTable({ config: join(fixtures, 'config.yaml'), data: [other], map: ['loss=L2'], where: ['step >= 10'] });
    expect(table.runId).toEqual(['z']);
    expect(Array.from(table.loss)).toEqual([8]);
    const objectMap = await loadTable({ config: join(fixtures, 'config.yaml'), data: [other], map: { loss: 'L2' } });
    expect(Array.from(objectMap.table.loss)).toEqual([9, 8]);
  });

  it('refuses when there is nothing to read', async () => {
    await expect(loadTable({})).rejects.toThrow(/no run-log files given/);
  });
});

describe('shipped dataset configs', () => {
  const expected: Record<string, { rows: number; runs: number }> = {
    'epoch-chinchilla': { rows: 240, runs: 240 },
    datablations: { rows: 182, runs: 182 },
    'gadre-overtraining': { rows: 35, runs: 35 },
    'misfitting-li2025': { rows: 261, runs: 261 },
    'manpages-sweep': { rows: 6695, runs: 165 },
  };
  const shipped = readdirSync(join(root, 'configs')).filter((f) => f.endsWith('.yaml') && Object.hasOwn(expected, f.replace(/\.yaml$/, '')));

  it('ships a config for each run-log dataset', () => {
    expect(shipped.sort()).toEqual(Object.keys(expected).map((k) => `${k}.yaml`).sort());
  });

  for (const name of Object.keys(expected)) {
    it(`${name} ingests with the expected rows and runs`, async () => {
      const { table, config } = await loadTable({ config: join(root, 'configs', `${name}.yaml`) });
      expect({ rows: table.rows, runs: new Set(table.runId).size }).toEqual(expected[name]);
      expect(config?.law).toBeTruthy();
    });
  }

  it('datablations fixes the five base coefficients from their published log values', () => {
    const config = loadConfig(join(root, 'configs', 'datablations.yaml'));
    // Muennighoff et al. 2023 Step-1 C4 coefficients (datasets/datablations/PROVENANCE.md).
    expect(config.fit.fix).toEqual({ E: Math.exp(0.6254804), A: Math.exp(6.255414), B: Math.exp(7.3049974), alpha: 0.3526596, beta: 0.3526596 });
  });

  it('gadre-overtraining trains on the paper\'s 5 points and holds out the other rpj runs', async () => {
    const { table, config } = await loadTable({ config: join(root, 'configs', 'gadre-overtraining.yaml') });
    const mask = heldOutMask(table, config!.holdout!);
    // Gadre et al. 2024 fit_ds: d=96, d=512, d=576, d=1024 at M = 20, and d=96 at M = 320.
    expect(table.runId.filter((_, i) => !mask[i]).sort()).toEqual([
      'rpj-d=1024_l=24_h=8-1.0', 'rpj-d=512_l=8_h=4-1.0', 'rpj-d=576_l=24_h=8-1.0', 'rpj-d=96_l=8_h=4-1.0', 'rpj-d=96_l=8_h=4-16.0']);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(30);
    expect(config!.holdout).not.toMatch(/\s/);
  });

  it('the manpages languages table is the derivation from runs_meta.json', () => {
    const meta = JSON.parse(readFileSync(join(root, 'datasets', 'manpages-sweep', 'runs_meta.json'), 'utf8'));
    expect(readFileSync(join(root, 'datasets', 'manpages-sweep', 'languages.csv'), 'utf8')).toBe(manpagesLanguagesCsv(meta));
  });

  it('manpages-sweep maps kinds, finetune bases and unique tokens', async () => {
    const { table } = await loadTable({ config: join(root, 'configs', 'manpages-sweep.yaml') });
    const finetune = table.kind.indexOf('finetune');
    expect(table.baseRun[finetune]).toBe('multi_d192L4_K12_s0');
    expect(table.baseTokens[finetune]).toBe(8044544);
    expect(table.uniqueTokens[0].get('sv')).toBe(253206);
    expect(table.languages.get('ru')?.script).toBe('Cyrl');
    expect(Math.min(...Array.from(table.step))).toBeGreaterThan(0);
  });
});
