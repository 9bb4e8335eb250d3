import { checkVideoRequest, type VideoRequest } from './catalog.ts';
import type { Catalog, Mode, ProviderFamily } from './schema.ts';
import { DEFAULT_CONFIG } from './validate.ts';

/** One model's request, mapped from the catalog: the family picks the adapter, `input` is the model's fields. */
export interface KieRequest {
  family: ProviderFamily;
  mode: Mode;
  kieModel: string;
  /** Exactly the fields the model documents, typed as its mapping says (`"5"` or `5`). */
  input: Record<string, string | number | boolean | string[]>;
}

/**
 * Maps a row to the model's own input fields through its catalog mapping. Pure; throws the ConfigError of
 * `checkVideoRequest` (naming the field) for anything the model does not accept, so nothing invalid is sent.
 */
export function buildKieRequest(req: VideoRequest & { prompt: string }, catalog: Catalog = DEFAULT_CONFIG.catalog): KieRequest {
  const { entry, mode, modeConfig } = checkVideoRequest(req, catalog);
  const map = entry.input;
  const input: KieRequest['input'] = { prompt: req.prompt };
  input[map.duration.field] = map.duration.type === 'string' ? String(req.durationSec) : req.durationSec;
  if (map.resolution) input[map.resolution.field] = map.resolution.values[req.resolution]!;
  if (modeConfig.aspectRatios && map.aspectRatio) input[map.aspectRatio.field] = req.aspectRatio ?? modeConfig.aspectRatios[0]!;
  const urls = req.imageUrls ?? [];
  if (urls.length > 0 && map.images) {
    const images = map.images;
    if (images.kind === 'list') input[images.field] = [...urls];
    else if (images.kind === 'single') input[images.field] = urls[0]!;
    else {
      input[images.first] = urls[0]!;
      if (urls[1] !== undefined) input[images.last] = urls[1];
    }
  }
  Object.assign(input, modeConfig.fixed);
  return { family: entry.family, mode, kieModel: modeConfig.kieModel, input };
}

export interface KieCallbackUrls {
  callBackUrl?: string | undefined;
  /** Sora models only: KIE's progress callbacks. */
  progressCallBackUrl?: string | undefined;
}

/**
 * The create body each family's endpoint takes: Market models nest the input under `input`
 * (`POST /api/v1/jobs/createTask`), Veo takes it flat (`POST /api/v1/veo/generate`).
 */
export function kieCreateBody(req: KieRequest, urls: KieCallbackUrls = {}): Record<string, unknown> {
  const callbacks: Record<string, string> = {};
  if (urls.callBackUrl) callbacks.callBackUrl = urls.callBackUrl;
  if (req.family === 'market') {
    if (urls.progressCallBackUrl) callbacks.progressCallBackUrl = urls.progressCallBackUrl;
    return { model: req.kieModel, ...callbacks, input: req.input };
  }
  return { ...req.input, model: req.kieModel, ...callbacks };
}
