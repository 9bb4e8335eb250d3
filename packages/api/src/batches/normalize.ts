import { allowedDurations, checkVideoRequest, ConfigError, defaultModelOf, retiredMessage, rowFieldOf, rowImages, type FleetConfig } from '@clipfleet/engine';
import type { NewTask } from '../store/batches.ts';
import type { BatchRowsInput } from './input.ts';

/** A checked row with its catalog price: a task row as the store inserts it, but for the id. */
export type NormalizedRow = Omit<NewTask, 'id'>;

export interface NormalizeOptions {
  /**
   * Requests go to the real KIE: retired models are refused up front (the simulator still runs them, so the
   * seed's benchmark and a key-less `npm start` keep working).
   */
  refuseRetired?: boolean;
}

/** A submission the catalog rejects; `issues` name the row and field (`rows[3].resolution: ...`). */
export class RowsError extends Error {
  constructor(readonly issues: string[]) {
    const shown = issues.slice(0, 5).join('; ');
    super(issues.length > 5 ? `${shown}; and ${issues.length - 5} more` : shown);
    this.name = 'RowsError';
  }
}

/**
 * Applies the defaults and checks every row against its model's options (resolution, duration, aspect ratio,
 * image count, prompt length) in the runtime catalog, then prices it. Throws RowsError naming each bad row and
 * field; nothing is written before this passes.
 */
export function normalizeRows(input: BatchRowsInput, config: FleetConfig, opts: NormalizeOptions = {}): NormalizedRow[] {
  const { catalog } = config;
  if (input.rows.length > config.maxBatchRows) {
    throw new RowsError([`rows: a batch holds at most ${config.maxBatchRows} rows (got ${input.rows.length})`]);
  }
  const defaults = {
    model: input.defaults?.model ?? input.defaultModel ?? defaultModelOf(catalog).id,
    resolution: input.defaults?.resolution ?? input.defaultResolution,
    duration: input.defaults?.duration ?? input.defaultDuration,
  };
  const issues: string[] = [];
  const out: NormalizedRow[] = [];
  const retiredAt = new Map<string, number>();
  input.rows.forEach((row, i) => {
    const at = `rows[${i}]`;
    const model = row.model ?? defaults.model;
    const entry = catalog.models.find((m) => m.id === model);
    const retired = entry && opts.refuseRetired ? retiredMessage(entry, catalog) : undefined;
    if (retired) {
      // The notice once per model; later rows of the same model point back to it.
      const first = retiredAt.get(model);
      issues.push(first === undefined ? `${at}.model: ${retired}` : `${at}.model: "${model}" is retired (see rows[${first}])`);
      if (first === undefined) retiredAt.set(model, i);
      return;
    }
    // Without a default, a model's own first resolution and longest clip (the seed's default was its longest, 15 s).
    const resolution = row.resolution ?? defaults.resolution ?? entry?.resolutions[0] ?? '';
    const durationSec = row.duration ?? defaults.duration ?? (entry ? Math.max(...allowedDurations(entry)) : 0);
    try {
      const imageUrls = rowImages(row);
      const { info } = checkVideoRequest({ model, resolution, durationSec, aspectRatio: row.aspectRatio, imageUrls, prompt: row.prompt }, catalog);
      out.push({
        rowIndex: i,
        prompt: row.prompt,
        model,
        resolution,
        durationSec,
        aspectRatio: row.aspectRatio ?? null,
        imageUrl: row.imageUrl ?? null,
        lastFrameUrl: row.lastFrameUrl ?? null,
        price: info.credits,
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(`${at}.${rowFieldOf(err.path, row)}: ${err.message}`);
    }
  });
  if (issues.length > 0) throw new RowsError(issues);
  return out;
}
