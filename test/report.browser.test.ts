/**
 * The report opened in a real browser: headless Chromium (Debian's `chromium`, installed by
 * scripts/ensure-chromium.sh when missing) loads report.html from disk with no network, in a
 * 1280 px wide window, and `--dump-dom`s it. A checker script is appended to a copy of the page;
 * it measures what the browser laid out and writes it into the DOM: every mark of every inlined
 * SVG (getBBox()), the page's and each figure's horizontal overflow, every text of an SVG that
 * falls outside the SVG (a clipped title or legend), and each plot's axis titles. Any console
 * message fails the test (the page itself has no script). Reports checked: the fit and sweep
 * fixtures, and a grouped fit with its bootstrap draws (corner plots, intervals per group).
 * Skipped, with the reason printed, when Chromium cannot be installed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../pipeline/report/report.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { stableJson } from '../pipeline/io/atomic.ts';
import { chinchillaLoss } from '../pipeline/report/plots/law_plots.ts';
import { mulberry32 } from '../pipeline/report/plots/format.ts';
import { drawsCsv } from '../pipeline/io/artifact.ts';

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
    const outside = [...svg.querySelectorAll('text')].filter((t) => {
      const b = t.getBoundingClientRect();
      return t.textContent.trim() !== '' && (b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1 || b.bottom > r.bottom + 1);
    }).map((t) => t.textContent.trim());
    const axisTitles = [...svg.querySelectorAll('.role-axis-title text')].map((t) => t.textContent.trim()).filter((t) => t !== '');
    return { id: figure.id, svg: true, marks: marks.length, drawn, width: Math.round(r.width), height: Math.round(r.height),
      overflow: figure.scrollWidth - figure.clientWidth, outside, axisTitles };
  });
  const root = document.documentElement;
  document.body.setAttribute('data-check', JSON.stringify({ svgs: document.querySelectorAll('svg').length, viewport: root.clientWidth, pageOverflow: root.scrollWidth - root.clientWidth, figures: result }));
})();
</script>`;

interface Check {
  svgs: number;
  viewport: number;
  pageOverflow: number;
  figures: { id: string; svg: boolean; marks: number; drawn: number; width: number; height: number; overflow: number; outside: string[]; axisTitles: string[] }[];
}

/** Window width the page is checked at. */
const WIDTH = 1280;

function openInChromium(html: string, dir: string): { check: Check; console: string[] } {
  const page = join(dir, 'report.checked.html');
  writeFileSync(page, html.replace('</body>', `${CHECKER}</body>`));
  const profile = mkdtempSync(join(tmpdir(), 'atlas-chromium-'));
  try {
    const run = spawnSync(browser!, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--window-size=${WIDTH},1000`, '--hide-scrollbars', '--dump-dom', pathToFileURL(page).href], { encoding: 'utf8', timeout: 25_000, maxBuffer: 64 << 20 });
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
    // A grouped fit with its bootstrap draws: corner plots and intervals per group.
    const dir = join(scratch, 'grouped');
    mkdirSync(dir, { recursive: true });
    const uniform = mulberry32(3);
    const truth = { E: 1.8, A: 400, B: 410.7, alpha: 0.34, beta: 0.28 };
    const lines = ['run_id,params,tokens,eval_lang,loss'];
    for (const [lang, shift] of [['en', 0], ['fr', 0.2]] as const) {
      for (const n of [5e7, 1e8, 2e8, 4e8, 8e8]) for (const k of [2, 5, 10, 20, 40]) lines.push(`r${n}x${k},${n},${n * k},${lang},${(chinchillaLoss(truth, n, n * k) + shift) * Math.exp(0.02 * (uniform() - 0.5))}`);
    }
    const fit = await runFit({ table: ingestText(`${lines.join('\n')}\n`, 'grouped.csv'), law: 'chinchilla', groupBy: 'eval_lang', fit: { starts: 'init', init: truth, bootstrap: 30, seed: 5 } });
    writeFileSync(join(dir, 'coefficients.json'), stableJson(fit.artifact));
    writeFileSync(join(dir, 'predictions.csv'), fit.predictions);
    writeFileSync(join(dir, 'bootstrap.csv'), drawsCsv(fit.draws!));
    const result = await buildReport(dir, { png: false });
    built.grouped = { html: readFileSync(result.path, 'utf8'), plots: result.plots, dir };
  }, 60_000);

  for (const name of ['fit', 'sweep', 'grouped']) {
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
        // fits the page: no horizontal scrolling inside the figure, no text cut off at the SVG's edge
        expect(figure.overflow, `${figure.id}: wider than the page by`).toBeLessThanOrEqual(0);
        expect(figure.outside, `${figure.id}: texts outside the plot`).toEqual([]);
        // every plot names its axes (x and y at least)
        expect(figure.axisTitles.length, `${figure.id}: axis titles ${JSON.stringify(figure.axisTitles)}`).toBeGreaterThanOrEqual(2);
      }
      expect(check.viewport).toBeGreaterThan(WIDTH - 40);
      expect(check.pageOverflow, 'the page scrolls sideways at 1280 px').toBeLessThanOrEqual(0);
    }, 30_000);
  }
});
