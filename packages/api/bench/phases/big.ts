/** Phase 4: a 10,000-row batch, accepted (create round trip), then run to the end (the server's RSS peak meanwhile). */
import { performance } from 'node:perf_hooks';
import type { ClipFleetClient } from '../../src/index.ts';
import { cfg, log, rows, sleep } from '../api-config.ts';
import { round1 } from '../stats.ts';

export async function benchBigBatch(client: ClipFleetClient) {
  const body = { name: 'big-bench', rows: rows(cfg.bigRows, 'big') };
  const t0 = performance.now();
  const { batchId, taskCount } = await client.batch.create.mutate(body);
  const acceptMs = performance.now() - t0;
  let last = await client.batch.get.query({ batchId });
  const deadline = Date.now() + cfg.maxRunMs;
  let lastLog = 0;
  while (last.finishedAt === null && Date.now() < deadline) {
    await sleep(1000);
    last = await client.batch.get.query({ batchId });
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`big batch: ${last.done}/${last.taskCount} done (${last.counts.succeeded} succeeded) after ${round1((performance.now() - t0) / 1000)} s`);
    }
  }
  const runMs = performance.now() - t0;
  return {
    rows: taskCount,
    acceptMs: round1(acceptMs),
    finished: last.finishedAt !== null,
    runSeconds: round1(runMs / 1000),
    simulatedHours: round1((runMs * cfg.timeScale) / 3_600_000),
    counts: last.counts,
  };
}
export type BigFigures = Awaited<ReturnType<typeof benchBigBatch>>;
