// `npm run build`: compile pipeline/ to dist/ (JavaScript and .d.ts; relative `.ts` imports
// rewritten to `.js`), then copy the files tsc does not emit (worker entry points, fonts) beside
// their compiled modules. dist/ mirrors pipeline/ folder for folder, so paths relative to a
// module (../../datasets, ../package.json) resolve the same from either.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'pipeline');
const out = join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

try {
  execFileSync(process.execPath, [tsc, '--build', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
} catch (error) {
  // tsc has printed the errors.
  process.exit(error.status ?? 1);
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}
let copied = 0;
for (const path of files(source)) {
  if (extname(path) === '.ts') continue;
  cpSync(path, join(out, relative(source, path)));
  copied += 1;
}
process.stderr.write(`build: dist/ compiled, ${copied} asset file(s) copied\n`);
