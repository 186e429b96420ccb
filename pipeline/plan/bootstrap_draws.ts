/**
 * Bootstrap replicates of a fit from the `bootstrap.csv` beside its coefficients.json: header
 * `replicate,<param>…` (ungrouped) or `group,replicate,<param>…` (grouped), one row per
 * replicate, natural-scale values; an empty cell is a parameter the group does not have.
 * Returns the replicates per group ('' for an ungrouped fit).
 */
export { parseBootstrapDraws } from '../io/artifact.ts';
