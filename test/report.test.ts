/**
 * `atlas report DIR`: page content, plots, PNG export, determinism, bad input, and the closed-form
 * geometry behind the iso-loss plot. Fixtures under test/fixtures/report/ follow the files that
 * `atlas fit --out DIR` and `atlas sweep` write (coefficients.json, predictions.csv, job.json).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { reportCommand } from '../pipeline/commands/report.ts';
import { readArtifact } from '../pipeline/io/artifact.ts';
import { thinRows } from '../pipeline/report/plots/fit_plots.ts';
import { bandPlot, chinchillaLoss, chinchillaSets, computeOptimalND, isoLossTokens } from '../pipeline/report/plots/law_plots.ts';
import { prefixSvgIds, renderSvg } from '../pipeline/report/plots/render.ts';
import { buildReport } from '../pipeline/report/report.ts';
import { parsePredictions, readReportInputs } from '../pipeline/report/inputs.ts';
import { recomputeDraws } from '../pipeline/report/bootstrap.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { mulberry32 } from '../pipeline/report/plots/format.ts';
import { InputError } from '../pipeline/io/types.ts';

const FIXTURES = new URL('./fixtures/report/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'atlas-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
function copyFixture(name: string): string {
  const dir = join(scratch, `${counter++}`, name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** The inline SVGs of a page, in order. */
function svgsOf(html: string): string[] {
  return html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}

