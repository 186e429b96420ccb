/**
 * Registry of reproduce targets (`atlas reproduce [TARGET…]`). One import + one entry per target.
 */
import type { ReproduceTarget } from './check.ts';
import { chinchillaTarget } from './chinchilla.ts';
import { datablationsTarget } from './datablations.ts';
import { gadreTarget } from './gadre.ts';
import { curseTarget } from './curse.ts';
import { crossoverTarget } from './crossover.ts';
import { nistTarget } from './nist.ts';
import { atlasTarget } from './atlas.ts';
import { transferTarget } from './transfer.ts';
import { regmixTarget } from './regmix.ts';
import { mixingLawsTarget } from './mixing_laws.ts';

export const TARGETS: ReproduceTarget[] = [
  chinchillaTarget,
  datablationsTarget,
  gadreTarget,
  curseTarget,
  crossoverTarget,
  nistTarget,
  atlasTarget,
  transferTarget,
  regmixTarget,
  mixingLawsTarget,
];
