import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { signCallback } from '../src/http/signature.ts';
import { startKieSimServer, type KieSimServer } from '../src/http/server.ts';

const servers: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Parameters<typeof startKieSimServer>[0] = {}): Promise<KieSimServer> {
  const server = await startKieSimServer({ port: 0, timeScale: 1000, ...opts });
  servers.push(server);
  return server;
}

const auth = { authorization: 'Bearer sim-key', 'content-type': 'application/json' };
const body = {
  model: 'sora-2-text-to-video',
  input: { prompt: 'a lighthouse at dusk', aspect_ratio: 'portrait', n_frames: '10' },
};

async function post(url: string, payload: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(payload) });
  return { status: res.status, json: (await res.json()) as any };
}

async function get(url: string, headers: Record<string, string> = auth) {
  const res = await fetch(url, { headers });
  return { status: res.status, json: (await res.json()) as any };
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('HTTP face', () => {
  it('speaks the KIE protocol: create, "recordInfo is null", states, result file', async () => {
    // Real time (scale 1): the record stays null for at least one second after create.
    const slow = await start({ timeScale: 1 });
    const first = await post(`${slow.url}/api/v1/jobs/createTask`, body);
    const early = await get(`${slow.url}/api/v1/jobs/recordInfo?taskId=${first.json.data.taskId}`);
    expect(early).toEqual({ status: 200, json: { code: 422, msg: 'recordInfo is null', data: null } });

    // Scale 200: the 58 s job takes about 0.3 s real, so a loaded machine still polls it more than once.
    const sim = await start({ timeScale: 200 });
    const created = await post(`${sim.url}/api/v1/jobs/createTask`, body);
    expect(created).toMatchObject({ status: 200, json: { code: 200, msg: 'success' } });
    const taskId: string = created.json.data.taskId;
    const done = await until(async () => {
      const r = await get(`${sim.url}/api/v1/jobs/recordInfo?taskId=${taskId}`);
      return r.json.code === 200 && r.json.data.state === 'success' ? r.json : undefined;
    });
    const urls = JSON.parse(done.data.resultJson);
    expect(urls.resultUrls[0]).toBe(`${sim.url}/files/${taskId}.mp4`);
    const file = await fetch(urls.resultUrls[0]);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(bytes.length).toBeLessThan(1_000);
    expect((await fetch(`${sim.url}/files/task_unknown.mp4`)).status).toBe(404);
    expect(sim.stats().accounts['sim-key']).toMatchObject({ createCalls: 1, created: 1 });
    expect(sim.stats().queriesByTask[taskId]).toBeGreaterThanOrEqual(2);
  });

  it('rejects bad auth with 401 and bad input with body code 422 naming the field', async () => {
    const sim = await start();
    const noAuth = await post(`${sim.url}/api/v1/jobs/createTask`, body, { 'content-type': 'application/json' });
    expect(noAuth).toMatchObject({ status: 401, json: { code: 401 } });
    const wrong = await get(`${sim.url}/api/v1/jobs/recordInfo?taskId=x`, { authorization: 'Bearer nope' });
    expect(wrong).toMatchObject({ status: 401, json: { code: 401 } });
    const badFrames = await post(`${sim.url}/api/v1/jobs/createTask`, { ...body, input: { ...body.input, n_frames: 10 } });
    expect(badFrames.status).toBe(200);
    expect(badFrames.json.code).toBe(422);
    expect(badFrames.json.msg).toMatch(/^input\.n_frames/);
    const badJson = await fetch(`${sim.url}/api/v1/jobs/createTask`, { method: 'POST', headers: auth, body: '{oops' });
    expect(await badJson.json()).toMatchObject({ code: 400 });
    expect((await get(`${sim.url}/api/v1/jobs/recordInfo`)).json.code).toBe(400);
    expect((await get(`${sim.url}/api/v1/jobs/recordInfo?taskId=task_missing`)).json.code).toBe(404);
  });

  it('forces any documented error code through the admin route', async () => {
    const sim = await start();
    for (const code of [400, 401, 402, 404, 408, 422, 429, 433, 455, 500, 501, 505]) {
      await post(`${sim.url}/__sim/faults`, { op: 'create', code });
      const r = await post(`${sim.url}/api/v1/jobs/createTask`, body);
      expect(r.json.code).toBe(code);
      expect(r.status).toBe(code === 401 ? 401 : 200);
    }
    await post(`${sim.url}/__sim/faults`, { op: 'query', code: 455 });
    expect((await get(`${sim.url}/api/v1/jobs/recordInfo?taskId=x`)).json.code).toBe(455);
    expect((await post(`${sim.url}/__sim/faults`, { op: 'nope' })).status).toBe(400);
  });

  it('POSTs signed callbacks to callBackUrl', async () => {
    const received: Array<{ headers: Record<string, unknown>; body: any }> = [];
    const receiver = Fastify();
    receiver.post('/kie/callback', async (request) => {
      received.push({ headers: request.headers, body: request.body });
      return { ok: true };
    });
    const receiverUrl = await receiver.listen({ port: 0, host: '127.0.0.1' });
    servers.push(receiver);
    const sim = await start({ webhookKey: 'whsec-test' });
    const created = await post(`${sim.url}/api/v1/jobs/createTask`, { ...body, callBackUrl: `${receiverUrl}/kie/callback` });
    const taskId: string = created.json.data.taskId;
    const cb = await until(async () => received[0]);
    expect(cb.body).toMatchObject({ code: 200, data: { taskId, state: 'success' } });
    const ts = String(cb.headers['x-webhook-timestamp']);
    expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(60_000);
    expect(cb.headers['x-webhook-signature']).toBe(signCallback(taskId, ts, 'whsec-test'));
    await until(async () => (sim.stats().callbackDeliveries.delivered === 1 ? true : undefined));
  });

  it('POSTs progress callbacks to progressCallBackUrl while generating', async () => {
    const progress: number[] = [];
    const receiver = Fastify();
    receiver.post('/kie/progress', async (request) => {
      const body = request.body as { data: { state: string; progress: number } };
      expect(body.data.state).toBe('generating');
      progress.push(body.data.progress);
      return { ok: true };
    });
    const receiverUrl = await receiver.listen({ port: 0, host: '127.0.0.1' });
    servers.push(receiver);
    // Scale 100: a 60 s generation takes 0.6 s real, so the four POSTs are spread out even on a busy machine.
    const sim = await start({ timeScale: 100 });
    await post(`${sim.url}/api/v1/jobs/createTask`, { ...body, progressCallBackUrl: `${receiverUrl}/kie/progress` });
    await until(async () => (sim.stats().callbackDeliveries.delivered >= 4 ? true : undefined));
    expect(progress).toHaveLength(4);
    for (const p of progress) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(99);
    }
    expect(Math.min(...progress)).toBeLessThan(25);
  });
});
