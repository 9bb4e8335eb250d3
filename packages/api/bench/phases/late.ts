/**
 * Phase 3: 200 late subscribers (batch.onProgressGrouped, what the web client uses) joining a finished batch with
 * about 6,000 stored events (LATE_EVENTS): time until each gets its first message, every event received once in
 * order, `me.get` latency measured meanwhile (the server's RSS is the phase's).
 */
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cfg, here, perWorker, rows, sleep, TARGETS } from '../api-config.ts';
import type { BenchUser } from '../api-server.ts';
import type { LateWorkerInput, LateWorkerOutput } from '../late-clients.ts';
import { percentile, round1 } from '../stats.ts';

/**
 * A batch run to the end first (its whole log stored), then N subscribers join at once and each replays it from
 * the start, while a probe keeps calling me.get. Connected = the first message arrived. Subscribers and probe run
 * in worker threads (late-clients.ts), so their parsing does not slow the timings taken here.
 */
export async function benchLate({ client, url, apiKey }: BenchUser, onReplayStart: () => void) {
  const { batchId } = await client.batch.create.mutate({ name: 'late-bench', rows: rows(cfg.lateRows, 'late') });
  const deadline = Date.now() + cfg.maxRunMs;
  while ((await client.batch.get.query({ batchId })).finishedAt === null) {
    if (Date.now() > deadline) throw new Error('late-subscriber batch did not finish');
    await sleep(500);
  }
  // Compiled with the server (build.mjs): worker threads do not get tsx's loader.
  const worker = (input: LateWorkerInput) => new Worker(resolve(here, '../dist/bench-late-clients.js'), { workerData: input });
  const result = (w: Worker) =>
    new Promise<LateWorkerOutput>((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
  onReplayStart();
  const probe = worker({ mode: 'probe', url, apiKey, everyMs: 20 });
  const probed = result(probe);
  await sleep(500);
  const t0 = performance.now();
  const outputs = await Promise.race([
    Promise.all(perWorker(cfg.lateSubscribers).map((count) => result(worker({ mode: 'subscribers', url, apiKey, batchId, count })))),
    sleep(180_000).then(() => {
      throw new Error('late subscribers: no end after 180 s');
    }),
  ]);
  const replayMs = performance.now() - t0;
  probe.postMessage('stop');
  const meMs = ((await probed) as Extract<LateWorkerOutput, { mode: 'probe' }>).latenciesMs;
  const subs = outputs.flatMap((o) => (o.mode === 'subscribers' ? o.subs : []));
  const reference = subs.find((s) => s.done)?.seqs ?? [];
  // The log is numbered 1, 2, 3, ... per batch: a complete replay is exactly 1..n, whatever any subscriber got.
  const inOrder = (seqs: readonly number[]) => seqs.every((seq, i) => seq === i + 1);
  const complete = subs.filter((s) => s.done && s.seqs.length === reference.length && inOrder(s.seqs)).length;
  const firsts = subs.map((s) => s.firstMs ?? Infinity);
  return {
    subscribers: subs.length,
    rows: cfg.lateRows,
    eventsEach: reference.length,
    connectedWithinTarget: firsts.filter((ms) => ms <= TARGETS.lateConnectMs).length,
    connectMaxMs: round1(Math.max(...firsts)),
    completeInOrder: complete,
    errors: subs.filter((s) => s.error !== null).length,
    replaySeconds: round1(replayMs / 1000),
    meCalls: meMs.length,
    meP50Ms: round1(percentile(meMs, 50)),
    meP99Ms: round1(percentile(meMs, 99)),
    meMaxMs: round1(Math.max(...meMs)),
  };
}
export type LateFigures = Awaited<ReturnType<typeof benchLate>>;
