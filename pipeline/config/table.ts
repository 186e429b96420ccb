/**
 * From a loaded config and command-line flags to the run table: the ingest options they give
 * (flags win) and the ingest itself. Kept apart from load.ts (YAML parsing and the schema) so that
 * a sweep worker given configs its main thread already loaded reads run logs without loading the
 * YAML parser or the schema.
 */
import { ingestFiles, parseMapFlags, type IngestOptions } from '../ingest/ingest.ts';
import { InputError, type RunTable } from '../io/types.ts';

/** What of a loaded config (load.ts, AtlasConfig) the ingest reads. */
export interface TableSource {
  /** The config's path as given. */
  path: string;
  /** Run-log files, resolved. */
  data: string[];
  /** Languages table, resolved. */
  languages?: string;
  columns: Record<string, string>;
  values: Record<string, Record<string, string>>;
  where: string[];
  mixture_tolerance?: number;
}

/** Command-line flags over a config's ingest settings (flags win). */
export interface TableRequest {
  /** Run-log files from the command line (win over the config's `data`). */
  data?: string[];
  /** Languages table from the command line (wins over the config's). */
  languages?: string;
  /** Column map from `--map`: `{ target: source }` or the raw `TARGET=SOURCE` flags (entries win over the config's `columns`). */
  map?: Record<string, string> | readonly string[];
  /** Extra row filters from the command line (added to the config's `where`). */
  where?: string[];
  /** `--format`: the log format (default: by extension and content). */
  format?: string;
  /** `--delimiter`: the field delimiter of delimited text (default: sniffed). */
  delimiter?: string;
}

/** The ingest options a config and flags give (flags win). */
export function ingestOptionsFor(config: TableSource | null, request: Omit<TableRequest, 'data'> = {}): IngestOptions {
  const flags = Array.isArray(request.map) ? parseMapFlags(request.map as readonly string[]) : (request.map as Record<string, string> | undefined);
  const options: IngestOptions = {
    map: { ...(config?.columns ?? {}), ...(flags ?? {}) },
    where: [...(config?.where ?? []), ...(request.where ?? [])],
    values: config?.values ?? {},
  };
  const languages = request.languages ?? config?.languages;
  if (languages !== undefined) options.languages = languages;
  if (config?.mixture_tolerance !== undefined) options.mixtureTolerance = config.mixture_tolerance;
  if (request.format !== undefined) options.format = request.format;
  if (request.delimiter !== undefined) options.delimiter = request.delimiter;
  return options;
}

/**
 * Ingest the run logs of a loaded config (or none) with the flags merged over it: the flags' files
 * win over the config's `data`. Throws an InputError when there is nothing to read.
 */
export async function tableFor(config: TableSource | null, request: TableRequest = {}): Promise<RunTable> {
  const data = request.data && request.data.length > 0 ? request.data : config?.data ?? [];
  if (data.length === 0) {
    throw new InputError(config
      ? `${config.path}:1: data: no run-log files (add data: to the config or give them on the command line)`
      : 'no run-log files given (name them on the command line, or give --config with data:)');
  }
  return ingestFiles(data, ingestOptionsFor(config, request));
}
