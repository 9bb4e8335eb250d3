import type { Rng } from '../rng.ts';
import { assumedMedianMs } from './modelTimes.ts';

/** What decides how long KIE takes: the model, the output resolution and the clip length. */
export interface JobClass {
  /** The catalog model id (`sora-2-pro`, `kling-2.6`, ...). */
  model: string;
  resolution: string;
  durationSec: number;
}

/** A distribution of create-to-finish times (ms) for one job class. */
export interface LatencyDistribution {
  medianMs: number;
  /** Shape of the log-normal around the median (0.02 = about +-2 %). */
  sigma: number;
  /** Probability of an outlier, and the range of its multiplier (a long tail). */
  outlierRate: number;
  outlierFactor: [number, number];
}

export interface LatencyProfile {
  name: string;
  /** Sources and assumptions, printed in the README. */
  description: string;
  distribution(job: JobClass): LatencyDistribution;
}

const s = 1000;

/**
 * `seed`: the job times implied by the seed's own performance table (seed-facts.md section 3):
 * 42 min x 3 / 100 = 75.6 s per 720p job, 252 min x 2 / 100 = 302 s per 1080p job (15 s clips).
 * Those are times as the seed's system saw them, i.e. generation plus its own polling delay (its staged
 * schedule notices a finish ~3.8 s late at 720p, ~5.6 s at 1080p, measured by the benchmark): the
 * generation medians are therefore 72 s and 297 s. The seed gives no 10 s figure: assumption, 10 s clips
 * take 80 % of the 15 s time. Small spread (sigma 3 %); the model does not matter (the table is by resolution).
 * KIE's live models take their assumed medians (modelTimes.ts) with the same small spread.
 */
export const seedLatency: LatencyProfile = {
  name: 'seed',
  description:
    'Calibrated to the seed table: jobs seen in ~75 s (720p) and ~302 s (1080p) = generation medians 72 s and 297 s plus the seed polling delay; 15 s clips (10 s clips: 80 %, an assumption); log-normal sigma 0.03; no outliers. Live models: the assumed medians of modelTimes.ts (no source documents them), sigma 0.03.',
  distribution(job) {
    const assumed = assumedMedianMs(job.model, job.resolution, job.durationSec);
    if (assumed !== undefined) return { medianMs: assumed, sigma: 0.03, outlierRate: 0, outlierFactor: [1, 1] };
    const base = job.resolution === '1080p' ? 297 * s : 72 * s;
    const medianMs = job.durationSec <= 10 ? base * 0.8 : base;
    return { medianMs, sigma: 0.03, outlierRate: 0, outlierFactor: [1, 1] };
  },
};

/**
 * `field`: public, unofficial observations (kie-api.md "Observed generation times"):
 * sora-2 10 s: 130-145 s measured, "2-3 minutes consistently" -> median 137 s, sigma 0.04;
 * Pro 720p: "a few minutes" -> 10 s median 3 min, 15 s median 4 min, sigma 0.2, 2 % outliers x1.5-2.5;
 * Pro 1080p: "5-15 min, outliers far longer" -> 10 s median 7 min, 15 s median 9 min, sigma 0.3,
 * 4 % outliers x1.5-3 (some exceed the 15 min timeout, as in the field).
 * 15 s clips are slower than 10 s ones (sora-2 15 s: median 178 s, assumption x1.3).
 * Live models: their assumed medians (modelTimes.ts) with a field-like spread (sigma 0.25, 3 % outliers x1.5-2.5).
 */
export const fieldLatency: LatencyProfile = {
  name: 'field',
  description:
    'Public observations: sora-2 10 s ~137 s (130-145 s), 15 s ~178 s; Pro 720p 3-4 min (sigma 0.2, 2 % outliers); Pro 1080p 7-9 min median with a long tail (sigma 0.3, 4 % outliers x1.5-3). Live models: the assumed medians of modelTimes.ts, sigma 0.25, 3 % outliers x1.5-2.5.',
  distribution(job) {
    const assumed = assumedMedianMs(job.model, job.resolution, job.durationSec);
    if (assumed !== undefined) return { medianMs: assumed, sigma: 0.25, outlierRate: 0.03, outlierFactor: [1.5, 2.5] };
    const long = job.durationSec > 10;
    if (job.model !== 'sora-2-pro') {
      return { medianMs: (long ? 178 : 137) * s, sigma: long ? 0.06 : 0.04, outlierRate: 0.005, outlierFactor: [1.3, 1.8] };
    }
    if (job.resolution === '720p') {
      return { medianMs: (long ? 240 : 180) * s, sigma: 0.2, outlierRate: 0.02, outlierFactor: [1.5, 2.5] };
    }
    return { medianMs: (long ? 540 : 420) * s, sigma: 0.3, outlierRate: 0.04, outlierFactor: [1.5, 3] };
  },
};

export const LATENCY_PROFILES = { seed: seedLatency, field: fieldLatency } as const;
export type LatencyProfileName = keyof typeof LATENCY_PROFILES;

export function resolveLatency(profile: LatencyProfileName | LatencyProfile | undefined): LatencyProfile {
  if (profile === undefined) return seedLatency;
  if (typeof profile === 'string') {
    const found = LATENCY_PROFILES[profile];
    if (!found) throw new Error(`unknown latency profile "${profile}" (known: ${Object.keys(LATENCY_PROFILES).join(', ')})`);
    return found;
  }
  return profile;
}

/** One create-to-finish time in ms, drawn from the task's own stream. */
export function sampleLatencyMs(profile: LatencyProfile, job: JobClass, rng: Rng): number {
  const d = profile.distribution(job);
  let ms = rng.logNormal(d.medianMs, d.sigma);
  if (rng.chance(d.outlierRate)) ms *= rng.between(d.outlierFactor[0], d.outlierFactor[1]);
  return Math.round(ms);
}
