/**
 * Registry of reproduce targets (`atlas reproduce [TARGET…]`). One import + one entry per target.
 */
import type { ReproduceTarget } from './check.ts';
import { curseTarget } from './curse.ts';
import { crossoverTarget } from './crossover.ts';

export const TARGETS: ReproduceTarget[] = [
  curseTarget,
  crossoverTarget,
];
