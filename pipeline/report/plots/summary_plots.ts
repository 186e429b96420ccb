/**
 * Plots that summarise more than one fit: the bilingual transfer heatmap (`atlas transfer`
 * output) and, for a sweep folder, fit quality and coefficient estimates across jobs.
 */
import type { CoefficientArtifact, ParamEntry } from '../../io/artifact.ts';
import type { PredictionRows, TransferInput } from '../inputs.ts';
import { legendSizes, thinRows, type PlotDef } from './fit_plots.ts';
import { formatCount, identification, round6, SI_LABEL } from './format.ts';
import type { PlotSpec } from './render.ts';
import { heatmapSpec } from './heatmap.ts';

/** Heatmap of BTS_{s→t}: rows = target languages, columns = source languages (ATLAS Fig. 2 orientation). */
export function transferHeatmap(t: TransferInput, name: string): PlotDef | null {
  const prefix = t.censored.map((c) => (c === 'above' ? '>' : c === 'below' ? '<' : ''));
  const built = heatmapSpec({ rows: t.targets, cols: t.sources, values: t.values, prefix });
  if (!built) return null;
  const small = Math.max(t.targets.length, t.sources.length) <= 12;
  const colours = built.scale === 'diverging'
    ? 'blue helps (positive), red hurts (negative), white is 0; the scale spans the measured range'
    : built.scale === 'positive'
    ? 'every measured score is positive (helps): darker blue helps more; the scale spans the measured range'
    : 'every measured score is negative (hurts): darker red hurts more; the scale spans the measured range';
  return {
    name,
    title: 'Bilingual transfer scores',
    caption: `BTS of source s on target t from ${t.file}${t.refTokens !== null ? ` at the reference horizon d_mono = ${formatCount(t.refTokens)} target tokens` : ''}: ` +
      `${colours}; grey cells were not measured${small ? '; ">"/"<" mark censored bounds' : ''}.`,
    spec: built.spec,
  };
}

/** One job of a sweep, as the summary plots see it. */
export interface JobSummary {
  name: string;
  artifact: CoefficientArtifact | null;
}

const STATUS_SHAPES: [string, string][] = [['converged', 'circle'], ['at-bound', 'square'], ['max-iterations', 'cross'], ['non-finite', 'triangle-down'], ['unknown', 'diamond']];

/** Shape scale over the fit statuses present (fixed order and shapes, so pages compare). */
function statusShapes(present: string[]): { domain: string[]; range: string[] } {
  const seen = new Set(present);
  const known = STATUS_SHAPES.filter(([s]) => seen.has(s));
  const other = [...seen].filter((s) => !STATUS_SHAPES.some(([k]) => k === s)).sort();
  return { domain: [...known.map(([s]) => s), ...other], range: [...known.map(([, r]) => r), ...other.map(() => 'diamond')] };
}

/** Train and held-out R² of every job that has an artifact. */
export function sweepMetricsPlot(jobs: JobSummary[], name: string): PlotDef | null {
  const values: Record<string, unknown>[] = [];
  for (const job of jobs) {
    const m = job.artifact?.metrics;
    if (!m) continue;
    const status = job.artifact!.fit?.status ?? (job.artifact!.fit?.converged ? 'converged' : 'unknown');
    if (Number.isFinite(m.train?.r2)) values.push({ job: job.name, set: 'train', r2: round6(m.train.r2), status });
    if (m.heldout && Number.isFinite(m.heldout.r2)) values.push({ job: job.name, set: 'heldout', r2: round6(m.heldout.r2), status });
  }
  if (values.length === 0) return null;
  const names = [...new Set(values.map((v) => v.job as string))];
  const spec = {
    data: { values },
    width: 420,
    height: Math.max(120, 16 * names.length),
    mark: { type: 'point', filled: true, size: 50 },
    encoding: {
      y: { field: 'job', type: 'nominal', sort: names, title: 'job', axis: { labelLimit: 320 } },
      x: { field: 'r2', type: 'quantitative', title: 'R² on loss', scale: { zero: false } },
      color: { field: 'set', type: 'nominal', title: 'rows', scale: { domain: ['train', 'heldout'], range: ['#4c78a8', '#e45756'] } },
      shape: { field: 'status', type: 'nominal', title: 'fit status', scale: statusShapes(values.map((v) => v.status as string)) },
    },
  } as unknown as PlotSpec;
  return { name, title: 'Fit quality across jobs', caption: 'R² = 1 − SS_res/SS_tot on loss, from each artifact\u2019s metrics (train rows and held-out rows). Shape: fit status.', spec };
}

