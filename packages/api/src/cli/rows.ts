import { readFile } from 'node:fs/promises';
import { ConfigError, getVideoModelInfo } from '@clipfleet/engine';
import type { ClipFleetClient } from '../client.ts';
import { catalogDefaults, checkRows, modelDefaults, parseCsv, parseDuration, type BatchRowInput, type RowDefaults } from '../rows/rows.ts';
import { CliError, EXIT } from './errors.ts';

export interface DefaultFlags {
  model?: string;
  resolution?: string;
  duration?: string;
}

export interface BatchFile {
  rows: BatchRowInput[];
  defaults: RowDefaults;
  credits: number | null;
}

const MAX_SHOWN = 20;

/**
 * Reads and checks a batch CSV exactly as the web's new-batch page does (the same module, against the server's
 * live catalog). Any problem is a bad-input error naming the row, line and field; nothing reaches the server.
 */
export async function readBatchFile(file: string, flags: DefaultFlags, client: ClipFleetClient): Promise<BatchFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.badInput);
  }
  const parsed = parseCsv(text);
  if (parsed.fileErrors.length > 0) throw new CliError(`${file}: not a batch CSV`, EXIT.badInput, parsed.fileErrors);

  const api = await client.catalog.models.query();
  const catalog = api.catalog;
  // --model alone brings that model's own resolution and duration (another model's may not exist on it).
  const chosen = flags.model === undefined ? undefined : catalog.models.find((m) => m.id === flags.model);
  const defaults = chosen ? modelDefaults(chosen) : catalogDefaults(catalog);
  if (flags.model) defaults.model = flags.model;
  if (flags.resolution) defaults.resolution = flags.resolution;
  if (flags.duration !== undefined) {
    const d = parseDuration(flags.duration);
    if (d === null) throw new CliError(`--duration "${flags.duration}" is not a number of seconds`, EXIT.badInput);
    defaults.duration = d;
  }
  try {
    getVideoModelInfo(defaults.model, defaults.resolution, defaults.duration, catalog);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`--${err.path || 'model'}: ${err.message}`, EXIT.badInput);
    throw err;
  }

  const checked = checkRows(parsed.rows, defaults, catalog, api.maxBatchRows, { refusesRetired: api.refusesRetired });
  const issues = [
    ...checked.batchErrors.map((e) => `${file}: ${e}`),
    ...checked.rows.flatMap((r, i) => r.issues.map((issue) => `row ${i + 1} (line ${r.draft.line}), ${issue.field}: ${issue.message}`)),
  ];
  if (issues.length > 0) {
    const shown = issues.length > MAX_SHOWN ? [...issues.slice(0, MAX_SHOWN), `… and ${issues.length - MAX_SHOWN} more`] : issues;
    throw new CliError(`${file}: ${checked.invalidCount || issues.length} bad row${issues.length === 1 ? '' : 's'}; nothing was submitted`, EXIT.badInput, shown);
  }
  return { rows: checked.rows.map((r) => r.input), defaults, credits: checked.credits };
}
