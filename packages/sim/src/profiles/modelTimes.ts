import { z } from 'zod';

/**
 * Generation-time ASSUMPTIONS for KIE's live models: no source documents typical times (kie-models.md), so
 * these are stated guesses, as config, for the simulator only (the engine learns each class's real time from
 * finished tasks). Median create-to-finish = (baseSec + perClipSecond x clip seconds) x resolution factor.
 */
export const ModelTimeSchema = z.object({
  baseSec: z.number().positive(),
  perClipSecond: z.number().nonnegative(),
  /** Multiplier per resolution the model renders (1 for its reference resolution). */
  resolutionFactor: z.record(z.string(), z.number().positive()),
});
export const ModelTimesSchema = z.record(z.string(), ModelTimeSchema);
export type ModelTime = z.infer<typeof ModelTimeSchema>;

export const MODEL_TIMES: Record<string, ModelTime> = ModelTimesSchema.parse({
  'kling-2.6': { baseSec: 60, perClipSecond: 12, resolutionFactor: { '1080p': 1 } },
  'kling-3.0-turbo': { baseSec: 30, perClipSecond: 8, resolutionFactor: { '720p': 1, '1080p': 1.4 } },
  'seedance-2': { baseSec: 40, perClipSecond: 10, resolutionFactor: { '480p': 0.6, '720p': 1, '1080p': 1.8 } },
  'seedance-2-fast': { baseSec: 20, perClipSecond: 5, resolutionFactor: { '480p': 0.6, '720p': 1 } },
  'wan-2.7': { baseSec: 45, perClipSecond: 10, resolutionFactor: { '720p': 1, '1080p': 1.6 } },
  'minimax-h3': { baseSec: 50, perClipSecond: 12, resolutionFactor: { '768P': 1, '2K': 2 } },
  'veo-3.1': { baseSec: 60, perClipSecond: 15, resolutionFactor: { '720p': 1, '1080p': 1.3, '4k': 2.5 } },
  'veo-3.1-fast': { baseSec: 30, perClipSecond: 8, resolutionFactor: { '720p': 1, '1080p': 1.3, '4k': 2.5 } },
  'veo-3.1-lite': { baseSec: 20, perClipSecond: 6, resolutionFactor: { '720p': 1, '1080p': 1.3, '4k': 2.5 } },
});

/** The assumed median in ms, or undefined for a model with no assumption (Sora: its seed calibration). */
export function assumedMedianMs(model: string, resolution: string, durationSec: number): number | undefined {
  const t = MODEL_TIMES[model];
  if (!t) return undefined;
  const factor = t.resolutionFactor[resolution] ?? Math.max(...Object.values(t.resolutionFactor));
  return Math.round((t.baseSec + t.perClipSecond * durationSec) * factor * 1000);
}
