import { DEFAULT_CONFIG, parseFleetConfig, type CreateTaskRequest, type EngineEvent, type KieGateway } from '@clipfleet/engine';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { createScaledClock } from '../src/index.ts';
import { startFleet } from '../src/fleet/fleet.ts';
import { batchTotals } from '../src/store/ledger.ts';
import { testStorage } from './helpers/database.ts';
import { FakeKie } from './helpers/fake-kie.ts';
import { waitFor } from './helpers/server.ts';
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

/**
 * KIE that records every job it created, and makes the store fail right as it answers the `tripAt`-th create.
 * Its jobs are generating until the outage is over, so the tasks submitted before it are still being watched
 * during it whatever the machine's speed (on a slow Postgres they could otherwise finish before the trip).
 */
class TrippingKie implements KieGateway {
  readonly created = new Map<string, string[]>();
  trippedTaskId: string | null = null;
  private outageOver = false;
  constructor(
    private readonly inner: FakeKie,
    private readonly fail: FailingWrites,
    private readonly tripAt: number,
    /** Resolves once the remote ids of these earlier creates are stored (their tasks are then watched through the outage). */
    private readonly stored: (taskIds: string[]) => Promise<unknown>,
  ) {}
  async createTask(req: CreateTaskRequest) {
    const result = await this.inner.createTask(req);
    this.created.set(req.task.taskId, [...(this.created.get(req.task.taskId) ?? []), result.remoteTaskId]);
    if ([...this.created.values()].flat().length === this.tripAt) {
      await this.stored([...this.created.keys()].filter((id) => id !== req.task.taskId));
      this.fail.on = true;
      this.trippedTaskId = req.task.taskId;
    }
    return result;
  }
  async getTask(id: string) {
    const answer = await this.inner.getTask(id);
    if (this.outageOver || !answer.ok) return answer;
    return { ok: true as const, status: { state: 'generating' as const, progress: 50 } };
  }
  endOutage() {
    this.fail.on = false;
    this.outageOver = true;
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
    const storedRemoteIds = async () =>
      new Map((await db.selectFrom('tasks').select(['id', 'remote_task_id']).execute()).map((r) => [r.id, r.remote_task_id]));
    const tripping = new TrippingKie(kie, fail, 3, (ids) =>
      waitFor(async () => {
        const stored = await storedRemoteIds();
        return ids.every((id) => stored.get(id));
      }, 'the earlier remote ids to be stored', 20_000),
    );
    const config = parseFleetConfig({ ...structuredClone(DEFAULT_CONFIG), defaultPlan: 'pro_plus' });
    const fleet = await startFleet({ db: db.withPlugin(fail), gateway: tripping, clock: createScaledClock(100), config });
    const events: EngineEvent[] = [];
    fleet.supervisor.subscribe((e) => events.push(e));
    // The batch is in the database: the fleet picks it up at start, as after a restart.
    expect(fleet.resumed).toEqual(['db1']);

    /** Every remote id the engine knows is in the database already. */
    const checkAcknowledgedOnlyStored = async () => {
      const stored = await storedRemoteIds();
      for (const t of tasks) {
        const known = fleet.supervisor.task(t.id)!.remoteTaskId;
        if (known !== null) expect(stored.get(t.id), `${t.id}: the engine knows ${known}`).toBe(known);
      }
    };

    try {
      await waitFor(async () => fail.on, 'the store to start failing', 30_000);
      // The gate closes at the first failed write (its latency is the machine's, not what is checked here).
      await waitFor(async () => fleet.supervisor.status().storage === 'unwritable', 'the storage gate to close', 10_000);
      // The outage: at least 1.3 s of wall time (130 s of engine time).
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

      tripping.endOutage();
      for (const end = Date.now() + 60_000; !fleet.supervisor.isIdle(); ) {
        if (Date.now() > end) throw new Error(`the batch did not finish: ${JSON.stringify(fleet.supervisor.batchProgress('db1'))}`);
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
      // Every stream (the batch's log, the fleet's own) is numbered 1, 2, 3, ... in order, with no gap.
      const rows = await db.selectFrom('task_events').select(['stream', 'seq']).orderBy('stream').orderBy('seq').execute();
      const streams = new Map<string, typeof rows>();
      for (const r of rows) streams.set(r.stream, [...(streams.get(r.stream) ?? []), r]);
      // (the fleet's own stream is `fleet` on SQLite, one per process on Postgres)
      expect([...streams.keys()].sort()).toEqual(['batch:db1', expect.stringMatching(/^fleet(:|$)/)]);
      for (const [stream, events] of streams) expect(events.map((r) => r.seq), stream).toEqual(events.map((_, i) => i + 1));
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
  }, 120_000);
});
