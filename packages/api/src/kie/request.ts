import { buildKieRequest, ConfigError, kieCreateBody, type Catalog, type ProviderError, type ProviderFamily, type TaskSpec } from '@clipfleet/engine';

/** What a task needs from the host when its prompt is kept out of memory. */
export interface ResolvedPrompt {
  prompt: string;
  aspectRatio?: string;
  imageUrls?: string[];
}

export interface BuildBodyOptions {
  /** The host's runtime catalog (admin edits); the shipped default otherwise. */
  catalog?: Catalog;
  callBackUrl?: string;
  progressCallBackUrl?: string;
}

export type BuiltBody = { ok: true; family: ProviderFamily; body: Record<string, unknown> } | { ok: false; error: ProviderError };

/**
 * Builds the create body through the model's catalog mapping (field names, string or integer duration, fixed
 * fields) and its family's envelope. Pure. Anything the model does not accept is reported as a 422-like error
 * without spending a request: KIE would reject it the same way, and createTask slots are rate limited.
 */
export function buildCreateTaskBody(task: TaskSpec, resolved: ResolvedPrompt, opts: BuildBodyOptions = {}): BuiltBody {
  if (resolved.prompt.trim() === '') {
    return { ok: false, error: { code: 422, message: 'not sent: prompt is empty' } };
  }
  try {
    const req = buildKieRequest(
      {
        model: task.model,
        resolution: task.resolution,
        durationSec: task.durationSec,
        prompt: resolved.prompt,
        aspectRatio: resolved.aspectRatio,
        imageUrls: resolved.imageUrls,
      },
      opts.catalog,
    );
    return { ok: true, family: req.family, body: kieCreateBody(req, opts) };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, error: { code: 422, message: `not sent: ${err.path}: ${err.message}` } };
    throw err;
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
