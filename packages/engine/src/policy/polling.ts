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
  /** With callbacks: the chance that this job's callback is lost (learned; 1 for a job resumed after a restart). Default 0. */
  callbackLossRate?: number;
}

/** The seed's staged schedule: the interval of the stage that `elapsedMs` falls in. */
export function stagedIntervalMs(config: PollingConfig, resolution: string, elapsedMs: number): number {
  const stages = config.staged[resolution] ?? Object.values(config.staged)[0]!;
  const stage = stages.find((s) => s.untilMs === null || elapsedMs < s.untilMs) ?? stages[stages.length - 1]!;
  return stage.intervalMs;
}

/** Memoised polling clocks, by target delay, then mean and spread (in 100 ms steps): numbers, no key strings. */
const clocks = new Map<number, Map<number, PollingClock>>();
let clockCount = 0;
/** Spread steps per mean step in the inner key: a spread above this many 100 ms steps (about 77 days) is capped. */
const SPREAD_STEPS = 2 ** 26;

/**
 * Polling clocks are memoised: an estimate changes once per finished task, a poll happens far more often. A clock
 * is built from the estimate rounded to the key's 100 ms steps, not from whichever exact estimate came first, so a
 * schedule depends only on its inputs, never on what ran before in the process (the memo is a pure cache).
 */
function clockFor(expected: Expectation, targetDelayMs: number): PollingClock {
  // At least one step each: a zero mean or spread has no log-normal.
  const meanSteps = Math.max(1, Math.round(expected.meanMs / 100));
  const sdSteps = Math.max(1, Math.min(SPREAD_STEPS - 1, Math.round(expected.sdMs / 100)));
  const key = meanSteps * SPREAD_STEPS + sdSteps;
  let byTarget = clocks.get(targetDelayMs);
  let clock = byTarget?.get(key);
  if (!clock) {
    if (clockCount >= 1024) {
      clocks.clear();
      clockCount = 0;
      byTarget = undefined;
    }
    if (!byTarget) clocks.set(targetDelayMs, (byTarget = new Map()));
    clock = pollingClock({ meanMs: meanSteps * 100, sdMs: sdSteps * 100 }, targetDelayMs);
    byTarget.set(key, clock);
    clockCount++;
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
  // Loops, not find/min over closures: this runs on every poll of every task.
  for (const at of a.earlyChecksMs) if (at > input.elapsedMs) return clampInterval(a, at - input.elapsedMs);
  let target = a.targetDelayMs[input.resolution];
  if (target === undefined) {
    target = Infinity;
    for (const key in a.targetDelayMs) target = Math.min(target, a.targetDelayMs[key]!);
  }
  return clampInterval(a, nextPollOnClock(clockFor(input.expected, target), input.elapsedMs));
}

function clampInterval(a: PollingConfig['adaptive'], ms: number): number {
  return Math.min(a.maxIntervalMs, Math.max(a.minIntervalMs, ms));
}

/** With callbacks, a poll only catches a lost callback: the optimal schedule for a much larger delay. */
export function backstopDelayMs(config: PollingConfig, input: PollInput): number {
  const b = config.callbackBackstop;
  const target = Math.max(b.minTargetDelayMs, b.sdFactor * input.expected.sdMs);
  const delay = nextPollOnClock(clockFor(input.expected, target), input.elapsedMs);
  return Math.min(b.maxIntervalMs, Math.max(config.adaptive.minIntervalMs, delay));
}

/** Delay from now to the next status poll, in whole milliseconds (timers and clocks stay integral). */
export function nextPollDelayMs(config: PollingConfig, input: PollInput): number {
  return Math.ceil(rawPollDelayMs(config, input));
}

function rawPollDelayMs(config: PollingConfig, input: PollInput): number {
  // Callbacks replace polling only while they are known to arrive: when they get lost (or a job was resumed
  // after a restart and not heard from since), jobs poll on the normal schedule, so a callback can only make
  // a job noticed sooner and ClipFleet with lost callbacks is never slower than polling alone.
  if (input.callbacks && (input.callbackLossRate ?? 0) <= config.callbackBackstop.maxLossRate) return backstopDelayMs(config, input);
  switch (config.strategy) {
    case 'fixed':
      return config.fixedIntervalMs;
    case 'staged':
      return stagedIntervalMs(config, input.resolution, input.elapsedMs);
    case 'adaptive':
      return adaptiveDelayMs(config, input);
  }
}
