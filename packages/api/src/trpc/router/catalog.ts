import { listVideoModels } from '@clipfleet/engine';
import { publicProcedure, router } from '../init.ts';

export const catalogRouter = router({
  /** The price list: every supported (model, resolution, duration) with its credits. */
  models: publicProcedure.query(({ ctx }) => {
    const config = ctx.deps.config.get();
    return {
      maxPromptLength: config.catalog.maxPromptLength,
      maxBatchRows: config.maxBatchRows,
      models: config.catalog.models.map((m) => ({ id: m.id, label: m.label, resolutions: m.variants.map((v) => v.resolution) })),
      variants: listVideoModels(config.catalog).map((v) => ({ model: v.model, label: v.label, resolution: v.resolution, durationSec: v.durationSec, credits: v.credits })),
    };
  }),
});
