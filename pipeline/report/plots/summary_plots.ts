/**
 * Plots that summarise more than one fit: the bilingual transfer heatmap (`atlas transfer`
 * output) and, for a sweep folder, fit quality and coefficient estimates across jobs.
 */
import type { CoefficientArtifact } from '../../io/artifact.ts';
import type { PredictionRows, TransferInput } from '../inputs.ts';
import { legendSizes, thinRows, type PlotDef } from './fit_plots.ts';
import { formatCount, round6, SI_LABEL, trimNumber } from './format.ts';
import type { PlotSpec } from './render.ts';

/** Heatmap of BTS_{s→t}: rows = target languages, columns = source languages (ATLAS Fig. 2 orientation). */
export function transferHeatmap(t: TransferInput, name: string): PlotDef | null {
  const cells: Record<string, unknown>[] = [];
  let maxAbs = 0;
  for (let i = 0; i < t.targets.length; i++) {
    for (let j = 0; j < t.sources.length; j++) {
      const v = t.values[i * t.sources.length + j];
      if (!Number.isFinite(v)) continue;
      const c = t.censored[i * t.sources.length + j] ?? '';
      maxAbs = Math.max(maxAbs, Math.abs(v));
      cells.push({ target: t.targets[i], source: t.sources[j], bts: round6(v), label: `${c === 'above' ? '>' : c === 'below' ? '<' : ''}${trimNumber(v, 2)}` });
    }
  }
  if (cells.length === 0) return null;
  const n = Math.max(t.targets.length, t.sources.length);
  const cell = n <= 12 ? 34 : n <= 30 ? 18 : 10;
  const bound = round6(maxAbs || 1);
  const layers: Record<string, unknown>[] = [
    { mark: 'rect', encoding: { color: { field: 'bts', type: 'quantitative', title: 'BTS', scale: { scheme: 'redblue', domain: [-bound, bound] } } } },
  ];
  if (n <= 12) layers.push({ mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'label' }, color: { condition: { test: `abs(datum.bts) > ${round6(0.55 * bound)}`, value: 'white' }, value: '#111' } } });
  const spec = {
    data: { values: cells },
    width: cell * t.sources.length,
    height: cell * t.targets.length,
    encoding: {
      x: { field: 'source', type: 'nominal', sort: t.sources, title: 'source language s', axis: { labelAngle: -60, grid: false } },
      y: { field: 'target', type: 'nominal', sort: t.targets, title: 'target language t', axis: { grid: false } },
    },
    layer: layers,
  } as unknown as PlotSpec;
  return {
    name,
    title: 'Bilingual transfer scores',
    caption: `BTS of source s on target t from ${t.file}${t.refTokens !== null ? ` at the reference horizon d_mono = ${formatCount(t.refTokens)} target tokens` : ''}: ` +
      `blue helps (positive), red hurts (negative); empty cells were not measured${n <= 12 ? '; ">"/"<" mark censored bounds' : ''}.`,
    spec,
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
      y: { field: 'job', type: 'nominal', sort: names, title: null, axis: { labelLimit: 320 } },
      x: { field: 'r2', type: 'quantitative', title: 'R² on loss', scale: { zero: false } },
      color: { field: 'set', type: 'nominal', title: 'rows', scale: { domain: ['train', 'heldout'], range: ['#4c78a8', '#e45756'] } },
      shape: { field: 'status', type: 'nominal', title: 'fit status', scale: statusShapes(values.map((v) => v.status as string)) },
    },
  } as unknown as PlotSpec;
  return { name, title: 'Fit quality across jobs', caption: 'R² = 1 − SS_res/SS_tot on loss, from each artifact\u2019s metrics (train rows and held-out rows). Shape: fit status.', spec };
}

/** Estimates (with bootstrap 95 % intervals where present) of the parameters most jobs share, one panel per parameter. */
export function sweepParamsPlot(jobs: JobSummary[], name: string, maxParams = 8): PlotDef | null {
  const counts = new Map<string, number>();
  for (const job of jobs) for (const k of Object.keys(job.artifact?.params ?? {})) counts.set(k, (counts.get(k) ?? 0) + 1);
  const order = ['E', 'A', 'B', 'alpha', 'beta'];
  const params = [...counts.keys()]
    .filter((k) => counts.get(k)! >= 2)
    .sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
      return counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1);
    })
    .slice(0, maxParams);
  if (params.length === 0) return null;
  const values: Record<string, unknown>[] = [];
  const names: string[] = [];
  for (const job of jobs) {
    if (!job.artifact) continue;
    names.push(job.name);
    for (const k of params) {
      const e = job.artifact.params[k];
      if (!e || !Number.isFinite(e.value)) continue;
      values.push({ job: job.name, param: k, value: round6(e.value), lo: round6(e.ci95?.[0] ?? e.value), hi: round6(e.ci95?.[1] ?? e.value) });
    }
  }
  const height = Math.max(80, 14 * names.length);
  const spec = {
    data: { values },
    columns: Math.min(4, params.length),
    facet: { field: 'param', type: 'nominal', sort: params, title: null },
    spec: {
      width: 170,
      height,
      layer: [
        { mark: { type: 'rule', color: '#777' }, encoding: { y: { field: 'job', type: 'nominal', sort: names, title: null, axis: { labelLimit: 240 } }, x: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: null }, x2: { field: 'hi' } } },
        { mark: { type: 'point', filled: true, size: 30, color: '#4c78a8' }, encoding: { y: { field: 'job', type: 'nominal', sort: names }, x: { field: 'value', type: 'quantitative', scale: { zero: false } } } },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  } as unknown as PlotSpec;
  return { name, title: 'Coefficients across jobs', caption: 'Point: estimate (natural scale); bar: bootstrap 95 % interval where the job ran a bootstrap. Each panel has its own axis.', spec };
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
  const x = { field: 'tokens', type: 'quantitative', scale: { type: 'log' }, title: 'tokens D', axis: { labelExpr: SI_LABEL, tickCount: 4 } };
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
    spec: { width: 190, height: kind === 'loss' ? 150 : 110, layer },
    resolve: { scale: { x: 'independent', y: 'independent' } },
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
