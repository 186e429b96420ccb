/**
 * Plots of mixture-law fits (`mixing-law`, `mixture-linear`, the ATLAS law with domains): observed
 * against predicted loss on the held-out mixtures, one panel per model size with Spearman's ρ, and
 * the fitted transfer matrix of a data mixing law (rows: target domains, columns: training domains).
 */
import type { CoefficientArtifact } from '../../io/artifact.ts';
import type { PredictionRows } from '../inputs.ts';
import { spearman } from '../../fit/rank.ts';
import type { PlotDef } from './fit_plots.ts';
import { formatCount, round6, trimNumber } from './format.ts';
import type { PlotSpec } from './render.ts';

/** Laws whose fits get the mixture plots. */
export function isMixtureFit(artifact: CoefficientArtifact | null): boolean {
  if (!artifact) return false;
  return artifact.law === 'mixing-law' || artifact.law === 'mixture-linear' || (artifact.law === 'atlas' && (artifact.law_options?.domains === true || artifact.law_options?.domains === 'true'));
}

/** Held-out rows: observed against predicted, a panel per model size, ρ per (size, target) in the caption. */
export function heldoutMixturePlot(p: PredictionRows, name: string): PlotDef | null {
  const rows: number[] = [];
  for (let i = 0; i < p.rows; i++) if (p.split[i] === 'heldout' && Number.isFinite(p.predicted[i])) rows.push(i);
  if (rows.length < 2) return null;
  const cells = new Map<string, number[]>();
  for (const i of rows) {
    const key = `${p.params[i]}\u0000${p.evalLang[i]}`;
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key)!.push(i);
  }
  const sizes = [...new Set(rows.map((i) => p.params[i]))].sort((a, b) => a - b);
  const rhoText: string[] = [];
  for (const n of sizes) {
    const rhos = [...cells.entries()].filter(([k, r]) => Number(k.split('\u0000')[0]) === n && r.length > 1)
      .map(([, r]) => spearman(r.map((i) => p.predicted[i]), r.map((i) => p.loss[i]))).filter((v) => Number.isFinite(v));
    if (rhos.length) rhoText.push(`N ${formatCount(n)}: ρ ${trimNumber(rhos.reduce((a, b) => a + b, 0) / rhos.length, 3)}${rhos.length > 1 ? ` (mean of ${rhos.length} targets)` : ''}`);
  }
  const values = rows.map((i) => ({ size: `N ${formatCount(p.params[i])}`, target: p.evalLang[i], predicted: round6(p.predicted[i]), loss: round6(p.loss[i]) }));
  const spec = {
    data: { values },
    facet: { column: { field: 'size', type: 'nominal', title: null, sort: sizes.map((n) => `N ${formatCount(n)}`) } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 220,
      height: 220,
      mark: { type: 'point', filled: true, size: 20, opacity: 0.7 },
      encoding: {
        x: { field: 'predicted', type: 'quantitative', scale: { zero: false }, title: 'predicted loss' },
        y: { field: 'loss', type: 'quantitative', scale: { zero: false }, title: 'observed loss' },
        color: { field: 'target', type: 'nominal', title: 'target' },
      },
    },
  } as unknown as PlotSpec;
  return {
    name,
    title: 'Held-out mixtures: observed against predicted',
    caption: `Each point is a held-out mixture (${values.length} rows); ranking them is what a mixture choice needs. Spearman ρ across mixtures: ${rhoText.join('; ') || 'not defined'}.`,
    spec,
  };
}

/** Heatmap of a data mixing law's t (one row per target domain of a `--group-by eval_lang` fit). */
export function mixingTransferHeatmap(artifact: CoefficientArtifact, name: string): PlotDef | null {
  if (artifact.law !== 'mixing-law') return null;
  const fits: [string, Record<string, { value: number }>][] = artifact.groups
    ? Object.entries(artifact.groups).map(([g, e]) => [g, e.params])
    : [[String((artifact.context as { target?: string })?.target ?? 'target'), artifact.params]];
  const cells: Record<string, unknown>[] = [];
  const sources = new Set<string>();
  for (const [target, params] of fits) {
    for (const [pname, entry] of Object.entries(params)) {
      if (!pname.startsWith('t_')) continue;
      sources.add(pname.slice(2));
      cells.push({ target, source: pname.slice(2), t: round6(entry.value), label: trimNumber(entry.value, 2) });
    }
  }
  if (cells.length === 0) return null;
  const targets = fits.map(([t]) => t);
  // A target's own domain often sits at the lower bound (training on it alone leaves no
  // reducible loss); the colour scale starts at the 10th percentile so the rest stays readable.
  const sorted = cells.map((c) => c.t as number).sort((a, b) => a - b);
  const lo = sorted[Math.floor(0.1 * (sorted.length - 1))];
  const hi = sorted[sorted.length - 1];
  const sourceList = [...sources].sort();
  const cell = sourceList.length <= 20 ? 26 : 14;
  const spec = {
    data: { values: cells },
    width: cell * sourceList.length,
    height: cell * targets.length,
    encoding: {
      x: { field: 'source', type: 'nominal', sort: sourceList, title: 'training domain j', axis: { labelAngle: -60, grid: false } },
      y: { field: 'target', type: 'nominal', sort: targets, title: 'target domain i', axis: { grid: false } },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 't', type: 'quantitative', title: 't_ij', scale: { scheme: 'viridis', domain: [lo, hi > lo ? hi : lo + 1], clamp: true } } } },
      ...(sourceList.length <= 20 && targets.length <= 20 ? [{ mark: { type: 'text', fontSize: 7 }, encoding: { text: { field: 'label' }, color: { value: 'white' } } }] : []),
    ],
  } as unknown as PlotSpec;
  return {
    name,
    title: 'Fitted transfer matrix of the data mixing law',
    caption: 'L_i(r) = c_i + exp(Σ_j t_ij r_j): exp(t_ij) is the reducible loss on target i of a model trained on domain j alone, so lower (darker) is a more useful source; colours are clamped below the 10th percentile (cells at the bound −30: no reducible loss left); ' +
      'the paper\u2019s k_i·exp(Σ t_ij r_j) is the same law with the row mean of t moved into ln k_i.',
    spec,
  };
}
