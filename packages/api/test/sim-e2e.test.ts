import { EventSource } from 'eventsource';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClipFleetClient, createServer, type ClipFleetServer } from '../src/index.ts';
import { testStorage } from './helpers/database.ts';

/** The whole stack as `npm start` runs it: the simulator's HTTP face in-process, driven by the real KIE client. */
describe('end to end against the in-process simulator', () => {
  let server: ClipFleetServer;
  let url: string;
  let client: ReturnType<typeof createClipFleetClient>;

  beforeAll(async () => {
    server = createServer({ ...(await testStorage()), port: 0, kie: { mode: 'sim', timeScale: 400, seed: 3 }, devCredits: 5000 });
    ({ url } = await server.start());
    client = createClipFleetClient(url, server.devApiKey!, { EventSource });
    const me = await client.me.get.query();
    await createClipFleetClient(url, server.adminKey).admin.setPlan.mutate({ userId: me.user.id, plan: 'pro_plus' });
  });
  afterAll(() => server.stop());

  async function finished(batchId: string) {
    for (;;) {
      const b = await client.batch.get.query({ batchId });
      if (b.finishedAt) return b;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('accepts the seed REST body, runs it, and streams the finished videos as a ZIP with a manifest', async () => {
    const res = await fetch(`${url}/api/v1/workflow/batch-generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.devApiKey}` },
      body: JSON.stringify({
        rows: [{ prompt: 'a lighthouse at dusk' }, { prompt: 'waves on rocks', duration: 10 }, { prompt: 'a gull', model: 'sora-2' }],
        generationType: 'video',
        defaultModel: 'sora-2-pro',
        defaultResolution: '720p',
        defaultDuration: 15,
      }),
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { batchId: string; taskCount: number; creditsReserved: number };
    expect(created).toMatchObject({ taskCount: 3, creditsReserved: 60 + 45 + 20 });

    const done = await finished(created.batchId);
    expect(done.counts.succeeded).toBe(3);
    expect(done.credits).toEqual({ reserved: 125, charged: 125, refunded: 0 });

    await server.deps!.archive.idle(); // the results are downloaded into the archive as tasks succeed
    const zip = await fetch(`${url}/batches/${created.batchId}/download.zip`, { headers: { authorization: `Bearer ${server.devApiKey}` } });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const dir = await unzipper.Open.buffer(Buffer.from(await zip.arrayBuffer()));
    const names = dir.files.map((f) => f.path).sort();
    expect(names).toEqual(['manifest.csv', 'row-00001.mp4', 'row-00002.mp4', 'row-00003.mp4']);
    const video = await dir.files.find((f) => f.path === 'row-00001.mp4')!.buffer();
    expect(video.length).toBeGreaterThan(0);
    const manifest = (await dir.files.find((f) => f.path === 'manifest.csv')!.buffer()).toString();
    expect(manifest.split('\n')[0]).toBe('row,task_id,file,url,prompt');
    expect(manifest).toContain('a lighthouse at dusk');

    // One archived file, streamed from the archive with a download token; then retention removes it.
    const task = (await client.batch.tasks.query({ batchId: created.batchId })).items.find((x) => x.rowIndex === 0)!;
    const { token } = await client.me.linkToken.mutate({ scope: 'download' });
    const file = await fetch(`${url}/tasks/${task.id}/files/0?token=${encodeURIComponent(token)}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await file.arrayBuffer()).equals(video)).toBe(true);
    expect(await server.deps!.archive.sweep(Date.now() + 31 * 24 * 3600_000)).toBeGreaterThanOrEqual(3);
    const gone = await fetch(`${url}/tasks/${task.id}/files/0`, { headers: { authorization: `Bearer ${server.devApiKey}` } });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { message: string }).message).toMatch(/deleted from the archive after the retention period/);
  });

  it('counts provider calls and exposes the simulator stats to the admin', async () => {
    const stats = await createClipFleetClient(url, server.adminKey).admin.stats.query();
    const creates = stats.providerCalls.filter((c) => c.op === 'createTask' && c.outcome === 'ok').reduce((s, c) => s + c.count, 0);
    expect(creates).toBeGreaterThanOrEqual(3);
    expect(stats.sim?.timeScale).toBe(400);
  });

  it('serves the machine definitions for the inspector', async () => {
    const machines = await client.inspector.machines.query();
    expect(machines.task).toMatchObject({ id: expect.any(String) });
    expect(machines.supervisor).toMatchObject({ id: expect.any(String) });
  });
});
