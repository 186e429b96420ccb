/**
 * A trivial job kind for sweep tests: `kind: echo` with a `value` axis. Each job writes
 * `echo.json`; a value of `fail` fails; `spin` milliseconds of busy work make jobs take time.
 * With a `marker` path: a value of `crash` ends its worker thread (process.exit(3)) after creating
 * the marker, and a value of `hold` keeps its thread busy until the marker exists (at most 30 s),
 * so that the job after it runs on another lane.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { registerJobKind } from '../pipeline/sweep/sweep.ts';
import { expandMatrix, hashValue, jobName } from '../pipeline/sweep/expand.ts';
import { stableJson } from '../pipeline/io/atomic.ts';

registerJobKind({
  kind: 'echo',
  async expand(block) {
    const matrix = (block as { matrix?: Record<string, unknown> }).matrix ?? {};
    const spin = Number((block as { spin?: number }).spin ?? 0);
    const marker = (block as { marker?: string }).marker;
    return expandMatrix(matrix).map((point) => ({ name: jobName('echo', point.labels), kind: 'echo', axes: point.labels, params: { ...point.values, spin, ...(marker ? { marker } : {}) } }));
  },
  async dataHash(spec) {
    return hashValue(spec.params);
  },
  async run(spec) {
    if (spec.params.value === 'fail') throw new Error(`job ${spec.name} was told to fail`);
    const marker = spec.params.marker as string | undefined;
    if (spec.params.value === 'crash' && marker) {
      if (isMainThread) throw new Error(`job ${spec.name} ran on the main thread`);
      writeFileSync(marker, '');
      process.exit(3);
    }
    if (spec.params.value === 'hold' && marker) {
      const deadline = Date.now() + 30_000;
      while (!existsSync(marker) && Date.now() < deadline) { /* wait for the crash on another lane */ }
    }
    const until = Date.now() + Number(spec.params.spin);
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    return { files: { 'echo.json': stableJson({ params: spec.params }) }, headline: { objective: String(spec.params.value).length } };
  },
});
