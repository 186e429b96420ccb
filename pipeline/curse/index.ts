/**
 * curse/: the curse-of-multilinguality analyses on top of the `curse` law (laws/curse.ts): the
 * iso-loss plan that says how much to grow the model and the data when adding languages.
 *
 * May import: ingest/, fitting/, laws/, io/.
 *
 * Public: isoLossPlan, isoLossS, isoLossT.
 */
export { isoLossPlan, isoLossS, isoLossT } from './curse.ts';
