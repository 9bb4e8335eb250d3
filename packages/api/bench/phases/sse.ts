/**
 * Phase 2: 200 concurrent SSE subscribers (batch.onProgress) on one running batch: every subscriber must see
 * exactly the batch's full event history (compared with a replay from task_events after the end). The
 * subscribers (typed tRPC clients) run in worker threads (live-clients.ts), as the late ones do.
 */
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cfg, here, log, perWorker, rows, sleep } from '../api-config.ts';
import type { BenchUser } from '../api-server.ts';
import type { LiveSubscriber, LiveWorkerInput, LiveWorkerOutput } from '../live-clients.ts';
import { round1 } from '../stats.ts';

interface Tracked {
  id: string;
  data: { type: string; seq: number };
}

/** Runs a batch with N subscribers attached from its first event, then checks each against the full replay. */
export async function benchSse({ client, url, apiKey }: BenchUser) {
  const { batchId, taskCount } = await client.batch.create.mutate({ name: 'sse-bench', rows: rows(cfg.sseRows, 'sse'), paused: true });
  const workers = perWorker(cfg.subscribers).map(
    (count) => new Worker(resolve(here, '../dist/bench-live-clients.js'), { workerData: { url, apiKey, batchId, count } satisfies LiveWorkerInput }),
  );
  let connectedWorkers = 0;
  const results = new Map<Worker, LiveSubscriber[]>();
  const failures: Error[] = [];
  for (const w of workers) {
    w.on('message', (msg: LiveWorkerOutput) => (msg.type === 'connected' ? connectedWorkers++ : results.set(w, msg.subs)));
    w.once('error', (err) => failures.push(err));
  }
  const until = async (done: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!done() && failures.length === 0 && Date.now() < end) await sleep(100);
    if (failures.length > 0) throw failures[0]!;
  };
  // Every subscriber is connected once it has the batch.added event; only then does the batch start.
  await until(() => connectedWorkers === workers.length, 60_000);
  const connected = connectedWorkers === workers.length ? cfg.subscribers : 0;
  const t0 = performance.now();
  await client.batch.resume.mutate({ batchId });
  // Wait for every stream to end; once the batch itself has finished, allow 30 s more, then stop waiting.
  let finishedAt: number | null = null;
  const deadline = Date.now() + cfg.maxRunMs;
  let lastLog = Date.now();
  while (results.size < workers.length && Date.now() < deadline && (finishedAt === null || Date.now() - finishedAt < 30_000)) {
    await until(() => results.size === workers.length, 1000);
    if (finishedAt === null && (await client.batch.get.query({ batchId })).finishedAt !== null) finishedAt = Date.now();
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`SSE: ${results.size}/${workers.length} workers' streams all ended, batch ${finishedAt === null ? 'running' : 'finished'}`);
    }
  }
  const runMs = performance.now() - t0;
  for (const w of workers) if (!results.has(w)) w.postMessage('stop');
  await until(() => results.size === workers.length, 30_000);
  await Promise.all(workers.map((w) => w.terminate()));
  const subs = workers.flatMap((w) => results.get(w) ?? []);

  // The reference: a fresh subscriber after the end replays the batch's whole history from task_events.
  const reference = await new Promise<string[]>((resolveRef, reject) => {
    const ids: string[] = [];
    const h = client.batch.onProgress.subscribe(
      { batchId, lastEventId: null },
      { onData: (item) => ids.push((item as Tracked).id), onComplete: () => resolveRef(ids), onError: reject },
    );
    setTimeout(() => {
      h.unsubscribe();
      reject(new Error('reference replay did not complete in 60 s'));
    }, 60_000).unref();
  });
  const refSet = new Set(reference);
  let complete = 0;
  let missed = 0;
  let duplicates = 0;
  let unexpected = 0;
  for (const sub of subs) {
    const got = new Set(sub.ids);
    duplicates += sub.ids.length - got.size;
    unexpected += [...got].filter((id) => !refSet.has(id)).length;
    const miss = reference.filter((id) => !got.has(id)).length;
    missed += miss;
    if (miss === 0 && sub.ids.length === reference.length && sub.done && sub.ids.every((id, i) => id === reference[i])) complete++;
  }
  const outcome = await client.batch.get.query({ batchId });
  return {
    batchCounts: outcome.counts,
    subscribers: subs.length,
    connected,
    batchTasks: taskCount,
    eventsPerSubscriber: reference.length,
    messagesDelivered: subs.reduce((n, s) => n + s.ids.length, 0),
    completeInOrder: complete,
    missedEvents: missed,
    duplicateEvents: duplicates,
    unexpectedEvents: unexpected,
    subscriptionErrors: subs.reduce((n, s) => n + s.errors, 0),
    runSeconds: round1(runMs / 1000),
  };
}
export type SseFigures = Awaited<ReturnType<typeof benchSse>>;
