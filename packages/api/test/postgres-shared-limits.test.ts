import { accountLimits, parseFleetConfig, DEFAULT_CONFIG, type PermitAnswer, type PermitRequest } from '@clipfleet/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { dbNowPlus } from '../src/db/clock.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { requestProviderResume } from '../src/cluster/broadcast.ts';
import { registerWorker } from '../src/cluster/leases.ts';
import { SharedLimits } from '../src/limits/index.ts';
import { onSkewedHost } from './helpers/host-clock.ts';
import { freshDatabase } from './helpers/postgres.ts';

/** Two KIE accounts of 5 creates per second (window 1 s, no margin) and a global cap of 6 running jobs. */
const provider = parseFleetConfig({
  ...DEFAULT_CONFIG,
  provider: { ...DEFAULT_CONFIG.provider, maxRunning: 6, createLimit: 5, createWindowMs: 1_000, createWindowMarginMs: 0, accounts: [{ id: 'a' }, { id: 'b' }] },
}).provider;
const LIMITS = { maxRunning: provider.maxRunning, accounts: accountLimits(provider) };

const open: Db[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

/** A process of its own: its own pool of connections to the database, its own limits. */
async function worker(url: string, workerId: string, recheckMs = 50, clock?: () => number): Promise<SharedLimits> {
  const db = await openDatabase(url);
  open.push(db);
  const limits = new SharedLimits(db, { workerId, recheckMs, staleSlotMs: 10_000, liveMs: 5_000, ...(clock ? { clock } : {}) });
  limits.configure(LIMITS);
  await limits.flush();
  return limits;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Moves what the database knows of a worker `ms` into the past (its last permit, its slots' bookings). */
async function age(db: Db, workerId: string, ms: number): Promise<void> {
  await db.updateTable('limit_workers').set((eb) => ({ seen_at: eb('seen_at', '-', ms) })).where('worker_id', '=', workerId).execute();
  await db.updateTable('provider_slots').set((eb) => ({ since: eb('since', '-', ms) })).where('worker_id', '=', workerId).execute();
}

/** The worker's last heartbeat was `ms` ago, by the database's clock. */
async function heartbeatAgo(db: Db, workerId: string, ms: number): Promise<void> {
  await db.updateTable('cluster_workers').set({ heartbeat_at: dbNowPlus(db, -ms) }).where('id', '=', workerId).execute();
}

describe('shared limits on a real Postgres', { timeout: 60_000 }, () => {
  it('four workers racing for permits never exceed an account window or the global cap', async () => {
    const url = await freshDatabase();
    const workers = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((id) => worker(url, id)));
    const probe = await openDatabase(url);
    open.push(probe);
    const start = Date.now();
    const now = () => Date.now() - start;
    const grants: { accountId: string; at: number }[] = [];
    let maxSlots = 0;
    let denials = 0;
    let n = 0;
    const until = 3_000;
    // Each worker runs several seekers at once, like a supervisor with many tasks waiting.
    const seeker = async (limits: SharedLimits, w: number) => {
      while (now() < until) {
        const taskId = `w${w}-t${n++}`;
        const request: PermitRequest = { accountId: n % 2 ? 'a' : 'b', taskId, userId: `u${w}`, attempt: 1, now: now(), activeUsers: 1 };
        const answer: PermitAnswer = await limits.acquire(request);
        if (!answer.granted) {
          denials++;
          await sleep(5);
          continue;
        }
        grants.push({ accountId: request.accountId, at: request.now });
        limits.created({ accountId: request.accountId, taskId, attempt: 1, at: now(), reached: true });
        const slots = await probe.selectFrom('provider_slots').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        maxSlots = Math.max(maxSlots, Number(slots.n));
        // The job runs a while, then its slot is given back.
        await sleep(20 + (n % 7) * 15);
        limits.release(taskId);
      }
    };
    await Promise.all(workers.flatMap((limits, w) => [seeker(limits, w), seeker(limits, w), seeker(limits, w)]));
    await Promise.all(workers.map((l) => l.flush()));

    expect(grants.length).toBeGreaterThan(10);
    expect(denials).toBeGreaterThan(0);
    for (const account of ['a', 'b']) {
      const times = grants.filter((g) => g.accountId === account).map((g) => g.at).sort((x, y) => x - y);
      times.forEach((t) => {
        const inWindow = times.filter((u) => u > t - 1_000 && u <= t).length;
        expect(inWindow, `${account} at ${t}`).toBeLessThanOrEqual(5);
      });
      expect(times.length, account).toBeLessThanOrEqual(5 * Math.ceil(until / 1_000) + 5);
    }
    expect(maxSlots).toBeLessThanOrEqual(6);
    const left = await probe.selectFrom('provider_slots').selectAll().execute();
    expect(left).toEqual([]);
  });

  it('a window full on one worker is full on the other, with the time it frees', async () => {
    const url = await freshDatabase();
    const [w1, w2] = await Promise.all([worker(url, 'w1'), worker(url, 'w2')]);
    const ask = (limits: SharedLimits, taskId: string, now: number, accountId = 'a') => limits.acquire({ accountId, taskId, userId: 'u', attempt: 1, now, activeUsers: 1 });
    for (let i = 0; i < 5; i++) expect(await ask(w1, `t${i}`, 100 + i)).toEqual({ granted: true });
    // Answered at once, and the jobs end at once: only the window holds the next create back.
    for (let i = 0; i < 5; i++) w1.created({ accountId: 'a', taskId: `t${i}`, attempt: 1, at: 100, reached: true });
    for (let i = 0; i < 5; i++) w1.release(`t${i}`);
    await w1.flush();
    expect(await ask(w2, 'late', 500)).toEqual({ granted: false, reason: 'window', retryAt: 1_100 });
    expect(w2.room('a', 500)).toEqual({ creates: 0, nextAt: 1_100 });
    expect(await ask(w2, 'late', 1_100)).toEqual({ granted: true });
    // The other account has its own window.
    expect(await ask(w2, 'other', 500, 'b')).toEqual({ granted: true });
  });

  it('shares the gate: a throttle or a halt seen by one worker denies the others, a resume lifts it', async () => {
    const url = await freshDatabase();
    const [w1, w2] = await Promise.all([worker(url, 'w1'), worker(url, 'w2')]);
    const ask = (taskId: string, now: number) => w2.acquire({ accountId: 'a', taskId, userId: 'u', attempt: 1, now, activeUsers: 1 });
    w1.share('a', { kind: 'throttled', untilAt: 5_000, code: 429 });
    await w1.flush();
    expect(await ask('t1', 1_000)).toEqual({ granted: false, reason: 'throttled', code: 429, retryAt: 5_000 });
    expect(await ask('t1', 5_000)).toEqual({ granted: true });
    w1.share('a', { kind: 'halted', code: 401, message: 'unauthorized' });
    await w1.flush();
    expect(await ask('t2', 6_000)).toMatchObject({ granted: false, reason: 'halted', code: 401, message: 'unauthorized' });
    w2.share('a', { kind: 'resumed' });
    await w2.flush();
    expect(await ask('t2', 6_000)).toEqual({ granted: true });
  });

  it('shares the AIMD level: accounts degraded on one worker lower the global cap for all', async () => {
    const url = await freshDatabase();
    const [w1, w2] = await Promise.all([worker(url, 'w1'), worker(url, 'w2')]);
    w1.share('a', { kind: 'level', level: 1 });
    w1.share('b', { kind: 'level', level: 1 });
    await w1.flush();
    // No users waiting behind these asks: the fair shares stay out of it.
    const ask = (limits: SharedLimits, taskId: string) => limits.acquire({ accountId: 'a', taskId, userId: 'u', attempt: 1, now: 10, activeUsers: 0 });
    expect(await ask(w1, 't1')).toEqual({ granted: true });
    expect(await ask(w2, 't2')).toEqual({ granted: true });
    expect(await ask(w2, 't3')).toEqual({ granted: false, reason: 'running', retryAt: 60 });
    w1.release('t1');
    await w1.flush();
    expect(await ask(w2, 't3')).toEqual({ granted: true });
  });

  it('fair shares: a worker with one user yields to a worker with three once it holds its share', async () => {
    const url = await freshDatabase();
    const [small, big] = await Promise.all([worker(url, 'small'), worker(url, 'big')]);
    const ask = (limits: SharedLimits, taskId: string, activeUsers: number, now = 10, accountId = 'a') =>
      limits.acquire({ accountId, taskId, userId: 'u', attempt: 1, now, activeUsers });
    // Alone, the small worker may use the cap it finds free (nobody else waits).
    expect(await ask(small, 's1', 1)).toEqual({ granted: true });
    expect(await ask(small, 's2', 1)).toEqual({ granted: true });
    // The big worker arrives with three users: shares are 6 x 1/4 -> 1 and 6 x 3/4 -> 4.
    expect(await ask(big, 'b1', 3, 10, 'b')).toEqual({ granted: true });
    expect(await ask(small, 's3', 1)).toEqual({ granted: false, reason: 'share', retryAt: 60 });
    for (const id of ['b2', 'b3']) expect(await ask(big, id, 3, 10, 'b')).toEqual({ granted: true });
    // Still below its share, the big worker keeps the small one back...
    expect(await ask(small, 's3', 1, 100)).toEqual({ granted: false, reason: 'share', retryAt: 150 });
    // ...until it stops asking (its users have all they can run): the free slot is anyone's.
    await age(open[0]!, 'big', 1_000);
    expect(await ask(small, 's3', 1, 200)).toEqual({ granted: true });
    expect(await ask(big, 'b4', 3, 200, 'b')).toEqual({ granted: false, reason: 'running', retryAt: 250 });
  });

  it('sweeps slots a dead worker left behind once their tasks no longer run', async () => {
    const url = await freshDatabase();
    const [dead, alive] = await Promise.all([worker(url, 'dead'), worker(url, 'alive')]);
    for (let i = 0; i < 3; i++) await dead.acquire({ accountId: i % 2 ? 'a' : 'b', taskId: `gone-${i}`, userId: 'u', attempt: 1, now: 0, activeUsers: 1 });
    await age(open[0]!, 'dead', 20_000);
    for (let i = 0; i < 3; i++) expect(await alive.acquire({ accountId: 'b', taskId: `x${i}`, userId: 'v', attempt: 1, now: 20_000 + i, activeUsers: 1 })).toEqual({ granted: true });
    // Full: the dead worker's three slots are older than 10 s and their tasks are not running (not even stored).
    expect(await alive.acquire({ accountId: 'a', taskId: 'x3', userId: 'v', attempt: 1, now: 20_010, activeUsers: 1 })).toEqual({ granted: true });
  });

  it("never sweeps a live worker's slots, however long ago their permits were asked (the cap holds)", async () => {
    const url = await freshDatabase();
    const [busy, other] = await Promise.all([worker(url, 'busy'), worker(url, 'other')]);
    // 'busy' heartbeats as a cluster worker. Its permits were asked at 0 but granted just now, under load: the
    // attempts are not written yet, so the tasks look idle in the database (here: not stored at all).
    const db = open[0]!;
    await registerWorker(db, { id: 'busy', pid: process.pid, host: 'here' });
    for (let i = 0; i < 6; i++) expect(await busy.acquire({ accountId: i % 2 ? 'a' : 'b', taskId: `t${i}`, userId: 'u', attempt: 1, now: 0, activeUsers: 1 })).toEqual({ granted: true });
    await age(db, 'busy', 20_000);
    // Long after, by the slots' times, the cap is still full: the jobs are about to start at KIE.
    expect(await other.acquire({ accountId: 'a', taskId: 'late', userId: 'v', attempt: 1, now: 20_000, activeUsers: 1 })).toEqual({ granted: false, reason: 'running', retryAt: 20_050 });
    // Once 'busy' stops heartbeating (it died), its slots of tasks that do not run are swept.
    await heartbeatAgo(db, 'busy', 6_000);
    expect(await other.acquire({ accountId: 'a', taskId: 'late', userId: 'v', attempt: 1, now: 20_100, activeUsers: 1 })).toEqual({ granted: true });
  });

  it('books a permit at the time it is decided, not the time it was asked', async () => {
    const url = await freshDatabase();
    let clock = 0;
    const [w1, w2] = await Promise.all([worker(url, 'w1', 50, () => clock), worker(url, 'w2', 50, () => clock)]);
    // Asked at 0, decided at 900 (it waited for the lock): the create counts in the window until 1,900.
    clock = 900;
    for (let i = 0; i < 5; i++) expect(await w1.acquire({ accountId: 'a', taskId: `t${i}`, userId: 'u', attempt: 1, now: 0, activeUsers: 0 })).toEqual({ granted: true });
    // Answered by the time the request's own clock says: no earlier than the grant.
    for (let i = 0; i < 5; i++) w1.created({ accountId: 'a', taskId: `t${i}`, attempt: 1, at: 0, reached: true });
    for (let i = 0; i < 5; i++) w1.release(`t${i}`);
    await w1.flush();
    clock = 1_500;
    expect(await w2.acquire({ accountId: 'a', taskId: 'next', userId: 'u', attempt: 1, now: 1_200, activeUsers: 0 })).toEqual({ granted: false, reason: 'window', retryAt: 1_900 });
    const since = await open[0]!.selectFrom('provider_creates').select('at').where('account_id', '=', 'a').execute();
    expect(since.map((r) => Number(r.at))).toEqual([900, 900, 900, 900, 900]);
  });

  it('an account removed from the configuration no longer counts toward the cap in force', async () => {
    const url = await freshDatabase();
    const [w1, w2] = await Promise.all([worker(url, 'w1'), worker(url, 'w2')]);
    const three = { ...LIMITS, accounts: [...LIMITS.accounts, { ...LIMITS.accounts[0]!, id: 'c' }] };
    w1.configure(three);
    // Degraded to one running job each, c's level 4: the cap in force is min(6, 1 + 1 + 4) = 6.
    w1.share('a', { kind: 'level', level: 1 });
    w1.share('b', { kind: 'level', level: 1 });
    w1.share('c', { kind: 'level', level: 4 });
    await w1.flush();
    // c is gone from the configuration (every process restarted without it): the cap is 1 + 1.
    w2.configure(LIMITS);
    await w2.flush();
    const ask = (taskId: string, accountId: string) => w2.acquire({ accountId, taskId, userId: 'u', attempt: 1, now: 10, activeUsers: 0 });
    expect(await ask('t1', 'a')).toEqual({ granted: true });
    expect(await ask('t2', 'b')).toEqual({ granted: true });
    expect(await ask('t3', 'a')).toEqual({ granted: false, reason: 'running', retryAt: 60 });
  });

  it("an operator's resume lifts a shared halt even when no live worker is halted itself", async () => {
    const url = await freshDatabase();
    const [gone, idle] = await Promise.all([worker(url, 'gone'), worker(url, 'idle')]);
    // The worker that met the 401 shared the halt, then died; the other never asked since, so its own gate is open.
    gone.share('a', { kind: 'halted', code: 401, message: 'unauthorized' });
    await gone.flush();
    await requestProviderResume(open[0]!);
    expect(await idle.acquire({ accountId: 'a', taskId: 't1', userId: 'u', attempt: 1, now: 10, activeUsers: 0 })).toEqual({ granted: true });
  });

  it("counts a create in the window from KIE's answer, not from its grant", async () => {
    const url = await freshDatabase();
    const [w1, w2] = await Promise.all([worker(url, 'w1'), worker(url, 'w2')]);
    const ask = (limits: SharedLimits, taskId: string, now: number) => limits.acquire({ accountId: 'a', taskId, userId: 'u', attempt: 1, now, activeUsers: 0 });
    // Granted at 0; the calls reached KIE later, and it answered at 400 (the attempt's write, the HTTP call).
    for (let i = 0; i < 5; i++) expect(await ask(w1, `t${i}`, 0)).toEqual({ granted: true });
    for (let i = 0; i < 5; i++) w1.created({ accountId: 'a', taskId: `t${i}`, attempt: 1, at: 400, reached: true });
    for (let i = 0; i < 5; i++) w1.release(`t${i}`);
    await w1.flush();
    // KIE's window holds them until after 1,000: so does the shared one.
    expect(await ask(w2, 'next', 1_100)).toEqual({ granted: false, reason: 'window', retryAt: 1_400 });
    expect(await ask(w2, 'next', 1_400)).toEqual({ granted: true });
  });

  it('an unanswered create on a live worker counts however long its call takes; one that never left, or a permit given back, frees its place', async () => {
    const url = await freshDatabase();
    const [w1, w2] = await Promise.all([worker(url, 'w1'), worker(url, 'w2')]);
    await registerWorker(open[0]!, { id: 'w1', pid: process.pid, host: 'here' });
    const ask = (limits: SharedLimits, taskId: string, now: number) => limits.acquire({ accountId: 'a', taskId, userId: 'u', attempt: 1, now, activeUsers: 0 });
    for (let i = 0; i < 5; i++) expect(await ask(w1, `t${i}`, 0)).toEqual({ granted: true });
    // Five seconds on (a slow write, a stalled event loop), no answer yet: KIE may receive them any moment.
    expect(await ask(w2, 'next', 5_000)).toEqual({ granted: false, reason: 'window', retryAt: 6_000 });
    // w2 never hears w1's answers: its own view (a hint for planning) counts them from its read, and asks again a
    // window later (a view that waited for answers would never ask again).
    expect(w2.room('a', 5_999)).toEqual({ creates: 0, nextAt: 6_000 });
    expect(w2.room('a', 6_000).creates).toBe(5);
    w1.created({ accountId: 'a', taskId: 't0', attempt: 1, at: 5_000, reached: false });
    w1.release('t0');
    w1.release('t1');
    w1.created({ accountId: 'a', taskId: 't2', attempt: 1, at: 5_100, reached: true });
    await w1.flush();
    // t0 never reached KIE and t1's permit went unused: two places; t2 counts from its answer.
    expect(await ask(w2, 'n1', 5_200)).toEqual({ granted: true });
    expect(await ask(w2, 'n2', 5_200)).toEqual({ granted: true });
    expect(await ask(w2, 'n3', 5_200)).toEqual({ granted: false, reason: 'window', retryAt: 6_100 });
    // When w1 dies, its unanswered creates count from their grants (long gone from the window here).
    await heartbeatAgo(open[0]!, 'w1', 6_000);
    expect(await ask(w2, 'n3', 5_300)).toEqual({ granted: true });
  });

  it("a host whose clock is ten minutes ahead still counts a live worker's unanswered creates and never sweeps its slots", async () => {
    const url = await freshDatabase();
    const [w1, ahead] = await Promise.all([worker(url, 'w1'), worker(url, 'ahead')]);
    await registerWorker(open[0]!, { id: 'w1', pid: process.pid, host: 'here' });
    // Each process asks at its own host's time, as the engine's clock reads it.
    const ask = (limits: SharedLimits, taskId: string, accountId: string) => limits.acquire({ accountId, taskId, userId: 'u', attempt: 1, now: Date.now(), activeUsers: 0 });
    // w1 fills account a's window with creates on their way to KIE (unanswered), and the cap with a sixth job on b.
    for (let i = 0; i < 5; i++) expect(await ask(w1, `a${i}`, 'a')).toEqual({ granted: true });
    expect(await ask(w1, 'b0', 'b')).toEqual({ granted: true });
    // By a clock ten minutes on, w1's heartbeat and bookings are ten minutes old: judged by it, w1 would be dead,
    // its unanswered creates out of the window and its slots swept.
    await onSkewedHost(10 * 60_000, async () => {
      expect(await ask(ahead, 'x', 'a')).toMatchObject({ granted: false, reason: 'window' });
      expect(await ask(ahead, 'y', 'b')).toMatchObject({ granted: false, reason: 'running' });
    });
  });
});
