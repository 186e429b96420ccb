/**
 * HTML of the report: one self-contained page (inline CSS and SVG, no script, no external
 * resource). Tables put the fit status first and colour any fit that did not converge, so a
 * failed or doubtful fit is never hidden behind its coefficients.
 */
import type { CoefficientArtifact, DerivedEntry, FitSection, Metrics, ParamEntry } from '../io/artifact.ts';
import { identification, trimNumber } from './plots/format.ts';

/** A rendered plot: its SVG and where its PNG is (relative to the page), if exported. */
export interface RenderedPlot {
  name: string;
  title: string;
  caption: string;
  svg: string;
  png: string | null;
}

/** Escape text for HTML. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function n(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? '' : trimNumber(value, digits);
}

/** Status class of a fit: `ok` (converged), `warn` (at a bound) or `bad` (anything else). */
export function statusClass(fit: Pick<FitSection, 'status' | 'converged'> | undefined): 'ok' | 'warn' | 'bad' {
  if (!fit) return 'bad';
  if (fit.status === 'converged' && fit.converged) return 'ok';
  if (fit.status === 'at-bound' && fit.converged) return 'warn';
  return 'bad';
}

/** The status line of a fit, first thing of every fit section. */
export function statusBanner(fit: FitSection | undefined, params: Record<string, ParamEntry>): string {
  if (!fit) return `<p class="status bad"><b>fit status: missing</b> (the artifact has no fit section)</p>`;
  const cls = statusClass(fit);
  const atBound = Object.entries(params).filter(([, e]) => e.at_bound).map(([k, e]) => `${k} (${e.at_bound})`);
  const unidentified = Object.entries(params).filter(([, e]) => identification(e) === false).map(([k]) => k);
  const parts = [
    `<b>fit status: ${esc(fit.status ?? (fit.converged ? 'converged' : 'not converged'))}</b>`,
    fit.converged ? 'converged' : '<b>NOT converged</b>',
    fit.message ? esc(fit.message) : '',
    atBound.length ? `on a bound: ${esc(atBound.join(', '))}` : '',
    unidentified.length ? `<b>not identified: ${esc(unidentified.join(', '))}</b> (the data do not pin ${unidentified.length === 1 ? 'it' : 'them'} down; do not read ${unidentified.length === 1 ? 'its value' : 'their values'})` : '',
    `${n(fit.starts, 6)} start(s), ${n(fit.iterations, 6)} iteration(s), optimizer ${esc(fit.optimizer ?? '?')}`,
  ].filter((s) => s !== '');
  return `<p class="status ${unidentified.length && cls === 'ok' ? 'warn' : cls}">${parts.join(' · ')}</p>`;
}

function interval(ci: [number, number] | undefined): string {
  return ci ? `[${n(ci[0])}, ${n(ci[1])}]` : '';
}

/**
 * Coefficients with their bootstrap and asymptotic uncertainty. When the fit says which
 * parameters are identified, an `identified` column shows it and flags the others.
 */
