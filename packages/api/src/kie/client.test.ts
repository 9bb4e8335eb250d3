import type { TaskSpec } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { createKieHttpGateway, type KieHttpGatewayOptions } from './client.ts';
import * as s from './samples.test-data.ts';

/** Unit tests with an injected fetch: what goes on the wire and how each answer is read. Over-HTTP tests are in client.http.test.ts. */

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function fakeFetch(answer: (seen: Seen) => Response | Promise<Response>): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    const entry: Seen = {
      url: String(url),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    seen.push(entry);
    return answer(entry);
  }) as typeof fetch;
  return { fetch: f, seen };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const spec = (over: Partial<TaskSpec> = {}): TaskSpec => ({
  taskId: 't1',
  batchId: 'b1',
  userId: 'u1',
  rowIndex: 0,
  model: 'sora-2-pro',
  resolution: '1080p',
  durationSec: 15,
  prompt: 'a lighthouse at dusk',
  aspectRatio: 'portrait',
  ...over,
});

const gw = (f: typeof fetch, over: Partial<KieHttpGatewayOptions> = {}) =>
  createKieHttpGateway({ baseUrl: 'https://kie.test/', apiKey: 'sk-1', fetch: f, ...over });

describe('createTask', () => {
  it('POSTs the documented body with Bearer auth and returns the task id', async () => {
    const { fetch, seen } = fakeFetch(() => json(s.createOk));
    const r = await gw(fetch, { callBackUrl: 'https://me/kie/callback' }).createTask({ task: spec(), attempt: 1, accountId: 'default' });
    expect(r).toEqual({ ok: true, remoteTaskId: s.createOk.data.taskId });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      url: 'https://kie.test/api/v1/jobs/createTask',
      method: 'POST',
      headers: { authorization: 'Bearer sk-1', 'content-type': 'application/json' },
      body: {
        model: 'sora-2-pro-text-to-video',
        callBackUrl: 'https://me/kie/callback',
        input: { prompt: 'a lighthouse at dusk', aspect_ratio: 'portrait', n_frames: '15', size: 'high' },
      },
    });
  });
  it('reads `message` as well as `msg`', async () => {
    const { fetch } = fakeFetch(() => json(s.createOkMessageSpelling));
    expect(await gw(fetch).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toEqual({ ok: true, remoteTaskId: 'task_sora-2-text-to-video_1' });
    const bad = fakeFetch(() => json({ code: 402, message: 'Credits insufficient' }));
    expect(await gw(bad.fetch).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toEqual({ ok: false, error: { code: 402, message: 'Credits insufficient' } });
  });
  it('treats the body code as the truth inside HTTP 200', async () => {
    for (const code of [400, 401, 402, 422, 433, 500, 505]) {
      const { fetch } = fakeFetch(() => json({ code, msg: `e${code}`, data: null }));
      expect(await gw(fetch).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toEqual({ ok: false, error: { code, message: `e${code}` } });
    }
  });
  it('uses the HTTP status when the JSON body has no code', async () => {
    const { fetch } = fakeFetch(() => json({ error: 'Unauthorized' }, 401));
    expect(await gw(fetch).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toMatchObject({ ok: false, error: { code: 401 } });
  });
  it('carries Retry-After (seconds or HTTP date) on 429 and 455', async () => {
    const a = fakeFetch(() => json({ code: 429, msg: 'rate limited' }, 429, { 'retry-after': '12' }));
    expect(await gw(a.fetch).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toEqual({
      ok: false,
      error: { code: 429, message: 'rate limited', retryAfterMs: 12_000 },
    });
    const now = Date.parse('2026-11-28T02:00:00Z');
    const b = fakeFetch(() => json({ code: 455, msg: 'maintenance' }, 200, { 'retry-after': 'Sat, 28 Nov 2026 02:01:00 GMT' }));
    expect(await gw(b.fetch, { now: () => now }).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toEqual({
      ok: false,
      error: { code: 455, message: 'maintenance', retryAfterMs: 60_000 },
    });
  });
  it('a 200 without data.taskId is an error, not a fake id', async () => {
    const { fetch } = fakeFetch(() => json({ code: 200, msg: 'success', data: {} }));
    expect(await gw(fetch).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toMatchObject({ ok: false, error: { code: 0 } });
  });
  it('never throws: a throwing fetch, a non-JSON body and an HTML 502 become results', async () => {
    const boom = (async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    }) as typeof fetch;
    expect(await gw(boom).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toEqual({
      ok: false,
      error: { code: 0, message: 'network error: fetch failed (ECONNRESET)' },
    });
    const html = fakeFetch(() => new Response('<html>oops</html>', { status: 200 }));
    expect(await gw(html.fetch).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toMatchObject({ ok: false, error: { code: 0, message: expect.stringContaining('non-JSON') } });
    const proxy = fakeFetch(() => new Response('<h1>502 Bad Gateway</h1>', { status: 502 }));
    expect(await gw(proxy.fetch).createTask({ task: spec(), attempt: 1, accountId: 'default' })).toMatchObject({ ok: false, error: { code: 502 } });
  });
  it('uses resolvePrompt when the spec has no prompt, and reports its failures without sending', async () => {
    const { fetch, seen } = fakeFetch(() => json(s.createOk));
    const resolvePrompt = async (id: string) => ({ prompt: `prompt of ${id}`, imageUrls: ['https://img/x.png'] });
    const r = await gw(fetch, { resolvePrompt }).createTask({ task: spec({ prompt: undefined }), attempt: 2, accountId: 'default' });
    expect(r.ok).toBe(true);
    expect(seen[0]?.body).toMatchObject({
      model: 'sora-2-pro-image-to-video',
      input: { prompt: 'prompt of t1', aspect_ratio: 'portrait', image_urls: ['https://img/x.png'], size: 'high' },
    });

    const none = fakeFetch(() => json(s.createOk));
    expect(await gw(none.fetch).createTask({ task: spec({ prompt: undefined }), attempt: 1, accountId: 'default' })).toMatchObject({ ok: false, error: { code: 400 } });
    const throwing = await gw(none.fetch, {
      resolvePrompt: async () => {
        throw new Error('db busy');
      },
    }).createTask({ task: spec({ prompt: undefined }), attempt: 1, accountId: 'default' });
    expect(throwing).toMatchObject({ ok: false, error: { code: 0, message: expect.stringContaining('db busy') } });
    const missing = await gw(none.fetch, { resolvePrompt: async () => undefined }).createTask({ task: spec({ prompt: undefined }), attempt: 1, accountId: 'default' });
    expect(missing).toMatchObject({ ok: false, error: { code: 400 } });
    expect(none.seen).toHaveLength(0);
  });
});

describe('getTask', () => {
  it('GETs recordInfo with an encoded task id and maps success', async () => {
    const { fetch, seen } = fakeFetch(() => json(s.recordSuccess));
    const r = await gw(fetch).getTask('task a/b');
    expect(seen[0]).toMatchObject({ url: 'https://kie.test/api/v1/jobs/recordInfo?taskId=task%20a%2Fb', method: 'GET', headers: { authorization: 'Bearer sk-1' } });
    expect(r).toEqual({
      ok: true,
      status: { state: 'success', progress: 100, resultUrls: ['https://tempfile.example/a.mp4'], createTime: 1765183463848, completeTime: 1765183765848 },
    });
  });
  it('reports "recordInfo is null" and data:null as 422 (the engine applies the grace period)', async () => {
    const a = fakeFetch(() => json(s.recordNull));
    expect(await gw(a.fetch).getTask('x')).toEqual({ ok: false, error: { code: 422, message: 'recordInfo is null' } });
    const b = fakeFetch(() => json(s.recordDataNull));
    expect(await gw(b.fetch).getTask('x')).toEqual({ ok: false, error: { code: 422, message: 'recordInfo is null' } });
  });
  it('maps a fail record and a bare 501 to state fail with the message', async () => {
    const a = fakeFetch(() => json(s.recordFail));
    expect(await gw(a.fetch).getTask('x')).toMatchObject({ ok: true, status: { state: 'fail', failCode: '501', failMsg: 'Content violates safety policy' } });
    const b = fakeFetch(() => json({ code: 501, msg: 'Generation failed', data: null }));
    expect(await gw(b.fetch).getTask('x')).toEqual({ ok: true, status: { state: 'fail', failCode: 501, failMsg: 'Generation failed' } });
    const c = fakeFetch(() => json(s.callbackFail501));
    expect(await gw(c.fetch).getTask('x')).toMatchObject({ ok: true, status: { state: 'fail', failCode: 501, failMsg: 'generation failed: server overloaded' } });
  });
  it('passes other codes through with Retry-After', async () => {
    const { fetch } = fakeFetch(() => json({ code: 429, msg: 'too many' }, 200, { 'Retry-After': '3' }));
    expect(await gw(fetch).getTask('x')).toEqual({ ok: false, error: { code: 429, message: 'too many', retryAfterMs: 3000 } });
    const nf = fakeFetch(() => json({ code: 404, msg: 'task not found' }));
    expect(await gw(nf.fetch).getTask('x')).toEqual({ ok: false, error: { code: 404, message: 'task not found' } });
  });
  it('reports unusable records as code 0 rather than guessing', async () => {
    const { fetch } = fakeFetch(() => json({ code: 200, msg: 'success', data: { taskId: 'x', state: 'melted' } }));
    expect(await gw(fetch).getTask('x')).toMatchObject({ ok: false, error: { code: 0, message: expect.stringContaining('unknown state') } });
  });
  it('times out through the injected fetch signal as code 0', async () => {
    const hang = (async (_u: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    expect(await gw(hang, { requestTimeoutMs: 20 }).getTask('x')).toEqual({ ok: false, error: { code: 0, message: 'GET timed out after 20 ms' } });
  });
});
