import { ConfigError, formatZodIssues } from '../errors.ts';
import { defaultFleetConfig } from './defaults.ts';
import { FleetConfigSchema, type FleetConfig } from './schema.ts';

/**
 * Parses and cross-checks a fleet configuration. Throws a ConfigError naming the first bad field:
 * a hot reload with a broken config must be refused whole, never half-applied.
 */
export function parseFleetConfig(input: unknown): FleetConfig {
  const parsed = FleetConfigSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`invalid config: ${formatZodIssues(parsed.error)}`, first ? first.path.join('.') : '');
  }
  const config = parsed.data;
  const planIds = new Set<string>();
  config.plans.forEach((plan, i) => {
    if (planIds.has(plan.id)) throw new ConfigError(`invalid config: plans.${i}.id: duplicate plan "${plan.id}"`, `plans.${i}.id`);
    planIds.add(plan.id);
    for (const model of config.catalog.models) {
      for (const variant of model.variants) {
        const at = `plans.${i}`;
        if (plan.resolutionWeight[variant.resolution] === undefined)
          throw new ConfigError(`invalid config: ${at}.resolutionWeight: missing "${variant.resolution}"`, `${at}.resolutionWeight`);
        if (plan.timeoutsMs[variant.resolution] === undefined)
          throw new ConfigError(`invalid config: ${at}.timeoutsMs: missing "${variant.resolution}"`, `${at}.timeoutsMs`);
        for (const price of variant.prices) {
          if (plan.durationWeight[String(price.durationSec)] === undefined)
            throw new ConfigError(`invalid config: ${at}.durationWeight: missing "${price.durationSec}"`, `${at}.durationWeight`);
        }
      }
    }
  });
  if (!planIds.has(config.defaultPlan))
    throw new ConfigError(`invalid config: defaultPlan: unknown plan "${config.defaultPlan}"`, 'defaultPlan');
  return config;
}

/** The shipped configuration, validated once. */
export const DEFAULT_CONFIG: FleetConfig = parseFleetConfig(defaultFleetConfig);
