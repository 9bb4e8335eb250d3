import { EventSource } from 'eventsource';
import { DEFAULT_CONFIG, allowedDurations, liveModels, type ModelConfig } from '@clipfleet/engine';
import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../src/config.ts';
import { createClipFleetClient, createServer, type ClipFleetServer } from '../src/index.ts';
import { storageEnv, testStorage } from './helpers/database.ts';
import { tableCounts } from './helpers/server.ts';

/**
 * The real-provider path (KIE_API_KEY set): the real KIE client over HTTP against the simulator's HTTP face,
 * which validates every request against the model's mapping as KIE would. One row per live model and mode
 * succeeds; a Sora row (retired) is refused up front by estimate, create and the REST route, writing nothing.
 */

const TIME_SCALE = 400;
const IMG = 'https://img.example/first.png';
const LAST = 'https://img.example/last.png';

/** One row per live model and mode, with the shortest clip and a non-default option where the model has one. */
function rowsFor(models: ModelConfig[]) {
  return models.flatMap((m) => {
    const durationSec = allowedDurations(m)[0]!;
    const resolution = m.resolutions[m.resolutions.length - 1]!;
    const rows = [];
    const t2v = m.modes.textToVideo;
    if (t2v) rows.push({ prompt: `${m.id} from text`, model: m.id, resolution, duration: durationSec, ...(t2v.aspectRatios ? { aspectRatio: t2v.aspectRatios.at(-1) } : {}) });
    const i2v = m.modes.imageToVideo;
    if (i2v) rows.push({ prompt: `${m.id} from images`, model: m.id, resolution, duration: durationSec, imageUrl: IMG, ...(i2v.images.max > 1 ? { lastFrameUrl: LAST } : {}) });
    return rows;
  });
}

describe('live models over the real KIE client (KIE_API_KEY set, simulator HTTP face)', () => {
  let sim: KieSimServer;
  let server: ClipFleetServer;
  let url: string;
  let client: ReturnType<typeof createClipFleetClient>;

  beforeAll(async () => {
    sim = await startKieSimServer({ port: 0, seed: 5, timeScale: TIME_SCALE, apiKeys: ['sk-live'], latency: 'seed' });
    // Exactly what `npm start` builds with KIE_API_KEY set (KIE_BASE_URL pointing at the simulator).
    const env = { KIE_API_KEY: 'sk-live', KIE_BASE_URL: sim.url, TIME_SCALE: String(TIME_SCALE), ...storageEnv(await testStorage()), PORT: '0', HOST: '127.0.0.1', DEV_CREDITS: '100000' };
    const options = optionsFromEnv(env);
    expect(options.kie).toEqual({ mode: 'real', apiKey: 'sk-live', baseUrl: sim.url, timeScale: TIME_SCALE });
    server = createServer(options);
    ({ url } = await server.start());
    client = createClipFleetClient(url, server.devApiKey!, { EventSource });
    const me = await client.me.get.query();
    await createClipFleetClient(url, server.adminKey).admin.setPlan.mutate({ userId: me.user.id, plan: 'enterprise' });
  });
  afterAll(async () => {
    await server?.stop();
    await sim?.close();
  });

  it('runs one row per live model and mode to success, each sent to its family endpoint', async () => {
    const rows = rowsFor(liveModels(DEFAULT_CONFIG.catalog));
    expect(rows.length).toBeGreaterThanOrEqual(18);
    const estimate = await client.batch.estimate.query({ rows });
    expect(estimate.taskCount).toBe(rows.length);
    const { batchId, creditsReserved } = await client.batch.create.mutate({ rows });
    expect(creditsReserved).toBe(estimate.totalCredits);
    for (;;) {
      const b = await client.batch.get.query({ batchId });
      if (b.finishedAt) {
        expect(b.counts.succeeded).toBe(rows.length);
        expect(b.credits).toEqual({ reserved: creditsReserved, charged: creditsReserved, refunded: 0 });
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // The simulator saw every model through its own endpoints: Veo through veo/generate, the rest through jobs/createTask.
    const created = [...sim.core.tasks()];
    expect(created).toHaveLength(rows.length);
    expect(new Set(created.map((t) => t.body.catalogModel))).toEqual(new Set(liveModels().map((m) => m.id)));
    for (const t of created) expect(t.family).toBe(t.body.catalogModel.startsWith('veo') ? 'veo' : 'market');
    expect(sim.stats().accounts['sk-live']!.codes['422'] ?? 0).toBe(0);
  });

  it('refuses a Sora row in the same mode up front: estimate, create and REST, nothing written or charged', async () => {
    const rows = [
      { prompt: 'a live one', model: 'wan-2.7', resolution: '720p', duration: 5 },
      { prompt: 'a retired one', model: 'sora-2', resolution: '720p', duration: 10 },
    ];
    const before = await tableCounts(server);
    const balance = (await client.me.get.query()).balance;
    const sentBefore = sim.stats().tasksCreated;
    for (const call of [() => client.batch.estimate.query({ rows }), () => client.batch.create.mutate({ rows })]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCClientError);
      expect((err as TRPCClientError<any>).data?.httpStatus).toBe(400);
      const message = (err as Error).message;
      expect(message).toMatch(/^rows\[1\]\.model: model "sora-2" is retired since 2026-09-24/);
      expect(message).toContain('OpenAI shut Sora 2 and Sora 2 Pro down on 2026-09-24');
      expect(message).toContain('Live models: kling-2.6, kling-3.0-turbo, seedance-2');
    }
    const res = await fetch(`${url}/api/v1/workflow/batch-generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.devApiKey}` },
      body: JSON.stringify({ rows: [{ prompt: 'seed body' }], generationType: 'video', defaultModel: 'sora-2-pro', defaultResolution: '720p', defaultDuration: 15 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^rows\[0\]\.model: model "sora-2-pro" is retired since 2026-09-24: ".+" Live models: /);
    expect(await tableCounts(server)).toEqual(before);
    expect((await client.me.get.query()).balance).toBe(balance);
    expect(sim.stats().tasksCreated).toBe(sentBefore);
  });
});
