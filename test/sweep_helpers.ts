/** Helpers shared by the sweep tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` except timing.json (wall-clock seconds), as path → text. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name !== 'timing.json') out[rel] = readFileSync(join(dir, rel), 'utf8');
    }
  };
  walk('');
  return out;
}

/** A small Chinchilla-law log (Hoffmann et al. 2022 Approach 3 coefficients, multiplicative noise ±0.5 %). */
export function chinchillaCsv(seed = 1): string {
  let state = seed >>> 0;
  const noise = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 4294967296 - 0.5) * 0.01;
  };
  const lines = ['run_id,params,tokens,loss'];
  for (const n of [3e7, 1e8, 3e8, 1e9, 3e9]) {
    for (const ratio of [5, 10, 20, 40]) {
      const d = n * ratio;
      const loss = (1.69 + 406.4 / n ** 0.34 + 410.7 / d ** 0.28) * (1 + noise());
      lines.push(`N${n}-r${ratio},${n},${d},${loss}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
