/**
 * `atlas protocol`: fit several laws under the five hold-outs of ATLAS Table 1 (R², R²(N), R²(D),
 * R²(C), R²(M)) and write the table as CSV and Markdown.
 */
import type { Argv, CommandModule } from 'yargs';
import { loadTable } from '../config/load.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { InputError } from '../io/types.ts';
import type { LawOptions } from '../laws/law.ts';
import { DEFAULT_PROTOCOL, bestByColumn, protocolCsv, protocolMarkdown, protocolTable, type ProtocolLaw, type ProtocolSpec } from '../fit/protocol.ts';
import { mergeFitOptions } from '../fitting/options.ts';
import { checkOutput, fitOptionsFromArgs, printJson, tableRequest, withDataOptions, withFitOptions, type DataArgs, type FitArgs } from './common.ts';
import { progress } from './progress.ts';

interface Args extends DataArgs, FitArgs {
  laws?: string[];
  holdouts?: string[];
  out?: string;
  'context-from': 'all' | 'train';
  json?: boolean;
}

/** The multilingual laws of Table 1 (plus Chinchilla on the target's own tokens). */
export const DEFAULT_LAWS = [
  'chinchilla:tokens=total',
  'chinchilla:tokens=target',
  'multilingual-family',
  'atlas:terms=target',
  'atlas:terms=target,other',
  'atlas:terms=target,other,transfer',
];

/** `ID[:key=value;key=value]` → a protocol law (values: numbers where numeric). */
export function parseLawSpec(text: string): ProtocolLaw {
  const colon = text.indexOf(':');
  const law = colon < 0 ? text : text.slice(0, colon);
  const options: LawOptions = {};
  if (colon >= 0) {
    for (const part of text.slice(colon + 1).split(';')) {
      if (!part.trim()) continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw new InputError(`--laws: expected ID[:key=value;key=value], got "${text}"`);
      const key = part.slice(0, eq).trim();
      const raw = part.slice(eq + 1).trim();
      options[key] = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    }
  }
  return { name: text, law, lawOptions: options };
}

/** `KEY=SPEC` (or a bare spec, keyed by itself) → a protocol column. */
export function parseHoldoutColumn(text: string): ProtocolSpec {
  const eq = text.indexOf('=');
  if (eq > 0 && !/[<>]$/.test(text.slice(0, eq))) return { key: text.slice(0, eq), label: text.slice(0, eq), holdout: text.slice(eq + 1) };
  return { key: text, label: text, holdout: text };
}

export const protocolCommand: CommandModule<object, Args> = {
  command: 'protocol',
  describe: 'fit laws under the five hold-outs of ATLAS Table 1 (R², R²(N), R²(D), R²(C), R²(M)); write the table',
  builder: (y: Argv) =>
    withFitOptions(withDataOptions(y))
      .option('laws', { type: 'string', array: true, describe: `laws as ID[:key=value;…] (default: ${DEFAULT_LAWS.join(' ')})` })
      .option('holdouts', { type: 'string', array: true, describe: `columns as KEY=SPEC (default: ${DEFAULT_PROTOCOL.map((s) => `${s.key}=${s.holdout}`).join(' ')})` })
      .option('context-from', { type: 'string', choices: ['all', 'train'], default: 'all', describe: 'rows the law context (K_t, families) is computed from: every row\'s inputs, or the training rows only' })
      .option('out', { type: 'string', describe: 'write OUT.csv and OUT.md' })
      .option('json', { type: 'boolean', default: false, describe: 'print the table (with fitted values) on stdout' })
      .example('atlas protocol --config configs/manpages-protocol.yaml --out results/manpages-protocol', 'Table 1 for six laws on the manpages sweep')
      .example('atlas protocol --data sim.csv --languages sim.languages.csv --laws atlas:terms=target atlas --holdouts r2_N=params>=1e9', 'one custom hold-out') as unknown as Argv<Args>,
  handler: async (args) => {
    if (args.out !== undefined) {
      if (args.out.trim() === '') checkOutput(args.out, 'file', args['allow-outside']);
      for (const ext of ['.csv', '.md']) checkOutput(`${args.out}${ext}`, 'file', args['allow-outside']);
    }
    const { table, config } = await loadTable(tableRequest(args));
    const laws = (args.laws && args.laws.length ? args.laws : DEFAULT_LAWS).map(parseLawSpec);
    const specs = args.holdouts && args.holdouts.length ? args.holdouts.map(parseHoldoutColumn) : [...DEFAULT_PROTOCOL];
    const fit = mergeFitOptions(config?.fit, fitOptionsFromArgs(args));
    process.stderr.write(`protocol: ${table.rows} rows, ${laws.length} laws × ${specs.length} hold-outs\n`);
    const bar = progress(process.stderr, { every: true });
    let cells = 0;
    const result = await protocolTable({
      table,
      laws,
      specs,
      fit,
      contextFrom: args['context-from'],
      onCell: (law, spec, cell) => {
        cells += 1;
        bar.update('protocol', cells, laws.length * specs.length, `${law.name} ${spec.holdout}: ${cell ? `R² ${cell.r2.toFixed(4)} (${cell.trainRows} train / ${cell.heldoutRows} held-out rows, ${cell.status}, ${cell.seconds.toFixed(1)} s)` : 'no rows held out'}`);
      },
    }).finally(() => bar.stop());
    const markdown = protocolMarkdown(result);
    const best = bestByColumn(result);
    const bestLine = result.specs.map((s) => `${s.label}: ${best[s.key] ?? '–'}`).join('; ');
    if (args.out) {
      writeFileAtomic(`${args.out}.csv`, protocolCsv(result));
      writeFileAtomic(`${args.out}.md`, `# Five-hold-out protocol\n\nData: ${table.sources.map((s) => s.path).join(', ')} (${table.rows} rows)${config ? `, config ${config.path}` : ''}.\n\n${markdown}\nBest law per column: ${bestLine}.\n`);
    }
    if (args.json) printJson(result);
    else process.stdout.write(`${markdown}best: ${bestLine}\n`);
    if (args.out) process.stderr.write(`wrote ${args.out}.csv and ${args.out}.md\n`);
  },
};
