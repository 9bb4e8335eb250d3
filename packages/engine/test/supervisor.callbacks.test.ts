import { describe, expect, it } from 'vitest';
import { hydrateSupervisor, initialFacts, type EngineEvent } from '../src/index.ts';
import { CLASSES, configWith, harness, makeTasks, type TaskClass } from './support/fleet.ts';
import { runUntil, settle } from './support/steppingClock.ts';

const [SORA_720_10] = CLASSES as [TaskClass];
const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) =>
  events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
const withCallbacks = configWith((c) => void (c.provider.callbacks = true));

describe('a callback is a cue, never a verdict', () => {
  it('a forged success makes the task ask KIE, which says it is still generating: nothing ends, nothing is resubmitted', async () => {
    const h = harness({ config: withCallbacks, scripts: { 'b-t0': [{ genMs: 200_000, outcome: 'success' }] }, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [SORA_720_10]) });
    await settle();
    const remote = h.gateway.creates[0]!.remoteTaskId!;
    h.clock.increment(5_000);
    const before = h.gateway.gets.length;
    h.supervisor.deliverCallback(remote, { state: 'success', resultUrls: ['https://evil.test/x.mp4'] }, true);
    h.supervisor.deliverCallback(remote, { state: 'fail', failCode: 501, failMsg: 'server busy' });
    await settle();
    expect(h.gateway.gets.length).toBeGreaterThan(before); // it asked KIE
    expect(h.supervisor.task('b-t0')!.state).toBe('polling');
    await h.run();
    const [ok] = ofType(h.events, 'task.succeeded');
    expect(ok!.at).toBeGreaterThanOrEqual(200_000);
    expect(ok!.resultUrls).toEqual(['https://files.test/b-t0.mp4']);
    expect(ofType(h.events, 'task.failed')).toHaveLength(0);
    expect(h.gateway.creates).toHaveLength(1);
  });

  it('progress is shown only from a verified callback', async () => {
    const h = harness({ config: withCallbacks, scripts: { 'b-t0': [{ genMs: 200_000, outcome: 'success' }] }, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [SORA_720_10]) });
    await settle();
    const remote = h.gateway.creates[0]!.remoteTaskId!;
    const gets = h.gateway.gets.length;
    h.supervisor.deliverCallback(remote, { state: 'generating', progress: 99 });
    expect(h.supervisor.task('b-t0')!.progress).toBeNull();
    h.supervisor.deliverCallback(remote, { state: 'generating', progress: 40 }, true);
    expect(h.supervisor.task('b-t0')!.progress).toBe(40);
    await settle();
    expect(h.gateway.gets.length).toBe(gets); // progress costs no query
  });

  it('a cue during a query in flight asks again once that answer is in', async () => {
    const h = harness({ config: withCallbacks, scripts: { 'b-t0': [{ genMs: 30_000, outcome: 'success' }] }, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [SORA_720_10]) });
    await settle();
    const remote = h.gateway.creates[0]!.remoteTaskId!;
    h.clock.increment(29_000);
    h.supervisor.deliverCallback(remote, { state: 'success' }); // starts a query: still generating at 29 s
    h.clock.increment(1_000); // the job ends while that answer is on its way
    h.supervisor.deliverCallback(remote, { state: 'success' });
    await runUntil(h.clock, () => h.supervisor.isIdle(), 5);
    expect(ofType(h.events, 'task.succeeded')[0]?.at).toBe(30_000);
  });
});

