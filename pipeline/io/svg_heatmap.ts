/**
 * A hand-written SVG heatmap for score matrices (no browser, no plotting library): one square
 * per cell, a diverging colour scale centred at 0 (red = negative, white = 0, blue = positive,
 * symmetric in |value|), row and column labels, the value printed in every cell, and a colour
 * bar. Empty cells (NaN) are light grey; a cell can carry a prefix (`<`, `>`) for censored
 * bounds. Output is deterministic text.
 */

export interface HeatmapInput {
  rows: string[];
  cols: string[];
  /** rows × cols, row-major; NaN = empty. */
  values: ArrayLike<number>;
  /** Optional text prefix per cell (e.g. `<` for an upper bound). */
  prefix?: (string | undefined)[];
  title?: string;
  rowAxis?: string;
  colAxis?: string;
  /** Decimals of the printed values. @default 2 */
  digits?: number;
  /** Half-range of the colour scale; default max |value| (at least 0.05). */
  range?: number;
  /** Cell edge in pixels. @default 34 */
  cell?: number;
}

const NEG: [number, number, number] = [178, 24, 43];
const MID: [number, number, number] = [247, 247, 247];
const POS: [number, number, number] = [33, 102, 172];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Colour of `v` on the diverging scale with half-range `range` (hex `#rrggbb`). */
export function divergingColor(v: number, range: number): string {
  const u = Math.max(-1, Math.min(1, v / range));
  const end = u < 0 ? NEG : POS;
  const w = Math.abs(u);
  const rgb = MID.map((m, i) => Math.round(m + (end[i] - m) * w));
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** The SVG document text. */
export function heatmapSvg(input: HeatmapInput): string {
  const cell = input.cell ?? 34;
  const digits = input.digits ?? 2;
  const nr = input.rows.length;
  const nc = input.cols.length;
  let maxAbs = 0;
  for (let k = 0; k < nr * nc; k++) if (Number.isFinite(input.values[k])) maxAbs = Math.max(maxAbs, Math.abs(input.values[k]));
  const range = input.range ?? Math.max(0.05, maxAbs);
  const left = 70;
  const top = input.title ? 78 : 56;
  const gridW = nc * cell;
  const gridH = nr * cell;
  const barW = 16;
  const width = left + gridW + 90;
  const height = top + gridH + 40;
  const font = Math.max(8, Math.round(cell * 0.29));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (input.title) out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">${escape(input.title)}</text>`);
  if (input.colAxis) out.push(`<text x="${left + gridW / 2}" y="${top - 30}" font-size="12" text-anchor="middle">${escape(input.colAxis)}</text>`);
  if (input.rowAxis) out.push(`<text x="14" y="${top + gridH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${top + gridH / 2})">${escape(input.rowAxis)}</text>`);
  input.cols.forEach((c, j) => {
    out.push(`<text x="${left + j * cell + cell / 2}" y="${top - 8}" font-size="${font + 2}" text-anchor="middle">${escape(c)}</text>`);
  });
  input.rows.forEach((r, i) => {
    out.push(`<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" font-size="${font + 2}" text-anchor="end">${escape(r)}</text>`);
  });
  for (let i = 0; i < nr; i++) {
    for (let j = 0; j < nc; j++) {
      const k = i * nc + j;
      const v = input.values[k];
      const x = left + j * cell;
      const y = top + i * cell;
      if (!Number.isFinite(v)) {
        out.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="#e6e6e6" stroke="#ffffff"/>`);
        continue;
      }
      const fill = divergingColor(v, range);
      const dark = Math.abs(v) / range > 0.55;
      const label = `${input.prefix?.[k] ?? ''}${v.toFixed(digits)}`;
      out.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ffffff"><title>${escape(`${input.rows[i]} ← ${input.cols[j]}: ${label}`)}</title></rect>`);
      out.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + font / 3}" font-size="${font}" text-anchor="middle" fill="${dark ? '#ffffff' : '#222222'}">${escape(label)}</text>`);
    }
  }
  // Colour bar.
  const bx = left + gridW + 24;
  const steps = 40;
  for (let s = 0; s < steps; s++) {
    const v = range - (2 * range * (s + 0.5)) / steps;
    out.push(`<rect x="${bx}" y="${top + (gridH * s) / steps}" width="${barW}" height="${gridH / steps + 0.5}" fill="${divergingColor(v, range)}"/>`);
  }
  out.push(`<rect x="${bx}" y="${top}" width="${barW}" height="${gridH}" fill="none" stroke="#888888"/>`);
  for (const [v, y] of [[range, top], [0, top + gridH / 2], [-range, top + gridH]] as const) {
    out.push(`<text x="${bx + barW + 4}" y="${y + 4}" font-size="10">${v === 0 ? '0' : v.toFixed(2)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
