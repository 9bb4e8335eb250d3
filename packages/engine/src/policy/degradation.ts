import type { DegradationConfig } from '../config/schema.ts';

/**
 * Concurrency control, AIMD style, for a user (and, with its own config, for the global cap).
 * The seed's rule is the multiplicative decrease: failure rate above the threshold over a recent
 * window -> level x0.6 (rounded, at least one step down), never below 1. The seed never came back
 * up; ClipFleet adds the additive increase "after a healthy window": once `recoverWindow` outcomes
 * since the last change fail at most `recoverBelowRate` of the time, +`recoverStep` up to the plan.
 * Judging a window, not a streak, matters: at a steady 15-20 % background of transient errors a
 * streak of 10 successes is rare, and a user would stay degraded for good.
 */
export interface DegradationState {
  level: number;
  /** Attempt outcomes since the last level change (the newest `windowSize`), oldest first: true = failure. */
  window: boolean[];
}

export interface LevelChange {
  from: number;
  to: number;
  reason: 'degraded' | 'recovered';
}

export function initialDegradation(planConcurrency: number): DegradationState {
  return { level: planConcurrency, window: [] };
}

export function failureRate(window: readonly boolean[]): number {
  return tailFailureRate(window, window.length);
}

/** The failure rate of the last `n` outcomes of `window` (all of them when it holds fewer); loops, no copies. */
function tailFailureRate(window: readonly boolean[], n: number): number {
  const from = Math.max(0, window.length - n);
  if (from === window.length) return 0;
  let failures = 0;
  for (let i = from; i < window.length; i++) if (window[i]) failures++;
  return failures / (window.length - from);
}

/** Folds one attempt outcome into the state; returns the new state and the level change, if any. */
export function recordOutcome(
  state: DegradationState,
  failed: boolean,
  planConcurrency: number,
  config: DegradationConfig,
): { state: DegradationState; change?: LevelChange } {
  // The newest windowSize outcomes, this one last (one new array per outcome: this runs on every task's end).
  const window = state.window.slice(Math.max(0, state.window.length - (config.windowSize - 1)));
  window.push(failed);
  const rate = failureRate(window);
  if (failed && state.level > 1 && window.length >= config.minSamples && rate > config.failureRateThreshold) {
    // At least one step down: with a factor above 0.75, round(2 x factor) would be 2 again.
    const to = Math.max(1, Math.min(state.level - 1, Math.round(state.level * config.decreaseFactor)));
    // A fresh window after a change: the new level is judged on its own outcomes.
    return { state: { level: to, window: [] }, change: { from: state.level, to, reason: 'degraded' } };
  }
  const healthy = window.length >= config.recoverWindow && tailFailureRate(window, config.recoverWindow) <= config.recoverBelowRate;
  if (config.recoverStep > 0 && state.level < planConcurrency && healthy) {
    const to = Math.min(planConcurrency, state.level + config.recoverStep);
    return { state: { level: to, window: [] }, change: { from: state.level, to, reason: 'recovered' } };
  }
  return { state: { level: state.level, window } };
}

/** A plan change: an undegraded user follows the new plan; a degraded one keeps its level, capped by it. */
export function rebaseLevel(state: DegradationState, oldPlan: number, newPlan: number): DegradationState {
  const level = state.level >= oldPlan ? newPlan : Math.min(state.level, newPlan);
  return { ...state, level };
}
