/**
 * Log formats: the same training curves written as a W&B history export, a W&B chart export,
 * TSV with size suffixes, JSON lines (plain and gzip) and Hugging Face trainer_state.json files
 * (test/fixtures/ingest/formats, written by scripts/ingest-fixtures.ts) must give the same table
 * and, through the command line with no config, the same fit. Errors say what to type instead.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles, parseSizeNumber, parseStrictNumber, summarize, toNormalizedCsv } from '../pipeline/ingest/ingest.ts';
import { InputError, type RunTable } from '../pipeline/io/types.ts';

const root = join(import.meta.dirname, '..');
const dir = join('test', 'fixtures', 'ingest', 'formats');
const runs = ['pythia-70m', 'pythia-160m', 'pythia-410m', 'pythia-1b', 'pythia-2.8b'];
const trainerStates = runs.map((run) => join(dir, 'trainer_state', run, 'trainer_state.json'));
const scratch = mkdtempSync(join(tmpdir(), 'atlas-formats-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function problems(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** (run, tokens, loss, params) per row, sorted, for comparing tables from different formats. */
function rowsOf(table: RunTable): string[] {
  return Array.from({ length: table.rows }, (_, i) => `${table.runId[i]} ${table.tokens[i]} ${table.loss[i]} ${table.params[i].toPrecision(12)}`).sort();
}

describe('log formats give the same table', () => {
  it('W&B history, TSV with suffixes, JSON lines, gzip and trainer_state.json', async () => {
    const jsonl = await ingestFiles([join(dir, 'runs.jsonl')]);
    expect(jsonl.rows).toBe(100);
    expect(new Set(jsonl.runId)).toEqual(new Set(runs));
    const expected = rowsOf(jsonl);
    const wandb = await ingestFiles([join(dir, 'wandb.csv')]);
    expect(rowsOf(wandb)).toEqual(expected);
    // The eval-only steps log NaN train loss: skipped and counted, not errors.
    expect(summarize(wandb).missing_skipped).toBe(100);
    const tsv = await ingestFiles([join(dir, 'runs.tsv')], { map: { run_id: 'Name' } });
    expect(rowsOf(tsv)).toEqual(expected);
    const gz = await ingestFiles([join(dir, 'runs.jsonl.gz')]);
    expect(toNormalizedCsv(gz)).toBe(toNormalizedCsv(jsonl));
    // The file's hash is of its stored (compressed) bytes.
    expect(gz.sources[0].sha256).toBe(createHash('sha256').update(readFileSync(join(root, dir, 'runs.jsonl.gz'))).digest('hex'));
    const hf = await ingestFiles(trainerStates);
    // params = total_flos / (6 × tokens seen): equal to 12 digits.
    expect(rowsOf(hf)).toEqual(expected);
    // Per run: 5 eval entries and the closing summary entry have no train loss.
    expect(summarize(hf).missing_skipped).toBe(30);
    expect(hf.line[0]).toBeGreaterThan(10);
  });

  it('reshapes a W&B chart export to one row per run and step', async () => {
    const chart = await ingestFiles([join(dir, 'wandb_chart.csv')], { map: { params: '1B', tokens: 'Step*524288' } });
    expect(chart.rows).toBe(100);
    const jsonl = await ingestFiles([join(dir, 'runs.jsonl')]);
    expect(Array.from(chart.loss).sort()).toEqual(Array.from(jsonl.loss).sort());
    expect([...new Set(chart.params)]).toEqual([1e9]);
  });

  it('streams gzip CSV and sniffs the delimiter (or takes --delimiter)', async () => {
    const csv = 'run_id;params;tokens;loss\na;70M;1.5B;3.1\nb;160M;2B;2.9\n';
    writeFileSync(join(scratch, 'semi.csv.gz'), gzipSync(csv));
    writeFileSync(join(scratch, 'pipe.txt'), csv.replace(/;/g, '|'));
    const semi = await ingestFiles([join(scratch, 'semi.csv.gz')]);
    expect(Array.from(semi.params)).toEqual([70e6, 160e6]);
    expect(Array.from(semi.tokens)).toEqual([1.5e9, 2e9]);
    const pipe = await ingestFiles([join(scratch, 'pipe.txt')], { delimiter: '|' });
    expect(toNormalizedCsv(pipe)).toBe(toNormalizedCsv(semi));
  });

  it('takes constants in the column map', async () => {
    const table = await ingestFiles([join(dir, 'runs.jsonl')], { map: { params: '70M', mixture: 'en:0.5;de:0.5' } });
    expect([...new Set(table.params)]).toEqual([70e6]);
    expect(table.mixture[0].key).toBe('de:0.5;en:0.5');
  });
});

