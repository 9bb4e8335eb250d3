import { DEFAULT_CONFIG, parseFleetConfig, type CreateTaskRequest, type KieGateway } from '@clipfleet/engine';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { listen, notify } from '../src/db/notify.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../src/db/embedded-postgres.ts';
import { startFleet } from '../src/fleet/fleet.ts';
import { createScaledClock } from '../src/index.ts';
import { batchTotals } from '../src/store/ledger.ts';
import { FakeKie } from './helpers/fake-kie.ts';
import { storedBatch } from './helpers/stored-batch.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Create {
  taskId: string;
  attempt: number;
  at: number;
  /** The task's attempt count in the database as createTask went out, read on a connection of the test's own. */
  durableAttempts: number | 'database down';
}

/** KIE that, before each create, reads the task's recorded attempts on its own connection to the server. */
class ProbingKie implements KieGateway {
  readonly creates: Create[] = [];
  constructor(
    private readonly inner: FakeKie,
    private readonly url: string,
  ) {}
  async createTask(req: CreateTaskRequest) {
    const at = Date.now();
    this.creates.push({ taskId: req.task.taskId, attempt: req.attempt, at, durableAttempts: await this.probe(req.task.taskId) });
    return this.inner.createTask(req);
  }
  getTask(id: string) {
    return this.inner.getTask(id);
  }
  private async probe(taskId: string): Promise<number | 'database down'> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ attempts: number }>('select attempts from tasks where id = $1', [taskId]);
      return rows[0]!.attempts;
    } catch {
      return 'database down';
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/**
 * A worker whose PostgreSQL goes away (the server stopped under it, every connection cut) stops submitting: the
 * storage gate closes on the first failed write, running jobs are still watched, nothing reaches KIE without a
 * durable attempt; when the server is back the fleet resumes and finishes every row exactly once.
 */
describe('PostgreSQL outage under a running fleet', () => {
  let server: EmbeddedPostgresServer;
  beforeAll(async () => {
    // Its own server: this test stops it, the run's shared one stays up for the others.
    server = await startEmbeddedPostgres({ ephemeral: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('stops submitting while the server is down, never sends an unrecorded create, and resumes when it is back', async () => {
    const url = await server.createDatabase('outage');
    const db = await openDatabase(url);
    const N = 12;
    await storedBatch(db, { batchId: 'ob1', name: 'outage', rows: N });

    // Jobs outlast the outage: the ones running when the server goes are still generating, and are polled.
    const fake = new FakeKie({ jobMs: 3_000 });
    const kie = new ProbingKie(fake, url);
    const config = parseFleetConfig({ ...structuredClone(DEFAULT_CONFIG), defaultPlan: 'pro_plus' });
    const fleet = await startFleet({ db, gateway: kie, clock: createScaledClock(50), config });
    // A listener of this process loses its connection with the server and must come back by itself.
    let reconnected = 0;
    const heard: string[] = [];
    const unlisten = await listen(db, 'cf_outage', (p) => heard.push(p), { onReconnect: () => reconnected++ });
    try {
      // Mid-run: some jobs at KIE with their remote ids stored (those are polled through the outage).
      const stored = async () => Number((await db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).where('remote_task_id', 'is not', null).executeTakeFirstOrThrow()).n);
      for (let i = 0; kie.creates.length < 5 || (await stored()) < 3; i++) {
        if (i > 1000) throw new Error('the fleet never submitted');
        await sleep(10);
      }
      // The server goes away mid-run: a fast shutdown ends every session, then nothing listens.
      const stoppingAt = Date.now();
      await server.pause();
      const downAt = Date.now();
      const pollsAtDown = fake.getCalls;
      for (let i = 0; fleet.storage().writable; i++) {
        if (i > 1000) throw new Error('the fleet never noticed the database was gone');
        await sleep(10);
      }
      expect(fleet.supervisor.status().storage).toBe('unwritable');
      // At least 2.5 s (125 s of engine time) without a database, and until a running job has been polled.
      const minimumEnd = Date.now() + 2_500;
      for (let i = 0; Date.now() < minimumEnd || fake.getCalls === pollsAtDown; i++) {
        if (i > 250) break;
        await sleep(20);
      }
      expect(fleet.storage().writable).toBe(false);
      const sentWhileDown = kie.creates.filter((c) => c.at >= downAt);
      expect(sentWhileDown, 'createTask calls while the database was down').toEqual([]);
      expect(fake.getCalls, 'running jobs are still watched').toBeGreaterThan(pollsAtDown);
      await server.start();
      const upAt = Date.now();

      for (let i = 0; !fleet.supervisor.isIdle(); i++) {
        if (i > 1500) throw new Error(`the batch did not finish: ${JSON.stringify(fleet.supervisor.batchProgress('ob1'))}`);
        await sleep(20);
      }
      await fleet.flush();
      expect(fleet.storage().writable).toBe(true);
      for (let i = 0; reconnected === 0; i++) {
        if (i > 500) throw new Error('the listener never reconnected');
        await sleep(20);
      }
      await notify(db, 'cf_outage', 'back');
      for (let i = 0; heard.length === 0 && i < 250; i++) await sleep(20);
      expect(heard).toEqual(['back']);

      // Every create went out after its attempt was committed (read back on another connection), none while down.
      // A create whose probe found the server going away was already on its way as the server stopped: its
      // attempt is in the database all the same.
      const finalAttempts = new Map((await db.selectFrom('tasks').select(['id', 'attempts']).execute()).map((r) => [r.id, r.attempts]));
      for (const c of kie.creates) {
        const what = `${c.taskId} attempt ${c.attempt} sent at ${c.at} (server stopping ${stoppingAt}, down ${downAt}..${upAt})`;
        expect(c.at < downAt || c.at >= upAt, what).toBe(true);
        // (Its probe's read may finish a moment after the create was sent: the window opens a second before the stop.)
        if (c.durableAttempts === 'database down') expect(c.at >= stoppingAt - 1_000 && c.at < downAt, what).toBe(true);
        expect(c.durableAttempts === 'database down' ? finalAttempts.get(c.taskId)! : c.durableAttempts, what).toBeGreaterThanOrEqual(c.attempt);
      }
      // Each row created once at KIE, its remote id stored, every task succeeded, charged once.
      expect([...fake.creates.values()]).toEqual(Array(N).fill(1));
      const rows = await db.selectFrom('tasks').select(['state', 'remote_task_id']).execute();
      expect(rows.filter((r) => r.state !== 'succeeded' || !r.remote_task_id)).toEqual([]);
      expect(await batchTotals(db, 'ob1')).toEqual({ reserved: N * 15, charged: N * 15, refunded: 0 });
      const types = (await db.selectFrom('task_events').select('type').execute()).map((r) => r.type);
      expect(types).toContain('storage.unavailable');
      expect(types).toContain('storage.available');
    } finally {
      await unlisten();
      await fleet.stop();
      await db.destroy();
    }
  }, 120_000);
});
