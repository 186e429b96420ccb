/**
 * The report opened in a real browser: headless Chromium (Debian's `chromium`, installed by
 * scripts/ensure-chromium.sh when missing) loads report.html from disk with no network and
 * `--dump-dom`s it. A checker script is appended to a copy of the page; it measures every mark of
 * every inlined SVG with getBBox() and writes the counts into the DOM, so the test sees what the
 * browser actually laid out. Any console message fails the test (the page itself has no script).
 * Skipped, with the reason printed, when Chromium cannot be installed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../pipeline/report/report.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'test', 'fixtures', 'report');

/** The flags the report's browser checks use: headless, no sandbox, nothing reaching the network. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-logging=stderr', '--v=0',
];

const ensure = spawnSync('bash', [join(ROOT, 'scripts', 'ensure-chromium.sh'), '120'], { encoding: 'utf8', timeout: 150_000 });
const browser = ensure.status === 0 ? ensure.stdout.trim().split('\n').pop()! : null;
if (!browser) {
  console.warn(`report.browser.test: skipped: Chromium is not available (${(ensure.stderr || ensure.error?.message || 'unknown reason').trim().split('\n').pop()})`);
}

const CHECKER = `<script>
(() => {
  const figures = [...document.querySelectorAll('figure')];
  const result = figures.map((figure) => {
    const svg = figure.querySelector('svg');
    if (!svg) return { id: figure.id, svg: false, marks: 0, drawn: 0, width: 0, height: 0 };
    const marks = [...svg.querySelectorAll('.role-mark > *')].filter((m) => !m.closest('.role-legend') && !m.closest('.role-axis'));
    let drawn = 0;
    for (const m of marks) { const b = m.getBBox(); if (b.width > 0 || b.height > 0) drawn++; }
    const r = svg.getBoundingClientRect();
    return { id: figure.id, svg: true, marks: marks.length, drawn, width: Math.round(r.width), height: Math.round(r.height) };
  });
  document.body.setAttribute('data-check', JSON.stringify({ svgs: document.querySelectorAll('svg').length, figures: result }));
})();
</script>`;

interface Check {
  svgs: number;
  figures: { id: string; svg: boolean; marks: number; drawn: number; width: number; height: number }[];
}

function openInChromium(html: string, dir: string): { check: Check; console: string[] } {
  const page = join(dir, 'report.checked.html');
  writeFileSync(page, html.replace('</body>', `${CHECKER}</body>`));
  const profile = mkdtempSync(join(tmpdir(), 'atlas-chromium-'));
  try {
    const run = spawnSync(browser!, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--dump-dom', pathToFileURL(page).href], { encoding: 'utf8', timeout: 25_000, maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`chromium exited with ${run.status}: ${run.stderr.slice(-2000)}`);
    const match = run.stdout.match(/data-check="([^"]*)"/);
    if (!match) throw new Error('the checker did not run (no data-check attribute in the dumped DOM)');
    const json = match[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const consoleLines = run.stderr.split('\n').filter((line) => /CONSOLE|Failed to load resource|net::ERR_/.test(line));
    return { check: JSON.parse(json) as Check, console: consoleLines };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

describe.skipIf(!browser)('report in headless Chromium', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'atlas-report-browser-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const built: Record<string, { html: string; plots: number; dir: string }> = {};

  beforeAll(async () => {
    for (const name of ['fit', 'sweep']) {
      const dir = join(scratch, name);
      cpSync(join(FIXTURES, name), dir, { recursive: true });
      const result = await buildReport(dir, { png: false });
      built[name] = { html: readFileSync(result.path, 'utf8'), plots: result.plots, dir };
    }
  });

  for (const name of ['fit', 'sweep']) {
    it(`renders every plot of the ${name} report with visible marks and no console message`, () => {
      const { html, plots, dir } = built[name];
      const { check, console } = openInChromium(html, dir);
      if (process.env.ATLAS_DEBUG) process.stderr.write(`${JSON.stringify(check)}\n`);
      expect(console).toEqual([]);
      expect(check.figures).toHaveLength(plots);
      expect(check.svgs).toBe(plots);
      for (const figure of check.figures) {
        expect(figure.svg, figure.id).toBe(true);
        expect(figure.width, figure.id).toBeGreaterThan(100);
        expect(figure.height, figure.id).toBeGreaterThan(50);
        expect(figure.drawn, `${figure.id}: marks with a non-empty box`).toBeGreaterThan(0);
      }
    }, 30_000);
  }
});
