import { describe, expect, it } from 'vitest';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import { predictTable } from '../pipeline/fit/validate.ts';
import { jointLaw } from '../pipeline/fitting/joint.ts';
import { kaplan } from '../pipeline/laws/kaplan.ts';
import { InputError } from '../pipeline/io/types.ts';
import { jacobianError } from './helpers/jacobian.ts';

// Three languages with common exponents and E but their own amplitudes (Chinchilla form).
const SHARED = { E: 1.2, alpha: 0.36, beta: 0.3 };
const OWN: Record<string, { A: number; B: number }> = { en: { A: 300, B: 900 }, fr: { A: 550, B: 400 }, ru: { A: 180, B: 1500 } };

function synthetic(): string {
  const lines = ['run_id,params,tokens,loss,eval_lang,mixture'];
  for (const [lang, { A, B }] of Object.entries(OWN)) {
    for (const n of [1e7, 3e7, 1e8, 3e8]) for (const d of [1e9, 3e9, 1e10, 3e10]) {
      const loss = SHARED.E + A / n ** SHARED.alpha + B / d ** SHARED.beta;
      lines.push(`${lang}-${n}-${d},${n},${d},${loss},${lang},${lang}:1`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('shared parameters across groups', () => {
  const table = ingestText(synthetic(), 'groups.csv');

  it('one joint fit recovers the shared and the per-group truth, into groups.<g> and shared', async () => {
    const { artifact } = await runFit({ table, law: 'chinchilla', groupBy: 'eval_lang', share: ['alpha', 'beta', 'E'], fit: { objective: 'lsq' } });
    expect(Object.keys(artifact.shared!).sort()).toEqual(['E', 'alpha', 'beta']);
    for (const [name, truth] of Object.entries(SHARED)) {
      expect(Math.abs(artifact.shared![name].value / truth - 1)).toBeLessThan(1e-4);
      expect(artifact.shared![name].vary).toBe('shared');
    }
    for (const [lang, own] of Object.entries(OWN)) {
      const group = artifact.groups![lang];
      for (const [name, truth] of Object.entries(own)) expect(Math.abs(group.params[name].value / truth - 1)).toBeLessThan(1e-4);
      for (const name of Object.keys(SHARED)) expect(group.params[name].value).toBe(artifact.shared![name].value);
    }
    expect(artifact.options.share).toEqual(['alpha', 'beta', 'E']);
    // The artifact predicts like any per-group artifact.
    const predicted = predictTable(artifact, table);
    for (let i = 0; i < table.rows; i++) expect(Math.abs(predicted[i] / table.loss[i] - 1)).toBeLessThan(1e-6);
  });

  it('the joint law\'s Jacobian is the groups\' Jacobians scattered into shared and per-group columns', () => {
    const design = (N: number[], D: number[]) => ({ n: N.length, logN: Float64Array.from(N, Math.log), logD: Float64Array.from(D, Math.log) });
    const ctx = { tokens: 'total' as const };
    const joint = jointLaw(kaplan, [
      { name: 'a', ctx, design: design([1e6, 1e7, 1e8], [1e8, 1e9, 1e7]) },
      { name: 'b', ctx, design: design([3e6, 3e7], [3e9, 3e8]) },
    ], ['alpha', 'E']);
    expect(joint.specs.map((s) => s.name)).toEqual(['E', 'N_c@a', 'D_c@a', 'alpha', 'beta@a', 'N_c@b', 'D_c@b', 'beta@b']);
    const theta = Float64Array.of(Math.log(0.8), 18, 20, 0.35, 0.3, 17, 21, 0.4);
    expect(jacobianError(joint.law, null, joint.design, theta, 1e-5)).toBeLessThan(1e-6);

    // The groups' scratch buffers are reused between evaluations, and the joint Jacobian is
    // written whole: a buffer left dirty by another point gives what a fresh one gives.
    const n = joint.design.n;
    const P = joint.specs.length;
    const other = theta.map((v, k) => v * (1 + 0.1 * (k + 1)));
    const fresh = (x: Float64Array) => {
      const r = new Float64Array(n);
      const J = new Float64Array(n * P);
      joint.law.evaluate(x, joint.design, r, J);
      return { r, J };
    };
    const want = fresh(theta);
    const r = new Float64Array(n);
    const J = new Float64Array(n * P).fill(Number.NaN);
    joint.law.evaluate(other, joint.design, r, J);
    joint.law.evaluate(theta, joint.design, r, J);
    expect(r).toEqual(want.r);
    expect(J).toEqual(want.J);
  });

  it('--share without --group-by, or of a parameter the law lacks, is an input error', async () => {
    await expect(runFit({ table, law: 'chinchilla', share: ['alpha'] })).rejects.toThrow(/--group-by/);
    await expect(runFit({ table, law: 'chinchilla', groupBy: 'eval_lang', share: ['gamma'] })).rejects.toThrow(InputError);
  });
});
