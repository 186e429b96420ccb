/**
 * Ingest (SPEC §1): parsing, defaults, column maps, filters, and every rejection rule, each with a
 * check that `atlas ingest --out` wrote nothing.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestCommand } from '../pipeline/commands/ingest.ts';
import {
  ingestFiles, ingestText, parseFilter, parseMapFlags, parseMixture, parseSourceExpression, parseStrictNumber,
  summarize, toNormalizedCsv, MAX_PROBLEMS,
} from '../pipeline/ingest/ingest.ts';
import { InputError } from '../pipeline/io/types.ts';
import { problemsOf, problemsOfAsync } from './helpers/problems.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'ingest');
const tmp = mkdtempSync(join(tmpdir(), 'atlas-ingest-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HEADER = 'run_id,params,tokens,loss';

describe('parsing', () => {
  it('reads BOM, CRLF, quoted commas/quotes/newlines with real line numbers', async () => {
    const table = await ingestFiles([join(fixtures, 'bom_crlf_quoted.csv')]);
    expect(table.rows).toBe(4);
    expect(table.runId).toEqual(['run-a', 'run-a', 'run,b', 'run,b']);
    // Line 3 holds a quoted field that continues on line 4, so the next record starts on line 5.
    expect(Array.from(table.line)).toEqual([2, 3, 5, 6]);
    expect(Array.from(table.params)).toEqual([1e7, 1e7, 3e7, 3e7]);
    expect(table.evalLang).toEqual(['en', 'en', 'fr', 'en']);
    // One shared Mixture per distinct mixture; canonical key with languages sorted.
    expect(table.mixture[2]).toBe(table.mixture[3]);
    expect(table.mixture[2].key).toBe('en:0.5;fr:0.5');
    expect(table.mixture[0].key).toBe('en:1');
    expect(Array.from(table.step)).toEqual([100, 200, 100, 100]);
  });

  it('gives the same table from text and from a file', async () => {
    const text = 'run_id,params,tokens,loss\nr1,1e6,1e9,3\nr1,1e6,2e9,2.5\n';
    const path = join(tmp, 'same.csv');
    writeFileSync(path, text);
    const a = ingestText(text, path);
    const b = await ingestFiles([path]);
    expect(toNormalizedCsv(a)).toBe(toNormalizedCsv(b));
    expect(a.sources[0].sha256).toBe(b.sources[0].sha256);
  });

  it('switches from the plain path to csv-parse mid-file (quotes only after the first chunks)', async () => {
    const plain = Array.from({ length: 40_000 }, (_, i) => `run${i},1e6,${1e9 + i},3.${i % 10}1,padding-padding-padding`);
    const text = `${HEADER},note\n${plain.join('\n')}\nq,1e6,1e9,3,"multi\r\nline, quoted"\nlast,1e6,1e9,2.5,x\nbad,1e6,1e9,oops,y\n`;
    expect(text.length).toBeGreaterThan(2 << 20);
    const path = join(tmp, 'switch.csv');
    writeFileSync(path, text);
    const problems = await problemsOfAsync(() => ingestFiles([path]));
    // header 1, plain rows 2..40001, quoted row 40002-40003, last 40004, bad 40005
    expect(problems).toEqual([`${path}:40005: loss: not a number: "oops"`]);
    writeFileSync(path, text.replace('oops', '2.4'));
    const table = await ingestFiles([path]);
    expect(table.rows).toBe(40_003);
    expect(Array.from(table.line.subarray(39_998))).toEqual([40_000, 40_001, 40_002, 40_004, 40_005]);
    expect(toNormalizedCsv(table)).toBe(toNormalizedCsv(ingestText(text.replace('oops', '2.4'), path)));
  });

  it('counts skipped empty lines in line numbers, on both the plain and the quoted path', () => {
    const plain = `${HEADER}\n\nr,1,1,1\n\n\nr,1,2,x\n`;
    expect(problemsOf(() => ingestText(plain, 'e.csv'))).toEqual(['e.csv:6: loss: not a number: "x"']);
    const quoted = `${HEADER}\r\n\r\n"r",1,1,1\r\n\r\n\r\n"r",1,2,x\r\n`;
    expect(problemsOf(() => ingestText(quoted, 'e.csv'))).toEqual(['e.csv:6: loss: not a number: "x"']);
  });

  it('reports the line of a bad cell after quoted multi-line fields', () => {
    const text = `${HEADER},note\nr1,1,1,1,"a\nb\nc"\nr2,1,1,oops,x\n`;
    expect(problemsOf(() => ingestText(text, 'q.csv'))).toEqual(['q.csv:5: loss: not a number: "oops"']);
  });

  it('applies SPEC defaults: eval_lang und, mixture <eval_lang>:1, flops 6ND, kind pretrain', () => {
    const t = ingestText(`${HEADER}\nr,2,3,1.5\n`, 'd.csv');
    expect(t.evalLang[0]).toBe('und');
    expect(t.mixture[0].key).toBe('und:1');
    expect(t.flops[0]).toBe(6 * 2 * 3);
    expect(t.kind[0]).toBe('pretrain');
    expect(t.split[0]).toBeNull();
    expect(Number.isNaN(t.step[0])).toBe(true);
    expect(t.uniqueTokens[0].size).toBe(0);
  });

  it('resolves unique tokens: number, lang:count list, languages table, unlimited', () => {
    const text = `${HEADER},eval_lang,mixture,unique_tokens\n`
      + 'a,1,1,1,en,en:1,7e6\n'
      + 'b,1,1,1,en,en:0.5;fr:0.5,en:1e6;fr:2e6\n'
      + 'c,1,1,1,fr,fr:1,\n'
      + 'd,1,1,1,de,de:1,\n';
    const t = ingestText(text, 'u.csv', { languages: join(fixtures, 'languages.csv') });
    expect(t.uniqueTokens[0].get('en')).toBe(7e6);
    expect(t.uniqueTokens[0].get('fr')).toBe(2e8); // others from the table
    expect(t.uniqueTokens[1].get('en')).toBe(1e6);
    expect(t.uniqueTokens[1].get('fr')).toBe(2e6);
    expect(t.uniqueTokens[2].get('fr')).toBe(2e8);
    expect(t.uniqueTokens[3].has('de')).toBe(false); // empty in the table: unlimited
    expect(t.languages.get('de')?.family).toBe('Germanic');
  });

  it('maps columns with scales, composites and value rewrites', () => {
    const text = 'name,N,D_billions,L,kind,seed\nx,1e8,1.5,3,multi,1\nx,1e8,3,2.9,ft,1\n';
    const t = ingestText(text, 'm.csv', {
      map: { run_id: 'name+seed', params: 'N', tokens: 'D_billions*1e9', loss: 'L' },
      values: { kind: { multi: 'pretrain', ft: 'finetune' } },
    });
    expect(Array.from(t.tokens)).toEqual([1.5e9, 3e9]);
    expect(t.runId[0]).toBe('x/1');
    expect(t.kind).toEqual(['pretrain', 'finetune']);
    const withLine = ingestText(text, 'm.csv', { map: { run_id: 'name+@line', params: 'N', tokens: 'D_billions/1e-9', loss: 'L' }, values: { kind: { multi: 'pretrain', ft: 'finetune' } } });
    expect(withLine.runId).toEqual(['x/2', 'x/3']);
    expect(withLine.tokens[0]).toBeCloseTo(1.5e9, -1);
  });

  it('parses source expressions and map flags', () => {
    expect(parseSourceExpression('D*1e9', ['D'])).toEqual({ column: 'D', factor: 1e9 });
    expect(parseSourceExpression('D / 1000 * 2', ['D'])).toEqual({ column: 'D', factor: 0.002 });
    expect(parseSourceExpression('a*b', ['a*b'])).toEqual({ column: 'a*b', factor: 1 });
    expect(parseSourceExpression('D*x', ['D'])).toMatch(/not a numeric constant/);
    expect(parseSourceExpression('E*2', ['D'])).toMatch(/unknown column "E"/);
    expect(parseSourceExpression('D/0', ['D'])).toMatch(/division by zero/);
    expect(parseMapFlags(['params=N_params', 'tokens = D*1e9'])).toEqual({ params: 'N_params', tokens: 'D*1e9' });
    expect(problemsOf(() => parseMapFlags(['params']))[0]).toMatch(/^--map: expected TARGET=SOURCE/);
    expect(problemsOf(() => parseMapFlags(['bogus=x']))[0]).toMatch(/^--map: unknown target column "bogus"/);
  });

  it('filters rows on source columns before validating them, and counts drops per filter', () => {
    const text = 'run_id,params,tokens,loss,step,kind\nr,1,0,5.5,0,pretrain\nr,1,10,3,10,pretrain\nr,1,20,2.9,20,finetune\n';
    // The step-0 row has tokens 0 (invalid) but is dropped first.
    const t = ingestText(text, 'f.csv', { where: ['step > 0', 'kind != finetune'] });
    expect(t.rows).toBe(1);
    expect(summarize(t).filters).toEqual([{ filter: 'step > 0', dropped: 1 }, { filter: 'kind != finetune', dropped: 1 }]);
    expect(parseFilter('a >= 1e3')).toMatchObject({ column: 'a', op: '>=', number: 1000 });
    expect(parseFilter('kind == "pre train"')).toMatchObject({ value: 'pre train' });
    expect(parseFilter('kind > x')).toMatch(/needs a number/);
    expect(parseFilter('nothing')).toMatch(/expected COLUMN OP VALUE/);
    expect(problemsOf(() => ingestText(text, 'f.csv', { where: ['nope > 1'] }))[0]).toBe(
      'f.csv:1: nope: where "nope > 1": unknown column (columns: run_id, params, tokens, loss, step, kind)');
    expect(problemsOf(() => ingestText('run_id,params,tokens,loss,step\nr,1,1,1,x\n', 'f.csv', { where: ['step > 0'] }))).toEqual(
      ['f.csv:2: step: where "step > 0": not a number: "x"']);
    // An empty cell fails a numeric comparison: dropped and counted.
    const empty = ingestText('run_id,params,tokens,loss,step\nr,1,1,1,\nr,1,2,1,5\n', 'f.csv', { where: ['step != 0'] });
    expect(empty.rows).toBe(1);
    expect(summarize(empty).filters).toEqual([{ filter: 'step != 0', dropped: 1 }]);
  });

  it('collapses identical duplicates and renormalises mixtures within a widened tolerance', () => {
    const text = `${HEADER},mixture\nr,1,1,2,a:0.33333;b:0.33333;c:0.33333\nr,1,1,2,a:0.33333;b:0.33333;c:0.33333\n`;
    expect(problemsOf(() => ingestText(text, 'w.csv'))[0]).toMatch(/^w\.csv:2: mixture: mixture weights sum to 0\.99999, not 1/);
    const t = ingestText(text, 'w.csv', { mixtureTolerance: 5e-5 });
    expect(t.rows).toBe(1);
    expect(summarize(t).duplicates_collapsed).toBe(1);
    const sum = t.mixture[0].weights.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
  });

  it('ignores unnamed columns (a pandas index column, a trailing comma)', () => {
    const t = ingestText(',run_id,params,tokens,loss,\n0,r,1,2,3,\n1,r,1,4,2,\n', 'pd.csv');
    expect(t.rows).toBe(2);
    expect(Array.from(t.tokens)).toEqual([2, 4]);
  });

  it('parses numbers strictly', () => {
    for (const good of ['1', '-2.5', '.5', '5.', '1e9', '1.6E+08', ' 3 ']) expect(Number.isFinite(parseStrictNumber(good))).toBe(true);
    for (const bad of ['', '1.6e8x', 'NaN', 'Infinity', '-inf', '0x10', '1,000', '1e', 'e5', '--1', '1_000']) expect(parseStrictNumber(bad)).toBeNaN();
    expect(parseStrictNumber('1e999')).toBe(Infinity);
    expect(parseMixture('en:0.5;fr:0.5')).toEqual({ langs: ['en', 'fr'], weights: [0.5, 0.5] });
  });

  it('summarises rows, runs, languages, ranges and files', () => {
    const t = ingestText('run_id,params,tokens,loss,eval_lang\na,1e6,1e9,3,en\na,1e6,2e9,2.9,fr\nb,4e6,1e9,2.8,en\n', 's.csv');
    const s = summarize(t);
    expect(s).toMatchObject({ rows: 3, runs: 2, languages: ['en', 'fr'], params: { min: 1e6, max: 4e6, distinct: 2 }, tokens: { min: 1e9, max: 2e9 } });
    expect(s.files[0]).toMatchObject({ path: 's.csv', rows: 3 });
    expect(s.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips the normalised CSV', () => {
    const table = ingestText(`${HEADER},eval_lang,mixture,unique_tokens,kind,base_run,base_tokens,step,seed,flops,split\n`
      + '"a,1",1e6,1e9,3,en,en:0.25;fr:0.75,en:5;fr:6,finetune,b,100,3,s1,7e15,heldout\n'
      + 'b,2e6,1e9,2.5,fr,fr:1,,pretrain,,,,,,train\n', 'rt.csv');
    const again = ingestText(toNormalizedCsv(table), 'rt2.csv');
    expect(toNormalizedCsv(again)).toBe(toNormalizedCsv(table));
    expect(again.uniqueTokens[0].get('fr')).toBe(6);
    expect(again.split).toEqual(['heldout', 'train']);
  });
});

/** One malformed log per SPEC §1 rejection rule, with the message expected for it. */
const REJECTIONS: { rule: string; text: string; expected: RegExp; options?: Record<string, unknown> }[] = [
  { rule: 'empty file', text: '', expected: /^bad\.csv:1: \(file\): empty file/ },
  { rule: 'no data rows', text: `${HEADER}\n`, expected: /^bad\.csv:2: \(file\): no data rows/ },
  { rule: 'missing required column', text: 'run_id,params,loss\nr,1,1\n', expected: /^bad\.csv:1: tokens: missing required column/ },
  { rule: 'non-numeric number', text: `${HEADER}\nr,1.6e8x,1,1\n`, expected: /^bad\.csv:2: params: not a number: "1\.6e8x"/ },
  { rule: '-inf', text: `${HEADER}\nr,1,-inf,1\n`, expected: /^bad\.csv:2: tokens: not a number: "-inf"/ },
  { rule: 'NaN', text: `${HEADER}\nr,1,1,NaN\n`, expected: /^bad\.csv:2: loss: not a number: "NaN"/ },
  { rule: 'Infinity', text: `${HEADER}\nr,Infinity,1,1\n`, expected: /^bad\.csv:2: params: not a number/ },
  { rule: 'overflow', text: `${HEADER}\nr,1e999,1,1\n`, expected: /^bad\.csv:2: params: not a finite number/ },
  { rule: 'empty required cell', text: `${HEADER}\nr,1,,1\n`, expected: /^bad\.csv:2: tokens: empty/ },
  { rule: 'empty run id', text: `${HEADER}\n,1,1,1\n`, expected: /^bad\.csv:2: run_id: empty/ },
  { rule: 'loss <= 0', text: `${HEADER}\nr,1,1,0\n`, expected: /^bad\.csv:2: loss: must be > 0, got 0/ },
  { rule: 'params <= 0', text: `${HEADER}\nr,-5,1,1\n`, expected: /^bad\.csv:2: params: must be > 0/ },
  { rule: 'tokens <= 0', text: `${HEADER}\nr,1,0,1\n`, expected: /^bad\.csv:2: tokens: must be > 0/ },
  { rule: 'malformed mixture', text: `${HEADER},mixture\nr,1,1,1,en=1\n`, expected: /^bad\.csv:2: mixture: malformed mixture "en=1"/ },
  { rule: 'mixture weight not a number', text: `${HEADER},mixture\nr,1,1,1,en:x;fr:1\n`, expected: /^bad\.csv:2: mixture: malformed mixture .*weight of en is not a number/ },
  { rule: 'mixture repeated language', text: `${HEADER},mixture\nr,1,1,1,en:0.5;en:0.5\n`, expected: /appears twice/ },
  { rule: 'weights not summing to 1', text: `${HEADER},mixture\nr,1,1,1,en:0.5;fr:0.4\n`, expected: /^bad\.csv:2: mixture: mixture weights sum to 0\.9, not 1/ },
  { rule: 'zero weight', text: `${HEADER},mixture\nr,1,1,1,en:0;fr:1\n`, expected: /weight of en must be > 0/ },
  { rule: 'duplicate with a different loss', text: `${HEADER},eval_lang\nr,1,5,1,en\nr,1,5,2,en\n`, expected: /^bad\.csv:3: loss: duplicate of line 2 \(run_id r, tokens 5, eval_lang en\) with a different loss/ },
  { rule: 'unknown column in --map', text: `${HEADER}\nr,1,1,1\n`, options: { map: { tokens: 'D_billions*1e9' } }, expected: /^bad\.csv:1: tokens: --map tokens=D_billions\*1e9: unknown column "D_billions"/ },
  { rule: 'bad kind', text: `${HEADER},kind\nr,1,1,1,mono\n`, expected: /^bad\.csv:2: kind: must be pretrain or finetune, got "mono"/ },
  { rule: 'bad split', text: `${HEADER},split\nr,1,1,1,test\n`, expected: /^bad\.csv:2: split: must be train or heldout, got "test"/ },
  { rule: 'unique_tokens malformed', text: `${HEADER},unique_tokens\nr,1,1,1,en-5\n`, expected: /^bad\.csv:2: unique_tokens: malformed unique_tokens "en-5"/ },
  { rule: 'unique_tokens number with several languages', text: `${HEADER},mixture,unique_tokens\nr,1,1,1,en:0.5;fr:0.5,5\n`, expected: /a single number needs a one-language mixture/ },
  { rule: 'unique_tokens not positive', text: `${HEADER},unique_tokens\nr,1,1,1,-3\n`, expected: /unique_tokens: must be > 0/ },
  { rule: 'wrong number of fields', text: `${HEADER}\nr,1,1\n`, expected: /^bad\.csv:2: \(row\): has 3 fields, the header has 4/ },
  { rule: 'duplicate header', text: 'run_id,params,tokens,loss,loss\nr,1,1,1,1\n', expected: /^bad\.csv:1: loss: column appears twice/ },
  { rule: 'unclosed quote', text: `${HEADER}\nr,1,1,1\n"r,1,1,1\n`, expected: /^bad\.csv:3: csv: / },
  { rule: 'languages table with bad numbers', text: `${HEADER}\nr,1,1,1\n`, options: { languages: 'LANGS' }, expected: /^.*langs\.csv:3: unique_tokens: not a number: "lots"/ },
  { rule: 'negative step', text: `${HEADER},step\nr,1,1,1,-1\n`, expected: /^bad\.csv:2: step: must be ≥ 0/ },
  { rule: 'bad flops', text: `${HEADER},flops\nr,1,1,1,0\n`, expected: /^bad\.csv:2: flops: must be > 0/ },
];

