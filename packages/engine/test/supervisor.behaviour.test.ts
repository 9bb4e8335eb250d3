import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, hydrateSupervisor, initialFacts, parseFleetConfig, type EngineEvent } from '../src/index.ts';
import { runUntil } from './support/steppingClock.ts';
import { CLASSES, configWith, harness, makeTasks, type TaskClass } from './support/fleet.ts';
import type { AttemptScript } from './support/scriptedGateway.ts';

const [SORA_720_10, , PRO_720_15, PRO_1080_10, PRO_1080_15] = CLASSES as [TaskClass, TaskClass, TaskClass, TaskClass, TaskClass];
const repeat = <T,>(n: number, x: T): T[] => Array.from({ length: n }, () => x);
const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) =>
  events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);

/** Highest number of this user's tasks alive at once, from the event log. */
function peakRunning(events: EngineEvent[]): number {
  let running = 0;
  let peak = 0;
  for (const e of events) {
    if (e.type === 'task.admitted') peak = Math.max(peak, ++running);
    if (['task.succeeded', 'task.failed', 'task.timedOut', 'task.cancelled'].includes(e.type)) running--;
  }
  return peak;
}

describe('admission', () => {
  it.each([
    ['pro', PRO_720_15, 3],
    ['pro', PRO_1080_15, 2],
    ['pro', { ...SORA_720_10 }, 4],
    ['pro_plus', PRO_720_15, 5],
    ['pro_plus', PRO_1080_15, 3],
    ['pro_plus', { ...SORA_720_10 }, 7],
  ])('%s runs at most the class concurrency at once (%o -> %i)', async (plan, cls, limit) => {
    const h = harness({ userPlans: { u: plan } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(20, cls)) });
    await h.run();
    expect(peakRunning(h.events)).toBe(limit);
  });

  it('follows the seed order: fast queue (720p, 1080p 10 s) before slow (1080p 15 s), shortest first', async () => {
    const h = harness({ userPlans: { u: 'pro' } });
    const mix = [PRO_1080_15, PRO_720_15, PRO_1080_10, SORA_720_10, PRO_1080_15, PRO_720_15];
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', mix) });
    await h.run();
    const order = ofType(h.events, 'task.admitted').map((e) => Number(e.taskId.split('-t')[1]));
    expect(order).toEqual([2, 3, 1, 5, 0, 4]);
  });

  it('mixes classes under one capacity: a 1080p and a 720p task leave no room for another 720p on pro', async () => {
    const long: AttemptScript = { genMs: 200_000, outcome: 'success' };
    const h = harness({ scripts: { 'slow-t0': [long], 'fast-t0': [long] }, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'slow', userId: 'u', tasks: makeTasks('slow', 'u', [PRO_1080_15]) });
    h.supervisor.addBatch({ batchId: 'fast', userId: 'u', tasks: makeTasks('fast', 'u', repeat(4, PRO_720_15)) });
    // 1/2 + 1/3 = 5/6 in use: a third task (1/3) would exceed the plan.
    expect(h.supervisor.status().users[0]!.capacityUsed).toBeCloseTo(5 / 6, 9);
    expect(h.supervisor.status().running).toBe(2);
    await h.run();
    expect(peakRunning(h.events)).toBe(3); // once the 1080p task is done, three 720p fit
    expect(h.supervisor.status().users[0]!.capacityUsed).toBe(0);
  });

  it('shares the provider fairly: a small batch submitted later is not starved by a huge one', async () => {
    const config = configWith((c) => void (c.provider.maxRunning = 4));
    const h = harness({ config, userPlans: { big: 'enterprise', small: 'enterprise' } });
    h.supervisor.addBatch({ batchId: 'huge', userId: 'big', tasks: makeTasks('huge', 'big', repeat(200, SORA_720_10)) });
    h.supervisor.addBatch({ batchId: 'tiny', userId: 'small', tasks: makeTasks('tiny', 'small', repeat(3, SORA_720_10)) });
    await h.run();
    const admitted = ofType(h.events, 'task.admitted').map((e) => e.batchId);
    const lastTiny = admitted.lastIndexOf('tiny');
    // Strict alternation once both wait: the three small tasks go within the first 4 + 2 x 3 admissions.
    expect(lastTiny).toBeLessThan(10);
  });

  it('keeps createTask within 20 per 10 s across users', async () => {
    const h = harness({ userPlans: { a: 'enterprise', b: 'enterprise', c: 'enterprise' } });
    for (const u of ['a', 'b', 'c']) h.supervisor.addBatch({ batchId: u, userId: u, tasks: makeTasks(u, u, repeat(30, SORA_720_10)) });
    await h.run();
    const times = h.gateway.creates.map((c) => c.at);
    expect(times).toHaveLength(90);
    for (const t of times) expect(times.filter((u) => u > t - 10_000 && u <= t).length).toBeLessThanOrEqual(20);
    expect(times.filter((t) => t < 10_000)).toHaveLength(20);
  });
});

