/**
 * The multi-start's pruning rule, shared by the search, the polish and the bootstrap's extra warm
 * starts: a start whose objective is still above PRUNE_FACTOR × the best objective known so far
 * after PRUNE_AFTER iterations is heading for a worse basin and is abandoned.
 */
export const PRUNE_FACTOR = 3;
export const PRUNE_AFTER = 1;
