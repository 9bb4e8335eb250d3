import { z } from 'zod';

const positiveInt = z.number().int().positive();
const ms = z.number().int().nonnegative();

/** The provider families ClipFleet has an adapter for: each speaks its own endpoints and status shape. */
export const PROVIDER_FAMILIES = ['market', 'veo'] as const;

/** The two ways to ask for a video: from a prompt alone, or from a prompt and image(s). */
export const MODES = ['textToVideo', 'imageToVideo'] as const;
export type Mode = (typeof MODES)[number];

/** A fixed request field: KIE inputs are flat JSON scalars. */
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const ModeSchema = z.object({
  /** The KIE model id this mode is sent as. */
  kieModel: z.string().min(1),
  /**
   * Aspect ratios this mode accepts, as sent; the first is sent when a row names none. Absent: the mode has
   * no aspect field (most image-to-video modes take the image's).
   */
  aspectRatios: z.array(z.string().min(1)).min(1).optional(),
  /** How many images a row of this mode carries: 0 for text-to-video; 1, or 1-2 (first and last frame). */
  images: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() }).refine((i) => i.min <= i.max, 'images.min must not exceed images.max'),
  /** What KIE renders when the resolution field is absent (ClipFleet always sends it; the simulator needs it). */
  defaultResolution: z.string().min(1).optional(),
  /** Fields this mode always sends, e.g. Kling's `sound: false`, Veo's `generationType`. */
  fixed: z.record(z.string(), Scalar).default({}),
});

/** Which request field carries each option, and how it is typed: models disagree on both. */
export const InputMappingSchema = z.object({
  /** Longest prompt the model accepts. */
  promptMaxLength: positiveInt,
  /** Seconds as a string (`"5"`, Kling, Sora's `n_frames`) or an integer (`5`, Seedance, Wan, Veo). */
  duration: z.object({ field: z.string().min(1), type: z.enum(['string', 'integer']) }),
  /** The resolution / quality field and the value sent for each ClipFleet resolution; absent: none is sent. */
  resolution: z.object({ field: z.string().min(1), values: z.record(z.string(), z.string().min(1)) }).optional(),
  /** `aspect_ratio` for most, `ratio` for Wan 2.7; used by modes that list aspectRatios. */
  aspectRatio: z.object({ field: z.string().min(1) }).optional(),
  /** list: `image_urls: [first, last?]`; single: `image_url: "..."`; frames: `first_frame_url` / `last_frame_url`. */
  images: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('list'), field: z.string().min(1) }),
      z.object({ kind: z.literal('single'), field: z.string().min(1) }),
      z.object({ kind: z.literal('frames'), first: z.string().min(1), last: z.string().min(1) }),
    ])
    .optional(),
});

/** Credits per clip of each (resolution, duration), or per second of each resolution (rounded up per clip). */
export const PriceSchema = z.discriminatedUnion('per', [
  z.object({ per: z.literal('clip'), credits: z.record(z.string(), z.record(z.string().regex(/^\d+$/), positiveInt)) }),
  z.object({ per: z.literal('second'), credits: z.record(z.string(), z.number().positive()) }),
]);

/** Whole seconds: an explicit list, or every second of a range. */
export const DurationsSchema = z.union([
  z.object({ list: z.array(positiveInt).min(1) }),
  z.object({ min: positiveInt, max: positiveInt }).refine((d) => d.min <= d.max, 'durations.min must not exceed durations.max'),
]);

export const ModelStatusSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('live') }),
  /** The provider shut the model down: kept for the simulator and the seed benchmark, refused for real KIE. */
  z.object({ state: z.literal('retired'), date: z.iso.date(), notice: z.string().min(1) }),
]);

export const ModelSchema = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  family: z.enum(PROVIDER_FAMILIES),
  status: ModelStatusSchema,
  modes: z
    .object({ textToVideo: ModeSchema.optional(), imageToVideo: ModeSchema.optional() })
    .refine((m) => m.textToVideo !== undefined || m.imageToVideo !== undefined, 'a model needs at least one mode'),
  /** ClipFleet resolution names (keys of catalog.resolutions) this model renders. */
  resolutions: z.array(z.string().min(1)).min(1),
  durations: DurationsSchema,
  input: InputMappingSchema,
  price: PriceSchema,
  /** Where the facts and the price come from, and what is assumed (shown in the README's model table). */
  source: z.string().min(1).optional(),
});