export function paramsTable(params: Record<string, ParamEntry>): string {
  const flags = Object.values(params).some((e) => identification(e) !== undefined);
  const rows = Object.entries(params).map(([name, e]) => {
    const id = identification(e);
    const cls = id === false ? ' class="bad"' : e.at_bound ? ' class="warn"' : '';
    return `<tr${cls}><td>${esc(name)}</td><td class="num">${n(e.value, 6)}</td><td class="num">${n(e.stderr)}</td>` +
      `<td class="num">${interval(e.ci95)}</td><td class="num">${n(e.stderr_asymptotic)}</td><td>${esc(e.vary ?? '')}</td><td>${esc(e.at_bound ?? '')}</td>` +
      `${flags ? `<td>${id === false ? '<b>NOT identified</b>' : id === true ? 'yes' : ''}</td>` : ''}</tr>`;
  });
  return `<table><thead><tr><th>parameter</th><th>value</th><th>stderr (bootstrap)</th><th>95 % interval (bootstrap)</th><th>stderr (asymptotic)</th><th>vary</th><th>at bound</th>` +
    `${flags ? '<th>identified</th>' : ''}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Train and held-out metrics. */
export function metricsTable(metrics: { train?: Metrics; heldout?: Metrics & { spec: string } } | undefined): string {
  if (!metrics) return '';
  const row = (label: string, m: Metrics | undefined) => (m ? `<tr><td>${esc(label)}</td><td class="num">${n(m.rows, 8)}</td><td class="num">${n(m.r2)}</td><td class="num">${n(m.rmse)}</td><td class="num">${n(m.mape)}</td></tr>` : '');
  return `<table><thead><tr><th>rows</th><th>count</th><th>R²</th><th>RMSE (loss)</th><th>MAPE %</th></tr></thead><tbody>` +
    `${row('train', metrics.train)}${row(metrics.heldout ? `held out (${metrics.heldout.spec})` : '', metrics.heldout)}</tbody></table>`;
}

/** Derived quantities (exponents, multipliers …) with their intervals. */
export function derivedTable(derived: Record<string, DerivedEntry> | undefined): string {
  const entries = Object.entries(derived ?? {});
  if (entries.length === 0) return '';
  const rows = entries.map(([k, e]) => `<tr><td>${esc(k)}</td><td class="num">${n(e.value, 6)}</td><td class="num">${n(e.stderr)}</td><td class="num">${interval(e.ci95)}</td></tr>`);
  return `<h4>Derived quantities</h4><table><thead><tr><th>quantity</th><th>value</th><th>stderr</th><th>95 % interval</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Per-group fits (`--group-by`): status first, then each parameter's estimate with its bootstrap
 * 95 % interval underneath (when the fit ran a bootstrap); a parameter the fit flags as not
 * identified is marked.
 */
export function groupsTable(artifact: CoefficientArtifact): string {
  const groups = Object.keys(artifact.groups ?? {}).sort();
  if (groups.length === 0) return '';
  const names = [...new Set(groups.flatMap((g) => Object.keys(artifact.groups![g].params)))];
  const anyInterval = groups.some((g) => Object.values(artifact.groups![g].params).some((e) => e.ci95));
  const cell = (e: ParamEntry | undefined) => {
    if (!e) return '<td class="num"></td>';
    const id = identification(e) === false;
    return `<td class="num${id ? ' flag' : ''}">${n(e.value)}${id ? ' <b>(not identified)</b>' : ''}${e.ci95 ? `<br><span class="ci">${interval(e.ci95)}</span>` : ''}</td>`;
  };
  const rows = groups.map((g) => {
    const e = artifact.groups![g];
    const cls = statusClass(e.fit);
    return `<tr class="${cls}"><td>${esc(e.fit?.status ?? '?')}${e.fit?.converged ? '' : ' (NOT converged)'}</td><td>${esc(g)}</td><td class="num">${n(e.metrics?.train?.r2)}</td><td class="num">${n(e.metrics?.heldout?.r2)}</td>` +
      names.map((k) => cell(e.params[k])).join('') + '</tr>';
  });
  return `<h4>Groups (${esc(artifact.group_by ?? 'group')})</h4>` +
    `<p class="note">${anyInterval ? 'Each estimate with its bootstrap 95 % interval underneath.' : 'No intervals: the fit ran no bootstrap (rerun with --bootstrap B).'}</p>` +
    `<table><thead><tr><th>fit status</th><th>group</th><th>train R²</th><th>held-out R²</th>${names.map((k) => `<th>${esc(k)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Objective, data and provenance of an artifact. */
export function detailsTable(a: CoefficientArtifact): string {
  const items: [string, string][] = [
    ['law', a.law],
    ['objective', `${a.objective?.kind ?? '?'}${a.objective?.delta !== undefined ? ` (δ = ${n(a.objective.delta)})` : ''}, value ${n(a.objective?.value, 6)}`],
    ['data', `${n(a.data?.rows, 9)} rows, ${n(a.data?.runs, 9)} runs; ${(a.data?.files ?? []).join(', ')}`],
    ['data sha256', a.data?.sha256 ?? ''],
    ['version', `atlas ${a.provenance?.version ?? '?'}, seed ${a.provenance?.seed ?? '?'}${a.provenance?.config_sha256 ? `, config ${a.provenance.config_sha256.slice(0, 12)}` : ''}`],
  ];
  return `<table class="kv"><tbody>${items.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

/** A plot as a figure: title, inline SVG, caption and PNG link. */
export function figure(plot: RenderedPlot): string {
  return `<figure id="fig-${esc(plot.name)}"><figcaption class="title">${esc(plot.title)}</figcaption>${plot.svg}` +
    `<figcaption>${esc(plot.caption)}${plot.png ? ` <a href="${esc(plot.png)}">PNG</a>` : ''}</figcaption></figure>`;
}

const CSS = `
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;color:#222;line-height:1.4}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:32px}
h3{font-size:16px;margin-top:24px}h4{font-size:14px;margin:14px 0 6px}
table{border-collapse:collapse;font-size:13px;margin:6px 0 12px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.kv th{background:#f8f8f8;font-weight:normal;color:#555}
.status{padding:6px 10px;border-radius:4px;font-size:14px}.status.ok{background:#e6f4ea;border:1px solid #8bc79b}
.status.warn{background:#fff4d6;border:1px solid #e0b84c}.status.bad{background:#fde2e1;border:1px solid #e08a85}
tr.ok td:first-child{background:#e6f4ea}tr.warn td{background:#fff4d6}tr.bad td{background:#fde2e1}
.plots{display:flex;flex-wrap:wrap;gap:8px 32px;align-items:flex-start}
figure{margin:16px 0 24px;overflow-x:auto;max-width:100%;width:min-content}figure svg{display:block}
figcaption{font-size:12.5px;color:#444;max-width:720px}figcaption.title{font-size:14px;font-weight:bold;color:#222;margin-bottom:4px}
.note{font-size:13px;color:#555}.ci{color:#555;font-size:12px}td.flag{background:#fde2e1}
.table-wrap{max-width:100%;overflow-x:auto}td.error{max-width:420px;overflow-wrap:anywhere;font-size:12px}
details pre{font-size:12px;white-space:pre-wrap;max-height:320px;overflow:auto;background:#fafafa;border:1px solid #ddd;padding:6px}nav a{margin-right:12px;font-size:13px}
`;

/** The whole page. */
export function page(title: string, subtitle: string, nav: [string, string][], body: string): string {
  const links = nav.map(([id, label]) => `<a href="#${esc(id)}">${esc(label)}</a>`).join('');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>\n<h1>${esc(title)}</h1><p class="note">${esc(subtitle)}</p>` +
    `${links ? `<nav>${links}</nav>` : ''}\n${body}\n</body></html>\n`;
}
