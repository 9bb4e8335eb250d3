import { z } from 'zod';

/**
 * Fault profiles, combinable: every part is independent and `none` is all parts off. Rates are
 * probabilities per call (create/query) or per generation. Times are virtual ms since the simulator started.
 */
export interface FaultProfile {
  /** Transient HTTP-200-with-code-500 on create and query calls; retryable 501 generation failures. */
  flaky: { createErrorRate: number; queryErrorRate: number; generationFailureRate: number };
  /** Content-policy refusals: 501 with a failMsg naming the safety system. Decided per prompt, so retries fail again. */
  policy: { rate: number };
  /**
   * Overload: periodic 429 bursts (a share of creates and queries rejected), and generation slowing down,
   * and failing more often, when more than `slowdownAbove` tasks run at KIE at once.
   */
  overload: {
    burstEveryMs: number;
    burstLengthMs: number;
    burstRejectRate: number;
    slowdownAbove: number;
    /** Extra generation time per task above the threshold, as a fraction (0.02 = +2 % each). */
    slowdownPerTask: number;
    /** Extra 501 ("server busy") probability per task above the threshold, capped at maxFailureRate. */
    failurePerTask: number;
    maxFailureRate: number;
  } | null;
  /** Maintenance: every create and query answers 455 inside the window. */
  outage: { startMs: number; durationMs: number } | null;
  /** Share of callbacks never delivered. */
  lostCallbacks: { rate: number };
  /** The account's key stops working at this time: 401 from then on. */
  auth: { revokeAtMs: number } | null;
}

export const FAULT_NAMES = ['none', 'flaky', 'policy', 'overload', 'outage', 'lost-callbacks', 'auth'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export const NO_FAULTS: FaultProfile = {
  flaky: { createErrorRate: 0, queryErrorRate: 0, generationFailureRate: 0 },
  policy: { rate: 0 },
  overload: null,
  outage: null,
  lostCallbacks: { rate: 0 },
  auth: null,
};

const min = 60_000;

/**
 * The preset behind each name. `flaky` takes an optional percentage (`flaky:20`), default 10 %:
 * that share of create calls and of query calls get a transient 500, and that share of generations fail
 * with a retryable 501. `policy:5` refuses 5 % of prompts.
 */
function preset(name: FaultName, percent: number | undefined): Partial<FaultProfile> {
  const p = (fallback: number) => (percent ?? fallback) / 100;
  switch (name) {
    case 'none':
      return {};
    case 'flaky':
      return { flaky: { createErrorRate: p(10), queryErrorRate: p(10), generationFailureRate: p(10) } };
    case 'policy':
      return { policy: { rate: p(5) } };
    case 'overload':
      return {
        overload: {
          burstEveryMs: 10 * min,
          burstLengthMs: 60_000,
          burstRejectRate: p(50),
          slowdownAbove: 40,
          slowdownPerTask: 0.02,
          failurePerTask: 0.01,
          maxFailureRate: 0.6,
        },
      };
    case 'outage':
      return { outage: { startMs: 5 * min, durationMs: 10 * min } };
    case 'lost-callbacks':
      return { lostCallbacks: { rate: p(30) } };
    case 'auth':
      return { auth: { revokeAtMs: 10 * min } };
  }
}

const rate = z.number().min(0).max(1);
const nonneg = z.number().nonnegative();
const FaultObjectSchema = z
  .object({
    flaky: z.object({ createErrorRate: rate, queryErrorRate: rate, generationFailureRate: rate }).partial(),
    policy: z.object({ rate }),
    overload: z
      .object({
        burstEveryMs: z.number().positive(),
        burstLengthMs: nonneg,
        burstRejectRate: rate,
        slowdownAbove: nonneg,
        slowdownPerTask: nonneg,
        failurePerTask: nonneg,
        maxFailureRate: rate,
      })
      .partial()
      .nullable(),
    outage: z.object({ startMs: nonneg, durationMs: nonneg }).nullable(),
    lostCallbacks: z.object({ rate }),
    auth: z.object({ revokeAtMs: nonneg }).nullable(),
  })
  .partial()
  .strict();

/** A fault profile: a name (`"flaky"`, `"flaky:20"`), a comma list or array of names, or an explicit object. */
export type FaultSpec = string | string[] | z.input<typeof FaultObjectSchema> | FaultProfile;

/** Turns any accepted spec into a full profile; throws naming the bad part. */
export function parseFaults(spec: FaultSpec | undefined): FaultProfile {
  if (spec === undefined) return NO_FAULTS;
  if (typeof spec === 'string' || Array.isArray(spec)) {
    const parts = (Array.isArray(spec) ? spec : spec.split(','))
      .map((x) => x.trim())
      .filter(Boolean);
    let profile = NO_FAULTS;
    for (const part of parts) {
      const [name, pct] = part.split(':');
      if (!(FAULT_NAMES as readonly string[]).includes(name ?? '')) {
        throw new Error(`unknown fault profile "${name}" (known: ${FAULT_NAMES.join(', ')})`);
      }
      const percent = pct === undefined ? undefined : Number(pct);
      if (percent !== undefined && !(percent >= 0 && percent <= 100)) throw new Error(`bad percentage in fault profile "${part}"`);
      profile = combineFaults(profile, preset(name as FaultName, percent));
    }
    return profile;
  }
  const parsed = FaultObjectSchema.safeParse(spec);
  if (!parsed.success) throw new Error(`invalid fault profile: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const o = parsed.data;
  const base = preset('overload', undefined).overload!;
  return combineFaults(NO_FAULTS, {
    ...(o.flaky ? { flaky: { ...NO_FAULTS.flaky, ...o.flaky } } : {}),
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.overload !== undefined ? { overload: o.overload === null ? null : { ...base, ...o.overload } } : {}),
    ...(o.outage !== undefined ? { outage: o.outage } : {}),
    ...(o.lostCallbacks ? { lostCallbacks: o.lostCallbacks } : {}),
    ...(o.auth !== undefined ? { auth: o.auth } : {}),
  });
}

/** Later parts override earlier ones field by field (so `flaky,policy` has both). */
export function combineFaults(base: FaultProfile, extra: Partial<FaultProfile>): FaultProfile {
  return {
    flaky: extra.flaky ?? base.flaky,
    policy: extra.policy ?? base.policy,
    overload: extra.overload !== undefined ? extra.overload : base.overload,
    outage: extra.outage !== undefined ? extra.outage : base.outage,
    lostCallbacks: extra.lostCallbacks ?? base.lostCallbacks,
    auth: extra.auth !== undefined ? extra.auth : base.auth,
  };
}

/** Whether the failMsg of a policy refusal; the engine detects refusals by words like these. */
export const POLICY_FAIL_MSG = 'Content policy violation: the prompt was flagged by the safety system (nsfw/copyright)';
export const GENERATION_FAIL_MSG = 'Generation failed: internal error, please try again';
export const BUSY_FAIL_MSG = 'Generation failed: server busy, please try again later';
