import { ConfigError, DEFAULT_CONFIG, getVideoModelInfo, type Catalog } from '@clipfleet/engine';
import Papa from 'papaparse';
import type { RouterInputs } from '../utils/trpc.ts';

/**
 * Batch rows as the operator typed or uploaded them, and their validation with the server's rules
 * (the engine's catalog helpers: the same code the API runs, so the form never disagrees with it).
 */

export type RowField = 'prompt' | 'model' | 'resolution' | 'duration' | 'aspectRatio' | 'imageUrl';

/** One row before validation: every value a string, as it came from the textarea or the CSV. */
export interface DraftRow {
  /** 1-based line in the pasted text or the CSV file (the header is line 1). */
  line: number;
  prompt: string;
  model?: string;
  resolution?: string;
  duration?: string;
  aspectRatio?: string;
  imageUrl?: string;
}

/** What `batch.create` accepts per row, as the server declares it. */
export type BatchRowInput = RouterInputs['batch']['create']['rows'][number];

export interface RowDefaults {
  model: string;
  resolution: string;
  duration: number;
}

export interface RowIssue {
  field: RowField;
  message: string;
}

export interface CheckedRow {
  draft: DraftRow;
  /** The row to send (only fields the operator set: defaults apply on the server). */
  input: BatchRowInput;
  /** The model/resolution/duration in force after defaults. */
  effective: RowDefaults;
  credits: number | null;
  issues: RowIssue[];
}

export interface ParseResult {
  rows: DraftRow[];
  /** Problems with the file itself (missing header, unknown columns, malformed quoting). */
  fileErrors: string[];
}

export const CSV_COLUMNS = ['prompt', 'model', 'resolution', 'duration', 'aspect_ratio', 'image_url'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

const ASPECT_ALIASES: Record<string, 'landscape' | 'portrait'> = {
  landscape: 'landscape',
  portrait: 'portrait',
  '16:9': 'landscape',
  '9:16': 'portrait',
};

/** One prompt per non-empty line. */
export function parsePromptLines(text: string): ParseResult {
  const rows: DraftRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const prompt = raw.trim();
    if (prompt) rows.push({ line: i + 1, prompt });
  });
  return { rows, fileErrors: [] };
}

function normalizeHeader(h: string): string {
  return h.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** A CSV with a header row `prompt,model,resolution,duration,aspect_ratio,image_url` (all but prompt optional). */
export function parseCsv(text: string): ParseResult {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: normalizeHeader,
  });
  const fileErrors: string[] = [];
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes('prompt')) {
    fileErrors.push(`the CSV needs a header row with a "prompt" column (columns: ${CSV_COLUMNS.join(', ')})`);
    return { rows: [], fileErrors };
  }
  const unknown = fields.filter((f) => !(CSV_COLUMNS as readonly string[]).includes(f) && f !== '');
  if (unknown.length) fileErrors.push(`unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (expected: ${CSV_COLUMNS.join(', ')})`);
  for (const err of parsed.errors) {
    // Field-count mismatches are reported per row below; quoting errors make the file unreadable.
    if (err.type === 'Quotes') fileErrors.push(`line ${(err.row ?? 0) + 2}: ${err.message}`);
  }
  const rows = parsed.data.map((record, i): DraftRow => {
    const get = (c: CsvColumn) => {
      const v = record[c];
      return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
    };
    const row: DraftRow = { line: i + 2, prompt: (record.prompt ?? '').trim() };
    const model = get('model');
    const resolution = get('resolution');
    const duration = get('duration');
    const aspectRatio = get('aspect_ratio');
    const imageUrl = get('image_url');
    if (model) row.model = model;
    if (resolution) row.resolution = resolution;
    if (duration) row.duration = duration;
    if (aspectRatio) row.aspectRatio = aspectRatio;
    if (imageUrl) row.imageUrl = imageUrl;
    return row;
  });
  return { rows, fileErrors };
}

