/**
 * `atlas sweep merge`: combine the folders of a sweep's shards into one.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeFolder, stableJson, writeFileAtomic, writeFileDurable } from '../io/atomic.ts';
import { InputError } from '../io/types.ts';
import { checkJobFolders, cleanStaging, installJobFolder, jobStagingFolder, readJobRecord } from './job_folder.ts';
import { writeIndex, type SweepPlan, type SweepResult } from './index_file.ts';
import { checkSweepFolder, lockSweepFolder } from './lock.ts';

function readPlan(dir: string): SweepPlan {
  const path = join(dir, 'sweep.json');
  try {
    const plan = JSON.parse(readFileSync(path, 'utf8')) as SweepPlan;
    if (plan.schema !== 'atlas.sweep-plan/1') throw new Error('not a sweep plan');
    return plan;
  } catch (error) {
    throw new InputError(`${path}:1: sweep.json: cannot read the sweep plan (${(error as Error).message}); is ${dir} a sweep folder?`);
  }
}

/**
 * Merge sweep folders (shards run on separate machines) into `out` (default: the first folder).
 * Every folder must hold the same plan (same sweep config, same tool version). For each job the
 * first folder with a completed job (ok before failed) is copied; index and summary are rebuilt,
 * byte-identical to a single-machine run of the same sweep.
 */
export function mergeSweeps(dirs: string[], outDir?: string | null): SweepResult {
  if (dirs.length === 0) throw new InputError('sweep merge: name at least one sweep folder');
  const plans = dirs.map(readPlan);
  const reference = stableJson(plans[0]);
  const problems = plans
    .map((plan, i) => (stableJson(plan) === reference ? null : `${join(dirs[i], 'sweep.json')}:1: sweep.json: plan differs from ${join(dirs[0], 'sweep.json')} (another sweep config or tool version)`))
    .filter((p): p is string => p !== null);
  if (problems.length > 0) throw new InputError(problems);
  const plan = plans[0];
  const out = resolve(outDir ?? dirs[0]);
  checkSweepFolder(out);
  makeFolder(out);
  const release = lockSweepFolder(out);
  try {
    return mergeInto(out, dirs, plan);
  } finally {
    release();
  }
}

function mergeInto(out: string, dirs: string[], plan: SweepPlan): SweepResult {
  const names = new Set(plan.jobs.map((j) => j.name));
  cleanStaging(out, (name) => names.has(name));
  checkJobFolders(out, [...names]);
  for (const { name } of plan.jobs) {
    const candidates = dirs.map((dir) => ({ dir: resolve(dir), record: readJobRecord(dir, name) })).filter((c) => c.record !== null);
    const best = candidates.find((c) => c.record!.status === 'ok') ?? candidates[0];
    if (!best || best.dir === out) continue;
    const current = readJobRecord(out, name);
    if (current && stableJson(current) === stableJson(best.record) && current.status === 'ok') continue;
    const staged = jobStagingFolder(out, name);
    try {
      for (const file of readdirSync(join(best.dir, name))) {
        if (file !== 'job.json' && statSync(join(best.dir, name, file)).isFile()) writeFileDurable(join(staged, file), readFileSync(join(best.dir, name, file)));
      }
      writeFileDurable(join(staged, 'job.json'), readFileSync(join(best.dir, name, 'job.json')));
    } catch (error) {
      rmSync(staged, { recursive: true, force: true });
      throw error;
    }
    installJobFolder(out, name, staged);
  }
  writeFileAtomic(join(out, 'sweep.json'), stableJson(plan));
  const { ok, failed, pending, entries } = writeIndex(out, plan);
  return {
    sweep: plan.sweep,
    out,
    total: plan.jobs.length,
    mine: plan.jobs.length,
    ran: 0,
    skipped: 0,
    ok,
    failed,
    pending,
    failures: entries.filter((e) => e.status === 'failed').map((e) => ({ name: e.name, error: e.error ?? 'failed' })),
    index: join(out, 'index.json'),
    summary: join(out, 'summary.csv'),
  };
}

