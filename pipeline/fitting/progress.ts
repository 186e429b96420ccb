/**
 * Progress of a fit, reported to an optional callback: the multi-start search after each batch
 * of starts, the bootstrap as replicates finish. Stages never write progress themselves; the
 * command that runs them decides how to show it.
 */
export interface FitProgress {
  phase: 'starts' | 'bootstrap';
  done: number;
  total: number;
}

export type OnFitProgress = (event: FitProgress) => void;
