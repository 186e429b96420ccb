/**
 * Make the report screenshots in docs/, photographing the whole page at 1280 px with headless
 * Chromium:
 *
 * - docs/report.png (default): fit the shipped Epoch AI digitisation of Chinchilla's runs
 *   (configs/epoch-chinchilla.yaml, largest 20 % of model sizes held out, 200 bootstrap
 *   resamples) and build `atlas report` over the fit folder;
 * - docs/report-sweep.png (`--sweep`): run the default sweep (configs/default.yaml, what
 *   `npm start` runs) and build its report;
 * - `--from DIR`: rebuild and photograph the report of an existing fit or sweep folder.
 *
 *   npx tsx scripts/report-screenshot.ts [--sweep | --from DIR] [OUT.png] [--keep DIR]
 *
 * Chromium comes from scripts/ensure-chromium.sh (installed with apt-get when missing). The fit
 * or sweep and its report go to a temporary folder (or DIR with --keep).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const keepAt = args.indexOf('--keep');
const keep = keepAt >= 0 ? resolve(args[keepAt + 1]) : null;
const fromAt = args.indexOf('--from');
const from = fromAt >= 0 ? resolve(args[fromAt + 1]) : null;
const sweep = args.includes('--sweep');
const positional = args.filter((a, i) => a !== '--sweep' && (keepAt < 0 || (i !== keepAt && i !== keepAt + 1)) && (fromAt < 0 || (i !== fromAt && i !== fromAt + 1)));
const out = resolve(positional[0] ?? join(ROOT, 'docs', sweep ? 'report-sweep.png' : 'report.png'));

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--hide-scrollbars', '--force-device-scale-factor=1',
];
const WIDTH = 1280;

function run(command: string, argv: string[], what: string): string {
  const result = spawnSync(command, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  if (result.status !== 0) {
    process.stderr.write(result.stderr ?? '');
    throw new Error(`${what} failed (exit ${result.status ?? result.signal})`);
  }
  return result.stdout;
}

function chromium(browser: string, extra: string[], page: string): string {
  const profile = mkdtempSync(join(tmpdir(), 'atlas-chromium-'));
  try {
    return run(browser, [...FLAGS, `--user-data-dir=${profile}`, ...extra, pathToFileURL(page).href], 'chromium');
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

const browser = run('bash', [join(ROOT, 'scripts', 'ensure-chromium.sh'), '600'], 'ensure-chromium').trim().split('\n').pop()!;
const work = from ? null : keep ?? mkdtempSync(join(tmpdir(), 'atlas-report-shot-'));
const dir = from ?? join(work!, sweep ? 'default' : 'epoch-chinchilla');
const atlas = (argv: string[], what: string) => run(process.execPath, [join(ROOT, 'bin', 'atlas.mjs'), ...argv], what);
try {
  if (from) {
    process.stderr.write(`building the report of ${dir}\n`);
  } else if (sweep) {
    process.stderr.write(`running configs/default.yaml into ${dir} (a few minutes)\n`);
    atlas(['sweep', 'configs/default.yaml', '--out', dir, '--no-report', '--allow-outside'], 'atlas sweep');
  } else {
    process.stderr.write(`fitting configs/epoch-chinchilla.yaml into ${dir}\n`);
    atlas(['fit', '--config', 'configs/epoch-chinchilla.yaml', '--holdout', 'top-params:0.2', '--bootstrap', '200', '--out', dir, '--allow-outside'], 'atlas fit');
  }
  atlas(['report', dir, '--no-png', '--allow-outside'], 'atlas report');
  const page = join(dir, 'report.html');
  // Measure the page's height at the screenshot width, then photograph all of it.
  const probe = join(dir, 'report.height.html');
  writeFileSync(probe, readFileSync(page, 'utf8').replace('</body>', '<script>document.body.setAttribute("data-height", String(document.documentElement.scrollHeight));</script></body>'));
  const dom = chromium(browser, [`--window-size=${WIDTH},1000`, '--dump-dom'], probe);
  const height = Number(/data-height="(\d+)"/.exec(dom)?.[1] ?? 'NaN');
  rmSync(probe, { force: true });
  if (!(height > 0)) throw new Error('could not measure the page height');
  chromium(browser, [`--window-size=${WIDTH},${height}`, `--screenshot=${out}`], page);
  process.stderr.write(`wrote ${out} (${WIDTH}×${height})\n`);
} finally {
  if (work && !keep) rmSync(work, { recursive: true, force: true });
}
