import { z } from 'zod';

const positiveInt = z.number().int().positive();
const ms = z.number().int().nonnegative();

export const ModelVariantSchema = z.object({
  resolution: z.string().min(1),
  /** KIE `size` sent for this resolution (Pro only); omitted when the model has no size choice. */
  size: z.string().min(1).optional(),
  /** Credits per video by clip length in seconds. */
  prices: z.array(z.object({ durationSec: positiveInt, credits: positiveInt })).min(1),
});

export const ModelSchema = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  kieModels: z.object({ textToVideo: z.string().min(1), imageToVideo: z.string().min(1) }),
  variants: z.array(ModelVariantSchema).min(1),
});

export const CatalogSchema = z.object({
  models: z.array(ModelSchema).min(1),
  /** Longest prompt KIE accepts. */
  maxPromptLength: positiveInt,
});

/** A stage of a staged polling schedule: poll every `intervalMs` while elapsed < `untilMs` (null: forever). */
const PollStageSchema = z.object({ untilMs: ms.nullable(), intervalMs: positiveInt });

export const PollingSchema = z.object({
  /** staged: the seed's schedule; adaptive: ClipFleet's learned schedule; fixed: one interval. */
  strategy: z.enum(['staged', 'adaptive', 'fixed']),
  fixedIntervalMs: positiveInt,
  staged: z.record(z.string(), z.array(PollStageSchema).min(1)),
  adaptive: z.object({
    /** Prior expected generation time by resolution until enough tasks of a class have finished. */
    priorExpectedMs: z.record(z.string(), positiveInt),
    /** Completed samples needed before the learned estimate replaces the prior. */
    minSamples: positiveInt,
    /**
     * Early polls (elapsed times, ascending) catch fast rejections: content-policy refusals come in the
     * first seconds of generation, long before the class's completion window.
     */
    earlyChecksMs: z.array(positiveInt).min(1),
    /**
     * Mean delay between a job finishing and ClipFleet noticing, by resolution: the schedule spends
     * the fewest polls that meet it (see policy/completionModel.ts).
     */
    targetDelayMs: z.record(z.string(), positiveInt),
    minIntervalMs: positiveInt,
    maxIntervalMs: positiveInt,
  }),
  /**
   * With callbacks, polling only catches lost ones: the same optimal schedule with a much larger
   * target delay, max(minTargetDelayMs, sdFactor x the class's spread), so almost every job's callback
   * comes before its first poll (about 0.2 polls per task at sdFactor 5).
   */
  callbackBackstop: z.object({
    sdFactor: z.number().positive(),
    minTargetDelayMs: positiveInt,
    maxIntervalMs: positiveInt,
    /**
     * The learned share of lost callbacks above which jobs poll on the normal schedule again (callbacks then
     * only make them noticed sooner): a lost callback on the backstop costs minutes, so few are tolerable.
     */
    maxLossRate: z.number().min(0).max(1),
  }),
  /** How long "recordInfo is null" / 404 right after create counts as "not there yet". */
  notFoundGraceMs: ms,
});

export const RetrySchema = z.object({
  maxRetries: z.number().int().nonnegative(),
  /** Backoff before retry n (1-based) is backoffMs[n-1] (the last entry repeats). */
  backoffMs: z.array(ms).min(1),
  /** Jitter as a fraction of the delay, added in [0, jitterRatio * delay): 0 keeps the exact 2/4/8 s. */
  jitterRatio: z.number().min(0).max(1),
  /** Retries allowed for a 501 generation failure that is not a content-policy refusal. */
  maxGenerationFailureRetries: z.number().int().nonnegative(),
  /** Wait for 429/455 when no Retry-After is given: base doubling to max. */
  throttleBaseMs: positiveInt,
  throttleMaxMs: positiveInt,
});

export const DegradationSchema = z
  .object({
  /** Recent attempt outcomes considered. */
  windowSize: positiveInt,
  minSamples: positiveInt,
  failureRateThreshold: z.number().min(0).max(1),
  /** Concurrency multiplier on degradation (seed: x0.6). */
  decreaseFactor: z.number().gt(0).lt(1),
  /**
   * Recovery after a healthy window: once `recoverWindow` outcomes since the last change show a
   * failure rate at or below `recoverBelowRate`, the level steps up by `recoverStep`, up to the plan.
   */
  recoverWindow: positiveInt,
  recoverBelowRate: z.number().min(0).max(1),
  /** 0 turns recovery off (the seed's behaviour). */
  recoverStep: z.number().int().nonnegative(),
  })
  .refine((d) => d.recoverWindow <= d.windowSize, { message: 'recoverWindow must not exceed windowSize', path: ['recoverWindow'] })
  .refine((d) => d.recoverBelowRate < d.failureRateThreshold, { message: 'recoverBelowRate must be below failureRateThreshold', path: ['recoverBelowRate'] });

export const PlanSchema = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  /** User-facing layer. */
  concurrency: positiveInt,
  batchSize: positiveInt,
  /** Internal layer. */
  modelConcurrency: z.record(z.string(), positiveInt).default({}),
  resolutionWeight: z.record(z.string(), z.number().positive()),
  durationWeight: z.record(z.string(), z.number().positive()),
  /** Classes admitted only after every other class of the batch (the seed's slow queue). */
  slowClasses: z.array(z.object({ resolution: z.string().min(1), durationSec: positiveInt })),
  polling: PollingSchema,
  retry: RetrySchema,
  degradation: DegradationSchema,
  /** Per-attempt timeout by resolution. */
  timeoutsMs: z.record(z.string(), positiveInt),
});

export const ProviderSchema = z.object({
  /** Global cap on tasks running at KIE at once, shared by all users. */
  maxRunning: positiveInt,
  /**
   * The same AIMD rule applied to the global cap, over all users' outcomes: when KIE itself is
   * overloaded, every user's failures rise together and only a lower total relieves it.
   */
  degradation: DegradationSchema,
  /** createTask budget: at most `limit` calls in any `windowMs` window (KIE: 20 per 10 s). */
  createLimit: positiveInt,
  createWindowMs: positiveInt,
  /**
   * Added to the window on our side: KIE counts calls when they arrive, and network jitter can bring
   * a call spaced exactly one window after another inside KIE's window (a 429, and a wasted call).
   */
  createWindowMarginMs: z.number().int().nonnegative(),
  /** Whether KIE callbacks are wired: polling becomes a slow backstop. */
  callbacks: z.boolean(),
});

export const FleetConfigSchema = z.object({
  catalog: CatalogSchema,
  plans: z.array(PlanSchema).min(1),
  defaultPlan: z.string().min(1),
  provider: ProviderSchema,
  /** Largest batch accepted in one submission. */
  maxBatchRows: positiveInt,
});

export type ModelVariant = z.infer<typeof ModelVariantSchema>;
export type ModelConfig = z.infer<typeof ModelSchema>;
export type Catalog = z.infer<typeof CatalogSchema>;
export type PollingConfig = z.infer<typeof PollingSchema>;
export type RetryConfig = z.infer<typeof RetrySchema>;
export type DegradationConfig = z.infer<typeof DegradationSchema>;
export type PlanConfig = z.infer<typeof PlanSchema>;
export type ProviderConfig = z.infer<typeof ProviderSchema>;
export type FleetConfig = z.infer<typeof FleetConfigSchema>;
export type FleetConfigInput = z.input<typeof FleetConfigSchema>;
