/**
 * Test helpers for the curse, crossover and plan tests: a minimal RunTable built in memory
 * (so these tests do not depend on the ingest stage) and a seeded RNG.
 */
import type { Mixture, RunTable } from '../pipeline/io/types.ts';

export interface Row {
  runId: string;
  params: number;
  tokens: number;
  loss: number;
  evalLang: string;
  /** `lang:weight;…` */
  mixture: string;
  kind?: 'pretrain' | 'finetune';
  baseRun?: string | null;
  baseTokens?: number;
}

function parseMixture(text: string, cache: Map<string, Mixture>): Mixture {
  const parts = text.split(';').map((p) => p.split(':')).map(([l, w]) => [l, Number(w)] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const key = parts.map(([l, w]) => `${l}:${w}`).join(';');
  let m = cache.get(key);
  if (!m) {
    m = { key, langs: parts.map((p) => p[0]), weights: parts.map((p) => p[1]) };
    cache.set(key, m);
  }
  return m;
}

/** A RunTable from plain rows (line numbers start at 2, as in a CSV with a header). */
export function makeTable(rows: Row[], path = 'synthetic.csv'): RunTable {
  const n = rows.length;
  const cache = new Map<string, Mixture>();
  const f = (fn: (r: Row) => number) => Float64Array.from(rows.map(fn));
  return {
    rows: n,
    runId: rows.map((r) => r.runId),
    params: f((r) => r.params),
    tokens: f((r) => r.tokens),
    loss: f((r) => r.loss),
    evalLang: rows.map((r) => r.evalLang),
    mixture: rows.map((r) => parseMixture(r.mixture, cache)),
    uniqueTokens: rows.map(() => new Map()),
    kind: rows.map((r) => r.kind ?? 'pretrain'),
    baseRun: rows.map((r) => r.baseRun ?? null),
    baseTokens: f((r) => r.baseTokens ?? NaN),
    step: f(() => NaN),
    seed: rows.map(() => null),
    flops: f((r) => 6 * r.params * r.tokens),
    split: rows.map(() => null),
    line: Int32Array.from(rows.map((_, i) => i + 2)),
    source: new Int32Array(n),
    sources: [{ path, sha256: '0'.repeat(64), rows: n }],
    languages: new Map(),
  };
}

export { mulberry32 as rng } from '../pipeline/fitting/random.ts';

/** Standard normal draw (Box–Muller) from a uniform generator. */
export function gauss(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}
