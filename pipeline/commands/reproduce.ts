/**
 * `atlas reproduce [TARGET…]`: recompute published numbers from shipped data; print published,
 * ours and the difference; exit 1 when any check is out of tolerance.
 */
import type { Argv, CommandModule } from 'yargs';
import { TARGETS } from '../reproduce/index.ts';
import type { Check } from '../reproduce/check.ts';
import { InputError } from '../io/types.ts';
import { printJson, returnsExitCode } from './common.ts';
import { num } from './format.ts';

interface Args {
  targets?: string[];
  json?: boolean;
  quick?: boolean;
  seed?: number;
}

function toleranceText(t: Check['tolerance']): string {
  const parts: string[] = [];
  if (t.rel !== undefined) parts.push(`±${num(t.rel * 100, 3)}%`);
  if (t.abs !== undefined) parts.push(`±${num(t.abs, 3)}`);
  if (t.digits !== undefined) parts.push(`≥${t.digits} digits`);
  return parts.join(' ') || '—';
}

/** The checks as an aligned text table. */
export function formatChecks(checks: Check[]): string {
  const rows = checks.map((c) => [c.target, c.quantity, num(c.published, 8), num(c.ours, 8), num(c.ours - c.published, 3), toleranceText(c.tolerance), c.ok ? 'ok' : 'FAIL']);
  const head = ['target', 'quantity', 'published', 'ours', 'difference', 'tolerance', ''];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => (k >= 2 && k <= 4 ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join('  ').trimEnd();
  let out = `${line(head)}\n`;
  for (let k = 0; k < rows.length; k++) {
    out += `${line(rows[k])}\n`;
    if (checks[k].note) out += `    ${checks[k].note}\n`;
  }
  const failed = checks.filter((c) => !c.ok).length;
  out += `${checks.length - failed} of ${checks.length} checks within tolerance\n`;
  return out;
}

export const reproduceCommand: CommandModule<object, Args> = {
  command: 'reproduce [targets..]',
  describe: 'recompute published numbers from the shipped data, beside the published values',
  builder: (y: Argv) =>
    y
      .positional('targets', { type: 'string', array: true, describe: `targets (default all): ${TARGETS.map((t) => t.name).join(', ')}` })
      .option('json', { type: 'boolean', default: false, describe: 'print {"checks":[…]} on stdout' })
      .option('quick', { type: 'boolean', default: false, describe: 'fewer bootstrap resamples and starts where a target allows' })
      .option('seed', { type: 'number', describe: 'seed of random choices (default 0)' })
      .example('atlas reproduce chinchilla datablations nist', 'the fitting core against Epoch, datablations and NIST StRD') as unknown as Argv<Args>,
  handler: returnsExitCode(async (args: Args) => {
    const names = args.targets && args.targets.length ? args.targets : TARGETS.map((t) => t.name);
    const selected = names.map((name) => {
      const target = TARGETS.find((t) => t.name === name);
      if (!target) throw new InputError(`reproduce: unknown target "${name}" (known: ${TARGETS.map((t) => t.name).join(', ')})`);
      return target;
    });
    const checks: Check[] = [];
    for (const target of selected) {
      process.stderr.write(`reproduce ${target.name}: ${target.description}\n`);
      checks.push(...(await target.run({ quick: args.quick, seed: args.seed })));
    }
    if (args.json) printJson({ checks });
    else process.stdout.write(formatChecks(checks));
    return checks.some((c) => !c.ok) ? 1 : 0;
  }),
};
