import type { SupervisorStatus } from '@clipfleet/engine';
import type { Executor } from '../store/executor.ts';
import { liveWorkers } from './leases.ts';

const GATE_ORDER: SupervisorStatus['provider'][] = ['healthy', 'throttled', 'halted'];

/**
 * The cluster's status, from the snapshots the live workers publish with their heartbeat: each user is run by one
 * worker, so user loads are listed as they are; counts add up; the provider and storage show the worst state
 * any worker is in, and the global cap the lowest in force.
 */
export async function clusterStatus(db: Executor, now: number, ttlMs: number): Promise<SupervisorStatus> {
  const statuses = (await liveWorkers(db, now, ttlMs)).flatMap((w) => (w.status ? [JSON.parse(w.status) as SupervisorStatus] : []));
  return mergeStatuses(statuses);
}

export function mergeStatuses(statuses: SupervisorStatus[]): SupervisorStatus {
  const users = new Map(statuses.flatMap((s) => s.users).map((u) => [u.userId, u]));
  return {
    provider: GATE_ORDER[Math.max(0, ...statuses.map((s) => GATE_ORDER.indexOf(s.provider)))]!,
    storage: statuses.some((s) => s.storage === 'unwritable') ? 'unwritable' : 'writable',
    providerLimit: statuses.length ? Math.min(...statuses.map((s) => s.providerLimit)) : 0,
    running: statuses.reduce((n, s) => n + s.running, 0),
    queued: statuses.reduce((n, s) => n + s.queued, 0),
    users: [...users.values()],
    createsInWindow: statuses.reduce((n, s) => n + s.createsInWindow, 0),
  };
}
