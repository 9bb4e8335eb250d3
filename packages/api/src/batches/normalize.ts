import { ConfigError, getVideoModelInfo, type FleetConfig } from '@clipfleet/engine';
import type { BatchRowsInput } from './input.ts';

export interface NormalizedRow {
  rowIndex: number;
  prompt: string;
  model: string;
  resolution: string;
  durationSec: number;
  aspectRatio: 'landscape' | 'portrait' | null;
  imageUrl: string | null;
  credits: number;
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
 * Applies the defaults and prices every row against the runtime catalog. Throws RowsError naming each bad row
 * and field; nothing is written before this passes.
 */
export function normalizeRows(input: BatchRowsInput, config: FleetConfig): NormalizedRow[] {
  const { catalog } = config;
  if (input.rows.length > config.maxBatchRows) {
    throw new RowsError([`rows: a batch holds at most ${config.maxBatchRows} rows (got ${input.rows.length})`]);
  }
  const firstModel = catalog.models[0]!;
  const firstVariant = firstModel.variants[0]!;
  const fallback = {
    model: input.defaults?.model ?? input.defaultModel ?? firstModel.id,
    resolution: input.defaults?.resolution ?? input.defaultResolution ?? firstVariant.resolution,
    duration: input.defaults?.duration ?? input.defaultDuration ?? Math.max(...firstVariant.prices.map((p) => p.durationSec)),
  };
  const issues: string[] = [];
  const out: NormalizedRow[] = [];
  input.rows.forEach((row, i) => {
    const at = `rows[${i}]`;
    if (row.prompt.length > catalog.maxPromptLength) {
      issues.push(`${at}.prompt: prompt is ${row.prompt.length} characters, the limit is ${catalog.maxPromptLength}`);
      return;
    }
    const model = row.model ?? fallback.model;
    const resolution = row.resolution ?? fallback.resolution;
    const durationSec = row.duration ?? fallback.duration;
    try {
      const info = getVideoModelInfo(model, resolution, durationSec, catalog);
      out.push({
        rowIndex: i,
        prompt: row.prompt,
        model,
        resolution,
        durationSec,
        aspectRatio: row.aspectRatio ?? null,
        imageUrl: row.imageUrl ?? null,
        credits: info.credits,
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(`${at}.${err.path}: ${err.message}`);
    }
  });
  if (issues.length > 0) throw new RowsError(issues);
  return out;
}
