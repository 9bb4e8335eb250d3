import { defaultCatalog } from './models.ts';
import type { FleetConfigInput, PlanConfig } from './schema.ts';

/**
 * ClipFleet's shipped configuration: every number from the seed (see README "Configuration").
 * It is plain data: a new model, price or plan is an edit here or a config file, not code.
 */

const sec = 1000;
const min = 60 * sec;

/** The internal layer shared by the shipped plans (seed values, plus ClipFleet's additions). */
const standardInternal = {
  modelConcurrency: {},
  // The seed's points; every other resolution and duration is interpolated through them (config/weights.ts).
  resolutionWeight: { '720p': 1.0, '1080p': 0.65 },
  durationWeight: { '10': 1.3, '15': 1.0 },
  slowClasses: [{ resolution: '1080p', durationSec: 15 }],
  polling: {
    strategy: 'adaptive',
    fixedIntervalMs: 3 * sec,
    // Seed: 720p 3 -> 5 -> 8 s, 1080p 5 -> 8 -> 12 s. The seed gave no thresholds; these are ours.
    staged: {
      '720p': [
        { untilMs: 30 * sec, intervalMs: 3 * sec },
        { untilMs: 60 * sec, intervalMs: 5 * sec },
        { untilMs: null, intervalMs: 8 * sec },
      ],
      '1080p': [
        { untilMs: 60 * sec, intervalMs: 5 * sec },
        { untilMs: 180 * sec, intervalMs: 8 * sec },
        { untilMs: null, intervalMs: 12 * sec },
      ],
    },
    adaptive: {
      priorExpectedMs: { '720p': 90 * sec, '1080p': 300 * sec },
      minSamples: 3,
      earlyChecksMs: [10 * sec, 25 * sec],
      // Below the seed schedule's own mean delay (about 4 s at 720p, 6 s at 1080p, measured by the benchmark).
      targetDelayMs: { '720p': 3 * sec, '1080p': 5 * sec },
      minIntervalMs: 2 * sec,
      maxIntervalMs: 120 * sec,
    },
    callbackBackstop: { sdFactor: 5, minTargetDelayMs: 10 * sec, maxIntervalMs: 10 * min, maxLossRate: 0.05 },
    notFoundGraceMs: 90 * sec,
  },
  retry: {
    maxRetries: 3,
    backoffMs: [2 * sec, 4 * sec, 8 * sec],
    jitterRatio: 0,
    maxGenerationFailureRetries: 1,
    throttleBaseMs: 5 * sec,
    throttleMaxMs: 2 * min,
  },
  degradation: {
    windowSize: 20,
    minSamples: 10,
    failureRateThreshold: 0.3,
    decreaseFactor: 0.6,
    recoverWindow: 10,
    recoverBelowRate: 0.2,
    recoverStep: 1,
  },
  // Seed: 720p 5 min, 1080p 15 min. Ours: smaller frames as 720p, larger ones longer than 1080p.
  timeoutsMs: { '480p': 5 * min, '720p': 5 * min, '768P': 5 * min, '1080p': 15 * min, '2K': 20 * min, '4k': 30 * min },
} satisfies Omit<PlanConfig, 'id' | 'label' | 'concurrency' | 'batchSize'>;

export const defaultFleetConfig = {
  catalog: defaultCatalog,
  plans: [
    { id: 'free', label: 'Free', concurrency: 1, batchSize: 5, ...standardInternal },
    { id: 'pro', label: 'Pro', concurrency: 3, batchSize: 15, ...standardInternal },
    { id: 'pro_plus', label: 'Pro+', concurrency: 5, batchSize: 25, ...standardInternal },
    {
      id: 'enterprise',
      label: 'Enterprise',
      concurrency: 10,
      batchSize: 50,
      ...standardInternal,
      modelConcurrency: { 'sora-2': 12, 'sora-2-pro': 10 },
      resolutionWeight: { '720p': 1.0, '1080p': 0.7 },
    },
  ],
  defaultPlan: 'free',
  provider: {
    maxRunning: 100,
    // Wider window than a user's: it sees everyone's outcomes. Recovery +1 per 10 successes, as for users.
    degradation: { windowSize: 50, minSamples: 20, failureRateThreshold: 0.3, decreaseFactor: 0.6, recoverWindow: 20, recoverBelowRate: 0.2, recoverStep: 1 },
    createLimit: 20,
    createWindowMs: 10 * sec,
    createWindowMarginMs: 1 * sec,
    callbacks: false,
  },
  maxBatchRows: 10_000,
} satisfies FleetConfigInput;