describe('provider trouble', () => {
  it('429 with Retry-After: waits, throttles every create, and does not use the retry budget', async () => {
    const scripts = { 'b-t0': [{ create: { code: 429, message: 'rate limited', retryAfterMs: 30_000 } }] };
    const h = harness({ scripts, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(3, PRO_720_15)) });
    await h.run();
    const retry = ofType(h.events, 'task.retryScheduled')[0]!;
    expect(retry).toMatchObject({ taskId: 'b-t0', consumesAttempt: false, nextAttempt: 1, delayMs: 30_000 });
    expect(ofType(h.events, 'provider.throttled')[0]).toMatchObject({ code: 429, untilAt: 30_000 });
    // Nothing is sent while throttled.
    expect(h.gateway.creates.filter((c) => c.at > 0 && c.at < 30_000)).toHaveLength(0);
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(3);
    expect(h.gateway.creates.filter((c) => c.taskId === 'b-t0').map((c) => c.attempt)).toEqual([1, 1]);
  });

  it('455 maintenance without Retry-After backs off 5 s, 10 s, 20 s and keeps attempt 1', async () => {
    const m = { create: { code: 455, message: 'maintenance' } };
    const h = harness({ scripts: { 'b-t0': [m, m, m] }, userPlans: { u: 'free' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [PRO_720_15]) });
    await h.run();
    expect(ofType(h.events, 'task.retryScheduled').map((e) => [e.delayMs, e.nextAttempt])).toEqual([
      [5_000, 1],
      [10_000, 1],
      [20_000, 1],
    ]);
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(1);
  });

  it('401 halts all submissions until an operator resumes; the task keeps its attempt', async () => {
    const h = harness({ scripts: { 'b-t0': [{ create: { code: 401, message: 'unauthorized' } }] }, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(3, PRO_720_15)) });
    await expect(h.run(500)).rejects.toThrow(/stuck/);
    expect(h.supervisor.status().provider).toBe('halted');
    expect(ofType(h.events, 'provider.halted')).toHaveLength(1);
    const createsWhileHalted = h.gateway.creates.length;
    h.supervisor.resumeProvider();
    await h.run();
    expect(ofType(h.events, 'provider.resumed')).toHaveLength(1);
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(3);
    expect(h.gateway.creates.length).toBe(createsWhileHalted + 1);
    expect(h.gateway.creates.filter((c) => c.taskId === 'b-t0').map((c) => c.attempt)).toEqual([1, 1]);
  });

  it('retries 500s 3 times with 2/4/8 s, then fails; 501 content refusals are not retried', async () => {
    const e500 = { create: { code: 500, message: 'server error' } };
    const refusal: AttemptScript = { genMs: 10_000, outcome: { failCode: 501, failMsg: 'Rejected by safety system (nsfw)' } };
    const h = harness({ scripts: { 'b-t0': [e500, e500, e500, e500], 'b-t1': [refusal] }, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [PRO_720_15, PRO_720_15]) });
    await h.run();
    expect(ofType(h.events, 'task.retryScheduled').map((e) => e.delayMs)).toEqual([2_000, 4_000, 8_000]);
    const failed = ofType(h.events, 'task.failed');
    expect(failed.map((e) => [e.taskId, e.code, e.attempts])).toEqual(
      expect.arrayContaining([
        ['b-t0', 500, 4],
        ['b-t1', 501, 1],
      ]),
    );
  });

  it('degrades on a failure rate above 30% and recovers step by step after healthy results', async () => {
    const e500 = { create: { code: 500, message: 'server error' } };
    const scripts: Record<string, AttemptScript[]> = {};
    for (let i = 0; i < 12; i++) scripts[`b-t${i}`] = [e500, e500];
    const h = harness({ scripts, userPlans: { u: 'pro_plus' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(80, PRO_720_15)) });
    await h.run();
    const changes = ofType(h.events, 'concurrency.changed').map((e) => [e.reason, e.from, e.to]);
    expect(changes[0]).toEqual(['degraded', 5, 3]);
    expect(changes.filter(([r]) => r === 'recovered').at(-1)).toEqual(['recovered', 4, 5]);
    expect(h.supervisor.status().users[0]!.level).toBe(5);
  });
});

