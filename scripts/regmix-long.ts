/**
 * Build datasets/regmix/regmix_runs.csv (one row per run and validation domain, SPEC-ready) from
 * the verbatim RegMix files beside it: each `*_mixture_*.csv` is joined to its `*_pile_loss_*.csv`
 * on `index`, and every `metric/the_pile_<domain>_val_loss` column becomes one row. Cells are
 * copied as text, never reformatted.
 *
 *   npx tsx scripts/regmix-long.ts            # writes the file
 *   npx tsx scripts/regmix-long.ts --check    # exits 1 when the shipped file differs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { regmixLongCsv } from '../pipeline/reproduce/regmix_data.ts';

const dir = fileURLToPath(new URL('../datasets/regmix/', import.meta.url));
const text = regmixLongCsv((name) => readFileSync(join(dir, name), 'utf8'));
const out = join(dir, 'regmix_runs.csv');
if (process.argv.includes('--check')) {
  const same = readFileSync(out, 'utf8') === text;
  process.stdout.write(same ? 'regmix_runs.csv is up to date\n' : 'regmix_runs.csv differs from the verbatim files; rerun without --check\n');
  process.exit(same ? 0 : 1);
}
writeFileSync(out, text);
process.stdout.write(`wrote ${out}\n`);
