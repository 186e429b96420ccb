import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import type { CoefficientArtifact } from '../pipeline/io/artifact.ts';
import { planCommand } from '../pipeline/commands/plan.ts';
import { curseDerived } from '../pipeline/laws/curse.ts';
import { computeCrossovers } from '../pipeline/crossover/crossover.ts';
import { isoLossPlan } from '../pipeline/curse/curse.ts';
import { planCotrain, planFinetune, planLanguages } from '../pipeline/plan/plan.ts';
import type { TransferJson } from '../pipeline/transfer/io.ts';
import { InputError } from '../pipeline/io/types.ts';
import { makeTable, type Row } from './curse_helpers.ts';
import { useTempDirs } from './helpers/command.ts';

const tempDir = useTempDirs();

const VALUES = { E: 1.2, A: 150, B: 2500, alpha: 0.35, beta: 0.3, phi: 0.11, psi: -0.04 };

function artifact(law = 'curse'): CoefficientArtifact {
  const entry = (value: number) => ({ value, vary: 'free', at_bound: null, init: value, bounds: [null, null] as [null, null], log_scale: false });
  const derived = Object.fromEntries(Object.entries(curseDerived(VALUES)).map(([k, v]) => [k, { value: v, ci95: [v * 0.9, v * 1.1] as [number, number] }]));
  return {
    schema: 'atlas.coefficients/1', law, law_options: {},
    params: Object.fromEntries(Object.entries(VALUES).map(([k, v]) => [k, entry(v)])),
    objective: { kind: 'huber-log', delta: 1e-3, value: 0 },
    fit: { starts: 1, converged: true, status: 'converged', message: '', iterations: 1, evaluations: 1, seconds: 0, optimizer: 'test' },
    data: { rows: 0, runs: 0, sha256: '', files: [] },
    metrics: { train: { rows: 0, r2: 1, rmse: 0, mape: 0 } },
    derived, context: { ks: [1, 2, 4], uniformTolerance: 1e-3 }, options: {},
    provenance: { version: 'test', config_sha256: null, seed: 0, created: null },
  };
}

describe('plan languages', () => {
  it('answers K -> rK from a curse artifact, with the bootstrap intervals of the multipliers', () => {
    const request = { params: 1e8, tokens: 2e10, k: 4, targetK: 8 };
    const plan = planLanguages(artifact(), request);
    const direct = isoLossPlan(VALUES, request);
    expect(plan.optimum.s).toBeCloseTo(direct.optimum.s, 12);
    expect(plan.params).toBeCloseTo(direct.optimum.s * 1e8, 3);
    expect(plan.compute / plan.baselineCompute).toBeCloseTo(direct.optimum.compute, 10);
    expect(plan.r).toBe(2);
    expect(Object.keys(plan.intervals!)).toContain('double_k_params_multiplier');
    // r = 3 has no derived entries
    expect(planLanguages(artifact(), { ...request, targetK: 12 }).intervals).toBeNull();
  });

  it('uses one group of a --group-by artifact and asks for it when missing', () => {
    const whole = artifact();
    const grouped = { ...whole, params: {}, group_by: 'eval_lang', groups: { en: { params: whole.params, derived: whole.derived } } } as unknown as CoefficientArtifact;
    const request = { params: 1e8, tokens: 2e10, k: 4, targetK: 8 };
    expect(() => planLanguages(grouped, request)).toThrow(/name one of: en/);
    expect(planLanguages(grouped, { ...request, group: 'en' }).optimum.s).toBeCloseTo(planLanguages(whole, request).optimum.s, 12);
  });

  it('refuses an artifact of another law', () => {
    expect(() => planLanguages(artifact('chinchilla'), { params: 1e8, tokens: 1e10, k: 1, targetK: 2 })).toThrow(/needs a curse-law fit/);
  });
});