describe('provider-wide overload', () => {
  it('lowers the global cap when every user fails at once, and raises it back after healthy results', async () => {
    const config = configWith((c) => void (c.provider.maxRunning = 20));
    const e500 = { create: { code: 500, message: 'server busy' } };
    const scripts: Record<string, AttemptScript[]> = {};
    const users = ['a', 'b', 'c', 'd'];
    for (const u of users) for (let i = 0; i < 8; i++) scripts[`${u}-t${i}`] = [e500, e500];
    const h = harness({ config, scripts, userPlans: Object.fromEntries(users.map((u) => [u, 'enterprise'])) });
    for (const u of users) h.supervisor.addBatch({ batchId: u, userId: u, tasks: makeTasks(u, u, repeat(100, SORA_720_10)) });
    const peaks: number[] = [];
    h.supervisor.subscribe((e) => e.type === 'task.admitted' && peaks.push(h.supervisor.status().running));
    await h.run();
    const changes = ofType(h.events, 'provider.limitChanged').map((e) => [e.reason, e.from, e.to]);
    expect(changes[0]).toEqual(['degraded', 20, 12]);
    expect(changes.at(-1)).toEqual(['recovered', 19, 20]);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(20);
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(400);
  });

  it('does not count 429/455 waits as failures (the gate handles them)', async () => {
    const m = { create: { code: 455, message: 'maintenance' } };
    const scripts = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`b-t${i}`, [m, m]]));
    const h = harness({ scripts, userPlans: { u: 'pro_plus' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(12, PRO_720_15)) });
    await h.run();
    expect(ofType(h.events, 'concurrency.changed')).toHaveLength(0);
    expect(ofType(h.events, 'provider.limitChanged')).toHaveLength(0);
  });
});

describe('waiting for results', () => {
  it('tolerates "recordInfo is null" right after create and fails a record that never appears', async () => {
    const h = harness({ userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [PRO_720_15]) });
    await h.run();
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(1);

    const lost = harness({ userPlans: { u: 'pro' } });
    const getTask = lost.gateway.getTask.bind(lost.gateway);
    lost.gateway.getTask = async (id) => (await getTask(id), { ok: false, error: { code: 422, message: 'recordInfo is null' } });
    lost.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [PRO_720_15]) });
    await lost.run();
    const failed = ofType(lost.events, 'task.failed')[0]!;
    expect(failed).toMatchObject({ code: 422, submitted: true });
    expect(failed.at).toBeGreaterThanOrEqual(90_000);
  });

  it('times an attempt out at 5 min for 720p and 15 min for 1080p', async () => {
    const slow: AttemptScript = { genMs: 3_600_000, outcome: 'success' };
    const h = harness({ scripts: { 'b-t0': [slow], 'b-t1': [slow] }, userPlans: { u: 'enterprise' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [PRO_720_15, PRO_1080_15]) });
    await h.run();
    const submitted = new Map(ofType(h.events, 'task.submitted').map((e) => [e.taskId, e.at]));
    const timedOut = ofType(h.events, 'task.timedOut').map((e) => [e.taskId, e.at - submitted.get(e.taskId)!]);
    expect(timedOut).toEqual([
      ['b-t0', 300_000],
      ['b-t1', 900_000],
    ]);
  });

  it('asks once more at the deadline: a job that finished while the host was down succeeds, not times out', async () => {
    const h = harness({ userPlans: { u: 'pro' } });
    const [spec] = makeTasks('b', 'u', [PRO_720_15]);
    const created = await h.gateway.createTask({ task: spec!, attempt: 1, accountId: 'default' });
    if (!created.ok) throw new Error('fake gateway refused');
    h.clock.set(3_600_000); // the host comes back an hour later: far past the 5 min deadline
    const s2 = hydrateSupervisor({ clock: h.clock, gateway: h.gateway, config: DEFAULT_CONFIG, userPlans: { u: 'pro' }, onEvent: (e) => h.events.push(e) }, [
      { batchId: 'b', userId: 'u', paused: false, tasks: [{ ...initialFacts(spec!), state: 'polling', attempts: 1, remoteTaskId: created.remoteTaskId, accountId: 'default', submittedAt: 0 }] },
    ]);
    await runUntil(h.clock, () => s2.isIdle());
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(1);
    expect(ofType(h.events, 'task.timedOut')).toHaveLength(0);
    expect(h.gateway.creates).toHaveLength(1);
  });

  it('with callbacks, completion is noticed at once, confirmed by a status query', async () => {
    const config = configWith((c) => void (c.provider.callbacks = true));
    const h = harness({ config, userPlans: { u: 'enterprise' } });
    // The fake provider calls back when each job finishes.
    const origCreate = h.gateway.createTask.bind(h.gateway);
    h.gateway.createTask = async (req) => {
      const res = await origCreate(req);
      if (res.ok) {
        const end = h.gateway.jobEnd(res.remoteTaskId)!;
        h.clock.setTimeout(() => {
          const job = h.gateway.finishedJobs(h.clock.now()).find((j) => j.remoteTaskId === res.remoteTaskId)!;
          h.supervisor.deliverCallback(job.remoteTaskId, job.status);
          h.supervisor.deliverCallback(job.remoteTaskId, job.status); // at-least-once: a duplicate is harmless
        }, end - h.clock.now());
      }
      return res;
    };
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(20, SORA_720_10)) });
    await h.run();
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(20);
    // One confirming status query per callback (a callback is only a cue), plus normal polling until
    // callbacks are seen to arrive (supervisor.callbacks.test.ts measures the steady state).
    expect(h.gateway.gets.length / 20).toBeLessThanOrEqual(5);
    for (const e of ofType(h.events, 'task.succeeded')) expect(e.at).toBe(h.gateway.jobEnd(e.remoteTaskId));
  });
});

