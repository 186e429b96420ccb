/**
 * The `reproduce` sweep job kind: run a reproduce target (pipeline/reproduce/index.ts) and write
 * `checks.json`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReproduceBlock } from './schema.ts';
import { stableJson } from '../io/atomic.ts';
import { InputError, RunFailure } from '../io/types.ts';
import { hashFiles, listFiles } from './expand.ts';
import type { JobKind, JobOutput } from './kinds.ts';

/** Parameters of a reproduce job. */
export interface ReproduceJobParams {
  target: string;
  quick: boolean;
  seed: number;
}

/** Root of the checkout (the folder holding package.json). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The `reproduce` job kind: one reproduce target per job; writes `checks.json`. */
export const reproduceJobKind: JobKind = {
  kind: 'reproduce',
  async expand(block, sweep) {
    const b = block as ReproduceBlock;
    const { TARGETS } = await import('../reproduce/index.ts');
    const known = TARGETS.map((t) => t.name);
    const names = b.targets === 'all' ? known : b.targets;
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw new InputError(`${sweep.path}:1: targets: unknown reproduce target(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
    return names.map((target) => ({
      name: `reproduce@${target}`,
      kind: 'reproduce',
      axes: { target },
      params: { target, quick: b.quick, seed: b.seed } satisfies ReproduceJobParams as unknown as Record<string, unknown>,
    }));
  },
  async dataHash() {
    // Reproduce targets read the shipped datasets and dataset configs: hash all of them
    // (configs/*.yaml that are not sweep configs).
    const data = listFiles(join(ROOT, 'datasets')).map((f) => `datasets/${f}`);
    const configs = listFiles(join(ROOT, 'configs'))
      .filter((f) => /^[^/]+\.ya?ml$/.test(f))
      .map((f) => `configs/${f}`)
      .filter((f) => !/^(jobs|matrix):/m.test(readFileSync(join(ROOT, f), 'utf8')));
    const files = [...data, ...configs];
    return hashFiles(files.map((f) => join(ROOT, f)), files);
  },
  async run(spec) {
    const p = spec.params as unknown as ReproduceJobParams;
    const { TARGETS } = await import('../reproduce/index.ts');
    const target = TARGETS.find((t) => t.name === p.target);
    if (!target) throw new RunFailure(`unknown reproduce target ${p.target}`);
    const checks = await target.run({ quick: p.quick, seed: p.seed });
    const ok = checks.filter((c) => c.ok).length;
    const output: JobOutput = {
      files: { 'checks.json': stableJson({ target: p.target, checks }) },
      headline: { checks: checks.length, checks_ok: ok },
    };
    if (ok < checks.length) {
      output.error = `${checks.length - ok} of ${checks.length} checks outside tolerance: ${checks.filter((c) => !c.ok).map((c) => c.quantity).join('; ')}`;
    }
    return output;
  },
};

