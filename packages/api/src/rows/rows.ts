import { allowedDurations, checkVideoRequest, ConfigError, DEFAULT_CONFIG, defaultModelOf, retiredMessage, rowFieldOf, rowImages, type Catalog, type ModelConfig } from '@clipfleet/engine';
import Papa from 'papaparse';
import type { inferRouterInputs } from '@trpc/server';
import type { AppRouter } from '../trpc/root.ts';

type RouterInputs = inferRouterInputs<AppRouter>;

/**
 * Batch rows as the operator typed or uploaded them, and their validation with the server's rules
 * (the engine's catalog helpers: the same code the API runs, so the form never disagrees with it).
 */

export type RowField = 'prompt' | 'model' | 'resolution' | 'duration' | 'aspectRatio' | 'imageUrl' | 'lastFrameUrl';

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
  lastFrameUrl?: string;
}

/** What `batch.create` accepts per row, as the server declares it. */
export type BatchRowInput = RouterInputs['batch']['create']['rows'][number];

export interface RowDefaults {
  model: string;
  resolution: string;
  duration: number;
  /** Applied to text-to-video rows of a model with an aspect choice; absent: the model's default. */
  aspectRatio?: string;
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

export const CSV_COLUMNS = ['prompt', 'model', 'resolution', 'duration', 'aspect_ratio', 'image_url', 'last_frame_url'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

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

/** A CSV with a header row `prompt,model,resolution,duration,aspect_ratio,image_url,last_frame_url` (all but prompt optional). */
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
    // Quoting errors make the file unreadable; extra values would be dropped silently (an unquoted comma in a
    // prompt cuts it short). Missing trailing values are fine: those columns are optional.
    if (err.type === 'Quotes') fileErrors.push(`line ${(err.row ?? 0) + 2}: ${err.message}`);
    if (err.code === 'TooManyFields') {
      fileErrors.push(`line ${(err.row ?? 0) + 2}: more values than the header's ${fields.length} columns (quote a value that contains a comma)`);
    }
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
    const lastFrameUrl = get('last_frame_url');
    if (model) row.model = model;
    if (resolution) row.resolution = resolution;
    if (duration) row.duration = duration;
    if (aspectRatio) row.aspectRatio = aspectRatio;
    if (imageUrl) row.imageUrl = imageUrl;
    if (lastFrameUrl) row.lastFrameUrl = lastFrameUrl;
    return row;
  });
  return { rows, fileErrors };
}

/** Seconds as the catalog lists them: "10", "10s", "10 s" are accepted; anything else is an error. */
export function parseDuration(value: string): number | null {
  const m = /^(\d+)\s*s?$/i.exec(value.trim());
  return m ? Number(m[1]) : null;
}

const ROW_FIELDS: readonly RowField[] = ['prompt', 'model', 'resolution', 'duration', 'aspectRatio', 'imageUrl', 'lastFrameUrl'];

/** The form field a catalog error is about. */
function fieldOf(path: string, draft: DraftRow): RowField {
  const field = rowFieldOf(path, draft);
  return ROW_FIELDS.find((f) => f === field) ?? 'model';
}

/**
 * Validates one row against its model's options in the catalog (the engine's checkVideoRequest, as the API
 * runs it); never throws.
 */
export interface CheckOptions {
  /** The server talks to the real KIE: retired models are refused (as the API will). */
  refusesRetired?: boolean;
}

