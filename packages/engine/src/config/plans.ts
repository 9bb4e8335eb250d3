import { ConfigError } from '../errors.ts';
import type { FleetConfig, PlanConfig } from './schema.ts';
import { DEFAULT_CONFIG } from './validate.ts';

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
 * a per-model base is scaled by the same ratio.
 */
export function calculateActualConcurrency(
  plan: PlanConfig,
  model: string,
  resolution: string,
  durationSec: number,
  level: number = plan.concurrency,
): number {
  const base = Math.max(1, Math.round((baseConcurrency(plan, model) * level) / plan.concurrency));
  const rw = plan.resolutionWeight[resolution];
  const dw = plan.durationWeight[String(durationSec)];
  if (rw === undefined) throw new ConfigError(`plan ${plan.id} has no weight for resolution "${resolution}"`, 'resolution');
  if (dw === undefined) throw new ConfigError(`plan ${plan.id} has no weight for duration ${durationSec} s`, 'duration');
  return Math.max(1, Math.round(base * rw * dw));
}

/** The plan's concurrency for a model before class weights. */
export function baseConcurrency(plan: PlanConfig, model: string): number {
  return plan.modelConcurrency[model] ?? plan.concurrency;
}

