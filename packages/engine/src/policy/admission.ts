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

export interface PlannerBatch {
  batchId: string;
  paused: boolean;
  /** The batch's next waiting tasks in admission order (the plan never needs more than it may admit). */
  waiting: readonly Candidate[];
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
  users: readonly PlannerUser[];
}

export type AdmissionStep =
  | { kind: 'grant'; taskId: string }
  | { kind: 'admit'; userId: string; batchId: string; taskId: string; weight: number };

/** How many tasks a plan could admit at most: a caller need not list more waiting tasks per batch. */
export function admissionRoom(input: Pick<AdmissionInput, 'providerOpen' | 'running' | 'providerLimit' | 'createsFree'>): number {
  return input.providerOpen ? Math.max(0, Math.min(input.createsFree, input.providerLimit - input.running)) : 0;
}

/**
 * Plans admission, in the order the steps are to be carried out. Waiting tasks get create slots first, in
 * the order they asked; only when none is left waiting is a new task admitted, and each admitted task is
 * granted its slot right away (it asks as soon as it starts). Users take turns, and so do each user's
 * batches; inside a batch the seed's order holds (head-of-line: a heavy task is not overtaken by lighter
 * ones), so a user whose every batch head does not fit its capacity is passed over this round.
 */
export function planAdmission(input: AdmissionInput): AdmissionStep[] {
  const steps: AdmissionStep[] = [];
  if (!input.providerOpen) return steps;
  let creates = input.createsFree;
  let running = input.running;
  const granted = Math.min(creates, input.slotWaiters.length);
  for (const taskId of input.slotWaiters.slice(0, granted)) steps.push({ kind: 'grant', taskId });
  creates -= granted;
  if (granted < input.slotWaiters.length) return steps;

  const users = input.users.map((u) => ({ ...u, batches: u.batches.map((b) => ({ ...b, next: 0 })) }));
  const used = new Map(users.map((u) => [u.userId, u.capacityUsed]));
  while (creates > 0 && underProviderCap(running, input.providerLimit)) {
    let admitted = false;
    for (let i = 0; i < users.length && !admitted; i++) {
      const user = users[i]!;
      for (let j = 0; j < user.batches.length; j++) {
        const batch = user.batches[j]!;
        const head = batch.waiting[batch.next];
        if (batch.paused || !head || !fitsCapacity(used.get(user.userId)!, head.weight)) continue;
        batch.next++;
        used.set(user.userId, used.get(user.userId)! + head.weight);
        running++;
        creates--;
        steps.push({ kind: 'admit', userId: user.userId, batchId: batch.batchId, taskId: head.taskId, weight: head.weight });
        steps.push({ kind: 'grant', taskId: head.taskId });
        // The served batch and user go last in their rounds.
        user.batches.push(...user.batches.splice(0, j + 1));
        users.push(...users.splice(0, i + 1));
        admitted = true;
        break;
      }
    }
    if (!admitted) break;
  }
  return steps;
}
