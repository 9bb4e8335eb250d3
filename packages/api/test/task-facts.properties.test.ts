import { fc, test } from '@fast-check/vitest';
import { applyTaskEvent, initialFacts, type EngineEvent, type TaskFacts } from '@clipfleet/engine';
import { DiscreteEventClock, settle, SimGateway, SimKie } from '@clipfleet/sim';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { factsOf } from '../src/fleet/hydrate.ts';
import { ON_POSTGRES } from './helpers/database.ts';
import { startTestServer, waitFor, type TestServer } from './helpers/server.ts';

/**
 * One task's facts as four layers see them, checked at every instant of virtual time: the supervisor's view,
 * the fold of the stored event log with the engine's reducer (what the web client folds from batch.onProgress),
 * the stored task row, and what the typed client gets from batch.tasks over HTTP.
 */
type Control = { atStep: number; kind: 'pause' | 'resume' | 'cancel' | 'cancelTask' | 'retryFailed'; task: number };

const controlArb: fc.Arbitrary<Control> = fc.record({
  atStep: fc.integer({ min: 0, max: 60 }),
  kind: fc.constantFrom('pause', 'resume', 'cancel', 'cancelTask', 'retryFailed'),
  task: fc.nat(9),
});

describe('task facts agree across engine, log, row and client', () => {
  const clock = new DiscreteEventClock();
  // Transient errors, refusals and generation failures: every kind of fact change happens.
  const core = new SimKie({ clock, seed: 7, faults: 'flaky:30,policy:10' });
  const gateway = new SimGateway(core);
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(gateway, { clock });
  });
  afterAll(() => t.stop());

  /** Lets gateway calls, the writer's transactions and the engine's reactions to them all finish. */
  async function quiesce(rounds = 12) {
    for (let i = 0; i < rounds; i++) {
      await settle();
      await t.server.deps!.fleet!.flush();
    }
  }

  async function layers(batchId: string, specs: Map<string, TaskFacts>) {
    const { db, fleet } = t.server.deps!;
    const log = await db.selectFrom('task_events').select('payload').where('batch_id', '=', batchId).orderBy('seq').execute();
    const folded = new Map([...specs].map(([id, f]) => [id, f]));
    for (const { payload } of log) {
      const e = JSON.parse(payload) as EngineEvent;
      if ('taskId' in e && folded.has(e.taskId)) folded.set(e.taskId, applyTaskEvent(folded.get(e.taskId)!, e));
    }
    const rows = await db.selectFrom('tasks').selectAll().where('batch_id', '=', batchId).execute();
    return { folded, rows: new Map(rows.map((r) => [r.id, factsOf(r)])), live: (id: string) => fleet!.supervisor.task(id) };
  }

  async function mismatches(client: TestServer['admin'], batchId: string, specs: Map<string, TaskFacts>): Promise<string[]> {
    const { folded, rows, live } = await layers(batchId, specs);
    const shown = new Map((await client.batch.tasks.query({ batchId, limit: 500 })).items.map((i) => [i.id, i]));
    const out: string[] = [];
    for (const [id, fold] of folded) {
      const current = live(id);
      // On PostgreSQL a worker gives back a user with nothing to run (a paused batch): no supervisor holds its tasks.
      if (!current && !ON_POSTGRES) out.push(`${id} unknown to the supervisor`);
      const { taskId: _id, machineState: _value, ...view } = current ?? { taskId: id, machineState: null, ...fold };
      const item = shown.get(id)!;
      const client = {
        state: item.state, attempts: item.attempts, remoteTaskId: item.remoteTaskId, progress: item.progress,
        resultUrls: item.resultUrls, failCode: item.failCode, failMessage: item.failMessage,
      };
      const expected = {
        state: fold.state, attempts: fold.attempts, remoteTaskId: fold.remoteTaskId, progress: fold.progress,
        resultUrls: fold.resultUrls, failCode: fold.failure?.code ?? null, failMessage: fold.failure?.message ?? null,
      };
      const j = JSON.stringify;
      if (j(view) !== j(fold)) out.push(`${id} supervisor ${j(view)} != fold ${j(fold)}`);
      if (j(rows.get(id)) !== j(fold)) out.push(`${id} row ${j(rows.get(id))} != fold ${j(fold)}`);
      if (j(client) !== j(expected)) out.push(`${id} client ${j(client)} != fold ${j(expected)}`);
    }
    return out;
  }

  test.prop(
    [
      fc.integer({ min: 1, max: 8 }),
      fc.boolean(),
      fc.array(controlArb, { maxLength: 5 }),
    ],
    { numRuns: 8 },
  )('for any run with pauses, cancels and retries, all four agree after every instant', async (rowCount, paused, controls) => {
    const { client } = await t.user(100_000);
    const catalog = await client.catalog.models.query();
    const variants = catalog.variants;
    const rows = Array.from({ length: rowCount }, (_, i) => {
      const v = variants[i % variants.length]!;
      return { prompt: `clip ${i}`, model: v.model, resolution: v.resolution, duration: v.durationSec };
    });
    const { batchId } = await client.batch.create.mutate({ rows, paused });
    await quiesce();
    const specs = new Map((await layers(batchId, new Map())).rows);
    for (const [id, f] of specs) specs.set(id, initialFacts(f.spec));
    const ids = [...specs.keys()];
    // On PostgreSQL the batch is run by the worker that claims its user's lease, a moment after it is stored.
    await waitFor(async () => { await quiesce(1); return ids.every((id) => t.server.deps!.fleet!.supervisor.task(id)); }, 'the batch adopted by its worker');
    const pending = [...controls, ...(paused ? [{ atStep: 0, kind: 'resume' as const, task: 0 }] : [])].sort((a, b) => a.atStep - b.atStep);

    for (let step = 0; ; step++) {
      await quiesce();
      let problems = await mismatches(client, batchId, specs);
      if (problems.length > 0) {
        // A write may still be on its way: give it every chance before calling it a disagreement.
        await quiesce(50);
        problems = await mismatches(client, batchId, specs);
      }
      expect(problems, `step ${step}`).toEqual([]);
      while (pending.length > 0 && pending[0]!.atStep <= step) {
        const c = pending.shift()!;
        const batch = await client.batch.get.query({ batchId });
        if (c.kind === 'pause' && batch.state === 'active') await client.batch.pause.mutate({ batchId });
        if (c.kind === 'resume' && batch.state === 'paused') await client.batch.resume.mutate({ batchId });
        if (c.kind === 'cancel') await client.batch.cancel.mutate({ batchId });
        if (c.kind === 'cancelTask') await client.task.cancel.mutate({ taskId: ids[c.task % ids.length]! });
        if (c.kind === 'retryFailed' && batch.state !== 'cancelled') await client.batch.retryFailed.mutate({ batchId });
      }
      const batch = await client.batch.get.query({ batchId });
      if (pending.length === 0 && batch.state === 'paused') await client.batch.resume.mutate({ batchId });
      if (pending.length === 0 && batch.finishedAt !== null && (batch.state === 'finished' || batch.state === 'cancelled')) break;
      if (clock.fireNextInstant() === 0 && pending.length === 0) break;
    }
  }, 300_000);
});
