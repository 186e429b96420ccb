/**
 * Fuzz: malformed CSV and YAML thrown at ingest and config loading never crash; the only
 * failure is an InputError whose every message carries `FILE:LINE:` (or `FILE:` for unreadable
 * files). At the CLI level, a handful of spawned `atlas ingest` runs exit 2 with such messages
 * and no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../pipeline/config/load.ts';
import { ingestFiles, ingestText, MAX_PROBLEMS } from '../pipeline/ingest/ingest.ts';
import { InputError } from '../pipeline/io/types.ts';

const root = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'atlas-ingest-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run `fn`; it may succeed or throw an InputError whose messages all start with `file:LINE:`. */
function onlyInputErrors(file: string, fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const tail = /^… and \d+ more problems/;
    for (const problem of error.problems) {
      if (tail.test(problem)) continue;
      expect(problem.startsWith(`${file}:`), problem).toBe(true);
      expect(problem, problem).toMatch(/^[^:]+:\d+: /);
    }
    expect(error.problems.length).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
  }
}

const cell = fc.oneof(
  fc.constantFrom('', '1', '-1', '0', '1e9', 'NaN', 'inf', 'x', '"', '""', '"a,b"', 'en:1', 'en:0.5;fr:0.5', 'en:', ':1', ';', 'finetune', 'heldout', '\r', '\n', '\uFEFF'),
  fc.string({ maxLength: 6 }),
);
const header = fc.shuffledSubarray(['run_id', 'params', 'tokens', 'loss', 'eval_lang', 'mixture', 'unique_tokens', 'kind', 'split', 'step', 'flops', 'base_tokens', 'x'], { minLength: 0 });
const csvArb = fc.tuple(header, fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([cols, rows, eol, bom]) => (bom ? '\uFEFF' : '') + [cols.join(','), ...rows.map((r) => r.join(','))].join(eol));

describe('fuzz', () => {
  it('malformed CSV: ingest returns a table or an InputError with file:line messages', () => {
    fc.assert(fc.property(csvArb, (text) => onlyInputErrors('fuzz.csv', () => ingestText(text, 'fuzz.csv'))), { numRuns: 400 });
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => onlyInputErrors('raw.csv', () => ingestText(text, 'raw.csv'))), { numRuns: 300 });
  });

  it('malformed CSV through the streaming reader', async () => {
    await fc.assert(fc.asyncProperty(csvArb, async (text) => {
      const path = join(tmp, 'fuzz.csv');
      writeFileSync(path, text);
      try {
        await ingestFiles([path]);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        for (const problem of error.problems) if (!/^… and/.test(problem)) expect(problem.startsWith(`${path}:`), problem).toBe(true);
      }
    }), { numRuns: 60 });
  });

  it('malformed YAML: config loading returns a config or an InputError with file:line messages', () => {
    const key = fc.constantFrom('law', 'data', 'fit', 'where', 'holdout', 'columns', 'values', 'mixture_tolerance', 'delta', 'objective', 'starts', 'fix', 'bogus', '- ', '? ', '&a', '*a', '!!str');
    const value = fc.constantFrom('', 'chinchilla', '1e-3', '-1', '[', ']', '{', '}', '[a, b]', '{objective: lsq}', '"unterminated', "'x'", 'null', '~', 'true', 'step > 0', '../x.csv', '|', '>', '*b', '&b 1', 'exp(1)', ':');
    const lineArb = fc.tuple(fc.constantFrom('', '  ', '    ', '\t'), key, fc.constantFrom(': ', ':', ' ', ''), value).map((parts) => parts.join(''));
    const yamlArb = fc.oneof(fc.array(lineArb, { maxLength: 8 }).map((lines) => lines.join('\n')), fc.string({ maxLength: 80 }));
    fc.assert(fc.property(yamlArb, (text) => onlyInputErrors('fuzz.yaml', () => parseConfig(text, 'fuzz.yaml'))), { numRuns: 500 });
  });
});

describe('atlas ingest (spawned CLI)', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'atlas.mjs'), 'ingest', ...args], { cwd: tmp, encoding: 'utf8' });

  const cases: { name: string; text: string; message: RegExp }[] = [
    { name: 'number', text: 'run_id,params,tokens,loss\nr,1.6e8x,1,1\n', message: /^number\.csv:2: params: not a number: "1\.6e8x"$/m },
  ];
  for (const { name, text, message } of cases) {
    it(`exits 2 with FILE:LINE messages and writes nothing (${name})`, () => {
      writeFileSync(join(tmp, `${name}.csv`), text);
      const result = run([`${name}.csv`, '--out', `${name}-out.csv`]);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(tmp, `${name}-out.csv`))).toBe(false);
    });
  }

  it('exits 0 with a JSON summary on stdout and the normalised CSV written', () => {
    writeFileSync(join(tmp, 'ok.csv'), 'run_id,N,D,loss\nr,1e6,1e9,3\nr,1e6,2e9,2.5\n');
    // --map takes one value each, so a file may follow it.
    const result = run(['--map', 'params=N', 'ok.csv', '--map', 'tokens=D', '--json', '--out', 'ok-out.csv']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 2, runs: 1, tokens: { min: 1e9, max: 2e9 } });
    expect(result.stderr).toMatch(/^wrote ok-out\.csv \(2 rows\)$/m);
    // Without --json the summary is the result, on stdout.
    expect(run(['--map', 'params=N', 'ok.csv', '--map', 'tokens=D']).stdout).toMatch(/^rows 2, runs 1/m);
    expect(existsSync(join(tmp, 'ok-out.csv'))).toBe(true);
  });

  it('exits 2 for a bad config value, naming file, line and key', () => {
    writeFileSync(join(tmp, 'c.yaml'), 'data: [ok.csv]\nfit:\n  delta: abc\n');
    const bad = run(['--config', 'c.yaml']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^c\.yaml:3: fit\.delta: expected a number, got "abc"$/m);
  });
});
