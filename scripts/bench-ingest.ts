/**
 * Ingest speed and memory on a generated 1,000,000-row run log (issue 6: ≤ 5 s, ≤ 500 MB peak).
 *
 *   npx tsx scripts/bench-ingest.ts [ROWS]
 *
 * Writes a SPEC §1 log (mixtures, 3 evaluation languages, unique_tokens, step, seed) into a
 * temporary folder, then measures, each in a fresh child process so peak RSS is its own:
 *   1. peer: csv-parse's plain synchronous parse of the same file (no validation, no table);
 *   2. atlas: `ingestFiles` (streaming parse, validation, column table, duplicate check).
 * Prints seconds and peak RSS of both and the ratios atlas / peer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rows = Number(process.argv[2] ?? 1_000_000);

function generate(path: string, n: number): void {
  const langs = ['en', 'fr', 'de'];
  const mixtures = ['en:1', 'fr:1', 'de:1', 'en:0.5;fr:0.5', 'de:0.5;en:0.5', 'de:0.25;en:0.5;fr:0.25'];
  const sizes = [1e7, 3e7, 1e8, 3e8, 1e9];
  const fd = openSync(path, 'w');
  let buffer = 'run_id,params,tokens,loss,eval_lang,mixture,unique_tokens,step,seed,lr\n';
  // One row per (run, checkpoint, eval language): 3 languages × 16 checkpoints per run.
  let written = 0;
  let run = 0;
  while (written < n) {
    const mixture = mixtures[run % mixtures.length];
    const params = sizes[run % sizes.length];
    for (let step = 1; step <= 16 && written < n; step++) {
      const tokens = params * 2 * step;
      for (const lang of langs) {
        if (written >= n) break;
        const loss = 1.8 + 400 / params ** 0.34 + 400 / tokens ** 0.28 + (lang === 'de' ? 0.1 : 0);
        buffer += `run${run},${params},${tokens},${loss.toFixed(6)},${lang},${mixture},en:1e12;fr:5e11;de:8e11,${step * 100},${run % 3},0.001\n`;
        written++;
      }
    }
    run++;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
}

interface Measurement { seconds: number; maxRssMB: number; rows: number }

function measure(script: string, file: string): Measurement {
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, file], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Measurement;
}

const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-ingest-'));
try {
  const file = join(dir, 'runs.csv');
  generate(file, rows);
  const peerScript = join(dir, 'peer.mts');
  const atlasScript = join(dir, 'atlas.mts');
  const csvParseSync = new URL('../node_modules/csv-parse/lib/sync.js', import.meta.url).href;
  const ingest = new URL('../pipeline/ingest/ingest.ts', import.meta.url).href;
  writeFileSync(peerScript, [
    `import { readFileSync } from 'node:fs';`,
    `import { parse } from ${JSON.stringify(csvParseSync)};`,
    `const t0 = performance.now();`,
    `const records = parse(readFileSync(process.argv[2], 'utf8'), { bom: true, skip_empty_lines: true });`,
    `const seconds = (performance.now() - t0) / 1000;`,
    `console.log(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, rows: records.length - 1 }));`,
  ].join('\n'));
  writeFileSync(atlasScript, [
    `import { ingestFiles } from ${JSON.stringify(ingest)};`,
    `const t0 = performance.now();`,
    `const table = await ingestFiles([process.argv[2]]);`,
    `const seconds = (performance.now() - t0) / 1000;`,
    `console.log(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, rows: table.rows }));`,
  ].join('\n'));
  const peer = measure(peerScript, file);
  const atlas = measure(atlasScript, file);
  const line = (name: string, m: Measurement): string =>
    `${name.padEnd(28)} ${m.seconds.toFixed(2).padStart(6)} s  ${m.maxRssMB.toFixed(0).padStart(5)} MB peak RSS  ${m.rows} rows`;
  console.log(`ingest benchmark: ${rows} rows`);
  console.log(line('peer: csv-parse sync, raw', peer));
  console.log(line('atlas ingestFiles', atlas));
  console.log(`ratio atlas/peer: time ${(atlas.seconds / peer.seconds).toFixed(2)}, peak RSS ${(atlas.maxRssMB / peer.maxRssMB).toFixed(2)}`);
  if (rows === 1_000_000) console.log(`issue-6 budget for 1,000,000 rows (≤ 5 s, ≤ 500 MB): ${atlas.seconds <= 5 && atlas.maxRssMB <= 500 ? 'met' : 'NOT met'}`);
  else console.log('(the issue-6 budget, ≤ 5 s and ≤ 500 MB, is for 1,000,000 rows: run without an argument)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
