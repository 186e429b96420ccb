/**
 * Hostile and careless input, one class at a time (the robustness review's cases): output paths
 * outside the working directory, folders atlas did not write, built-in property names, limits
 * on fit options, option values parsed like cells, conflicting rows, YAML bombs, unclosed quotes,
 * long cells, and the sweep folder lock. Table cases run the command line in process (exit code
 * and message); fast-check properties cover the parsers and checks underneath.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilter, parseStrictNumber, showCell } from '../pipeline/ingest/expressions.ts';
import { fitOptionsFromArgs } from '../pipeline/commands/common.ts';
import { outputPath } from '../pipeline/io/paths.ts';
import { getLaw } from '../pipeline/laws/index.ts';
import { InputError } from '../pipeline/io/types.ts';
import { chinchillaCsv } from './sweep_helpers.ts';
import { runAtlas } from './helpers/command.ts';

const atlas = (...argv: string[]) => runAtlas(argv);

const scratch = mkdtempSync(join(tmpdir(), 'atlas-robust-'));
const work = join(scratch, 'work');
const cwd = process.cwd();

beforeAll(() => {
  mkdirSync(join(scratch, 'somewhere', 'chinchilla'), { recursive: true });
  writeFileSync(join(scratch, 'somewhere', 'chinchilla', 'notes.txt'), 'keep me\n');
  mkdirSync(work, { recursive: true });
  process.chdir(work);
  writeFileSync('runs.csv', chinchillaCsv());
  writeFileSync(join(scratch, 'outside.csv'), chinchillaCsv());
  writeFileSync('afile', 'a file\n');
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(scratch, { recursive: true, force: true });
});


const FIT = ['fit', '--data', 'runs.csv', '--law', 'chinchilla', '--starts', 'init'];

/** The regular expression parseStrictNumber replaced (it backtracks on long digit runs). */
const OLD_NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

describe('numbers and messages', () => {
  it('parseStrictNumber accepts exactly what the old regular expression accepted', () => {
    const piece = fc.constantFrom('1', '0', '9', '.', 'e', 'E', '+', '-', ' ', '\t', 'x', '0x', 'inf', '_', ',');
    fc.assert(fc.property(fc.array(piece, { maxLength: 10 }).map((p) => p.join('')), (text) => {
      const expected = OLD_NUMBER.test(text) ? Number(text) : Number.NaN;
      expect(Object.is(parseStrictNumber(text), expected)).toBe(true);
    }), { numRuns: 3000 });
  });

  it('rejects an 80,000-digit cell followed by x (one pass: the old form took half a minute)', () => {
    expect(parseStrictNumber(`${'1'.repeat(80_000)}x`)).toBeNaN();
    expect(parseStrictNumber('1'.repeat(80_000))).toBe(Number('1'.repeat(80_000)));
    expect(parseFilter(`params > ${'1'.repeat(50_000)}x`)).toMatch(/needs a number/);
  });

  it('quotes user text in messages at bounded length', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (text) => {
      expect(showCell(text).length).toBeLessThan(140);
      const filter = parseFilter(text);
      if (typeof filter === 'string') expect(filter.length).toBeLessThan(400);
    }), { numRuns: 500 });
  });

  it('parses row filters as the old lazy expression did', () => {
    const OLD = /^\s*(.+?)\s*(==|!=|<=|>=|<|>)\s*(.*?)\s*$/;
    const piece = fc.constantFrom('step', ' ', '>', '<', '=', '!', '0', '1e3', '"a"', "'b'", 'x');
    fc.assert(fc.property(fc.array(piece, { maxLength: 8 }).map((p) => p.join('')), (text) => {
      const old = OLD.exec(text);
      const now = parseFilter(text);
      if (!old) expect(typeof now).toBe('string');
      // (when the old form matched, the value check may still refuse it)
      else if (typeof now !== 'string') expect([now.column, now.op]).toEqual([old[1], old[2]]);
    }), { numRuns: 3000 });
  });
});

