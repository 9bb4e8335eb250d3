import { DEFAULT_CONFIG, parseFleetConfig, type CreateTaskRequest, type EngineEvent, type KieGateway } from '@clipfleet/engine';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { createScaledClock } from '../src/index.ts';
import { startFleet } from '../src/fleet/fleet.ts';
import { batchTotals } from '../src/store/ledger.ts';
import { testStorage } from './helpers/database.ts';
import { FakeKie } from './helpers/fake-kie.ts';
import { storedBatch } from './helpers/stored-batch.ts';

const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode']);

/** An executor whose writes fail like a full disk while `on` (reads keep working, as they do on a full disk). */
class FailingWrites implements KyselyPlugin {
  on = false;
  failed = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    if (this.on && WRITES.has(args.node.kind)) {
      this.failed++;
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}

/** KIE that records every job it created, and makes the store fail right as it answers the `tripAt`-th create. */
class TrippingKie implements KieGateway {
  readonly created = new Map<string, string[]>();
  trippedTaskId: string | null = null;
  constructor(
    private readonly inner: FakeKie,
    private readonly fail: FailingWrites,
    private readonly tripAt: number,
  ) {}
  async createTask(req: CreateTaskRequest) {
    const result = await this.inner.createTask(req);
    this.created.set(req.task.taskId, [...(this.created.get(req.task.taskId) ?? []), result.remoteTaskId]);
    if ([...this.created.values()].flat().length === this.tripAt) {
      await sleep(100); // the earlier remote ids are stored by then: those tasks are polled through the outage
      this.fail.on = true;
      this.trippedTaskId = req.task.taskId;
    }
    return result;
  }
  getTask(id: string) {
    return this.inner.getTask(id);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('durable first: a store whose writes fail', () => {
  it('stops admitting, keeps polling, never acknowledges an unstored remote id, does not blame the provider, and resumes in order', async () => {
    const db = await openDatabase((await testStorage()).dbPath);
    const N = 12;
    const { tasks } = await storedBatch(db, { batchId: 'db1', name: 'durable', rows: N });

    const fail = new FailingWrites();
    const kie = new FakeKie({ jobMs: 600 });
    const tripping = new TrippingKie(kie, fail, 3);
    const config = parseFleetConfig({ ...structuredClone(DEFAULT_CONFIG), defaultPlan: 'pro_plus' });
    const fleet = await startFleet({ db: db.withPlugin(fail), gateway: tripping, clock: createScaledClock(100), config });
    const events: EngineEvent[] = [];
    fleet.supervisor.subscribe((e) => events.push(e));
    // The batch is in the database: the fleet picks it up at start, as after a restart.
    expect(fleet.resumed).toEqual(['db1']);

    const storedRemoteIds = async () =>
      new Map((await db.selectFrom('tasks').select(['id', 'remote_task_id']).execute()).map((r) => [r.id, r.remote_task_id]));
    /** Every remote id the engine knows is in the database already. */
    const checkAcknowledgedOnlyStored = async () => {
      const stored = await storedRemoteIds();
      for (const t of tasks) {
        const known = fleet.supervisor.task(t.id)!.remoteTaskId;
        if (known !== null) expect(stored.get(t.id), `${t.id}: the engine knows ${known}`).toBe(known);
      }
    };

    try {
      for (let i = 0; !fail.on; i++) {
        if (i > 400) throw new Error('the store never started failing');
        await sleep(10);
      }
      // The outage: 1.5 s of wall time (150 s of engine time).
      await sleep(200);
      expect(fleet.supervisor.status().storage).toBe('unwritable');
      expect(fleet.storage().writable).toBe(false);
      const createsInOutage = kie.creates.size;
      const pollsInOutage = kie.getCalls;
      for (let i = 0; i < 26; i++) {
        await checkAcknowledgedOnlyStored();
        await sleep(50);
      }
      // Nothing admitted or sent while the store cannot record it; what runs is still watched.
      expect(kie.creates.size).toBe(createsInOutage);
      expect(kie.getCalls).toBeGreaterThan(pollsInOutage);
      // The remote id KIE answered with at the moment the store failed is not known to the engine yet.
      const tripped = tripping.trippedTaskId!;
      expect(fleet.supervisor.task(tripped)!.remoteTaskId).toBeNull();
      expect(fleet.supervisor.task(tripped)!.state).toBe('submitting');
      expect(fail.failed).toBeGreaterThan(1); // retried, not dropped

      fail.on = false;
      for (let i = 0; !fleet.supervisor.isIdle(); i++) {
        if (i > 1000) throw new Error(`the batch did not finish: ${JSON.stringify(fleet.supervisor.batchProgress('db1'))}`);
        await sleep(20);
      }
      await fleet.flush();

      // What KIE received: each row once; every remote id it created is stored.
      const stored = await storedRemoteIds();
      for (const t of tasks) {
        expect(tripping.created.get(t.id), t.id).toHaveLength(1);
        expect(stored.get(t.id)).toBe(tripping.created.get(t.id)![0]);
      }
      // What the database holds: every task succeeded, the ledger charged each once, the log has no gap.
      const states = await db.selectFrom('tasks').select('state').execute();
      expect(states.every((s) => s.state === 'succeeded')).toBe(true);
      expect(await batchTotals(db, 'db1')).toEqual({ reserved: N * 15, charged: N * 15, refunded: 0 });
      const seqs = (await db.selectFrom('task_events').select('seq').orderBy('seq').execute()).map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      const types = (await db.selectFrom('task_events').select('type').execute()).map((r) => r.type);
      expect(types).toContain('storage.unavailable');
      expect(types).toContain('storage.available');
      // Storage trouble is not the provider's: no throttle, no lowered limit, no degraded user.
      expect(events.filter((e) => e.type === 'provider.throttled' || e.type === 'provider.limitChanged' || e.type === 'concurrency.changed')).toEqual([]);
      expect(fleet.supervisor.status().providerLimit).toBe(config.provider.maxRunning);
    } finally {
      await fleet.stop();
      await db.destroy();
    }
  }, 60_000);
});
