import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskSpec } from '@clipfleet/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { createKieHttpGateway } from './client.ts';

/**
 * HTTP-level failures over real loopback sockets: things a well-behaved simulator never does
 * (refused connections, resets, hangs, HTML error pages), so a raw node:http server plays them.
 */

const spec: TaskSpec = { taskId: 't1', batchId: 'b', userId: 'u', rowIndex: 0, model: 'sora-2', resolution: '720p', durationSec: 10, prompt: 'p' };

const servers: Server[] = [];
afterEach(async () => {
  // Hung requests keep their sockets open: drop them, or close() waits for the client's keep-alive.
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise<void>((r) => s.close(() => r()));
    }),
  );
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port that was just free: listen, note the port, close. Nothing listens there during the test. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('KIE client transport failures (real HTTP)', () => {
  it('connection refused -> code 0 on both calls', async () => {
    const gw = createKieHttpGateway({ baseUrl: await closedPortUrl(), apiKey: 'k' });
    const c = await gw.createTask({ task: spec, attempt: 1, accountId: 'default' });
    const g = await gw.getTask('x');
    expect(c).toMatchObject({ ok: false, error: { code: 0, message: expect.stringContaining('ECONNREFUSED') } });
    expect(g).toMatchObject({ ok: false, error: { code: 0, message: expect.stringContaining('ECONNREFUSED') } });
  });

  it('a server that never answers -> code 0 timeout', async () => {
    const url = await serve(() => {
      /* hold the request open */
    });
    const gw = createKieHttpGateway({ baseUrl: url, apiKey: 'k', requestTimeoutMs: 150 });
    expect(await gw.getTask('x')).toEqual({ ok: false, error: { code: 0, message: 'GET timed out after 150 ms' } });
    expect(await gw.createTask({ task: spec, attempt: 1, accountId: 'default' })).toEqual({ ok: false, error: { code: 0, message: 'POST timed out after 150 ms' } });
  });

  it('a body that stalls after the headers -> code 0 timeout', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"code":200,');
    });
    const gw = createKieHttpGateway({ baseUrl: url, apiKey: 'k', requestTimeoutMs: 150 });
    expect(await gw.getTask('x')).toMatchObject({ ok: false, error: { code: 0 } });
  });

  it('a connection reset mid-response -> code 0', async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"code":200');
      setTimeout(() => req.socket.destroy(), 5);
    });
    const gw = createKieHttpGateway({ baseUrl: url, apiKey: 'k' });
    expect(await gw.createTask({ task: spec, attempt: 1, accountId: 'default' })).toMatchObject({ ok: false, error: { code: 0, message: expect.stringMatching(/network error/) } });
  });

  it('non-JSON bodies: 200 -> code 0, an HTML 502/503 page -> its HTTP status with Retry-After', async () => {
    const url = await serve((req, res) => {
      if (req.url?.includes('recordInfo')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('OK maybe');
      } else {
        res.writeHead(503, { 'content-type': 'text/html', 'retry-after': '4' });
        res.end('<html><body>Service Unavailable</body></html>');
      }
    });
    const gw = createKieHttpGateway({ baseUrl: url, apiKey: 'k' });
    expect(await gw.getTask('x')).toEqual({ ok: false, error: { code: 0, message: 'non-JSON response (HTTP 200): OK maybe' } });
    expect(await gw.createTask({ task: spec, attempt: 1, accountId: 'default' })).toMatchObject({
      ok: false,
      error: { code: 503, retryAfterMs: 4000, message: expect.stringContaining('Service Unavailable') },
    });
  });

  it('HTTP 429 with a Retry-After date and a JSON body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': new Date(Date.now() + 30_000).toUTCString() });
      res.end(JSON.stringify({ code: 429, msg: 'Too many requests' }));
    });
    const r = await createKieHttpGateway({ baseUrl: url, apiKey: 'k' }).createTask({ task: spec, attempt: 1, accountId: 'default' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(429);
    expect(r.error.message).toBe('Too many requests');
    // HTTP dates have 1 s resolution: the wait is between 28 and 30 s.
    expect(r.error.retryAfterMs).toBeGreaterThan(28_000);
    expect(r.error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });
});
