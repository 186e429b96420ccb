import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import yargs, { type CommandModule } from 'yargs';
import { fitCommand } from '../pipeline/commands/fit.ts';
import { predictCommand } from '../pipeline/commands/predict.ts';
import { validateCommand } from '../pipeline/commands/validate.ts';
import { useTempDirs } from './helpers/command.ts';

const tempDir = useTempDirs();

/** Run one command module in process; resolves to what it printed on stdout and stderr. */
async function run(command: CommandModule<any, any>, argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; });
  try {
    await yargs(argv).command(command).strict().fail((msg, e) => { throw e ?? new Error(msg); }).parseAsync();
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

/** Runs of a Chinchilla-like law up to N = 1.4e9 with 1 % noise (deterministic). */
function runsCsv(): string {
  const lines = ['run_id,params,tokens,loss'];
  let k = 0;
  for (const n of [7e7, 1.4e8, 3.5e8, 7e8, 1.4e9]) {
    for (const m of [5, 10, 20, 40]) {
      const d = n * m;
      const loss = 1.69 + 406.4 / n ** 0.34 + 410.7 / d ** 0.28;
      lines.push(`r${k},${n},${d},${loss * (1 + 0.01 * Math.sin(7 * k++))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('atlas predict on a fitted artifact', () => {
  it('prints intervals and extrapolation distances, warns beyond 10x, and fits write the same bytes twice', async () => {
    const dir = tempDir('atlas-predict-');
    const data = join(dir, 'runs.csv');
    writeFileSync(data, runsCsv());
    const fitArgs = (out: string) => ['fit', '--data', data, '--law', 'chinchilla', '--starts', 'init', '--bootstrap', '20', '--seed', '3', '--out', out, '--allow-outside'];
    const fit = await run(fitCommand, fitArgs(join(dir, 'a')));
    expect(fit.stderr).toMatch(/bootstrap\.csv/);
    await run(fitCommand, fitArgs(join(dir, 'b')));
    for (const file of ['coefficients.json', 'bootstrap.csv', 'predictions.csv']) {
      expect(readFileSync(join(dir, 'b', file), 'utf8')).toBe(readFileSync(join(dir, 'a', file), 'utf8'));
    }
    const coefficients = join(dir, 'a', 'coefficients.json');
    const artifact = JSON.parse(readFileSync(coefficients, 'utf8'));
    expect(artifact.bootstrap_draws).toEqual({ samples: 20, seed: 3, file: 'bootstrap.csv' });
    expect(artifact.data.ranges.params).toEqual([7e7, 1.4e9]);
    expect(artifact.residuals.space).toBe('log');
    expect(Object.values(artifact.params).every((p: any) => p.not_identified === false)).toBe(true);
    expect(existsSync(join(dir, 'a', 'bootstrap.csv'))).toBe(true);

    const far = await run(predictCommand, ['predict', '--coefficients', coefficients, '--params', '7e14', '--tokens', '1.4e20', '--json']);
    const json = JSON.parse(far.stdout);
    expect(json.interval).toBe('bootstrap+residual');
    const [point] = json.points;
    expect(point.lo95).toBeLessThan(point.loss);
    expect(point.hi95).toBeGreaterThan(point.loss);
    expect(point.extrapolation.params_ratio).toBeCloseTo(5e5, 6);
    expect(far.stderr).toMatch(/atlas: warning: point 1 \(N = 7\.000e\+14, D = 1\.400e\+20\) lies .*× outside the fitted data/);

    const near = await run(predictCommand, ['predict', '--coefficients', coefficients, '--params', '1e8,2e8', '--tokens', '2e9', '--csv']);
    const lines = near.stdout.trim().split('\n');
    expect(lines[0]).toBe('params,tokens,eval_lang,loss,lo95,hi95,n_over_nmax,d_over_dmax,c_over_cmax');
    expect(lines).toHaveLength(3);
    expect(near.stderr).not.toMatch(/warning/);

    const points = join(dir, 'points.csv');
    writeFileSync(points, 'params,tokens\n1e8,2e9\n7e14,1.4e20\n');
    const fromFile = JSON.parse((await run(predictCommand, ['predict', '--coefficients', coefficients, '--points', points, '--json'])).stdout);
    expect(fromFile.points.map((p: any) => p.params)).toEqual([1e8, 7e14]);
    expect(fromFile.points[0].loss).toBe(JSON.parse((await run(predictCommand, ['predict', '--coefficients', coefficients, '--params', '1e8', '--tokens', '2e9', '--json'])).stdout).points[0].loss);

    const validated = JSON.parse((await run(validateCommand, ['validate', '--coefficients', coefficients, '--data', data, '--json'])).stdout);
    expect(validated.coverage95).toBeGreaterThan(0.8);
    expect(validated.coverage95).toBeLessThanOrEqual(1);
    expect(Math.abs(validated.bias)).toBeLessThan(0.01);
  });
});
