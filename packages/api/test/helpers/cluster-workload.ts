import { EventSource } from 'eventsource';
import type { EngineEvent } from '@clipfleet/engine';
import type { LocalCluster } from '../../src/cluster/local.ts';
import { dbNow } from '../../src/db/clock.ts';
import { createClipFleetClient } from '../../src/index.ts';

export interface WatchedBatch {
  userId: string;
  batchId: string;
  /** Events the SSE client received, in order. */
  seen: EngineEvent[];
  /** Resolves on batch.finished (received by the SSE client). */
  done: Promise<void>;
}

/**
 * Users with credits on a plan (through the admin API of the first API process), one batch of `rows` distinct
 * prompts each, submitted on the first API process and followed over SSE on the last one.
 */
export async function submitWorkload(
  cluster: LocalCluster,
  opts: { users: number; rows: number; plan: string; /** Every row's model, resolution and clip length (default: the model's). */ row?: { model: string; resolution: string; duration: number } },
): Promise<WatchedBatch[]> {
  const submitUrl = cluster.apis[0]!.url;
  const watchUrl = cluster.apis[cluster.apis.length - 1]!.url;
  const admin = createClipFleetClient(submitUrl, cluster.adminKey, { EventSource });
  const users = [];
  for (let u = 0; u < opts.users; u++) users.push(await admin.admin.createUser.mutate({ name: `user ${u}`, credits: 1_000_000, plan: opts.plan }));
  return Promise.all(
    users.map(async ({ userId, apiKey }, u) => {
      const submit = createClipFleetClient(submitUrl, apiKey, { EventSource });
      const watch = createClipFleetClient(watchUrl, apiKey, { EventSource });
      const { batchId } = await submit.batch.create.mutate({ rows: Array.from({ length: opts.rows }, (_, r) => ({ prompt: `cluster user ${u} row ${r}`, ...opts.row })) });
      const seen: EngineEvent[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const sub = watch.batch.onProgress.subscribe(
          { batchId },
          {
            onData: ({ data }) => {
              const event = data as EngineEvent;
              seen.push(event);
              if (event.type !== 'batch.finished') return;
              sub.unsubscribe();
              resolve();
            },
            onError: reject,
          },
        );
      });
      return { userId, batchId, seen, done };
    }),
  );
}

/** The most intervals [start, end) open at once. */
export function maxOverlap(intervals: readonly (readonly [number, number])[]): number {
  const edges = intervals.flatMap(([s, e]) => [[s, 1] as const, [e, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (open += d));
  return max;
}

/** The most points within any window of `windowMs` (a sliding-window rate limit's view). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** The worker processes (pid) owning each user with a live lease now. */
export async function leaseOwners(db: import('../../src/db/database.ts').Db): Promise<Map<number, string[]>> {
  const rows = await db
    .selectFrom('user_leases')
    .innerJoin('cluster_workers', 'cluster_workers.id', 'user_leases.owner')
    .select(['cluster_workers.pid', 'user_leases.user_id'])
    .where('user_leases.expires_at', '>', dbNow(db))
    .execute();
  const byPid = new Map<number, string[]>();
  for (const r of rows) byPid.set(r.pid, [...(byPid.get(r.pid) ?? []), r.user_id]);
  return byPid;
}