describe('names and option values', () => {
  it('only own laws are laws (`__proto__`, `constructor`, `toString` are not)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'chinchilla')), (name) => {
      try {
        expect(typeof getLaw(name).context).toBe('function');
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).message).toMatch(/known: atlas, chinchilla/);
      }
    }));
  });

  it('--fix/--init/--tie keep only own, ordinary names and decimal numbers', () => {
    const name = fc.constantFrom('E', 'alpha', '__proto__', 'constructor', 'toString', '', ' ');
    const value = fc.constantFrom('1', '0x10', '1e400', 'abc', '-.5', 'Infinity', '', 'alpha', '__proto__');
    fc.assert(fc.property(fc.constantFrom('fix', 'init', 'tie'), fc.array(fc.tuple(name, value).map(([n, v]) => `${n}=${v}`), { maxLength: 3 }), (flag, items) => {
      let options;
      try {
        options = fitOptionsFromArgs({ [flag]: items });
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return;
      }
      const map = (options as Record<string, Record<string, unknown>>)[flag];
      for (const key of Object.keys(map)) {
        expect(['__proto__', 'constructor', 'toString']).not.toContain(key);
        if (flag !== 'tie') expect(Number.isFinite(map[key])).toBe(true);
      }
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    }));
  });

  it('output paths are inside the working directory, or refused', () => {
    const part = fc.constantFrom('..', '.', 'a', 'afile', '', ' ', '/', resolve('/tmp'), 'b');
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join('/')), fc.constantFrom('file', 'folder') as fc.Arbitrary<'file' | 'folder'>, (p, kind) => {
      try {
        const abs = outputPath(p, kind);
        expect(abs === work || abs.startsWith(`${work}/`)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
      }
    }), { numRuns: 500 });
  });
});

