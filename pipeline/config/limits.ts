/**
 * Limits on fit options, shared by configs (schema.ts) and command-line flags: a value past them
 * is bad input (exit 2) before any work, instead of a run that exhausts memory or threads.
 */
import { availableParallelism } from 'node:os';

/** Most worker threads a fit or sweep may ask for: 4 per core of this machine. */
export function maxThreads(): number {
  return Math.max(1, availableParallelism()) * 4;
}

/** Most random starts (`starts: N`); the largest built-in grid has a few thousand points. */
export const MAX_STARTS = 100_000;

/** Most bootstrap resamples. */
export const MAX_BOOTSTRAP = 100_000;

/** Most local-optimiser iterations per start. */
export const MAX_ITERATIONS = 1_000_000;

/**
 * Why `name` cannot name a parameter, column or option, or null: names that every JavaScript
 * object already has (`__proto__`, `constructor`, `toString` …) would be silently lost or
 * misread in a lookup table, so they are refused wherever a user string names something.
 */
export function reservedNameProblem(name: string): string | null {
  return name in Object.prototype || name === 'prototype' ? `"${name}" cannot be used as a name` : null;
}
