/**
 * The published package: `npm pack` the compiled build (dist/, which `npm ci` and `npm test`
 * build), unpack it into a scratch project's node_modules and use it as a user would: plain
 * `node` imports the library and runs the `atlas` bin, and `tsc --noEmit` type-checks a
 * TypeScript file that imports it under the tsconfig `tsc --init` writes. The scratch project reuses this
 * checkout's installed dependencies (symlinked), so nothing is downloaded.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

let scratch = '';
let installed = '';
let files: string[] = [];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'atlas-package-'));
  // dist/ is already built (npm ci's prepare, npm test's build): skip the prepare script here.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: root, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path);
  installed = join(scratch, 'node_modules', ...pkg.name.split('/'));
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(scratch, packed[0].filename), '-C', installed, '--strip-components=1']);
  // The package's dependencies (and typescript, @types/node for the consumer) from this checkout.
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name.startsWith('.')) continue;
    symlinkSync(join(root, 'node_modules', name), join(scratch, 'node_modules', name), 'dir');
  }
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the compiled library, its declarations, the bin, configs and datasets, and no sources or tests', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain(pkg.bin.atlas.replace(/^\.\//, ''));
    expect(files).toContain('dist/fitting/worker.mjs');
    expect(files).toContain('dist/report/plots/fonts/DejaVuSans.ttf');
    expect(files).toContain('configs/epoch-chinchilla.yaml');
    expect(files.some((f) => f.startsWith('datasets/epoch-chinchilla/'))).toBe(true);
    expect(files.filter((f) => /^(pipeline|test|scripts|bench)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    expect(files).not.toContain('dist/.tsbuildinfo');
  });

  it('imports with plain node: fit, predict and the laws, without tsx', () => {
    writeFileSync(
      join(scratch, 'use.mjs'),
      `import { fit, predict, laws, VERSION } from '${pkg.name}';
const rows = [];
for (const params of [2e7, 6e7, 2e8, 6e8, 2e9]) for (const k of [5, 10, 20, 40]) {
  const tokens = params * k;
  rows.push({ run_id: 'N' + params + '-D' + tokens, params, tokens, loss: 1.69 + 406.4 / params ** 0.34 + 410.7 / tokens ** 0.28 });
}
const { values, artifact } = await fit(rows, { law: 'chinchilla', objective: 'lsq', starts: 'init', init: { E: 1.5, A: 300, B: 300, alpha: 0.3, beta: 0.3 } });
const [loss] = predict(artifact, [{ params: 7e10, tokens: 1.4e12 }]);
console.log(JSON.stringify({ version: VERSION, laws: Object.keys(laws), converged: artifact.fit.converged, E: values.E, loss }));
`,
    );
    const run = spawnSync(process.execPath, ['use.mjs'], { cwd: scratch, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { version: string; laws: string[]; converged: boolean; E: number; loss: number };
    expect(out.version).toBe(pkg.version);
    expect(out.laws).toContain('chinchilla');
    expect(out.converged).toBe(true);
    // Noise-free rows from Hoffmann et al. (2022) Approach 3's law (E 1.69, A 406.4, B 410.7, α 0.34, β 0.28).
    expect(Math.abs(out.E / 1.69 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(out.loss - (1.69 + 406.4 / 7e10 ** 0.34 + 410.7 / 1.4e12 ** 0.28))).toBeLessThan(1e-6);
  });

  it('runs the installed atlas bin on a shipped config (workers and datasets resolve from the package)', () => {
    const bin = join(installed, pkg.bin.atlas);
    const version = spawnSync(process.execPath, [bin, '--version'], { cwd: scratch, encoding: 'utf8' });
    expect(version.stdout.trim()).toBe(pkg.version);
    const fit = spawnSync(process.execPath, [bin, 'fit', '--config', join(installed, 'configs', 'gadre-overtraining.yaml'), '--bootstrap', '20', '--out', 'fit'], { cwd: scratch, encoding: 'utf8' });
    expect(fit.status, fit.stderr).toBe(0);
    expect(fit.stdout).toMatch(/^status: converged/m);
    expect(JSON.parse(readFileSync(join(scratch, 'fit', 'coefficients.json'), 'utf8')).law).toBe('chinchilla');
  });

  it('type-checks from TypeScript under the tsconfig `tsc --init` writes (strict, NodeNext)', () => {
    writeFileSync(
      join(scratch, 'use.ts'),
      `import { fit, predict, ingest, type FitOutput, type RowInput } from '${pkg.name}';
const rows: RowInput[] = [{ run_id: 'a', params: 1e8, tokens: 2e9, loss: 3.1 }];
const table = ingest.rows(rows);
const output: Promise<FitOutput> = fit(table, { law: 'chinchilla', starts: 'init' });
export const losses: Promise<number[]> = output.then(({ artifact }) => predict(artifact, [{ params: 1e9, tokens: 2e10 }]));
`,
    );
    execFileSync(process.execPath, [tsc, '--init'], { cwd: scratch, encoding: 'utf8' });
    const defaults = spawnSync(process.execPath, [tsc, '--noEmit', '-p', '.'], { cwd: scratch, encoding: 'utf8' });
    expect(defaults.stdout + defaults.stderr).toBe('');
    expect(defaults.status).toBe(0);
  }, 180_000);
});
