/**
 * report/: one self-contained HTML page (and PNGs) from a fit or sweep folder. Owns reading a
 * folder's artifacts (inputs.ts), recomputed bootstrap bands (bootstrap.ts), the page (html.ts)
 * and the vega-lite plots rendered to SVG/PNG in Node (plots/).
 *
 * May import: config/, fit/, transfer/, ingest/, fitting/, laws/, io/.
 *
 * Public: buildReport.
 */
export { buildReport } from './report.ts';
