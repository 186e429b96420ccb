/**
 * Law.select and the bootstrap that uses it: a selected design evaluates its rows exactly as the
 * full design does, and refitting each replicate on its drawn rows gives the same draws, bit for
 * bit, as refitting on every row with weight 0 on the undrawn ones.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chinchilla } from '../../pipeline/laws/chinchilla.ts';
import { dataConstrained } from '../../pipeline/laws/data_constrained.ts';
import { atlas } from '../../pipeline/laws/atlas.ts';
import type { Law } from '../../pipeline/laws/law.ts';
import { bootstrapRange } from '../../pipeline/fitting/bootstrap.ts';
import { buildParameterMap } from '../../pipeline/fitting/parameters.ts';
import { resolveFitOptions } from '../../pipeline/fitting/options.ts';
import { Random } from '../../pipeline/fitting/random.ts';
import { ingestText } from '../../pipeline/ingest/ingest.ts';

const ATLAS_CSV = [
  'run_id,params,tokens,loss,eval_lang,mixture,unique_tokens',
  'm1,1e7,2e9,3.1,en,en:1,',
  'm2,1e8,5e9,2.9,sw,sw:1,sw:1e9',
  'b1,1e8,4e9,2.8,en,en:0.5;fr:0.5,fr:1e9',
  'b1,1e8,4e9,2.9,fr,en:0.5;fr:0.5,fr:1e9',
  'c1,3e8,8e9,2.7,en,de:0.25;en:0.25;fr:0.25;sw:0.25,sw:5e8',
  'c1,3e8,8e9,2.8,sw,de:0.25;en:0.25;fr:0.25;sw:0.25,sw:5e8',
  'c2,3e8,6e9,2.7,de,de:0.2;en:0.2;es:0.2;fr:0.2;ru:0.2,',
  'c3,3e8,6e9,2.7,es,es:0.5;ru:0.5,',
].join('\n');

/** Domain mixtures (split proportions) with rows that have no target-domain tokens (the floor's reference D). */
const DOMAIN_CSV = 'run,N,D,valid,mix,loss\n' + [
  'a,1e8,2e9,web,0.2-0.3-0.5,3', 'b,1e8,2e9,web,0.6-0.4-0,3.4', 'c,3e8,4e9,web,0-1-0,3.6', 'd,1e8,2e9,web,0.9-0-0.1,3.5',
].join('\n') + '\n';
const DOMAIN_MAP = { run_id: 'run', params: 'N', tokens: 'D', eval_lang: 'valid', mixture: 'split:mix:code,prose,web' };

/** A Chinchilla-form table: runs × checkpoints, losses from known coefficients with seeded noise. */
function chinchillaCsv(runs: number, checkpoints: number): string {
  const rng = new Random(5);
  const lines = ['run_id,params,tokens,loss,eval_lang,mixture,unique_tokens'];
  for (let r = 0; r < runs; r++) {
    const N = 1e7 * 3 ** (r % 6);
    for (let c = 1; c <= checkpoints; c++) {
      const D = N * 4 * c;
      const loss = (1.7 + 400 / N ** 0.34 + 410 / D ** 0.28) * Math.exp(0.01 * rng.normal());
      lines.push(`r${r},${N},${D},${loss},en,en:1,en:${N * 20}`);
    }
  }
  return lines.join('\n');
}

function problemOf<C, D>(law: Law<C, D>, csv: string, lawOptions = {}, map?: Record<string, string>) {
  const table = ingestText(csv, 'data.csv', map ? { map } : {});
  const ctx = law.context(table, lawOptions);
  const clusters = new Int32Array(table.rows);
  const ids = new Map<string, number>();
  for (let i = 0; i < table.rows; i++) {
    if (!ids.has(table.runId[i])) ids.set(table.runId[i], ids.size);
    clusters[i] = ids.get(table.runId[i])!;
  }
  return { law, ctx, design: law.prepare(table, ctx), y: Float64Array.from(table.loss, Math.log), clusters, rows: table.rows };
}

describe('Law.select', () => {
  const cases = [
    ['chinchilla', problemOf(chinchilla, chinchillaCsv(8, 5))],
    ['data-constrained', problemOf(dataConstrained, chinchillaCsv(8, 5))],
    ['atlas', problemOf(atlas, ATLAS_CSV, { terms: 'target,other,transfer' })],
    ['atlas with domains', problemOf(atlas, DOMAIN_CSV, { domains: true }, DOMAIN_MAP)],
  ] as const;
  for (const [name, problem] of cases) {
    it(`${name}: selected rows evaluate bit-identically, with the Jacobian`, () => {
      const law = problem.law as Law<unknown, unknown>;
      const specs = law.parameters(problem.ctx);
      const p = specs.length;
      fc.assert(fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: problem.rows - 1 }), { minLength: 1, maxLength: problem.rows }),
        fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { minLength: p, maxLength: p }),
        (picked, shift) => {
          const rows = Int32Array.from(picked.sort((a, b) => a - b));
          const theta = Float64Array.from(specs, (s, k) => (s.log ? Math.log(s.init) : s.init) + shift[k]);
          const full = new Float64Array(problem.rows);
          const fullJac = new Float64Array(problem.rows * p);
          law.evaluate(theta, problem.design, full, fullJac);
          const sub = law.select!(problem.design, rows);
          expect(law.size(sub)).toBe(rows.length);
          const out = new Float64Array(rows.length);
          const jac = new Float64Array(rows.length * p);
          law.evaluate(theta, sub, out, jac);
          rows.forEach((i, k) => {
            expect(Object.is(out[k], full[i])).toBe(true);
            for (let j = 0; j < p; j++) expect(Object.is(jac[k * p + j], fullJac[i * p + j])).toBe(true);
          });
        },
      ), { numRuns: 40 });
    });
  }

  it('the bootstrap draws on the drawn rows only equal those on every row at weight 0', () => {
    for (const [, problem] of cases) {
      const law = problem.law as Law<unknown, unknown>;
      const options = resolveFitOptions({ seed: 4, bootstrap: 12 });
      const map = buildParameterMap(law.parameters(problem.ctx), options);
      const warm = [Float64Array.from(map.free, (s) => map.initInternal[s])];
      const withSelect = bootstrapRange({ ...problem, law }, map, options, warm, 0, 12);
      const { select: _unused, ...plain } = law;
      const withoutSelect = bootstrapRange({ ...problem, law: plain as Law<unknown, unknown> }, map, options, warm, 0, 12);
      expect(withSelect.length).toBe(12);
      expect(withSelect.map((x) => (x ? Array.from(x) : null))).toEqual(withoutSelect.map((x) => (x ? Array.from(x) : null)));
    }
  });
});
