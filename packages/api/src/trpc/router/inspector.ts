import { machineDefinition, supervisorMachine, taskMachine } from '@clipfleet/engine';
import { z } from 'zod';
import { protectedProcedure, router } from '../init.ts';
import { ownBatch } from './batch.ts';

const LIVE_STATES = ['submitting', 'polling', 'retrying', 'paused'];
const SNAPSHOT_INTERVAL_MS = 500;
const MAX_TASKS_PER_SNAPSHOT = 200;

/** One live message of `inspector.onSnapshot`. */
type SnapshotMessage =
  | { kind: 'task'; taskId: string; state: string; value: unknown }
  | { kind: 'supervisor'; value: unknown };

/** Machine definitions as plain JSON (eventless transitions included): the web inspector draws them. */
const definitions = { task: machineDefinition(taskMachine), supervisor: machineDefinition(supervisorMachine) };

export const inspectorRouter = router({
  machines: protectedProcedure.query(() => definitions),

  /**
   * Live snapshots of one batch's actors: each running task's machine state when it changes, and the
   * supervisor's provider state. Sampled (not every transition): the event log is `batch.onProgress`.
   */
  onSnapshot: protectedProcedure.input(z.object({ batchId: z.string().min(1).max(100) })).subscription(async function* ({ ctx, input, signal }) {
    await ownBatch(ctx.deps, ctx.user.id, input.batchId);
    const { port } = ctx.deps;
    const sent = new Map<string, string>();
    let lastSupervisor = '';
    while (!signal?.aborted) {
      const provider = (await port.status()).provider;
      if (provider !== lastSupervisor) {
        lastSupervisor = provider;
        yield { kind: 'supervisor', value: provider } satisfies SnapshotMessage as SnapshotMessage;
      }
      const rows = await ctx.deps.db
        .selectFrom('tasks')
        .select('id')
        .where('batch_id', '=', input.batchId)
        .where('state', 'in', LIVE_STATES)
        .orderBy('row_index')
        .limit(MAX_TASKS_PER_SNAPSHOT)
        .execute();
      for (const { id } of rows) {
        const view = port.task(id);
        if (!view) continue;
        const key = `${view.state}|${JSON.stringify(view.machineState)}`;
        if (sent.get(id) === key) continue;
        sent.set(id, key);
        yield { kind: 'task', taskId: id, state: view.state, value: view.machineState } as SnapshotMessage;
      }
      await sleep(SNAPSHOT_INTERVAL_MS, signal);
    }
  }),
});

/** Waits `ms`, or less if the stream is aborted; the abort listener is removed either way (no pile-up). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
