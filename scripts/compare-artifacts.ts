/**
 * Compare two results folders (two runs of a sweep, a fit folder before and after a change) byte
 * for byte, file by file. Wall-clock files (timing.json) are skipped, and in JSON files the tool
 * version's source hash (`"version": "0.1.0+<hash>"`, which changes with any edit of pipeline/) is
 * masked; every other byte must match.
 *
 *   npx tsx scripts/compare-artifacts.ts results/before results/after
 *
 * Exits 0 when the folders match, 1 with the differing or missing files listed otherwise.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function files(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(root, path) : [relative(root, path)];
  });
}

function normalised(path: string): Buffer {
  const bytes = readFileSync(path);
  if (!/\.(json|html)$/.test(path)) return bytes;
  return Buffer.from(bytes.toString('utf8').replace(/(\d+\.\d+\.\d+)\+[0-9a-f]{6,}/g, '$1+<hash>'));
}

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write('usage: npx tsx scripts/compare-artifacts.ts DIR_A DIR_B\n');
  process.exit(2);
}
const skip = (f: string) => f.endsWith('timing.json');
const left = new Set(files(a).filter((f) => !skip(f)));
const right = new Set(files(b).filter((f) => !skip(f)));
const problems: string[] = [];
for (const f of left) if (!right.has(f)) problems.push(`only in ${a}: ${f}`);
for (const f of right) if (!left.has(f)) problems.push(`only in ${b}: ${f}`);
let same = 0;
for (const f of left) {
  if (!right.has(f)) continue;
  if (normalised(join(a, f)).equals(normalised(join(b, f)))) same += 1;
  else problems.push(`differs: ${f}`);
}
for (const p of problems) process.stdout.write(`${p}\n`);
process.stdout.write(`${same} of ${left.size} files identical${problems.length ? `, ${problems.length} problems` : ''}\n`);
process.exit(problems.length ? 1 : 0);
