import { createSupervisor, type EngineEvent } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../src/bench/harness.ts';
import { multiUser } from '../src/bench/scenarios.ts';
import { clipfleetCallbacksConfig, clipfleetConfig, naiveConfig, seedConfig } from '../src/bench/strategies.ts';
import { DiscreteEventClock } from '../src/clock.ts';
import { SimKie } from '../src/core.ts';
import { SimGateway } from '../src/gateway.ts';

describe('engine supervisor against the in-process simulator (virtual time)', { timeout: 60_000 }, () => {
  it('30 tasks on the seed profile all finish and the counts add up', async () => {
    const clock = new DiscreteEventClock();
    const core = new SimKie({ clock, seed: 5, latency: 'seed' });
    const gateway = new SimGateway(core);
    const events: EngineEvent[] = [];
    const supervisor = createSupervisor({ clock, gateway, config: clipfleetConfig(), userPlans: { u0: 'pro_plus' }, onEvent: (e) => events.push(e) });
    const { batches } = multiUser(5, 'e2e', 1, 30, 'pro_plus');
    supervisor.addBatch(batches[0]!);
    const run = await clock.runUntil(() => supervisor.isIdle(), { maxSteps: 100_000 });
    expect(run.reason).toBe('done');

    const succeeded = events.filter((e) => e.type === 'task.succeeded');
    expect(succeeded).toHaveLength(30);
    expect(events.filter((e) => e.type === 'batch.finished')).toEqual([
      expect.objectContaining({ counts: { succeeded: 30, failed: 0, cancelled: 0, timedOut: 0 } }),
    ]);
    const stats = core.stats();
    const account = stats.accounts['sim-key']!;
    expect(account.createCalls).toBe(30);
    expect(account.created).toBe(30);
    expect(Object.values(stats.queriesByTask).reduce((a, b) => a + b, 0)).toBe(account.queryCalls);
    // Every success points at a remote task that really finished before the engine noticed.
    for (const e of succeeded) {
      if (e.type !== 'task.succeeded') continue;
      const remote = core.task(e.remoteTaskId)!;
      expect(remote.outcome.kind).toBe('success');
      expect(remote.completeAt).toBeLessThanOrEqual(e.at);
      expect(e.resultUrls).toEqual([`https://sim.kie.local/files/${e.remoteTaskId}.mp4`]);
    }
    // Sequence numbers are gap-free, time never goes backwards.
    events.forEach((e, i) => {
      expect(e.seq).toBe(events[0]!.seq + i);
      if (i > 0) expect(e.at).toBeGreaterThanOrEqual(events[i - 1]!.at);
    });
    // Never more than the plan allows at KIE at once (pro_plus: at most 7 for 720p/10 s).
    expect(supervisor.status().running).toBe(0);
  });

  it('callbacks make finished jobs noticed at once; each costs only the status query that confirms it', async () => {
    const { userPlans, batches } = multiUser(2, 'cb', 1, 20, 'pro');
    const r = await runSimulation({ seed: 2, config: clipfleetCallbacksConfig(), userPlans, batches, latency: 'seed' });
    const alone = await runSimulation({ seed: 2, config: clipfleetConfig(), userPlans, batches, latency: 'seed' });
    expect(r.metrics.succeeded).toBe(20);
    expect(r.metrics.statusCallsPerTask).toBeGreaterThanOrEqual(1);
    // The first jobs after a start poll as without callbacks, until callbacks are seen to arrive.
    expect(r.metrics.statusCallsPerTask).toBeLessThanOrEqual(alone.metrics.statusCallsPerTask + 1);
    expect(r.metrics.detectionDelayMeanS!).toBeLessThan(alone.metrics.detectionDelayMeanS!);
  });

  it('failure callbacks reach the engine: retryable failures are retried, refusals are final', async () => {
    const clock = new DiscreteEventClock();
    const core = new SimKie({ clock, seed: 6, faults: { flaky: { generationFailureRate: 0.5 }, policy: { rate: 0.2 } } });
    const gateway = new SimGateway(core, { callbacks: true });
    const events: EngineEvent[] = [];
    const supervisor = createSupervisor({ clock, gateway, config: clipfleetCallbacksConfig(), userPlans: { u0: 'pro_plus' }, onEvent: (e) => events.push(e) });
    gateway.onCallback((id, status) => supervisor.deliverCallback(id, status));
    supervisor.addBatch(multiUser(6, 'fcb', 1, 12, 'pro_plus').batches[0]!);
    expect((await clock.runUntil(() => supervisor.isIdle(), { maxSteps: 100_000 })).reason).toBe('done');
    const ends = events.filter((e) => e.type === 'task.succeeded' || e.type === 'task.failed');
    expect(ends).toHaveLength(12);
    expect(core.stats().callbacksSent).toBeGreaterThan(12); // some attempts failed and were retried
    expect(events.some((e) => e.type === 'task.retryScheduled' && e.consumesAttempt)).toBe(true);
  });

  it('lost callbacks: the backstop polls still finish every task', async () => {
    const { userPlans, batches } = multiUser(4, 'lost', 1, 10, 'pro');
    const r = await runSimulation({ seed: 4, config: clipfleetCallbacksConfig(), userPlans, batches, latency: 'seed', faults: 'lost-callbacks:100' });
    expect(r.metrics.callbacksLost).toBe(10);
    expect(r.metrics.succeeded).toBe(10);
    expect(r.metrics.statusCallsPerTask).toBeGreaterThanOrEqual(1);
  });

  it('every strategy ends every task under flaky faults, and no run exceeds the plan limit', async () => {
    const { userPlans, batches } = multiUser(3, 'flaky', 2, 15, 'pro');
    for (const config of [naiveConfig(), seedConfig(), clipfleetConfig()]) {
      const r = await runSimulation({ seed: 3, config, userPlans, batches, latency: 'seed', faults: 'flaky:10' });
      const m = r.metrics;
      expect(m.unfinished).toBe(0);
      expect(m.succeeded + m.failed + m.timedOut + m.cancelled).toBe(30);
      expect(m.peakRunning).toBeLessThanOrEqual(m.runningLimit);
    }
  });
});
