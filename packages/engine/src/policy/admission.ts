/**
 * Weighted-capacity admission. A running task of class c uses 1/actual(c) of its user's capacity,
 * and the sum over the user's running tasks never exceeds 1. Mixed classes share one pool:
 * on pro, a 1080p task (1/2) and a 720p task (1/3) leave 1/6 free.
 */

/** Tolerance for float sums such as 1/3 + 1/3 + 1/3. */
const EPSILON = 1e-9;

export function classWeight(actualConcurrency: number): number {
  return 1 / actualConcurrency;
}

export function fitsCapacity(capacityUsed: number, weight: number): boolean {
  return capacityUsed + weight <= 1 + EPSILON;
}

/** Whether the global provider cap leaves room for one more running task. */
export function underProviderCap(running: number, maxRunning: number): boolean {
  return running < maxRunning;
}

/** A task that may be admitted, with the share of its user's capacity it would hold. */
export interface Candidate {
  taskId: string;
  weight: number;
}

/** A list the planner reads only as far as it needs (an array will do; hosts pass lazy ones for big queues). */
export interface Sequence<T> {
  at(index: number): T | undefined;
}

export interface PlannerBatch {
  batchId: string;
  paused: boolean;
  /** The batch's waiting tasks in admission order. */
  waiting: Sequence<Candidate>;
}

export interface PlannerUser {
  userId: string;
  capacityUsed: number;
  /** The user's batches in round-robin order, starting with the one to be served next. */
  batches: readonly PlannerBatch[];
}

/** What admission looks at: the limits in force and who waits. */
export interface AdmissionInput {
  /** Whether the provider takes createTask calls now (not throttled, not halted). */
  providerOpen: boolean;
  running: number;
  /** The global cap in force. */
  providerLimit: number;
  /** createTask calls the rate window allows right now. */
  createsFree: number;
  /** Admitted tasks waiting for a create slot, longest-waiting first. */
  slotWaiters: readonly string[];
  /** Users with queued work in round-robin order, starting with the one to be served next. */
  users: Sequence<PlannerUser>;
}

export type AdmissionStep =
  | { kind: 'grant'; taskId: string }
  | { kind: 'admit'; userId: string; batchId: string; taskId: string; weight: number };

/** How many tasks a plan could admit at most. */
export function admissionRoom(input: Pick<AdmissionInput, 'providerOpen' | 'running' | 'providerLimit' | 'createsFree'>): number {
  return input.providerOpen ? Math.max(0, Math.min(input.createsFree, input.providerLimit - input.running)) : 0;
}

/**
 * Visits positions `start, start+1, ...` to the end of `seq`, then `0 ... start-1` (one round from `start`) until
 * `visit` returns true; returns that position, or -1. Plain loops: the planner runs on every task event.
 */
function findInRound<T>(seq: Sequence<T>, start: number, visit: (item: T) => boolean): number {
  for (let i = start; ; i++) {
    const item = seq.at(i);
    if (item === undefined) break;
    if (visit(item)) return i;
  }
  for (let i = 0; i < start; i++) if (visit(seq.at(i)!)) return i;
  return -1;
}

/**
 * Plans admission, in the order the steps are to be carried out. Waiting tasks get create slots first, in
 * the order they asked; only when none is left waiting is a new task admitted, and each admitted task is
 * granted its slot right away (it asks as soon as it starts). Users take turns, and so do each user's
 * batches; inside a batch the seed's order holds (head-of-line: a heavy task is not overtaken by lighter
 * ones), so a user whose every batch head does not fit its capacity is passed over this round. The plan
 * reads users and waiting tasks only as far as it gets.
 */
export function planAdmission(input: AdmissionInput): AdmissionStep[] {
  const steps: AdmissionStep[] = [];
  if (!input.providerOpen) return steps;
  let creates = input.createsFree;
  let running = input.running;
  const granted = Math.min(creates, input.slotWaiters.length);
  for (let i = 0; i < granted; i++) steps.push({ kind: 'grant', taskId: input.slotWaiters[i]! });
  creates -= granted;
  if (granted < input.slotWaiters.length || creates <= 0 || !underProviderCap(running, input.providerLimit)) return steps;

  let nextUser = 0;
  const nextBatch = new Map<string, number>();
  const used = new Map<string, number>();
  const taken = new Map<string, number>();
  while (creates > 0 && underProviderCap(running, input.providerLimit)) {
    let servedBatch = -1;
    const servedUser = findInRound(input.users, nextUser, (user) => {
      const capacity = used.get(user.userId) ?? user.capacityUsed;
      servedBatch = findInRound(user.batches, nextBatch.get(user.userId) ?? 0, (batch) => {
        const next = taken.get(batch.batchId) ?? 0;
        const head = batch.waiting.at(next);
        if (batch.paused || !head || !fitsCapacity(capacity, head.weight)) return false;
        taken.set(batch.batchId, next + 1);
        used.set(user.userId, capacity + head.weight);
        running++;
        creates--;
        steps.push({ kind: 'admit', userId: user.userId, batchId: batch.batchId, taskId: head.taskId, weight: head.weight });
        steps.push({ kind: 'grant', taskId: head.taskId });
        return true;
      });
      // The served batch and user go last in their rounds.
      if (servedBatch >= 0) nextBatch.set(user.userId, servedBatch + 1);
      return servedBatch >= 0;
    });
    if (servedUser < 0) break;
    nextUser = servedUser + 1;
  }
  return steps;
}
