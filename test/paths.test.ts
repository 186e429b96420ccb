import { describe, expect, it } from 'vitest';
import { parseSweep } from '../pipeline/sweep/schema.ts';
import { jobName, labelOf } from '../pipeline/sweep/expand.ts';
import { InputError } from '../pipeline/io/types.ts';

// A sweep writes results/<sweep>/<job>/: neither part may climb out of the output folder.
describe('sweep output paths stay inside the output folder', () => {
  it('rejects sweep names that are or start with dots', () => {
    for (const name of ['..', '.', '.hidden', '../up']) {
      expect(() => parseSweep(`sweep: "${name}"\njobs:\n  - kind: reproduce\n    targets: [curse]\n`, 'configs/sweeps/x.yaml')).toThrow(InputError);
    }
    expect(() => parseSweep('sweep: ok.name-1\njobs:\n  - kind: reproduce\n    targets: [curse]\n', 'configs/sweeps/x.yaml')).not.toThrow();
  });

  it('job names never contain a path separator or start with a dot', () => {
    const labels = { holdout: labelOf('holdout', 'runs:../../etc,a/b'), config: labelOf('config', '../../x/../.secret.yaml'), fit: labelOf('fit', { fix: { E: 1 } }) };
    const name = jobName('../chinchilla', labels);
    expect(name).not.toMatch(/[\\/]/);
    expect(name.startsWith('.')).toBe(false);
    for (const part of name.split('@')) expect(part.startsWith('.')).toBe(false);
  });
});
