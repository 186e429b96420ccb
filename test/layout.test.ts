/**
 * The layering of pipeline/ (README "Layout"): each capability folder imports only folders on a
 * lower layer, and no module imports itself back through a cycle. Adding a folder means giving it
 * a layer here; an import that runs back up fails this test with the offending file and line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PIPELINE = fileURLToPath(new URL('../pipeline/', import.meta.url));

/** Layer of each folder under pipeline/ (files directly in pipeline/ are the top: cli.ts, index.ts). */
const LAYER: Record<string, number> = {
  io: 0,
  laws: 1,
  fitting: 2,
  ingest: 3,
  fit: 4,
  transfer: 4,
  curse: 4,
  crossover: 4,
  simulate: 4,
  config: 5,
  plan: 5,
  reproduce: 6,
  report: 6,
  sweep: 7,
  commands: 8,
  '(root)': 9,
};

interface Edge {
  from: string;
  to: string;
  line: number;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

function folderOf(path: string): string {
  const parts = relative(PIPELINE, path).split('/');
  return parts.length === 1 ? '(root)' : parts[0]!;
}

/** Every relative import of the pipeline, static, dynamic, type-only and `new URL(…)` alike. */
function edges(): Edge[] {
  const out: Edge[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)(['"`])(\.{1,2}\/[^'"`$]+)\1/g;
  for (const file of sources(PIPELINE)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(pattern)) {
      const line = text.slice(0, match.index).split('\n').length;
      const target = resolve(dirname(file), match[2]!);
      if (!/\.(ts|mjs)$/.test(target)) continue;
      out.push({ from: file, to: target, line });
    }
  }
  return out;
}

describe('pipeline layout', () => {
  const all = edges();

  it('gives every folder of pipeline/ a layer', () => {
    const folders = readdirSync(PIPELINE).filter((name) => statSync(join(PIPELINE, name)).isDirectory());
    expect(folders.filter((f) => !(f in LAYER))).toEqual([]);
  });

  it('imports only run down the layers', () => {
    const upward = all
      .filter((e) => folderOf(e.from) !== folderOf(e.to) && LAYER[folderOf(e.to)]! >= LAYER[folderOf(e.from)]!)
      .map((e) => `${relative(PIPELINE, e.from)}:${e.line} imports ${relative(PIPELINE, e.to)} (layer ${folderOf(e.from)} ${LAYER[folderOf(e.from)]} → ${folderOf(e.to)} ${LAYER[folderOf(e.to)]})`);
    expect(upward).toEqual([]);
  });

  it('has no import cycle between modules', () => {
    const graph = new Map<string, string[]>();
    for (const e of all) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].map((p) => relative(PIPELINE, p)).join(' → '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it('keeps no module-level exit state in the command line', () => {
    const offenders = sources(PIPELINE).filter((f) => /\bexitState\b/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(PIPELINE, f))).toEqual([]);
  });
});
