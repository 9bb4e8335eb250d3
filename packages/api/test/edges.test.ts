import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateTaskRequest, KieGateway } from '@clipfleet/engine';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchRefused, publicOnlyLookup, safeGet } from '../src/results/safe-fetch.ts';
import { startTestServer, waitFor, type TestServer } from './helpers/server.ts';

/** A loopback listener standing in for an internal service: it records every request it gets. */
async function internalService(): Promise<{ url: string; hits: string[]; close(): Promise<void>; server: Server }> {
  const hits: string[] = [];
  const server = createHttpServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('{"secret":"internal"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, hits, server, close: () => new Promise((r) => server.close(() => r())) };
}

/** A KIE whose jobs succeed at once with the given result URLs (as a forged or hostile record would carry). */
function kieWithResults(urls: (req: CreateTaskRequest) => string[]): KieGateway {
  const jobs = new Map<string, string[]>();
  let n = 0;
  return {
    async createTask(req) {
      const id = `job_${++n}`;
      jobs.set(id, urls(req));
      return { ok: true, remoteTaskId: id };
    },
    async getTask(id) {
      return { ok: true, status: { state: 'success', resultUrls: jobs.get(id) ?? [] } };
    },
  };
}

/** A GET from a chosen loopback source address (127.0.0.0/8 is all loopback on Linux). */
function responseFrom(localAddress: string, url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

const getFrom = async (localAddress: string, url: string, headers: Record<string, string>): Promise<number> => (await responseFrom(localAddress, url, headers)).status;

describe('no server-side fetch reaches inside the network', () => {
  let internal: Awaited<ReturnType<typeof internalService>>;
  let t: TestServer;

  beforeAll(async () => {
    internal = await internalService();
    const targets = [
      `${internal.url}/__sim/stats`,
      `${internal.url.replace('http:', 'https:')}/trpc/catalog.models`,
      `https://localhost:${new URL(internal.url).port}/x`,
      'https://169.254.169.254/latest/meta-data/',
      'file:///etc/passwd',
    ];
    t = await startTestServer(kieWithResults(() => targets));
  });
  afterAll(async () => {
    await t.stop();
    await internal.close();
  });

  it('archives nothing from a private destination, the listener sees no request, and the ZIP says why', async () => {
    const { client, apiKey } = await t.user(1000);
    const { batchId } = await client.batch.create.mutate({ rows: [{ prompt: 'hostile results' }] });
    await waitFor(async () => (await client.batch.get.query({ batchId })).finishedAt, 'the batch to finish');
    await t.server.deps!.archive.idle();
    const rows = await t.server.deps!.db.selectFrom('result_files').select(['idx', 'state', 'error']).orderBy('idx').execute();
    expect(rows.map((r) => r.state)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
    expect(rows.map((r) => r.error)).toEqual([
      'only https URLs are fetched, not http:',
      '127.0.0.1 is not a public address',
      'localhost resolves to a non-public address (127.0.0.1)',
      '169.254.169.254 is not a public address',
      'only https URLs are fetched, not file:',
    ]);

    const zip = await fetch(`${t.url}/batches/${batchId}/download.zip`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(zip.status).toBe(200);
    const dir = await unzipper.Open.buffer(Buffer.from(await zip.arrayBuffer()));
    const texts = await Promise.all(dir.files.filter((f) => f.path.endsWith('.error.txt')).map(async (f) => (await f.buffer()).toString()));
    expect(texts).toHaveLength(5);
    for (const text of texts) expect(text).toMatch(/^could not be archived: /);
    expect(internal.hits).toEqual([]);
  });

  it('checks every redirect: a trusted origin redirecting inside the network is refused before any request', async () => {
    const redirector = createHttpServer((_req, res) => res.writeHead(302, { location: `${internal.url}/secret` }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
    try {
      await expect(safeGet(`${origin}/video.mp4`, { trustedOrigins: [origin], timeoutMs: 5_000, maxRedirects: 3 })).rejects.toThrow(FetchRefused);
      expect(internal.hits).toEqual([]);
    } finally {
      await new Promise((r) => redirector.close(r));
    }
  });

  it('the lookup used for connections answers only public addresses', async () => {
    const answer = await new Promise<unknown>((resolve) => publicOnlyLookup('localhost', {}, (err) => resolve(err)));
    expect(answer).toBeInstanceOf(FetchRefused);
  });
});

describe('the HTTP surface', () => {
  let t: TestServer;
  let webDist: string;
  let user: Awaited<ReturnType<TestServer['user']>>;

  beforeAll(async () => {
    webDist = mkdtempSync(join(tmpdir(), 'clipfleet-web-'));
    writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>ClipFleet</title>');
    t = await startTestServer(kieWithResults(() => []), { extra: { webDist, failedAuthLimit: { max: 5, windowMs: 60_000 } } });
    user = await t.user(1000);
  });
  afterAll(async () => {
    await t.stop();
    rmSync(webDist, { recursive: true, force: true });
  });

  it('sends security headers with a CSP', async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });

  it('answers 404 for a missing asset, the app for a page route', async () => {
    const asset = await fetch(`${t.url}/assets/x.js`);
    expect(asset.status).toBe(404);
    expect(asset.headers.get('content-type')).toMatch(/json/);
    const page = await fetch(`${t.url}/batches`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>ClipFleet</title>');
  });

  it('answers a 50 MB upload with a readable 413', async () => {
    const res = await fetch(`${t.url}/trpc/batch.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.apiKey}` },
      body: `{"rows":[{"prompt":"${'x'.repeat(50 * 1024 * 1024)}"}]}`,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/request body too large: the limit for POST \/trpc\/batch.create is 33554432 bytes/);
  });

  it('throttles wrong keys per address; other addresses, and the right key from them, still get in', async () => {
    const me = `${t.url}/trpc/me.get`;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push(await getFrom('127.0.0.3', me, { authorization: `Bearer cf_wrong_${i}` }));
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(6))).toEqual(new Set([429]));
    // The address that guessed gets nothing checked, not even the right key, until the window passes.
    expect(await getFrom('127.0.0.3', me, { authorization: `Bearer ${user.apiKey}` })).toBe(429);
    // The plain routes say the same through the same mapping.
    const plain = await responseFrom('127.0.0.3', `${t.url}/batches/any/download.zip`, { authorization: `Bearer ${user.apiKey}` });
    expect(plain.status).toBe(429);
    expect(Number(plain.headers['retry-after'])).toBeGreaterThan(0);
    expect(await getFrom('127.0.0.4', me, { authorization: `Bearer ${user.apiKey}` })).toBe(200);
  });

  it('keeps the API key out of URLs: ?key= is refused, a short-lived download token works, for its scope only', async () => {
    const { batchId } = await user.client.batch.create.mutate({ rows: [{ prompt: 'a cat' }] });
    await waitFor(async () => (await user.client.batch.get.query({ batchId })).finishedAt, 'the batch to finish');
    const zip = `${t.url}/batches/${batchId}/download.zip`;
    expect((await fetch(`${zip}?key=${user.apiKey}`)).status).toBe(401);
    const { token, expiresAt } = await user.client.me.linkToken.mutate({ scope: 'download' });
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(token).not.toContain(user.apiKey);
    const ok = await fetch(`${zip}?token=${encodeURIComponent(token)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/zip');
    // A download token opens no tRPC call, and a stream token no download.
    expect((await fetch(`${t.url}/trpc/me.get`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const stream = await user.client.me.linkToken.mutate({ scope: 'stream' });
    expect((await fetch(`${zip}?token=${encodeURIComponent(stream.token)}`)).status).toBe(401);
    // SSE: the API key in connectionParams (in the URL) is no longer accepted.
    const input = encodeURIComponent(JSON.stringify({ batchId }));
    const params = encodeURIComponent(JSON.stringify({ apiKey: user.apiKey }));
    const sse = await fetch(`${t.url}/trpc/batch.onProgress?input=${input}&connectionParams=${params}`, { headers: { accept: 'text/event-stream' } });
    const text = await sse.text();
    expect(text).toMatch(/UNAUTHORIZED|missing or invalid/);
  });
});
