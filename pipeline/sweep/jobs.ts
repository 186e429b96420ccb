/**
 * The sweep job runner, as loaded by the main thread and by every worker (worker.mjs): the kind
 * registry (kinds.ts), job folders (job_folder.ts) and the two shipped kinds, registered here.
 */
import { registerJobKind } from './kinds.ts';
import { fitJobKind } from './fit_job.ts';
import { reproduceJobKind } from './reproduce_job.ts';

export { getJobKind, jobKinds, loadPlugins, registerJobKind, shareJobKinds, warmJobKinds } from './kinds.ts';
export type { Headline, JobInputs, JobKind, JobOutput, JobRecord } from './kinds.ts';
export {
  checkJobFolders, cleanStaging, errorText, executeJob, installJobFolder, jobInputs, jobStagingFolder, readJobRecord, toolVersion, writeJobFolder, JOB_FOLDER,
} from './job_folder.ts';
export { deterministicArtifact, fitJobKind, globFiles, type FitJobParams } from './fit_job.ts';
export { reproduceJobKind, type ReproduceJobParams } from './reproduce_job.ts';
// For a worker started by the bundled command (worker.mjs) to mark its thread as the bundle's.
export { markBundle } from '../io/bundle.ts';

registerJobKind(fitJobKind);
registerJobKind(reproduceJobKind);
