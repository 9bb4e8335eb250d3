import { afterEach, describe, expect, it } from 'vitest';
import { LeaseOwner, type OwnershipHandlers } from '../src/cluster/ownership.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { EventBus } from '../src/fleet/bus.ts';
import { FleetWriter, LeaseLostError } from '../src/fleet/writer.ts';
import { onSkewedHost } from './helpers/host-clock.ts';
import { freshDatabase } from './helpers/postgres.ts';
import { storedBatch } from './helpers/stored-batch.ts';

const LEASE_MS = 60_000;
const TEN_MINUTES = 600_000;
/** No heartbeat of its own: the test runs each one (`heartbeat()`), so a skewed host's run alone. */
const MANUAL_HEARTBEAT = 3_600_000;

/** Handlers that record what the owner was told; every user has work and is never idle. */
function recorder() {
  const claimed: string[] = [];
  const lost: string[] = [];
  const handlers: OwnershipHandlers = {
    claimed: async (userId) => void claimed.push(userId!),
    lost: (userId) => void lost.push(userId),
    idle: () => false,
    movable: () => true,
    status: () => '{}',
    tick: () => {},
  };
  return { claimed, lost, handlers };
}

describe('user leases on PostgreSQL', () => {
  const opened: { db: Db; owners: LeaseOwner[] }[] = [];
  afterEach(async () => {
    for (const { db, owners } of opened.splice(0)) {
      for (const o of owners) await o.stop();
      await db.destroy();
    }
  });

  it('workers racing for users claim each exactly once (SKIP LOCKED), each up to its fair share', async () => {
    const db = await openDatabase(await freshDatabase());
    const owners = Array.from({ length: 4 }, () => new LeaseOwner(db, { ttlMs: LEASE_MS }));
    opened.push({ db, owners });
    const seen = owners.map(() => recorder());
    // Every worker is up (and idle) before there is work.
    await Promise.all(owners.map((o, i) => o.start(seen[i]!.handlers)));
    for (let u = 0; u < 8; u++) await storedBatch(db, { batchId: `b${u}`, name: `user${u}`, rows: 1 });
    await Promise.all(owners.map((o) => o.heartbeat()));
    const claims = seen.flatMap((s) => s.claimed);
    expect(new Set(claims).size).toBe(8);
    expect(claims).toHaveLength(8);
    for (const s of seen) expect(s.claimed.length).toBeLessThanOrEqual(2);
  });

  it("a write made under a lease that was taken over is refused: nothing of it is stored, and the old owner drops the user", async () => {
    const db = await openDatabase(await freshDatabase());
    const a = new LeaseOwner(db, { ttlMs: LEASE_MS });
    const b = new LeaseOwner(db, { ttlMs: LEASE_MS });
    opened.push({ db, owners: [a, b] });
    const { user, tasks } = await storedBatch(db, { batchId: 'b1', name: 'solo', rows: 2 });
    const seenA = recorder();
    const seenB = recorder();
    await a.start(seenA.handlers);
    await b.start(seenB.handlers);
    expect(seenA.claimed).toEqual([user.id]);
    expect(seenB.claimed).toEqual([]);

    const writer = new FleetWriter(db, new EventBus(), undefined, 'fleet:test', a);
    // Held: the attempt is stored.
    await writer.recordAttempt(user.id, tasks[0]!.id, 1, 'default', Date.now());
    const row = () => db.selectFrom('tasks').select(['id', 'state', 'attempts']).where('batch_id', '=', 'b1').orderBy('id').execute();
    expect((await row())[0]).toMatchObject({ state: 'submitting', attempts: 1 });

    // A's lease runs out (it stopped renewing) and B takes the user over: the epoch moves on.
    await db.updateTable('user_leases').set({ expires_at: 0 }).where('user_id', '=', user.id).execute();
    await b.heartbeat();
    expect(seenB.claimed).toEqual([user.id]);

    // A's next write for the user is refused in its transaction: nothing stored, the caller told, A drops the user.
    await expect(writer.recordAttempt(user.id, tasks[1]!.id, 1, 'default', Date.now())).rejects.toBeInstanceOf(LeaseLostError);
    expect((await row())[1]).toMatchObject({ state: 'queued', attempts: 0 });
    expect(seenA.lost).toEqual([user.id]);
    expect(a.epochOf(user.id)).toBeUndefined();
    // B, at its epoch, writes.
    const writerB = new FleetWriter(db, new EventBus(), undefined, 'fleet:test-b', b);
    await writerB.recordAttempt(user.id, tasks[1]!.id, 1, 'default', Date.now());
    expect((await row())[1]).toMatchObject({ state: 'submitting', attempts: 1 });
  });

  it('a worker joining late gets its share: users over the first one\'s share go back at a safe point, with their slots', async () => {
    const db = await openDatabase(await freshDatabase());
    const a = new LeaseOwner(db, { ttlMs: LEASE_MS });
    const b = new LeaseOwner(db, { ttlMs: LEASE_MS });
    opened.push({ db, owners: [a, b] });
    const users = [];
    for (let u = 0; u < 4; u++) users.push(await storedBatch(db, { batchId: `b${u}`, name: `user${u}`, rows: 1 }));
    const seenA = recorder();
    const seenB = recorder();
    // user0 has a createTask in flight at A: it must not move.
    const busy = users[0]!.user.id;
    seenA.handlers.movable = (userId) => userId !== busy;
    await a.start(seenA.handlers);
    expect(seenA.claimed).toHaveLength(4);
    // A job of each user runs at KIE under A's slot.
    for (const { tasks } of users) await db.insertInto('provider_slots').values({ task_id: tasks[0]!.id, account_id: 'default', worker_id: a.workerId, since: 0 }).execute();

    await b.start(seenB.handlers);
    expect(seenB.claimed).toEqual([]);
    // A's next heartbeat: 4 users over 2 workers, a share of 2: two movable users go back, never the busy one.
    await a.heartbeat();
    expect(seenA.lost).toHaveLength(2);
    expect(seenA.lost).not.toContain(busy);
    expect(a.held().sort()).toEqual(users.map((u) => u.user.id).filter((id) => !seenA.lost.includes(id)).sort());
    // B claims them at its next heartbeat, with their slots: B releases those jobs' slots when they end.
    await b.heartbeat();
    expect(seenB.claimed.sort()).toEqual([...seenA.lost].sort());
    const slots = await db.selectFrom('provider_slots').innerJoin('tasks', 'tasks.id', 'provider_slots.task_id').select(['tasks.user_id', 'provider_slots.worker_id']).execute();
    for (const s of slots) expect(s.worker_id, s.user_id).toBe(seenB.claimed.includes(s.user_id) ? b.workerId : a.workerId);
    // Balanced: nothing moves any more.
    await a.heartbeat();
    await b.heartbeat();
    expect(seenA.lost).toHaveLength(2);
    expect(seenB.lost).toEqual([]);
  });

  it("a worker whose host clock is ten minutes behind keeps its users: the database's clock judges its lease", async () => {
    const db = await openDatabase(await freshDatabase());
    const behind = new LeaseOwner(db, { ttlMs: LEASE_MS, heartbeatMs: MANUAL_HEARTBEAT });
    const exact = new LeaseOwner(db, { ttlMs: LEASE_MS, heartbeatMs: MANUAL_HEARTBEAT });
    opened.push({ db, owners: [behind, exact] });
    const { user } = await storedBatch(db, { batchId: 'b1', name: 'solo', rows: 1 });
    const seenBehind = recorder();
    const seenExact = recorder();
    await onSkewedHost(-TEN_MINUTES, () => behind.start(seenBehind.handlers));
    expect(seenBehind.claimed).toEqual([user.id]);
    // A lease stamped by the late clock would have run out ten minutes ago: the other worker would take the user.
    await exact.start(seenExact.handlers);
    await onSkewedHost(-TEN_MINUTES, () => behind.heartbeat());
    await exact.heartbeat();
    expect(seenExact.claimed).toEqual([]);
    expect(seenBehind.lost).toEqual([]);
    expect(behind.held()).toEqual([user.id]);
  });

  it("a dead worker whose host clock was ten minutes ahead loses its users within a lease time", async () => {
    const db = await openDatabase(await freshDatabase());
    const ttlMs = 1_000;
    const ahead = new LeaseOwner(db, { ttlMs, heartbeatMs: MANUAL_HEARTBEAT });
    const exact = new LeaseOwner(db, { ttlMs, heartbeatMs: MANUAL_HEARTBEAT });
    opened.push({ db, owners: [ahead, exact] });
    const { user } = await storedBatch(db, { batchId: 'b1', name: 'solo', rows: 1 });
    const seenAhead = recorder();
    await onSkewedHost(TEN_MINUTES, () => ahead.start(seenAhead.handlers));
    expect(seenAhead.claimed).toEqual([user.id]);
    // 'ahead' dies here (it never heartbeats again). Stamped by its clock, its lease would last ten minutes more.
    const seenExact = recorder();
    await exact.start(seenExact.handlers);
    await new Promise((r) => setTimeout(r, ttlMs + 300));
    await exact.heartbeat();
    expect(seenExact.claimed).toEqual([user.id]);
    expect(exact.held()).toEqual([user.id]);
  });
});
