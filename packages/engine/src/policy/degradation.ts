import type { DegradationConfig } from '../config/schema.ts';

/**
 * Per-user concurrency control, AIMD style. The seed's rule is the multiplicative decrease: failure
 * rate above the threshold over a recent window -> level x0.6 (rounded), never below 1. The seed
 * never came back up; ClipFleet adds the additive increase: every `recoverAfterSuccesses`
 * consecutive successes earn `recoverStep` back, up to the plan's concurrency.
 */
export interface DegradationState {
  level: number;
  /** Recent attempt outcomes, oldest first: true = failure. */
  window: boolean[];
  successStreak: number;
}

export interface LevelChange {
  from: number;
  to: number;
  reason: 'degraded' | 'recovered';
}

export function initialDegradation(planConcurrency: number): DegradationState {
  return { level: planConcurrency, window: [], successStreak: 0 };
}

export function failureRate(window: readonly boolean[]): number {
  return window.length === 0 ? 0 : window.filter(Boolean).length / window.length;
}

/** Folds one attempt outcome into the state; returns the new state and the level change, if any. */
export function recordOutcome(
  state: DegradationState,
  failed: boolean,
  planConcurrency: number,
  config: DegradationConfig,
): { state: DegradationState; change?: LevelChange } {
  const window = [...state.window, failed].slice(-config.windowSize);
  if (failed) {
    const degrade =
      window.length >= config.minSamples && failureRate(window) > config.failureRateThreshold && state.level > 1;
    if (!degrade) return { state: { level: state.level, window, successStreak: 0 } };
    // At least one step down: with a factor above 0.75, round(2 x factor) would be 2 again.
    const to = Math.max(1, Math.min(state.level - 1, Math.round(state.level * config.decreaseFactor)));
    // A fresh window after a change: the new level is judged on its own outcomes.
    return { state: { level: to, window: [], successStreak: 0 }, change: { from: state.level, to, reason: 'degraded' } };
  }
  const successStreak = state.successStreak + 1;
  if (state.level < planConcurrency && successStreak >= config.recoverAfterSuccesses) {
    const to = Math.min(planConcurrency, state.level + config.recoverStep);
    return { state: { level: to, window, successStreak: 0 }, change: { from: state.level, to, reason: 'recovered' } };
  }
  return { state: { level: state.level, window, successStreak } };
}

/** A plan change: an undegraded user follows the new plan; a degraded one keeps its level, capped by it. */
export function rebaseLevel(state: DegradationState, oldPlan: number, newPlan: number): DegradationState {
  const level = state.level >= oldPlan ? newPlan : Math.min(state.level, newPlan);
  return { ...state, level };
}
