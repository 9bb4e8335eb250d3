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
  timeoutsMs: { '720p': 5 * min, '1080p': 15 * min },
} satisfies Omit<PlanConfig, 'id' | 'label' | 'concurrency' | 'batchSize'>;

export const defaultFleetConfig = {
  catalog: {
    maxPromptLength: 10_000,
    models: [
      {
        id: 'sora-2',
        label: 'Sora 2',
        kieModels: { textToVideo: 'sora-2-text-to-video', imageToVideo: 'sora-2-image-to-video' },
        variants: [
          {
            resolution: '720p',
            prices: [
              { durationSec: 10, credits: 15 },
              { durationSec: 15, credits: 20 },
            ],
          },
        ],
      },
      {
        id: 'sora-2-pro',
        label: 'Sora 2 Pro',
        kieModels: { textToVideo: 'sora-2-pro-text-to-video', imageToVideo: 'sora-2-pro-image-to-video' },
        variants: [
          {
            resolution: '720p',
            size: 'standard',
            prices: [
              { durationSec: 10, credits: 45 },
              { durationSec: 15, credits: 60 },
            ],
          },
          {
            resolution: '1080p',
            size: 'high',
            prices: [
              { durationSec: 10, credits: 100 },
              { durationSec: 15, credits: 130 },
            ],
          },
        ],
      },
    ],
  },
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
