/**
 * `atlas simulate`: synthetic run logs (SPEC §1) for a study design from known coefficients.
 */
import type { Argv, CommandModule } from 'yargs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { InputError } from '../io/types.ts';
import { loadDesign, loadTruth, simulate } from '../simulate/simulate.ts';
import { checkOutput, printJson, withAllowOutside } from './common.ts';

interface Args {
  design: string;
  truth: string;
  noise: number;
  seed: number;
  out?: string;
  'checkpoint-every'?: number;
  replicates: number;
  experiments?: string[];
  json?: boolean;
  'allow-outside'?: boolean;
}

/** `OUT.csv` → `OUT.languages.csv`. */
export function languagesPath(out: string): string {
  return out.endsWith('.csv') ? `${out.slice(0, -4)}.languages.csv` : `${out}.languages.csv`;
}

export const simulateCommand: CommandModule<object, Args> = {
  command: 'simulate',
  describe: 'synthetic run logs for a study design from known coefficients (log-normal noise, seeded)',
  builder: (y: Argv) =>
    withAllowOutside(y)
      .option('design', { type: 'string', demandOption: true, describe: 'study design YAML (models, languages, mixtures, experiments)' })
      .option('truth', { type: 'string', demandOption: true, describe: 'known coefficients JSON/YAML: { law, law_options, params }' })
      .option('noise', { type: 'number', default: 0.01, describe: 'σ of the multiplicative log-normal noise on loss' })
      .option('seed', { type: 'number', default: 0, describe: 'noise seed' })
      .option('out', { type: 'string', describe: 'output CSV (default results/simulate/<design>.csv); the languages table goes beside it as OUT.languages.csv' })
      .option('checkpoint-every', { type: 'number', describe: 'steps between checkpoints (default: the design\'s)' })
      .option('replicates', { type: 'number', default: 1, describe: 'copies of every run (distinct ids and noise), to scale the log' })
      .option('experiments', { type: 'string', array: true, describe: 'simulate only these experiments of the design' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"rows","runs","out","languages"} on stdout' })
      .example('atlas simulate --design configs/designs/atlas-774.yaml --truth configs/truth/atlas-774.json --out results/sim/atlas-774.csv', 'the paper\'s 774 runs, a checkpoint every 1k steps')
      .example('atlas simulate --design configs/designs/atlas-774.yaml --truth configs/truth/atlas-774.json --checkpoint-every 50 --out results/sim/big.csv', 'about a million rows') as unknown as Argv<Args>,
  handler: (args) => {
    if (!Number.isInteger(args.seed)) throw new InputError(`--seed: expected an integer, got ${args.seed}`);
    const out = args.out ?? join('results', 'simulate', `${basename(args.design).replace(/\.ya?ml$/, '')}.csv`);
    checkOutput(out, 'file', args['allow-outside']);
    checkOutput(languagesPath(out), 'file', args['allow-outside'], '--out (its languages table)');
    const design = loadDesign(args.design);
    const truth = loadTruth(args.truth);
    const sim = simulate(design, truth, {
      noise: args.noise,
      seed: args.seed,
      checkpointEvery: args['checkpoint-every'],
      replicates: args.replicates,
      experiments: args.experiments,
    });
    const languages = languagesPath(out);
    writeFileAtomic(languages, sim.languagesCsv);
    writeFileAtomic(out, sim.csv);
    if (args.json) printJson({ rows: sim.rows, runs: sim.runs, out, languages });
    else process.stdout.write(`simulate: ${sim.runs} runs, ${sim.rows} rows (${truth.law}, noise σ=${args.noise}, seed ${args.seed}) -> ${out}, ${languages}\n`);
  },
};
