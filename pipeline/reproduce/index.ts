/**
 * Registry of reproduce targets (`atlas reproduce [TARGET…]`). One import + one entry per target.
 */
import type { ReproduceTarget } from './check.ts';

export const TARGETS: ReproduceTarget[] = [
];
