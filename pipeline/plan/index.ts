/**
 * plan/: decisions from fitted artifacts: which languages to add and how much to grow
 * (planLanguages), whether to finetune or pretrain (planFinetune), which languages to co-train
 * with (planCotrain).
 *
 * May import: transfer/, curse/, crossover/, fit/, ingest/, fitting/, laws/, io/.
 *
 * Public: planLanguages, planFinetune, planCotrain.
 */
export { planLanguages, planFinetune, planCotrain } from './plan.ts';
