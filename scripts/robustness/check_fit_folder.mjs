/**
 * Is a fit folder one fit's artifact? Prints `absent`, `consistent <law> heldout=<rows>` or
 * `MIXED: …` (exit 1): predictions.csv must mark held out exactly the rows that
 * coefficients.json counts as held out, and, when the folder has a manifest, every file must
 * match its recorded sha256.
 * Usage: node scripts/robustness/check_fit_folder.mjs DIR
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const coefficients = join(dir, 'coefficients.json');
const predictions = join(dir, 'predictions.csv');
if (!existsSync(coefficients) && !existsSync(predictions)) {
  console.log('absent');
  process.exit(0);
}
const problems = [];
let artifact = null;
try {
  artifact = JSON.parse(readFileSync(coefficients, 'utf8'));
} catch (error) {
  problems.push(`coefficients.json unreadable (${error.message})`);
}
let heldout = null;
try {
  const lines = readFileSync(predictions, 'utf8').trimEnd().split('\n');
  const split = lines[0].split(',').indexOf('split');
  heldout = lines.slice(1).filter((line) => line.split(',')[split] === 'heldout').length;
} catch (error) {
  problems.push(`predictions.csv unreadable (${error.message})`);
}
const claimed = artifact ? artifact.metrics?.heldout?.rows ?? 0 : null;
if (artifact && heldout !== null && claimed !== heldout) problems.push(`coefficients.json holds out ${claimed} rows, predictions.csv ${heldout}`);
const manifest = join(dir, '.atlas-folder.json');
if (existsSync(manifest)) {
  const record = JSON.parse(readFileSync(manifest, 'utf8'));
  for (const [file, sha] of Object.entries(record.files ?? {})) {
    const actual = existsSync(join(dir, file)) ? createHash('sha256').update(readFileSync(join(dir, file))).digest('hex') : 'missing';
    if (actual !== sha) problems.push(`${file} does not match the manifest`);
  }
}
if (problems.length > 0) {
  console.log(`MIXED: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`consistent ${artifact.law} heldout=${heldout}`);
