import { ConfigError } from '../errors.ts';
import type { Catalog, FleetConfig, PlanConfig } from './schema.ts';
import { DEFAULT_CONFIG } from './validate.ts';
import { durationWeightOf, resolutionWeightOf } from './weights.ts';

/** The plan's full configuration (user-facing and internal layer). */
export function getBatchConfig(planId: string, config: FleetConfig = DEFAULT_CONFIG): PlanConfig {
  const plan = config.plans.find((p) => p.id === planId);
  if (!plan) {
    throw new ConfigError(`unknown plan "${planId}" (known: ${config.plans.map((p) => p.id).join(', ')})`, 'plan');
  }
  return plan;
}

/**
 * How many tasks of one class may run at once for a user on this plan:
 * max(1, round(base x resolutionWeight x durationWeight)), base = the model's concurrency or the plan's.
 * `level` is the user's concurrency level in force (degradation lowers it below `plan.concurrency`);
 * a per-model base is scaled by the same ratio. Weights the plan does not list come from its points
 * (config/weights.ts), with frame sizes from `catalog.resolutions`.
 */
export function calculateActualConcurrency(
  plan: PlanConfig,
  model: string,
  resolution: string,
  durationSec: number,
  level: number = plan.concurrency,
  catalog: Pick<Catalog, 'resolutions'> = DEFAULT_CONFIG.catalog,
): number {
  const base = Math.max(1, Math.round((baseConcurrency(plan, model) * level) / plan.concurrency));
  let rw: number;
  let dw: number;
  try {
    rw = resolutionWeightOf(plan.resolutionWeight, resolution, catalog);
    dw = durationWeightOf(plan.durationWeight, durationSec);
  } catch (err) {
    const e = err as ConfigError;
    throw new ConfigError(`plan ${plan.id}: ${e.message}`, e.path);
  }
  return Math.max(1, Math.round(base * rw * dw));
}

/** The plan's concurrency for a model before class weights. */
export function baseConcurrency(plan: PlanConfig, model: string): number {
  return plan.modelConcurrency[model] ?? plan.concurrency;
}

