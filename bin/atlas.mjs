#!/usr/bin/env node
// `node bin/atlas.mjs …` in a checkout runs the bundled command (dist/cli/atlas.js, which the
// package's `bin` names). `npm ci` builds dist/; after editing pipeline/, `npm run build` rebuilds it.
try {
  await import('../dist/cli/atlas.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/atlas.js')) throw error;
  process.stderr.write('atlas: the compiled command (dist/) is missing: run `npm run build` (npm ci runs it)\n');
  process.exitCode = 1;
}
