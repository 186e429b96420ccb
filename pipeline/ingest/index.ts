/**
 * ingest/: from a user's log to a validated RunTable. Owns reading log files, column maps with
 * scales (`--map tokens=D_billions*1e9`), row filters (`--where`), mixture parsing, the SPEC §1
 * validation rules with FILE:LINE messages, the languages table and the normalised CSV.
 *
 * May import: io/.
 *
 * Public: ingestFiles, ingestText, summarize, formatSummary, toNormalizedCsv, parseMapFlags,
 * parseFilter, parseMixture, readLanguagesTable, SPEC_COLUMNS.
 */
export { ingestFiles, ingestText, summarize, formatSummary, toNormalizedCsv, parseMapFlags, parseMixture, readLanguagesTable, SPEC_COLUMNS } from './ingest.ts';
export { parseFilter } from './expressions.ts';
