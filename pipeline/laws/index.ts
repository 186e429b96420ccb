/**
 * laws/: one file per scaling law, each declaring its parameters (init, bounds, grid), formula,
 * analytic Jacobian, derived quantities and published reference values; law.ts is the contract
 * (Law) and repetition.ts the shared data-repetition helpers. This file is the registry:
 * `--law ID` resolves here, one import and one entry per law file.
 *
 * May import: io/.
 *
 * Public: LAWS, getLaw, and each law object (chinchilla, dataConstrained, curse, atlas, …).
 */
import type { Law } from './law.ts';
import { InputError } from '../io/types.ts';

// Law modules register below (one import + one entry each).
import { chinchilla } from './chinchilla.ts';
import { kaplan } from './kaplan.ts';
import { dataConstrained } from './data_constrained.ts';
import { curse } from './curse.ts';
import { atlas } from './atlas.ts';
import { multilingualFamily } from './multilingual_family.ts';
import { mixingLaw } from './mixing_law.ts';
import { mixtureLinear } from './mixture_linear.ts';

export const LAWS: Record<string, Law<any, any>> = {
  chinchilla,
  kaplan,
  'data-constrained': dataConstrained,
  curse,
  atlas,
  'multilingual-family': multilingualFamily,
  'mixing-law': mixingLaw,
  'mixture-linear': mixtureLinear,
};

/** True when `id` names a law (own keys only: `__proto__`, `toString` … are not laws). */
export function isLaw(id: string): boolean {
  return typeof id === 'string' && Object.hasOwn(LAWS, id);
}

/** "unknown law" text listing the known laws (`where` prefixes it: `--law`, `FILE:LINE: law`). */
export function unknownLawMessage(id: string, where = '--law'): string {
  const shown = id.length > 60 ? `${id.slice(0, 57)}...` : id;
  return `${where}: unknown law ${JSON.stringify(shown)} (known: ${Object.keys(LAWS).sort().join(', ')})`;
}

/** The law named `id`, or an input error listing the known laws. */
export function getLaw(id: string): Law<any, any> {
  if (!isLaw(id)) throw new InputError(unknownLawMessage(id));
  return LAWS[id];
}