/** Seconds as the catalog lists them: "10", "10s", "10 s" are accepted; anything else is an error. */
export function parseDuration(value: string): number | null {
  const m = /^(\d+)\s*s?$/i.exec(value.trim());
  return m ? Number(m[1]) : null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Validates one row against the catalog; never throws. */
export function checkRow(draft: DraftRow, defaults: RowDefaults, catalog: Catalog = DEFAULT_CONFIG.catalog): CheckedRow {
  const issues: RowIssue[] = [];
  const input: BatchRowInput = { prompt: draft.prompt };

  if (!draft.prompt) issues.push({ field: 'prompt', message: 'prompt is empty' });
  else if (draft.prompt.length > catalog.maxPromptLength)
    issues.push({
      field: 'prompt',
      message: `prompt is ${draft.prompt.length.toLocaleString('en')} characters (max ${catalog.maxPromptLength.toLocaleString('en')})`,
    });

  if (draft.model) input.model = draft.model;
  if (draft.resolution) input.resolution = draft.resolution;

  let duration = defaults.duration;
  if (draft.duration !== undefined) {
    const d = parseDuration(draft.duration);
    if (d === null) issues.push({ field: 'duration', message: `duration "${draft.duration}" is not a number of seconds` });
    else {
      duration = d;
      input.duration = d;
    }
  }

  if (draft.aspectRatio !== undefined) {
    const a = ASPECT_ALIASES[draft.aspectRatio.toLowerCase()];
    if (!a) issues.push({ field: 'aspectRatio', message: `aspect ratio "${draft.aspectRatio}" must be landscape or portrait` });
    else input.aspectRatio = a;
  }

  if (draft.imageUrl !== undefined) {
    if (!isHttpUrl(draft.imageUrl)) issues.push({ field: 'imageUrl', message: `image URL "${draft.imageUrl}" is not an http(s) URL` });
    else input.imageUrl = draft.imageUrl;
  }

  const effective: RowDefaults = {
    model: draft.model ?? defaults.model,
    resolution: draft.resolution ?? defaults.resolution,
    duration,
  };
  let credits: number | null = null;
  if (!issues.some((i) => i.field === 'duration')) {
    try {
      credits = getVideoModelInfo(effective.model, effective.resolution, effective.duration, catalog).credits;
    } catch (err) {
      const field = err instanceof ConfigError && (err.path === 'model' || err.path === 'resolution' || err.path === 'duration') ? err.path : 'model';
      issues.push({ field, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { draft, input, effective, credits, issues };
}

export interface CheckedBatch {
  rows: CheckedRow[];
  invalidCount: number;
  /** Problems with the batch as a whole (no rows, too many rows). */
  batchErrors: string[];
  /** Sum of row prices when every row is priced. */
  credits: number | null;
}

export function checkRows(
  drafts: DraftRow[],
  defaults: RowDefaults,
  catalog: Catalog = DEFAULT_CONFIG.catalog,
  maxRows: number = DEFAULT_CONFIG.maxBatchRows,
): CheckedBatch {
  const rows = drafts.map((d) => checkRow(d, defaults, catalog));
  const batchErrors: string[] = [];
  if (rows.length === 0) batchErrors.push('add at least one prompt');
  if (rows.length > maxRows)
    batchErrors.push(`${rows.length.toLocaleString('en')} rows: one batch holds at most ${maxRows.toLocaleString('en')}`);
  const invalidCount = rows.filter((r) => r.issues.length > 0).length;
  const credits = rows.every((r) => r.credits !== null) ? rows.reduce((s, r) => s + (r.credits ?? 0), 0) : null;
  return { rows, invalidCount, batchErrors, credits };
}

/** The default-field choices the catalog offers: models, and for a model its resolutions and durations. */
export function catalogChoices(catalog: Catalog, model: string): { resolutions: string[]; durations: number[] } {
  const entry = catalog.models.find((m) => m.id === model);
  if (!entry) return { resolutions: [], durations: [] };
  const resolutions = entry.variants.map((v) => v.resolution);
  const durations = [...new Set(entry.variants.flatMap((v) => v.prices.map((p) => p.durationSec)))].sort((a, b) => a - b);
  return { resolutions, durations };
}
