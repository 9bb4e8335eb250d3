import type { PlanConfig } from '@clipfleet/engine';
import { calculateActualConcurrency, listVideoModels, type FleetConfig } from '@clipfleet/engine';
import { publicProcedure, router } from '../init.ts';

/** A plan's user-facing layer plus the actual concurrency of each class (the seed's performance table). */
export function planView(plan: PlanConfig, config: FleetConfig) {
  return {
    id: plan.id,
    label: plan.label,
    concurrency: plan.concurrency,
    batchSize: plan.batchSize,
    isDefault: plan.id === config.defaultPlan,
    timeoutsMs: plan.timeoutsMs,
    classes: listVideoModels(config.catalog).map((v) => ({
      model: v.model,
      resolution: v.resolution,
      durationSec: v.durationSec,
      concurrency: calculateActualConcurrency(plan, v.model, v.resolution, v.durationSec, plan.concurrency, config.catalog),
    })),
  };
}

export const plansRouter = router({
  list: publicProcedure.query(({ ctx }) => {
    const config = ctx.deps.config.get();
    return config.plans.map((p) => planView(p, config));
  }),
});
