/**
 * `atlas report DIR`: one self-contained HTML page `DIR/report.html` with the fit's status and
 * coefficients and plots rendered at build time (vega-lite → SVG in Node, inlined), plus a PNG of
 * every plot under `DIR/plots/<name>.png`, linked from the page.
 *
 * DIR is a fit folder (`atlas fit --out DIR`) or a sweep results folder (one job folder each):
 *
 * - fit folder: status, coefficients with intervals, metrics, derived quantities; loss against
 *   tokens per model size and language (held-out rows marked), observed against predicted,
 *   residuals; for Chinchilla-family laws the fitted curves with an uncertainty band (when the
 *   fit ran a bootstrap) and iso-loss contours with the compute-optimal frontier;
 * - sweep folder: a table of every job (status first), R² and coefficients across jobs, and per
 *   job its status, coefficients, loss against tokens and residuals;
 * - either: the transfer heatmap when `atlas transfer` output is present.
 *
 * The page is deterministic: the same inputs give byte-identical HTML and PNGs (no timestamps,
 * seeded draws, ids renumbered per plot). Everything is rendered in memory first; the PNGs and
 * then the page are written atomically, so bad input leaves nothing half-written.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { lossVsTokensPlot, parityPlot, residualPlot, type PlotDef, type ThinOptions } from './plots/fit_plots.ts';
import { bandPlot, chinchillaSets, isoLossPlot } from './plots/law_plots.ts';
import { renderSvg, svgToPng } from './plots/render.ts';
import { sweepFitsPlot, sweepMetricsPlot, sweepParamsPlot, transferHeatmap } from './plots/summary_plots.ts';
import { heldoutMixturePlot, isMixtureFit, mixingTransferHeatmap } from './plots/mixture_plots.ts';
import { VERSION } from '../io/version.ts';
import { detailsTable, derivedTable, esc, figure, groupsTable, metricsTable, page, paramsTable, statusBanner, statusClass, type RenderedPlot } from './html.ts';
import { predictionsOfLanguage, readReportInputs, type FitInput, type ReportInputs } from './inputs.ts';
import { recomputeDraws } from './bootstrap.ts';
import { trimNumber } from './plots/format.ts';

export interface ReportOptions extends ThinOptions {
  /** Write `DIR/plots/<name>.png` for every plot (and link them). @default true */
  png?: boolean;
  /** PNG width in pixels. @default 1200 */
  pngWidth?: number;
  /** Output file. @default DIR/report.html */
  out?: string;
}

export interface ReportResult {
  /** Path of the written page. */
  path: string;
  /** Number of plots drawn. */
  plots: number;
}

/** A section of the page: heading, HTML before its plots, and the plots. */
interface Section {
  id: string;
  heading: string;
  level: 2 | 3;
  html: string;
  plots: PlotDef[];
}

/** Groups of a `--group-by` fit that get their own band and iso-loss plots. */
const MAX_GROUP_PLOTS = 6;

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._=+-]+/g, '_');
}

function fitTables(fit: FitInput): string {
  const a = fit.artifact;
  const parts: string[] = [];
  const job = fit.job;
  if (job && job.status !== 'ok') {
    const lines = (job.error ?? '').split('\n');
    parts.push(`<p class="status bad"><b>job status: ${esc(job.status)}</b>${lines[0] ? ` · ${esc(lines[0])}` : ''}</p>`);
    if (lines.length > 1) parts.push(`<details><summary>all ${lines.length} lines of the error</summary><pre>${esc(job.error ?? '')}</pre></details>`);
  }
  if (job && job.checks !== null) {
    const ok = job.checksOk === job.checks;
    parts.push(`<p class="status ${ok ? 'ok' : 'bad'}"><b>${job.checksOk ?? '?'} of ${job.checks} checks within tolerance</b> (checks.json in the job folder)</p>`);
  }
  if (!a) {
    if (!job || job.checks === null) parts.push(`<p class="note">No coefficients.json in ${esc(fit.name)}.</p>`);
    return parts.join('');
  }
  parts.push(statusBanner(a.fit, a.params ?? {}));
  if (Object.keys(a.params ?? {}).length > 0) parts.push(`<h4>Coefficients (${esc(a.law)})</h4>${paramsTable(a.params)}`);
  parts.push(groupsTable(a));
  parts.push(`<h4>Fit quality</h4>${metricsTable(a.metrics)}`);
  parts.push(derivedTable(a.derived));
  parts.push(`<h4>Objective and data</h4>${detailsTable(a)}`);
  return parts.join('');
}

