import type { PollingConfig } from '../config/schema.ts';

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
}

/** The seed's staged schedule: the interval of the stage that `elapsedMs` falls in. */
export function stagedIntervalMs(config: PollingConfig, resolution: string, elapsedMs: number): number {
  const stages = config.staged[resolution] ?? Object.values(config.staged)[0]!;
  const stage = stages.find((s) => s.untilMs === null || elapsedMs < s.untilMs) ?? stages[stages.length - 1]!;
  return stage.intervalMs;
}

/**
 * ClipFleet's schedule. A video cannot be ready long before its class usually is, so polling
 * before then only burns calls: one early check (fast refusals), then a jump to the start of the
 * likely completion window (mean - leadSigmas x sd), dense polls inside it, and a slowly widening
 * interval for the long tail.
 */
export function adaptiveDelayMs(config: PollingConfig, input: PollInput): number {
  const a = config.adaptive;
  const { elapsedMs, expected } = input;
  const clamp = (ms: number) => Math.min(a.maxIntervalMs, Math.max(a.minIntervalMs, ms));
  const tail = a.tailIntervalMs[input.resolution] ?? a.minIntervalMs;
  const windowStart = Math.max(a.earlyCheckMs, expected.meanMs - a.leadSigmas * expected.sdMs);
  if (elapsedMs < a.earlyCheckMs) return clamp(a.earlyCheckMs - elapsedMs);
  if (elapsedMs < windowStart) return clamp(windowStart - elapsedMs);
  const windowEnd = expected.meanMs + a.leadSigmas * expected.sdMs;
  if (elapsedMs <= windowEnd) return clamp(tail);
  // Past the window the task is in the tail: widen gradually (x2 after one more mean).
  return clamp(tail * (1 + (elapsedMs - windowEnd) / expected.meanMs));
}

/** With callbacks, a poll only catches a lost callback: first well after the expected time, then rarely. */
export function backstopDelayMs(config: PollingConfig, input: PollInput): number {
  const b = config.callbackBackstop;
  const first = Math.max(b.minFirstMs, b.expectedFactor * input.expected.meanMs);
  return input.elapsedMs < first ? first - input.elapsedMs : b.intervalMs;
}

/** Delay from now to the next status poll, in whole milliseconds (timers and clocks stay integral). */
export function nextPollDelayMs(config: PollingConfig, input: PollInput): number {
  return Math.ceil(rawPollDelayMs(config, input));
}

function rawPollDelayMs(config: PollingConfig, input: PollInput): number {
  if (input.callbacks) return backstopDelayMs(config, input);
  switch (config.strategy) {
    case 'fixed':
      return config.fixedIntervalMs;
    case 'staged':
      return stagedIntervalMs(config, input.resolution, input.elapsedMs);
    case 'adaptive':
      return adaptiveDelayMs(config, input);
  }
}
