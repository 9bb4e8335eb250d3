import { listVideoModels } from '@clipfleet/engine';
import { publicProcedure, router } from '../init.ts';

export const catalogRouter = router({
  /**
   * The catalog in force (every model's options, mapping, price and status, as the web form needs them to check
   * rows with the engine's own helpers) and the price list of every supported (model, resolution, duration).
   */
  models: publicProcedure.query(({ ctx }) => {
    const config = ctx.deps.config.get();
    return {
      maxBatchRows: config.maxBatchRows,
      /** Whether retired models are refused (the real KIE) or still run (the simulator). */
      refusesRetired: ctx.deps.realProvider,
      catalog: config.catalog,
      variants: listVideoModels(config.catalog).map((v) => ({ model: v.model, label: v.label, resolution: v.resolution, durationSec: v.durationSec, credits: v.credits })),
    };
  }),
});
