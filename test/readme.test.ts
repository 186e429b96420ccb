/**
 * Every command the README shows runs, in the order a reader meets them: the lines of its ```sh
 * blocks and the examples of its command table, in a scratch copy of the checkout. A few long
 * commands run in the quick form the README documents beside them (QUICK below; each quick form
 * must appear in the README). Afterwards nothing may have been written outside results/.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** README command → the quick form the test runs (documented in the README next to it). */
const QUICK: Record<string, string> = {
  'npm start': 'npm start -- --shard 2/4',
  'atlas fit --config configs/epoch-chinchilla.yaml --bootstrap 1000 --out results/epoch': 'atlas fit --config configs/epoch-chinchilla.yaml --bootstrap 100 --out results/epoch',
  'atlas reproduce chinchilla datablations nist': 'atlas reproduce chinchilla datablations nist --quick',
  'atlas protocol --config configs/manpages-protocol.yaml --out results/manpages-protocol': 'atlas protocol --config configs/manpages-protocol.yaml --laws chinchilla --starts 8 --out results/manpages-protocol',
  'atlas fit --config configs/manpages-curse.yaml --out results/curse-manpages': 'atlas fit --config configs/manpages-curse.yaml --bootstrap 0 --starts 8 --out results/curse-manpages',
  'atlas backtest --config configs/manpages-mono.yaml --out results/backtest-manpages': 'atlas backtest --config configs/manpages-mono.yaml --laws chinchilla --policies drop-early:0.5 --starts 8 --out results/backtest-manpages',
  'atlas sweep configs/sweeps/shipped-grid.yaml --jobs 2': 'atlas sweep configs/sweeps/shipped-grid.yaml --jobs 2 --shard 9/10',
};

/** Set-up commands the scratch copy does not rerun: it shares this checkout's installation, and `npm test` is this suite. */
const SETUP = new Set(['npm ci', 'npm test']);

/** The commands of the README's ```sh blocks and of its command table, in order, `&&` chains split. */
function readmeCommands(text: string): string[] {
  const out: string[] = [];
  let inSh = false;
  let inTable = false;
  for (const line of text.split('\n')) {
    if (/^```sh\s*$/.test(line)) { inSh = true; continue; }
    if (inSh && /^```/.test(line)) { inSh = false; continue; }
    if (inSh) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command) out.push(...command.split(' && ').map((c) => c.trim()));
      continue;
    }
    if (/^\| command \| example \|/.test(line)) { inTable = true; continue; }
    if (inTable && !line.startsWith('|')) inTable = false;
    if (inTable && !/^\|-/.test(line)) {
      const example = line.split(' | ')[1] ?? '';
      const code = /^`([^`]+)`/.exec(example.trim());
      if (code) out.push(...code[1].split(' && ').map((c) => c.trim()));
    }
  }
  return out.map((c) => c.replace(/^npx --no -- atlas /, 'atlas '));
}

let scratch = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'atlas-readme-'));
  for (const name of readdirSync(root)) {
    if (['.git', 'node_modules', 'results'].includes(name)) continue;
    cpSync(join(root, name), join(scratch, name), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  mkdirSync(join(scratch, 'results'));
  // `atlas` on PATH, as after `npm install -g` or through npx.
  mkdirSync(join(scratch, '.bin'));
  writeFileSync(join(scratch, '.bin', 'atlas'), `#!/bin/sh\nexec "${process.execPath}" "${join(scratch, 'bin', 'atlas.mjs')}" "$@"\n`);
  chmodSync(join(scratch, '.bin', 'atlas'), 0o755);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('README commands', () => {
  const commands = readmeCommands(readme);

  it('finds the quick start, the command table and every quick form in the README', () => {
    expect(commands).toContain('npm start');
    expect(commands.filter((c) => c.startsWith('atlas ')).length).toBeGreaterThanOrEqual(12);
    for (const [command, quick] of Object.entries(QUICK)) {
      expect(commands, command).toContain(command);
      expect(readme.replace(/npx --no -- atlas /g, 'atlas ').replace(/\s+/g, ' '), `README documents the quick form of ${command}`).toContain(quick);
    }
  });

  it('runs each, in order, in a scratch copy, writing only under results/', () => {
    const before = readdirSync(scratch).sort();
    const env = { ...process.env, PATH: `${join(scratch, '.bin')}:${process.env.PATH}`, FORCE_COLOR: '0' };
    for (const command of commands) {
      if (SETUP.has(command)) continue;
      const run = QUICK[command] ?? command;
      const started = performance.now();
      const result = spawnSync('bash', ['-c', run], { cwd: scratch, env, encoding: 'utf8', maxBuffer: 64 << 20 });
      const seconds = (performance.now() - started) / 1000;
      expect(result.status, `${run} (${seconds.toFixed(1)} s)\n${result.stderr.slice(-2000)}`).toBe(0);
      expect(result.stdout.trim().length, `${run} prints its results on stdout`).toBeGreaterThan(0);
      if (process.env.ATLAS_README_TIMES) process.stderr.write(`${seconds.toFixed(1).padStart(6)} s  ${run}\n`);
    }
    expect(readdirSync(scratch).sort()).toEqual(before);
  }, 600_000);
});
