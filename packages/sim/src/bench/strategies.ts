import { DEFAULT_CONFIG, parseFleetConfig, type FleetConfig, type PlanConfig } from '@clipfleet/engine';

/**
 * The strategies compared by the benchmark are configurations of the same engine supervisor:
 * the config is zod data, so each strategy is a change to it, validated by parseFleetConfig.
 */
export interface Strategy {
  id: 'naive' | 'seed' | 'clipfleet' | 'clipfleet+callbacks';
  description: string;
  config: FleetConfig;
}

const NEVER = 1_000_000_000;

function mapPlans(base: FleetConfig, change: (plan: PlanConfig) => PlanConfig, provider: Partial<FleetConfig['provider']> = {}): FleetConfig {
  return parseFleetConfig({ ...base, plans: base.plans.map(change), provider: { ...base.provider, ...provider } });
}

/** naive: plan concurrency, fixed 3 s polling, no retries, no degradation. */
export function naiveConfig(base: FleetConfig = DEFAULT_CONFIG): FleetConfig {
  return mapPlans(base, (plan) => ({
    ...plan,
    polling: { ...plan.polling, strategy: 'fixed', fixedIntervalMs: 3_000 },
    retry: { ...plan.retry, maxRetries: 0, maxGenerationFailureRetries: 0 },
    // A failure rate can never exceed 100 %: degradation never triggers.
    degradation: { ...plan.degradation, failureRateThreshold: 1, minSamples: NEVER },
  }), { degradation: noGlobalAdaptation(base) });
}

/** naive and seed have no adaptive global cap: the provider's maxRunning stays fixed. */
function noGlobalAdaptation(base: FleetConfig): FleetConfig['provider']['degradation'] {
  return { ...base.provider.degradation, failureRateThreshold: 1, minSamples: NEVER };
}

/**
 * seed: the seed's algorithm: its weights and fast-then-slow queue (the engine's ordering), staged polling
 * 720p 3/5/8 s and 1080p 5/8/12 s, up to 3 retries after 2/4/8 s (generation failures included: the seed
 * does not single them out), and -40 % concurrency above 30 % failures that never recovers.
 */
export function seedConfig(base: FleetConfig = DEFAULT_CONFIG): FleetConfig {
  return mapPlans(base, (plan) => ({
    ...plan,
    polling: { ...plan.polling, strategy: 'staged' },
    retry: { ...plan.retry, maxRetries: 3, backoffMs: [2_000, 4_000, 8_000], jitterRatio: 0, maxGenerationFailureRetries: 3 },
    degradation: { ...plan.degradation, failureRateThreshold: 0.3, decreaseFactor: 0.6, recoverStep: 0 },
  }), { degradation: noGlobalAdaptation(base) });
}

/** clipfleet: the engine's shipped defaults, polling only (callbacks off). */
export function clipfleetConfig(base: FleetConfig = DEFAULT_CONFIG): FleetConfig {
  return mapPlans(base, (plan) => plan, { callbacks: false });
}

/** clipfleet+callbacks: the defaults with KIE callbacks wired; polling is a slow backstop. */
export function clipfleetCallbacksConfig(base: FleetConfig = DEFAULT_CONFIG): FleetConfig {
  return mapPlans(base, (plan) => plan, { callbacks: true });
}

export function strategies(base: FleetConfig = DEFAULT_CONFIG): Strategy[] {
  return [
    { id: 'naive', description: 'fixed 3 s polling, no retries, no degradation', config: naiveConfig(base) },
    { id: 'seed', description: "the seed's algorithm: staged polling, 2/4/8 s retries, -40 % degradation without recovery", config: seedConfig(base) },
    { id: 'clipfleet', description: 'engine defaults (adaptive polling, classified retries, AIMD degradation)', config: clipfleetConfig(base) },
    { id: 'clipfleet+callbacks', description: 'engine defaults with callbacks (polling as backstop)', config: clipfleetCallbacksConfig(base) },
  ];
}

/** The fixed first-stage baseline the seed's "42-46 % fewer calls" claim is measured against. */
export function fixedFirstStageConfig(base: FleetConfig = DEFAULT_CONFIG): FleetConfig {
  return mapPlans(base, (plan) => {
    const staged = plan.polling.staged;
    return {
      ...plan,
      polling: {
        ...plan.polling,
        strategy: 'staged',
        // Every stage at the first stage's interval: 720p every 3 s, 1080p every 5 s.
        staged: Object.fromEntries(Object.entries(staged).map(([res, stages]) => [res, [{ untilMs: null, intervalMs: stages[0]!.intervalMs }]])),
      },
    };
  });
}
