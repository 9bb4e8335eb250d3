import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '@clipfleet/engine';
import { FakeKie } from './helpers/fake-kie.ts';
import { followProgress, type Tracked } from './helpers/progress.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

type Client = TestServer['admin'];

/** Collects a subscription until it completes, or until `stopAfter` events (then unsubscribes). */
function collect(client: Client, batchId: string, lastEventId: string | null, stopAfter = Infinity): Promise<Tracked[]> {
  return followProgress(client, batchId, lastEventId, stopAfter).done;
}

describe('batch.onProgress over SSE', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(new FakeKie({ jobMs: 40 }), { scale: 100 });
  });
  afterAll(() => t.stop());

  it('streams every event of a batch once, tracked by sequence number, and ends after batch.finished', async () => {
    const { client } = await t.user(10_000);
    const { batchId } = await client.batch.create.mutate({ rows: Array.from({ length: 6 }, (_, i) => ({ prompt: `p${i}` })), paused: true });
    const full = collect(client, batchId, null);
    await client.batch.resume.mutate({ batchId });
    const events = await full;
    const seqs = events.map((e) => Number(e.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.every((e) => e.data.seq === Number(e.id))).toBe(true);
    expect(events.at(-1)!.data.type).toBe('batch.finished');
    expect(events.filter((e) => e.data.type === 'task.succeeded')).toHaveLength(6);
  });

  it('a client reconnecting with its last id gets every missed event exactly once', async () => {
    const { client } = await t.user(10_000);
    const { batchId } = await client.batch.create.mutate({ rows: Array.from({ length: 8 }, (_, i) => ({ prompt: `p${i}` })), paused: true });
    const reference = collect(client, batchId, null);
    const firstPart = collect(client, batchId, null, 5);
    await client.batch.resume.mutate({ batchId });
    const head = await firstPart;
    // disconnected while the batch runs on; reconnect later from the last id seen
    await new Promise((r) => setTimeout(r, 150));
    const tail = await collect(client, batchId, head.at(-1)!.id);
    const all = await reference;

    const resumed = [...head, ...tail].map((e) => e.id);
    expect(resumed).toEqual(all.map((e) => e.id));
    expect(new Set(resumed).size).toBe(resumed.length);

    // after the end, a late client resuming from the middle gets the rest from task_events and completes
    const middle = all[Math.floor(all.length / 2)]!.id;
    const late = await collect(client, batchId, middle);
    expect(late.map((e) => e.id)).toEqual(all.slice(Math.floor(all.length / 2) + 1).map((e) => e.id));
  });

  it('fans one batch out to many subscribers, each getting the same complete sequence', async () => {
    const { client } = await t.user(10_000);
    const { batchId } = await client.batch.create.mutate({ rows: Array.from({ length: 5 }, (_, i) => ({ prompt: `p${i}` })), paused: true });
    const subscribers = Array.from({ length: 50 }, () => collect(client, batchId, null));
    await new Promise((r) => setTimeout(r, 300));
    await client.batch.resume.mutate({ batchId });
    const all = await Promise.all(subscribers);
    const reference = all[0]!.map((e) => e.id);
    expect(reference.length).toBeGreaterThan(10);
    for (const got of all) expect(got.map((e) => e.id)).toEqual(reference);
  }, 20_000);

  it('onProgressGrouped carries the same log, several events per message, and resumes from a group id', async () => {
    const { client } = await t.user(10_000);
    const { batchId } = await client.batch.create.mutate({ rows: Array.from({ length: 6 }, (_, i) => ({ prompt: `p${i}` })), paused: true });
    const grouped = (lastEventId: string | null) =>
      new Promise<Array<{ id: string; data: { events: EngineEvent[] } }>>((resolve, reject) => {
        const got: Array<{ id: string; data: { events: EngineEvent[] } }> = [];
        client.batch.onProgressGrouped.subscribe({ batchId, lastEventId }, { onData: (m) => got.push(m as any), onComplete: () => resolve(got), onError: reject });
      });
    const live = grouped(null);
    await client.batch.resume.mutate({ batchId });
    const messages = await live;
    const perEvent = await collect(client, batchId, null);
    const flat = messages.flatMap((m) => m.data.events.map((e) => String(e.seq)));
    expect(flat).toEqual(perEvent.map((e) => e.id));
    expect(messages.every((m) => m.id === String(m.data.events.at(-1)!.seq))).toBe(true);
    const cut = messages[Math.floor(messages.length / 2)]!.id;
    const rest = await grouped(cut);
    expect(rest.flatMap((m) => m.data.events.map((e) => String(e.seq)))).toEqual(flat.slice(flat.indexOf(cut) + 1));
  });
});
