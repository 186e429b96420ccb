import { describe, expect, it } from 'vitest';
import { DEFAULT_FIT_OPTIONS, mergeFitOptions, resolveFitOptions } from '../../pipeline/fitting/options.ts';

describe('fit option layers', () => {
  it('merge per-parameter maps key by key and replace scalars (config fix + command-line fix both hold)', () => {
    const config = { objective: 'lsq' as const, fix: { E: 1.69, alpha: 0.3 }, tie: { beta: 'alpha' } };
    const flags = { fix: { alpha: 0.34 }, seed: 7 };
    expect(mergeFitOptions(config, flags)).toEqual({ objective: 'lsq', fix: { E: 1.69, alpha: 0.34 }, tie: { beta: 'alpha' }, seed: 7 });
  });

  it('resolve over the defaults without changing them', () => {
    const resolved = resolveFitOptions({ fix: { E: 2 } }, { starts: 'init' });
    expect(resolved.fix).toEqual({ E: 2 });
    expect(resolved.starts).toBe('init');
    expect(resolved.objective).toBe('huber');
    expect(DEFAULT_FIT_OPTIONS.fix).toEqual({});
  });
});
