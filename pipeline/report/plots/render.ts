/**
 * Plot rendering without a browser: a vega-lite spec is compiled and rendered to SVG text in
 * Node (`renderer: 'none'`, no canvas), and an SVG is rasterised to PNG with resvg using the
 * DejaVu Sans font shipped in `plots/fonts/` (system fonts are not consulted, so the PNG bytes do
 * not depend on the machine).
 *
 * Every SVG gets its element ids rewritten to `<name>-<k>`: vega numbers clip paths and gradients
 * from a process-wide counter, which would make two renders of the same spec differ and would
 * make several SVGs inlined in one HTML page share (and steal) each other's clip paths.
 */
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** Font family every plot uses (shipped in `plots/fonts/`). */
export const PLOT_FONT = 'DejaVu Sans';

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => fileURLToPath(new URL(`./fonts/${name}`, import.meta.url)));

/** Shared vega-lite config: fonts, sizes and a white background, so plots look alike. */
export const PLOT_CONFIG = {
  background: 'white',
  font: PLOT_FONT,
  // No per-mark ARIA labels: they repeat every data value as text and triple the page size.
  aria: false,
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e6e6e6', labelFlush: false },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const, subtitleFontSize: 11, subtitleColor: '#555' },
  view: { stroke: '#bbb' },
};

/** A vega-lite spec (the config is merged in by `renderSvg`). */
export type PlotSpec = TopLevelSpec;

/** Rewrite every `id` of an SVG (and its `url(#…)` / `href="#…"` references) to `<prefix>-<k>`. */
export function prefixSvgIds(svg: string, prefix: string): string {
  const ids: string[] = [];
  for (const match of svg.matchAll(/\sid="([^"]+)"/g)) if (!ids.includes(match[1])) ids.push(match[1]);
  if (ids.length === 0) return svg;
  const map = new Map(ids.map((id, k) => [id, `${prefix}-${k + 1}`]));
  const lookup = (id: string) => map.get(id) ?? id;
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_m, a: string, id: string, b: string) => `${a}${lookup(id)}${b}`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${lookup(id)})`)
    .replace(/(href=")#([^"]+)(")/g, (_m, a: string, id: string, b: string) => `${a}#${lookup(id)}${b}`);
}

/** Render a vega-lite spec to SVG text; ids are prefixed with `name`. */
export async function renderSvg(spec: PlotSpec, name: string): Promise<string> {
  // The spec's own config overrides the shared one key by key (one level deep: `axis`, `legend` …).
  const own = ((spec as { config?: Record<string, unknown> }).config ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = { ...PLOT_CONFIG };
  for (const [key, value] of Object.entries(own)) {
    const base = config[key];
    config[key] = base && typeof base === 'object' && value && typeof value === 'object' ? { ...base, ...value } : value;
  }
  const withConfig = { ...spec, config } as PlotSpec;
  const compiled = vl.compile(withConfig, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return prefixSvgIds(svg, `plot-${name}`);
  } finally {
    view.finalize();
  }
}

/** Rasterise SVG text to PNG bytes at `width` pixels (height follows the aspect ratio). */
export function svgToPng(svg: string, width = 1000): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: FONT_FILES,
      defaultFontFamily: PLOT_FONT,
      sansSerifFamily: PLOT_FONT,
    },
  });
  return resvg.render().asPng();
}
