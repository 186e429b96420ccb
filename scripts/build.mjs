// `npm run build`: compile pipeline/ to dist/ (JavaScript and .d.ts; relative `.ts` imports
// rewritten to `.js`), then copy the files tsc does not emit (worker entry points, fonts) beside
// their compiled modules. dist/ mirrors pipeline/ folder for folder, so paths relative to a
// module (../../datasets, ../package.json) resolve the same from either.
//
// Then bundle the `atlas` command into dist/cli/ (io/bundle.ts says why): the command and the
// two worker entry points, with their dependencies, in shared chunks. Every compiled module's
// `import.meta.url` is rewritten to that module's own place in dist/, so its relative paths
// (datasets, fonts, worker scripts, package.json) resolve as they do unbundled. The report's
// native renderer and chart libraries, and tsx (for TypeScript plugins), stay outside the bundle.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'pipeline');
const out = join(root, 'dist');
const cli = join(out, 'cli');
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

// The bundle. Its entry point marks the thread as the bundled command before loading it.
const ENTRY = 'atlas-command';
const entry = {
  name: 'atlas-entry',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${ENTRY}$`) }, () => ({ path: ENTRY, namespace: ENTRY }));
    build.onLoad({ filter: /.*/, namespace: ENTRY }, () => ({
      contents: "#!/usr/bin/env node\nimport { markBundle } from './io/bundle.js';\nmarkBundle(new URL('./', import.meta.url).href);\nawait import('./bin.js');\n",
      resolveDir: out,
      loader: 'js',
    }));
  },
};
const compiled = `${out}${sep}`;
const metaUrl = {
  name: 'atlas-module-url',
  setup(build) {
    build.onLoad({ filter: /\.m?js$/ }, (args) => {
      if (!args.path.startsWith(compiled) || args.path.startsWith(`${cli}${sep}`)) return undefined;
      const own = relative(cli, args.path).split(sep).join('/');
      const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`);
      return { contents: text, loader: 'js' };
    });
  },
};
rmSync(cli, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: {
    atlas: ENTRY,
    'sweep-jobs': join(out, 'sweep', 'jobs.js'),
    'fit-tasks': join(out, 'fitting', 'worker_tasks.js'),
  },
  outdir: cli,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  charset: 'utf8',
  external: ['@resvg/resvg-js', 'vega', 'vega-lite', 'tsx', 'tsx/*'],
  // CommonJS dependencies call require() for Node's built-ins.
  banner: { js: "import { createRequire as atlasCreateRequire } from 'node:module';\nconst require = atlasCreateRequire(import.meta.url);" },
  plugins: [entry, metaUrl],
  logLevel: 'warning',
  metafile: true,
});
chmodSync(join(cli, 'atlas.js'), 0o755);
const bundled = Object.keys(result.metafile.outputs).length;
process.stderr.write(`build: dist/ compiled, ${copied} asset file(s) copied, the command bundled into dist/cli/ (${bundled} files)\n`);