async function fitPlots(fit: FitInput, prefix: string, options: ThinOptions): Promise<{ plots: PlotDef[]; notes: string[] }> {
  const plots: PlotDef[] = [];
  const notes: string[] = [];
  const p = fit.predictions;
  const push = (plot: PlotDef | null) => { if (plot) plots.push(plot); };
  if (p) {
    push(lossVsTokensPlot(p, `${prefix}loss-vs-tokens`, options));
    push(parityPlot(p, `${prefix}parity`, options));
    push(residualPlot(p, `${prefix}residuals`, options));
  } else {
    notes.push('No predictions.csv: observed and fitted loss are not drawn.');
  }
  if (fit.artifact && isMixtureFit(fit.artifact)) {
    if (p) push(heldoutMixturePlot(p, `${prefix}heldout-mixtures`));
    push(mixingTransferHeatmap(fit.artifact, `${prefix}mixing-transfer`));
  } else if (fit.artifact) {
    const allSets = chinchillaSets(fit.artifact);
    const sets = allSets.slice(0, MAX_GROUP_PLOTS);
    if (allSets.length === 0) notes.push(`Iso-loss contours and uncertainty bands are drawn for Chinchilla-family laws only (this fit: ${fit.artifact.law}).`);
    if (allSets.length > sets.length) notes.push(`Uncertainty bands and iso-loss contours are drawn for the first ${sets.length} of ${allSets.length} groups (${sets.map((s) => s.label).join(', ')}).`);
    for (const set of sets) {
      const suffix = set.label ? `-${slug(set.label)}` : '';
      // A group of `--group-by eval_lang` is drawn over its own rows.
      const rows = p && set.label && fit.artifact.group_by === 'eval_lang' ? predictionsOfLanguage(p, set.label) : p;
      const recomputed = p ? await recomputeDraws(fit.artifact, p, 400, set.label || undefined) : null;
      const band = bandPlot(fit.artifact, set, rows, `${prefix}band${suffix}`, recomputed);
      if (band) plots.push(band);
      else if (!suffix) notes.push('No uncertainty band: the fit ran no bootstrap (rerun with --bootstrap B for intervals).');
      plots.push(isoLossPlot(set, rows, `${prefix}iso-loss${suffix}`));
    }
  }
  return { plots, notes };
}

