/**
 * Message handling inside a fitting worker: problems are sent once (law by registry id, context,
 * design and data as structured clones) and kept; work units refer to them by id.
 */
import { getLaw } from '../laws/index.ts';
import type { FitOptions } from './options.ts';
import { bootstrapBatch, prepare, searchBatch, type PreparedProblem } from './search.ts';

const problems = new Map<number, PreparedProblem>();

export type WorkerMessage =
  | { id: number; type: 'problem'; problemId: number; law: string; ctx: unknown; design: unknown; y: Float64Array; weights?: Float64Array; clusters?: Int32Array; options: FitOptions }
  | { id: number; type: 'release'; problemId: number }
  | { id: number; type: 'search'; problemId: number; starts: Float64Array[]; indices: number[]; threshold: number; next?: Int32Array }
  | { id: number; type: 'bootstrap'; problemId: number; warm: Float64Array[]; from: number; to: number };

export async function handleMessage(message: WorkerMessage): Promise<unknown> {
  switch (message.type) {
    case 'problem': {
      const law = getLaw(message.law);
      problems.set(message.problemId, prepare({ law, ctx: message.ctx, design: message.design, y: message.y, weights: message.weights, clusters: message.clusters }, message.options));
      return true;
    }
    case 'release':
      problems.delete(message.problemId);
      return true;
    case 'search':
      return searchBatch(need(message.problemId), message.starts, message.indices, message.threshold, message.next);
    case 'bootstrap':
      return bootstrapBatch(need(message.problemId), message.warm, message.from, message.to);
  }
}

function need(id: number): PreparedProblem {
  const prepared = problems.get(id);
  if (!prepared) throw new Error(`fitting worker: unknown problem ${id}`);
  return prepared;
}
