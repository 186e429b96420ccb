/**
 * reproduce/: one file per published result atlas recomputes from shipped data, each printing the
 * published value beside ours with its tolerance (check.ts). This file is the registry of targets
 * (`atlas reproduce [TARGET…]`): one import and one entry per target.
 *
 * May import: config/, plan/, fit/, transfer/, curse/, crossover/, simulate/, ingest/, fitting/, laws/, io/.
 *
 * Public: TARGETS.
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
