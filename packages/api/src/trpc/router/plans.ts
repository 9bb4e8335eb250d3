import type { PlanConfig } from '@clipfleet/engine';
import { calculateActualConcurrency, listVideoModels, type FleetConfig } from '@clipfleet/engine';
import { publicProcedure, router } from '../init.ts';

type PlanView = ReturnType<typeof buildPlanView>;

/**
 * Views by config, then plan id: every class's concurrency is derived from the catalog (about 4 ms of CPU per
 * plan), and me.get asks for one on every call. A new config is a new object, so a reload is never served stale.
 */
const views = new WeakMap<FleetConfig, Map<string, PlanView>>();

/** A plan's user-facing layer plus the actual concurrency of each class (the seed's performance table). */
export function planView(plan: PlanConfig, config: FleetConfig): PlanView {
  let byPlan = views.get(config);
  if (!byPlan) views.set(config, (byPlan = new Map()));
  let view = byPlan.get(plan.id);
  if (!view) byPlan.set(plan.id, (view = buildPlanView(plan, config)));
  return view;
}

function buildPlanView(plan: PlanConfig, config: FleetConfig) {
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