describe('every reader yields the same rows (property)', () => {
  const row = fc.record({
    run: fc.stringMatching(/^[a-z][a-z0-9 ,"-]{0,8}$/).filter((r) => r.trim() === r),
    params: fc.integer({ min: 1, max: 9999 }),
    tokens: fc.integer({ min: 1, max: 9999 }),
    loss: fc.double({ min: 0.5, max: 9, noNaN: true }),
  });
  it('CSV, TSV, JSON lines and gzip of each give the same table', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.uniqueArray(row, { minLength: 1, maxLength: 12, selector: (r) => r.run }), async (rows) => {
      const quote = (text: string): string => (/[",\t]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
      const csv = `run_id,params,tokens,loss\n${rows.map((r) => `${quote(r.run)},${r.params}M,${r.tokens}k,${r.loss}`).join('\n')}\n`;
      const tsv = csv.replace(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/gm, '\t');
      const jsonl = rows.map((r) => JSON.stringify({ run_id: r.run, params: `${r.params}M`, tokens: r.tokens * 1000, loss: r.loss })).join('\n');
      const base = join(scratch, `prop-${n++}`);
      writeFileSync(`${base}.csv`, csv);
      writeFileSync(`${base}.tsv.gz`, gzipSync(tsv));
      writeFileSync(`${base}.jsonl`, jsonl);
      const expected = toNormalizedCsv(await ingestFiles([`${base}.csv`]));
      expect(toNormalizedCsv(await ingestFiles([`${base}.tsv.gz`]))).toBe(expected);
      expect(toNormalizedCsv(await ingestFiles([`${base}.jsonl`]))).toBe(expected);
    }), { numRuns: 40 });
  });
});

describe('errors say what to type instead', () => {
  it('suggests the closest column for a missing one', async () => {
    const [message] = await problems(() => ingestFiles([join(dir, 'runs.tsv')]));
    expect(message).toContain('runs.tsv:1: run_id: missing required column (columns: Name, params, tokens, step, loss); type --map run_id=Name');
    const [chart] = await problems(() => ingestFiles([join(dir, 'wandb_chart.csv')], { map: { params: '1B' } }));
    expect(chart).toContain('type --map tokens=Step*TOKENS_PER_STEP');
    const [mapped] = await problems(() => ingestFiles([join(dir, 'runs.tsv')], { map: { run_id: 'name' } }));
    expect(mapped).toContain('did you mean --map run_id=Name?');
  });

  it('JSON in a .csv file suggests --format jsonl', async () => {
    const path = join(scratch, 'log.csv');
    writeFileSync(path, '{"run_id": "a", "params": 1, "tokens": 2, "loss": 3}\n');
    const [message] = await problems(() => ingestFiles([path]));
    expect(message).toContain('pass --format jsonl');
    expect((await ingestFiles([path], { format: 'jsonl' })).rows).toBe(1);
  });

  it('a TensorBoard event file gets the export command', async () => {
    const path = join(scratch, 'events.out.tfevents.1717000000.host');
    writeFileSync(path, Buffer.from('\x18\x00\x00\x00\x00\x00\x00\x00brain.Event:2', 'latin1'));
    const message = (await problems(() => ingestFiles([path]))).join('\n');
    expect(message).toContain('a TensorBoard event file');
    expect(message).toContain('tbparse');
  });

  it('bad JSON lines name the line', async () => {
    const path = join(scratch, 'bad.jsonl');
    writeFileSync(path, '{"run_id": "a", "params": 1, "tokens": 2, "loss": 3}\n{"run_id": \n');
    const [message] = await problems(() => ingestFiles([path]));
    expect(message).toMatch(/bad\.jsonl:2: json: /);
  });
});

describe('size suffixes', () => {
  /** `${int}.${frac}` shifted `shift` decimal places to the right, as plain digits. */
  function shifted(int: string, frac: string, shift: number): string {
    const digits = int + frac.padEnd(shift, '0');
    const point = int.length + shift;
    return `${digits.slice(0, point)}.${digits.slice(point) || '0'}`;
  }

  it('k, M, B, T shift the decimal point exactly (any case)', () => {
    const suffix = fc.constantFrom(['k', 3], ['K', 3], ['M', 6], ['m', 6], ['B', 9], ['b', 9], ['T', 12], ['t', 12]);
    fc.assert(fc.property(fc.nat(1_000_000), fc.stringMatching(/^[0-9]{0,6}$/), suffix, (int, frac, [s, shift]) => {
      const text = frac === '' ? `${int}${s}` : `${int}.${frac}${s}`;
      expect(parseSizeNumber(text)).toBe(parseStrictNumber(shifted(String(int), frac, shift as number)));
    }));
  });

  it('plain numbers are unchanged and anything else is NaN', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      expect(parseSizeNumber(String(x))).toBe(parseStrictNumber(String(x)));
    }));
    for (const bad of ['70MB', '1e9M', 'M', '1.5 B x', '1,5B', '']) expect(parseSizeNumber(bad)).toBeNaN();
  });
});

describe('one command per format, no config', () => {
  const fits: Record<string, number[]> = {};
  const cases: [string, string[]][] = [
    ['wandb', [join(dir, 'wandb.csv')]],
    ['tsv', [join(dir, 'runs.tsv'), '--map', 'run_id=Name']],
    ['jsonl', [join(dir, 'runs.jsonl')]],
    ['trainer_state', trainerStates],
  ];
  it.each(cases)('atlas fit %s --law chinchilla', (name, args) => {
    const out = join(scratch, `fit-${name}`);
    const result = spawnSync(process.execPath, ['bin/atlas.mjs', 'fit', ...args, '--law', 'chinchilla', '--out', out, '--allow-outside'], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('chinchilla on 100 rows (5 runs)');
    const artifact = JSON.parse(readFileSync(join(out, 'coefficients.json'), 'utf8')) as { params: Record<string, { value: number }> };
    fits[name] = ['E', 'A', 'B', 'alpha', 'beta'].map((p) => artifact.params[p].value);
    if (name === 'wandb') expect(result.stderr).toContain('skipped 100 rows without a value');
  });
  it('validate takes the files positionally with --where', () => {
    const result = spawnSync(process.execPath, ['bin/atlas.mjs', 'validate', join(dir, 'runs.tsv'), '--map', 'run_id=Name', '--where', 'step > 5000',
      '--coefficients', join(scratch, 'fit-wandb', 'coefficients.json'), '--json'], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { rows: number }).rows).toBe(50);
  });
  it('the four fits agree', () => {
    for (const name of ['tsv', 'jsonl', 'trainer_state']) {
      fits.wandb.forEach((value, k) => expect(fits[name][k]).toBeCloseTo(value, 6));
    }
  });
});

