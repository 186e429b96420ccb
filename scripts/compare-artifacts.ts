/**
 * Compare two results folders (two runs of a sweep, a fit folder before and after a change) byte
 * for byte, file by file. Wall-clock files (timing.json) are skipped, and in JSON files the tool
 * version's source hash (`"version": "0.1.0+<hash>"`, which changes with any edit of pipeline/) is
 * masked; every other byte must match.
 *
 *   npx tsx scripts/compare-artifacts.ts [--coefficients] results/before results/after
 *
 * With --coefficients it also prints, for every coefficients.json that differs, the objective on
 * both sides, the parameter that moved most (relative change), and whether the fit's status and
 * each parameter's at-bound and not-identified flags agree (per group for grouped fits).
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

const args = process.argv.slice(2);
const coefficients = args.includes('--coefficients');
const [a, b] = args.filter((arg) => arg !== '--coefficients');
if (!a || !b) {
  process.stderr.write('usage: npx tsx scripts/compare-artifacts.ts [--coefficients] DIR_A DIR_B\n');
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
  else {
    problems.push(`differs: ${f}`);
    if (coefficients && f.endsWith('coefficients.json')) problems.push(`  ${coefficientChange(join(a, f), join(b, f))}`);
  }
}
interface Params { [name: string]: { value: number; at_bound?: string | null; not_identified?: string | boolean } }
interface Fitted { params?: Params; objective?: { value: number }; fit?: { status: string } }

/** Objective, largest relative parameter change, and whether statuses and flags agree. */
function coefficientChange(fileA: string, fileB: string): string {
  const before = JSON.parse(readFileSync(fileA, 'utf8')) as Fitted & { groups?: Record<string, Fitted> };
  const after = JSON.parse(readFileSync(fileB, 'utf8')) as Fitted & { groups?: Record<string, Fitted> };
  const groups = (x: typeof before) => x.groups ?? { '': x };
  let worst = { rel: 0, what: 'none' };
  let flags = true;
  for (const [g, fa] of Object.entries(groups(before))) {
    const fb = groups(after)[g];
    if (!fb) { flags = false; continue; }
    if ((fa.fit?.status ?? before.fit?.status) !== (fb.fit?.status ?? after.fit?.status)) flags = false;
    for (const [name, pa] of Object.entries(fa.params ?? {})) {
      const pb = fb.params?.[name];
      if (!pb) { flags = false; continue; }
      if (pa.at_bound !== pb.at_bound || pa.not_identified !== pb.not_identified) flags = false;
      const rel = Math.abs(pb.value - pa.value) / Math.max(Math.abs(pa.value), Number.MIN_VALUE);
      if (rel > worst.rel) worst = { rel, what: `${g ? `${g}:` : ''}${name} ${pa.value} → ${pb.value}` };
    }
  }
  const objective = (x: typeof before) => x.objective?.value;
  const oa = objective(before);
  const ob = objective(after);
  const direction = oa === undefined || ob === undefined ? '' : ob < oa ? ' (lower)' : ob > oa ? ' (HIGHER)' : ' (equal)';
  return `objective ${oa} → ${ob}${direction}; largest relative change ${worst.rel.toExponential(2)} (${worst.what}); status and flags ${flags ? 'agree' : 'DIFFER'}`;
}

for (const p of problems) process.stdout.write(`${p}\n`);
process.stdout.write(`${same} of ${left.size} files identical${problems.length ? `, ${problems.length} problems` : ''}\n`);
process.exit(problems.length ? 1 : 0);