/** One estimate of an interval plot: a row label (job or group), a panel and the estimate with its interval. */
export interface IntervalRow {
  /** Block of panels sharing their rows (the law, or '' for one block). */
  section: string;
  /** Row label (the job, `job / group`, or the group). */
  row: string;
  /** Panel it is drawn in (the parameter). */
  panel: string;
  value: number;
  ci95: [number, number] | null;
  /** Draw the panel on a log axis (amplitudes fitted on the ln scale). */
  log: boolean;
  /** The fit flags the parameter as not identified. */
  notIdentified: boolean;
}

/**
 * Width in pixels vega reserves for a y-axis label at 11 px when it renders without a canvas
 * (its estimate: 0.8 × font size per character).
 */
function labelWidth(text: string): number {
  return Math.min(LABEL_LIMIT, 8.8 * text.length);
}

/** Longest row label drawn in full (longer ones end in an ellipsis). */
const LABEL_LIMIT = 320;

/** Page width the plots are laid out for (the report's content width, less a margin). */
const PAGE = 1150;

/**
 * Estimates with their bootstrap 95 % intervals: one block per section (a law), one small panel
 * per parameter with its own x axis (log for amplitudes), the rows (jobs or groups) labelled
 * once at the left of each line of panels; lines wrap to fit a 1,200 px page.
 */
export function intervalPlot(rows: IntervalRow[], name: string, title: string, caption: string, rowTitle: string): PlotDef | null {
  if (rows.length === 0) return null;
  const flagged = rows.some((r) => r.notIdentified);
  const labels = Math.max(...rows.map((r) => labelWidth(r.row))) + 30;
  const width = 110;
  const perLine = Math.max(1, Math.floor((PAGE - labels) / (width + 16)));
  const color = flagged
    ? { field: 'flag', type: 'nominal', title: null, scale: { domain: ['identified', 'not identified'], range: ['#4c78a8', '#e45756'] }, legend: { orient: 'bottom' } }
    : { value: '#4c78a8' };
  const sections = [...new Set(rows.map((r) => r.section))];
  const blocks = sections.map((section) => {
    const mine = rows.filter((r) => r.section === section);
    const order = [...new Set(mine.map((r) => r.row))];
    const panels = [...new Set(mine.map((r) => r.panel))];
    const charts = panels.map((panel, k) => {
      const cells = mine.filter((r) => r.panel === panel);
      const log = cells.every((r) => r.log && r.value > 0 && (!r.ci95 || r.ci95[0] > 0));
      const values = cells.map((r) => ({
        row: r.row,
        value: round6(r.value),
        lo: round6(r.ci95?.[0] ?? r.value),
        hi: round6(r.ci95?.[1] ?? r.value),
        flag: r.notIdentified ? 'not identified' : 'identified',
      }));
      const first = k % perLine === 0;
      const x = { type: 'quantitative', scale: { zero: false, ...(log ? { type: 'log' } : {}) }, title: `${panel}${log ? ' (log)' : ''}`, axis: { tickCount: 3, labelOverlap: true, labelFlush: true, format: '~g' } };
      const y = { field: 'row', type: 'nominal', sort: order, scale: { domain: order }, title: first ? rowTitle : null, axis: first ? { labelLimit: LABEL_LIMIT } : { labels: false, ticks: false, title: null } };
      return {
        width,
        height: Math.max(30, 16 * order.length),
        data: { values },
        layer: [
          { mark: { type: 'rule', color: '#777', strokeWidth: 1.5 }, encoding: { y, x: { ...x, field: 'lo' }, x2: { field: 'hi' } } },
          { mark: { type: 'point', filled: true, size: 36 }, encoding: { y, x: { ...x, field: 'value' }, color } },
        ],
      };
    });
    return { ...(section ? { title: { text: section, fontSize: 12, anchor: 'start' } } : {}), concat: charts, columns: perLine, spacing: { row: 10, column: 12 } };
  });
  // Row labels (job names) in full, up to LABEL_LIMIT.
  const spec = { ...(blocks.length === 1 ? blocks[0] : { vconcat: blocks, spacing: 18 }), config: { axis: { labelLimit: LABEL_LIMIT } } } as unknown as PlotSpec;
  return { name, title, caption: `${caption}${flagged ? ' Red: a parameter the fit flags as not identified.' : ''}`, spec };
}

