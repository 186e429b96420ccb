/**
 * A trivial job kind for sweep tests: `kind: echo` with a `value` axis. Each job writes
 * `echo.json`; a value of `fail` fails; `spin` milliseconds of busy work make jobs take time.
 */
import { registerJobKind } from '../pipeline/sweep/sweep.ts';
import { expandMatrix, hashValue, jobName } from '../pipeline/sweep/expand.ts';
import { stableJson } from '../pipeline/io/atomic.ts';

registerJobKind({
  kind: 'echo',
  async expand(block) {
    const matrix = (block as { matrix?: Record<string, unknown> }).matrix ?? {};
    const spin = Number((block as { spin?: number }).spin ?? 0);
    return expandMatrix(matrix).map((point) => ({ name: jobName('echo', point.labels), kind: 'echo', axes: point.labels, params: { ...point.values, spin } }));
  },
  async dataHash(spec) {
    return hashValue(spec.params);
  },
  async run(spec) {
    if (spec.params.value === 'fail') throw new Error(`job ${spec.name} was told to fail`);
    const until = Date.now() + Number(spec.params.spin);
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    return { files: { 'echo.json': stableJson({ params: spec.params }) }, headline: { objective: String(spec.params.value).length } };
  },
});
