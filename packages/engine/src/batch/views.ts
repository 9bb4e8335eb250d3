import { TASK_STATES, type TaskFacts, type TaskState } from '../task/types.ts';
import type { ProviderLimits } from '../ports/limits.ts';
import type { HealthControl } from './health.ts';
import type { Registry } from './registry.ts';
import type { AccountLoad, BatchProgress, SupervisorStatus, TaskView, UserLoad } from './types.ts';

/** Read-only views of the supervisor's state for hosts (admin stats, the inspector, tests). */

const emptyCounts = (): Record<TaskState, number> => Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;

function countState(registry: Registry, batchId: string, state: TaskState): number {
  const batch = registry.batches.get(batchId);
  return batch ? batch.taskIds.filter((id) => registry.record(id).facts.state === state).length : 0;
}

export function statusView(registry: Registry, health: HealthControl, limits: ProviderLimits, running: number, now: number, storageOpen: boolean): SupervisorStatus {
  const accounts: AccountLoad[] = health.configured().map((a) => ({
    accountId: a.id,
    gate: a.gateState(),
    level: a.level,
    running: a.running,
    createsInWindow: Math.max(0, a.limits.createLimit - limits.room(a.id, now).creates),
    createLimit: a.limits.createLimit,
  }));
  const users: UserLoad[] = [...registry.users.values()].map((u) => ({
    userId: u.userId,
    plan: u.planId,
    level: u.degradation.level,
    planConcurrency: registry.planOf(u.userId).concurrency,
    capacityUsed: u.capacityUsed,
    running: u.running,
    queued: u.batches.order().reduce((n, id) => n + countState(registry, id, 'queued'), 0),
  }));
  return {
    provider: health.gateState(),
    storage: storageOpen ? 'writable' : 'unwritable',
    providerLimit: health.providerLimit,
    running,
    queued: users.reduce((n, u) => n + u.queued, 0),
    users,
    createsInWindow: accounts.reduce((n, a) => n + a.createsInWindow, 0),
    accounts,
  };
}

export function batchProgressView(registry: Registry, batchId: string): BatchProgress | undefined {
  const batch = registry.batches.get(batchId);
  if (!batch) return undefined;
  const byState = emptyCounts();
  for (const id of batch.taskIds) byState[registry.record(id).facts.state]++;
  return { batchId, userId: batch.userId, paused: batch.paused, total: batch.taskIds.length, byState };
}

export function taskView(registry: Registry, taskId: string): TaskView | undefined {
  const record = registry.tasks.get(taskId);
  if (!record) return undefined;
  return { ...record.facts, taskId, machineState: record.live?.value ?? record.facts.state };
}

export function factsView(registry: Registry): TaskFacts[] {
  // Copies: a record's facts are updated in place.
  return [...registry.tasks.values()].map((r) => ({ ...r.facts }));
}
