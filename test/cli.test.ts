/**
 * The command line: flags are checked before any work (a mistyped flag used to run the whole fit
 * and write its folder before failing), results on stdout, exit codes returned, commands loaded
 * lazily, and the compiled `atlas` executable.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import { nearest, skipHelpCache } from '../pipeline/cli.ts';
import { commands, topLevelHelp } from '../pipeline/commands/index.ts';
import { runAtlas as atlas, useTempDirs } from './helpers/command.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = useTempDirs()('atlas-cli-');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;


describe('flags are checked before any work', () => {
  it('a mistyped flag exits 2 with the nearest flag and writes nothing (regression: it fitted and wrote DIR first)', async () => {
    const out = join(tmp, 'typo');
    const run = await atlas(['fit', '--config', join(root, 'configs/gadre-overtraining.yaml'), '--boostrap', '100', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('atlas: unknown flag --boostrap: did you mean --bootstrap? (`atlas fit --help` lists the flags)\n');
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses numbers that do not parse, values outside the choices, surplus arguments and unknown commands', async () => {
    const config = join(root, 'configs/gadre-overtraining.yaml');
    const nan = await atlas(['fit', '--config', config, '--bootstrap', 'many', '--out', join(tmp, 'nan')]);
    expect([nan.code, nan.stderr]).toEqual([2, 'atlas: --bootstrap: expected a number (e.g. --bootstrap 100)\n']);
    const choice = await atlas(['fit', '--config', config, '--objective', 'hubr']);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toMatch(/Invalid values:[\s\S]*Given: "hubr", Choices: "huber"/);
    const extra = await atlas(['predict', '--coefficients', 'x.json', '--params', '1e9', '--tokens', '2e10', 'extra']);
    expect([extra.code, extra.stderr]).toEqual([2, 'atlas: unexpected argument "extra" (`atlas predict --help` lists the flags)\n']);
    const command = await atlas(['fti']);
    expect([command.code, command.stderr]).toEqual([2, 'atlas: unknown command "fti": did you mean fit?\n']);
    const missing = await atlas(['predict', '--params', '1e9']);
    expect([missing.code, missing.stderr]).toEqual([2, 'atlas: Missing required argument: coefficients\n']);
    expect(existsSync(join(tmp, 'nan'))).toBe(false);
  });

  it('suggests a flag only when it is close', () => {
    expect(nearest('boostrap', ['bootstrap', 'seed', 'out'])).toBe('bootstrap');
    expect(nearest('hodlout', ['holdout', 'law'])).toBe('holdout');
    expect(nearest('xyz', ['bootstrap', 'holdout'])).toBeNull();
  });
});

describe('results on stdout, exit codes returned', () => {
  it('fit prints its summary on stdout and the files it wrote on stderr; exit 0', async () => {
    const out = join(tmp, 'fit');
    const run = await atlas(['fit', '--config', join(root, 'configs/gadre-overtraining.yaml'), '--out', out, '--allow-outside']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^chinchilla on 35 rows/);
    expect(run.stdout).toMatch(/^status: converged/m);
    expect(run.stderr).toMatch(/^wrote .*coefficients\.json/m);
    const validate = await atlas(['validate', '--coefficients', join(out, 'coefficients.json'), '--config', join(root, 'configs/gadre-overtraining.yaml')]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/^chinchilla: rows 35, R² /);
  });

  it('a fit that does not converge returns 1 (no module-level exit state)', async () => {
    const run = await atlas(['fit', '--config', join(root, 'configs/gadre-overtraining.yaml'), '--starts', 'init', '--max-iterations', '1', '--out', join(tmp, 'short'), '--allow-outside']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/did not converge \(max-iterations/);
    const next = await atlas(['predict', '--coefficients', join(tmp, 'fit', 'coefficients.json'), '--params', '1e9', '--tokens', '2e10']);
    expect(next.code).toBe(0);
    // one row: N, D, lang, loss, interval, extrapolation ratios
    expect(Number(next.stdout.trim().split('\n')[1]!.trim().split(/\s+/)[3])).toBeGreaterThan(1);
  });
});

describe('commands', () => {
  it('each module has the name and description --help shows without loading it', async () => {
    for (const entry of commands) {
      const module = await entry.load();
      expect(String(module.command).split(' ')[0], entry.name).toBe(entry.name);
      expect(module.describe, entry.name).toBe(entry.describe);
    }
  });

  it('the compiled executable answers --version and --help, and runs a command', () => {
    const bin = join(root, 'bin', 'atlas.mjs');
    expect(spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).stdout).toBe(`${version}\n`);
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(topLevelHelp());
    for (const entry of commands) expect(help.stdout).toMatch(new RegExp(`^  atlas ${entry.name} +${entry.describe.slice(0, 20).replace(/[()[\]^$.*+?|\\]/g, '\\$&')}`, 'm'));
    const out = join(tmp, 'bin-typo');
    const typo = spawnSync(process.execPath, [bin, 'fit', '--config', join(root, 'configs/gadre-overtraining.yaml'), '--boostrap', '100', '--out', out], { encoding: 'utf8' });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/did you mean --bootstrap\?/);
    expect(existsSync(out)).toBe(false);
  });

  it('speaks English under any locale, so a mistyped flag still gets the nearest one (regression: LANG=de_DE lost it)', async () => {
    const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
    try {
      process.env.LANG = process.env.LC_ALL = 'de_DE.UTF-8';
      const run = await atlas(['fit', 'runs.csv', '--lawx', 'chinchilla']);
      expect([run.code, run.stderr]).toEqual([2, 'atlas: unknown flag --lawx: did you mean --law? (`atlas fit --help` lists the flags)\n']);
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key]; else process.env[key] = value;
    }
    const bin = join(root, 'bin', 'atlas.mjs');
    for (const lang of ['de_DE.UTF-8', 'fr_FR.UTF-8', 'C']) {
      const run = spawnSync(process.execPath, [bin, 'fit', 'runs.csv', '--lawx', 'chinchilla'], { encoding: 'utf8', env: { ...process.env, LANG: lang, LC_ALL: lang } });
      expect([run.status, run.stderr], lang).toEqual([2, 'atlas: unknown flag --lawx: did you mean --law? (`atlas fit --help` lists the flags)\n']);
    }
  });
});

describe('start-up', () => {
  it('does not render the command\'s help before running it (yargs does, unless told not to)', async () => {
    const usageOf = (y: object) => (y as { getInternalMethods(): { getUsageInstance(): { help(): string } } }).getInternalMethods().getUsageInstance();
    const ran: string[] = [];
    const make = () => yargs(['go', '--n', '2']).command('go', 'a command', { n: { type: 'number' } }, (args) => void ran.push(`go ${args.n}`)).strict().help();
    // yargs' own behaviour, so that this test notices if a yargs release stops caching the help.
    const plain = make();
    const plainHelp = vi.spyOn(usageOf(plain), 'help');
    await plain.parseAsync();
    expect(plainHelp).toHaveBeenCalledTimes(1);
    const atlasParser = make();
    const atlasHelp = vi.spyOn(usageOf(atlasParser), 'help');
    skipHelpCache(atlasParser);
    await atlasParser.parseAsync();
    expect(atlasHelp).not.toHaveBeenCalled();
    expect(ran).toEqual(['go 2', 'go 2']);
  });
});
