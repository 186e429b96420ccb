/**
 * Human-readable summaries printed on stderr: fit status first, never a silent "ok".
 */
import type { CoefficientArtifact, GroupEntry, Metrics } from '../io/artifact.ts';

/** Number with `digits` significant digits, trimmed. */
export function num(value: number | null | undefined, digits = 6): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

function metricsLine(name: string, m: Metrics & { spec?: string }): string {
  return `  ${name}${m.spec ? ` (${m.spec})` : ''}: rows ${m.rows}, R² ${num(m.r2, 5)}, RMSE ${num(m.rmse, 4)}, MAPE ${num(m.mape, 3)} %\n`;
}

function paramsBlock(entry: Pick<GroupEntry, 'params' | 'fit' | 'objective' | 'metrics' | 'derived'>, indent = '', seconds?: number): string {
  let out = `${indent}status: ${entry.fit.status} (${entry.fit.message}); ${entry.fit.starts} starts, ${entry.fit.iterations} iterations${seconds !== undefined ? `, ${num(seconds, 3)} s` : ''}\n`;
  out += `${indent}objective: ${entry.objective.kind}${entry.objective.delta !== undefined ? ` δ=${entry.objective.delta}` : ''} = ${num(entry.objective.value, 11)}\n`;
  const width = Math.max(5, ...Object.keys(entry.params).map((n) => n.length));
  for (const [name, p] of Object.entries(entry.params)) {
    const interval = p.ci95 && !p.not_identified ? ` 95% [${num(p.ci95[0])}, ${num(p.ci95[1])}]` : '';
    const err = p.not_identified ? '' : typeof p.stderr === 'number' ? ` ± ${num(p.stderr, 3)}` : p.stderr_asymptotic !== undefined ? ` ± ${num(p.stderr_asymptotic, 3)} (asymptotic)` : '';
    const flags = [p.vary !== 'free' ? p.vary : '', p.at_bound ? `at ${p.at_bound} bound` : '', p.not_identified ? `NOT IDENTIFIED: ${p.not_identified}` : ''].filter(Boolean).join(', ');
    out += `${indent}  ${name.padEnd(width)} ${num(p.value, 8)}${err}${interval}${flags ? `  (${flags})` : ''}\n`;
  }
  out += metricsLine(`${indent}train`, entry.metrics.train);
  if (entry.metrics.heldout) out += metricsLine(`${indent}heldout`, entry.metrics.heldout);
  return out;
}

/** Summary of a fitted artifact. */
export function formatFit(artifact: CoefficientArtifact, seconds?: number): string {
  let out = `${artifact.law} on ${artifact.data.rows} rows (${artifact.data.runs} runs)\n`;
  if (artifact.groups) {
    for (const [name, group] of Object.entries(artifact.groups)) out += `[${artifact.group_by}=${name}]\n${paramsBlock(group, '  ')}`;
    out += metricsLine('all groups, train', artifact.metrics.train);
    if (artifact.metrics.heldout) out += metricsLine('all groups, heldout', artifact.metrics.heldout);
  } else {
    out += paramsBlock(artifact, '', seconds);
  }
  const derived = Object.entries(artifact.derived);
  if (derived.length) {
    out += 'derived:\n';
    for (const [name, d] of derived) out += `  ${name} ${num(d.value)}${d.ci95 ? ` 95% [${num(d.ci95[0])}, ${num(d.ci95[1])}]` : ''}\n`;
  }
  return out;
}

/** Names of the free parameters the data do not identify, per group (key '' without groups). */
export function notIdentified(artifact: CoefficientArtifact): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const collect = (key: string, params: CoefficientArtifact['params']) => {
    const names = Object.entries(params).filter(([, p]) => p.not_identified).map(([name, p]) => `${name} (${p.not_identified})`);
    if (names.length) out.set(key, names);
  };
  if (artifact.groups) for (const [name, group] of Object.entries(artifact.groups)) collect(name, group.params);
  else collect('', artifact.params);
  return out;
}

/** Warning lines for parameters the data do not identify (empty when every one is identified). */
export function identifiabilityWarnings(artifact: CoefficientArtifact): string {
  let out = '';
  for (const [group, names] of notIdentified(artifact)) {
    const where = group ? ` [${artifact.group_by}=${group}]` : '';
    const first = names[0].split(' ')[0];
    out += `atlas: warning:${where} not identified by these data: ${names.join(', ')}; their values are arbitrary along a flat direction and have no standard error. Fix them (--fix ${first}=VALUE) or add runs that vary them.\n`;
  }
  return out;
}