describe('user actions', () => {
  it('cancel while createTask is in flight waits for its answer and records the remote job', async () => {
    const h = harness({ userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [PRO_720_15]) });
    expect(h.supervisor.task('b-t0')!.state).toBe('submitting');
    h.supervisor.cancelTask('b-t0');
    await h.run();
    expect(ofType(h.events, 'task.cancelled')[0]).toMatchObject({ taskId: 'b-t0', submitted: true });
    expect(h.gateway.creates).toHaveLength(1);
  });

  it('pausing a batch stops admissions but lets remote jobs finish; resume completes it', async () => {
    const h = harness({ userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(9, PRO_720_15)) });
    h.supervisor.pauseBatch('b');
    await expect(h.run(1_000)).rejects.toThrow(/stuck/);
    const progress = h.supervisor.batchProgress('b')!;
    expect(progress.byState.succeeded).toBe(3);
    expect(progress.byState.queued).toBe(6);
    h.supervisor.resumeBatch('b');
    await h.run();
    expect(h.supervisor.batchProgress('b')!.byState.succeeded).toBe(9);
    expect(ofType(h.events, 'batch.paused')).toHaveLength(1);
  });

  it('retryFailed requeues failed tasks with a fresh budget', async () => {
    const e400 = { create: { code: 400, message: 'bad request' } };
    const h = harness({ scripts: { 'b-t1': [e400] }, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(3, PRO_720_15)) });
    await h.run();
    expect(h.supervisor.batchProgress('b')!.byState.failed).toBe(1);
    expect(h.supervisor.retryFailed('b')).toEqual(['b-t1']);
    await h.run();
    expect(h.supervisor.batchProgress('b')!.byState.succeeded).toBe(3);
    expect(ofType(h.events, 'batch.finished')).toHaveLength(2);
  });
});

describe('configuration', () => {
  it('hot reload applies new limits to the next admissions without restarting anything', async () => {
    const h = harness({ userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', repeat(12, PRO_720_15)) });
    const slower = configWith((c) => void (c.plans.find((p) => p.id === 'pro')!.concurrency = 1));
    h.supervisor.updateConfig(slower);
    expect(h.supervisor.status().running).toBe(3); // the three already admitted keep running
    await h.run();
    expect(ofType(h.events, 'concurrency.changed')[0]).toMatchObject({ reason: 'config', from: 3, to: 1 });
    const afterReload = h.events.slice(h.events.findIndex((e) => e.type === 'config.reloaded'));
    // Once the first three drained, one at a time.
    let running = 3;
    let peakAfterDrain = 0;
    let drained = false;
    for (const e of afterReload) {
      if (e.type === 'task.admitted') running++;
      if (e.type === 'task.succeeded') running--;
      if (running <= 1) drained = true;
      if (drained) peakAfterDrain = Math.max(peakAfterDrain, running);
    }
    expect(peakAfterDrain).toBe(1);
  });

  it('refuses an invalid config naming the field, and the running one stays', () => {
    const bad = structuredClone(DEFAULT_CONFIG) as unknown as { plans: { concurrency: number }[] };
    bad.plans[1]!.concurrency = 0;
    expect(() => parseFleetConfig(bad)).toThrow(/plans\.1\.concurrency/);
  });

  it('rejects a batch with an unsupported row, naming the row and field, and admits nothing', () => {
    const h = harness();
    const tasks = makeTasks('b', 'u', [PRO_720_15, { model: 'sora-2', resolution: '1080p', durationSec: 15 }]);
    expect(() => h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks })).toThrow(/tasks\[1\]\.resolution/);
    expect(h.events).toHaveLength(0);
    expect(h.gateway.creates).toHaveLength(0);
  });
});
