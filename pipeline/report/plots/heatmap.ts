/**
 * Heatmap of a score matrix (bilingual transfer scores: rows = target languages, columns = source
 * languages, ATLAS Fig. 2 orientation) as a vega-lite chart, drawn like every other plot.
 *
 * Colour: when the scores take both signs, a diverging scale over their range whose white middle
 * sits at 0 (red hurts, blue helps); when they all have one sign, a sequential scale over their
 * range (blues for positive, reds for negative), so the colours spread over the data instead of
 * half of a scale centred far from it. Empty cells (not measured) are light grey; censored
 * bounds carry `>` / `<` before their value.
 */
import { round6, trimNumber } from './format.ts';
import { renderSvg, type PlotSpec } from './render.ts';
import type { TransferMatrix } from '../../transfer/matrix.ts';

export interface HeatmapInput {
  rows: string[];
  cols: string[];
  /** rows × cols, row-major; NaN = not measured. */
  values: ArrayLike<number>;
  /** Per cell: `>` (true value above the bound), `<` (below) or ''. */
  prefix?: ArrayLike<string | undefined>;
  /** Title drawn in the chart (the standalone SVG); the report puts it in the figure caption instead. */
  title?: string;
  rowAxis?: string;
  colAxis?: string;
  /** Legend title. @default 'BTS' */
  legend?: string;
}

/** How the colour scale was chosen, for captions. */
export type HeatmapScale = 'diverging' | 'positive' | 'negative';

/** Split a title into lines of at most `width` characters (at spaces). */
export function wrapTitle(text: string, width = 70): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The vega-lite spec of the heatmap and the kind of colour scale it uses; null without a measured cell. */
export function heatmapSpec(input: HeatmapInput): { spec: PlotSpec; scale: HeatmapScale; cell: number } | null {
  const cells: Record<string, unknown>[] = [];
  const empty: Record<string, unknown>[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  const nc = input.cols.length;
  for (let i = 0; i < input.rows.length; i++) {
    for (let j = 0; j < nc; j++) {
      const v = input.values[i * nc + j];
      if (!Number.isFinite(v)) {
        if (input.rows[i] !== input.cols[j]) empty.push({ target: input.rows[i], source: input.cols[j] });
        continue;
      }
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      const prefix = input.prefix?.[i * nc + j] ?? '';
      cells.push({ target: input.rows[i], source: input.cols[j], bts: round6(v), label: `${prefix}${trimNumber(v, 2)}` });
    }
  }
  if (cells.length === 0) return null;
  const n = Math.max(input.rows.length, nc);
  const cell = n <= 12 ? 36 : n <= 30 ? 18 : 10;
  let scale: HeatmapScale;
  let colour: Record<string, unknown>;
  if (lo < 0 && hi > 0) {
    scale = 'diverging';
    colour = { scheme: 'redblue', domain: [round6(lo), round6(hi)], domainMid: 0 };
  } else if (lo >= 0) {
    scale = 'positive';
    colour = { scheme: { name: 'blues', extent: [0.1, 0.9] }, domain: [round6(lo), round6(hi > lo ? hi : lo + 1e-6)] };
  } else {
    scale = 'negative';
    colour = { scheme: { name: 'reds', extent: [0.1, 0.9] }, domain: [round6(lo), round6(hi > lo ? hi : lo + 1e-6)], reverse: true };
  }
  // Text colour flips to white on the darkest third of the scale.
  const dark = scale === 'diverging'
    ? `datum.bts > ${round6(hi * 0.55)} || datum.bts < ${round6(lo * 0.55)}`
    : scale === 'positive' ? `datum.bts > ${round6(lo + 0.62 * (hi - lo))}` : `datum.bts < ${round6(hi - 0.62 * (hi - lo))}`;
  const x = { field: 'source', type: 'nominal', sort: input.cols, scale: { domain: input.cols }, title: input.colAxis ?? 'source language s', axis: { labelAngle: -60, grid: false, orient: 'top' } };
  const y = { field: 'target', type: 'nominal', sort: input.rows, scale: { domain: input.rows }, title: input.rowAxis ?? 'target language t', axis: { grid: false } };
  const layers: Record<string, unknown>[] = [];
  if (empty.length > 0) layers.push({ data: { values: empty }, mark: { type: 'rect', color: '#eeeeee' }, encoding: { x, y } });
  layers.push({ data: { values: cells }, mark: { type: 'rect' }, encoding: { x, y, color: { field: 'bts', type: 'quantitative', title: input.legend ?? 'BTS', scale: colour, legend: { gradientLength: Math.max(120, Math.min(260, cell * input.rows.length)) } } } });
  if (n <= 12) layers.push({ data: { values: cells }, mark: { type: 'text', fontSize: 10 }, encoding: { x, y, text: { field: 'label' }, color: { condition: { test: dark, value: 'white' }, value: '#111' } } });
  const spec = {
    ...(input.title ? { title: { text: wrapTitle(input.title), anchor: 'start' } } : {}),
    width: cell * nc,
    height: cell * input.rows.length,
    layer: layers,
    config: { view: { stroke: null } },
  } as unknown as PlotSpec;
  return { spec, scale, cell };
}

/** Standalone SVG document of the heatmap (`atlas transfer`'s transfer_heatmap.svg). */
export async function heatmapSvg(input: HeatmapInput, name = 'heatmap'): Promise<string> {
  const built = heatmapSpec(input);
  const spec = built?.spec ?? ({ title: { text: wrapTitle(`${input.title ?? ''} (no measured cell)`.trim()) }, width: 200, height: 40, mark: 'text', data: { values: [{}] }, encoding: { text: { value: 'no measured cell' }, x: { value: 100 }, y: { value: 20 } } } as unknown as PlotSpec);
  return `${await renderSvg(spec, name)}\n`;
}

/** A transfer matrix as `atlas transfer` writes it (transfer_heatmap.svg); censored cells get `<` / `>` before their bound. */
export async function matrixHeatmap(m: TransferMatrix, title: string): Promise<string> {
  return heatmapSvg({
    rows: m.targets,
    cols: m.sources,
    values: m.values,
    prefix: Array.from(m.censored ?? new Int8Array(m.values.length), (c) => (c < 0 ? '<' : c > 0 ? '>' : '')),
    title,
    rowAxis: 'target language t',
    colAxis: 'source language s',
  }, 'transfer-heatmap');
}