describe('rejection rules (exit 2, every problem listed, --out writes nothing)', () => {
  const langs = join(tmp, 'langs.csv');
  writeFileSync(langs, 'lang,unique_tokens\nen,5\nfr,lots\n');

  for (const { rule, text, expected, options } of REJECTIONS) {
    it(rule, async () => {
      const dir = mkdtempSync(join(tmp, 'rule-'));
      const file = join(dir, 'bad.csv');
      writeFileSync(file, text);
      const resolved = options?.languages === 'LANGS' ? { ...options, languages: langs } : options;
      const problems = problemsOf(() => ingestText(text, 'bad.csv', resolved));
      expect(problems.join('\n')).toMatch(expected);
      // The command: InputError (exit 2) and no output file.
      const out = join(dir, 'out.csv');
      const map = resolved?.map ? Object.entries(resolved.map as Record<string, string>).map(([k, v]) => `${k}=${v}`) : undefined;
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        await expect(ingestCommand.handler({ files: ['bad.csv'], out: 'out.csv', map, languages: resolved?.languages as string | undefined, _: [], $0: 'atlas' } as never)).rejects.toBeInstanceOf(InputError);
      } finally {
        process.chdir(cwd);
      }
      expect(existsSync(out)).toBe(false);
    });
  }

  it('lists every problem, capped with a count of the rest', () => {
    const rows = Array.from({ length: 120 }, (_, i) => `r${i},x,1,1`).join('\n');
    const problems = problemsOf(() => ingestText(`${HEADER}\n${rows}\n`, 'many.csv'));
    expect(problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(problems[0]).toBe('many.csv:2: params: not a number: "x"');
    expect(problems[MAX_PROBLEMS]).toBe(`… and ${120 - MAX_PROBLEMS} more problems (120 in all)`);
  });

  it('lists problems in line order, duplicates among the row problems', () => {
    const text = `${HEADER}\nr,1,5,1\nr,1,5,2\nr,1,6,x\n`;
    expect(problemsOf(() => ingestText(text, 'o.csv'))).toEqual([
      expect.stringMatching(/^o\.csv:3: loss: duplicate of line 2/),
      'o.csv:4: loss: not a number: "x"',
    ]);
  });

  it('lists problems of several files together, each with its file', async () => {
    const a = join(tmp, 'a.csv');
    const b = join(tmp, 'b.csv');
    writeFileSync(a, `${HEADER}\nr,1,1,0\n`);
    writeFileSync(b, `${HEADER}\nr,1,1,x\n`);
    const problems = await problemsOfAsync(() => ingestFiles([a, b]));
    expect(problems).toEqual([`${a}:2: loss: must be > 0, got 0`, `${b}:2: loss: not a number: "x"`]);
    expect(await problemsOfAsync(() => ingestFiles([join(tmp, 'missing.csv')]))).toEqual([`${join(tmp, 'missing.csv')}: cannot read (ENOENT)`]);
  });
});