/**
 * Estimates (with bootstrap 95 % intervals where present) of every job, one panel per law and
 * parameter, so laws whose parameters share a name (B of `chinchilla` and of `atlas`) never
 * share an axis; the groups of a grouped job are rows `job / group`.
 */
export function sweepParamsPlot(jobs: JobSummary[], name: string, maxParams = 8): PlotDef | null {
  const order = ['E', 'A', 'B', 'alpha', 'beta'];
  const rank = (k: string) => (order.indexOf(k) < 0 ? 99 : order.indexOf(k));
  const rows: IntervalRow[] = [];
  const laws = [...new Set(jobs.filter((j) => j.artifact).map((j) => j.artifact!.law))].sort();
  for (const law of laws) {
    const mine = jobs.filter((j) => j.artifact?.law === law);
    const fits: { row: string; params: Record<string, ParamEntry> }[] = [];
    for (const job of mine) {
      const a = job.artifact!;
      if (Object.keys(a.params ?? {}).length > 0) fits.push({ row: job.name, params: a.params });
      for (const g of Object.keys(a.groups ?? {}).sort()) fits.push({ row: `${job.name} / ${g}`, params: a.groups![g].params });
    }
    const names: string[] = [];
    for (const f of fits) for (const [k, e] of Object.entries(f.params)) if (e.vary === 'free' && !names.includes(k)) names.push(k);
    names.sort((a, b) => rank(a) - rank(b));
    for (const k of names.slice(0, maxParams)) {
      for (const f of fits) {
        const e = f.params[k];
        if (!e || !Number.isFinite(e.value)) continue;
        rows.push({ section: law, row: f.row, panel: k, value: e.value, ci95: e.ci95 ?? null, log: e.log_scale, notIdentified: identification(e) === false });
      }
    }
  }
  return intervalPlot(rows, name, 'Coefficients across jobs',
    'One block per law, one panel per free parameter (at most eight per law), each with its own axis; log axes for amplitudes fitted on the ln scale. Point: estimate (natural scale); bar: bootstrap 95 % interval where the job ran a bootstrap. A grouped fit has one row per group.',
    'job');
}

/** Estimates and bootstrap 95 % intervals of every group of a `--group-by` fit, one panel per parameter. */
export function groupParamsPlot(artifact: CoefficientArtifact, name: string): PlotDef | null {
  const groups = Object.keys(artifact.groups ?? {}).sort();
  if (groups.length < 2) return null;
  const rows: IntervalRow[] = [];
  const names: string[] = [];
  for (const g of groups) for (const [k, e] of Object.entries(artifact.groups![g].params)) if (e.vary === 'free' && !names.includes(k)) names.push(k);
  for (const k of names) {
    for (const g of groups) {
      const e = artifact.groups![g].params[k];
      if (!e || !Number.isFinite(e.value)) continue;
      rows.push({ section: '', row: g, panel: k, value: e.value, ci95: e.ci95 ?? null, log: e.log_scale, notIdentified: identification(e) === false });
    }
  }
  const withIntervals = rows.filter((r) => r.ci95).length;
  return intervalPlot(rows, name, `Coefficients per group (${artifact.group_by ?? 'group'})`,
    `One panel per free parameter, one row per group, each panel with its own axis (log for amplitudes fitted on the ln scale). Point: the group\u2019s estimate; bar: its bootstrap 95 % interval${withIntervals ? '' : ' (none: the fit ran no bootstrap; rerun with --bootstrap B)'}.`,
    artifact.group_by ?? 'group');
}

/** A job with its predictions, for the sweep's small multiples. */
export interface JobPredictions {
  name: string;
  predictions: PredictionRows;
}

/**
 * Small multiples over a sweep's jobs, one panel per job: observed loss (points, triangles held
 * out) with the fitted loss (lines through each run's checkpoints, or hollow diamonds for
 * one-point runs) against tokens, or the residuals ln L − ln L̂. Each panel keeps at most
 * `maxPerJob` rows (checkpoints thinned evenly in log tokens); axes are per panel, since jobs may
 * fit different data.
 */