describe('report of a fit folder', () => {
  const dir = copyFixture('fit');
  const built = buildReport(dir);

  it('writes one self-contained page with every plot inlined and a PNG of each', async () => {
    const result = await built;
    expect(result.path).toBe(join(dir, 'report.html'));
    // loss-vs-tokens, parity, residuals, band, iso-loss, transfer
    expect(result.plots).toBe(6);
    const html = readFileSync(result.path, 'utf8');
    const svgs = svgsOf(html);
    expect(svgs).toHaveLength(6);
    for (const svg of svgs) expect(svg).toMatch(/class="mark-(symbol|line|area|rect|text)/);
    // nothing fetched: no scripts, stylesheets or images from anywhere
    expect(html).not.toMatch(/<script|<link|<img|<iframe/);
    expect(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(/https?:\/\//);
    const pngs = readdirSync(join(dir, 'plots')).sort();
    expect(pngs).toEqual(['band.png', 'iso-loss.png', 'loss-vs-tokens.png', 'parity.png', 'residuals.png', 'transfer.png']);
    for (const file of pngs) {
      expect(html).toContain(`href="plots/${file}"`);
      expect([...readFileSync(join(dir, 'plots', file)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
  });

  it('puts the fit status before the coefficients and shows intervals', async () => {
    const html = readFileSync((await built).path, 'utf8');
    const status = html.indexOf('fit status: converged');
    const table = html.indexOf('<h4>Coefficients');
    expect(status).toBeGreaterThan(0);
    expect(table).toBeGreaterThan(status);
    // alpha's bootstrap interval from the fixture artifact
    const artifact = readArtifact(join(dir, 'coefficients.json'));
    const [lo, hi] = artifact.params.alpha.ci95!;
    expect(html).toContain(`[${Number(lo.toPrecision(4))}, ${Number(hi.toPrecision(4))}]`);
  });

  it('gives ids unique across the page, so inlined SVGs do not share clip paths', async () => {
    const html = readFileSync((await built).path, 'utf8');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref[1]);
  });

  it('is byte-identical when built again from the same inputs', async () => {
    const first = readFileSync((await built).path);
    const firstPng = readFileSync(join(dir, 'plots', 'iso-loss.png'));
    await buildReport(dir);
    expect(readFileSync(join(dir, 'report.html')).equals(first)).toBe(true);
    expect(readFileSync(join(dir, 'plots', 'iso-loss.png')).equals(firstPng)).toBe(true);
  });
});

describe('report of a sweep folder', () => {
  it('lists every job with its status first, failed and non-converged jobs flagged', async () => {
    const dir = copyFixture('sweep');
    const result = await buildReport(dir, { png: false });
    const html = readFileSync(result.path, 'utf8');
    expect(existsSync(join(dir, 'plots'))).toBe(false);
    // R² across jobs, coefficients across jobs, loss and residuals as one panel per job
    expect(result.plots).toBe(4);
    expect(svgsOf(html)).toHaveLength(4);
    expect(html).toContain('One panel per job with predictions');
    expect(html).toContain('4 job(s), 3 failed, not converged or with checks out of tolerance');
    const rows = html.match(/<tr class="(ok|warn|bad)"><td>[^<]*<\/td><td>[^<]*<\/td><td><a href="#job-[^"]+">[^<]+/g) ?? [];
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^<tr class="ok"><td>ok<\/td><td>converged<\/td>.*chinchilla@epoch-huber$/);
    expect(rows[1]).toMatch(/^<tr class="bad"><td>failed<\/td><td>max-iterations \(NOT converged\)<\/td>.*chinchilla@epoch-lsq$/);
    // a reproduce job that ran but has a check out of tolerance is flagged too
    expect(rows[2]).toMatch(/^<tr class="bad"><td>ok<\/td><td><\/td>.*reproduce@chinchilla$/);
    expect(rows[3]).toMatch(/^<tr class="bad"><td>failed<\/td><td><\/td>.*reproduce@missing$/);
    expect(html).toContain('<td class="num">12/13</td>');
    expect(html).toContain('12 of 13 checks within tolerance');
    expect(html).toContain('fit did not converge: iteration cap reached');
  });
});

describe('report of transfer output alone', () => {
  it('draws the heatmap from transfer_matrix.csv, censored bounds marked', async () => {
    const dir = join(scratch, 'transfer-only');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(FIXTURES, 'fit', 'transfer.csv'), join(dir, 'unused.csv'), { recursive: true });
    writeFileSync(join(dir, 'transfer_matrix.csv'), 'target\\source,en,fr,de\nen,,0.25,>0.5\nfr,-0.1,,\nde,0.3,0.05,\n');
    const result = await buildReport(dir, { png: false });
    expect(result.plots).toBe(1);
    const html = readFileSync(result.path, 'utf8');
    expect(html).toContain('transfer_matrix.csv');
    expect(html).not.toContain('job(s)');
    // five measured cells labelled with their scores, one of them a censored lower bound
    const labels = [...svgsOf(html)[0].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const label of ['0.25', '&gt;0.5', '-0.1', '0.3', '0.05']) expect(labels).toContain(label);
  });
});

describe('bad input', () => {
  it('rejects a folder with neither a fit nor job folders, and writes nothing', async () => {
    const dir = join(scratch, 'empty');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(FIXTURES, 'fit', 'transfer.csv'), join(dir, 'unrelated.csv'), { recursive: true });
    await expect(buildReport(join(scratch, 'missing-folder'))).rejects.toThrow(InputError);
    await expect(buildReport(dir)).rejects.toThrow(/no coefficients\.json here/);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });

  it('names file, line and column of a bad predictions.csv and writes nothing', async () => {
    const dir = copyFixture('fit');
    const file = join(dir, 'predictions.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[3] = lines[3].replace(/^([^,]*),([^,]*),([^,]*),/, '$1,$2,-5,');
    writeFileSync(file, lines.join('\n'));
    await expect(buildReport(dir)).rejects.toThrow(`${file}:4: tokens: not a positive number: "-5"`);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    expect(existsSync(join(dir, 'plots'))).toBe(false);
    expect(() => parsePredictions('run_id,params,tokens,loss\nr,1,2,3\n', 'p.csv')).toThrow('p.csv:1: predicted: missing required column');
  });
});

describe('plot building blocks', () => {
  it('thins each series to log-spaced checkpoints, keeping its first and last', () => {
    const n = 200;
    const p = parsePredictions(
      ['run_id,params,tokens,eval_lang,loss,predicted,split', ...Array.from({ length: n }, (_, k) => `r,1e8,${(k + 1) * 1e7},en,${3 - k * 1e-3},3,train`)].join('\n'),
      'thin.csv',
    );
    const rows = Array.from({ length: n }, (_, i) => i);
    const kept = thinRows(p, rows, { maxPerSeries: 12 });
    expect(kept.length).toBeLessThanOrEqual(12);
    expect(kept.length).toBeGreaterThanOrEqual(8);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(n - 1);
    // log spacing: more of the kept points fall in the first tenth of the rows than an even (linear) thinning would keep
    expect(kept.filter((i) => i < n / 10).length).toBeGreaterThan(2);
    expect(thinRows(p, rows, { maxPerSeries: 12 })).toEqual(kept);
  });

  it('rewrites SVG ids per plot so two renders of one spec are identical', async () => {
    const spec = { data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] }, mark: { type: 'line', clip: true }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } } as never;
    const a = await renderSvg(spec, 'same');
    const b = await renderSvg(spec, 'same');
    expect(a).toBe(b);
    expect(a).toContain('id="plot-same-1"');
    expect(prefixSvgIds('<svg><clipPath id="clip7"/><g clip-path="url(#clip7)"/></svg>', 'p')).toBe('<svg><clipPath id="p-1"/><g clip-path="url(#p-1)"/></svg>');
  });

  it('solves iso-loss lines and the compute-optimal frontier of L = E + A/N^α + B/D^β', () => {
    // Coefficients of Epoch AI's Huber-likelihood refit of Chinchilla (Besiroglu et al. 2024,
    // arXiv:2404.10102): E=1.817, A=482.0, B=2085.4, α=0.348, β=0.366. Used as realistic inputs.
    const v = { E: 1.817, A: 482.0, B: 2085.4, alpha: 0.348, beta: 0.366 };
    for (const n of [1e9, 1e10, 1e11]) {
      const d = isoLossTokens(v, 2.5, n);
      expect(d).toBeGreaterThan(0);
      expect(chinchillaLoss(v, n, d)).toBeCloseTo(2.5, 10);
    }
    expect(isoLossTokens(v, 1.9, 1e7)).toBeNaN(); // below what a 10M model can reach
    for (const c of [1e20, 1e22, 1e24]) {
      const { n, d } = computeOptimalND(v, c);
      expect(6 * n * d).toBeCloseTo(c, -Math.log10(c) + 8);
      const at = (f: number) => chinchillaLoss(v, n * f, c / (6 * n * f));
      expect(at(1)).toBeLessThan(at(1.05));
      expect(at(1)).toBeLessThan(at(1 / 1.05));
    }
  });

  it('says which kind of uncertainty band it draws', () => {
    const inputs = readReportInputs(join(FIXTURES, 'fit'));
    const artifact = inputs.fits[0].artifact!;
    const set = chinchillaSets(artifact)[0];
    const marginal = bandPlot(artifact, set, inputs.fits[0].predictions, 'band')!;
    expect(marginal.caption).toContain('independent normal draws matched to each parameter');
    const draws = Object.fromEntries(['E', 'A', 'B', 'alpha', 'beta'].map((k) => [k, [0.98, 1, 1.02].map((f) => set.values[k as keyof typeof set.values] * f)]));
    const withDraws = { ...artifact, bootstrap: { draws } } as typeof artifact;
    const joint = bandPlot(withDraws, set, inputs.fits[0].predictions, 'band')!;
    expect(joint.caption).toContain('3 joint bootstrap parameter draws');
    const noBootstrap = { ...artifact, params: Object.fromEntries(Object.entries(artifact.params).map(([k, e]) => [k, { ...e, ci95: undefined, stderr: undefined }])) };
    expect(bandPlot(noBootstrap, chinchillaSets(noBootstrap)[0], null, 'band')).toBeNull();
  });
});

describe('uncertainty band from a real fit', () => {
  it('reruns the fit\u2019s bootstrap from predictions.csv and reproduces its intervals', async () => {
    // Synthetic runs from known coefficients with 1 % multiplicative noise (seeded).
    const truth = { E: 1.8, A: 400, B: 410.7, alpha: 0.34, beta: 0.28 };
    const uniform = mulberry32(7);
    const lines = ['run_id,params,tokens,loss'];
    for (const n of [5e7, 1e8, 2e8, 4e8, 8e8, 1.6e9]) {
      for (const k of [2, 5, 10, 20, 40]) {
        const d = n * k;
        lines.push(`r${n},${n},${d},${chinchillaLoss(truth, n, d) * Math.exp(0.02 * (uniform() - 0.5))}`);
      }
    }
    const table = ingestText(`${lines.join('\n')}\n`, 'synthetic.csv');
    const fit = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: truth, bootstrap: 40, seed: 3 }, holdout: 'top-params:0.2' });
    const dir = join(scratch, 'real-fit');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(FIXTURES, 'fit', 'transfer.csv'), join(dir, 'transfer.csv'), { recursive: true });
    writeFileSync(join(dir, 'coefficients.json'), JSON.stringify(fit.artifact));
    writeFileSync(join(dir, 'predictions.csv'), fit.predictions);
    const inputs = readReportInputs(dir);
    const draws = (await recomputeDraws(inputs.fits[0].artifact!, inputs.fits[0].predictions!))!;
    expect(draws.count).toBeGreaterThan(30);
    expect(draws.mismatch).toBeLessThan(0.02);
    const result = await buildReport(dir, { png: false });
    const html = readFileSync(result.path, 'utf8');
    expect(html).toContain('joint bootstrap parameter draws, recomputed by the report from predictions.csv');
    expect(html).not.toContain('independent normal draws');
  });
});

