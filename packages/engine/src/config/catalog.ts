import { ConfigError } from '../errors.ts';
import type { Catalog, Mode, ModeConfig, ModelConfig } from './schema.ts';
import { acceptsDuration, allowedDurations } from './durations.ts';
import { DEFAULT_CONFIG } from './validate.ts';

export { allowedDurations };

export interface VideoModelInfo {
  model: string;
  label: string;
  family: ModelConfig['family'];
  status: ModelConfig['status'];
  resolution: string;
  durationSec: number;
  credits: number;
}

/** What a row asks for, as the catalog checks it. */
export interface VideoRequest {
  model: string;
  resolution: string;
  durationSec: number;
  /** As sent to KIE (`16:9`, `landscape`, ...); the mode's first is used when absent. */
  aspectRatio?: string | undefined;
  /** 0 images: text-to-video; 1 or 2 (first and last frame): image-to-video. */
  imageUrls?: readonly string[] | undefined;
  prompt?: string | undefined;
}

export interface CheckedRequest {
  info: VideoModelInfo;
  entry: ModelConfig;
  mode: Mode;
  modeConfig: ModeConfig;
}

/** The catalog entry of a model, or a ConfigError naming the known ones. */
export function findModel(model: string, catalog: Catalog = DEFAULT_CONFIG.catalog): ModelConfig {
  const entry = catalog.models.find((m) => m.id === model);
  if (!entry) {
    const known = catalog.models.map((m) => m.id).join(', ');
    throw new ConfigError(`unknown model "${model}" (known: ${known})`, 'model');
  }
  return entry;
}


function durationText(entry: ModelConfig): string {
  const d = entry.durations;
  return 'list' in d ? allowedDurations(entry).join(', ') : `${d.min}-${d.max} (whole seconds)`;
}

/**
 * Credits of one clip: the per-clip table, or the per-second rate x seconds rounded up to a whole credit
 * (the epsilon keeps 9.2 x 5 = 45.99999... at 46).
 */
export function clipCredits(entry: ModelConfig, resolution: string, durationSec: number): number {
  const p = entry.price;
  if (p.per === 'clip') {
    const credits = p.credits[resolution]?.[String(durationSec)];
    if (credits === undefined) throw new ConfigError(`${entry.id} has no price for ${resolution} ${durationSec} s`, 'duration');
    return credits;
  }
  const rate = p.credits[resolution];
  if (rate === undefined) throw new ConfigError(`${entry.id} has no price for ${resolution}`, 'resolution');
  return Math.ceil(rate * durationSec - 1e-9);
}

/** Everything needed to price one video, or a clear error for an unsupported (model, resolution, duration). */
export function getVideoModelInfo(
  model: string,
  resolution: string,
  durationSec: number,
  catalog: Catalog = DEFAULT_CONFIG.catalog,
): VideoModelInfo {
  const entry = findModel(model, catalog);
  if (!entry.resolutions.includes(resolution)) {
    throw new ConfigError(`${model} does not support resolution "${resolution}" (supported: ${entry.resolutions.join(', ')})`, 'resolution');
  }
  if (!acceptsDuration(entry, durationSec)) {
    throw new ConfigError(`${model} does not support duration ${durationSec} s (supported: ${durationText(entry)})`, 'duration');
  }
  return {
    model,
    label: entry.label,
    family: entry.family,
    status: entry.status,
    resolution,
    durationSec,
    credits: clipCredits(entry, resolution, durationSec),
  };
}

/** Every supported (model, resolution, duration) combination with its price: the public price list. */
export function listVideoModels(catalog: Catalog = DEFAULT_CONFIG.catalog): VideoModelInfo[] {
  return catalog.models.flatMap((m) =>
    m.resolutions.flatMap((r) => allowedDurations(m).map((d) => getVideoModelInfo(m.id, r, d, catalog))),
  );
}

export function isLive(entry: ModelConfig): boolean {
  return entry.status.state === 'live';
}

export function liveModels(catalog: Catalog = DEFAULT_CONFIG.catalog): ModelConfig[] {
  return catalog.models.filter(isLive);
}

/** The model of rows that name none: the catalog's choice, else the first live model, else the first. */
export function defaultModelOf(catalog: Catalog = DEFAULT_CONFIG.catalog): ModelConfig {
  const chosen = catalog.defaultModel ? catalog.models.find((m) => m.id === catalog.defaultModel) : undefined;
  return chosen ?? liveModels(catalog)[0] ?? catalog.models[0]!;
}