describe('callback loss', () => {
  /** Runs `count` tasks; KIE calls back for the ones `delivered` picks. Returns status calls per task and the mean detection delay. */
  async function run(delivered: (i: number) => boolean, callbacks = true, count = 40) {
    const h = harness({ config: callbacks ? withCallbacks : configWith(() => {}), userPlans: { u: 'enterprise' } });
    const original = h.gateway.createTask.bind(h.gateway);
    let n = 0;
    h.gateway.createTask = async (req) => {
      const res = await original(req);
      const i = n++;
      if (res.ok && callbacks && delivered(i)) {
        const end = h.gateway.jobEnd(res.remoteTaskId)!;
        h.clock.setTimeout(() => h.supervisor.deliverCallback(res.remoteTaskId, { state: 'success' }), end + 500 - h.clock.now());
      }
      return res;
    };
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', Array.from({ length: count }, () => SORA_720_10)) });
    await h.run();
    const ends = ofType(h.events, 'task.succeeded');
    expect(ends).toHaveLength(count);
    const detection = ends.map((e) => e.at - h.gateway.jobEnd(e.remoteTaskId)!);
    return { callsPerTask: h.gateway.gets.length / count, meanDelay: detection.reduce((a, b) => a + b, 0) / count };
  }

  it('with every third callback lost, jobs are noticed no later on average than by polling alone', async () => {
    const alone = await run(() => false, false);
    const lossy = await run((i) => i % 3 !== 0);
    expect(lossy.meanDelay).toBeLessThanOrEqual(alone.meanDelay);
    expect(lossy.callsPerTask).toBeLessThan(alone.callsPerTask + 1);
  });

  it('with no callback lost, polling becomes a rare backstop once callbacks are seen to arrive', async () => {
    const reliable = await run(() => true, true, 240);
    const alone = await run(() => false, false, 240);
    expect(reliable.callsPerTask).toBeLessThanOrEqual(1.5);
    expect(reliable.meanDelay).toBeLessThan(alone.meanDelay);
    expect(reliable.callsPerTask).toBeLessThan(alone.callsPerTask / 2);
  });

  it('a task resumed after a restart polls on the normal schedule until a callback for it is heard, even once callbacks are trusted again', async () => {
    const [PRO_1080_15] = CLASSES.slice(4) as [TaskClass];
    const h = harness({ config: withCallbacks, scripts: { 'old-t0': [{ genMs: 400_000, outcome: 'success' }] }, userPlans: { u: 'enterprise' } });
    const [old] = makeTasks('old', 'u', [PRO_1080_15]);
    const created = await h.gateway.createTask({ task: old!, attempt: 1, accountId: 'default' });
    if (!created.ok) throw new Error('fake gateway refused');
    h.clock.set(30_000); // the host restarts 30 s in; the old job's callback (at 400 s) is never delivered
    const events: EngineEvent[] = [];
    const s2 = hydrateSupervisor({ clock: h.clock, gateway: h.gateway, config: withCallbacks, userPlans: { u: 'enterprise' }, onEvent: (e) => events.push(e) }, [
      { batchId: 'old', userId: 'u', paused: false, tasks: [{ ...initialFacts(old!), state: 'polling', attempts: 1, remoteTaskId: created.remoteTaskId, accountId: 'default', submittedAt: 0 }] },
    ]);
    // New work whose callbacks all arrive: the learned loss rate falls and the backstop takes over for it.
    const original = h.gateway.createTask.bind(h.gateway);
    h.gateway.createTask = async (req) => {
      const res = await original(req);
      if (res.ok) h.clock.setTimeout(() => s2.deliverCallback(res.remoteTaskId, { state: 'success' }), h.gateway.jobEnd(res.remoteTaskId)! + 500 - h.clock.now());
      return res;
    };
    s2.addBatch({ batchId: 'new', userId: 'u', tasks: makeTasks('new', 'u', Array.from({ length: 60 }, () => SORA_720_10)) });
    await runUntil(h.clock, () => s2.isIdle());
    const [ok] = ofType(events, 'task.succeeded').filter((e) => e.taskId === 'old-t0');
    // Polled as without callbacks (target mean delay 5 s at 1080p), not on the backstop's minutes.
    expect(ok!.at - 400_000).toBeLessThanOrEqual(15_000);
  });
});

describe('a cue whose confirming query fails', () => {
  it('is asked again within seconds, not on the backstop schedule', async () => {
    // Callbacks trusted from the start: between cues the task polls on the slow backstop.
    const trusting = configWith((c) => {
      c.provider.callbacks = true;
      for (const p of c.plans) p.polling.callbackBackstop.maxLossRate = 1;
    });
    const h = harness({ config: trusting, scripts: { 'b-t0': [{ genMs: 60_000, outcome: 'success' }] }, userPlans: { u: 'pro' } });
    h.supervisor.addBatch({ batchId: 'b', userId: 'u', tasks: makeTasks('b', 'u', [SORA_720_10]) });
    await settle();
    const remote = h.gateway.creates[0]!.remoteTaskId!;
    const getTask = h.gateway.getTask.bind(h.gateway);
    let failNext = false;
    h.gateway.getTask = async (id, task, accountId) => (failNext ? ((failNext = false), { ok: false, error: { code: 500, message: 'server error' } }) : getTask(id, task, accountId));
    h.clock.set(60_000);
    failNext = true;
    h.supervisor.deliverCallback(remote, { state: 'success' });
    await h.run();
    const [ok] = ofType(h.events, 'task.succeeded');
    expect(ok!.at - 60_000).toBeLessThanOrEqual(5_000);
  });
});
