import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClipFleetClient, createServer, type ClipFleetServer } from '../src/index.ts';
import { testStorage } from './helpers/database.ts';

/**
 * The server's structured logs, captured from its real pino stream while a batch runs against the simulated KIE
 * (some prompts refused, some calls failing transiently): one JSON line per task transition, request ids, and
 * no key or signature anywhere, whichever way a client sent one.
 */
const WEBHOOK_KEY = 'whsec_test_0123456789abcdef';
const lines: string[] = [];
let server: ClipFleetServer;
let url = '';

beforeAll(async () => {
  server = createServer({
    ...(await testStorage()),
    port: 0,
    devCredits: 0,
    adminKey: 'admin-key-for-the-logging-test-0001',
    webhookKey: WEBHOOK_KEY,
    kie: { mode: 'sim', timeScale: 400, seed: 11, faults: 'policy:30,flaky:20' },
    logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
  });
  ({ url } = await server.start());
});
afterAll(() => server?.stop());

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('structured logs', () => {
  it('log one line per task transition, with request ids, and never a key or a signature', { timeout: 60_000 }, async () => {
    const admin = createClipFleetClient(url, server.adminKey, { EventSource });
    const { apiKey } = await admin.admin.createUser.mutate({ name: 'logged', credits: 10_000 });
    const client = createClipFleetClient(url, apiKey, { EventSource });
    const { batchId } = await client.batch.create.mutate({ rows: Array.from({ length: 10 }, (_, i) => ({ prompt: `a kite over a beach, take ${i}` })) });
    // The stream goes over SSE: the key travels in the URL's connectionParams.
    await new Promise<void>((resolve, reject) => {
      client.batch.onProgress.subscribe({ batchId, lastEventId: null }, { onComplete: resolve, onError: reject });
    });
    await server.deps!.fleet!.flush();

    // Every way a secret can come in: the ZIP link's ?key=, a bearer header, a request id, a forged callback.
    const zip = await fetch(`${url}/batches/${batchId}/download.zip?key=${apiKey}`);
    await zip.arrayBuffer();
    const traced = await fetch(`${url}/health`, { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-abc.123');
    const injected = await fetch(`${url}/health`, { headers: { 'x-request-id': 'bad id {"level":60}' } });
    expect(injected.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await fetch(`${url}/kie/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-signature': 'c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw==', 'x-webhook-timestamp': String(Date.now()) },
      body: JSON.stringify({ code: 200, data: { taskId: 'nope', state: 'success' } }),
    });
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } });

    const logs = parsed();
    // One line per committed transition, as many as the event log holds.
    const stored = await server.deps!.db.selectFrom('task_events').select('type').where('batch_id', '=', batchId).execute();
    const count = (t: string) => stored.filter((e) => e.type === t).length;
    const logged = (t: string) => logs.filter((l) => l.event === t && l.batchId === batchId).length;
    for (const type of ['task.submitted', 'task.retryScheduled', 'task.succeeded', 'task.failed', 'task.timedOut']) {
      expect(logged(type), type).toBe(count(type));
    }
    expect(count('task.succeeded')).toBeGreaterThan(0);
    expect(count('task.failed')).toBeGreaterThan(0);
    expect(count('task.retryScheduled')).toBeGreaterThan(0);
    const failed = logs.find((l) => l.event === 'task.failed')!;
    expect(failed).toMatchObject({ level: 40, component: 'fleet', msg: 'task failed', batchId });
    expect(typeof failed.taskId).toBe('string');
    expect(logs.some((l) => l.event === 'batch.finished' && l.batchId === batchId)).toBe(true);

    // Requests are logged with their id.
    const requests = logs.filter((l) => l.msg === 'request completed');
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.every((l) => typeof l.reqId === 'string' && l.reqId !== '')).toBe(true);
    expect(logs.some((l) => l.reqId === 'trace-abc.123')).toBe(true);
    expect(logs.some((l) => typeof l.req === 'object' && String((l.req as { url: string }).url).includes('key=[redacted]'))).toBe(true);

    // No secret, in any form, in any line.
    const all = lines.join('\n');
    for (const secret of [apiKey, server.adminKey, WEBHOOK_KEY, 'c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw==', encodeURIComponent(apiKey)]) {
      expect(all.includes(secret), `a log line holds ${secret.slice(0, 6)}…`).toBe(false);
    }
    expect(all).not.toMatch(/Bearer (?!\[redacted\])/);
    expect(all).not.toMatch(/cf_[A-Za-z0-9_-]{20,}/);
  });
});
