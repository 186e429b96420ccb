/**
 * Regenerate configs/truth/atlas-774.json: the simulation truth computed from the ATLAS paper's
 * published numbers (Table C.1, the Fig. C.2 transfer matrix, the Fig. 5 multipliers) for the
 * design configs/designs/atlas-774.yaml. test/simulate.test.ts checks the shipped file against it.
 *
 *   npx tsx scripts/atlas-truth.ts
 */
import { buildAtlasTruth, loadDesign } from '../pipeline/simulate/simulate.ts';
import { stableJson, writeFileAtomic } from '../pipeline/io/atomic.ts';
import { shipped } from '../pipeline/io/shipped.ts';

const out = shipped('configs', 'truth', 'atlas-774.json');
writeFileAtomic(out, stableJson(buildAtlasTruth(loadDesign(shipped('configs', 'designs', 'atlas-774.yaml')))));
process.stderr.write(`wrote ${out}\n`);
