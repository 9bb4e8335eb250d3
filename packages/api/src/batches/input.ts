import { DEFAULT_CONFIG } from '@clipfleet/engine';
import { z } from 'zod';
import { imageUrlProblem, promptProblem } from './text-checks.ts';

/** A zod check from a function that names the problem (or null). */
const check = (problem: (value: string) => string | null) => (value: string, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message) ctx.addIssue({ code: 'custom', message });
};

/**
 * The shape of a batch submission. Catalog checks (model, resolution, duration, aspect ratio, images, prompt
 * length: what each model accepts) need the runtime configuration and run in `normalize.ts`; everything here is
 * static shape.
 */
export const RowSchema = z.object({
  prompt: z.string({ error: 'prompt is required and must be a string' }).superRefine(check(promptProblem)),
  model: z.string().min(1).optional(),
  resolution: z.string().min(1).optional(),
  duration: z.number().int('duration must be a whole number of seconds').positive().optional(),
  /** As the model names it: `16:9`, `9:16`, `1:1`, ... (`landscape` / `portrait` for Sora). */
  aspectRatio: z.string().min(1).max(20).optional(),
  /** Image-to-video: the image, or the first frame. */
  imageUrl: z.string().superRefine(check(imageUrlProblem)).optional(),
  /** The last frame, for models that take a first and a last frame. */
  lastFrameUrl: z.string().superRefine(check((url) => imageUrlProblem(url, 'lastFrameUrl'))).optional(),
});

export const DefaultsSchema = z.object({
  model: z.string().min(1).optional(),
  resolution: z.string().min(1).optional(),
  duration: z.number().int().positive().optional(),
});

const maxRows = DEFAULT_CONFIG.maxBatchRows;

export const BatchRowsInput = z.object({
  name: z.string().max(200).optional(),
  rows: z
    .array(RowSchema)
    .min(1, 'rows is empty: a batch needs at least one row')
    .max(maxRows, `a batch holds at most ${maxRows} rows`),
  /** Defaults for rows that leave a field out; either flat (`defaultModel`...) or as `defaults`. */
  defaultModel: z.string().min(1).optional(),
  defaultResolution: z.string().min(1).optional(),
  defaultDuration: z.number().int().positive().optional(),
  defaults: DefaultsSchema.optional(),
  /** Start paused: nothing is submitted until batch.resume. */
  paused: z.boolean().optional(),
});

export type BatchRowsInput = z.infer<typeof BatchRowsInput>;