export function sweepFitsPlot(jobs: JobPredictions[], kind: 'loss' | 'residuals', name: string, maxPerJob = 100): PlotDef | null {
  const values: Record<string, unknown>[] = [];
  let drawn = 0;
  let total = 0;
  let series = 0;
  for (const job of jobs) {
    const p = job.predictions;
    const rows = Array.from({ length: p.rows }, (_, i) => i).filter((i) => Number.isFinite(p.predicted[i]) && p.predicted[i] > 0);
    const kept = thinRows(p, rows, { maxPoints: maxPerJob, maxPerSeries: 12 });
    total += p.rows;
    drawn += kept.length;
    series += new Set(kept.map((i) => `${p.runId[i]}\u0000${p.evalLang[i]}`)).size;
    for (const i of kept) {
      values.push({
        job: job.name,
        run: `${p.runId[i]}|${p.evalLang[i]}`,
        tokens: round6(p.tokens[i]),
        loss: round6(p.loss[i]),
        predicted: round6(p.predicted[i]),
        residual: round6(Math.log(p.loss[i]) - Math.log(p.predicted[i])),
        split: p.split[i],
        N: round6(p.params[i]),
      });
    }
  }
  if (values.length === 0) return null;
  const names = jobs.map((j) => j.name);
  let nLo = Infinity;
  let nHi = -Infinity;
  for (const v of values) { nLo = Math.min(nLo, v.N as number); nHi = Math.max(nHi, v.N as number); }
  const x = { field: 'tokens', type: 'quantitative', scale: { type: 'log' }, title: 'tokens D', axis: { labelExpr: SI_LABEL, tickCount: 4, labelFlush: true } };
  const shape = { field: 'split', type: 'nominal', title: 'observed', scale: { domain: ['train', 'heldout'], range: ['circle', 'triangle-up'] } };
  const color = { field: 'N', type: 'quantitative', title: 'model size N', scale: { type: 'log', scheme: 'viridis' }, legend: { values: legendSizes(nLo, nHi), labelExpr: SI_LABEL } };
  const yScale = { type: 'log', nice: false, padding: 6 };
  const lines = drawn >= 2 * series;
  const layer = kind === 'loss'
    ? [
      lines
        ? { mark: { type: 'line', strokeWidth: 1.2, opacity: 0.9 }, encoding: { x, y: { field: 'predicted', type: 'quantitative', scale: yScale, title: 'loss' }, color, detail: { field: 'run', type: 'nominal' }, order: { field: 'tokens', type: 'quantitative' } } }
        : { mark: { type: 'point', shape: 'diamond', filled: false, size: 18, strokeWidth: 1 }, encoding: { x, y: { field: 'predicted', type: 'quantitative', scale: yScale, title: 'loss' }, color } },
      { mark: { type: 'point', filled: true, size: 14, opacity: 0.85 }, encoding: { x, y: { field: 'loss', type: 'quantitative', scale: yScale, title: 'loss' }, color, shape } },
    ]
    : [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { y: { datum: 0, type: 'quantitative' } } },
      { mark: { type: 'point', filled: true, size: 14, opacity: 0.75 }, encoding: { x, y: { field: 'residual', type: 'quantitative', title: 'ln L − ln L̂' }, shape, color: { field: 'split', type: 'nominal', title: 'split', scale: { domain: ['train', 'heldout'], range: ['#4c78a8', '#e45756'] } } } },
    ];
  const spec = {
    data: { values },
    columns: Math.min(4, names.length),
    facet: { field: 'job', type: 'nominal', sort: names, title: null, header: { labelLimit: 0, labelFontSize: 10 } },
    spec: { width: 200, height: kind === 'loss' ? 150 : 110, layer },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    // Legends under the panels, so four panels and the legends fit a 1,200 px page.
    config: { legend: { orient: 'bottom', direction: 'horizontal' } },
  } as unknown as PlotSpec;
  const what = kind === 'loss'
    ? `${lines ? 'lines: fitted loss through each run\u2019s checkpoints' : 'hollow diamonds: fitted loss'}; points: observed loss (triangles are held out); colour: model size`
    : 'ln(observed) − ln(predicted) per row, coloured by split';
  return {
    name,
    title: kind === 'loss' ? 'Loss against tokens, per job' : 'Residuals, per job',
    caption: `One panel per job with predictions: ${what}. ${drawn} of ${total} rows drawn (at most ${maxPerJob} per job, checkpoints thinned evenly in log tokens); each panel has its own axes. ` +
      'Run atlas report on a job\u2019s folder for its full set of plots.',
    spec,
  };
}
