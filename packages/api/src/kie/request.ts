import { getVideoModelInfo, type Catalog, type ProviderError, type TaskSpec } from '@clipfleet/engine';
import type { KieCreateTaskBody } from './wire.ts';

/** What a task needs from the host when its prompt is kept out of memory. */
export interface ResolvedPrompt {
  prompt: string;
  aspectRatio?: 'landscape' | 'portrait';
  imageUrl?: string;
}

export interface BuildBodyOptions {
  /** The host's runtime catalog (admin edits); the shipped default otherwise. */
  catalog?: Catalog;
  callBackUrl?: string;
  progressCallBackUrl?: string;
}

/**
 * Builds the createTask body exactly as kie-api.md says: the KIE model id depends on whether an
 * image is given; `n_frames` is a string; Pro's `size` is always sent (its defaults differ by model).
 * Pure. An unsupported (model, resolution, duration) is reported as a 422-like error without
 * spending a request: KIE would reject it the same way, and createTask slots are rate limited.
 */
export function buildCreateTaskBody(
  task: TaskSpec,
  resolved: ResolvedPrompt,
  opts: BuildBodyOptions = {},
): { ok: true; body: KieCreateTaskBody } | { ok: false; error: ProviderError } {
  let info;
  try {
    info = getVideoModelInfo(task.model, task.resolution, task.durationSec, opts.catalog);
  } catch (err) {
    return { ok: false, error: { code: 422, message: `not sent: ${errorText(err)}` } };
  }
  if (resolved.prompt.trim() === '') {
    return { ok: false, error: { code: 422, message: 'not sent: prompt is empty' } };
  }
  const imageUrl = resolved.imageUrl;
  const body: KieCreateTaskBody = {
    model: imageUrl ? info.kieModels.imageToVideo : info.kieModels.textToVideo,
    input: {
      prompt: resolved.prompt,
      aspect_ratio: resolved.aspectRatio ?? 'landscape',
      n_frames: info.nFrames,
    },
  };
  if (info.size !== undefined) body.input.size = info.size;
  if (imageUrl) body.input.image_urls = [imageUrl];
  if (opts.callBackUrl) body.callBackUrl = opts.callBackUrl;
  if (opts.progressCallBackUrl) body.progressCallBackUrl = opts.progressCallBackUrl;
  return { ok: true, body };
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
