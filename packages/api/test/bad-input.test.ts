import { DEFAULT_CONFIG } from '@clipfleet/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer, tableCounts, type TestServer } from './helpers/server.ts';

/** Every bad input answers 4xx with a message naming the row and field, and writes nothing. */

const ok = { prompt: 'a red fox in the snow' };
const rows = (...r: unknown[]) => ({ rows: r });

/** Typed-client cases: input (sent as is), expected HTTP status and message. */
const clientCases: Array<[string, unknown, number, RegExp]> = [
  ['empty rows', rows(), 400, /^rows: rows is empty/],
  ['10,001 rows', { rows: Array.from({ length: 10_001 }, () => ok) }, 400, /^rows: a batch holds at most 10000 rows/],
  ['unknown model', rows({ ...ok, model: 'sora-9' }), 400, /^rows\[0\]\.model: unknown model "sora-9"/],
  ['1080p on sora-2', rows(ok, ok, ok, { ...ok, model: 'sora-2', resolution: '1080p' }), 400, /^rows\[3\]\.resolution: sora-2 does not support resolution "1080p"/],
  ['12 s on Kling 2.6 (the default model)', rows({ ...ok, duration: 12 }), 400, /^rows\[0\]\.duration: kling-2.6 does not support duration 12 s \(supported: 5, 10\)/],
  ['12 s on pro 1080p', rows({ ...ok, model: 'sora-2-pro', resolution: '1080p', duration: 12 }), 400, /^rows\[0\]\.duration: sora-2-pro does not support duration 12/],
  ['4k on Seedance 2.0 Fast', rows({ ...ok, model: 'seedance-2-fast', resolution: '4k' }), 400, /^rows\[0\]\.resolution: seedance-2-fast does not support resolution "4k" \(supported: 480p, 720p\)/],
  ['16 s on Seedance 2.0 (range 4-15)', rows({ ...ok, model: 'seedance-2', resolution: '720p', duration: 16 }), 400, /^rows\[0\]\.duration: seedance-2 does not support duration 16 s \(supported: 4-15/],
  ['5 s on Veo 3.1 (4, 6, 8)', rows({ ...ok, model: 'veo-3.1', resolution: '720p', duration: 5 }), 400, /^rows\[0\]\.duration: veo-3.1 does not support duration 5 s \(supported: 4, 6, 8\)/],
  ['two images on Kling 2.6', rows({ ...ok, imageUrl: 'https://img.example/1.png', lastFrameUrl: 'https://img.example/2.png' }), 400, /^rows\[0\]\.lastFrameUrl: kling-2.6 image-to-video takes exactly 1 image, got 2/],
  ['a last frame without a first', rows({ ...ok, model: 'seedance-2', lastFrameUrl: 'https://img.example/2.png' }), 400, /^rows\[0\]\.lastFrameUrl: a last frame needs a first frame/],
  ['a ratio Wan 2.7 does not take', rows({ ...ok, model: 'wan-2.7', aspectRatio: '21:9' }), 400, /^rows\[0\]\.aspectRatio: wan-2.7 does not support aspect ratio "21:9"/],
  ['an aspect ratio on an image mode without one', rows({ ...ok, imageUrl: 'https://img.example/1.png', aspectRatio: '16:9' }), 400, /^rows\[0\]\.aspectRatio: kling-2.6 image-to-video takes its aspect ratio from the image/],
  ['prompt over 10,000 characters (Sora)', rows({ prompt: 'x'.repeat(10_001), model: 'sora-2' }), 400, /^rows\[0\]\.prompt: prompt is 10001 characters, sora-2 accepts at most 10000/],
  ['prompt over 1,000 characters (Kling 2.6)', rows({ prompt: 'x'.repeat(1_001) }), 400, /^rows\[0\]\.prompt: prompt is 1001 characters, kling-2.6 accepts at most 1000/],
  ['empty prompt', rows({ prompt: '' }), 400, /^rows\[0\]\.prompt: prompt is empty/],
  ['blank prompt', rows(ok, { prompt: '   \n ' }), 400, /^rows\[1\]\.prompt: prompt is empty/],
  ['missing prompt', rows({ model: 'sora-2' }), 400, /^rows\[0\]\.prompt: prompt is required/],
  ['numeric prompt', rows({ prompt: 42 }), 400, /^rows\[0\]\.prompt: prompt is required and must be a string/],
  ['image URL not a URL', rows({ ...ok, imageUrl: 'not a url' }), 400, /^rows\[0\]\.imageUrl: imageUrl is not a URL/],
  ['ftp image URL', rows({ ...ok, imageUrl: 'ftp://example.com/a.png' }), 400, /^rows\[0\]\.imageUrl: imageUrl must be an https URL/],
  ['http image URL', rows({ ...ok, imageUrl: 'http://example.com/a.png' }), 400, /^rows\[0\]\.imageUrl: imageUrl must be an https URL/],
  ['http last frame URL', rows({ ...ok, model: 'seedance-2', imageUrl: 'https://img.example/1.png', lastFrameUrl: 'http://img.example/2.png' }), 400, /^rows\[0\]\.lastFrameUrl: lastFrameUrl must be an https URL/],
  ['loopback image URL', rows(ok, { ...ok, imageUrl: 'https://127.0.0.1:8080/a.png' }), 400, /^rows\[1\]\.imageUrl: imageUrl points at 127\.0\.0\.1, which is not a public address/],
  ['metadata image URL', rows({ ...ok, imageUrl: 'https://169.254.169.254/latest/meta-data' }), 400, /^rows\[0\]\.imageUrl: .*not a public address/],
  ['localhost image URL', rows({ ...ok, imageUrl: 'https://localhost/a.png' }), 400, /^rows\[0\]\.imageUrl: imageUrl host localhost is not a public host name/],
  ['zero-width prompt', rows(ok, ok, { prompt: '\u200b\u200b\u200d\ufeff' }), 400, /^rows\[2\]\.prompt: prompt is empty \(it has no visible characters\)/],
  ['NUL in a prompt', rows({ prompt: 'a cat\u0000' }), 400, /^rows\[0\]\.prompt: prompt contains the control character U\+0000/],
  ['escape in a prompt', rows({ prompt: 'a \u001b[31mred\u001b[0m cat' }), 400, /^rows\[0\]\.prompt: prompt contains the control character U\+001B/],
  ['javascript image URL', rows({ ...ok, imageUrl: 'javascript:alert(1)' }), 400, /^rows\[0\]\.imageUrl/],
  ['unknown aspect ratio', rows({ ...ok, aspectRatio: 'square' }), 400, /^rows\[0\]\.aspectRatio/],
  ['duration as a string', rows({ ...ok, duration: '15' }), 400, /^rows\[0\]\.duration/],
  ['fractional duration', rows({ ...ok, duration: 10.5 }), 400, /^rows\[0\]\.duration: duration must be a whole number/],
  ['negative duration', rows({ ...ok, duration: -10 }), 400, /^rows\[0\]\.duration/],
  ['model as a number', rows({ ...ok, model: 2 }), 400, /^rows\[0\]\.model/],
  ['rows as an object', { rows: { 0: ok } }, 400, /^rows: /],
  ['rows null', { rows: null }, 400, /^rows: /],
  ['rows missing', { name: 'x' }, 400, /^rows: /],
  ['a row that is a string', rows('a cat'), 400, /^rows\[0\]: /],
  ['unknown default model', { ...rows(ok), defaultModel: 'veo-3' }, 400, /^rows\[0\]\.model: unknown model "veo-3"/],
  ['default duration 12 s', { ...rows(ok), defaultDuration: 12 }, 400, /^rows\[0\]\.duration: .*12 s/],
  ['default resolution 4k', { ...rows(ok), defaultModel: 'sora-2-pro', defaultResolution: '4k' }, 400, /^rows\[0\]\.resolution: sora-2-pro does not support resolution "4k"/],
  ['name over 200 characters', { ...rows(ok), name: 'n'.repeat(201) }, 400, /^name: /],
  ['paused not a boolean', { ...rows(ok), paused: 'yes' }, 400, /^paused: /],
  ['one bad row among good ones', rows(ok, ok, { ...ok, resolution: '720p' }, ok), 400, /^rows\[2\]\.resolution: kling-2.6 does not support/],
  ['several bad rows', rows(ok, { ...ok, duration: 12 }, ok, { ...ok, model: 'x' }), 400, /^rows\[1\]\.duration: .*; rows\[3\]\.model: unknown model "x"/],
  ['input not an object', 'rows', 400, /^\(input\): /],
];

describe('bad input', () => {
  let t: TestServer;
  let user: Awaited<ReturnType<TestServer['user']>>;

  beforeAll(async () => {
    t = await startTestServer(new FakeKie({ jobMs: 10 }), { extra: { config: DEFAULT_CONFIG } });
    user = await t.user(1_000_000);
  });
  afterAll(() => t.stop());

  async function unchanged(run: () => Promise<void>) {
    const before = await tableCounts(t.server);
    const balance = (await user.client.me.get.query()).balance;
    await run();
    expect(await tableCounts(t.server)).toEqual(before);
    expect((await user.client.me.get.query()).balance).toBe(balance);
  }

  it.each(clientCases)('batch.create: %s', async (_name, input, status, message) => {
    await unchanged(async () => {
      const err = await user.client.batch.create.mutate(input as any).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCClientError);
      expect((err as TRPCClientError<any>).data?.httpStatus).toBe(status);
      expect((err as Error).message).toMatch(message);
    });
  });

  it.each(clientCases.slice(2, 20))('batch.estimate rejects the same way: %s', async (_name, input, status, message) => {
    const err = await user.client.batch.estimate.query(input as any).catch((e: unknown) => e);
    expect((err as TRPCClientError<any>).data?.httpStatus).toBe(status);
    expect((err as Error).message).toMatch(message);
  });

  async function raw(path: string, body: string, headers: Record<string, string>) {
    const res = await fetch(`${t.url}${path}`, { method: 'POST', body, headers });
    const text = await res.text();
    let message = text;
    try {
      const json = JSON.parse(text);
      message = json.error?.message ?? json.message ?? text;
    } catch {}
    return { status: res.status, message };
  }

  const auth = () => ({ 'content-type': 'application/json', authorization: `Bearer ${user.apiKey}` });

  it('malformed JSON', async () => {
    await unchanged(async () => {
      const r = await raw('/trpc/batch.create', '{"rows": [{"prompt": "a"}', auth());
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/JSON/i);
    });
  });

  it('missing API key', async () => {
    await unchanged(async () => {
      const r = await raw('/trpc/batch.create', JSON.stringify(rows(ok)), { 'content-type': 'application/json' });
      expect(r.status).toBe(401);
      expect(r.message).toMatch(/missing or invalid API key/);
    });
  });

  it('wrong API key', async () => {
    await unchanged(async () => {
      const r = await raw('/trpc/batch.create', JSON.stringify(rows(ok)), { 'content-type': 'application/json', authorization: 'Bearer cf_nope' });
      expect(r.status).toBe(401);
      expect(r.message).toMatch(/missing or invalid API key/);
    });
  });

  it('huge body (over the 32 MiB limit)', async () => {
    await unchanged(async () => {
      const body = JSON.stringify({ rows: [{ prompt: 'x'.repeat(33 * 1024 * 1024) }] });
      const r = await raw('/trpc/batch.create', body, auth());
      expect(r.status).toBe(413);
      expect(r.message).toMatch(/too large/i);
    });
  });

  it('REST route: generationType "image" gets a clear 400', async () => {
    await unchanged(async () => {
      const r = await raw('/api/v1/workflow/batch-generate', JSON.stringify({ ...rows(ok), generationType: 'image' }), auth());
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/^generationType: "image" is not supported/);
    });
  });

  it('REST route: a bad row names the row and field', async () => {
    await unchanged(async () => {
      const body = { rows: [ok, { ...ok, resolution: '1080p' }], generationType: 'video', defaultModel: 'sora-2', defaultResolution: '720p', defaultDuration: 15 };
      const r = await raw('/api/v1/workflow/batch-generate', JSON.stringify(body), auth());
      expect(r.status).toBe(400);
      expect(r.message).toBe('rows[1].resolution: sora-2 does not support resolution "1080p" (supported: 720p)');
    });
  });

  it('REST route: wrong types name the field', async () => {
    await unchanged(async () => {
      const r = await raw('/api/v1/workflow/batch-generate', JSON.stringify({ rows: [{ prompt: 'a', duration: 'long' }] }), auth());
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/^rows\[0\]\.duration: /);
    });
  });

  it('a cursor this API never issued', async () => {
    const err = await user.client.batch.list.query({ cursor: 'garbage' }).catch((e: unknown) => e);
    expect((err as TRPCClientError<any>).data?.httpStatus).toBe(400);
    expect((err as Error).message).toMatch(/^cursor: /);
  });

  it('a page size out of range', async () => {
    const err = await user.client.batch.list.query({ limit: 0 }).catch((e: unknown) => e);
    expect((err as TRPCClientError<any>).data?.httpStatus).toBe(400);
    expect((err as Error).message).toMatch(/^limit: /);
  });
});