function sweepTable(inputs: ReportInputs): string {
  const checksFailed = (f: FitInput) => f.job !== null && f.job.checks !== null && f.job.checksOk !== f.job.checks;
  const rows = inputs.fits.map((fit) => {
    const a = fit.artifact;
    const job = fit.job;
    const jobStatus = job?.status ?? (a ? 'ok' : 'missing');
    const cls = jobStatus !== 'ok' || checksFailed(fit) ? 'bad' : a ? statusClass(a.fit) : job?.checks !== null && job?.checks !== undefined ? 'ok' : 'warn';
    const fitStatus = a ? `${a.fit?.status ?? '?'}${a.fit?.converged ? '' : ' (NOT converged)'}` : '';
    const axes = Object.entries(job?.axes ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
    const errorLines = (job?.error ?? '').split('\n');
    const error = errorLines.length > 1 ? `${errorLines[0]} (+${errorLines.length - 1} more lines)` : errorLines[0];
    const checks = job?.checks !== null && job?.checks !== undefined ? `${job.checksOk ?? '?'}/${job.checks}` : '';
    return `<tr class="${cls}"><td>${esc(jobStatus)}</td><td>${esc(fitStatus)}</td><td><a href="#job-${esc(fit.name)}">${esc(fit.name)}</a></td><td>${esc(job?.kind ?? '')}</td><td>${esc(axes)}</td>` +
      `<td>${esc(a?.law ?? '')}</td><td class="num">${a ? trimNumber(a.metrics?.train?.r2 ?? Number.NaN, 4) : ''}</td>` +
      `<td class="num">${a?.metrics?.heldout ? trimNumber(a.metrics.heldout.r2, 4) : ''}</td><td class="num">${esc(checks)}</td><td class="error">${esc(error)}</td></tr>`;
  });
  const failed = inputs.fits.filter((f) => (f.job?.status ?? 'ok') !== 'ok' || checksFailed(f) || (f.artifact && statusClass(f.artifact.fit) === 'bad')).length;
  return `<p class="${failed ? 'status bad' : 'status ok'}"><b>${inputs.fits.length} job(s), ${failed} failed, not converged or with checks out of tolerance</b></p>` +
    `<table><thead><tr><th>job status</th><th>fit status</th><th>job</th><th>kind</th><th>axes</th><th>law</th><th>train R²</th><th>held-out R²</th><th>checks ok</th><th>error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Lay out the sections of the page for the inputs. */
async function planSections(inputs: ReportInputs, options: ThinOptions): Promise<Section[]> {
  const sections: Section[] = [];
  if (inputs.kind === 'fit') {
    const fit = inputs.fits[0];
    const { plots, notes } = await fitPlots(fit, '', options);
    sections.push({ id: 'fit', heading: 'Fit', level: 2, html: fitTables(fit), plots: [] });
    sections.push({ id: 'plots', heading: 'Plots', level: 2, html: notes.map((t) => `<p class="note">${esc(t)}</p>`).join(''), plots });
  } else {
    const jobs = inputs.fits.map((f) => ({ name: f.name, artifact: f.artifact }));
    const withPredictions = inputs.fits.filter((f) => f.predictions).map((f) => ({ name: f.name, predictions: f.predictions! }));
    const overview = [
      sweepMetricsPlot(jobs, 'sweep-r2'),
      sweepParamsPlot(jobs, 'sweep-coefficients'),
      sweepFitsPlot(withPredictions, 'loss', 'sweep-loss-vs-tokens'),
      sweepFitsPlot(withPredictions, 'residuals', 'sweep-residuals'),
    ].filter((p): p is PlotDef => p !== null);
    if (inputs.fits.length > 0) sections.push({ id: 'jobs', heading: 'Jobs', level: 2, html: sweepTable(inputs), plots: overview });
    // Mixture-law jobs: held-out mixtures and the transfer matrix (the mixture choice at a glance).
    const mixturePlots: PlotDef[] = [];
    for (const f of inputs.fits.filter((fit) => isMixtureFit(fit.artifact))) {
      const drawn = [
        f.predictions ? heldoutMixturePlot(f.predictions, `${slug(f.name)}-heldout-mixtures`) : null,
        mixingTransferHeatmap(f.artifact!, `${slug(f.name)}-mixing-transfer`),
      ];
      for (const plot of drawn) if (plot) mixturePlots.push({ ...plot, title: `${f.name}: ${plot.title}` });
    }
    if (mixturePlots.length > 0) sections.push({ id: 'mixtures', heading: 'Mixtures', level: 2, html: '<p class="note">Jobs fitting a data-mixture law (docs/mixtures.md).</p>', plots: mixturePlots });
  }
  if (inputs.transfers.length > 0) {
    const plots = inputs.transfers
      .map((t, k) => transferHeatmap(t, inputs.transfers.length === 1 ? 'transfer' : `transfer-${k + 1}`))
      .filter((p): p is PlotDef => p !== null);
    sections.push({ id: 'transfer', heading: 'Transfer', level: 2, html: plots.length ? '' : '<p class="note">The transfer output has no measured scores.</p>', plots });
  }
  if (inputs.kind === 'sweep') {
    if (inputs.fits.length > 0) sections.push({ id: 'details', heading: 'Jobs in detail', level: 2, html: '<p class="note">Status, coefficients and metrics of every job. Each job folder is a fit folder: <code>atlas report DIR/&lt;job&gt;</code> draws its full set of plots.</p>', plots: [] });
    for (const fit of inputs.fits) {
      sections.push({ id: `job-${fit.name}`, heading: fit.name, level: 3, html: fitTables(fit), plots: [] });
    }
  }
  return sections;
}

/**
 * Build `DIR/report.html` (and `DIR/plots/*.png`) from a fit or sweep folder.
 * Throws InputError when DIR holds neither; resolves to the page's path and the number of plots.
 */
export async function buildReport(dir: string, options: ReportOptions = {}): Promise<ReportResult> {
  const inputs = readReportInputs(dir);
  const sections = await planSections(inputs, options);
  const png = options.png ?? true;
  const pngFiles: [string, Uint8Array][] = [];
  const bodies: string[] = [];
  let count = 0;
  for (const section of sections) {
    const figures: string[] = [];
    for (const plot of section.plots) {
      const svg = await renderSvg(plot.spec, plot.name);
      let link: string | null = null;
      if (png) {
        link = `plots/${plot.name}.png`;
        pngFiles.push([join(dir, 'plots', `${plot.name}.png`), svgToPng(svg, options.pngWidth ?? 1200)]);
      }
      const rendered: RenderedPlot = { name: plot.name, title: plot.title, caption: plot.caption, svg, png: link };
      figures.push(figure(rendered));
      count++;
    }
    const heading = section.level === 2 ? `<h2 id="${esc(section.id)}">${esc(section.heading)}</h2>` : `<h3 id="${esc(section.id)}">${esc(section.heading)}</h3>`;
    bodies.push(`<section>${heading}${section.html}${figures.length ? `<div class="plots">${figures.join('\n')}</div>` : ''}</section>`);
  }
  const title = `atlas report: ${inputs.name}`;
  const what = inputs.kind === 'fit'
    ? `Fit folder ${inputs.name}${inputs.fits[0].artifact ? ` · law ${inputs.fits[0].artifact.law}` : ''}`
    : inputs.fits.length > 0 ? `Sweep folder ${inputs.name} · ${inputs.fits.length} job(s)` : `Folder ${inputs.name} (transfer output)`;
  const nav: [string, string][] = sections.filter((s) => s.level === 2).map((s) => [s.id, s.heading]);
  const html = page(title, `${what} · ${count} plot(s) · atlas ${VERSION}`, nav, bodies.join('\n'));
  for (const [path, bytes] of pngFiles) writeFileAtomic(path, bytes);
  const out = options.out ?? join(dir, 'report.html');
  writeFileAtomic(out, html);
  return { path: out, plots: count };
}
