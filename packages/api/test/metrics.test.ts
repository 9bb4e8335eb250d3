import { EventSource } from 'eventsource';
import type { EngineEvent } from '@clipfleet/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClipFleetClient, createServer, type ClipFleetServer } from '../src/index.ts';
import { testStorage } from './helpers/database.ts';
import { parseProm, sumOf, type PromSample } from './helpers/prom.ts';

/**
 * /metrics scraped from a real server running a batch against the simulated KIE over HTTP (400x real time,
 * 30 % of prompts refused by content policy): the counters must tell the batch's own story.
 */
let server: ClipFleetServer;
let url = '';

async function scrape(key = server.adminKey): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

async function samples(): Promise<PromSample[]> {
  const res = await scrape();
  expect(res.status).toBe(200);
  return parseProm(res.text);
}

beforeAll(async () => {
  server = createServer({ ...(await testStorage()), port: 0, devCredits: 0, kie: { mode: 'sim', timeScale: 400, seed: 5, faults: 'policy:30' } });
  ({ url } = await server.start());
});
afterAll(() => server?.stop());

describe('/metrics', () => {
  it('is for the admin key only', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const admin = createClipFleetClient(url, server.adminKey, { EventSource });
    const { apiKey } = await admin.admin.createUser.mutate({ name: 'nosy', credits: 0 });
    expect((await scrape(apiKey)).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    // Default process metrics and the event-loop lag are there from the start.
    expect(ok.text).toMatch(/^process_cpu_seconds_total /m);
    expect(ok.text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
  });

  it('counts a batch while it runs and, at the end, exactly as the batch itself does', async () => {
    const admin = createClipFleetClient(url, server.adminKey, { EventSource });
    const { apiKey, userId } = await admin.admin.createUser.mutate({ name: 'metered', credits: 10_000 });
    const client = createClipFleetClient(url, apiKey, { EventSource });
    const rows = [
      ...Array.from({ length: 8 }, (_, i) => ({ prompt: `a calm lake at dawn, take ${i}`, model: 'sora-2', resolution: '720p', duration: 10 })),
      ...Array.from({ length: 4 }, (_, i) => ({ prompt: `a city in the rain, take ${i}`, model: 'sora-2-pro', resolution: '1080p', duration: 10 })),
    ];
    const { batchId } = await client.batch.create.mutate({ rows, paused: true });

    // Paused: every task is queued, by class, and the whole price is reserved.
    let s = await samples();
    expect(sumOf(s, 'clipfleet_tasks', { state: 'queued' })).toBe(12);
    expect(sumOf(s, 'clipfleet_tasks', { state: 'queued', model: 'sora-2-pro', resolution: '1080p', duration: '10' })).toBe(4);
    const reserved = (await client.batch.get.query({ batchId })).credits.reserved;
    expect(sumOf(s, 'clipfleet_credits_total', { kind: 'reserved' })).toBe(reserved);

    // During the run (scraped at the first success, with the progress stream open).
    let during: PromSample[] | undefined;
    const events: EngineEvent[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.batch.onProgress.subscribe(
        { batchId, lastEventId: null },
        {
          onData: ({ data }) => {
            events.push(data);
            if (data.type === 'task.succeeded' && !during) void samples().then((x) => (during = x), reject);
          },
          onComplete: resolve,
          onError: reject,
        },
      );
    });
    await client.batch.resume.mutate({ batchId });
    await done;
    await server.deps!.fleet!.flush();

    expect(during).toBeDefined();
    expect(sumOf(during!, 'clipfleet_tasks')).toBe(12);
    expect(sumOf(during!, 'clipfleet_sse_subscribers', { procedure: 'batch.onProgress' })).toBeGreaterThanOrEqual(1);
    expect(sumOf(during!, 'clipfleet_user_concurrency', { user: userId, level: 'plan' })).toBeGreaterThan(0);
    expect(sumOf(during!, 'clipfleet_provider_limit', { level: 'current' })).toBeGreaterThan(0);

    const batch = await client.batch.get.query({ batchId });
    s = await samples();
    const outcome = (o: string) => sumOf(s, 'clipfleet_task_outcomes_total', { outcome: o });
    expect(batch.counts.failed).toBeGreaterThan(0); // the policy fault did refuse some prompts
    expect(outcome('succeeded')).toBe(batch.counts.succeeded);
    expect(outcome('failed')).toBe(batch.counts.failed);
    expect(outcome('timedOut')).toBe(batch.counts.timedOut);
    expect(sumOf(s, 'clipfleet_task_failures_total')).toBe(batch.counts.failed + batch.counts.timedOut);
    expect(sumOf(s, 'clipfleet_task_failures_total', { cause: 'content_policy' })).toBe(batch.counts.failed);

    // Credits: the ledger's own sums for the batch (the only one on this server).
    expect(sumOf(s, 'clipfleet_credits_total', { kind: 'reserved' })).toBe(batch.credits.reserved);
    expect(sumOf(s, 'clipfleet_credits_total', { kind: 'charged' })).toBe(batch.credits.charged);
    expect(sumOf(s, 'clipfleet_credits_total', { kind: 'refunded' })).toBe(batch.credits.refunded);

    // KIE calls: what the simulator itself counted, under the simulator's one account, `default`.
    const sim = server.deps!.sim!.stats() as { tasksCreated: number; queriesByTask: Record<string, number> };
    const submitted = events.filter((e) => e.type === 'task.submitted').length;
    expect(sumOf(s, 'clipfleet_kie_calls_total', { endpoint: 'createTask', code: '200', account: 'default' })).toBe(sim.tasksCreated);
    expect(sim.tasksCreated).toBe(submitted);
    expect(sumOf(s, 'clipfleet_kie_calls_total', { endpoint: 'recordInfo' })).toBe(Object.values(sim.queriesByTask).reduce((a, b) => a + b, 0));

    // Timings: one generation and one processing time per success, one detection per finished job.
    expect(sumOf(s, 'clipfleet_task_generation_seconds_count')).toBe(batch.counts.succeeded);
    expect(sumOf(s, 'clipfleet_task_processing_seconds_count')).toBe(batch.counts.succeeded);
    expect(sumOf(s, 'clipfleet_task_queue_wait_seconds_count')).toBe(12);
    expect(sumOf(s, 'clipfleet_task_detection_delay_seconds_count')).toBe(batch.counts.succeeded + batch.counts.failed);
    // The simulator's 720p 10 s jobs take about a minute of KIE time: the histogram is in engine seconds.
    const mean720 =
      sumOf(s, 'clipfleet_task_generation_seconds_sum', { resolution: '720p' }) / sumOf(s, 'clipfleet_task_generation_seconds_count', { resolution: '720p' });
    expect(mean720).toBeGreaterThan(10);
    expect(mean720).toBeLessThan(600);

    // The stream has ended: no subscriber left; a finished batch leaves the live task gauge.
    expect(sumOf(s, 'clipfleet_sse_subscribers')).toBe(0);
    expect(sumOf(s, 'clipfleet_tasks')).toBe(0);
  });

  it('samples the same figures for the monitoring page, with each user\'s degradation state', async () => {
    const admin = createClipFleetClient(url, server.adminKey, { EventSource });
    const monitor = await admin.admin.monitor.query();
    expect(monitor.failureRateTarget).toBe(0.1);
    expect(monitor.samples.length).toBeGreaterThan(0);
    const last = monitor.samples.at(-1)!;
    const s = await samples();
    expect(last.outcomes.succeeded).toBeLessThanOrEqual(sumOf(s, 'clipfleet_task_outcomes_total', { outcome: 'succeeded' }));
    expect(monitor.provider.state).toBe('healthy');
    expect(monitor.users.some((u) => u.name === 'metered' && u.level > 0 && u.degraded === false)).toBe(true);
  });
});
