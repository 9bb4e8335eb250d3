import { KIE_MODELS } from './wire.ts';

/** A createTask body that passed validation. */
export interface CreateTaskBody {
  model: (typeof KIE_MODELS)[number];
  callBackUrl?: string;
  progressCallBackUrl?: string;
  input: {
    prompt: string;
    aspect_ratio: 'portrait' | 'landscape';
    n_frames: '10' | '15';
    size?: 'standard' | 'high';
    image_urls?: string[];
    remove_watermark?: boolean;
  };
}

export type Validation = { ok: true; body: CreateTaskBody } | { ok: false; field: string; msg: string };

const MAX_PROMPT = 10_000;

function bad(field: string, msg: string): Validation {
  return { ok: false, field, msg: `${field}: ${msg}` };
}

/** Checks a createTask body the way KIE documents it; the message names the offending field. */
export function validateCreateBody(raw: unknown): Validation {
  if (typeof raw !== 'object' || raw === null) return bad('body', 'must be a JSON object');
  const body = raw as Record<string, unknown>;
  const model = body.model;
  if (typeof model !== 'string' || !(KIE_MODELS as readonly string[]).includes(model)) {
    return bad('model', `must be one of ${KIE_MODELS.join(', ')}`);
  }
  for (const url of ['callBackUrl', 'progressCallBackUrl'] as const) {
    if (body[url] !== undefined && (typeof body[url] !== 'string' || !/^https?:\/\//.test(body[url] as string))) {
      return bad(url, 'must be an http(s) URL');
    }
  }
  const input = body.input;
  if (typeof input !== 'object' || input === null) return bad('input', 'is required');
  const i = input as Record<string, unknown>;
  if (typeof i.prompt !== 'string' || i.prompt.trim() === '') return bad('input.prompt', 'is required');
  if (i.prompt.length > MAX_PROMPT) return bad('input.prompt', `must be at most ${MAX_PROMPT} characters`);
  const aspect = i.aspect_ratio ?? 'landscape';
  if (aspect !== 'portrait' && aspect !== 'landscape') return bad('input.aspect_ratio', 'must be "portrait" or "landscape"');
  const nFrames = i.n_frames ?? '10';
  if (nFrames !== '10' && nFrames !== '15') return bad('input.n_frames', 'must be the string "10" or "15"');
  const pro = model.startsWith('sora-2-pro');
  let size: 'standard' | 'high' | undefined;
  if (pro) {
    // KIE's defaults differ between Pro models; the sim applies them as KIE does when size is absent.
    const s = i.size ?? (model === 'sora-2-pro-text-to-video' ? 'high' : 'standard');
    if (s !== 'standard' && s !== 'high') return bad('input.size', 'must be "standard" or "high"');
    size = s;
  } else if (i.size !== undefined) {
    return bad('input.size', 'is only supported by sora-2-pro models');
  }
  const imageModel = model.endsWith('image-to-video');
  let imageUrls: string[] | undefined;
  if (imageModel) {
    const urls = i.image_urls;
    if (!Array.isArray(urls) || urls.length !== 1 || typeof urls[0] !== 'string' || !/^https?:\/\//.test(urls[0])) {
      return bad('input.image_urls', 'must hold exactly one public http(s) image URL');
    }
    imageUrls = [urls[0]];
  } else if (i.image_urls !== undefined) {
    return bad('input.image_urls', 'is only accepted by image-to-video models');
  }
  if (i.remove_watermark !== undefined && typeof i.remove_watermark !== 'boolean') {
    return bad('input.remove_watermark', 'must be a boolean');
  }
  if (i.character_id_list !== undefined && (!Array.isArray(i.character_id_list) || i.character_id_list.length > 5)) {
    return bad('input.character_id_list', 'must be a list of at most 5 ids');
  }
  return {
    ok: true,
    body: {
      model: model as CreateTaskBody['model'],
      ...(typeof body.callBackUrl === 'string' ? { callBackUrl: body.callBackUrl } : {}),
      ...(typeof body.progressCallBackUrl === 'string' ? { progressCallBackUrl: body.progressCallBackUrl } : {}),
      input: {
        prompt: i.prompt,
        aspect_ratio: aspect,
        n_frames: nFrames,
        ...(size ? { size } : {}),
        ...(imageUrls ? { image_urls: imageUrls } : {}),
        ...(typeof i.remove_watermark === 'boolean' ? { remove_watermark: i.remove_watermark } : {}),
      },
    },
  };
}