export function checkRow(draft: DraftRow, defaults: RowDefaults, catalog: Catalog = DEFAULT_CONFIG.catalog, opts: CheckOptions = {}): CheckedRow {
  const issues: RowIssue[] = [];
  const input: BatchRowInput = { prompt: draft.prompt };

  if (!draft.prompt) issues.push({ field: 'prompt', message: 'prompt is empty' });
  if (draft.model) input.model = draft.model;
  if (draft.resolution) input.resolution = draft.resolution;

  let duration = defaults.duration;
  if (draft.duration !== undefined) {
    const d = parseDuration(draft.duration);
    if (d === null) issues.push({ field: 'duration', message: `duration "${draft.duration}" is not a whole number of seconds` });
    else {
      duration = d;
      input.duration = d;
    }
  }
  if (draft.imageUrl !== undefined) input.imageUrl = draft.imageUrl;
  if (draft.lastFrameUrl !== undefined) input.lastFrameUrl = draft.lastFrameUrl;

  const effective: RowDefaults = {
    model: draft.model ?? defaults.model,
    resolution: draft.resolution ?? defaults.resolution,
    duration,
  };
  let imageUrls: string[] = [];
  try {
    imageUrls = rowImages(draft);
  } catch (err) {
    issues.push({ field: 'lastFrameUrl', message: (err as Error).message });
  }
  // The form's default aspect applies where the row's mode has one (text-to-video of a model with a choice).
  const mode = catalog.models.find((m) => m.id === effective.model)?.modes[imageUrls.length > 0 ? 'imageToVideo' : 'textToVideo'];
  const aspectRatio = draft.aspectRatio ?? (defaults.aspectRatio && mode?.aspectRatios?.includes(defaults.aspectRatio) ? defaults.aspectRatio : undefined);
  if (aspectRatio !== undefined) input.aspectRatio = aspectRatio;
  const entry = catalog.models.find((m) => m.id === effective.model);
  const retired = entry && opts.refusesRetired ? retiredMessage(entry, catalog) : undefined;
  if (retired) issues.push({ field: 'model', message: retired });
  let credits: number | null = null;
  if (issues.length === 0) {
    try {
      const req = { model: effective.model, resolution: effective.resolution, durationSec: effective.duration, aspectRatio, imageUrls, prompt: draft.prompt };
      credits = checkVideoRequest(req, catalog).info.credits;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push({ field: fieldOf(err.path, draft), message: err.message });
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
  opts: CheckOptions = {},
): CheckedBatch {
  const rows = drafts.map((d) => checkRow(d, defaults, catalog, opts));
  const batchErrors: string[] = [];
  if (rows.length === 0) batchErrors.push('add at least one prompt');
  if (rows.length > maxRows)
    batchErrors.push(`${rows.length.toLocaleString('en')} rows: one batch holds at most ${maxRows.toLocaleString('en')}`);
  const invalidCount = rows.filter((r) => r.issues.length > 0).length;
  const credits = rows.every((r) => r.credits !== null) ? rows.reduce((s, r) => s + (r.credits ?? 0), 0) : null;
  return { rows, invalidCount, batchErrors, credits };
}

/** The defaults a new batch starts from: the catalog's default (live) model, its first resolution, its longest clip. */
export function catalogDefaults(catalog: Catalog): RowDefaults {
  return modelDefaults(defaultModelOf(catalog));
}

/** A model's own defaults: its first resolution and its longest clip. */
export function modelDefaults(model: ModelConfig): RowDefaults {
  return { model: model.id, resolution: model.resolutions[0] ?? '', duration: allowedDurations(model).at(-1) ?? 0 };
}

/** What the form offers for a model: its resolutions, durations, text-to-video aspect ratios and image inputs. */
export interface ModelChoices {
  resolutions: string[];
  durations: number[];
  /** Aspect ratios of its text-to-video mode (empty: none to choose). */
  aspectRatios: string[];
  /** Image-to-video: how many images a row carries (null: no image mode). */
  images: { min: number; max: number } | null;
  textToVideo: boolean;
}

export function catalogChoices(catalog: Catalog, model: string): ModelChoices {
  const entry = catalog.models.find((m) => m.id === model);
  if (!entry) return { resolutions: [], durations: [], aspectRatios: [], images: null, textToVideo: false };
  return {
    resolutions: entry.resolutions,
    durations: allowedDurations(entry),
    aspectRatios: entry.modes.textToVideo?.aspectRatios ?? [],
    images: entry.modes.imageToVideo?.images ?? null,
    textToVideo: entry.modes.textToVideo !== undefined,
  };
}