/** Frame size of each resolution name: the concurrency rule weights a class by its pixel count. */
export const ResolutionSchema = z.object({ width: positiveInt, height: positiveInt });

export const CatalogSchema = z.object({
  resolutions: z.record(z.string(), ResolutionSchema),
  models: z.array(ModelSchema).min(1),
  /** The model of rows that name none (and the form's first choice); absent: the first live model. */
  defaultModel: z.string().min(1).optional(),
  /** Longest prompt any model accepts (the models' own limits are in their input mapping). */
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
  /**
   * Concurrency weight points by resolution and by clip length (seconds); other classes follow a power law
   * through them (weights.ts). Checked non-increasing with size: a larger clip never gets more concurrency.
   */
  resolutionWeight: z.record(z.string(), z.number().positive()),
  durationWeight: z.record(z.string(), z.number().positive()),
  /** Classes admitted only after every other class of the batch (the seed's slow queue). */
  slowClasses: z.array(z.object({ resolution: z.string().min(1), durationSec: positiveInt })),
  polling: PollingSchema,
  retry: RetrySchema,
  degradation: DegradationSchema,
  /** Per-attempt timeout by resolution: every resolution the catalog uses needs one. */
  timeoutsMs: z.record(z.string(), positiveInt),
});

/**
 * One KIE account (one API key): its own createTask window and, optionally, its own cap on running jobs. The key
 * itself is a host secret (the API reads it from the environment), never configuration.
 */
export const ProviderAccountSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be 1-40 characters: lowercase letters, digits, "-" or "_"'),
  /** createTask calls per window on this account; absent: provider.createLimit (KIE: 20). */
  createLimit: positiveInt.optional(),
  /** absent: provider.createWindowMs (KIE: 10 s). */
  createWindowMs: positiveInt.optional(),
  /** Jobs this account may have running at KIE at once; absent: only the global cap applies. */
  maxRunning: positiveInt.optional(),
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
  /**
   * The KIE accounts tasks are spread over; each task is queried and called back on the account that created it.
   * Default: one account, `default`, with the caps above.
   */
  accounts: z
    .array(ProviderAccountSchema)
    .min(1)
    .default([{ id: 'default' }])
    .superRefine((accounts, ctx) => {
      const seen = new Set<string>();
      accounts.forEach((a, i) => {
        if (seen.has(a.id)) ctx.addIssue({ code: 'custom', message: `duplicate account "${a.id}"`, path: [i, 'id'] });
        seen.add(a.id);
      });
    }),
});

export const FleetConfigSchema = z.object({
  catalog: CatalogSchema,
  plans: z.array(PlanSchema).min(1),
  defaultPlan: z.string().min(1),
  provider: ProviderSchema,
  /** Largest batch accepted in one submission. */
  maxBatchRows: positiveInt,
});

export type ModelConfig = z.infer<typeof ModelSchema>;
export type ModeConfig = z.infer<typeof ModeSchema>;
export type InputMapping = z.infer<typeof InputMappingSchema>;
export type ProviderFamily = (typeof PROVIDER_FAMILIES)[number];
export type Catalog = z.infer<typeof CatalogSchema>;
export type PollingConfig = z.infer<typeof PollingSchema>;
export type RetryConfig = z.infer<typeof RetrySchema>;
export type DegradationConfig = z.infer<typeof DegradationSchema>;
export type PlanConfig = z.infer<typeof PlanSchema>;
export type ProviderConfig = z.infer<typeof ProviderSchema>;
export type ProviderAccountConfig = z.infer<typeof ProviderAccountSchema>;
export type FleetConfig = z.infer<typeof FleetConfigSchema>;
export type FleetConfigInput = z.input<typeof FleetConfigSchema>;