describe('uncertainty band of a grouped fit', () => {
  it('reruns each group\u2019s bootstrap on that group\u2019s rows', async () => {
    const truth = { E: 1.8, A: 400, B: 410.7, alpha: 0.34, beta: 0.28 };
    const uniform = mulberry32(11);
    const lines = ['run_id,params,tokens,eval_lang,loss'];
    for (const [lang, shift] of [['en', 0], ['fr', 0.2]] as const) {
      for (const n of [5e7, 1e8, 2e8, 4e8, 8e8]) {
        for (const k of [2, 5, 10, 20, 40]) {
          lines.push(`r${n},${n},${n * k},${lang},${(chinchillaLoss(truth, n, n * k) + shift) * Math.exp(0.02 * (uniform() - 0.5))}`);
        }
      }
    }
    const table = ingestText(`${lines.join('\n')}\n`, 'grouped.csv');
    const fit = await runFit({ table, law: 'chinchilla', groupBy: 'eval_lang', fit: { starts: 'init', init: truth, bootstrap: 30, seed: 5 } });
    const dir = join(scratch, 'grouped-fit');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(FIXTURES, 'fit', 'transfer.csv'), join(dir, 'unused.csv'), { recursive: true });
    writeFileSync(join(dir, 'coefficients.json'), JSON.stringify(fit.artifact));
    writeFileSync(join(dir, 'predictions.csv'), fit.predictions);
    const inputs = readReportInputs(dir);
    for (const lang of ['en', 'fr']) {
      const draws = (await recomputeDraws(inputs.fits[0].artifact!, inputs.fits[0].predictions!, 400, lang))!;
      expect(draws, lang).not.toBeNull();
      expect(draws.mismatch, lang).toBeLessThan(0.02);
    }
    const result = await buildReport(dir, { png: false });
    const html = readFileSync(result.path, 'utf8');
    // loss, parity, residuals + (band, iso-loss) per group
    expect(result.plots).toBe(7);
    expect(html.match(/recomputed by the report from predictions\.csv/g)).toHaveLength(2);
    expect(html).toContain('Iso-loss contours (fr)');
  });
});

describe('atlas report command', () => {
  it('writes the page and prints {"path","plots"} with --json', async () => {
    const dir = copyFixture('sweep');
    let stdout = '';
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => { stdout += chunk; return true; }) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await yargs(['report', dir, '--json', '--no-png', '--allow-outside']).command(reportCommand).strict().parseAsync();
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    expect(JSON.parse(stdout)).toEqual({ path: join(dir, 'report.html'), plots: 4 });
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });
});