/** Why a retired model cannot be sent to the real provider: the notice, the date and what to use instead. */
export function retiredMessage(entry: ModelConfig, catalog: Catalog): string | undefined {
  if (entry.status.state !== 'retired') return undefined;
  const live = liveModels(catalog).map((m) => m.id);
  return `model "${entry.id}" is retired since ${entry.status.date}: "${entry.status.notice}" Live models: ${live.join(', ') || '(none)'}`;
}

/** The mode a row's image count selects: none -> text-to-video, one or more -> image-to-video. */
export function modeFor(entry: ModelConfig, imageCount: number): { mode: Mode; config: ModeConfig } {
  const mode: Mode = imageCount > 0 ? 'imageToVideo' : 'textToVideo';
  const config = entry.modes[mode];
  if (!config) {
    const what = mode === 'textToVideo' ? 'needs an image (it has no text-to-video mode)' : 'takes no image (it has no image-to-video mode)';
    throw new ConfigError(`${entry.id} ${what}`, 'imageUrls');
  }
  if (imageCount < config.images.min || imageCount > config.images.max) {
    const range = config.images.min === config.images.max ? `exactly ${config.images.min}` : `${config.images.min}-${config.images.max} (first and last frame)`;
    throw new ConfigError(`${entry.id} image-to-video takes ${range} image${config.images.max === 1 ? '' : 's'}, got ${imageCount}`, 'imageUrls');
  }
  return { mode, config };
}

/**
 * Checks a row against the model's options (resolution, duration, aspect ratio, image count and URLs, prompt
 * length). Throws a ConfigError whose path names the field. Status is not checked here: a retired model is
 * fine for the simulator; the host refuses it for the real provider (`retiredMessage`).
 */
export function checkVideoRequest(req: VideoRequest, catalog: Catalog = DEFAULT_CONFIG.catalog): CheckedRequest {
  const info = getVideoModelInfo(req.model, req.resolution, req.durationSec, catalog);
  const entry = findModel(req.model, catalog);
  const urls = req.imageUrls ?? [];
  urls.forEach((url, i) => {
    if (!/^https:\/\/[^/\s]+/i.test(url)) throw new ConfigError(`image URL ${i + 1} must be an https URL (got "${url.slice(0, 80)}")`, `imageUrls[${i}]`);
  });
  const { mode, config } = modeFor(entry, urls.length);
  if (req.aspectRatio !== undefined) {
    if (!config.aspectRatios) {
      throw new ConfigError(`${entry.id} ${modeLabel(mode)} takes its aspect ratio from the image: leave aspectRatio empty`, 'aspectRatio');
    }
    if (!config.aspectRatios.includes(req.aspectRatio)) {
      throw new ConfigError(`${entry.id} does not support aspect ratio "${req.aspectRatio}" (supported: ${config.aspectRatios.join(', ')})`, 'aspectRatio');
    }
  }
  if (req.prompt !== undefined && req.prompt.length > entry.input.promptMaxLength) {
    throw new ConfigError(`prompt is ${req.prompt.length} characters, ${entry.id} accepts at most ${entry.input.promptMaxLength}`, 'prompt');
  }
  return { info, entry, mode, modeConfig: config };
}

/** A batch row's images as the catalog takes them: the image (or first frame), then the last frame. */
export function rowImages(row: { imageUrl?: string | undefined; lastFrameUrl?: string | undefined }): string[] {
  if (row.lastFrameUrl !== undefined && row.imageUrl === undefined) {
    throw new ConfigError('a last frame needs a first frame in imageUrl', 'lastFrameUrl');
  }
  return [row.imageUrl, row.lastFrameUrl].filter((u): u is string => u !== undefined);
}

/** The row field a catalog error path is about: rows carry `imageUrl` and `lastFrameUrl`, the catalog a list. */
export function rowFieldOf(path: string, row: { lastFrameUrl?: string | undefined }): string {
  if (path === 'imageUrls[0]') return 'imageUrl';
  if (path === 'imageUrls[1]') return 'lastFrameUrl';
  if (path === 'imageUrls') return row.lastFrameUrl !== undefined ? 'lastFrameUrl' : 'imageUrl';
  return path;
}

export function modeLabel(mode: Mode): string {
  return mode === 'textToVideo' ? 'text-to-video' : 'image-to-video';
}
