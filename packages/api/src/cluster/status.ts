import type { AccountLoad, SupervisorStatus } from '@clipfleet/engine';
import type { Executor } from '../store/executor.ts';
import { liveWorkers } from './leases.ts';

const GATE_ORDER: SupervisorStatus['provider'][] = ['healthy', 'throttled', 'halted'];
const worstGate = (a: SupervisorStatus['provider'], b: SupervisorStatus['provider']) => (GATE_ORDER.indexOf(a) >= GATE_ORDER.indexOf(b) ? a : b);

/**
 * The cluster's status, from the snapshots the live workers publish with their heartbeat: each user is run by one
 * worker, so user loads are listed as they are; counts add up; the provider and storage show the worst state
 * any worker is in, and the global cap the lowest in force.
 */
export async function clusterStatus(db: Executor, ttlMs: number): Promise<SupervisorStatus> {
  const statuses = (await liveWorkers(db, ttlMs)).flatMap((w) => (w.status ? [JSON.parse(w.status) as SupervisorStatus] : []));
  return mergeStatuses(statuses);
}

export function mergeStatuses(statuses: SupervisorStatus[]): SupervisorStatus {
  const users = new Map(statuses.flatMap((s) => s.users).map((u) => [u.userId, u]));
  return {
    provider: statuses.reduce<SupervisorStatus['provider']>((g, s) => worstGate(g, s.provider), 'healthy'),
    storage: statuses.some((s) => s.storage === 'unwritable') ? 'unwritable' : 'writable',
    providerLimit: statuses.length ? Math.min(...statuses.map((s) => s.providerLimit)) : 0,
    running: statuses.reduce((n, s) => n + s.running, 0),
    queued: statuses.reduce((n, s) => n + s.queued, 0),
    users: [...users.values()],
    createsInWindow: statuses.reduce((n, s) => n + s.createsInWindow, 0),
    accounts: mergeAccounts(statuses.flatMap((s) => s.accounts)),
  };
}

/** One line per account: running and creates add up; the gate is the worst any worker sees, the level the lowest. */
function mergeAccounts(loads: AccountLoad[]): AccountLoad[] {
  const merged = new Map<string, AccountLoad>();
  for (const a of loads) {
    const m = merged.get(a.accountId);
    merged.set(
      a.accountId,
      m
        ? { ...m, gate: worstGate(m.gate, a.gate), level: Math.min(m.level, a.level), running: m.running + a.running, createsInWindow: m.createsInWindow + a.createsInWindow }
        : a,
    );
  }
  return [...merged.values()];
}