describe('command line: every class of bad input is exit 2 with a clear message', () => {
  const files: Record<string, string> = {
    'twoparams.csv': 'run_id,params,tokens,loss\nr1,1e8,1e9,3.1\nr1,2e8,2e9,3.0\n',
    'dangling.csv': 'run_id,params,tokens,loss,kind,base_run,base_tokens\nr1,1e8,1e9,3.1,pretrain,,\nf1,1e8,2e9,3.0,finetune,nope,1e9\n',
    'quote.csv': `run_id,params,tokens,loss\n${[1, 2, 3].map((i) => `r${i},1e8,${i}e9,3.1\n`).join('')}"r4,1e8,4e9,3.0\n${Array.from({ length: 26 }, (_, k) => `r${k + 5},1e8,${k + 5}e9,3.1\n`).join('')}`,
    'long.csv': `run_id,params,tokens,loss\nr1,${'1'.repeat(80_000)}x,1e9,2.5\n`,
    'proto.yaml': 'data: [runs.csv]\ncolumns:\n  __proto__: params\n',
    'threads.yaml': 'data: [runs.csv]\nlaw: chinchilla\nfit: { starts: 8, threads: 10000 }\n',
    'starts.yaml': 'data: [runs.csv]\nlaw: chinchilla\nfit: { starts: 100000000, bootstrap: 100000000 }\n',
    'badlaw.yaml': 'data: [runs.csv]\nlaw: chinchila\n',
    'bomb.yaml': ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`), 'sweep: bomb', 'data: [runs.csv]', 'law: chinchilla', ''].join('\n'),
    'outside.yaml': 'sweep: s\nout: ../somewhere\ndata: [runs.csv]\nlaw: chinchilla\nfit: { starts: init }\n',
    'reads.yaml': 'sweep: s\ndata: [../outside.csv]\nlaw: chinchilla\nfit: { starts: init }\n',
    'sweeplaw.yaml': 'sweep: s\ndata: [runs.csv]\nfit: { starts: init }\nmatrix:\n  law: [chinchilla, chinchila]\n',
  };
  beforeAll(() => {
    for (const [name, text] of Object.entries(files)) writeFileSync(name, text);
  });

  const cases: [string, string[], RegExp][] = [
    ['empty --out', [...FIT, '--out', ''], /^--out: empty path/],
    ['--out leaving the working directory', [...FIT, '--out', '../elsewhere'], /--out: "\.\.\/elsewhere" leaves the working directory/],
    ['absolute --out elsewhere', [...FIT, '--out', join(scratch, 'abs')], /is outside the working directory/],
    ['--out naming a file', [...FIT, '--out', 'afile'], /afile is an existing file, not a folder/],
    ['--law __proto__', ['fit', '--data', 'runs.csv', '--law', '__proto__', '--out', 'l'], /--law: unknown law "__proto__" \(known: atlas, chinchilla/],
    ['--law constructor', ['fit', '--data', 'runs.csv', '--law', 'constructor', '--out', 'l'], /unknown law "constructor"/],
    ['--law toString', ['fit', '--data', 'runs.csv', '--law', 'toString', '--out', 'l'], /unknown law "toString"/],
    ['--max-iterations 0', [...FIT, '--max-iterations', '0'], /--max-iterations: expected a whole number from 1/],
    ['--max-iterations -1', [...FIT, '--max-iterations', '-1'], /--max-iterations: expected a whole number/],
    ['--max-iterations 1.5', [...FIT, '--max-iterations', '1.5'], /--max-iterations: expected a whole number/],
    ['--max-iterations abc', [...FIT, '--max-iterations', 'abc'], /--max-iterations: expected a number/],
    ['--delta 1e400', [...FIT, '--delta', '1e400'], /--delta: expected a finite number > 0/],
    ['--fix E=0x10', [...FIT, '--fix', 'E=0x10'], /--fix: E: "0x10" is not a finite decimal number/],
    ['--fix __proto__=1', [...FIT, '--fix', '__proto__=1'], /--fix: "__proto__" cannot be used as a name/],
    ['--init constructor=1', [...FIT, '--init', 'constructor=1'], /--init: "constructor" cannot be used/],
    ['--tie __proto__=alpha', [...FIT, '--tie', '__proto__=alpha'], /--tie: "__proto__" cannot be used/],
    ['--starts 0x10', ['fit', '--data', 'runs.csv', '--law', 'chinchilla', '--starts', '0x10'], /--starts: expected grid, init or a whole number/],
    ['--bootstrap 1e9', [...FIT, '--bootstrap', '1e9'], /--bootstrap: expected a whole number from 0 to 100000/],
    ['--map __proto__=params', ['ingest', 'runs.csv', '--map', '__proto__=params'], /--map: unknown target column "__proto__"/],
    ['columns: { __proto__ }', ['ingest', '--config', 'proto.yaml'], /proto\.yaml:3: __proto__: "__proto__" cannot be used as a name/],
    ['fit.threads: 10000', ['fit', '--config', 'threads.yaml', '--out', 't'], /threads\.yaml:3: fit\.threads: must be ≤ \d+/],
    ['fit.starts and bootstrap past their limits', ['fit', '--config', 'starts.yaml', '--out', 't'], /starts\.yaml:3: fit\.(starts|bootstrap)/],
    ['a bad law: in a config', ['fit', '--config', 'badlaw.yaml', '--out', 'b'], /^badlaw\.yaml:2: law: unknown law "chinchila"/],
    ['one run_id with two params', ['ingest', 'twoparams.csv'], /twoparams\.csv:3: params: run "r1" has params 100000000 on line 2 and 200000000 here/],
    ['base_run naming no run', ['ingest', 'dangling.csv'], /dangling\.csv:3: base_run: "nope" names no run/],
    ['unterminated quote', ['ingest', 'quote.csv'], /^quote\.csv:5: csv: a quote opened on this line is never closed/],
    ['--map with a negative scale', ['ingest', 'runs.csv', '--map', 'tokens=tokens*-1'], /runs\.csv:2: tokens: must be > 0, got -150000000 \(150000000 × -1 from the column map\)/],
    ['80,000-digit cell', ['ingest', 'long.csv'], /long\.csv:2: params: not a number: "1{57}\.\.\." \(80001 characters\)/],
    ['sweep YAML bomb', ['sweep', 'bomb.yaml'], /^bomb\.yaml:\d+: yaml: .*alias/i],
    ['missing --plugin', ['sweep', 'reads.yaml', '--plugin', 'missing.mjs'], /--plugin: cannot find the module ".*missing\.mjs"/],
    ['sweep out: outside', ['sweep', 'outside.yaml'], /outside\.yaml:2: out: "\.\.\/somewhere" leaves the working directory/],
    ['sweep data: outside', ['sweep', 'reads.yaml'], /reads\.yaml:2: data: "\.\.\/outside\.csv" leaves/],
    ['sweep law: unknown', ['sweep', 'sweeplaw.yaml', '--list'], /sweeplaw\.yaml:5: law: unknown law "chinchila"/],
  ];
  it.each(cases)('%s', async (_name, argv, message) => {
    const run = await atlas(...argv);
    expect(run.stderr, run.stderr).toMatch(message);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.stderr.split('\n')[0].length).toBeLessThan(300);
  });

  it('wrote nothing for any of them', () => {
    for (const name of ['coefficients.json', 'l', 't', 'b', 'results']) expect(existsSync(name), name).toBe(false);
    expect(readFileSync(join(scratch, 'somewhere', 'chinchilla', 'notes.txt'), 'utf8')).toBe('keep me\n');
    expect(existsSync(join(scratch, 'elsewhere'))).toBe(false);
  });
});

describe('folders atlas did not write are never replaced', () => {
  it('fit refuses a folder with a user file, replaces its own (marked or older unmarked) folders', async () => {
    mkdirSync('mine', { recursive: true });
    writeFileSync('mine/notes.txt', 'keep me\n');
    const refused = await atlas(...FIT, '--out', 'mine');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^mine: output folder exists and was not written by atlas .*choose another output folder/);
    expect(readFileSync('mine/notes.txt', 'utf8')).toBe('keep me\n');

    expect((await atlas(...FIT, '--out', 'own')).code).toBe(0);
    expect(JSON.parse(readFileSync('own/.atlas-folder.json', 'utf8'))).toMatchObject({ schema: 'atlas.folder/1', kind: 'fit' });
    expect((await atlas(...FIT, '--holdout', 'top-params:0.2', '--out', 'own')).code).toBe(0);
    rmSync('own/.atlas-folder.json'); // a folder written before the marker existed
    expect((await atlas(...FIT, '--out', 'own')).code).toBe(0);
    writeFileSync('own/notes.txt', 'mine\n');
    const extra = await atlas(...FIT, '--out', 'own');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/own: output folder holds files atlas did not write \(notes\.txt\)/);
  });

  it('sweep refuses a folder that is not a sweep folder and a job folder with a user file', async () => {
    writeFileSync('s.yaml', 'sweep: s\ndata: [runs.csv]\nlaw: chinchilla\nfit: { starts: init }\n');
    mkdirSync('notsweep/chinchilla', { recursive: true });
    writeFileSync('notsweep/chinchilla/notes.txt', 'keep me\n');
    const refused = await atlas('sweep', 's.yaml', '--out', 'notsweep');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out: notsweep exists and is not a sweep folder \(no sweep\.json; it holds chinchilla\)/);

    expect((await atlas('sweep', 's.yaml', '--out', 'sw')).code).toBe(0);
    writeFileSync('sw/chinchilla/notes.txt', 'keep me\n');
    const job = await atlas('sweep', 's.yaml', '--out', 'sw', '--force');
    expect(job.code).toBe(2);
    expect(job.stderr).toMatch(/sw\/chinchilla: job folder holds files atlas did not write \(notes\.txt\)/);
    expect(readFileSync('sw/chinchilla/notes.txt', 'utf8')).toBe('keep me\n');
  });
});

describe('sweep folder lock', () => {
  it('refuses a folder a live sweep holds, and takes over a dead one\'s lock', async () => {
    writeFileSync('l.yaml', 'sweep: l\ndata: [runs.csv]\nlaw: chinchilla\nfit: { starts: init }\n');
    mkdirSync('locked', { recursive: true });
    const live = { pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' };
    writeFileSync('locked/.atlas-sweep.lock', JSON.stringify(live));
    const busy = await atlas('sweep', 'l.yaml', '--out', 'locked');
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/locked is in use by another atlas sweep \(pid \d+ on .*\); wait for it to finish/);
    expect(existsSync('locked/sweep.json')).toBe(false);

    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync('locked/.atlas-sweep.lock', JSON.stringify({ ...live, pid: Number(dead.stdout) }));
    const run = await atlas('sweep', 'l.yaml', '--out', 'locked');
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync('locked/.atlas-sweep.lock')).toBe(false);
    expect(existsSync('locked/chinchilla/job.json')).toBe(true);
  });
});
