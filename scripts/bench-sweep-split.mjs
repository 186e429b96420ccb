// One of the processes that split a sweep by hand, for scripts/bench-sweep.ts: plans the sweep as
// `atlas sweep` does, then runs every job no other process has claimed (a job is claimed by
// creating CLAIMS/<index>, which succeeds for one process only) into OUT. J of these run at once
// are what a user gets by starting J plain processes over one job list: each pays its own start-up
// and warm-up once, as each lane of `atlas sweep --jobs J` does. Plain node over the compiled
// library's modules (dist/), as a script using the library runs; the `atlas` command runs the
// bundle in dist/cli/, which starts about 0.15 s sooner, so the split starts a little later than
// the command's lanes.
//
//   node scripts/bench-sweep-split.mjs SWEEP.yaml OUT CLAIMS
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url);
const { planSweep } = await import(new URL('sweep/index.js', dist).href);
const { executeJob, jobInputs } = await import(new URL('sweep/jobs.js', dist).href);

const [config, out, claims] = process.argv.slice(2);
if (!config || !out || !claims) throw new Error('usage: node scripts/bench-sweep-split.mjs SWEEP.yaml OUT CLAIMS');
const { specs } = await planSweep(config, [], true);
mkdirSync(out, { recursive: true });
mkdirSync(claims, { recursive: true });
for (let i = 0; i < specs.length; i++) {
  try {
    mkdirSync(join(claims, String(i)));
  } catch (error) {
    if (error.code === 'EEXIST') continue;
    throw error;
  }
  const record = await executeJob(specs[i], await jobInputs(specs[i]), out);
  if (record.status !== 'ok') process.exitCode = 1;
}
