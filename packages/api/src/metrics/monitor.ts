import type { AppDeps } from '../deps.ts';
import { FAILURE_RATE_TARGET } from './index.ts';

/**
 * What the admin monitoring page shows: the sampled history of the metrics, the seed's failure-rate target,
 * and the degradation state in force now, of the provider and of each user the engine is running for.
 */
export async function monitorView(deps: AppDeps) {
  const { metrics } = deps;
  const status = await deps.port.status();
  const ids = status.users.map((u) => u.userId);
  const names = new Map(
    ids.length ? (await deps.db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute()).map((u) => [u.id, u.name]) : [],
  );
  const configLimit = deps.config.get().provider.maxRunning;
  return {
    intervalMs: metrics.history.intervalMs,
    failureRateTarget: FAILURE_RATE_TARGET,
    samples: metrics.history.list(),
    provider: {
      state: status.provider,
      limit: status.providerLimit,
      configLimit,
      degraded: status.providerLimit < configLimit,
      running: status.running,
      queued: status.queued,
      lastChange: metrics.lastProviderChange ?? null,
    },
    users: status.users.map((u) => ({
      userId: u.userId,
      name: names.get(u.userId) ?? u.userId,
      plan: u.plan,
      level: u.level,
      planConcurrency: u.planConcurrency,
      degraded: u.level < u.planConcurrency,
      running: u.running,
      queued: u.queued,
      lastChange: metrics.lastUserChange.get(u.userId) ?? null,
    })),
  };
}
