/**
 * plan/: decisions from fitted artifacts: which languages to add and how much to grow
 * (planLanguages), whether to finetune or pretrain (planFinetune), which languages to co-train
 * with (planCotrain), which training mixture minimises a target's loss (planMixture).
 *
 * May import: transfer/, curse/, crossover/, fit/, ingest/, fitting/, laws/, io/.
 *
 * Public: planLanguages, planFinetune, planCotrain, planMixture, parseBootstrapDraws.
 */
export { planLanguages, planFinetune, planCotrain } from './plan.ts';
export { planMixture } from './mixture.ts';
export { parseBootstrapDraws } from './bootstrap_draws.ts';
