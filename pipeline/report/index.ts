/**
 * report/: one self-contained HTML page (and PNGs) from a fit or sweep folder. Owns reading a
 * folder's artifacts and bootstrap draws (inputs.ts), checking or recomputing the draws
 * (bootstrap.ts), the page (html.ts) and the vega-lite plots rendered to SVG/PNG in Node
 * (plots/), including the transfer heatmap `atlas transfer` writes (plots/heatmap.ts).
 *
 * May import: config/, fit/, transfer/, ingest/, fitting/, laws/, io/.
 *
 * Public: buildReport.
 */
export { buildReport } from './report.ts';
