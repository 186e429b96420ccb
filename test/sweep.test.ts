/**
 * Sweep engine: expansion and names, hashing and skipping, failures, worker threads, shards and
 * merge. Uses the trivial `echo` job kind of test/sweep_plugin.ts, so no fitting is involved.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseSweep } from '../pipeline/sweep/schema.ts';
import { expandMatrix, jobName, labelOf, parseShard, shardOf } from '../pipeline/sweep/expand.ts';
import { mergeSweeps, planSweep, runSweep } from '../pipeline/sweep/sweep.ts';
import { InputError } from '../pipeline/io/types.ts';
import type { AtlasConfig } from '../pipeline/config/load.ts';
import { jobInputs } from '../pipeline/sweep/job_folder.ts';
import { shareJobKinds } from '../pipeline/sweep/kinds.ts';
import { chinchillaCsv, snapshot } from './sweep_helpers.ts';
import { runAtlas } from './helpers/command.ts';

const plugin = pathToFileURL(join(import.meta.dirname, 'sweep_plugin.ts')).href;
const scratch = mkdtempSync(join(tmpdir(), 'atlas-sweep-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeSweep(name: string, text: string): string {
  const path = join(scratch, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

const echoSweep = (spin = 0) => `
sweep: echo
jobs:
  - kind: echo
    spin: ${spin}
    matrix:
      value: [a, b, c, fail]
      size: { small: 1, large: 2 }
`;

describe('expansion and names', () => {
  it('takes the product in declared order and names jobs law@axis-values', async () => {
    const sweep = parseSweep(
      `sweep: grid
matrix:
  data: [runs/a.csv, [runs/b1.csv, runs/b2.csv]]
  law: [chinchilla, data-constrained]
  holdout: [none, "top-params:0.2"]
  fit: { huber: { objective: huber }, lsq: { objective: lsq, delta: 0.01 } }
exclude:
  - { law: data-constrained, holdout: none }
fit: { starts: init }
`,
      join(scratch, 'grid.yaml'),
    );
    const { specs } = await planSweep(sweep);
    // 2 data × 2 laws × 2 hold-outs × 2 fit variants, minus the 4 excluded (data-constrained, no hold-out)
    expect(specs).toHaveLength(12);
    expect(specs.slice(0, 4).map((s) => s.name)).toEqual([
      'chinchilla@a-none-huber',
      'chinchilla@a-none-lsq',
      'chinchilla@a-top-params_0.2-huber',
      'chinchilla@a-top-params_0.2-lsq',
    ]);
    expect(specs.map((s) => s.name)).toContain('data-constrained@b1+b2-top-params_0.2-lsq');
    const lsq = specs.find((s) => s.name === 'chinchilla@a-none-lsq')!;
    expect(lsq.params.fit).toEqual({ starts: 'init', objective: 'lsq', delta: 0.01 });
    expect(lsq.params.holdout).toBeNull();
    expect(lsq.params.data).toEqual([expect.stringMatching(/runs\/a\.csv$/)]);
  });

  it('follows the order in which the file declares the axes', async () => {
    const sweep = parseSweep('law: chinchilla\nmatrix:\n  fit: { lsq: { objective: lsq }, huber: {} }\n  data: [a.csv, b.csv]\n', join(scratch, 'order.yaml'));
    const { specs } = await planSweep(sweep);
    expect(specs.map((s) => s.name)).toEqual(['chinchilla@lsq-a', 'chinchilla@lsq-b', 'chinchilla@huber-a', 'chinchilla@huber-b']);
  });

  it('plans the shipped benchmark grids: the long one has the short one\'s datasets and hold-outs with 4x the replicates', async () => {
    const dir = join(import.meta.dirname, '..', 'configs', 'sweeps');
    const short = (await planSweep(join(dir, 'shipped-grid.yaml'))).specs;
    const long = (await planSweep(join(dir, 'shipped-grid-long.yaml'))).specs;
    expect(short).toHaveLength(40);
    expect(long).toHaveLength(40);
    const replicates = (specs: typeof short) => specs.map((s) => (s.params.fit as { bootstrap?: number }).bootstrap ?? 0);
    expect(replicates(long)).toEqual(replicates(short).map((b) => 4 * b));
    const rest = (specs: typeof short) => specs.map((s) => s.name.replace(/@[^-]+-/, '@'));
    expect(rest(long)).toEqual(rest(short));
  });

  it('labels values: null is none, paths are base names, objects are k=v', () => {
    expect(labelOf('holdout', null)).toBe('none');
    expect(labelOf('config', '../configs/epoch-chinchilla.yaml')).toBe('epoch-chinchilla');
    expect(labelOf('fit', { starts: 'init', objective: 'lsq' })).toBe('objective=lsq_starts=init');
    expect(labelOf('holdout', 'params>=1e9')).toBe('params_=1e9');
    expect(jobName('chinchilla', {})).toBe('chinchilla');
    expect(expandMatrix({ a: [1, 2], b: ['x'] }).map((p) => p.labels)).toEqual([{ a: '1', b: 'x' }, { a: '2', b: 'x' }]);
  });

  it('rejects duplicate names, unknown keys and unknown kinds with FILE:LINE messages', async () => {
    const path = join(scratch, 'dup.yaml');
    const dup = parseSweep('matrix:\n  data: [x/runs.csv, y/runs.csv]\nlaw: chinchilla\n', path);
    await expect(planSweep(dup)).rejects.toThrow(/dup\.yaml:1: jobs: job name "chinchilla@runs" occurs more than once/);
    expect(() => parseSweep('matrix:\n  dataset: [a.csv]\n', path)).toThrow(InputError);
    expect(() => parseSweep('matrix:\n  dataset: [a.csv]\n', path)).toThrow(/dup\.yaml:\d+: matrix/);
    expect(() => parseSweep('jobs: []\n', path)).toThrow(/no jobs/);
    await expect(planSweep(parseSweep('jobs:\n  - kind: nope\n', path))).rejects.toThrow(/unknown job kind "nope"/);
  });

  it('assigns shards deterministically from the name and covers every job once', () => {
    const names = Array.from({ length: 60 }, (_, i) => `chinchilla@set${i}-none`);
    const shards = names.map((n) => shardOf(n, 3));
    expect(names.map((n) => shardOf(n, 3))).toEqual(shards);
    for (let s = 0; s < 3; s++) expect(shards.filter((x) => x === s).length).toBeGreaterThan(5);
    expect(parseShard('2/3')).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('0/3')).toThrow(InputError);
    expect(() => parseShard('4/3')).toThrow(/--shard/);
  });
});

describe('running', () => {
  it('records a failing job, keeps going, and skips up-to-date jobs on a rerun', async () => {
    const config = writeSweep('echo', echoSweep());
    const out = join(scratch, 'run1');
    const first = await runSweep({ config, out, plugins: [plugin] });
    expect(first).toMatchObject({ total: 8, ran: 8, ok: 6, failed: 2, pending: 0 });
    expect(first.failures.map((f) => f.name)).toEqual(['echo@fail-large', 'echo@fail-small']);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.jobs[0]).toMatchObject({ name: 'echo@a-small', status: 'ok', artifact: 'echo@a-small/echo.json' });
    expect(index.jobs.find((j: { name: string }) => j.name === 'echo@fail-small').error).toBe('job echo@fail-small was told to fail');
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8').split('\n');
    expect(summary[0]).toBe('job,kind,status,value,size,objective,train_r2,heldout_r2,fit_status,checks,checks_ok,artifact,config_hash,error');
    expect(summary).toHaveLength(10);

    // Default rerun: ok jobs are up to date, failed ones run again; --resume keeps them too.
    const again = await runSweep({ config, out, plugins: [plugin] });
    expect(again).toMatchObject({ ran: 2, skipped: 6, failed: 2 });
    const resumed = await runSweep({ config, out, plugins: [plugin], resume: true });
    expect(resumed).toMatchObject({ ran: 0, skipped: 8, failed: 2 });
    expect(resumed.failures).toHaveLength(2);

    // A changed input reruns exactly the jobs it touches.
    writeFileSync(config, echoSweep().replace('large: 2', 'large: 3'));
    const changed = await runSweep({ config, out, plugins: [plugin], resume: true });
    expect(changed).toMatchObject({ ran: 4, skipped: 4 });
  });

  it('records a job that ends its worker thread as failed, replaces the worker and runs the rest', async () => {
    // --jobs 2: the main thread takes `hold` and keeps busy until `crash` has run on the worker.
    const marker = join(scratch, 'crashed');
    const config = writeSweep('crash', `
sweep: crash
jobs:
  - kind: echo
    marker: ${JSON.stringify(marker)}
    matrix:
      value: [hold, crash, a, b, c]
`);
    const out = join(scratch, 'crash-run');
    const result = await runSweep({ config, out, plugins: [plugin], jobs: 2 });
    expect(result).toMatchObject({ total: 5, ran: 5, ok: 4, failed: 1, pending: 0 });
    expect(result.failures).toEqual([{ name: 'echo@crash', error: 'worker exited with code 3' }]);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.jobs.map((j: { name: string; status: string }) => `${j.name} ${j.status}`)).toEqual(['echo@hold ok', 'echo@crash failed', 'echo@a ok', 'echo@b ok', 'echo@c ok']);
  });

  it('fails the sweep, without waiting, when a worker cannot load a plugin', async () => {
    // The worker starts when planning finds the first job to run. This plugin's worker stops
    // before its lane takes it: planning the second job (its data hash, on the main thread) waits
    // until the worker has failed.
    const marker = join(scratch, 'worker-failed');
    const broken = join(scratch, 'worker-only.mjs');
    writeFileSync(broken, `import { existsSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { registerJobKind } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../pipeline/sweep/sweep.ts')).href)};
const marker = ${JSON.stringify(marker)};
if (!isMainThread) {
  writeFileSync(marker, '');
  throw new Error('this plugin loads on the main thread only');
}
const pause = (ms) => new Promise((done) => setTimeout(done, ms));
registerJobKind({
  kind: 'late',
  async expand() {
    return ['a', 'b'].map((v) => ({ name: 'late@' + v, kind: 'late', axes: { v }, params: { v } }));
  },
  async dataHash(spec) {
    if (spec.params.v === 'b') {
      while (!existsSync(marker)) await pause(10);
      await pause(300);
    }
    return spec.params.v;
  },
  async run() { return { files: {}, headline: {} }; },
});
`);
    const config = writeSweep('worker-only', 'sweep: late\njobs:\n  - kind: late\n');
    const started = Date.now();
    await expect(runSweep({ config, out: join(scratch, 'worker-only-run'), plugins: [pathToFileURL(broken).href], jobs: 2 })).rejects.toThrow(/sweep worker: .*loads on the main thread only/);
    expect(existsSync(marker)).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('writes the same bytes with 1 and 2 lanes, and for 3 merged shards', async () => {
    const config = writeSweep('echo2', echoSweep(5));
    const single = join(scratch, 'single');
    const threaded = join(scratch, 'threaded');
    await runSweep({ config, out: single, plugins: [plugin], jobs: 1 });
    await runSweep({ config, out: threaded, plugins: [plugin], jobs: 2 });
    expect(snapshot(threaded)).toEqual(snapshot(single));

    const parts = [1, 2, 3].map((i) => join(scratch, `part${i}`));
    let mine = 0;
    for (const [i, dir] of parts.entries()) {
      const part = await runSweep({ config, out: dir, plugins: [plugin], shard: `${i + 1}/3` });
      mine += part.mine;
      expect(part.pending).toBe(8 - part.mine);
    }
    expect(mine).toBe(8);
    const merged = mergeSweeps(parts, join(scratch, 'merged'));
    expect(merged).toMatchObject({ ok: 6, failed: 2, pending: 0 });
    expect(snapshot(join(scratch, 'merged'))).toEqual(snapshot(single));
    expect(readdirSync(join(scratch, 'merged')).filter((f) => f.startsWith('.'))).toEqual([]);

    // Merging in place (shards that shared one folder) gives the same bytes too.
    mergeSweeps([parts[0], parts[1], parts[2]]);
    expect(snapshot(parts[0])).toEqual(snapshot(single));
    expect(existsSync(join(parts[0], 'index.json'))).toBe(true);
  });

  it('refuses to merge folders of different sweeps', async () => {
    const a = join(scratch, 'merge-a');
    const b = join(scratch, 'merge-b');
    await runSweep({ config: writeSweep('ma', echoSweep()), out: a, plugins: [plugin] });
    await runSweep({ config: writeSweep('mb', echoSweep().replace('value: [a, b, c, fail]', 'value: [a]')), out: b, plugins: [plugin] });
    expect(() => mergeSweeps([a, b], join(scratch, 'merge-c'))).toThrow(/plan differs/);
  });
});

describe('fit jobs', () => {
  it('fits each matrix point, writes deterministic artifacts and headline metrics', async () => {
    writeFileSync(join(scratch, 'small.csv'), chinchillaCsv());
    const config = writeSweep(
      'fits',
      `sweep: fits
defaults:
  fit: { starts: init }
jobs:
  - kind: fit
    law: chinchilla
    matrix:
      data: [small.csv]
      holdout: [none, "top-params:0.2"]
      fit: { huber: { objective: huber }, lsq: { objective: lsq } }
`,
    );
    const out = join(scratch, 'fits');
    const result = await runSweep({ config, out });
    expect(result).toMatchObject({ total: 4, ok: 4, failed: 0 });
    const artifact = JSON.parse(readFileSync(join(out, 'chinchilla@small-top-params_0.2-lsq', 'coefficients.json'), 'utf8'));
    expect(artifact.fit.seconds).toBeNull();
    expect(artifact.provenance.created).toBeNull();
    expect(artifact.objective.kind).toBe('lsq-log');
    expect(artifact.data.files).toEqual([expect.stringMatching(/small\.csv$/)]);
    expect(artifact.params.alpha.value).toBeCloseTo(0.34, 1);
    expect(existsSync(join(out, 'chinchilla@small-top-params_0.2-lsq', 'predictions.csv'))).toBe(true);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    const entry = index.jobs.find((j: { name: string }) => j.name === 'chinchilla@small-top-params_0.2-lsq');
    expect(entry.heldout_r2).toBe(artifact.metrics.heldout.r2);
    expect(entry.objective).toBe(artifact.objective.value);
    expect(entry.config_hash).toBe(artifact.provenance.config_sha256);
    expect(index.jobs.find((j: { name: string }) => j.name === 'chinchilla@small-none-huber').heldout_r2).toBeNull();

    // A rerun skips everything; a threaded run from scratch writes the same bytes.
    expect(await runSweep({ config, out })).toMatchObject({ ran: 0, skipped: 4 });
    const threaded = join(scratch, 'fits-threaded');
    await runSweep({ config, out: threaded, jobs: 2 });
    expect(snapshot(threaded)).toEqual(snapshot(out));

    // Changed data reruns the jobs that read it.
    writeFileSync(join(scratch, 'small.csv'), chinchillaCsv(2));
    expect(await runSweep({ config, out })).toMatchObject({ ran: 4, skipped: 0 });
  });

  it('records a job whose data is bad as failed and runs the others', async () => {
    writeFileSync(join(scratch, 'bad.csv'), 'run_id,params,tokens,loss\na,1e8,1e9,-2\n');
    writeFileSync(join(scratch, 'good.csv'), chinchillaCsv());
    const config = writeSweep('mixed', 'sweep: mixed\nlaw: chinchilla\nfit: { starts: init }\nmatrix:\n  data: [good.csv, bad.csv, missing.csv]\n');
    const result = await runSweep({ config, out: join(scratch, 'mixed') });
    expect(result).toMatchObject({ ok: 1, failed: 2 });
    expect(result.failures.find((f) => f.name === 'chinchilla@bad')!.error).toMatch(/bad\.csv:2: loss: /);
    expect(result.failures.find((f) => f.name === 'chinchilla@missing')!.error).toMatch(/missing\.csv/);
  });
});

describe('fit configs handed to workers', () => {
  // A folder of its own: its configs are not inside the working directory, so their paths may
  // not leave their own folder without --allow-outside.
  const folder = join(scratch, 'shared-configs');
  const sub = join(folder, 'sub');
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, 'runs.csv'), chinchillaCsv(3));
  writeFileSync(join(sub, 'fit.yaml'), 'data: [runs.csv]\nlaw: chinchilla\nfit: { starts: init }\n');
  writeFileSync(join(sub, 'sweep.yaml'), 'sweep: shared\njobs:\n  - kind: fit\n    matrix:\n      config: [fit.yaml]\n');

  it('gives a worker the configs its main thread loaded while planning, and the worker reads no config file again', async () => {
    const { specs } = await planSweep(join(sub, 'sweep.yaml'));
    const shared = shareJobKinds(['fit']) as { fit: { configs: [string, { config: AtlasConfig }][] } };
    const entry = shared.fit.configs.find(([abs]) => abs === join(sub, 'fit.yaml'));
    expect(entry?.[1].config.data).toEqual([join(sub, 'runs.csv')]);
    // A fresh copy of the job kind's module, as a new worker has, starts from what was shared:
    // given a config whose data is a shorter log, the job reads that log, not the config file's.
    writeFileSync(join(sub, 'short.csv'), chinchillaCsv(3).split('\n').slice(0, 9).join('\n') + '\n');
    const [abs, cached] = entry!;
    vi.resetModules();
    const fresh = await import('../pipeline/sweep/fit_job.ts');
    await fresh.fitJobKind.warm!({ configs: [[abs, { ...cached, config: { ...cached.config, data: [join(sub, 'short.csv')] } }]] });
    const output = await fresh.fitJobKind.run(specs[0], await jobInputs(specs[0]));
    expect(output.files['predictions.csv'].trim().split('\n')).toHaveLength(1 + 8);
  });

  it('checks a config loaded under --allow-outside again for a sweep planned without it', async () => {
    writeFileSync(join(folder, 'outside.csv'), chinchillaCsv(4));
    writeFileSync(join(sub, 'fit-outside.yaml'), 'data: [../outside.csv]\nlaw: chinchilla\n');
    const sweep = join(sub, 'sweep-outside.yaml');
    writeFileSync(sweep, 'sweep: outside\njobs:\n  - kind: fit\n    matrix:\n      config: [fit-outside.yaml]\n');
    expect((await planSweep(sweep, [], true)).specs).toHaveLength(1);
    await expect(planSweep(sweep)).rejects.toThrow(/fit-outside\.yaml:1: data.*outside\.csv/);
  });
});

describe('atlas sweep (command line, in process)', () => {
  const atlas = runAtlas;

  it('lists jobs per shard, and maps bad input to exit 2 and failed jobs to exit 1', async () => {
    const config = writeSweep('cli', echoSweep());
    const pluginFile = join(import.meta.dirname, 'sweep_plugin.ts');
    const all = await atlas(['sweep', config, '--plugin', pluginFile, '--list']);
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(8);
    const parts = await Promise.all([1, 2].map((i) => atlas(['sweep', config, '--plugin', pluginFile, '--list', '--shard', `${i}/2`])));
    expect(parts.map((p) => p.stdout.trim().split('\n').filter(Boolean)).flat().sort()).toEqual(all.stdout.trim().split('\n').sort());

    expect((await atlas(['sweep', config, '--plugin', pluginFile, '--shard', '3/2'])).code).toBe(2);
    const bad = await atlas(['sweep', writeSweep('bad', 'sweep: bad\nmatrix:\n  law: [chinchilla]\n  dataset: [x.csv]\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:4: matrix\.dataset: /);
    expect((await atlas(['sweep', 'merge'])).code).toBe(2);

    const run = await atlas(['sweep', config, '--plugin', pluginFile, '--out', join(scratch, 'cli-out'), '--json', '--allow-outside']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: 6, failed: 2, pending: 0 });
    expect(run.stderr).toMatch(/\[8\/8\] /);
    expect(run.stderr).toMatch(/job echo@fail-small failed: job echo@fail-small was told to fail/);
  });
});
