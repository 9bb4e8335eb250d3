import { BUSY_FAIL_MSG, GENERATION_FAIL_MSG, POLICY_FAIL_MSG, type FaultProfile } from './profiles/faults.ts';
import { sampleLatencyMs, type JobClass, type LatencyProfile } from './profiles/latency.ts';
import { streamFor } from './rng.ts';
import type { JobOutcome, SimJob } from './jobs.ts';
import type { KieState } from './wire.ts';

/** A job's life at KIE, drawn once at create time: its state is then a pure function of the clock. */
export interface Timeline {
  visibleAt: number;
  queuedAt: number;
  generatingAt: number;
  completeAt: number;
  /** When generation would have finished had it not failed: progress of a failed job is frozen relative to it. */
  plannedCompleteAt: number;
  outcome: JobOutcome;
}

/** What a timeline is drawn from, besides the job itself. */
export interface TimelineRules {
  seed: number;
  latency: LatencyProfile;
  faults: FaultProfile;
  /** How long after create the record is still "recordInfo is null": uniform in this range (ms). */
  recordGraceMs: [number, number];
}

/** Outcomes shared by every job that ends so (a job record points at one). */
const SUCCESS: JobOutcome = { kind: 'success' };
const FAILED: Record<string, JobOutcome> = Object.fromEntries(
  [POLICY_FAIL_MSG, GENERATION_FAIL_MSG, BUSY_FAIL_MSG].map((failMsg) => [failMsg, { kind: 'fail', failCode: '501', failMsg }]),
);

/**
 * Draws a job's whole timeline and fate from its own streams, keyed by the attempt (`key`) and, for policy
 * refusals, by the content: the same attempt gets the same life whatever the order of calls around it.
 * `runningBefore` is how many jobs run at KIE just before this one starts (the overload model slows them down).
 */
export function drawTimeline(rules: TimelineRules, key: string, contentKey: string, job: JobClass, now: number, runningBefore: number): Timeline {
  const { seed, faults } = rules;
  const rng = streamFor(seed, 'task/', key);
  const visibleAt = now + Math.round(rng.between(rules.recordGraceMs[0], rules.recordGraceMs[1]));
  const queuedAt = visibleAt + Math.round(rng.between(1_000, 3_000));
  let total = sampleLatencyMs(rules.latency, job, streamFor(seed, 'latency/', key));
  const overload = faults.overload;
  const excess = overload ? Math.max(0, runningBefore + 1 - overload.slowdownAbove) : 0;
  if (overload) total = Math.round(total * (1 + overload.slowdownPerTask * excess));
  const generatingAt = Math.min(queuedAt + Math.round(rng.between(2_000, 8_000)), now + Math.round(total * 0.5));
  const plannedCompleteAt = Math.max(generatingAt + 1_000, now + total);
  let completeAt = plannedCompleteAt;
  let outcome = SUCCESS;
  const { policy, flaky } = faults;
  // Streams are built only when a fate can be drawn from them (draws are the same either way).
  const fate = policy.rate > 0 || flaky.generationFailureRate > 0 || overload ? streamFor(seed, 'fate/', key) : undefined;
  if (fate && policy.rate > 0 && streamFor(seed, 'policy/', contentKey).chance(policy.rate)) {
    // Refusals come early: the safety check runs before (or at the start of) generation.
    outcome = FAILED[POLICY_FAIL_MSG]!;
    completeAt = generatingAt + Math.round(fate.between(5_000, 20_000));
  } else if (fate?.chance(flaky.generationFailureRate)) {
    outcome = FAILED[GENERATION_FAIL_MSG]!;
    completeAt = generatingAt + Math.round(fate.between(0.2, 1) * (completeAt - generatingAt));
  } else if (overload && fate?.chance(Math.min(overload.maxFailureRate, overload.failurePerTask * excess))) {
    outcome = FAILED[BUSY_FAIL_MSG]!;
    completeAt = generatingAt + Math.round(fate.between(0.3, 1) * (completeAt - generatingAt));
  }
  return { visibleAt, queuedAt, generatingAt, completeAt, plannedCompleteAt, outcome };
}

/**
 * Ends a job that is still running with a generation failure now (a forced 501). Returns whether it changed:
 * its completion moved, so whatever orders jobs by it must be reordered.
 */
export function failNow(job: SimJob, now: number, failMsg: string): boolean {
  const state = stateAt(job, now);
  if (state === 'success' || state === 'fail') return false;
  job.outcome = { kind: 'fail', failCode: '501', failMsg };
  job.completeAt = Math.max(now, job.visibleAt);
  job.generatingAt = Math.min(job.generatingAt, job.completeAt);
  job.queuedAt = Math.min(job.queuedAt, job.generatingAt);
  return true;
}

/** The state of a job at time `at`: a pure function of its timeline. */
export function stateAt(job: SimJob, at: number): KieState {
  if (at >= job.completeAt) return job.outcome.kind === 'success' ? 'success' : 'fail';
  if (at >= job.generatingAt) return 'generating';
  if (at >= job.queuedAt) return 'queuing';
  return 'waiting';
}

/** Generation progress (0-99) at `t`: a failed job's stays where it stopped. */
export function progressAt(job: SimJob, t: number): number {
  return Math.max(0, Math.min(99, Math.floor((100 * (t - job.generatingAt)) / Math.max(1, job.plannedCompleteAt - job.generatingAt))));
}
