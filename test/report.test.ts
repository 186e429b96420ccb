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
import { fitCommand } from '../pipeline/commands/fit.ts';
import { runCommand } from './helpers/command.ts';
import { readArtifact } from '../pipeline/io/artifact.ts';
import { thinRows } from '../pipeline/report/plots/fit_plots.ts';
import { bandPlot, chinchillaLoss, chinchillaSets, computeOptimalND, isoLossTokens } from '../pipeline/report/plots/law_plots.ts';
import { prefixSvgIds, renderSvg } from '../pipeline/report/plots/render.ts';
import { buildReport } from '../pipeline/report/report.ts';
import { parseBootstrapCsv, parsePredictions, readReportInputs } from '../pipeline/report/inputs.ts';
import { recomputeDraws, storedDraws } from '../pipeline/report/bootstrap.ts';
import { paramsTable, statusBanner } from '../pipeline/report/html.ts';
import { lossVsComputePlot, residualsByScalePlot } from '../pipeline/report/plots/compute_plots.ts';
import { cornerPlot, histogram } from '../pipeline/report/plots/corner.ts';
import { heatmapSpec, heatmapSvg, wrapTitle } from '../pipeline/report/plots/heatmap.ts';
import { sweepParamsPlot } from '../pipeline/report/plots/summary_plots.ts';
import { stableJson } from '../pipeline/io/atomic.ts';
import type { ParamEntry } from '../pipeline/io/artifact.ts';
import { runFit } from '../pipeline/fit/fit.ts';
import { ingestText } from '../pipeline/ingest/ingest.ts';
import { identification, mulberry32 } from '../pipeline/report/plots/format.ts';
import { InputError } from '../pipeline/io/types.ts';
import { drawsCsv } from '../pipeline/io/artifact.ts';

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
    // loss against tokens and compute, parity, residuals against D and against N and C, band, iso-loss, transfer
    expect(result.plots).toBe(8);
    const html = readFileSync(result.path, 'utf8');
    const svgs = svgsOf(html);
    expect(svgs).toHaveLength(8);
    for (const svg of svgs) expect(svg).toMatch(/class="mark-(symbol|line|area|rect|text)/);
    // nothing fetched: no scripts, stylesheets or images from anywhere
    expect(html).not.toMatch(/<script|<link|<img|<iframe/);
    expect(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(/https?:\/\//);
    const pngs = readdirSync(join(dir, 'plots')).sort();
    expect(pngs).toEqual(['band.png', 'iso-loss.png', 'loss-vs-compute.png', 'loss-vs-tokens.png', 'parity.png', 'residuals-vs-scale.png', 'residuals.png', 'transfer.png']);
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
    const joint = bandPlot(artifact, set, inputs.fits[0].predictions, 'band', null, { draws, count: 3 })!;
    expect(joint.caption).toContain('3 joint bootstrap parameter draws (bootstrap.csv)');
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
        // one run per (size, budget): a run id names one training run
        lines.push(`r${n}x${k},${n},${d},${chinchillaLoss(truth, n, d) * Math.exp(0.02 * (uniform() - 0.5))}`);
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

describe('uncertainty band of a fit whose checkpoint policy dropped rows', () => {
  it('reruns the bootstrap on the rows the fit kept, not on the dropped ones', async () => {
    // Runs with four checkpoints each; the checkpoints before half of a run's budget sit 0.3
    // above the law (not yet on the power law), so a bootstrap that took them in would move.
    const truth = { E: 1.8, A: 400, B: 410.7, alpha: 0.34, beta: 0.28 };
    const uniform = mulberry32(13);
    const lines = ['run_id,params,tokens,loss'];
    for (const n of [5e7, 1e8, 2e8, 4e8, 8e8, 1.6e9]) {
      for (const k of [5, 20, 40]) {
        for (const f of [0.1, 0.25, 0.75, 1]) {
          const d = n * k * f;
          lines.push(`r${n}x${k},${n},${d},${(chinchillaLoss(truth, n, d) + (f < 0.5 ? 0.3 : 0)) * Math.exp(0.02 * (uniform() - 0.5))}`);
        }
      }
    }
    const table = ingestText(`${lines.join('\n')}\n`, 'curves.csv');
    const fit = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: truth, bootstrap: 40, seed: 3, checkpoints: 'drop-early:0.5' } });
    expect(fit.artifact.checkpoints).toEqual({ policy: 'drop-early:0.5', rows_removed: 36 });
    const dir = join(scratch, 'dropped-fit');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(FIXTURES, 'fit', 'transfer.csv'), join(dir, 'unused.csv'), { recursive: true });
    writeFileSync(join(dir, 'coefficients.json'), JSON.stringify(fit.artifact));
    writeFileSync(join(dir, 'predictions.csv'), fit.predictions);
    const inputs = readReportInputs(dir);
    const p = inputs.fits[0].predictions!;
    expect(p.split.filter((s) => s === 'dropped')).toHaveLength(36);
    expect(p.split.filter((s) => s === 'train')).toHaveLength(36);
    const draws = (await recomputeDraws(inputs.fits[0].artifact!, p))!;
    expect(draws.count).toBeGreaterThan(30);
    expect(draws.mismatch).toBeLessThan(0.02);
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
          lines.push(`r${n}x${k},${n},${n * k},${lang},${(chinchillaLoss(truth, n, n * k) + shift) * Math.exp(0.02 * (uniform() - 0.5))}`);
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
    // loss against tokens and compute, parity, residuals against D and against N and C,
    // coefficients per group, and (band, iso-loss) per group; no bootstrap.csv, so no corner plot
    expect(result.plots).toBe(10);
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

/** Synthetic Chinchilla runs (one run id per size and budget) from known coefficients with 1 % multiplicative noise (seeded), optionally one set per language. */
function syntheticRuns(seed: number, languages: [string, number][] = [['en', 0]]): string {
  const truth = { E: 1.8, A: 400, B: 410.7, alpha: 0.34, beta: 0.28 };
  const uniform = mulberry32(seed);
  const lines = ['run_id,params,tokens,eval_lang,loss'];
  for (const [lang, shift] of languages) {
    for (const n of [5e7, 1e8, 2e8, 4e8, 8e8, 1.6e9]) {
      for (const k of [2, 5, 10, 20, 40]) lines.push(`r${n}x${k},${n},${n * k},${lang},${(chinchillaLoss(truth, n, n * k) + shift) * Math.exp(0.02 * (uniform() - 0.5))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
const TRUTH = { E: 1.8, A: 400, B: 410.7, alpha: 0.34, beta: 0.28 };

describe('bootstrap.csv, the sidecar of the bootstrap draws', () => {
  it('holds every replicate of the fit in natural units, and coefficients.json stays free of draws', async () => {
    const table = ingestText(syntheticRuns(21), 'synthetic.csv');
    const fit = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: TRUTH, bootstrap: 25, seed: 4 } });
    const draws = fit.results.get('')!.bootstrap!.draws;
    const lines = drawsCsv(fit.draws!).trimEnd().split('\n');
    expect(lines[0]).toBe('replicate,E,A,B,alpha,beta');
    expect(lines).toHaveLength(1 + draws.A.length);
    const parsed = parseBootstrapCsv(drawsCsv(fit.draws!), 'bootstrap.csv').get('')!;
    expect(parsed.count).toBe(draws.A.length);
    // exact round trip, natural scale (A near 400, not ln A near 6)
    for (const k of ['E', 'A', 'B', 'alpha', 'beta']) expect(Array.from(parsed.columns[k])).toEqual(Array.from(draws[k]));
    expect(parsed.columns.A[0]).toBeGreaterThan(50);
    expect(JSON.stringify(fit.artifact)).not.toMatch(/replicate|"draws"/);
    // no bootstrap, no sidecar
    const plain = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: TRUTH } });
    expect(plain.draws).toBeNull();
    // the artifact only names the sidecar
    expect(Object.keys(fit.artifact).filter((k) => !(k in plain.artifact))).toEqual(['bootstrap_draws']);
  });


  it('names file, line and column of a bad cell', () => {
    expect(() => parseBootstrapCsv('replicate,E,A\n0,1.8,400\n1,1.9,abc\n', 'b.csv')).toThrow('b.csv:3: A: not a number: "abc"');
    expect(() => parseBootstrapCsv('E,A\n1.8,400\n', 'b.csv')).toThrow('b.csv:1: replicate: missing required column');
  });

  it('is used only when its quantiles reproduce the artifact\u2019s intervals', async () => {
    const table = ingestText(syntheticRuns(22), 'synthetic.csv');
    const fit = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: TRUTH, bootstrap: 30, seed: 6 } });
    const dir = join(scratch, 'sidecar');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(FIXTURES, 'fit', 'transfer.csv'), join(dir, 'unused.csv'), { recursive: true });
    writeFileSync(join(dir, 'coefficients.json'), stableJson(fit.artifact));
    writeFileSync(join(dir, 'predictions.csv'), fit.predictions);
    writeFileSync(join(dir, 'bootstrap.csv'), drawsCsv(fit.draws!));
    const own = storedDraws(fit.artifact.params, parseBootstrapCsv(drawsCsv(fit.draws!), 'b').get(''));
    expect(own && 'draws' in own && own.mismatch).toBeLessThan(1e-12);
    let html = readFileSync((await buildReport(dir, { png: false })).path, 'utf8');
    expect(html).toContain('joint bootstrap parameter draws (bootstrap.csv)');
    expect(html).toContain('Parameter correlations from the bootstrap');
    expect(html).not.toContain('recomputed by the report');
    // a sidecar of another fit (here: draws of a different seed, scaled) is named and ignored
    const other = await runFit({ table, law: 'chinchilla', fit: { starts: 'init', init: TRUTH, bootstrap: 30, seed: 99 } });
    const stale = drawsCsv(other.draws!).split('\n').map((line, i) => (i === 0 || !line ? line : line.split(',').map((c, k) => (k === 0 ? c : String(Number(c) * 1.3))).join(','))).join('\n');
    writeFileSync(join(dir, 'bootstrap.csv'), stale);
    html = readFileSync((await buildReport(dir, { png: false })).path, 'utf8');
    expect(html).toMatch(/bootstrap\.csv is not used: the quantiles of bootstrap\.csv miss the intervals/);
    expect(html).not.toContain('Parameter correlations from the bootstrap');
    expect(html).toContain('recomputed by the report from predictions.csv');
  });
});

describe('report of a grouped fit with its bootstrap draws', () => {
  it('shows each group\u2019s intervals in the table and a plot, and a corner plot per group', async () => {
    const table = ingestText(syntheticRuns(31, [['en', 0], ['fr', 0.2]]), 'grouped.csv');
    const fit = await runFit({ table, law: 'chinchilla', groupBy: 'eval_lang', fit: { starts: 'init', init: TRUTH, bootstrap: 30, seed: 5 } });
    expect(drawsCsv(fit.draws!).split('\n')[0]).toBe('group,replicate,E,A,B,alpha,beta');
    const dir = join(scratch, 'grouped-sidecar');
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(FIXTURES, 'fit', 'transfer.csv'), join(dir, 'unused.csv'), { recursive: true });
    writeFileSync(join(dir, 'coefficients.json'), stableJson(fit.artifact));
    writeFileSync(join(dir, 'predictions.csv'), fit.predictions);
    writeFileSync(join(dir, 'bootstrap.csv'), drawsCsv(fit.draws!));
    const parsed = parseBootstrapCsv(drawsCsv(fit.draws!), 'b');
    expect([...parsed.keys()]).toEqual(['en', 'fr']);
    const result = await buildReport(dir, { png: false });
    const html = readFileSync(result.path, 'utf8');
    // 5 prediction plots, coefficients per group, (band, iso-loss) per group, a corner plot per group
    expect(result.plots).toBe(12);
    for (const g of ['en', 'fr']) {
      const alpha = fit.artifact.groups![g].params.alpha;
      expect(html).toContain(`<span class="ci">[${Number(alpha.ci95![0].toPrecision(4))}, ${Number(alpha.ci95![1].toPrecision(4))}]</span>`);
      expect(html).toContain(`Parameter correlations from the bootstrap (${g})`);
    }
    expect(html).toContain('Coefficients per group (eval_lang)');
    expect(html.match(/joint bootstrap parameter draws \(bootstrap\.csv\)/g)).toHaveLength(2);
    // rebuilding gives the same bytes, page and PNGs alike
    await buildReport(dir, { pngWidth: 400 });
    const page = readFileSync(join(dir, 'report.html'));
    const corner = readFileSync(join(dir, 'plots', 'corner-fr.png'));
    await buildReport(dir, { pngWidth: 400 });
    expect(readFileSync(join(dir, 'report.html')).equals(page)).toBe(true);
    expect(readFileSync(join(dir, 'plots', 'corner-fr.png')).equals(corner)).toBe(true);
  });
});

describe('parameters the fit flags as not identified', () => {
  it('are marked in the coefficient table and the status line', () => {
    const artifact = readArtifact(join(FIXTURES, 'fit', 'coefficients.json'));
    const params = { ...artifact.params, A: { ...artifact.params.A, not_identified: 'flat direction of the Jacobian' }, B: { ...artifact.params.B, not_identified: 'bootstrap interval unbounded' } } as typeof artifact.params;
    const table = paramsTable(params);
    expect(table).toContain('<th>identified</th>');
    expect(table.match(/<b>NOT IDENTIFIED<\/b>/g)).toHaveLength(2);
    expect(table).toContain('(flat direction of the Jacobian)');
    expect(table).toMatch(/<tr class="bad"><td>A<\/td>/);
    expect(statusBanner(artifact.fit, params)).toContain('not identified: A, B');
    // an identified parameter shows its spread and no flag
    expect(paramsTable(artifact.params)).not.toContain('NOT IDENTIFIED');
    expect(identification({ value: 1 })).toBeUndefined();
    expect(identification({ value: 1, not_identified: 'flat' })).toBe(false);
  });
});

describe('plots against compute and the corner plot', () => {
  it('draws the compute-optimal frontier as the lowest fitted loss at each budget', () => {
    const inputs = readReportInputs(join(FIXTURES, 'fit'));
    const set = chinchillaSets(inputs.fits[0].artifact!)[0];
    const plot = lossVsComputePlot(inputs.fits[0].predictions!, [set], false, 'c')!;
    const values = (plot.spec as unknown as { data: { values: { kind: string; C: number; frontier: number }[] } }).data.values.filter((v) => v.kind === 'frontier');
    expect(values.length).toBeGreaterThan(30);
    for (const { C, frontier } of values) {
      // brute force: the smallest L(N, C/6N) over a fine grid of N
      let best = Infinity;
      for (let e = 6; e <= 13; e += 0.001) best = Math.min(best, chinchillaLoss(set.values, 10 ** e, C / (6 * 10 ** e)));
      expect(Math.abs(frontier - best) / best).toBeLessThan(1e-5);
    }
    expect(plot.caption).toContain('compute-optimal frontier');
  });

  it('draws residuals against N and against C with an axis title each', () => {
    const inputs = readReportInputs(join(FIXTURES, 'fit'));
    const plot = residualsByScalePlot(inputs.fits[0].predictions!, 'r')!;
    const panels = (plot.spec as unknown as { hconcat: { layer: { encoding: { x?: { title: string } } }[] }[] }).hconcat;
    expect(panels.map((p) => p.layer[1].encoding.x!.title)).toEqual(['model size N (parameters)', 'compute C = 6ND (FLOPs)']);
  });

  it('gives each pair its Pearson correlation and each parameter its histogram', async () => {
    const uniform = mulberry32(5);
    const n = 200;
    const x = Array.from({ length: n }, () => uniform());
    const y = x.map((v) => -2 * v + 0.5 * uniform());
    const z = Array.from({ length: n }, () => 1 + uniform());
    const columns = { a: Float64Array.from(x), b: Float64Array.from(y), c: Float64Array.from(z), fixed: new Float64Array(n).fill(3) };
    const entry = (value: number, vary = 'free') => ({ value, vary, at_bound: null, init: value, bounds: [null, null], log_scale: false } as ParamEntry);
    const plot = cornerPlot({ a: entry(0.5), b: entry(-0.75), c: entry(1.5), fixed: entry(3, 'fixed') }, columns, 'corner')!;
    const cells = (plot.spec as unknown as { concat: Record<string, unknown>[]; columns: number }).concat;
    // three varying parameters: a 3 × 3 grid
    expect((plot.spec as unknown as { columns: number }).columns).toBe(3);
    expect(cells).toHaveLength(9);
    const pearson = (u: number[], v: number[]) => {
      const mu = u.reduce((s, t) => s + t, 0) / u.length;
      const mv = v.reduce((s, t) => s + t, 0) / v.length;
      let num = 0, du = 0, dv = 0;
      for (let i = 0; i < u.length; i++) { num += (u[i] - mu) * (v[i] - mv); du += (u[i] - mu) ** 2; dv += (v[i] - mv) ** 2; }
      return num / Math.sqrt(du * dv);
    };
    const text = (cell: Record<string, unknown>) => (cell.data as { values: { t: string }[] }).values[0].t;
    expect(text(cells[1])).toBe(`r = ${Number(pearson(x, y).toPrecision(2))}`);
    expect(pearson(x, y)).toBeLessThan(-0.9);
    expect(text(cells[2])).toBe(`r = ${Number(pearson(x, z).toPrecision(2))}`);
    // histogram on the diagonal counts every draw
    const bars = ((cells[4].layer as { data: { values: { count: number }[] } }[])[0]).data.values;
    expect(bars.reduce((s, b) => s + b.count, 0)).toBe(n);
    expect(histogram([0, 0.5, 1, 1], 0, 1, 2)).toEqual([1, 3]);
    const svg = await renderSvg(plot.spec, 'corner');
    expect(svg).toContain('r = ');
  });
});

describe('transfer heatmap (vega-lite)', () => {
  const matrix = (values: number[]) => ({ rows: ['de', 'en', 'fr'], cols: ['de', 'en', 'fr'], values });
  it('centres a diverging scale at 0 over the measured range when scores take both signs', () => {
    const built = heatmapSpec(matrix([NaN, 0.4, -0.1, 0.3, NaN, 0.2, 0.05, -0.2, NaN]))!;
    expect(built.scale).toBe('diverging');
    const layer = (built.spec as unknown as { layer: { encoding: { color?: { scale?: { domain: number[]; domainMid?: number } } } }[] }).layer.find((l) => l.encoding.color?.scale)!;
    expect(layer.encoding.color!.scale).toMatchObject({ domain: [-0.2, 0.4], domainMid: 0 });
  });

  it('spreads a sequential scale over the data when every score has one sign', () => {
    const built = heatmapSpec(matrix([NaN, 0.4, 0.1, 0.3, NaN, 0.2, 0.05, 0.25, NaN]))!;
    expect(built.scale).toBe('positive');
    const layer = (built.spec as unknown as { layer: { encoding: { color?: { scale?: { domain: number[] } } } }[] }).layer.find((l) => l.encoding.color?.scale)!;
    expect(layer.encoding.color!.scale!.domain).toEqual([0.05, 0.4]);
    expect(heatmapSpec(matrix([NaN, -0.4, -0.1, -0.3, NaN, -0.2, -0.05, -0.25, NaN]))!.scale).toBe('negative');
    expect(heatmapSpec(matrix(new Array(9).fill(NaN)))).toBeNull();
  });

  it('writes a standalone SVG whose long title is wrapped, with labels, censored bounds and axis titles', async () => {
    const title = 'Bilingual transfer score BTS (row = target, column = source), N = 1.77M, d_mono = 3.03M tokens';
    const svg = await heatmapSvg({ ...matrix([NaN, 0.5, NaN, -0.25, NaN, 0, 0.1, 0.2, NaN]), prefix: ['', '', '', '<', '', '', '', '', ''], title }, 'h');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(wrapTitle(title).length).toBeGreaterThan(1);
    for (const line of wrapTitle(title)) expect(svg).toContain(line.replace(/&/g, '&amp;'));
    expect(svg).toContain('&lt;-0.25');
    expect(svg).toContain('target language t');
    expect(svg).toContain('source language s');
  });
});

describe('coefficients across jobs', () => {
  it('never puts two laws on one axis', () => {
    const artifact = readArtifact(join(FIXTURES, 'fit', 'coefficients.json'));
    const atlasLike = { ...artifact, law: 'atlas', params: { ...artifact.params, B: { ...artifact.params.B, value: 4e5, ci95: undefined } } } as typeof artifact;
    const plot = sweepParamsPlot([{ name: 'a', artifact }, { name: 'b', artifact: atlasLike }, { name: 'c', artifact }], 's')!;
    const blocks = (plot.spec as unknown as { vconcat: { title: { text: string }; concat: { data: { values: { row: string; value: number }[] }; layer: { encoding: { x: { title: string } } }[] }[] }[] }).vconcat;
    expect(blocks.map((b) => b.title.text)).toEqual(['atlas', 'chinchilla']);
    const bOf = (block: (typeof blocks)[number]) => block.concat.find((c) => c.layer[1].encoding.x.title.startsWith('B'))!.data.values;
    expect(bOf(blocks[0]).map((v) => v.row)).toEqual(['b']);
    expect(bOf(blocks[1]).map((v) => v.row)).toEqual(['a', 'c']);
    expect(Math.max(...bOf(blocks[1]).map((v) => v.value))).toBeLessThan(1e5);
  });
});

describe('atlas fit writes bootstrap.csv', () => {
  it('next to coefficients.json with --bootstrap, and removes a stale one without', async () => {
    const dir = join(scratch, 'fit-command');
    rmSync(dir, { recursive: true, force: true });
    const data = join(scratch, 'fit-command.csv');
    writeFileSync(data, syntheticRuns(41));
    const base = ['fit', '--data', data, '--law', 'chinchilla', '--starts', 'init', '--out', dir, '--allow-outside'];
    await runCommand(fitCommand, [...base, '--bootstrap', '12']);
    const artifact = readArtifact(join(dir, 'coefficients.json'));
    const draws = parseBootstrapCsv(readFileSync(join(dir, 'bootstrap.csv'), 'utf8'), 'bootstrap.csv').get('')!;
    expect(draws.count).toBeGreaterThan(8);
    expect(storedDraws(artifact.params, draws)).toMatchObject({ count: draws.count });
    await runCommand(fitCommand, base);
    expect(existsSync(join(dir, 'bootstrap.csv'))).toBe(false);
  });
});
