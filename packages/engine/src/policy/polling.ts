import type { PollingConfig } from '../config/schema.ts';
import { nextPollOnClock, pollingClock, type PollingClock } from './completionModel.ts';

/** What the engine expects of a class's generation time (learned or prior). */
export interface Expectation {
  meanMs: number;
  sdMs: number;
}

export interface PollInput {
  /** Time since the current attempt was accepted by the provider. */
  elapsedMs: number;
  resolution: string;
  expected: Expectation;
  /** Callbacks are wired: polling only backs them up. */
  callbacks: boolean;
  /** With callbacks: the chance that this job's callback is lost (learned; 1 = poll as if there were none). Default 0. */
  callbackLossRate?: number;
}

/** The seed's staged schedule: the interval of the stage that `elapsedMs` falls in. */
export function stagedIntervalMs(config: PollingConfig, resolution: string, elapsedMs: number): number {
  const stages = config.staged[resolution] ?? Object.values(config.staged)[0]!;
  const stage = stages.find((s) => s.untilMs === null || elapsedMs < s.untilMs) ?? stages[stages.length - 1]!;
  return stage.intervalMs;
}

const clocks = new Map<string, PollingClock>();

/** Polling clocks are memoised: an estimate changes once per finished task, a poll happens far more often. */
function clockFor(expected: Expectation, targetDelayMs: number): PollingClock {
  const key = `${Math.round(expected.meanMs / 100)}|${Math.round(expected.sdMs / 100)}|${targetDelayMs}`;
  let clock = clocks.get(key);
  if (!clock) {
    if (clocks.size >= 1024) clocks.clear();
    clock = pollingClock(expected, targetDelayMs);
    clocks.set(key, clock);
  }
  return clock;
}

/**
 * ClipFleet's schedule: a couple of early checks (fast refusals), then the fewest polls that keep the mean
 * detection delay at the target, given the class's learned completion-time distribution: sparse
 * while a finish is unlikely, dense where it is likely (policy/completionModel.ts derives it).
 */
export function adaptiveDelayMs(config: PollingConfig, input: PollInput): number {
  const a = config.adaptive;
  const clamp = (ms: number) => Math.min(a.maxIntervalMs, Math.max(a.minIntervalMs, ms));
  const early = a.earlyChecksMs.find((at) => at > input.elapsedMs);
  if (early !== undefined) return clamp(early - input.elapsedMs);
  return clamp(nextPollOnClock(clockFor(input.expected, adaptiveTargetMs(config, input.resolution)), input.elapsedMs));
}

function adaptiveTargetMs(config: PollingConfig, resolution: string): number {
  const targets = config.adaptive.targetDelayMs;
  return targets[resolution] ?? Math.min(...Object.values(targets));
}

/**
 * The mean detection delay the backstop aims at. Alone it would be max(minTargetDelayMs, sdFactor x spread):
 * almost every callback comes before the first poll. When callbacks get lost (rate p), a job is noticed after
 * the callback's lag L with chance 1 - p and after the backstop's delay B otherwise; keeping the mean
 * (1 - p) L + p B at most polling alone's target D means B <= (D - (1 - p) L) / p. So ClipFleet with lost
 * callbacks is never slower than polling alone, and still polls far less while losses are rare.
 */
export function backstopTargetMs(config: PollingConfig, input: PollInput): number {
  const b = config.callbackBackstop;
  const relaxed = Math.max(b.minTargetDelayMs, b.sdFactor * input.expected.sdMs);
  const loss = input.callbackLossRate ?? 0;
  if (loss <= 0) return relaxed;
  const alone = adaptiveTargetMs(config, input.resolution);
  const required = (alone - (1 - loss) * b.callbackLagMs) / loss;
  // Never denser than polling alone: a callback that comes first only makes a job noticed sooner.
  return Math.min(relaxed, Math.max(alone, required));
}

/** With callbacks, a poll only catches a lost callback: the optimal schedule for a larger delay. */
export function backstopDelayMs(config: PollingConfig, input: PollInput): number {
  const b = config.callbackBackstop;
  const delay = nextPollOnClock(clockFor(input.expected, backstopTargetMs(config, input)), input.elapsedMs);
  return Math.min(b.maxIntervalMs, Math.max(config.adaptive.minIntervalMs, delay));
}

/** Delay from now to the next status poll, in whole milliseconds (timers and clocks stay integral). */
export function nextPollDelayMs(config: PollingConfig, input: PollInput): number {
  return Math.ceil(rawPollDelayMs(config, input));
}

function rawPollDelayMs(config: PollingConfig, input: PollInput): number {
  // A job whose callback is surely lost (resumed after a restart, not heard from since) polls as without callbacks.
  if (input.callbacks && (input.callbackLossRate ?? 0) < 1) return backstopDelayMs(config, input);
  switch (config.strategy) {
    case 'fixed':
      return config.fixedIntervalMs;
    case 'staged':
      return stagedIntervalMs(config, input.resolution, input.elapsedMs);
    case 'adaptive':
      return adaptiveDelayMs(config, input);
  }
}