describe('plan finetune', () => {
  it('uses the printed ATLAS formula: 2B crossover at C/(6N) = 206B tokens', () => {
    // ATLAS §6 text: C = 1113708·N^1.65 -> 2.47e21 FLOPs at N = 2e9 -> ~206B tokens
    const formula = { a: 1113708, b: 1.65 };
    const low = planFinetune({ formula }, { lang: 'de', params: 2e9, tokens: 1e11 });
    expect(low.decision).toBe('finetune');
    expect(low.crossoverTokens! / 1e9).toBeCloseTo(206.2, 1);
    expect(planFinetune({ formula }, { lang: 'de', params: 2e9, tokens: 3e11 }).decision).toBe('pretrain');
  });

  it('uses measured and censored crossovers from a crossover result', () => {
    const grid = Array.from({ length: 12 }, (_, k) => 1e5 * 300 ** (k / 11));
    const rows: Row[] = [];
    const add = (runId: string, lang: string, fn: (d: number) => number, extra: Partial<Row> = {}) => {
      for (const t of grid) rows.push({ runId, params: 2e6, tokens: t, loss: fn(t), evalLang: lang, mixture: `${lang}:1`, ...extra });
    };
    add('s_de', 'de', (d) => 1 + (d / 1e6) ** -0.5);
    add('f_de', 'de', (d) => 1.2 + 0.5 * (d / 1e6) ** -0.5, { kind: 'finetune' });
    add('s_fr', 'fr', (d) => 1.5 + (d / 1e6) ** -0.5);
    add('f_fr', 'fr', (d) => 1.2 + 0.5 * (d / 1e6) ** -0.5, { kind: 'finetune' });
    const crossover = computeCrossovers(makeTable(rows), { finetuneTokens: 'since-start' });
    const de = planFinetune({ crossover }, { lang: 'de', params: 2e6, tokens: 1e6 });
    expect(de.decision).toBe('finetune');
    expect(de.basis).toBe('measured');
    expect(de.crossoverTokens! / 6.25e6).toBeCloseTo(1, 1);
    expect(planFinetune({ crossover }, { lang: 'de', params: 2e6, tokens: 1e7 }).decision).toBe('pretrain');
    expect(planFinetune({ crossover }, { lang: 'fr', params: 2e6, tokens: 1e7 }).decision).toBe('finetune');
    expect(planFinetune({ crossover }, { lang: 'fr', params: 2e6, tokens: 1e8 }).decision).toBe('undetermined');
    expect(() => planFinetune({ crossover }, { lang: 'ru', params: 2e6, tokens: 1e8 })).toThrow(InputError);
  });
});

function transfer(): TransferJson {
  const score = (source: string, bts: number, censored = 'false') => ({
    target: 'da', source, bts, d_mono: 3e6, d_bi: 6e6, censored, ci_low: bts - 0.1, ci_high: bts + 0.1, se: 0.05,
    boot_censored: 0, loss_ref: 1.5, mono_runs: [], bilingual_runs: [],
  });
  return {
    schema: 'atlas.transfer/1', size: 1772928, ref_tokens: [3e6], ref_rule: 'test', languages: ['da', 'sv', 'de', 'en', 'ru'],
    bootstrap: { replicates: 10, seed: 0, method: 'test', interval: [0.025, 0.975] },
    scores: [score('sv', 0.3), score('de', 0.1), score('en', 0.2), score('ru', -0.4, 'below'), { ...score('xx', 0.9), target: 'sv' }],
    matrix: { targets: [], sources: [], values: [], censored: [] }, fas: [], stats: null, predictor: null, notes: [],
    provenance: { version: 'test', files: [], config_sha256: null },
  } as unknown as TransferJson;
}

describe('plan cotrain', () => {
  it('ranks sources into the target by BTS, keeping intervals and censoring', () => {
    const plan = planCotrain(transfer(), 'da', 3);
    expect(plan.rows.map((r) => r.source)).toEqual(['sv', 'en', 'de']);
    expect(plan.rows[0].ciLow).toBeCloseTo(0.2, 12);
    expect(plan.candidates).toBe(4);
    expect(planCotrain(transfer(), 'da', 10).rows.at(-1)!.censored).toBe('below');
    expect(() => planCotrain(transfer(), 'zz')).toThrow(/no transfer scores into "zz"/);
  });
});

describe('atlas plan (command)', () => {
  const written: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    written.length = 0;
  });
  async function run(argv: string[]): Promise<string> {
    written.length = 0;
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    await yargs(argv).command(planCommand).strict().fail((msg, err) => { throw err ?? new Error(msg); }).parseAsync();
    vi.restoreAllMocks();
    return written.join('');
  }

  it('prints a table and JSON for each decision', async () => {
    const dir = tempDir('atlas-plan-');
    writeFileSync(join(dir, 'coefficients.json'), JSON.stringify(artifact()));
    writeFileSync(join(dir, 'transfer.json'), JSON.stringify(transfer()));
    const text = await run(['plan', 'languages', '--coefficients', join(dir, 'coefficients.json'), '--params', '1e8', '--tokens', '2e10', '--k', '4', '--target-k', '8']);
    expect(text).toMatch(/Same loss with 8 languages/);
    expect(text).toMatch(/Iso-loss curve/);
    const json = JSON.parse(await run(['plan', 'languages', '--coefficients', join(dir, 'coefficients.json'), '--params', '1e8', '--tokens', '2e10', '--k', '4', '--target-k', '8', '--json']));
    expect(json.r).toBe(2);
    expect(await run(['plan', 'finetune', '--formula', '1113708,1.65', '--lang', 'de', '--params', '2e9', '--tokens', '1e11'])).toMatch(/FINETUNE/);
    const cot = await run(['plan', 'cotrain', '--transfer', join(dir, 'transfer.json'), '--lang', 'da', '--top', '2']);
    expect(cot).toMatch(/sv/);
    expect(cot).not.toMatch(/\bde\b.*0\.1/);
    await expect(run(['plan', 'finetune', '--formula', 'x', '--lang', 'de', '--params', '2e9', '--tokens', '1e11'])).rejects.toThrow(InputError);
  });
});
