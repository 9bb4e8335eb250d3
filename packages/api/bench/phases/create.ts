/** Phase 1: batch.create of 500 rows, p95 latency (client-observed round trip, typed tRPC client). */
import { performance } from 'node:perf_hooks';
import type { ClipFleetClient } from '../../src/index.ts';
import { cfg, rows, sleep } from '../api-config.ts';
import { percentile, round1 } from '../stats.ts';

const WARMUP = 3;

/**
 * Each batch is created paused (timed), then cancelled and drained (every task cancelled, refunds written)
 * before the next one: the figure is batch.create itself, not the backlog of earlier iterations.
 */
export async function benchCreate(client: ClipFleetClient) {
  const timings: number[] = [];
  let drainMs = 0;
  for (let i = 0; i < WARMUP + cfg.createIterations; i++) {
    const body = { name: `create-bench ${i}`, rows: rows(cfg.createRows, `c${i}`), paused: true };
    const t0 = performance.now();
    const res = await client.batch.create.mutate(body);
    const ms = performance.now() - t0;
    if (res.taskCount !== cfg.createRows) throw new Error(`batch.create accepted ${res.taskCount} of ${cfg.createRows} rows`);
    if (i >= WARMUP) timings.push(ms);
    const d0 = performance.now();
    await client.batch.cancel.mutate({ batchId: res.batchId });
    await drained(client, res.batchId);
    drainMs += performance.now() - d0;
  }
  return {
    warmup: WARMUP,
    iterations: timings.length,
    rows: cfg.createRows,
    p50Ms: round1(percentile(timings, 50)),
    p95Ms: round1(percentile(timings, 95)),
    maxMs: round1(Math.max(...timings)),
    /** In iteration order: shows whether create slows down as the database grows. */
    timingsMs: timings.map(round1),
    cancelAndDrainMeanMs: round1(drainMs / (WARMUP + cfg.createIterations)),
  };
}
export type CreateFigures = Awaited<ReturnType<typeof benchCreate>>;

/** Waits (bounded: 60 s) until every task of a cancelled batch has reached a final state. */
async function drained(client: ClipFleetClient, batchId: string): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const b = await client.batch.get.query({ batchId });
    if (b.done === b.taskCount) return;
    if (Date.now() > end) throw new Error(`batch ${batchId}: cancellation not drained after 60 s (${b.done}/${b.taskCount})`);
    await sleep(20);
  }
}
